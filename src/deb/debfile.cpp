#include "deb/debfile.h"

#include <archive.h>
#include <archive_entry.h>
#include <lzma.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include <memory>
#include <optional>
#include <vector>

namespace pare::deb {

namespace {

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

Error archive_error(archive* a, std::string_view where) {
  const char* msg = archive_error_string(a);
  return Error(Errc::invalid, std::string(where) + ": " + (msg ? msg : "malformed archive"));
}

// The inner tar is read straight out of the outer ar member: libarchive
// calls this to get the next block of compressed bytes.
struct NestedSource {
  archive* outer;
  char buffer[64 * 1024];
};

la_ssize_t nested_read(archive*, void* client, const void** buf) {
  auto* src = static_cast<NestedSource*>(client);
  *buf = src->buffer;
  return archive_read_data(src->outer, src->buffer, sizeof src->buffer);
}

// data.tar.xz is decoded by liblzma's multi-threaded decoder rather than by
// libarchive's single-threaded one: dpkg-deb compresses large packages in
// several xz blocks (openjdk's data.tar.xz has 8), which then decode on all
// cores (1.8 s instead of 2.8 s for openjdk-17 on 2 cores).
struct XzSource {
  archive* outer = nullptr;
  lzma_stream strm = LZMA_STREAM_INIT;
  bool in_eof = false;
  char in[64 * 1024];
  char out[256 * 1024];
  ~XzSource() { lzma_end(&strm); }
};

la_ssize_t xz_read(archive* self, void* client, const void** buf) {
  auto* src = static_cast<XzSource*>(client);
  for (;;) {
    if (src->strm.avail_in == 0 && !src->in_eof) {
      la_ssize_t n = archive_read_data(src->outer, src->in, sizeof src->in);
      if (n < 0) {
        archive_set_error(self, EIO, "%s", archive_error_string(src->outer));
        return -1;
      }
      src->in_eof = n == 0;
      src->strm.next_in = reinterpret_cast<const uint8_t*>(src->in);
      src->strm.avail_in = static_cast<size_t>(n);
    }
    src->strm.next_out = reinterpret_cast<uint8_t*>(src->out);
    src->strm.avail_out = sizeof src->out;
    lzma_ret rc = lzma_code(&src->strm, src->in_eof ? LZMA_FINISH : LZMA_RUN);
    size_t produced = sizeof src->out - src->strm.avail_out;
    if (produced > 0) {
      *buf = src->out;
      return static_cast<la_ssize_t>(produced);
    }
    if (rc == LZMA_STREAM_END) return 0;
    if (rc != LZMA_OK || (src->in_eof && src->strm.avail_in == 0)) {
      archive_set_error(self, EINVAL, "xz: corrupt or truncated data (liblzma error %d)",
                        static_cast<int>(rc));
      return -1;
    }
  }
}

Result<std::unique_ptr<XzSource>> open_xz(archive* outer, std::string_view where) {
  auto src = std::make_unique<XzSource>();
  src->outer = outer;
  lzma_mt mt{};
  mt.threads = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
  mt.flags = LZMA_CONCATENATED;
  mt.memlimit_threading = 512ull << 20;  // above it, liblzma falls back to one thread
  mt.memlimit_stop = 2ull << 30;         // refuse absurd streams
  if (lzma_stream_decoder_mt(&src->strm, &mt) != LZMA_OK)
    return Error(Errc::internal, std::string(where) + ": cannot start the xz decoder");
  return src;
}

// Hands out libarchive's own buffers (archive_read_data_block: no copy);
// holes of a sparse entry come back as zeros.
class ArchiveEntryReader : public EntryReader {
 public:
  ArchiveEntryReader(archive* a, std::string_view name) : a_(a), name_(name) {}
  Result<std::string_view> next() override {
    if (pending_.empty()) {
      const void* block = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      int rc = archive_read_data_block(a_, &block, &size, &offset);
      if (rc == ARCHIVE_EOF) return std::string_view();
      if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return archive_error(a_, name_);
      if (offset < 0 || static_cast<uint64_t>(offset) < pos_)
        return Error(Errc::invalid, std::string(name_) + ": entry data out of order");
      pending_ = std::string_view(static_cast<const char*>(block), size);
      hole_ = static_cast<uint64_t>(offset) - pos_;
    }
    if (hole_ > 0) {
      static const char zeros[64 * 1024] = {};
      size_t n = static_cast<size_t>(std::min<uint64_t>(hole_, sizeof zeros));
      hole_ -= n;
      pos_ += n;
      return std::string_view(zeros, n);
    }
    std::string_view out = pending_;
    pending_ = {};
    pos_ += out.size();
    return out;
  }

