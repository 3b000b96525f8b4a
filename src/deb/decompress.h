// Decompression of downloaded index files (Packages.xz, Packages.gz, ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pare::deb {

// Largest decompressed index accepted (a guard against decompression bombs;
// Debian's largest Packages file is well under 100 MiB).
inline constexpr uint64_t kMaxDecompressedIndex = uint64_t{2} << 30;  // 2 GiB

// Decompress by the file name's extension: .xz, .gz, .zst, .bz2 (through
// libarchive's raw format); any other name is returned as it is. Data that is
// not in the format its name says, truncated data, or output beyond `limit`
// is Errc::invalid naming the file. `expected_size` (0 = unknown) is the
// decompressed size a signed Release lists: a one-member .gz of that size is
// decoded by libdeflate straight into a buffer of that size (~5x faster than
// through libarchive); anything else takes the general path.
Result<std::string> decompress_index(std::string_view data, std::string_view filename,
                                     uint64_t limit = kMaxDecompressedIndex,
                                     uint64_t expected_size = 0);

}  // namespace pare::deb
