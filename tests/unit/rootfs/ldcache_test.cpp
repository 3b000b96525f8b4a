// /etc/ld.so.cache written natively (src/rootfs/ldcache.h): the sort order,
// the flags per architecture, the file layout, ldconfig's directory rules, and
// the real thing: `ldconfig -p` reads our cache, and for a root with host
// libraries (plus synthesised i386/x32/aarch64 ones) our cache is
// byte-identical to the one this host's ldconfig writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "elf_builder.h"
#include "rootfs/elf.h"
#include "rootfs/ldcache.h"
#include "support/command.h"
#include "util/fs.h"

using namespace pare;
using namespace pare::rootfs;
using pare::rootfs::testing::ElfSpec;
using pare::rootfs::testing::make_elf;
namespace stdfs = std::filesystem;

namespace {

constexpr const char* kHostLibDir = "/usr/lib/x86_64-linux-gnu";

uint32_t u32le(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}
uint32_t u32be(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}
std::string cstring_at(const std::string& s, size_t at) {
  return std::string(s.c_str() + at);
}

CacheLib x86_64_lib(std::string soname, std::string dir = "/usr/lib/x86_64-linux-gnu") {
  CacheLib lib;
  lib.path = dir + "/" + soname;
  lib.soname = std::move(soname);
  lib.machine = kElfMachineX86_64;
  lib.is64 = true;
  return lib;
}

using pare::testing::run_command;

bool have_ldconfig() {
  return std::system("test -x /sbin/ldconfig") == 0;
}

// The libraries of this host the tests use: soname -> real file.
std::vector<std::pair<std::string, stdfs::path>> host_libraries() {
  std::vector<std::pair<std::string, stdfs::path>> out;
  for (const char* soname :
       {"libz.so.1", "libzstd.so.1", "liblzma.so.5", "libc.so.6", "libcrypto.so.3"}) {
    std::error_code ec;
    stdfs::path real = stdfs::canonical(stdfs::path(kHostLibDir) / soname, ec);
    if (!ec) out.push_back({soname, real});
  }
  return out;
}

}  // namespace

TEST(LdCache, LibcmpComparesDigitRunsAsNumbers) {
  EXPECT_GT(dl_cache_libcmp("libfoo.so.10", "libfoo.so.9"), 0);
  EXPECT_LT(dl_cache_libcmp("libfoo.so.9", "libfoo.so.10"), 0);
  EXPECT_EQ(dl_cache_libcmp("libfoo.so.1", "libfoo.so.1"), 0);
  EXPECT_EQ(dl_cache_libcmp("libfoo.so.01", "libfoo.so.1"), 0);  // numerically equal
  EXPECT_GT(dl_cache_libcmp("libz.so.1", "libz.so"), 0);         // longer sorts later
  EXPECT_LT(dl_cache_libcmp("libz.so", "libz.so.1"), 0);
  EXPECT_GT(dl_cache_libcmp("lib2", "libx"), 0);  // a digit sorts after a letter
  EXPECT_LT(dl_cache_libcmp("libx", "lib2"), 0);
  EXPECT_LT(dl_cache_libcmp("liba.so", "libb.so"), 0);
  EXPECT_GT(dl_cache_libcmp("libc.so.6", "libbz2.so.1.0"), 0);
  EXPECT_GT(dl_cache_libcmp("libfoo.so.99999999999999999999", "libfoo.so.99999999999999999998"), 0);
}

