#include "rootfs/unpack.h"

#include <charconv>
#include <cstdio>
#include <set>

#include "deb/deb822.h"
#include "deb/debfile.h"
#include "util/checked.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::rootfs {

namespace {

constexpr const char* kFormat = "pare-unpacked-3";  // 3: per-file digests, checked on use

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '\t' || c == '\n' || c == '\r') {
      static const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[(static_cast<unsigned char>(c) >> 4) & 15];
      out += hex[static_cast<unsigned char>(c) & 15];
    } else {
      out += c;
    }
  }
  return out;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

Result<std::string> unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    if (i + 2 >= s.size()) return Error(Errc::invalid, "bad escape");
    int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
    if (hi < 0 || lo < 0) return Error(Errc::invalid, "bad escape");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

char type_char(oci::EntryType t) {
  switch (t) {
    case oci::EntryType::file:
      return 'f';
    case oci::EntryType::dir:
      return 'd';
    case oci::EntryType::symlink:
      return 'l';
    case oci::EntryType::hardlink:
      return 'h';
  }
  return '?';
}

template <class T>
bool parse_num(std::string_view s, T& out, int base = 10) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool is_normal_path(const std::string& path) {
  auto normal = deb::normalize_member_path(path);
  return normal.ok() && *normal == path;
}

Result<UnpackedEntry> parse_line(std::string_view line) {
  std::vector<std::string_view> f;
  size_t pos = 0;
  for (int i = 0; i < 6; ++i) {
    size_t sp = line.find(' ', pos);
    if (sp == std::string_view::npos) return Error(Errc::invalid, "too few fields");
    f.push_back(line.substr(pos, sp - pos));
    pos = sp + 1;
  }
  std::string_view rest = line.substr(pos);
  size_t tab = rest.find('\t');
  if (tab == std::string_view::npos) return Error(Errc::invalid, "no link field");
  UnpackedEntry e;
  if (f[0].size() != 1) return Error(Errc::invalid, "bad type");
  switch (f[0][0]) {
    case 'f':
      e.header.type = oci::EntryType::file;
      break;
    case 'd':
      e.header.type = oci::EntryType::dir;
      break;
    case 'l':
      e.header.type = oci::EntryType::symlink;
      break;
    case 'h':
      e.header.type = oci::EntryType::hardlink;
      break;
    default:
      return Error(Errc::invalid, "bad type");
  }
  if (!parse_num(f[1], e.header.mode, 8) || e.header.mode > 07777 ||
      !parse_num(f[2], e.header.uid) || !parse_num(f[3], e.header.gid) ||
      !parse_num(f[4], e.header.size) || !parse_num(f[5], e.offset))
    return Error(Errc::invalid, "bad number");
  PARE_TRY(e.header.path, unescape(rest.substr(0, tab)));
  PARE_TRY(e.header.link, unescape(rest.substr(tab + 1)));
  if (e.header.path.empty()) return Error(Errc::invalid, "empty path");
  // The unpacker only writes normalised paths (deb::normalize_member_path);
  // anything else means a damaged or forged cache and must not reach a layer.
  if (!is_normal_path(e.header.path) ||
      (e.header.type == oci::EntryType::hardlink && !is_normal_path(e.header.link)))
    return Error(Errc::invalid, "unsafe path " + e.header.path);
  return e;
}

std::string cache_key(const std::string& deb_sha256, const FilterOptions& filter) {
  return deb_sha256 + "-" +
         sha256_hex(std::string(kFormat) + "\n" + filter_fingerprint(filter)).substr(0, 16);
}

bool kept(const oci::TarHeader& h, const FilterOptions& filter) {
  if (!keep_path(h.path, filter)) return false;
  return !(h.type == oci::EntryType::dir && is_filtered_dir(h.path, filter));
}

// Decompress the package once into a staging directory.
Result<void> unpack_into(const std::filesystem::path& deb, const FilterOptions& filter,
                         const std::filesystem::path& dir) {
  PARE_TRY(auto data, fs::AtomicFile::create(dir / "data"));
  std::vector<UnpackedEntry> entries;
  std::set<std::string> kept_paths;
  PARE_TRY(
      deb::DebControl control,
      deb::read_deb(deb, [&](const oci::TarHeader& h, deb::EntryReader& reader) -> Result<void> {
        if (!kept(h, filter)) return {};
        if (h.type == oci::EntryType::hardlink && !kept_paths.count(h.link)) return {};
        UnpackedEntry e{h, data.bytes_written()};
        if (h.type == oci::EntryType::file) {
          uint64_t got = 0;
          for (;;) {
            PARE_TRY(std::string_view piece, reader.next());
            if (piece.empty()) break;
            got += piece.size();
            PARE_CHECK(data.write(piece));
          }
          if (got != h.size)
            return Error(Errc::invalid, deb.string() + ": " + h.path + " is truncated");
        }
        kept_paths.insert(h.path);
        entries.push_back(std::move(e));
        return {};
      }));
  PARE_CHECK(data.commit());
  return write_unpacked_metadata(dir, entries, control.control, control.md5sums);
}

