// Tar writer and reader. Format: POSIX.1-2001 "pax Interchange Format" (the
// ustar header of POSIX.1-1988 plus 'x' extended headers), the format OCI
// image-spec layer.md names. The reader also accepts GNU 'L'/'K' long names
// and base-256 numbers, which layers made by other tools contain.
#include "oci/tar.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <optional>

namespace pare::oci {

namespace {

constexpr size_t kBlock = 512;

// ustar header layout: offset and width of each field.
struct Field {
  size_t offset;
  size_t size;
};
constexpr Field kName{0, 100};
constexpr Field kMode{100, 8};
constexpr Field kUid{108, 8};
constexpr Field kGid{116, 8};
constexpr Field kSize{124, 12};
constexpr Field kMtime{136, 12};
constexpr Field kChksum{148, 8};
constexpr Field kType{156, 1};
constexpr Field kLink{157, 100};
constexpr Field kMagic{257, 6};
constexpr Field kVersion{263, 2};
constexpr Field kDevMajor{329, 8};
constexpr Field kDevMinor{337, 8};
constexpr Field kPrefix{345, 155};

constexpr uint64_t kMaxOctal7 = 07777777;       // 8-byte fields: 7 digits + NUL
constexpr uint64_t kMaxOctal11 = 077777777777;  // 12-byte fields: 11 digits + NUL

uint64_t padding_for(uint64_t size) {
  return (kBlock - size % kBlock) % kBlock;
}

using Block = std::array<char, kBlock>;

// Zero-padded octal, width-1 digits, then NUL (GNU tar's and Go's layout).
void put_octal(Block& b, Field f, uint64_t value) {
  size_t digits = f.size - 1;
  for (size_t i = digits; i-- > 0;) {
    b[f.offset + i] = static_cast<char>('0' + (value & 7));
    value >>= 3;
  }
  b[f.offset + digits] = '\0';
}

void put_string(Block& b, Field f, std::string_view s) {
  // An empty view may have a null data(): memcpy must not see it (UBSan).
  if (!s.empty()) std::memcpy(b.data() + f.offset, s.data(), std::min(s.size(), f.size));
}

// Sum of all header bytes with the checksum field counted as spaces.
uint64_t header_checksum(const char* h, bool as_signed) {
  uint64_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    bool in_chksum = i >= kChksum.offset && i < kChksum.offset + kChksum.size;
    char c = in_chksum ? ' ' : h[i];
    sum += as_signed ? static_cast<uint64_t>(static_cast<int64_t>(static_cast<signed char>(c)))
                     : static_cast<unsigned char>(c);
  }
  return sum;
}

char type_flag(EntryType t) {
  switch (t) {
    case EntryType::file:
      return '0';
    case EntryType::hardlink:
      return '1';
    case EntryType::symlink:
      return '2';
    case EntryType::dir:
      return '5';
  }
  return '0';
}

struct HeaderFields {
  std::string_view name;
  std::string_view link;
  char type;
  uint32_t mode;
  uint64_t uid, gid, size, mtime;
};

Block make_header(const HeaderFields& f) {
  Block b{};
  put_string(b, kName, f.name);
  put_octal(b, kMode, f.mode);
  put_octal(b, kUid, f.uid);
  put_octal(b, kGid, f.gid);
  put_octal(b, kSize, f.size);
  put_octal(b, kMtime, f.mtime);
  b[kType.offset] = f.type;
  put_string(b, kLink, f.link);
  put_string(b, kMagic, std::string_view("ustar\0", 6));
  put_string(b, kVersion, "00");
  // uname/gname stay empty: ids are what a container runtime uses.
  put_octal(b, kDevMajor, 0);
  put_octal(b, kDevMinor, 0);
  uint64_t sum = header_checksum(b.data(), false);
  for (size_t i = 0; i < 6; ++i)
    b[kChksum.offset + i] = static_cast<char>('0' + ((sum >> (3 * (5 - i))) & 7));
  b[kChksum.offset + 6] = '\0';
  b[kChksum.offset + 7] = ' ';
  return b;
}

// "<length> <key>=<value>\n", where the decimal length counts itself.
std::string pax_record(std::string_view key, std::string_view value) {
  size_t body = 1 + key.size() + 1 + value.size() + 1;
  size_t len = body + 1;
  while (std::to_string(len).size() + body != len) len = std::to_string(len).size() + body;
  return std::to_string(len) + " " + std::string(key) + "=" + std::string(value) + "\n";
}

Result<void> validate(const TarHeader& h, std::string_view data) {
  auto bad = [&](const std::string& why) {
    return Error(Errc::invalid, "tar entry '" + h.path + "': " + why);
  };
  if (h.path.empty()) return Error(Errc::invalid, "tar entry with an empty path");
  if (h.path.front() == '/' || h.path.rfind("./", 0) == 0 || h.path.back() == '/')
    return bad("path must be relative, without leading './' or '/' or a trailing '/'");
  if (h.path.find('\0') != std::string::npos || h.link.find('\0') != std::string::npos)
    return bad("NUL byte in path or link");
  // A layer is applied onto a root (OCI image-spec, layer.md): a "." or ".."
  // part, or an empty one, would name a place other than the one listed.
  if (!is_plain_relative_path(h.path)) return bad("path has an empty, '.' or '..' part");
  if (h.type == EntryType::hardlink && !is_plain_relative_path(h.link))
    return bad("hardlink target has an empty, '.' or '..' part");
  if (h.mode & ~07777u) return bad("mode has bits beyond 07777");
  bool is_link = h.type == EntryType::symlink || h.type == EntryType::hardlink;
  if (is_link && h.link.empty()) return bad("link without a target");
  if (!is_link && !h.link.empty()) return bad("link target given for a non-link");
  if (h.type == EntryType::file && h.size != data.size())
    return bad("size does not match the data");
  if (h.type != EntryType::file && !data.empty()) return bad("data given for a non-file");
  return {};
}

}  // namespace

