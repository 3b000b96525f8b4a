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
  // The bytes of a file entry (of `entries`), as the cache holds them; for
  // callers that check them with check() before they are used.
  std::string_view bytes(const UnpackedEntry& e) const {
    return data_.bytes().substr(e.offset, e.header.size);
  }
  // Nothing from the cache enters an image unverified: each file's bytes are
  // hashed against the digest recorded when it was unpacked, when they are
  // used, so a build pays only for the files it reads. A mismatch removes
  // the whole cache entry (a later unpack makes it again): Errc::integrity.
  Result<void> check(const UnpackedEntry& e) const;
  Result<std::string_view> checked_bytes(const UnpackedEntry& e) const;
  // The SHA-256 (hex) recorded for a file entry when it was unpacked: what check() compares
  // its bytes with ("" for other entries).
  const std::string& digest_of(const UnpackedEntry& e) const;
  // Every file entry checked (`pare cache verify`).
  Result<void> check_all() const;
  // Done with these bytes for now (fs::MappedFile::release).
  void release(std::string_view bytes) const { data_.release(bytes); }
  const std::filesystem::path& dir() const { return dir_; }

  // Loads an entry; its metadata (index, control, md5sums, the per-file
  // digests) is checked against its digests record here, the files' bytes by check().
  static Result<std::unique_ptr<UnpackedPackage>> load(const std::filesystem::path& dir);

 private:
  UnpackedPackage(fs::MappedFile data, std::filesystem::path dir)
      : data_(std::move(data)), dir_(std::move(dir)) {}
  fs::MappedFile data_;
  std::filesystem::path dir_;
  std::vector<std::string> sums_;  // per entry: SHA-256 hex of a file's bytes, "" otherwise
};

// The cached, unpacked form of `deb` (whose SHA-256 is `deb_sha256`), made if needed.
Result<std::unique_ptr<UnpackedPackage>> unpack_cached(const std::filesystem::path& deb,
                                                       const std::string& deb_sha256,
                                                       const FilterOptions& filter,
                                                       const std::filesystem::path& cache_dir);

// Writes an entry's index, control, md5sums, per-file digests (`sums`, hashed
// from the `data` file already written in `dir`) and, last, its checked
// digests record. Used by the unpacker and by tests.
Result<void> write_unpacked_metadata(const std::filesystem::path& dir,
                                     const std::vector<UnpackedEntry>& entries,
                                     const std::string& control, const std::string& md5sums);

// Index text format, exposed for the fuzz target: one line per entry,
// "<type> <mode> <uid> <gid> <size> <offset> <path>\t<link>\n" with % escapes.
std::string format_index(const std::vector<UnpackedEntry>& entries);
Result<std::vector<UnpackedEntry>> parse_index(std::string_view text, uint64_t data_size);

}  // namespace pare::rootfs
