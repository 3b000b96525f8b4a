// apt sources discovery: where the Debian mirror is.
//
// Formats (sources.list(5)):
//  - one-line style (sources.list, *.list):
//      deb [ arch=amd64 signed-by=/usr/share/keyrings/x.gpg ] URI SUITE [COMPONENT...]
//    '#' starts a comment (anywhere on the line, as apt does).
//  - deb822 style (*.sources): paragraphs with Types, URIs, Suites, Components,
//    Signed-By, Architectures, Enabled; '#' lines are comments.
//
// The mirror pare uses is chosen, in this order, from: the spec, the
// environment (PARE_MIRROR, PARE_SECURITY_MIRROR), the host's apt sources.
// No host name is built in.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::deb {

struct AptSource {
  std::vector<std::string> types, uris, suites, components;
  // A keyring path (or fingerprints) as written, or, for a deb822 Signed-By
  // holding an embedded key, the ASCII-armored key block itself (lines joined
  // with '\n', Policy's " ." empty-line markers turned back into empty lines).
  std::string signed_by;
  std::vector<std::string> architectures;  // empty = all
  bool enabled = true;
  std::string origin;  // "file:line"
};

Result<std::vector<AptSource>> parse_one_line_sources(std::string_view text, std::string_view name);
Result<std::vector<AptSource>> parse_deb822_sources(std::string_view text, std::string_view name);

// root/etc/apt/sources.list, then root/etc/apt/sources.list.d/*.list and
// *.sources in name order (as apt reads them). Other names are ignored (apt
// ignores e.g. *.disabled, *.save and names with characters outside
// [A-Za-z0-9_.-]). Missing files and directories are not errors.
Result<std::vector<AptSource>> read_host_sources(const std::filesystem::path& root = "/");

struct MirrorOverrides {
  std::string mirror, security_mirror;  // from the spec; empty = not given
};

struct Mirrors {
  std::string mirror, security_mirror;         // no trailing '/'; security may be empty
  std::string mirror_origin, security_origin;  // "spec", "PARE_MIRROR", or "file:line"
  // Signed-By of the host source the mirror came from (empty otherwise).
  std::string mirror_signed_by, security_signed_by;
};

// Each of mirror and security mirror: spec, else env, else host sources. From
// the host: the first enabled "deb" source (http, https or file URI) with a
// suite not ending in "-security" gives the mirror; the first whose suite ends
// in "-security" (or "/updates", Debian <= 10) the security mirror. Sources that
// look like the distribution's own archive (no Signed-By, or a debian-archive
// keyring) are preferred over third-party repositories listed earlier.
// No mirror at all -> Errc::not_found telling the user to set one.
Result<Mirrors> discover_mirrors(const MirrorOverrides& spec,
                                 const std::function<std::string(const char*)>& getenv,
                                 const std::filesystem::path& root = "/");

// "http://host/debian///" -> "http://host/debian".
std::string strip_trailing_slashes(std::string_view uri);
// Whether apt reads a file of its parts directories (sources.list.d, apt.conf.d) by this name:
// only letters, digits, '_', '.' and '-' (apt's rule; editor backups like "x~" are skipped).
bool is_apt_part_name(std::string_view name);

}  // namespace pare::deb
