// The unpacked-package cache: each .deb is decompressed once, filtered
// (docs/man/locales dropped, see filter.h), and kept as
//   <cache>/unpacked/<deb sha256>-<filter id>/{index,data,control,md5sums}
// where `data` holds the kept files' bytes back to back and `index` lists the
// entries with offsets into it. Layers are then assembled by reading these
// through a memory map, so no rootfs is ever held in memory, every package is
// decompressed once for the whole family of images and variants, and a warm
// rebuild costs no decompression at all. Entries are published by an atomic
// directory rename, so concurrent builds can share the cache.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "oci/tar.h"
#include "rootfs/filter.h"
#include "util/fs.h"
#include "util/result.h"

namespace pare::rootfs {

struct UnpackedEntry {
  oci::TarHeader header;  // path normalised ("usr/bin/x"), as in the package (no merged-/usr yet)
  uint64_t offset = 0;    // files: where the bytes start in `data`
};

class UnpackedPackage {
 public:
  std::string name;  // package name (from control)
  std::string control;
  std::string md5sums;
  std::vector<UnpackedEntry> entries;  // in data.tar order
  // The bytes of a file entry.
  std::string_view bytes(const UnpackedEntry& e) const {
    return data_.bytes().substr(e.offset, e.header.size);
  }
  // Done with these bytes for now (fs::MappedFile::release).
  void release(std::string_view bytes) const { data_.release(bytes); }

  static Result<std::unique_ptr<UnpackedPackage>> load(const std::filesystem::path& dir);

 private:
  explicit UnpackedPackage(fs::MappedFile data) : data_(std::move(data)) {}
  fs::MappedFile data_;
};

// The cached, unpacked form of `deb` (whose SHA-256 is `deb_sha256`), made if needed.
Result<std::unique_ptr<UnpackedPackage>> unpack_cached(const std::filesystem::path& deb,
                                                       const std::string& deb_sha256,
                                                       const FilterOptions& filter,
                                                       const std::filesystem::path& cache_dir);

// Writes an entry's index, control, md5sums and (last) its checked digests
// record into `dir`, whose `data` file (of data_size bytes hashing to
// data_sha256) is already written. Used by the unpacker and by tests.
Result<void> write_unpacked_metadata(const std::filesystem::path& dir,
                                     const std::vector<UnpackedEntry>& entries,
                                     const std::string& data_sha256, uint64_t data_size,
                                     const std::string& control, const std::string& md5sums);

// Index text format, exposed for the fuzz target: one line per entry,
// "<type> <mode> <uid> <gid> <size> <offset> <path>\t<link>\n" with % escapes.
std::string format_index(const std::vector<UnpackedEntry>& entries);
Result<std::vector<UnpackedEntry>> parse_index(std::string_view text, uint64_t data_size);

}  // namespace pare::rootfs
