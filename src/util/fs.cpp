#include "util/fs.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <functional>
#include <random>

namespace pare::fs {

Error errno_error(std::string_view what, const stdfs::path& path) {
  return Error(Errc::io, std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

namespace {
std::string unique_suffix() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(rng() % 1000000);
}
}  // namespace

std::string file_kind(unsigned st_mode) {
  switch (st_mode & S_IFMT) {
    case S_IFREG:
      return "a regular file";
    case S_IFDIR:
      return "a directory";
    case S_IFIFO:
      return "a FIFO";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFSOCK:
      return "a socket";
    case S_IFLNK:
      return "a symbolic link";
    default:
      return "of an unknown kind";
  }
}

namespace {

// A regular file opened for reading, with its stat; anything else (a directory, a FIFO, a
// device) refused by name before a byte is read. The descriptor is blocking once checked.
struct OpenedFile {
  int fd = -1;
  struct stat st {};
};

Result<OpenedFile> open_regular(const stdfs::path& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    if (errno == ENOENT) return Error(Errc::not_found, "no such file: " + path.string());
    if (errno == ELOOP) return Error(Errc::invalid, path.string() + ": too many symbolic links");
    if (errno == EISDIR) return Error(Errc::invalid, path.string() + " is a directory, not a file");
    return errno_error("cannot open", path);
  }
  OpenedFile f{fd, {}};
  if (::fstat(fd, &f.st) != 0) {
    ::close(fd);
    return errno_error("cannot stat", path);
  }
  if (!S_ISREG(f.st.st_mode)) {
    ::close(fd);
    if (S_ISDIR(f.st.st_mode))
      return Error(Errc::invalid, path.string() + " is a directory, not a file");
    return Error(Errc::invalid, path.string() + " is " + file_kind(f.st.st_mode) +
                                    ", not a regular file: refused");
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return f;
}

}  // namespace

Result<void> read_chunks(const stdfs::path& path, uint64_t limit,
                         const std::function<void(std::string_view, uint64_t)>& each) {
  PARE_TRY(OpenedFile f, open_regular(path));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{f.fd};  // on every return, and when `each` throws
  auto refuse = [&](std::string why) { return Error(Errc::invalid, path.string() + " " + why); };
  if (static_cast<uint64_t>(f.st.st_size) > limit)
    return refuse("is " + std::to_string(f.st.st_size) + " bytes, more than the " +
                  std::to_string(limit) + " it may be");
  char buf[65536];
  uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot read", path);
    }
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (total > limit)
      return refuse("grew past the " + std::to_string(limit) + " bytes it may be while read");
    each(std::string_view(buf, static_cast<size_t>(n)), static_cast<uint64_t>(f.st.st_size));
  }
  return {};
}

Result<std::string> read_file(const stdfs::path& path, uint64_t limit) {
  std::string out;
  PARE_CHECK(read_chunks(path, limit, [&](std::string_view chunk, uint64_t size) {
    if (out.empty()) out.reserve(static_cast<size_t>(size));
    out.append(chunk);
  }));
  return out;
}

Result<void> ensure_dir(const stdfs::path& path) {
  std::error_code ec;
  stdfs::create_directories(path, ec);
  if (ec) return Error(Errc::io, "cannot create directory " + path.string() + ": " + ec.message());
  return {};
}

bool exists(const stdfs::path& path) {
  std::error_code ec;
  return stdfs::exists(path, ec);
}

Result<void> write_file_atomic(const stdfs::path& path, std::string_view data, unsigned mode) {
  PARE_TRY(auto file, AtomicFile::create(path, mode));
  PARE_CHECK(file.write(data));
  return file.commit();
}

// ---- AtomicFile

AtomicFile::AtomicFile(int fd, stdfs::path temp, stdfs::path final_path)
    : fd_(fd), temp_(std::move(temp)), final_(std::move(final_path)) {}

AtomicFile::AtomicFile(AtomicFile&& o) noexcept
    : fd_(o.fd_),
      temp_(std::move(o.temp_)),
      final_(std::move(o.final_)),
      written_(o.written_),
      committed_(o.committed_) {
  o.fd_ = -1;
  o.committed_ = true;
}

