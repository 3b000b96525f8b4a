// Test helper: synthesises small ELF files (any class and byte order) with a
// PT_LOAD, an optional PT_INTERP and an optional PT_DYNAMIC, so tests of
// rootfs/elf.h and rootfs/ldcache.h can describe exactly the file they need
// (including ones for machines this host cannot build for). The files are
// complete enough for glibc's ldconfig to read: it only looks at the ELF
// header, the program headers and the dynamic section.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pare::rootfs::testing {

struct ElfSpec {
  bool is64 = true;
  bool big_endian = false;
  uint16_t type = 3;  // ET_DYN
  uint16_t machine = 62;
  uint32_t flags = 0;
  std::string interpreter;  // "" = no PT_INTERP
  bool dynamic = true;      // PT_DYNAMIC with DT_STRTAB/DT_STRSZ
  std::string soname;       // "" = no DT_SONAME
  std::vector<std::string> needed;
  std::string runpath, rpath;     // "" = no DT_RUNPATH / DT_RPATH
  uint64_t flags_1 = 0;           // DT_FLAGS_1 when non-zero
  bool extended_phnum = false;    // e_phnum = PN_XNUM, the count in section 0's sh_info
  uint64_t vaddr_base = 0x10000;  // PT_LOAD maps offset 0 here (DT_STRTAB is an address)
};

class ElfBuilder {
 public:
  explicit ElfBuilder(const ElfSpec& s) : s_(s) {}

  std::string build() {
    const size_t ehsize = s_.is64 ? 64 : 52, phentsize = s_.is64 ? 56 : 32,
                 shentsize = s_.is64 ? 64 : 40;
    const size_t phnum = 1 + (s_.interpreter.empty() ? 0 : 1) + (s_.dynamic ? 1 : 0);
    // Layout: header, program headers, [section header 0], interpreter, strings, dynamic.
    const size_t phoff = ehsize;
    const size_t shoff = s_.extended_phnum ? phoff + phnum * phentsize : 0;
    size_t at = phoff + phnum * phentsize + (s_.extended_phnum ? shentsize : 0);
    const size_t interp_off = at;
    at += s_.interpreter.empty() ? 0 : s_.interpreter.size() + 1;
    std::string strtab(1, '\0');
    std::vector<uint64_t> needed_at;
    for (const auto& n : s_.needed) needed_at.push_back(add_string(strtab, n));
    uint64_t soname_at = s_.soname.empty() ? 0 : add_string(strtab, s_.soname);
    uint64_t runpath_at = s_.runpath.empty() ? 0 : add_string(strtab, s_.runpath);
    uint64_t rpath_at = s_.rpath.empty() ? 0 : add_string(strtab, s_.rpath);
    const size_t strtab_off = at;
    at += strtab.size();
    at = (at + 7) / 8 * 8;
    const size_t dyn_off = at;
    std::vector<std::pair<int64_t, uint64_t>> dyn;
    for (uint64_t n : needed_at) dyn.push_back({1, n});
    if (!s_.soname.empty()) dyn.push_back({14, soname_at});
    if (!s_.runpath.empty()) dyn.push_back({29, runpath_at});
    if (!s_.rpath.empty()) dyn.push_back({15, rpath_at});
    dyn.push_back({5, s_.vaddr_base + strtab_off});
    dyn.push_back({10, strtab.size()});
    if (s_.flags_1) dyn.push_back({0x6ffffffb, s_.flags_1});
    dyn.push_back({0, 0});
    const size_t dyn_size = s_.dynamic ? dyn.size() * (s_.is64 ? 16 : 8) : 0;
    const size_t total = dyn_off + dyn_size;

    // ELF header.
    out_ = std::string(
        "\x7f"
        "ELF",
        4);
    u8(s_.is64 ? 2 : 1);
    u8(s_.big_endian ? 2 : 1);
    u8(1);
    out_.append(9, '\0');
    u16(s_.type);
    u16(s_.machine);
    u32(1);
    word(0);  // e_entry
    word(phoff);
    word(shoff);
    u32(s_.flags);
    u16(static_cast<uint16_t>(ehsize));
    u16(static_cast<uint16_t>(phentsize));
    u16(s_.extended_phnum ? 0xffff : static_cast<uint16_t>(phnum));
    u16(s_.extended_phnum ? static_cast<uint16_t>(shentsize) : 0);
    u16(s_.extended_phnum ? 1 : 0);
    u16(0);
    // Program headers.
    phdr(1, 0, total);  // PT_LOAD
    if (!s_.interpreter.empty()) phdr(3, interp_off, s_.interpreter.size() + 1);
    if (s_.dynamic) phdr(2, dyn_off, dyn_size);
    if (s_.extended_phnum) {  // section header 0: only sh_info (the real e_phnum) is set
      size_t start = out_.size();
      out_.append(shentsize, '\0');
      std::string info = encode(phnum, 4);
      out_.replace(start + (s_.is64 ? 44 : 28), 4, info);
    }
    if (!s_.interpreter.empty()) out_ += s_.interpreter + '\0';
    out_ += strtab;
    out_.resize(dyn_off, '\0');
    if (s_.dynamic)
      for (const auto& [tag, val] : dyn) {
        word(static_cast<uint64_t>(tag));
        word(val);
      }
    return out_;
  }

 private:
  static uint64_t add_string(std::string& table, const std::string& s) {
    uint64_t at = table.size();
    table += s + '\0';
    return at;
  }
  std::string encode(uint64_t v, unsigned width) const {
    std::string b;
    for (unsigned i = 0; i < width; ++i) {
      unsigned shift = 8 * (s_.big_endian ? width - 1 - i : i);
      b += static_cast<char>((v >> shift) & 0xff);
    }
    return b;
  }
  void u8(uint8_t v) { out_ += static_cast<char>(v); }
  void u16(uint16_t v) { out_ += encode(v, 2); }
  void u32(uint32_t v) { out_ += encode(v, 4); }
  void word(uint64_t v) { out_ += encode(v, s_.is64 ? 8 : 4); }
  void phdr(uint32_t type, uint64_t offset, uint64_t size) {
    uint64_t vaddr = s_.vaddr_base + offset;
    if (s_.is64) {
      u32(type);
      u32(4);  // p_flags
      word(offset);
      word(vaddr);
      word(vaddr);
      word(size);
      word(size);
      word(8);
    } else {
      u32(type);
      word(offset);
      word(vaddr);
      word(vaddr);
      word(size);
      word(size);
      u32(4);
      word(4);
    }
  }

  ElfSpec s_;
  std::string out_;
};

inline std::string make_elf(const ElfSpec& spec) {
  return ElfBuilder(spec).build();
}

}  // namespace pare::rootfs::testing
