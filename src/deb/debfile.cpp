#include "deb/debfile.h"

#include <archive.h>
#include <archive_entry.h>

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

class ArchiveEntryReader : public EntryReader {
 public:
  ArchiveEntryReader(archive* a, std::string_view name) : a_(a), name_(name) {}
  Result<std::string_view> next() override {
    la_ssize_t n = archive_read_data(a_, buf_, sizeof buf_);
    if (n < 0) return archive_error(a_, name_);
    return std::string_view(buf_, static_cast<size_t>(n));
  }

 private:
  archive* a_;
  std::string_view name_;
  char buf_[128 * 1024];
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

// Iterate the entries of a tar nested in the current ar member.
Result<void> read_nested_tar(archive* outer, std::string_view where,
                             const std::function<Result<void>(archive*, archive_entry*)>& fn) {
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
  if (archive_read_open(inner.get(), src.get(), nullptr, nested_read, nullptr) != ARCHIVE_OK)
    return archive_error(inner.get(), where);
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
      PARE_CHECK(
          read_nested_tar(outer, where, [&](archive* a, archive_entry* entry) -> Result<void> {
            PARE_TRY(oci::TarHeader h, header_of(entry, where));
            if (h.path.empty()) return {};  // the root directory "./"
            ArchiveEntryReader reader(a, where);
            return on_entry(h, reader);
          }));
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
