#include "deb/decompress.h"

#include <archive.h>
#include <archive_entry.h>

#include <memory>

#include "util/compress.h"

namespace pare::deb {

namespace {

struct Format {
  const char* extension;
  int filter_code;                 // what libarchive must detect
  int (*enable)(struct archive*);  // the one filter allowed
};

constexpr Format kFormats[] = {
    {".xz", ARCHIVE_FILTER_XZ, archive_read_support_filter_xz},
    {".gz", ARCHIVE_FILTER_GZIP, archive_read_support_filter_gzip},
    {".zst", ARCHIVE_FILTER_ZSTD, archive_read_support_filter_zstd},
    {".bz2", ARCHIVE_FILTER_BZIP2, archive_read_support_filter_bzip2},
};

const Format* format_for(std::string_view filename) {
  for (const Format& f : kFormats) {
    std::string_view ext(f.extension);
    if (filename.size() >= ext.size() && filename.substr(filename.size() - ext.size()) == ext)
      return &f;
  }
  return nullptr;
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<struct archive, ArchiveDeleter>;

Error failure(std::string_view filename, const std::string& what) {
  return Error(Errc::invalid, "cannot decompress " + std::string(filename) + ": " + what);
}

Error archive_failure(struct archive* a, std::string_view filename) {
  const char* msg = archive_error_string(a);
  return failure(filename, msg ? msg : "libarchive error");
}

Result<std::string> read_all(struct archive* a, std::string_view filename, uint64_t limit) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    la_ssize_t n = archive_read_data(a, buf, sizeof buf);
    if (n < 0) return archive_failure(a, filename);
    if (n == 0) return out;
    if (out.size() + static_cast<uint64_t>(n) > limit)
      return failure(filename, "output larger than " + std::to_string(limit) + " bytes");
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

Result<std::string> decompress_index(std::string_view data, std::string_view filename,
                                     uint64_t limit, uint64_t expected_size) {
  const Format* format = format_for(filename);
  if (format && format->filter_code == ARCHIVE_FILTER_GZIP && expected_size > 0 &&
      expected_size <= limit)
    if (auto fast = gunzip_exact(data, expected_size); fast.ok()) return fast;
  if (!format) {
    if (data.size() > limit)
      return failure(filename, "larger than " + std::to_string(limit) + " bytes");
    return std::string(data);
  }
  if (data.empty()) return failure(filename, "file is empty");
  ArchivePtr a(archive_read_new());
  if (!a) return failure(filename, "out of memory");
  format->enable(a.get());
  archive_read_support_format_raw(a.get());
  archive_read_support_format_empty(a.get());  // a compressed empty file (raw refuses it)
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK)
    return archive_failure(a.get(), filename);
  // Without the expected filter libarchive would hand back the bytes unchanged.
  if (archive_filter_code(a.get(), 0) != format->filter_code)
    return failure(filename, std::string("not ") + (format->extension + 1) + " data");
  struct archive_entry* entry = nullptr;
  int r = archive_read_next_header(a.get(), &entry);
  if (r == ARCHIVE_EOF) return std::string();
  if (r != ARCHIVE_OK) return archive_failure(a.get(), filename);
  return read_all(a.get(), filename, limit);
}

}  // namespace pare::deb
