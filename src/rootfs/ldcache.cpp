#include "rootfs/ldcache.h"

#include <algorithm>
#include <array>
#include <limits>
#include <map>

namespace pare::rootfs {

namespace {

// sysdeps/generic/dl-cache.h
constexpr std::string_view kMagicNew = "glibc-ld.so.cache";
constexpr std::string_view kVersion = "1.1";
constexpr size_t kHeaderSize = 48;  // sizeof (struct cache_file_new)
constexpr size_t kEntrySize = 24;   // sizeof (struct file_entry_new)
constexpr uint8_t kEndianLittle = 2, kEndianBig = 3;
constexpr uint32_t kExtensionMagic = 0xeaa42174;  // (uint32_t) -358342284
constexpr uint32_t kExtensionTagGenerator = 0;

// e_flags bits (elf.h) ldconfig's readelflib.c looks at.
constexpr uint32_t kEfArmEabiMask = 0xff000000, kEfArmEabiVer5 = 0x05000000;
constexpr uint32_t kEfArmAbiFloatSoft = 0x200, kEfArmAbiFloatHard = 0x400;
constexpr uint32_t kEfMipsAbi2 = 0x20, kEfMipsNan2008 = 0x400;
constexpr uint32_t kEfRiscvRvc = 0x1, kEfRiscvFloatAbi = 0x6;
constexpr uint32_t kEfRiscvFloatAbiSoft = 0x0, kEfRiscvFloatAbiDouble = 0x4;

// Which readelflib.c the architecture's ldconfig is built with decides the
// flags (sysdeps/unix/sysv/linux/{x86,arm,powerpc,s390,mips,riscv}/readelflib.c).
enum class Family { x86, arm, powerpc, s390, mips, riscv };

struct ArchInfo {
  std::string_view arch, triplet;
  Family family;
  bool big_endian;
};

constexpr std::array<ArchInfo, 13> kArches = {{
    {"amd64", "x86_64-linux-gnu", Family::x86, false},
    {"arm64", "aarch64-linux-gnu", Family::arm, false},
    {"armhf", "arm-linux-gnueabihf", Family::arm, false},
    {"armel", "arm-linux-gnueabi", Family::arm, false},
    {"i386", "i386-linux-gnu", Family::x86, false},
    {"ppc64el", "powerpc64le-linux-gnu", Family::powerpc, false},
    {"s390x", "s390x-linux-gnu", Family::s390, true},
    {"riscv64", "riscv64-linux-gnu", Family::riscv, false},
    {"mips64el", "mips64el-linux-gnuabi64", Family::mips, false},
    {"mipsel", "mipsel-linux-gnu", Family::mips, false},
    {"ppc64", "powerpc64-linux-gnu", Family::powerpc, true},
    {"powerpc", "powerpc-linux-gnu", Family::powerpc, true},
    {"x32", "x86_64-linux-gnux32", Family::x86, false},
}};

const ArchInfo* find_arch(std::string_view arch) {
  for (const auto& a : kArches)
    if (a.arch == arch) return &a;
  return nullptr;
}

// The generic readelflib.c classification: FLAG_ELF, or FLAG_ELF_LIBC6 when
// the object needs libc/libm or names a glibc interpreter.
int32_t generic_flag(const CacheLib& lib) {
  return lib.libc6 ? kCacheFlagElfLibc6 : kCacheFlagElf;
}

Error rejected(const CacheLib& lib, const std::string& why) {
  return Error(Errc::unsupported, lib.path + ": ldconfig would not cache it: " + why);
}

// The only readelflib.c that checks the machine: x86-64, x32 and i386
// objects; anything else is "for unknown machine" and left out.
Result<int32_t> x86_flags(const CacheLib& lib) {
  if (lib.machine == kElfMachineX86_64)
    return (lib.is64 ? kCacheFlagX8664Lib64 : kCacheFlagX8664LibX32) | kCacheFlagElfLibc6;
  if (lib.machine == kElfMachine386 && !lib.is64) return generic_flag(lib);
  return rejected(lib, "machine " + std::to_string(lib.machine) + " is not x86");
}

// The others go by ELF class and e_flags only, whatever the machine.
Result<int32_t> arm_flags(const CacheLib& lib) {
  if (lib.is64) return kCacheFlagAarch64Lib64 | kCacheFlagElfLibc6;
  if ((lib.elf_flags & kEfArmEabiMask) != kEfArmEabiVer5) return generic_flag(lib);
  if (lib.elf_flags & kEfArmAbiFloatHard) return kCacheFlagArmLibHf | kCacheFlagElfLibc6;
  if (lib.elf_flags & kEfArmAbiFloatSoft) return kCacheFlagArmLibSf | kCacheFlagElfLibc6;
  return kCacheFlagElfLibc6;  // unmarked EABI5 objects suit every ABI variant
}

Result<int32_t> mips_flags(const CacheLib& lib) {
  bool nan2008 = lib.elf_flags & kEfMipsNan2008;
  if (lib.is64)
    return (nan2008 ? kCacheFlagMips64LibN64Nan2008 : kCacheFlagMips64LibN64) | kCacheFlagElfLibc6;
  if (lib.elf_flags & kEfMipsAbi2)
    return (nan2008 ? kCacheFlagMips64LibN32Nan2008 : kCacheFlagMips64LibN32) | kCacheFlagElfLibc6;
  if (nan2008) return kCacheFlagMipsLib32Nan2008 | kCacheFlagElfLibc6;
  return generic_flag(lib);
}

Result<int32_t> riscv_flags(const CacheLib& lib) {
  int32_t abi;
  switch (lib.elf_flags & kEfRiscvFloatAbi) {
    case kEfRiscvFloatAbiSoft:
      abi = kCacheFlagRiscvFloatAbiSoft;
      break;
    case kEfRiscvFloatAbiDouble:
      abi = kCacheFlagRiscvFloatAbiDouble;
      break;
    default:
      return rejected(lib, "RISC-V float ABI other than soft or double");
  }
  if (lib.elf_flags & ~(kEfRiscvFloatAbi | kEfRiscvRvc))
    return rejected(lib, "unsupported RISC-V e_flags");
  return generic_flag(lib) | abi;
}

// What ldconfig writes directly into the file: fixed-width integers in the
// target's byte order.
class Writer {
 public:
  explicit Writer(bool big_endian) : big_endian_(big_endian) {}
  void u8(uint8_t v) { out_ += static_cast<char>(v); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void bytes(std::string_view s) { out_ += s; }
  void zeros(size_t n) { out_.append(n, '\0'); }
  size_t size() const { return out_.size(); }
  std::string take() { return std::move(out_); }

 private:
  void put(uint64_t v, unsigned width) {
    for (unsigned i = 0; i < width; ++i) {
      unsigned shift = 8 * (big_endian_ ? width - 1 - i : i);
      out_ += static_cast<char>((v >> shift) & 0xff);
    }
  }
  std::string out_;
  bool big_endian_;
};

// glibc's elf/stringtable.c: each distinct string once, ordered by reversed
// string descending (longer first on a tie), a string that is a suffix of the
// one before it stored inside that one.
class StringTable {
 public:
  void add(const std::string& s) { offsets_.emplace(s, 0); }
  std::string finalize() {
    std::vector<const std::string*> order;
    for (const auto& [s, off] : offsets_) order.push_back(&s);
    std::sort(order.begin(), order.end(), [](const std::string* a, const std::string* b) {
      return std::lexicographical_compare(b->rbegin(), b->rend(), a->rbegin(), a->rend(),
                                          [](char x, char y) { return uint8_t(x) < uint8_t(y); });
    });
    std::string table;
    const std::string* prev = nullptr;
    uint64_t prev_offset = 0;
    for (const std::string* s : order) {
      uint64_t offset;
      if (prev && prev->size() >= s->size() && prev->ends_with(*s)) {
        offset = prev_offset + prev->size() - s->size();
      } else {
        offset = table.size();
        table += *s;
        table += '\0';
      }
      offsets_[*s] = offset;
      prev = s;
      prev_offset = offset;
    }
    return table;
  }
  uint64_t offset(const std::string& s) const { return offsets_.at(s); }

