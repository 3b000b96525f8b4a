// Filesystem helpers. Every write that produces a user-visible or cached file
// goes through AtomicFile or publish_dir: write to a temporary name in the same
// directory, then rename(2), so readers (and concurrent builds sharing a cache)
// never see a half-written file, and a failed build leaves nothing behind.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pare::fs {

namespace stdfs = std::filesystem;

// The most read_file() reads unless told otherwise: every caller that reads
// outside input names its own, smaller limit.
inline constexpr uint64_t kDefaultReadLimit = uint64_t{256} << 20;

// Reads a whole regular file of at most `limit` bytes. Anything else is
// refused before a byte is read: a FIFO, device or socket (Errc::invalid,
// naming what it is: opening never blocks, so a FIFO cannot hang pare), or a
// larger file (Errc::invalid, naming the limit); the limit also holds for a
// file that grows while it is read.
Result<std::string> read_file(const stdfs::path& path, uint64_t limit = kDefaultReadLimit);
// The same file, refused the same way, handed to `each` in chunks of up to 64 KiB with the
// size it had when opened (a hint: the limit is what holds). For hashing many small files
// this is twice as fast as a mapping, whose setup and teardown cost more than the bytes.
Result<void> read_chunks(const stdfs::path& path, uint64_t limit,
                         const std::function<void(std::string_view chunk, uint64_t size)>& each);
// What kind of file a stat mode describes, in words for messages: "a regular
// file", "a directory", "a FIFO", "a character device", "a socket", ...
std::string file_kind(unsigned st_mode);
Result<void> write_file_atomic(const stdfs::path& path, std::string_view data,
                               unsigned mode = 0644);
Result<void> ensure_dir(const stdfs::path& path);
bool exists(const stdfs::path& path);

// Sink for streamed bytes (layers, downloads, archives).
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Result<void> write(std::string_view bytes) = 0;
};

// Collects what is written into `out`, refusing more than `limit` bytes in all (a blob read
// whole: a config, a cache record).
class StringSink : public ByteSink {
 public:
  StringSink(std::string& out, uint64_t limit) : out_(out), limit_(limit) {}
  Result<void> write(std::string_view bytes) override {
    if (out_.size() + bytes.size() > limit_)
      return Error(Errc::invalid, "larger than " + std::to_string(limit_) + " bytes");
    out_.append(bytes);
    return {};
  }

 private:
  std::string& out_;
  uint64_t limit_;
};

// A file written under a temporary name and renamed into place by commit().
// A character device, FIFO or socket (after symlinks): written into, never replaced.
bool is_stream(const stdfs::path& path);
// An output file a user named (-o): written straight into a stream (/dev/stdout, a pipe),
// atomically otherwise.
Result<void> write_output_file(const stdfs::path& path, std::string_view data);

// Destroying an uncommitted AtomicFile removes the temporary file. It refuses to replace
// anything but a regular file or a symlink.
class AtomicFile : public ByteSink {
 public:
  static Result<AtomicFile> create(const stdfs::path& final_path, unsigned mode = 0644);
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  ~AtomicFile() override;

  Result<void> write(std::string_view bytes) override;
  uint64_t bytes_written() const { return written_; }
  // fsync is skipped by default: the cache is content-addressed and verified
  // on read, and outputs are recreated on failure. Pass durable=true for locks etc.
  Result<void> commit(bool durable = false);
  const stdfs::path& temp_path() const { return temp_; }

 private:
  AtomicFile(int fd, stdfs::path temp, stdfs::path final_path);
  int fd_ = -1;
  stdfs::path temp_;
  stdfs::path final_;
  uint64_t written_ = 0;
  bool committed_ = false;
};

// A temporary directory removed (recursively) on destruction unless released.
class TempDir {
 public:
  // Created inside `parent` (so it can later be renamed next to its final place).
  static Result<TempDir> create(const stdfs::path& parent, std::string_view prefix = ".pare-tmp");
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const stdfs::path& path() const { return path_; }
  stdfs::path release();

 private:
  explicit TempDir(stdfs::path p) : path_(std::move(p)) {}
  stdfs::path path_;
};

// Move a fully written directory (or file) to `final_path`, replacing what was there.
// The replacement is a rename; the old content is moved aside first and then removed.
Result<void> publish(const stdfs::path& staged, const stdfs::path& final_path);

// An advisory exclusive lock (flock) on a lock file, held for the object's life.
class FileLock {
 public:
  static Result<FileLock> acquire(const stdfs::path& lock_path);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// A read-only memory mapping of a whole file (empty files map to an empty span).
class MappedFile {
 public:
  static Result<MappedFile> open(const stdfs::path& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  ~MappedFile();
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }
  size_t size() const { return size_; }
  // Drops the whole pages inside `part` (a view into bytes()) from the
  // process's resident set once they have been used: they stay in the page
  // cache and are read again if touched. Keeps peak RSS near one file's size
  // while a layer streams gigabytes through the mapping. Anything else: no-op.
  void release(std::string_view part) const;

 private:
  MappedFile(void* d, size_t n) : data_(d), size_(n) {}
  void* data_ = nullptr;
  size_t size_ = 0;
};

// Sets a file's or directory's mtime to now (a cache hit marks its entry as used).
void touch(const stdfs::path& path);

// Error helper: an io error naming the path and strerror(errno).
Error errno_error(std::string_view what, const stdfs::path& path);

}  // namespace pare::fs
