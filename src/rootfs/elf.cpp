#include "rootfs/elf.h"

#include <fstream>
#include <optional>

namespace pare::rootfs {

namespace {

// ELF gABI constants (elf.h).
constexpr size_t kIdentSize = 16;
constexpr uint8_t kClass32 = 1, kClass64 = 2;
constexpr uint8_t kDataLsb = 1, kDataMsb = 2;
constexpr uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3;
constexpr int64_t kDtNull = 0, kDtNeeded = 1, kDtStrtab = 5, kDtStrsz = 10, kDtSoname = 14;
constexpr int64_t kDtRpath = 15, kDtRunpath = 29;
constexpr int64_t kDtFlags1 = 0x6ffffffb;
constexpr uint64_t kDf1Pie = 0x08000000;
constexpr uint16_t kPnXnum = 0xffff;  // e_phnum overflow: the count is section 0's sh_info

Error malformed(const std::string& what) {
  return Error(Errc::invalid, "malformed ELF file: " + what);
}

// Bounds-checked, endian- and class-aware access to the file's bytes.
class Image {
 public:
  Image(std::string_view bytes, bool is64, bool big_endian)
      : bytes_(bytes), is64_(is64), big_endian_(big_endian) {}

  size_t size() const { return bytes_.size(); }
  bool is64() const { return is64_; }

  // Whether [offset, offset + length) lies inside the file (overflow-safe).
  bool contains(uint64_t offset, uint64_t length) const {
    return offset <= bytes_.size() && length <= bytes_.size() - offset;
  }

  // An unsigned integer of `width` bytes at `offset`, or nullopt when out of bounds.
  std::optional<uint64_t> uint(uint64_t offset, unsigned width) const {
    if (!contains(offset, width)) return std::nullopt;
    uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i) {
      unsigned index = big_endian_ ? i : width - 1 - i;
      v = (v << 8) | static_cast<uint8_t>(bytes_[offset + index]);
    }
    return v;
  }
  // An address/offset/Xword-sized field: 8 bytes in ELF64, 4 in ELF32.
  std::optional<uint64_t> word(uint64_t offset) const { return uint(offset, is64_ ? 8 : 4); }

  // The NUL-terminated string at `offset`, which must end before `limit`.
  std::optional<std::string> string_at(uint64_t offset, uint64_t limit) const {
    if (limit > bytes_.size()) limit = bytes_.size();
    if (offset >= limit) return std::nullopt;
    std::string_view rest = bytes_.substr(offset, limit - offset);
    size_t nul = rest.find('\0');
    if (nul == std::string_view::npos) return std::nullopt;
    return std::string(rest.substr(0, nul));
  }

