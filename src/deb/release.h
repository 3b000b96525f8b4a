// Release / InRelease files (https://wiki.debian.org/DebianRepository/Format):
// verifying the OpenPGP clearsigned InRelease with librnp, and parsing the
// signed Release paragraph.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::deb {

// The most a keyring file may weigh (Debian's archive keyring is ~100 KB; a
// keyring is outside input, read before it is parsed).
inline constexpr uint64_t kMaxKeyringSize = uint64_t{16} << 20;

// Verify a clearsigned InRelease (RFC 4880 section 7) in-process against the
// keys in `keyring` (binary OpenPGP keyring such as the debian-archive-keyring
// .gpg files, or ASCII-armored .asc) and return only the signed text, as rnp's
// verification output gives it (dash-escaping undone). Requires at least one
// signature that rnp reports valid from a key in the keyring (so an expired key
// is accepted exactly when rnp accepts it). Errors (all Errc::signature unless
// noted): text that is not one clearsigned message, "InRelease signature is
// invalid" (modified text), a signature by a key not in the keyring (naming the
// key id), a missing or unreadable keyring (Errc::not_found / Errc::invalid).
Result<std::string> verify_clearsigned(std::string_view inrelease,
                                       const std::filesystem::path& keyring);

// The text of a clearsigned message WITHOUT checking its signature: the lines
// between the armor headers and the signature, dash-escaping undone ("" when
// there is no such message). Only for choosing what to fetch while the
// signature is being checked; nothing fetched by it may be trusted until
// verify_clearsigned's text says the same.
std::string unverified_signed_text(std::string_view inrelease);

struct ReleaseFileEntry {
  std::string path;  // relative to dists/<suite>/
  uint64_t size = 0;
  std::string sha256;
};

struct Release {
  std::string origin, suite, codename, version, date, valid_until;
  std::vector<std::string> architectures, components;
  bool acquire_by_hash = false;
  std::map<std::string, ReleaseFileEntry> files;  // by path, from the SHA256 field
};

// Parse a Release file (the signed text of an InRelease). The SHA256 field is
// a multi-line list of "hash size path". Entries whose path is absolute or
// contains ".." are dropped (they could never be fetched safely). Errors are
// Errc::invalid naming source_name:line.
Result<Release> parse_release(std::string_view text, std::string_view source_name);

// The entry the Release lists for `path` (relative to dists/<suite>/), or nullptr.
const ReleaseFileEntry* find_release_file(const Release& release, const std::string& path);

// A Release date (RFC 2822 style, "Sat, 10 Jun 2023 09:26:38 UTC"; also
// "+0000"-style zones, without weekday, single-digit day) -> seconds since
// the Unix epoch.
Result<int64_t> parse_release_date(std::string_view date);

}  // namespace pare::deb