 private:
  archive* a_;
  std::string_view name_;
  std::string_view pending_;
  uint64_t hole_ = 0;
  uint64_t pos_ = 0;
};

Result<oci::EntryType> entry_type(archive_entry* e, std::string_view where) {
  if (archive_entry_hardlink(e)) return oci::EntryType::hardlink;
  switch (archive_entry_filetype(e)) {
    case AE_IFREG:
      return oci::EntryType::file;
    case AE_IFDIR:
      return oci::EntryType::dir;
    case AE_IFLNK:
      return oci::EntryType::symlink;
    default:
      return Error(Errc::unsupported,
                   std::string(where) + ": device, fifo or socket entries are not supported");
  }
}

Result<oci::TarHeader> header_of(archive_entry* e, std::string_view where) {
  oci::TarHeader h;
  const char* raw = archive_entry_pathname(e);
  if (!raw) return Error(Errc::invalid, std::string(where) + ": an entry has no name");
  PARE_TRY(h.path, normalize_member_path(raw));
  PARE_TRY(h.type, entry_type(e, std::string(where) + ": " + raw));
  h.mode = static_cast<uint32_t>(archive_entry_perm(e)) & 07777;
  h.uid = static_cast<uint32_t>(archive_entry_uid(e));
  h.gid = static_cast<uint32_t>(archive_entry_gid(e));
  if (h.type == oci::EntryType::file) {
    la_int64_t size = archive_entry_size(e);
    if (size < 0) return Error(Errc::invalid, std::string(where) + ": negative size for " + raw);
    h.size = static_cast<uint64_t>(size);
  } else if (h.type == oci::EntryType::symlink) {
    const char* t = archive_entry_symlink(e);
    h.link = t ? t : "";
  } else if (h.type == oci::EntryType::hardlink) {
    PARE_TRY(h.link, normalize_member_path(archive_entry_hardlink(e)));
  }
  return h;
}

// Iterate the entries of a tar nested in the current ar member (`xz`: the
// member is xz-compressed and decoded by XzSource).
Result<void> read_nested_tar(archive* outer, std::string_view where,
                             const std::function<Result<void>(archive*, archive_entry*)>& fn,
                             bool xz = false) {
  ArchivePtr inner(archive_read_new(), archive_read_free);
  // Only the compressors deb(5) allows, all in-process: filter_all would also
  // hand untrusted bytes to external programs (lrzip, lzop, grzip).
  archive_read_support_filter_gzip(inner.get());
  archive_read_support_filter_xz(inner.get());
  archive_read_support_filter_zstd(inner.get());
  archive_read_support_filter_bzip2(inner.get());
  archive_read_support_filter_lzma(inner.get());
  archive_read_support_format_tar(inner.get());
  auto src = std::make_unique<NestedSource>();
  src->outer = outer;
  std::unique_ptr<XzSource> xz_src;
  int opened;
  if (xz) {
    PARE_TRY(xz_src, open_xz(outer, where));
    opened = archive_read_open(inner.get(), xz_src.get(), nullptr, xz_read, nullptr);
  } else {
    opened = archive_read_open(inner.get(), src.get(), nullptr, nested_read, nullptr);
  }
  if (opened != ARCHIVE_OK) return archive_error(inner.get(), where);
  archive_entry* e = nullptr;
  for (;;) {
    int rc = archive_read_next_header(inner.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return archive_error(inner.get(), where);
    PARE_CHECK(fn(inner.get(), e));
  }
  return {};
}

Result<std::string> read_small(archive* a, std::string_view where, la_int64_t size) {
  constexpr la_int64_t kMax = 64 << 20;  // control files are small; refuse absurd ones
  if (size < 0 || size > kMax)
    return Error(Errc::invalid, std::string(where) + ": control member too large");
  std::string out(static_cast<size_t>(size), '\0');
  la_ssize_t n = archive_read_data(a, out.data(), out.size());
  if (n < 0 || n != size) return archive_error(a, where);
  return out;
}

Result<DebControl> read_control_tar(archive* outer, std::string_view where) {
  DebControl ctl;
  PARE_CHECK(read_nested_tar(outer, where, [&](archive* a, archive_entry* e) -> Result<void> {
    const char* raw = archive_entry_pathname(e);  // null for a nameless (corrupt) header
    if (!raw) return Error(Errc::invalid, std::string(where) + ": an entry has no name");
    PARE_TRY(std::string path, normalize_member_path(raw));
    std::string* dest = path == "control"     ? &ctl.control
                        : path == "md5sums"   ? &ctl.md5sums
                        : path == "conffiles" ? &ctl.conffiles
                                              : nullptr;
    if (dest) {
      PARE_TRY(*dest, read_small(a, std::string(where) + "/" + path, archive_entry_size(e)));
    }
    return {};
  }));
  if (ctl.control.empty())
    return Error(Errc::invalid, std::string(where) + ": control.tar has no control file");
  return ctl;
}

Result<DebControl> read_deb_archive(archive* outer, std::string_view name,
                                    const DataEntryFn& on_entry) {
  archive_entry* e = nullptr;
  bool saw_binary = false, saw_data = false;
  std::optional<DebControl> control;
  for (;;) {
    int rc = archive_read_next_header(outer, &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK) return archive_error(outer, name);
    std::string member = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    std::string where = std::string(name) + "(" + member + ")";
    if (member == "debian-binary") {
      PARE_TRY(std::string v, read_small(outer, where, archive_entry_size(e)));
      if (v.rfind("2.", 0) != 0)
        return Error(Errc::unsupported, where + ": unsupported format " + v);
      saw_binary = true;
    } else if (member.rfind("control.tar", 0) == 0) {
      PARE_TRY(control, read_control_tar(outer, where));
    } else if (member.rfind("data.tar", 0) == 0) {
      saw_data = true;
      PARE_CHECK(read_nested_tar(
          outer, where,
          [&](archive* a, archive_entry* entry) -> Result<void> {
            PARE_TRY(oci::TarHeader h, header_of(entry, where));
            if (h.path.empty()) return {};  // the root directory "./"
            ArchiveEntryReader reader(a, where);
            return on_entry(h, reader);
          },
          member == "data.tar.xz"));
    }
  }
  if (!saw_binary || !control || !saw_data)
    return Error(Errc::invalid,
                 std::string(name) +
                     ": not a Debian package (missing debian-binary, control or data member)");
  return *control;
}

ArchivePtr new_ar_reader() {
  ArchivePtr a(archive_read_new(), archive_read_free);
  archive_read_support_format_ar(a.get());
  return a;
}

}  // namespace

Result<std::string> normalize_member_path(std::string_view raw) {
  std::string out;
  size_t i = 0;
  while (i <= raw.size()) {
    size_t slash = raw.find('/', i);
    if (slash == std::string_view::npos) slash = raw.size();
    std::string_view seg = raw.substr(i, slash - i);
    if (seg == "..") return Error(Errc::invalid, "unsafe path in package: " + std::string(raw));
    if (seg.find('\0') != std::string_view::npos)
      return Error(Errc::invalid, "NUL in a path in package");
    if (!seg.empty() && seg != ".") {
      if (!out.empty()) out += '/';
      out += seg;
    }
    i = slash + 1;
  }
  return out;
}

Result<DebControl> read_deb(const std::filesystem::path& deb, const DataEntryFn& on_entry) {
  ArchivePtr a = new_ar_reader();
  if (archive_read_open_filename(a.get(), deb.c_str(), 1 << 16) != ARCHIVE_OK)
    return archive_error(a.get(), deb.string());
  return read_deb_archive(a.get(), deb.string(), on_entry);
}

Result<DebControl> read_deb_memory(std::string_view bytes, std::string_view name,
                                   const DataEntryFn& on_entry) {
  ArchivePtr a = new_ar_reader();
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
    return archive_error(a.get(), name);
  return read_deb_archive(a.get(), name, on_entry);
}

}  // namespace pare::deb