 private:
  std::map<std::string, uint64_t> offsets_;
};

bool valid_string(const std::string& s) {
  return !s.empty() && s.find('\0') == std::string::npos;
}

struct Entry {
  const CacheLib* lib;
  int32_t flags;
};

// The extension directory (struct cache_extension with one section, the
// generator) and, right after it, the generator string.
void write_extension(Writer& w, std::string_view generator) {
  const size_t directory_size = 8 + 16;  // magic, count; {tag, flags, offset, size}
  const uint32_t string_offset = static_cast<uint32_t>(w.size() + directory_size);
  w.u32(kExtensionMagic);
  w.u32(1);
  w.u32(kExtensionTagGenerator);
  w.u32(0);
  w.u32(string_offset);
  w.u32(static_cast<uint32_t>(generator.size()));
  w.bytes(generator);
}

}  // namespace

CacheLib cache_lib(const ElfInfo& elf, std::string soname, std::string path) {
  CacheLib lib;
  lib.soname = std::move(soname);
  lib.path = std::move(path);
  lib.machine = elf.machine;
  lib.is64 = elf.is64;
  lib.elf_flags = elf.flags;
  // readlib.c known_libs / interpreters (the glibc names of every architecture).
  static constexpr std::array<std::string_view, 2> kLibs = {"libc.so.6", "libm.so.6"};
  static constexpr std::array<std::string_view, 6> kInterpreters = {
      "/lib/ld-linux.so.2", "/lib/ld-linux.so.3", "/lib/ld-linux-armhf.so.3",
      "/lib/ld.so.1",       "/lib32/ld.so.1",     "/lib64/ld.so.1"};
  lib.libc6 =
      std::any_of(elf.needed.begin(), elf.needed.end(),
                  [](const std::string& n) {
                    return std::find(kLibs.begin(), kLibs.end(), n) != kLibs.end();
                  }) ||
      std::find(kInterpreters.begin(), kInterpreters.end(), elf.interpreter) != kInterpreters.end();
  return lib;
}

Result<int32_t> cache_flags(const CacheLib& lib, std::string_view debian_arch) {
  const ArchInfo* arch = find_arch(debian_arch);
  if (!arch)
    return Error(Errc::unsupported,
                 "no ld.so.cache flags known for architecture '" + std::string(debian_arch) + "'");
  switch (arch->family) {
    case Family::x86:
      return x86_flags(lib);
    case Family::arm:
      return arm_flags(lib);
    case Family::powerpc:
      return lib.is64 ? kCacheFlagPowerpcLib64 | kCacheFlagElfLibc6 : generic_flag(lib);
    case Family::s390:
      return lib.is64 ? kCacheFlagS390Lib64 | kCacheFlagElfLibc6 : generic_flag(lib);
    case Family::mips:
      return mips_flags(lib);
    case Family::riscv:
      return riscv_flags(lib);
  }
  return Error(Errc::internal, "unhandled architecture family");
}

int dl_cache_libcmp(std::string_view a, std::string_view b) {
  auto digit = [](std::string_view s, size_t i) {
    return i < s.size() && s[i] >= '0' && s[i] <= '9';
  };
  size_t i = 0, j = 0;
  while (i < a.size()) {
    if (digit(a, i)) {
      if (!digit(b, j)) return 1;
      // Compare the digit runs as numbers, without overflow: skip leading
      // zeros, then the longer run is larger, else the first differing digit.
      size_t ie = i, je = j;
      while (digit(a, ie)) ++ie;
      while (digit(b, je)) ++je;
      size_t is = i, js = j;
      while (is + 1 < ie && a[is] == '0') ++is;
      while (js + 1 < je && b[js] == '0') ++js;
      if (ie - is != je - js) return ie - is < je - js ? -1 : 1;
      int c = a.substr(is, ie - is).compare(b.substr(js, je - js));
      if (c != 0) return c < 0 ? -1 : 1;
      i = ie;
      j = je;
    } else if (digit(b, j)) {
      return -1;
    } else if (j >= b.size() || a[i] != b[j]) {
      return j >= b.size() ? 1 : int(uint8_t(a[i])) - int(uint8_t(b[j]));
    } else {
      ++i;
      ++j;
    }
  }
  return j < b.size() ? -int(uint8_t(b[j])) : 0;
}

Result<std::string> ld_so_cache(const std::vector<CacheLib>& libs, std::string_view debian_arch,
                                std::string_view generator) {
  const ArchInfo* arch = find_arch(debian_arch);
  if (!arch)
    return Error(Errc::unsupported,
                 "no ld.so.cache format known for architecture '" + std::string(debian_arch) + "'");
  std::vector<Entry> entries;
  StringTable strings;
  for (const auto& lib : libs) {
    if (!valid_string(lib.soname) || !valid_string(lib.path))
      return Error(Errc::invalid, "ld.so.cache entry with an empty name or a NUL byte: '" +
                                      lib.soname + "' -> '" + lib.path + "'");
    PARE_TRY(int32_t flags, cache_flags(lib, debian_arch));
    entries.push_back({&lib, flags});
    strings.add(lib.soname);
    strings.add(lib.path);
  }
  // cache.c compare(): soname descending in _dl_cache_libcmp order, then flags descending.
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
    int c = dl_cache_libcmp(x.lib->soname, y.lib->soname);
    return c != 0 ? c > 0 : x.flags > y.flags;
  });
  std::string table = strings.finalize();
  const uint64_t strings_start = kHeaderSize + kEntrySize * entries.size();
  const uint64_t strings_end = strings_start + table.size();
  const uint64_t extension = generator.empty() ? 0 : (strings_end + 3) / 4 * 4;
  if (extension + 24 + generator.size() > std::numeric_limits<uint32_t>::max())
    return Error(Errc::invalid, "ld.so.cache would exceed 4 GiB");

