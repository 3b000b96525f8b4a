// The one package-metadata interface (DESIGN.md): what an image's package databases say,
// whatever distribution wrote them, as PackageRecords for the SBOM writers, `pare sbom`
// and (next) scan. Readers, each of untrusted text, each fuzzed:
//   - dpkg status paragraphs (status.d/<name> files as distroless writes them, or the whole
//     /var/lib/dpkg/status of Debian and Ubuntu images): Package, Version, Architecture,
//     Source ("name" or "name (version)"), Maintainer, Status (not-installed and config-files
//     entries are skipped);
//   - the apk installed database lib/apk/db/installed (Alpine, Wolfi): P: name, V: version,
//     A: arch, o: origin (source), m: maintainer, L: licence;
//   - a Debian copyright file in the machine-readable format (DEP-5, copyright-format 1.0):
//     its License: fields; any other copyright file gives no licence (NOASSERTION, never a guess).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::sbom {

enum class PackageKind { deb, apk };

struct PackageRecord {
  PackageKind kind = PackageKind::deb;
  std::string name, version, arch;
  std::string source, source_version;  // source package; source_version "" = the version
  std::string maintainer;
  std::vector<std::string> licenses;  // SPDX identifiers or expressions; empty = NOASSERTION
  // What pare knows of the .deb besides the database (set by the build, never read here).
  std::string sha256, download_location;
  std::vector<std::string> slice;  // the globs a slice kept ("" = the whole package)
};

// "Source: glibc (2.36-9)" and "Source: glibc" (then the source version is the version).
void parse_source_field(std::string_view value, std::string& name, std::string& version);

Result<std::vector<PackageRecord>> parse_dpkg_records(std::string_view text,
                                                      std::string_view source_name);
Result<std::vector<PackageRecord>> parse_apk_installed(std::string_view text,
                                                       std::string_view source_name);

// The licences a DEP-5 copyright file names (each License: field's first line, the short
// names as written; "GPL-2+" etc. are kept as Debian spells them, sorted, unique), or
// nullopt when the file is not machine-readable (no Format: line naming copyright-format).
std::optional<std::vector<std::string>> dep5_licenses(std::string_view copyright_text);

// Debian's short licence names mapped to SPDX where they differ ("GPL-2+" ->
// "GPL-2.0-or-later", "Expat" -> "MIT"); an unknown name becomes "LicenseRef-<name>" with
// characters SPDX does not allow replaced by '-'.
std::string spdx_license_id(std::string_view debian_name);

}  // namespace pare::sbom