TEST(LdCache, FlagsPerArchitecture) {
  auto flags = [](std::string_view arch, uint16_t machine, bool is64, uint32_t elf_flags = 0,
                  bool libc6 = true) {
    CacheLib lib;
    lib.soname = lib.path = "x";
    lib.machine = machine;
    lib.is64 = is64;
    lib.elf_flags = elf_flags;
    lib.libc6 = libc6;
    auto r = cache_flags(lib, arch);
    return r.ok() ? *r : -1;
  };
  EXPECT_EQ(flags("amd64", kElfMachineX86_64, true), 0x0303);   // libc6,x86-64
  EXPECT_EQ(flags("amd64", kElfMachineX86_64, false), 0x0803);  // libc6,x32
  EXPECT_EQ(flags("amd64", kElfMachine386, false), 0x0003);
  EXPECT_EQ(flags("i386", kElfMachine386, false, 0, false), 0x0001);     // "ELF": needs no libc
  EXPECT_EQ(flags("amd64", kElfMachineAarch64, true), -1);               // x86 checks the machine
  EXPECT_EQ(flags("arm64", kElfMachineAarch64, true), 0x0a03);           // libc6,AArch64
  EXPECT_EQ(flags("arm64", kElfMachineX86_64, true), 0x0a03);            // ... arm's does not
  EXPECT_EQ(flags("armhf", kElfMachineArm, false, 0x05000400), 0x0903);  // libc6,hard-float
  EXPECT_EQ(flags("armel", kElfMachineArm, false, 0x05000200), 0x0b03);  // libc6,soft-float
  EXPECT_EQ(flags("armhf", kElfMachineArm, false, 0x05000000), 0x0003);
  EXPECT_EQ(flags("armel", kElfMachineArm, false, 0x04000000, false), 0x0001);
  EXPECT_EQ(flags("ppc64el", kElfMachinePpc64, true), 0x0503);
  EXPECT_EQ(flags("s390x", kElfMachineS390, true), 0x0403);
  EXPECT_EQ(flags("mips64el", kElfMachineMips, true), 0x0703);
  EXPECT_EQ(flags("mips64el", kElfMachineMips, true, 0x400), 0x0e03);
  EXPECT_EQ(flags("mips64el", kElfMachineMips, false, 0x20), 0x0603);
  EXPECT_EQ(flags("mipsel", kElfMachineMips, false, 0x400), 0x0c03);
  EXPECT_EQ(flags("riscv64", kElfMachineRiscv, true, 0x5), 0x1003);  // double-float, RVC
  EXPECT_EQ(flags("riscv64", kElfMachineRiscv, true, 0x0), 0x0f03);  // soft-float
  EXPECT_EQ(flags("riscv64", kElfMachineRiscv, true, 0x0, false), 0x0f01);
  EXPECT_EQ(flags("riscv64", kElfMachineRiscv, true, 0x2), -1);  // single-float: rejected
  EXPECT_EQ(flags("vax", kElfMachineX86_64, true), -1);          // unknown architecture
}

TEST(LdCache, CacheLibClassifiesLibc6LikeLdconfig) {
  ElfInfo elf;
  elf.machine = kElfMachine386;
  EXPECT_FALSE(cache_lib(elf, "a", "/a").libc6);
  elf.needed = {"libpthread.so.0", "libm.so.6"};
  EXPECT_TRUE(cache_lib(elf, "a", "/a").libc6);
  elf.needed.clear();
  elf.interpreter = "/lib/ld-linux.so.2";
  EXPECT_TRUE(cache_lib(elf, "a", "/a").libc6);
}