  Writer w(arch->big_endian);
  w.bytes(kMagicNew);
  w.bytes(kVersion);
  w.u32(static_cast<uint32_t>(entries.size()));
  w.u32(static_cast<uint32_t>(table.size()));
  w.u8(arch->big_endian ? kEndianBig : kEndianLittle);
  w.zeros(3);
  w.u32(static_cast<uint32_t>(extension));
  w.zeros(12);
  for (const auto& e : entries) {
    w.u32(static_cast<uint32_t>(e.flags));
    w.u32(static_cast<uint32_t>(strings_start + strings.offset(e.lib->soname)));
    w.u32(static_cast<uint32_t>(strings_start + strings.offset(e.lib->path)));
    w.u32(0);  // osversion_unused
    w.u64(0);  // hwcap: no glibc-hwcaps subdirectory entries
  }
  w.bytes(table);
  if (!generator.empty()) {
    w.zeros(extension - w.size());
    write_extension(w, generator);
  }
  return w.take();
}

std::string ldconfig_generator(std::string_view debian_glibc_version) {
  std::string_view upstream = debian_glibc_version.substr(0, debian_glibc_version.find('-'));
  return "ldconfig (Debian GLIBC " + std::string(debian_glibc_version) +
         ") stable release version " + std::string(upstream);
}