bool is_stream(const stdfs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  return S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

Result<void> write_output_file(const stdfs::path& path, std::string_view data) {
  if (!is_stream(path)) return write_file_atomic(path, data);
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno_error("cannot open", path);
  for (std::string_view left = data; !left.empty();) {
    ssize_t n = ::write(fd, left.data(), left.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      auto err = errno_error("cannot write", path);
      ::close(fd);
      return err;
    }
    left.remove_prefix(static_cast<size_t>(n));
  }
  ::close(fd);
  return {};
}

Result<AtomicFile> AtomicFile::create(const stdfs::path& final_path, unsigned mode) {
  // A rename would put a file where a device, FIFO or socket was (-o /dev/null once replaced
  // the machine's /dev/null): never.
  struct stat st {};
  if (::lstat(final_path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
    return Error(Errc::invalid,
                 final_path.string() + " exists and is not a regular file: not replaced");
  stdfs::path dir = final_path.parent_path();
  if (dir.empty()) dir = ".";
  PARE_CHECK(ensure_dir(dir));
  stdfs::path temp = dir / ("." + final_path.filename().string() + ".tmp-" + unique_suffix());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return errno_error("cannot create", temp);
  ::fchmod(fd, mode);  // not subject to umask: outputs are reproducible
  return AtomicFile(fd, std::move(temp), final_path);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

Result<void> AtomicFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error("cannot write", temp_);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
    written_ += static_cast<uint64_t>(n);
  }
  return {};
}

Result<void> AtomicFile::commit(bool durable) {
  if (durable && ::fsync(fd_) != 0) return errno_error("cannot fsync", temp_);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return errno_error("cannot close", temp_);
  }
  fd_ = -1;
  if (::rename(temp_.c_str(), final_.c_str()) != 0)
    return errno_error("cannot rename into", final_);
  committed_ = true;
  return {};
}

// ---- TempDir

Result<TempDir> TempDir::create(const stdfs::path& parent, std::string_view prefix) {
  PARE_CHECK(ensure_dir(parent));
  for (int attempt = 0; attempt < 100; ++attempt) {
    stdfs::path p = parent / (std::string(prefix) + "-" + unique_suffix());
    if (::mkdir(p.c_str(), 0755) == 0) return TempDir(p);
    if (errno != EEXIST) return errno_error("cannot create directory", p);
  }
  return Error(Errc::io, "cannot create a temporary directory in " + parent.string());
}

TempDir::TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) {
  o.path_.clear();
}

TempDir::~TempDir() {
  if (!path_.empty()) {
    std::error_code ec;
    stdfs::remove_all(path_, ec);
  }
}

stdfs::path TempDir::release() {
  stdfs::path p = std::move(path_);
  path_.clear();
  return p;
}

Result<void> publish(const stdfs::path& staged, const stdfs::path& final_path) {
  std::error_code ec;
  if (!final_path.parent_path().empty()) PARE_CHECK(ensure_dir(final_path.parent_path()));
  if (::rename(staged.c_str(), final_path.c_str()) == 0) return {};
  if (errno != EEXIST && errno != ENOTEMPTY && errno != EISDIR && errno != ENOTDIR)
    return errno_error("cannot move output into", final_path);
  // Something is there: move it aside, put ours in place, then remove the old one.
  stdfs::path aside =
      final_path.parent_path() / ("." + final_path.filename().string() + ".old-" + unique_suffix());
  if (::rename(final_path.c_str(), aside.c_str()) != 0)
    return errno_error("cannot replace", final_path);
  if (::rename(staged.c_str(), final_path.c_str()) != 0) {
    auto err = errno_error("cannot move output into", final_path);
    ::rename(aside.c_str(), final_path.c_str());
    return err;
  }
  stdfs::remove_all(aside, ec);
  return {};
}

void touch(const stdfs::path& path) {
  ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
}

// ---- FileLock

Result<FileLock> FileLock::acquire(const stdfs::path& lock_path) {
  if (!lock_path.parent_path().empty()) PARE_CHECK(ensure_dir(lock_path.parent_path()));
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errno_error("cannot open lock", lock_path);
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    ::close(fd);
    return errno_error("cannot lock", lock_path);
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& o) noexcept : fd_(o.fd_) {
  o.fd_ = -1;
}
FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

// ---- MappedFile

Result<MappedFile> MappedFile::open(const stdfs::path& path) {
  PARE_TRY(OpenedFile f, open_regular(path));
  size_t size = static_cast<size_t>(f.st.st_size);
  if (size == 0) {
    ::close(f.fd);
    return MappedFile(nullptr, 0);
  }
  void* p = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, f.fd, 0);
  ::close(f.fd);
  if (p == MAP_FAILED) return errno_error("cannot map", path);
  return MappedFile(p, size);
}

MappedFile::MappedFile(MappedFile&& o) noexcept : data_(o.data_), size_(o.size_) {
  o.data_ = nullptr;
  o.size_ = 0;
}

void MappedFile::release(std::string_view part) const {
  auto* base = static_cast<const char*>(data_);
  if (!data_ || part.data() < base || part.data() + part.size() > base + size_) return;
  const uintptr_t page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  uintptr_t begin = (reinterpret_cast<uintptr_t>(part.data()) + page - 1) & ~(page - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(part.data()) + part.size()) & ~(page - 1);
  // A read-only private mapping never holds anything but the file's bytes,
  // so dropping its pages loses nothing.
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(data_, size_);
}

}  // namespace pare::fs