TEST(LdCache, LayoutSortOrderAndSharedSuffixes) {
  std::vector<CacheLib> libs = {x86_64_lib("libz.so.1"), x86_64_lib("libc.so.6"),
                                x86_64_lib("libzstd.so.1"), x86_64_lib("libfoo.so.9"),
                                x86_64_lib("libfoo.so.10")};
  auto cache = ld_so_cache(libs, "amd64", "pare test");
  ASSERT_TRUE(cache.ok()) << cache.error().message();
  const std::string& c = *cache;
  ASSERT_EQ(c.substr(0, 20), "glibc-ld.so.cache1.1");
  ASSERT_EQ(u32le(c, 20), 5u);  // nlibs
  const uint32_t len_strings = u32le(c, 24);
  EXPECT_EQ(static_cast<uint8_t>(c[28]), 2);  // little endian
  const uint32_t ext = u32le(c, 32);
  EXPECT_EQ(ext % 4, 0u);
  EXPECT_EQ(ext, (48 + 5 * 24 + len_strings + 3) / 4 * 4);
  std::vector<std::string> keys;
  for (size_t i = 0; i < 5; ++i) {
    size_t e = 48 + 24 * i;
    EXPECT_EQ(u32le(c, e), 0x0303u);
    std::string key = cstring_at(c, u32le(c, e + 4)), value = cstring_at(c, u32le(c, e + 8));
    EXPECT_EQ(value, "/usr/lib/x86_64-linux-gnu/" + key);
    // The soname is the path's suffix: stored once, inside the path.
    EXPECT_EQ(u32le(c, e + 4), u32le(c, e + 8) + value.size() - key.size());
    EXPECT_EQ(u32le(c, e + 12), 0u);
    EXPECT_EQ(c.substr(e + 16, 8), std::string(8, '\0'));
    keys.push_back(key);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"libzstd.so.1", "libz.so.1", "libfoo.so.10",
                                            "libfoo.so.9", "libc.so.6"}));
  // Extension directory: magic, one section (generator) pointing at the string that ends the file.
  EXPECT_EQ(u32le(c, ext), 0xeaa42174u);
  EXPECT_EQ(u32le(c, ext + 4), 1u);
  EXPECT_EQ(u32le(c, ext + 8), 0u);
  EXPECT_EQ(u32le(c, ext + 16), ext + 24);
  EXPECT_EQ(u32le(c, ext + 20), 9u);
  EXPECT_EQ(c.substr(ext + 24), "pare test");

  // Input order does not matter.
  std::vector<CacheLib> shuffled = libs;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  auto again = ld_so_cache(shuffled, "amd64", "pare test");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, c);
}

TEST(LdCache, BigEndianAndNoGenerator) {
  CacheLib lib = x86_64_lib("libz.so.1");
  lib.machine = kElfMachineS390;
  auto cache = ld_so_cache({lib}, "s390x");
  ASSERT_TRUE(cache.ok());
  const std::string& c = *cache;
  EXPECT_EQ(u32be(c, 20), 1u);
  EXPECT_EQ(static_cast<uint8_t>(c[28]), 3);  // big endian
  EXPECT_EQ(u32be(c, 32), 0u);                // no extension directory
  EXPECT_EQ(u32be(c, 48), 0x0403u);
  EXPECT_EQ(cstring_at(c, u32be(c, 52)), "libz.so.1");
  EXPECT_EQ(c.size(), 48 + 24 + u32be(c, 24));
}

TEST(LdCache, RejectsBadEntries) {
  CacheLib empty = x86_64_lib("");
  EXPECT_EQ(ld_so_cache({empty}, "amd64").error().code(), Errc::invalid);
  CacheLib nul = x86_64_lib(std::string("libz\0.so", 8));
  EXPECT_EQ(ld_so_cache({nul}, "amd64").error().code(), Errc::invalid);
  CacheLib alien = x86_64_lib("libz.so.1");
  alien.machine = 0x9026;
  EXPECT_EQ(ld_so_cache({alien}, "amd64").error().code(), Errc::unsupported);
  EXPECT_EQ(ld_so_cache({x86_64_lib("libz.so.1")}, "vax").error().code(), Errc::unsupported);
  auto none = ld_so_cache({}, "amd64");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(u32le(*none, 20), 0u);
}

TEST(LdCache, DefaultDirsGeneratorAndArchitectures) {
  EXPECT_EQ(default_library_dirs("amd64"),
            (std::vector<std::string>{"lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib",
                                      "usr/lib"}));
  EXPECT_EQ(default_library_dirs("arm64")[1], "usr/lib/aarch64-linux-gnu");
  EXPECT_TRUE(default_library_dirs("vax").empty());
  EXPECT_EQ(multiarch_triplet("armhf"), "arm-linux-gnueabihf");
  EXPECT_TRUE(arch_is_big_endian("s390x"));
  EXPECT_FALSE(arch_is_big_endian("ppc64el"));
  EXPECT_EQ(ldconfig_generator("2.36-9+deb12u14"),
            "ldconfig (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36");
}

