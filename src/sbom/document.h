// SBOM documents for one image and architecture, in the two formats the ecosystem reads:
//   - SPDX 2.3 JSON (spdx-spec v2.3, "SPDX JSON schema"): the document DESCRIBES an
//     OPERATING_SYSTEM package (name = the OS id, versionInfo = its version), which CONTAINS
//     every OS package; each package has its pkg:deb purl as an externalRef (PACKAGE-MANAGER),
//     the Maintainer as supplier, licences from DEP-5 (else NOASSERTION) and
//     sourceInfo "built package from: SRC VER", which Trivy needs to match source-level
//     advisories; the image and its layers are pkg:oci packages; files the spec added carry
//     their SHA-256.
//   - CycloneDX 1.6 JSON (cyclonedx-spec 1.6, bom-1.6.schema.json): metadata.component is
//     the image (type container), an operating-system component, library components with
//     purls, dependencies OS -> packages.
// Deterministic: same input, same bytes (keys sorted, lists sorted, SPDX namespace and
// CycloneDX serialNumber derived from the content's hash, timestamps from `created`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sbom/packages.h"

namespace pare::sbom {

struct OsInfo {
  std::string id = "debian";  // os-release ID
  std::string version_id;     // "12"
  std::string version;        // the point release, "12.8" ("" = unknown)
  std::string name = "Debian GNU/Linux";
};

struct LayerInfo {
  std::string digest, diff_id, media_type;
  uint64_t size = 0;
};

// A file no package installed: what the spec added (files:, certificates:) or pare generated
// (accounts, the CA bundle, os-release, ld.so.cache...).
struct AddedFile {
  std::string path;  // in the image, absolute
  std::string sha256;
  std::string comment;  // what put it there ("files: app.yaml:12:3", "generated")
};

// Where an image's own SBOMs lie in it (its top layer, written by the build unless
// `sbom: false`): image.spdx.json and image.cdx.json.
inline constexpr const char* kImageSbomDir = "var/lib/pare/sbom";

struct SbomImage {
  std::string name;             // "python3:latest"
  std::string arch;             // Debian architecture
  std::string manifest_digest;  // "sha256:..." of the image's manifest ("" = not known yet)
  int64_t created = 0;          // seconds since the epoch (SOURCE_DATE_EPOCH)
  OsInfo os;
  std::vector<PackageRecord> packages;
  std::vector<LayerInfo> layers;
  std::vector<AddedFile> files;
};

// purl-spec: pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=debian-12.8&upstream=SRC%40VER
// (qualifiers sorted, values percent-encoded, upstream only when it differs from the
// package); pkg:apk/<os id>/NAME@VERSION?arch=ARCH.
std::string package_purl(const PackageRecord& p, const OsInfo& os);
// pkg:oci/NAME@sha256%3A...?arch=ARCH (purl-spec's oci type: the digest is the version).
std::string oci_purl(const std::string& name, const std::string& digest, const std::string& arch);
// purl-spec percent-encoding: everything but A-Z a-z 0-9 . - _ ~ is %XX.
std::string purl_encode(std::string_view text);

// An SPDXRef id: "SPDXRef-KIND-NAME-<8 hex of unique>" (letters, digits, '.' and '-' only).
std::string spdx_id(std::string_view kind, std::string_view name, std::string_view unique);
// A name-based UUID from the bytes' hash (RFC 9562 layout, version 5 and variant bits set):
// CycloneDX serial numbers that follow from the content.
std::string name_based_uuid(const std::string& bytes);
// A field that follows from the rest of a document (SPDX documentNamespace, CycloneDX
// serialNumber) is written as PREFIX + kDerivedPlaceholder, the text hashed once, then the
// placeholder replaced: one serialisation, not two (the biggest cost of an app rebuild's SBOM).
inline constexpr std::string_view kDerivedPlaceholder = "pare-derived-field";
// `text` with the value of its member `"KEY": "PREFIX<placeholder>"` made PREFIX + `value`.
// The needle's unescaped quotes cannot occur inside a JSON string, so only the member matches.
std::string fill_derived_field(std::string text, std::string_view key, std::string_view prefix,
                               std::string_view value);

// A Debian licence expression ("GPL-2+ or Artistic") as an SPDX expression ("GPL-2.0-or-later
// OR Artistic-1.0-Perl").
std::string spdx_expression(std::string_view debian_expression);

std::string spdx_json(const SbomImage& image);
// The files an SPDX document lists (fileName, made relative: "etc/passwd"); an unreadable
// document lists none.
std::vector<std::string> spdx_file_names(std::string_view spdx_json);
std::string cyclonedx_json(const SbomImage& image);

// A multi-platform tag's image index: what it points at, one image per platform, each
// described by its own document (spdx.cpp, cyclonedx.cpp).
struct SbomIndex {
  std::string name;    // "python3:latest"
  std::string digest;  // the index's
  int64_t created = 0;
  struct Image {
    std::string arch, manifest_digest;
    std::string document;  // the file name of its own SPDX or CycloneDX document
  };
  std::vector<Image> images;
};
// SPDX: the document DESCRIBES the index (CONTAINER, pkg:oci purl), which CONTAINS one
// CONTAINER package per platform image. CycloneDX: metadata.component is the index, one
// container component per image, dependencies index -> images.
std::string index_spdx_json(const SbomIndex& index);
std::string index_cyclonedx_json(const SbomIndex& index);

}  // namespace pare::sbom