 private:
  std::string_view bytes_;
  bool is64_;
  bool big_endian_;
};

struct Segment {
  uint32_t type = 0;
  uint64_t offset = 0, vaddr = 0, filesz = 0;
};

struct Header {
  uint16_t type = 0, machine = 0;
  uint32_t flags = 0;
  uint64_t phoff = 0, shoff = 0;
  uint16_t phentsize = 0, shentsize = 0;
  uint64_t phnum = 0;
};

Result<Header> read_header(const Image& img) {
  const bool b64 = img.is64();
  if (!img.contains(0, b64 ? 64 : 52)) return malformed("file ends inside the ELF header");
  Header h;
  h.type = static_cast<uint16_t>(*img.uint(16, 2));
  h.machine = static_cast<uint16_t>(*img.uint(18, 2));
  h.phoff = *img.word(b64 ? 32 : 28);
  h.shoff = *img.word(b64 ? 40 : 32);
  h.flags = static_cast<uint32_t>(*img.uint(b64 ? 48 : 36, 4));
  h.phentsize = static_cast<uint16_t>(*img.uint(b64 ? 54 : 42, 2));
  h.phnum = *img.uint(b64 ? 56 : 44, 2);
  h.shentsize = static_cast<uint16_t>(*img.uint(b64 ? 58 : 46, 2));
  if (h.phnum == kPnXnum) {
    // gABI "Extended program header numbering": sh_info of section header 0.
    if (h.shoff == 0 || h.shentsize < (b64 ? 64 : 40))
      return malformed("PN_XNUM without section header 0");
    auto real = img.uint(h.shoff + (b64 ? 44 : 28), 4);
    if (!real) return malformed("section header 0 lies outside the file");
    h.phnum = *real;
  }
  return h;
}

Result<std::vector<Segment>> read_segments(const Image& img, const Header& h) {
  std::vector<Segment> out;
  if (h.phnum == 0) return out;
  const bool b64 = img.is64();
  const unsigned min_size = b64 ? 56 : 32;
  if (h.phentsize < min_size) return malformed("program header entries are too small");
  // Each entry is at least min_size bytes, so a table inside the file cannot
  // list more entries than size()/min_size: the multiplication cannot overflow.
  if (h.phnum > img.size() / min_size || !img.contains(h.phoff, h.phnum * h.phentsize))
    return malformed("program header table lies outside the file");
  out.reserve(h.phnum);
  for (uint64_t i = 0; i < h.phnum; ++i) {
    uint64_t at = h.phoff + i * h.phentsize;
    Segment s;
    s.type = static_cast<uint32_t>(*img.uint(at, 4));
    s.offset = *img.word(at + (b64 ? 8 : 4));
    s.vaddr = *img.word(at + (b64 ? 16 : 8));
    s.filesz = *img.word(at + (b64 ? 32 : 16));
    out.push_back(s);
  }
  return out;
}

// The file offset of virtual address `addr`, through the PT_LOAD segment that
// maps it. Like ldconfig, an address no segment maps is taken as an offset.
uint64_t file_offset_of(const std::vector<Segment>& segments, uint64_t addr) {
  for (const auto& s : segments)
    if (s.type == kPtLoad && addr >= s.vaddr && addr - s.vaddr < s.filesz)
      return addr - s.vaddr + s.offset;
  return addr;
}

struct DynamicEntries {
  std::optional<uint64_t> strtab, strsz, soname, rpath, runpath;
  std::vector<uint64_t> needed;
  uint64_t flags_1 = 0;
};

Result<DynamicEntries> read_dynamic(const Image& img, const Segment& dyn) {
  if (!img.contains(dyn.offset, dyn.filesz)) return malformed("PT_DYNAMIC lies outside the file");
  const unsigned entry_size = img.is64() ? 16 : 8;
  DynamicEntries d;
  for (uint64_t at = dyn.offset; dyn.filesz - (at - dyn.offset) >= entry_size; at += entry_size) {
    uint64_t raw_tag = *img.word(at);
    // d_tag is signed (Elf32_Sword/Elf64_Sxword); sign-extend ELF32 tags.
    int64_t tag = img.is64()
                      ? static_cast<int64_t>(raw_tag)
                      : static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(raw_tag)));
    uint64_t val = *img.word(at + entry_size / 2);
    if (tag == kDtNull) break;
    if (tag == kDtNeeded)
      d.needed.push_back(val);
    else if (tag == kDtSoname)
      d.soname = val;
    else if (tag == kDtRpath)
      d.rpath = val;
    else if (tag == kDtRunpath)
      d.runpath = val;
    else if (tag == kDtStrtab && !d.strtab)
      d.strtab = val;
    else if (tag == kDtStrsz)
      d.strsz = val;
    else if (tag == kDtFlags1)
      d.flags_1 = val;
  }
  return d;
}

// A DT_SONAME/DT_NEEDED string: offset `name` into the dynamic string table.
Result<std::string> dynamic_string(const Image& img, uint64_t strtab_offset,
                                   const DynamicEntries& d, uint64_t name, const char* what) {
  uint64_t limit = img.size();
  if (d.strsz && strtab_offset <= limit && *d.strsz < limit - strtab_offset)
    limit = strtab_offset + *d.strsz;
  if (strtab_offset > limit || name >= limit - strtab_offset)
    return malformed(std::string(what) + " lies outside the dynamic string table");
  auto s = img.string_at(strtab_offset + name, limit);
  if (!s) return malformed(std::string(what) + " is not NUL-terminated");
  return *s;
}