TEST(LdCache, ScanDirFollowsLdconfigRules) {
  ElfSpec spec;
  spec.soname = "libz.so.1";
  spec.needed = {"libc.so.6"};
  ElfInfo libz = *read_elf(make_elf(spec));
  ElfSpec exec = spec;
  exec.type = kElfTypeExec;
  ElfSpec arm = spec;
  arm.machine = kElfMachineAarch64;
  arm.soname = "libarm.so.1";
  ElfSpec nosoname = spec;
  nosoname.soname = "";
  std::vector<LibraryDirEntry> entries = {
      {"libz.so.1.2.13", false, libz},   // the file
      {"libz.so.1", true, libz},         // its SONAME link
      {"libz.so", true, libz},           // the development link: an entry of its own
      {"libz-compat.so.1", true, libz},  // misnamed link: a "file" with SONAME libz.so.1
      {"README.so", false, libz},        // not a library name
      {"libz.so.1.2.13.#prelink#.abc123", false, libz},
      {"libexec.so.1", false, *read_elf(make_elf(exec))},     // not ET_DYN
      {"libarm.so.1", false, *read_elf(make_elf(arm))},       // a machine x86 ldconfig rejects
      {"libplain.so", false, *read_elf(make_elf(nosoname))},  // no SONAME: its own name
  };
  auto libs = ldconfig_scan_dir("/usr/lib/x86_64-linux-gnu/", entries, "amd64");
  std::vector<std::string> got;
  for (const auto& l : libs) got.push_back(l.soname + " " + l.path);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"libplain.so /usr/lib/x86_64-linux-gnu/libplain.so",
                                           "libz.so /usr/lib/x86_64-linux-gnu/libz.so",
                                           "libz.so.1 /usr/lib/x86_64-linux-gnu/libz.so.1"}));
  // arm64's ldconfig does not check the machine: there the aarch64 library is kept.
  auto on_arm = ldconfig_scan_dir("/usr/lib", entries, "arm64");
  EXPECT_TRUE(std::any_of(on_arm.begin(), on_arm.end(),
                          [](const CacheLib& l) { return l.soname == "libarm.so.1"; }));
}

TEST(LdCache, LdconfigListsOurCache) {
  if (!have_ldconfig()) GTEST_SKIP() << "no /sbin/ldconfig";
  std::vector<CacheLib> libs;
  for (const auto& [soname, real] : host_libraries()) libs.push_back(x86_64_lib(soname));
  if (libs.empty()) GTEST_SKIP() << "no host libraries";
  auto cache = ld_so_cache(libs, "amd64", "pare unit test");
  ASSERT_TRUE(cache.ok());
  auto dir = fs::TempDir::create(stdfs::temp_directory_path());
  ASSERT_TRUE(dir.ok());
  stdfs::path file = dir->path() / "ld.so.cache";
  ASSERT_TRUE(fs::write_file_atomic(file, *cache).ok());
  int status = 0;
  std::string out = run_command("/sbin/ldconfig -p -C " + file.string() + " 2>&1", &status);
  ASSERT_EQ(status, 0) << out;
  std::string expected =
      std::to_string(libs.size()) + " libs found in cache `" + file.string() + "'\n";
  std::vector<CacheLib> sorted = libs;
  std::sort(sorted.begin(), sorted.end(), [](const CacheLib& a, const CacheLib& b) {
    return dl_cache_libcmp(a.soname, b.soname) > 0;
  });
  for (const auto& l : sorted) expected += "\t" + l.soname + " (libc6,x86-64) => " + l.path + "\n";
  expected += "Cache generated by: pare unit test\n";
  EXPECT_EQ(out, expected);
}