bool is_plain_relative_path(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

Result<void> TarWriter::emit(std::string_view bytes) {
  PARE_CHECK(out_->write(bytes));
  written_ += bytes.size();
  return {};
}

Result<void> TarWriter::add(const TarHeader& h, std::string_view data) {
  PARE_CHECK(validate(h, data));
  std::string name = h.type == EntryType::dir ? h.path + "/" : h.path;
  uint64_t size = h.type == EntryType::file ? h.size : 0;
  bool mtime_fits = h.mtime >= 0 && static_cast<uint64_t>(h.mtime) <= kMaxOctal11;

  // Keys in sorted order, so the extended header is a function of the entry.
  std::string pax;
  if (h.gid > kMaxOctal7) pax += pax_record("gid", std::to_string(h.gid));
  if (h.link.size() > kLink.size) pax += pax_record("linkpath", h.link);
  if (!mtime_fits) pax += pax_record("mtime", std::to_string(h.mtime));
  if (name.size() > kName.size) pax += pax_record("path", name);
  if (size > kMaxOctal11) pax += pax_record("size", std::to_string(size));
  if (h.uid > kMaxOctal7) pax += pax_record("uid", std::to_string(h.uid));

  if (!pax.empty()) {
    std::string_view base =
        std::string_view(h.path).substr(h.path.rfind('/') + 1);  // npos + 1 == 0
    std::string pax_name = "PaxHeaders/" + std::string(base);
    Block x = make_header({pax_name.substr(0, kName.size), {}, 'x', 0644, 0, 0, pax.size(), 0});
    PARE_CHECK(emit({x.data(), x.size()}));
    PARE_CHECK(emit(pax));
    PARE_CHECK(emit(std::string(padding_for(pax.size()), '\0')));
  }
  // Fields that went to the pax header get a truncated / zero ustar value.
  Block b = make_header(
      {std::string_view(name).substr(0, kName.size), std::string_view(h.link).substr(0, kLink.size),
       type_flag(h.type), h.mode, h.uid > kMaxOctal7 ? 0 : h.uid, h.gid > kMaxOctal7 ? 0 : h.gid,
       size > kMaxOctal11 ? 0 : size, mtime_fits ? static_cast<uint64_t>(h.mtime) : 0});
  PARE_CHECK(emit({b.data(), b.size()}));
  if (!data.empty()) {
    PARE_CHECK(emit(data));
    PARE_CHECK(emit(std::string(padding_for(data.size()), '\0')));
  }
  return {};
}

Result<void> TarWriter::finish() {
  return emit(std::string(2 * kBlock, '\0'));
}

// ---------------------------------------------------------------- reader

namespace {

// Values from pax 'x' or GNU 'L'/'K' headers, applied to the next entry.
struct Overrides {
  std::optional<std::string> path, linkpath;
  std::optional<uint64_t> size, uid, gid;
  std::optional<int64_t> mtime;
};

std::string_view field_view(std::string_view block, Field f) {
  return block.substr(f.offset, f.size);
}

// A NUL-terminated (or full-width) string field.
std::string_view field_string(std::string_view block, Field f) {
  std::string_view v = field_view(block, f);
  return v.substr(0, std::min(v.size(), v.find('\0')));
}

// Octal with optional leading spaces and trailing spaces/NULs, or GNU base-256
// (first byte 0x80, big-endian value in the rest).
std::optional<uint64_t> parse_numeric(std::string_view v) {
  if (!v.empty() && (static_cast<unsigned char>(v[0]) & 0x80)) {
    if (static_cast<unsigned char>(v[0]) != 0x80) return std::nullopt;  // negative or huge
    uint64_t value = 0;
    for (size_t i = 1; i < v.size(); ++i) {
      if (value >> 56) return std::nullopt;
      value = (value << 8) | static_cast<unsigned char>(v[i]);
    }
    return value;
  }
  size_t i = 0;
  while (i < v.size() && v[i] == ' ') ++i;
  uint64_t value = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '7'; ++i) {
    if (value >> 61) return std::nullopt;
    value = (value << 3) | static_cast<uint64_t>(v[i] - '0');
  }
  for (; i < v.size(); ++i)
    if (v[i] != ' ' && v[i] != '\0') return std::nullopt;
  return value;
}

std::optional<uint64_t> parse_decimal(std::string_view v) {
  if (v.empty()) return std::nullopt;
  uint64_t value = 0;
  for (char c : v) {
    if (c < '0' || c > '9') return std::nullopt;
    if (value > (std::numeric_limits<uint64_t>::max() - 9) / 10) return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

// pax mtime: optional '-', seconds, optional fraction (dropped).
std::optional<int64_t> parse_pax_time(std::string_view v) {
  bool negative = !v.empty() && v[0] == '-';
  if (negative) v.remove_prefix(1);
  v = v.substr(0, v.find('.'));
  auto n = parse_decimal(v);
  if (!n || *n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return negative ? -static_cast<int64_t>(*n) : static_cast<int64_t>(*n);
}

// Tar names: no leading "/" or "./", no trailing "/"; the root itself is ".".
std::string normalize_path(std::string_view p) {
  for (;;) {
    if (!p.empty() && p.front() == '/')
      p.remove_prefix(1);
    else if (p.substr(0, 2) == "./")
      p.remove_prefix(2);
    else
      break;
  }
  while (!p.empty() && p.back() == '/') p.remove_suffix(1);
  return p.empty() || p == "." ? std::string(".") : std::string(p);
}

class TarReader {
 public:
  using Callback = std::function<Result<void>(const TarHeader&, std::string_view)>;
  TarReader(std::string_view archive, const Callback& fn) : a_(archive), fn_(fn) {}

  Result<void> run() {
    while (pos_ < a_.size()) {
      if (a_.size() - pos_ < kBlock) return fail("truncated header");
      std::string_view block = a_.substr(pos_, kBlock);
      if (block.find_first_not_of('\0') == std::string_view::npos) return {};  // end marker
      PARE_CHECK(read_entry(block));
    }
    return {};  // archives without end-of-archive blocks are accepted
  }

 private:
  Error fail(const std::string& what) const {
    return Error(Errc::invalid, "tar: " + what + " in the entry at offset " + std::to_string(pos_));
  }

  Result<uint64_t> number(std::string_view block, Field f, const char* name) const {
    auto v = parse_numeric(field_view(block, f));
    if (!v) return fail(std::string("bad ") + name + " field");
    return *v;
  }

  Result<void> read_entry(std::string_view block) {
    PARE_TRY(uint64_t stored_sum, number(block, kChksum, "checksum"));
    if (stored_sum != header_checksum(block.data(), false) &&
        stored_sum != header_checksum(block.data(), true))
      return fail("header checksum mismatch");
    char type = block[kType.offset];
    PARE_TRY(uint64_t size, number(block, kSize, "size"));
    if (type != 'x' && type != 'g' && type != 'L' && type != 'K' && over_.size) size = *over_.size;
    uint64_t data_start = pos_ + kBlock;
    if (size > a_.size() - data_start) return fail("entry data runs past the end of the archive");
    std::string_view data = a_.substr(data_start, size);
    uint64_t next = std::min<uint64_t>(a_.size(), data_start + size + padding_for(size));

    switch (type) {
      case 'x':
        PARE_CHECK(parse_pax(data, &over_));
        break;
      case 'g': {  // global header: validated, values not applied
        Overrides ignored;
        PARE_CHECK(parse_pax(data, &ignored));
        break;
      }
      case 'L':
        over_.path = std::string(data.substr(0, std::min(data.size(), data.find('\0'))));
        break;
      case 'K':
        over_.linkpath = std::string(data.substr(0, std::min(data.size(), data.find('\0'))));
        break;
      default:
        PARE_CHECK(deliver(block, type, data));
        over_ = Overrides{};
    }
    pos_ = next;
    return {};
  }

  Result<EntryType> entry_type(char type) const {
    switch (type) {
      case '0':
      case '\0':
      case '7':  // contiguous file: an ordinary file everywhere that matters
        return EntryType::file;
      case '1':
        return EntryType::hardlink;
      case '2':
        return EntryType::symlink;
      case '5':
        return EntryType::dir;
      case '3':
      case '4':
      case '6':
        return Error(Errc::unsupported, "tar: device or FIFO entry (type '" + std::string(1, type) +
                                            "') at offset " + std::to_string(pos_));
      default:
        return fail("unknown entry type " + std::to_string(static_cast<unsigned char>(type)));
    }
  }

  Result<void> deliver(std::string_view block, char type, std::string_view data) {
    TarHeader h;
    PARE_TRY(h.type, entry_type(type));
    std::string name(field_string(block, kName));
    std::string_view magic = field_view(block, kMagic);
    std::string_view prefix = field_string(block, kPrefix);
    if (magic == std::string_view("ustar\0", 6) && !prefix.empty())
      name = std::string(prefix) + "/" + name;
    h.path = normalize_path(over_.path ? *over_.path : name);
    std::string link = over_.linkpath ? *over_.linkpath : std::string(field_string(block, kLink));
    h.link = h.type == EntryType::hardlink ? normalize_path(link) : link;
    if (h.type != EntryType::hardlink && h.type != EntryType::symlink) h.link.clear();
    PARE_TRY(uint64_t mode, number(block, kMode, "mode"));
    h.mode = static_cast<uint32_t>(mode & 07777);
    PARE_TRY(uint64_t uid, over_.uid ? Result<uint64_t>(*over_.uid) : number(block, kUid, "uid"));
    PARE_TRY(uint64_t gid, over_.gid ? Result<uint64_t>(*over_.gid) : number(block, kGid, "gid"));
    if (uid > std::numeric_limits<uint32_t>::max() || gid > std::numeric_limits<uint32_t>::max())
      return fail("uid or gid out of range");
    h.uid = static_cast<uint32_t>(uid);
    h.gid = static_cast<uint32_t>(gid);
    if (over_.mtime) {
      h.mtime = *over_.mtime;
    } else {
      PARE_TRY(uint64_t mtime, number(block, kMtime, "mtime"));
      if (mtime > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return fail("mtime out of range");
      h.mtime = static_cast<int64_t>(mtime);
    }
    bool is_file = h.type == EntryType::file;
    h.size = is_file ? data.size() : 0;
    return fn_(h, is_file ? data : std::string_view());
  }

  // pax records: "<len> <key>=<value>\n" (POSIX.1-2001, pax "Extended Header").
  Result<void> parse_pax(std::string_view rec, Overrides* o) const {
    while (!rec.empty()) {
      size_t space = rec.find(' ');
      if (space == std::string_view::npos || space == 0 || space > 20)
        return fail("bad pax record length");
      auto len = parse_decimal(rec.substr(0, space));
      if (!len || *len <= space + 2 || *len > rec.size()) return fail("bad pax record length");
      std::string_view record = rec.substr(space + 1, *len - space - 1);
      rec.remove_prefix(*len);
      if (record.back() != '\n') return fail("pax record without a newline");
      record.remove_suffix(1);
      size_t eq = record.find('=');
      if (eq == std::string_view::npos || eq == 0) return fail("pax record without a key");
      PARE_CHECK(apply_pax(record.substr(0, eq), record.substr(eq + 1), o));
    }
    return {};
  }

  Result<void> apply_pax(std::string_view key, std::string_view value, Overrides* o) const {
    auto number_or_fail = [&](std::optional<uint64_t>* slot) -> Result<void> {
      if (value.empty()) return {};  // an empty value removes the override
      auto n = parse_decimal(value);
      if (!n) return fail("bad pax " + std::string(key) + " value");
      *slot = *n;
      return {};
    };
    if (key == "path" || key == "linkpath") {
      auto& slot = key == "path" ? o->path : o->linkpath;
      if (value.empty())
        slot.reset();
      else
        slot = std::string(value);
    } else if (key == "size")
      return number_or_fail(&o->size);
    else if (key == "uid")
      return number_or_fail(&o->uid);
    else if (key == "gid")
      return number_or_fail(&o->gid);
    else if (key == "mtime" && !value.empty()) {
      auto t = parse_pax_time(value);
      if (!t) return fail("bad pax mtime value");
      o->mtime = *t;
    }
    return {};
  }

  std::string_view a_;
  const Callback& fn_;
  uint64_t pos_ = 0;
  Overrides over_;
};

}  // namespace

Result<void> read_tar(std::string_view archive,
                      const std::function<Result<void>(const TarHeader&, std::string_view)>& fn) {
  return TarReader(archive, fn).run();
}

}  // namespace pare::oci