std::string_view multiarch_triplet(std::string_view debian_arch) {
  const ArchInfo* a = find_arch(debian_arch);
  return a ? a->triplet : std::string_view();
}

bool arch_is_big_endian(std::string_view debian_arch) {
  const ArchInfo* a = find_arch(debian_arch);
  return a && a->big_endian;
}

std::vector<std::string> default_library_dirs(std::string_view debian_arch) {
  std::string_view triplet = multiarch_triplet(debian_arch);
  if (triplet.empty()) return {};
  return {"lib/" + std::string(triplet), "usr/lib/" + std::string(triplet), "lib", "usr/lib"};
}

namespace {

// elf/dl-is_dso.h: lib*.so*, ld-*.so*, ld.so.*, ld64.so.*.
bool looks_like_dso(std::string_view name) {
  return ((name.starts_with("lib") || name.starts_with("ld-")) &&
          name.find(".so") != std::string_view::npos) ||
         name.starts_with("ld.so.") || name.starts_with("ld64.so.");
}

// Temporary files of the prelink program (ldconfig.c skips them).
bool is_prelink_temporary(std::string_view name) {
  constexpr std::string_view kSuffix = ".#prelink#";
  constexpr std::string_view kTemp = ".#prelink#.";
  return name.ends_with(kSuffix) ||
         (name.size() >= kTemp.size() + 6 &&
          name.substr(name.size() - kTemp.size() - 6, kTemp.size()) == kTemp);
}

struct DirLib {
  std::string name, soname;
  bool is_link;
  const ElfInfo* flags_from;  // the ELF whose flags the entry keeps
  int32_t flags;
};

// ldconfig.c: when a second name has the same soname, "prefer a file to a
// link, otherwise check which one is newer"; the generic ELF/libc6 flags of
// the two are reconciled as it does.
void merge_same_soname(DirLib& kept, const DirLib& next) {
  bool newer = (!next.is_link && kept.is_link) ||
               (next.is_link == kept.is_link && dl_cache_libcmp(kept.name, next.name) < 0);
  if (!newer) return;
  if (kept.flags != next.flags) {
    if ((kept.flags == kCacheFlagElf && next.flags == kCacheFlagElfLibc6) ||
        (kept.flags == kCacheFlagElfLibc6 && next.flags == kCacheFlagElf)) {
      kept.flags = next.flags;
      kept.flags_from = next.flags_from;
    }
  }
  kept.name = next.name;
  kept.is_link = next.is_link;
}

}  // namespace