namespace {

// Reads a root's library directories the way pare would from an image, and
// returns ldconfig_scan_dir's entries for each in ldconfig's order.
std::vector<CacheLib> scan_root(const stdfs::path& root, const std::vector<std::string>& dirs) {
  std::vector<CacheLib> all;
  std::vector<stdfs::path> seen;  // ldconfig scans a directory once, under its first name
  for (const auto& d : dirs) {
    std::vector<LibraryDirEntry> entries;
    std::error_code ec;
    stdfs::path real_dir = stdfs::canonical(root / d, ec);
    if (ec || std::find(seen.begin(), seen.end(), real_dir) != seen.end()) continue;
    seen.push_back(real_dir);
    for (const auto& e : stdfs::directory_iterator(root / d, ec)) {
      stdfs::path real = stdfs::canonical(e.path(), ec);
      if (ec || !stdfs::is_regular_file(real)) continue;
      auto bytes = fs::read_file(real);
      if (!bytes.ok()) continue;
      auto elf = read_elf(*bytes);
      if (!elf.ok()) continue;
      entries.push_back({e.path().filename().string(), e.is_symlink(), *elf});
    }
    for (auto& lib : ldconfig_scan_dir("/" + d, entries, "amd64")) all.push_back(std::move(lib));
  }
  return all;
}

// "2.36-9+deb12u14" from "ldconfig (Debian GLIBC 2.36-9+deb12u14) 2.36".
std::string host_glibc_version() {
  std::string v = run_command("/sbin/ldconfig --version 2>/dev/null | head -1");
  size_t open = v.find("(Debian GLIBC "), close = v.find(')');
  if (open == std::string::npos || close == std::string::npos) return "";
  open += 14;
  return v.substr(open, close - open);
}

void write(const stdfs::path& p, const std::string& bytes) {
  ASSERT_TRUE(fs::write_file_atomic(p, bytes).ok());
}

// A root as Debian lays libraries out: the real file, its SONAME link and
// (for some) the development link; the first library in /lib/<triplet>, the
// others in /usr/lib/<triplet>; plus synthesised ones. With `merged`, /lib is
// a symlink to usr/lib (so ldconfig scans /lib/<triplet> and /lib only).
void populate_root(const stdfs::path& root,
                   const std::vector<std::pair<std::string, stdfs::path>>& host, bool merged) {
  stdfs::create_directories(root / "etc");
  stdfs::create_directories(root / "usr/lib/x86_64-linux-gnu");
  if (merged)
    stdfs::create_directory_symlink("usr/lib", root / "lib");
  else
    stdfs::create_directories(root / "lib/x86_64-linux-gnu");
  for (size_t i = 0; i < host.size(); ++i) {
    const auto& [soname, real] = host[i];
    stdfs::path dir = root / (i == 0 ? "lib/x86_64-linux-gnu" : "usr/lib/x86_64-linux-gnu");
    stdfs::copy_file(real, dir / real.filename(), stdfs::copy_options::overwrite_existing);
    if (real.filename() != soname) stdfs::create_symlink(real.filename(), dir / soname);
    std::string dev = soname.substr(0, soname.find(".so") + 3);
    if (i % 2 == 1 && dev != soname) stdfs::create_symlink(real.filename(), dir / dev);
  }
  // The same SONAME in two directories: both are cached, in directory order.
  if (!merged) stdfs::copy_file(host[1].second, root / "lib/x86_64-linux-gnu" / host[1].first);
  // Synthesised libraries: i386 with and without libc (flags libc6 / ELF),
  // x32, an aarch64 one (x86's ldconfig skips it), a linker script.
  ElfSpec i386;
  i386.is64 = false;
  i386.machine = kElfMachine386;
  i386.soname = "libpare32.so.2";
  i386.needed = {"libc.so.6"};
  write(root / "usr/lib/libpare32.so.2", make_elf(i386));
  i386.soname = "libpare32-nolibc.so.1";
  i386.needed = {};
  write(root / "usr/lib/libpare32-nolibc.so.1", make_elf(i386));
  ElfSpec x32 = i386;
  x32.machine = kElfMachineX86_64;
  x32.soname = "libpare32.so.2";  // same SONAME in another directory, other flags: sorted by flags,
                                  // descending
  write(root / "usr/lib/x86_64-linux-gnu/libpare32.so.2", make_elf(x32));
  ElfSpec arm;
  arm.machine = kElfMachineAarch64;
  arm.soname = "libpare-arm.so.1";
  write(root / "usr/lib/libpare-arm.so.1", make_elf(arm));
  write(root / "usr/lib/libc.so", "/* GNU ld script */\nGROUP ( libc.so.6 )\n");
}

// Runs this host's ldconfig on `root` and compares its cache with ours.
void expect_same_as_ldconfig(const stdfs::path& root, const std::string& glibc_version,
                             bool merged) {
  int status = 0;
  std::string log = run_command("/sbin/ldconfig -X -r " + root.string() + " 2>&1", &status);
  ASSERT_EQ(status, 0) << log;
  auto theirs = fs::read_file(root / "etc/ld.so.cache");
  ASSERT_TRUE(theirs.ok()) << log;

  auto libs = scan_root(root, default_library_dirs("amd64"));
  auto ours = ld_so_cache(libs, "amd64", ldconfig_generator(glibc_version));
  ASSERT_TRUE(ours.ok()) << ours.error().message();
  if (*ours != *theirs) {
    write(root / "ours.cache", *ours);
    ADD_FAILURE() << "ldconfig -p of ldconfig's cache:\n"
                  << run_command("/sbin/ldconfig -p -C " + (root / "etc/ld.so.cache").string())
                  << "ldconfig -p of ours:\n"
                  << run_command("/sbin/ldconfig -p -C " + (root / "ours.cache").string())
                  << run_command("cmp -l " + (root / "ours.cache").string() + " " +
                                 (root / "etc/ld.so.cache").string() + " | head -20");
  }
  EXPECT_EQ(ours->size(), theirs->size());
  // The synthesised 32-bit libraries are in it, with ldconfig's flags.
  std::string listing = run_command("/sbin/ldconfig -p -C " + (root / "etc/ld.so.cache").string());
  // With merged /usr, ldconfig names /usr/lib's libraries by /lib, its first name.
  const std::string usr_lib = merged ? "/lib" : "/usr/lib";
  EXPECT_NE(listing.find("libpare32-nolibc.so.1 (ELF) => " + usr_lib + "/libpare32-nolibc.so.1"),
            std::string::npos)
      << listing;
  const std::string x32_dir = usr_lib + "/x86_64-linux-gnu", i386_dir = usr_lib;
  EXPECT_NE(listing.find("\tlibpare32.so.2 (libc6,x32) => " + x32_dir +
                         "/libpare32.so.2\n"
                         "\tlibpare32.so.2 (libc6) => " +
                         i386_dir + "/libpare32.so.2\n"),
            std::string::npos)
      << listing;
}

}  // namespace

TEST(LdCache, ByteIdenticalToLdconfig) {
  if (!have_ldconfig()) GTEST_SKIP() << "no /sbin/ldconfig";
  std::string version = host_glibc_version();
  if (version.empty()) GTEST_SKIP() << "not Debian's ldconfig";
  auto host = host_libraries();
  if (host.size() < 3) GTEST_SKIP() << "host libraries missing";
  for (bool merged : {false, true}) {
    SCOPED_TRACE(merged ? "merged /usr" : "split /usr");
    auto tmp = fs::TempDir::create(stdfs::temp_directory_path());
    ASSERT_TRUE(tmp.ok());
    populate_root(tmp->path(), host, merged);
    expect_same_as_ldconfig(tmp->path(), version, merged);
  }
}
