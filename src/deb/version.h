// Debian package version comparison (Debian Policy 5.6.12, as dpkg implements it).
//
// A version is [epoch:]upstream_version[-debian_revision]. Epochs compare
// numerically; upstream and revision compare with dpkg's "verrevcmp": the
// string alternates non-digit and digit runs; non-digit runs compare character
// by character where '~' sorts before everything (even the end of the string),
// then the end of the string, then letters, then all other characters (in
// ASCII order); digit runs compare numerically. A missing revision equals "0".
#pragma once

#include <string_view>

namespace pare::deb {

// <0 if a is older than b, 0 if equal, >0 if newer. Total on any input (even
// invalid versions compare deterministically); numbers of any length compare
// without overflow.
int compare_versions(std::string_view a, std::string_view b);

// True if v is well formed: optional numeric epoch, an upstream version that
// starts with a digit and uses only [A-Za-z0-9.+~-:] ('-' only when there is a
// revision, ':' only with an epoch), and a non-empty revision of [A-Za-z0-9.+~]
// when a '-' is present.
bool is_valid_version(std::string_view v);

}  // namespace pare::deb