std::vector<CacheLib> ldconfig_scan_dir(std::string_view dir,
                                        const std::vector<LibraryDirEntry>& entries,
                                        std::string_view debian_arch) {
  std::string prefix(dir);
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  if (prefix != "/") prefix += '/';

  std::vector<DirLib> libs;  // in the order first seen
  for (const auto& e : entries) {
    if (!looks_like_dso(e.name) || is_prelink_temporary(e.name)) continue;
    if (e.elf.type != kElfTypeDyn || !e.elf.has_dynamic) continue;
    auto flags = cache_flags(cache_lib(e.elf, e.name, prefix + e.name), debian_arch);
    if (!flags.ok()) continue;  // ldconfig: "... is for unknown machine"
    DirLib lib{e.name, e.elf.soname.empty() ? e.name : e.elf.soname, e.is_symlink, &e.elf, *flags};
    // A link named neither its soname nor "<prefix of the soname>.so" (the
    // development link ld(1) uses) is taken as a library of its own.
    if (lib.is_link && lib.name != lib.soname &&
        !(lib.name.ends_with(".so") && std::string_view(lib.soname).starts_with(lib.name)))
      lib.is_link = false;
    if (lib.is_link) lib.soname = lib.name;
    auto same = std::find_if(libs.begin(), libs.end(),
                             [&](const DirLib& l) { return l.soname == lib.soname; });
    if (same != libs.end())
      merge_same_soname(*same, lib);
    else
      libs.push_back(std::move(lib));
  }
  // ldconfig prepends to its list, so it adds the last seen first.
  std::vector<CacheLib> out;
  for (auto it = libs.rbegin(); it != libs.rend(); ++it)
    out.push_back(cache_lib(*it->flags_from, it->soname, prefix + it->soname));
  return out;
}

}  // namespace pare::rootfs