Result<void> read_dynamic_strings(const Image& img, const std::vector<Segment>& segments,
                                  const Segment& dyn, ElfInfo& info) {
  PARE_TRY(DynamicEntries d, read_dynamic(img, dyn));
  if (d.flags_1 & kDf1Pie) info.is_shared_object = false;
  if (!d.strtab) {
    if (d.soname || !d.needed.empty() || d.rpath || d.runpath)
      return malformed("DT_SONAME, DT_NEEDED or a search path without DT_STRTAB");
    return {};
  }
  info.has_dynamic = true;
  uint64_t strtab = file_offset_of(segments, *d.strtab);
  if (d.soname) {
    PARE_TRY(info.soname, dynamic_string(img, strtab, d, *d.soname, "DT_SONAME"));
  }
  for (uint64_t n : d.needed) {
    PARE_TRY(std::string name, dynamic_string(img, strtab, d, n, "DT_NEEDED"));
    info.needed.push_back(std::move(name));
  }
  if (d.rpath) {
    PARE_TRY(info.rpath, dynamic_string(img, strtab, d, *d.rpath, "DT_RPATH"));
  }
  if (d.runpath) {
    PARE_TRY(info.runpath, dynamic_string(img, strtab, d, *d.runpath, "DT_RUNPATH"));
  }
  return {};
}

}  // namespace

bool has_elf_magic(std::string_view bytes) {
  return bytes.substr(0, 4) == std::string_view(
                                   "\x7f"
                                   "ELF",
                                   4);
}

bool file_has_elf_magic(const std::filesystem::path& path) {
  char magic[4] = {};
  std::ifstream in(path, std::ios::binary);
  return in.read(magic, 4) && has_elf_magic(std::string_view(magic, 4));
}

Result<ElfInfo> read_elf(std::string_view bytes) {
  if (!has_elf_magic(bytes)) return Error(Errc::invalid, "not an ELF file (no \\x7fELF magic)");
  if (bytes.size() < kIdentSize) return malformed("file ends inside e_ident");
  uint8_t cls = static_cast<uint8_t>(bytes[4]), data = static_cast<uint8_t>(bytes[5]);
  if (cls != kClass32 && cls != kClass64)
    return malformed("unknown ELF class " + std::to_string(cls));
  if (data != kDataLsb && data != kDataMsb)
    return malformed("unknown data encoding " + std::to_string(data));
  Image img(bytes, cls == kClass64, data == kDataMsb);

  PARE_TRY(Header h, read_header(img));
  PARE_TRY(auto segments, read_segments(img, h));
  ElfInfo info;
  info.type = h.type;
  info.machine = h.machine;
  info.flags = h.flags;
  info.is64 = img.is64();
  info.big_endian = data == kDataMsb;
  info.is_shared_object = h.type == kElfTypeDyn;

  // As ldconfig does, the last PT_DYNAMIC / PT_INTERP wins (files have one).
  const Segment* dyn = nullptr;
  for (const auto& s : segments) {
    if (s.type == kPtDynamic) dyn = &s;
    if (s.type != kPtInterp) continue;
    if (!img.contains(s.offset, s.filesz)) return malformed("PT_INTERP lies outside the file");
    std::string_view interp = bytes.substr(s.offset, s.filesz);
    info.interpreter = std::string(interp.substr(0, interp.find('\0')));
  }
  if (dyn) PARE_CHECK(read_dynamic_strings(img, segments, *dyn, info));
  if (!info.interpreter.empty() && info.soname.empty()) info.is_shared_object = false;
  return info;
}

}  // namespace pare::rootfs
