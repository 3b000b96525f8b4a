// Reading a .deb (deb(5): an ar archive holding debian-binary "2.0",
// control.tar[.gz|.xz|.zst] and data.tar[.gz|.xz|.zst|.bz2]) with libarchive,
// streaming: nothing is extracted to disk and no maintainer script is run.
// Member paths are normalised ("./usr/bin/x" -> "usr/bin/x") and rejected when
// they could escape the root ("..", absolute after normalisation, NUL).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "oci/tar.h"
#include "util/result.h"

namespace pare::deb {

struct DebControl {
  std::string control;    // control.tar's ./control
  std::string md5sums;    // ./md5sums ("" if absent)
  std::string conffiles;  // ./conffiles ("" if absent)
};

// Pulls a data entry's bytes in pieces; an entry need not be read fully.
class EntryReader {
 public:
  virtual ~EntryReader() = default;
  // Returns the next piece (empty at the end).
  virtual Result<std::string_view> next() = 0;
};

using DataEntryFn = std::function<Result<void>(const oci::TarHeader& header, EntryReader& data)>;

// Reads control.tar fully and streams data.tar through `on_entry` (in archive order).
Result<DebControl> read_deb(const std::filesystem::path& deb, const DataEntryFn& on_entry);
// The same from bytes in memory (fuzzing, tests).
Result<DebControl> read_deb_memory(std::string_view bytes, std::string_view name,
                                   const DataEntryFn& on_entry);

// "./a/b/" -> "a/b"; "" for the root itself; error for unsafe paths.
Result<std::string> normalize_member_path(std::string_view raw);

}  // namespace pare::deb
