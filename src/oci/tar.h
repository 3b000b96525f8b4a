// A deterministic tar writer (POSIX.1-2001 pax / ustar, as OCI image-spec
// "layer.md" expects). The writer does not sort: callers hand entries in the
// order they want (the rootfs assembler sorts by path). Header fields that vary
// between machines (uname/gname, atime/ctime, devmajor/minor) are fixed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "util/fs.h"
#include "util/result.h"

namespace pare::oci {

enum class EntryType { file, dir, symlink, hardlink };

struct TarHeader {
  std::string path;  // relative, no leading "./" or "/", no trailing "/" (e.g. "usr/bin/env")
  EntryType type = EntryType::file;
  uint32_t mode = 0644;  // permission bits incl. setuid/setgid/sticky, no type bits
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t size = 0;  // files only; must equal data.size()
  std::string link;   // symlink target (as is) or hardlink target (a path like `path`)
  int64_t mtime = 0;  // SOURCE_DATE_EPOCH
};

class TarWriter {
 public:
  explicit TarWriter(fs::ByteSink* out) : out_(out) {}
  // Writes a pax extended header first when a field does not fit ustar
  // (long path or link, large size, large ids). Directories get a trailing "/".
  Result<void> add(const TarHeader& header, std::string_view data = {});
  // Two zero blocks.
  Result<void> finish();
  uint64_t bytes_written() const { return written_; }

 private:
  Result<void> emit(std::string_view bytes);
  fs::ByteSink* out_;
  uint64_t written_ = 0;
};

// Whether every '/'-separated part of `path` is a name: none empty, "." or ".." (what a tar
// entry of a layer may hold: OCI image-spec, layer.md).
bool is_plain_relative_path(std::string_view path);

// Bounds-checked tar reader (ustar + pax path/linkpath/size), for tests,
// inspection and reading layers back. Calls fn(header, data) per entry;
// returns Errc::invalid with the byte offset on malformed input. Paths come
// back normalised like TarHeader.path (the root entry "./" as "."); device and
// FIFO entries are Errc::unsupported; GNU 'L'/'K' long names are read too.
Result<void> read_tar(std::string_view archive,
                      const std::function<Result<void>(const TarHeader&, std::string_view)>& fn);

}  // namespace pare::oci