// What the digests record says: the data's size and the hash of every other file.
std::string digests_text(uint64_t data_size, const std::string& index, const std::string& control,
                         const std::string& md5sums, const std::string& sums) {
  return "data-size " + std::to_string(data_size) + "\nindex " + sha256_hex(index) + "\ncontrol " +
         sha256_hex(control) + "\nmd5sums " + sha256_hex(md5sums) + "\nsums " + sha256_hex(sums) +
         "\n";
}

// The per-file digests, one line per entry: the hex SHA-256 of a file's
// bytes, "-" for other entries.
Result<std::vector<std::string>> parse_sums(std::string_view text,
                                            const std::vector<UnpackedEntry>& entries) {
  std::vector<std::string> out;
  size_t pos = 0;
  for (const auto& e : entries) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return Error(Errc::invalid, "sums: too few lines");
    std::string_view line = text.substr(pos, nl - pos);
    bool file = e.header.type == oci::EntryType::file;
    if (file ? !is_sha256_hex(line) : line != "-")
      return Error(Errc::invalid, "sums: a bad line for " + e.header.path);
    out.emplace_back(file ? line : std::string_view());
    pos = nl + 1;
  }
  if (pos != text.size()) return Error(Errc::invalid, "sums: too many lines");
  return out;
}

// The digests record's expectations against the files' contents.
Result<void> check_digests(const std::filesystem::path& dir, uint64_t data_size,
                           const std::string& index, const std::string& control,
                           const std::string& md5sums, const std::string& sums) {
  auto record = fs::read_checked(dir / "digests", 4096);
  if (record.state != fs::CheckedState::ok)
    return Error(Errc::integrity, "no valid digests record in " + dir.string());
  if (record.payload != digests_text(data_size, index, control, md5sums, sums))
    return Error(Errc::integrity,
                 "the unpacked files in " + dir.string() + " do not match their digests");
  return {};
}

}  // namespace

Result<void> write_unpacked_metadata(const std::filesystem::path& dir,
                                     const std::vector<UnpackedEntry>& entries,
                                     const std::string& control, const std::string& md5sums) {
  PARE_TRY(auto data, fs::MappedFile::open(dir / "data"));
  std::string sums;
  for (const auto& e : entries) {
    bool file = e.header.type == oci::EntryType::file;
    if (file && (e.offset > data.size() || e.header.size > data.size() - e.offset))
      return Error(Errc::internal, "unpacked entry " + e.header.path + " lies beyond the data");
    sums += (file ? sha256_hex(data.bytes().substr(e.offset, e.header.size)) : "-") + "\n";
  }
  data.release(data.bytes());
  std::string index = std::string(kFormat) + "\n" + format_index(entries);
  PARE_CHECK(fs::write_file_atomic(dir / "control", control));
  PARE_CHECK(fs::write_file_atomic(dir / "md5sums", md5sums));
  PARE_CHECK(fs::write_file_atomic(dir / "index", index));
  PARE_CHECK(fs::write_file_atomic(dir / "sums", sums));
  // Written last: what every other file must hash to when the entry is used.
  return fs::write_checked(dir / "digests",
                           digests_text(data.size(), index, control, md5sums, sums));
}

std::string format_index(const std::vector<UnpackedEntry>& entries) {
  std::string out;
  for (const auto& e : entries) {
    char num[128];
    std::snprintf(num, sizeof num, "%c %o %u %u %llu %llu ", type_char(e.header.type),
                  e.header.mode, e.header.uid, e.header.gid,
                  static_cast<unsigned long long>(e.header.size),
                  static_cast<unsigned long long>(e.offset));
    out += num + escape(e.header.path) + "\t" + escape(e.header.link) + "\n";
  }
  return out;
}

Result<std::vector<UnpackedEntry>> parse_index(std::string_view text, uint64_t data_size) {
  std::vector<UnpackedEntry> out;
  size_t pos = 0;
  int line_no = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos)
      return Error(Errc::invalid, "unpacked index: unterminated line");
    ++line_no;
    auto e = parse_line(text.substr(pos, nl - pos));
    if (!e.ok()) return e.error().context("unpacked index line " + std::to_string(line_no));
    const auto& h = e->header;
    if (h.type == oci::EntryType::file && (e->offset > data_size || h.size > data_size - e->offset))
      return Error(Errc::invalid,
                   "unpacked index line " + std::to_string(line_no) + ": beyond the data");
    out.push_back(std::move(e.value()));
    pos = nl + 1;
  }
  return out;
}

