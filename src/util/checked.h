// Cache records that carry their own SHA-256, checked on every read, so that
// a damaged record (a flipped bit, a truncated write, an edit) reads as
// absent, is removed, and is made again, never taken for other content.
//
//   pare-checked-1 <sha256 of payload> <payload size>\n<payload>
//
// Used for every small cache file whose contents decide an image: layer and
// resolution records, verified-InRelease markers, stanza indexes, the
// metadata of unpacked packages. Large cached data (.debs, Packages files,
// layer blobs, unpacked file data) is checked against a digest held in one of
// these records or in a signed index instead.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pare::fs {

// The record's bytes for `payload` (what write_checked writes).
std::string checked_record(std::string_view payload);
Result<void> write_checked(const std::filesystem::path& path, std::string_view payload);
// The payload of a record's bytes, or nullopt when they are not a whole,
// undamaged record (bounds-checked: the fuzz target's entry point).
std::optional<std::string_view> checked_payload(std::string_view bytes);

enum class CheckedState { ok, missing, damaged };
struct CheckedRead {
  CheckedState state = CheckedState::missing;
  std::string payload;  // when ok
};
// Reads a record; a damaged one (bad header, size or digest, or larger than
// `limit`) is removed and logged as a warning naming the file.
CheckedRead read_checked(const std::filesystem::path& path, uint64_t limit = uint64_t{64} << 20);

}  // namespace pare::fs