Result<std::unique_ptr<UnpackedPackage>> UnpackedPackage::load(const std::filesystem::path& dir) {
  PARE_TRY(std::string index, fs::read_file(dir / "index"));
  std::string header = std::string(kFormat) + "\n";
  if (index.rfind(header, 0) != 0)
    return Error(Errc::invalid, "unknown unpacked-cache format in " + dir.string());
  PARE_TRY(auto data, fs::MappedFile::open(dir / "data"));
  uint64_t data_size = data.size();
  std::unique_ptr<UnpackedPackage> pkg(new UnpackedPackage(std::move(data), dir));
  PARE_TRY(pkg->entries, parse_index(std::string_view(index).substr(header.size()), data_size));
  PARE_TRY(pkg->control, fs::read_file(dir / "control"));
  PARE_TRY(pkg->md5sums, fs::read_file(dir / "md5sums"));
  PARE_TRY(std::string sums, fs::read_file(dir / "sums"));
  PARE_CHECK(check_digests(dir, data_size, index, pkg->control, pkg->md5sums, sums));
  PARE_TRY(pkg->sums_, parse_sums(sums, pkg->entries));
  PARE_TRY(auto paragraphs, deb::parse_deb822(pkg->control, (dir / "control").string()));
  if (paragraphs.empty()) return Error(Errc::invalid, "empty control file in " + dir.string());
  pkg->name = paragraphs[0].get("Package");
  return pkg;
}

Result<void> UnpackedPackage::check(const UnpackedEntry& e) const {
  size_t i = static_cast<size_t>(&e - entries.data());
  if (&e < entries.data() || i >= entries.size() || i >= sums_.size())
    return Error(Errc::internal, "an entry not of package " + name);
  if (e.header.type != oci::EntryType::file || sha256_hex(bytes(e)) == sums_[i]) return {};
  std::error_code ec;  // the mapping stays valid; the next unpack makes the entry again
  std::filesystem::remove_all(dir_, ec);
  return Error(Errc::integrity, "cache: the unpacked " + name + " (" + dir_.string() +
                                    "): " + e.header.path + " does not match its digest: removed");
}

const std::string& UnpackedPackage::digest_of(const UnpackedEntry& e) const {
  static const std::string none;
  size_t i = static_cast<size_t>(&e - entries.data());
  return &e >= entries.data() && i < sums_.size() ? sums_[i] : none;
}

Result<std::string_view> UnpackedPackage::checked_bytes(const UnpackedEntry& e) const {
  PARE_CHECK(check(e));
  return bytes(e);
}

Result<void> UnpackedPackage::check_all() const {
  for (const auto& e : entries) {
    PARE_CHECK(check(e));
    release(bytes(e));
  }
  return {};
}

Result<std::unique_ptr<UnpackedPackage>> unpack_cached(const std::filesystem::path& deb,
                                                       const std::string& deb_sha256,
                                                       const FilterOptions& filter,
                                                       const std::filesystem::path& cache_dir) {
  std::filesystem::path root = cache_dir / "unpacked";
  std::filesystem::path final_dir = root / cache_key(deb_sha256, filter);
  // Test the directory, not its index: an entry that lost its index (or any
  // other file) would otherwise block the rename below forever.
  if (fs::exists(final_dir)) {
    auto loaded = UnpackedPackage::load(final_dir);
    if (loaded.ok()) {
      fs::touch(final_dir);  // used: kept by `pare cache prune`
      return loaded;
    }
    PARE_LOG(warn) << "cache: " << loaded.error().message() << ": removed, unpacking again";
    std::error_code ec;  // a damaged entry: rebuild it
    std::filesystem::remove_all(final_dir, ec);
  }
  // The .deb was verified when it entered the cache, but disks and people
  // change files: hash it again now that it is read anyway (~20 ms per 30 MB).
  PARE_TRY(std::string actual, sha256_file_hex(deb));
  if (actual != deb_sha256) {
    std::error_code ec;
    std::filesystem::remove(deb, ec);
    return Error(Errc::integrity,
                 "the cached " + deb.string() + " has SHA-256 " + actual + ", not the " +
                     deb_sha256 + " its index lists: removed it; run again to download it anew");
  }
  PARE_TRY(fs::TempDir staging, fs::TempDir::create(root));
  auto unpacked = unpack_into(deb, filter, staging.path());
  if (!unpacked.ok()) return unpacked.error().context("unpacking " + deb.filename().string());
  // Another build may have published the same entry meanwhile: theirs is as good as ours.
  std::filesystem::path staged = staging.release();
  if (std::rename(staged.c_str(), final_dir.c_str()) != 0) {
    std::error_code ec;
    std::filesystem::remove_all(staged, ec);
  }
  return UnpackedPackage::load(final_dir);
}

}  // namespace pare::rootfs
