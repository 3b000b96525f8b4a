// The bounds-checked ELF reader (src/rootfs/elf.h): synthesised files of every
// class and byte order, malformed and truncated ones, the fuzz seeds built for
// other architectures, and real files of this host checked against readelf.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "elf_builder.h"
#include "rootfs/elf.h"
#include "support/command.h"
#include "util/fs.h"

using namespace pare;
using namespace pare::rootfs;
using pare::rootfs::testing::ElfSpec;
using pare::rootfs::testing::make_elf;

namespace {

ElfSpec library(bool is64, bool big_endian) {
  ElfSpec s;
  s.is64 = is64;
  s.big_endian = big_endian;
  s.machine = is64 ? kElfMachineAarch64 : kElfMachineArm;
  s.flags = 0x05000400;
  s.soname = "libdemo.so.1";
  s.needed = {"libm.so.6", "libc.so.6"};
  return s;
}

std::string read_corpus(const std::string& name) {
  auto bytes = fs::read_file(std::string(PARE_SOURCE_DIR) + "/tests/fuzz/corpus/fuzz_elf/" + name);
  return bytes.ok() ? *bytes : "";
}

using pare::testing::run_command;

}  // namespace

TEST(Elf, ReadsEveryClassAndByteOrder) {
  for (bool is64 : {false, true})
    for (bool be : {false, true}) {
      SCOPED_TRACE(std::string(is64 ? "64" : "32") + (be ? " big" : " little"));
      auto elf = read_elf(make_elf(library(is64, be)));
      ASSERT_TRUE(elf.ok()) << elf.error().message();
      EXPECT_TRUE(elf->is_shared_object);
      EXPECT_TRUE(elf->has_dynamic);
      EXPECT_EQ(elf->soname, "libdemo.so.1");
      EXPECT_EQ(elf->needed, (std::vector<std::string>{"libm.so.6", "libc.so.6"}));
      EXPECT_EQ(elf->machine, is64 ? kElfMachineAarch64 : kElfMachineArm);
      EXPECT_EQ(elf->is64, is64);
      EXPECT_EQ(elf->big_endian, be);
      EXPECT_EQ(elf->flags, 0x05000400u);
      EXPECT_EQ(elf->type, kElfTypeDyn);
      EXPECT_EQ(elf->interpreter, "");
    }
}

TEST(Elf, ReadsSearchPaths) {
  ElfSpec s = library(true, false);
  s.runpath = "$ORIGIN/../lib:/opt/app/lib";
  s.rpath = "/old";
  auto elf = read_elf(make_elf(s));
  ASSERT_TRUE(elf.ok()) << elf.error().message();
  EXPECT_EQ(elf->runpath, "$ORIGIN/../lib:/opt/app/lib");
  EXPECT_EQ(elf->rpath, "/old");
  EXPECT_EQ(read_elf(make_elf(library(true, false)))->runpath, "");
}

// java's launcher finds libjli.so through its search path (Debian's has DT_RPATH); readelf
// agrees on both entries.
TEST(Elf, AgreesWithReadelfOnARunpath) {
  const char* java = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
  auto bytes = fs::read_file(java);
  if (!bytes.ok()) GTEST_SKIP() << "no JDK on this host";
  auto elf = read_elf(*bytes);
  ASSERT_TRUE(elf.ok()) << elf.error().message();
  std::string readelf =
      run_command("readelf -dW " + std::string(java) +
                  " | sed -n 's/.*(\\(RUNPATH\\|RPATH\\)).*\\[\\(.*\\)\\]/\\1 \\2/p'");
  std::string ours;
  if (!elf->rpath.empty()) ours += "RPATH " + elf->rpath + "\n";
  if (!elf->runpath.empty()) ours += "RUNPATH " + elf->runpath + "\n";
  EXPECT_EQ(readelf, ours);
  EXPECT_NE(ours.find("$ORIGIN"), std::string::npos);
}

TEST(Elf, StringTableAddressIsTranslatedThroughPtLoad) {
  // DT_STRTAB is a virtual address; with a PT_LOAD at 0x7f000 the reader must
  // subtract it (as ldconfig does) to find the strings.
  ElfSpec s = library(true, false);
  s.vaddr_base = 0x7f000;
  auto elf = read_elf(make_elf(s));
  ASSERT_TRUE(elf.ok()) << elf.error().message();
  EXPECT_EQ(elf->soname, "libdemo.so.1");
}

TEST(Elf, TellsExecutablesFromLibraries) {
  ElfSpec pie;
  pie.interpreter = "/lib64/ld-linux-x86-64.so.2";
  pie.needed = {"libc.so.6"};
  pie.flags_1 = 0x08000001;  // DF_1_PIE | DF_1_NOW
  auto a = read_elf(make_elf(pie));
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->is_shared_object);
  EXPECT_EQ(a->interpreter, "/lib64/ld-linux-x86-64.so.2");

  pie.flags_1 = 0;  // an old PIE: interpreter, no SONAME
  auto b = read_elf(make_elf(pie));
  ASSERT_TRUE(b.ok());
  EXPECT_FALSE(b->is_shared_object);

  pie.soname = "libc.so.6";  // libc.so.6 has an interpreter and a SONAME
  auto c = read_elf(make_elf(pie));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->is_shared_object);

  ElfSpec exec;
  exec.type = kElfTypeExec;
  exec.dynamic = false;
  auto d = read_elf(make_elf(exec));
  ASSERT_TRUE(d.ok()) << d.error().message();
  EXPECT_FALSE(d->is_shared_object);
  EXPECT_FALSE(d->has_dynamic);
  EXPECT_TRUE(d->needed.empty());
}

TEST(Elf, ExtendedProgramHeaderCount) {
  for (bool is64 : {false, true}) {
    ElfSpec s = library(is64, !is64);
    s.extended_phnum = true;
    auto elf = read_elf(make_elf(s));
    ASSERT_TRUE(elf.ok()) << elf.error().message();
    EXPECT_EQ(elf->soname, "libdemo.so.1");
  }
}

TEST(Elf, RejectsWhatIsNotElf) {
  for (std::string bad : {std::string(),
                          std::string("\x7f"
                                      "EL"),
                          std::string("GNU ld script\nGROUP ( libc.so.6 )"),
                          std::string("\x7f"
                                      "ELF\x03\x01\x01",
                                      7) +
                              std::string(60, '\0'),
                          std::string("\x7f"
                                      "ELF\x02\x00\x01",
                                      7) +
                              std::string(60, '\0')}) {
    auto r = read_elf(bad);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::invalid);
  }
  EXPECT_FALSE(has_elf_magic("GROUP"));
  EXPECT_TRUE(has_elf_magic(make_elf(ElfSpec{})));
}

TEST(Elf, EveryTruncationIsRejectedOrReadWithinBounds) {
  for (bool is64 : {false, true}) {
    std::string full = make_elf(library(is64, is64));
    for (size_t n = 0; n < full.size(); ++n) {
      // A copy of exactly n bytes, so a sanitizer build catches any read past it.
      std::string cut = full.substr(0, n);
      auto r = read_elf(cut);
      // The dynamic section is last: every proper prefix misses some of it.
      EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes accepted";
    }
  }
}

TEST(Elf, RejectsOffsetsOutsideTheFile) {
  std::string good = make_elf(library(true, false));
  auto patch64 = [&](size_t at, uint64_t v) {
    std::string b = good;
    for (int i = 0; i < 8; ++i) b[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
    return b;
  };
  auto patch16 = [&](size_t at, uint16_t v) {
    std::string b = good;
    b[at] = static_cast<char>(v & 0xff);
    b[at + 1] = static_cast<char>(v >> 8);
    return b;
  };
  EXPECT_FALSE(read_elf(patch64(32, ~0ull)).ok());       // e_phoff
  EXPECT_FALSE(read_elf(patch64(32, ~0ull - 20)).ok());  // e_phoff near the top: no wrap-around
  EXPECT_FALSE(read_elf(patch16(56, 0xfffe)).ok());      // e_phnum
  EXPECT_FALSE(read_elf(patch16(54, 8)).ok());           // e_phentsize too small
  EXPECT_FALSE(read_elf(patch16(56, 0xffff)).ok());      // PN_XNUM without section headers
  // The PT_DYNAMIC header is the second (no PT_INTERP): p_offset at 64+56+8, p_filesz at +32.
  const size_t dyn_ph = 64 + 56;
  EXPECT_FALSE(read_elf(patch64(dyn_ph + 8, good.size() - 8)).ok());
  EXPECT_FALSE(read_elf(patch64(dyn_ph + 32, ~0ull)).ok());
}

TEST(Elf, RejectsStringsOutsideTheTable) {
  std::string good = make_elf(library(true, false));
  // The dynamic section is the last 16-byte-aligned block; its first entry is
  // DT_NEEDED "libm.so.6" (value at +8). Point it past the strings.
  const size_t dyn = good.size() - 6 * 16;
  ASSERT_EQ(good[dyn], 1);  // DT_NEEDED
  std::string bad = good;
  bad[dyn + 8] = static_cast<char>(0xf0);
  auto r = read_elf(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("DT_NEEDED"), std::string::npos) << r.error().message();
  // DT_STRSZ (5th entry) shorter than the strings: the last string loses its NUL.
  std::string shortsz = good;
  shortsz[dyn + 4 * 16 + 8] = 3;
  EXPECT_FALSE(read_elf(shortsz).ok());
}

TEST(Elf, ReadsTheSeedsBuiltForOtherArchitectures) {
  struct Seed {
    const char* file;
    uint16_t machine;
    bool is64, big_endian;
  };
  for (const Seed& s : {Seed{"aarch64-linux-gnu.so", kElfMachineAarch64, true, false},
                        Seed{"armv7a-linux-gnueabihf.so", kElfMachineArm, false, false},
                        Seed{"i386-linux-gnu.so", kElfMachine386, false, false},
                        Seed{"riscv64-linux-gnu.so", kElfMachineRiscv, true, false},
                        Seed{"powerpc64-linux-gnu.so", kElfMachinePpc64, true, true},
                        Seed{"mips-linux-gnu.so", kElfMachineMips, false, true}}) {
    SCOPED_TRACE(s.file);
    std::string bytes = read_corpus(s.file);
    ASSERT_FALSE(bytes.empty());
    auto elf = read_elf(bytes);
    ASSERT_TRUE(elf.ok()) << elf.error().message();
    EXPECT_EQ(elf->machine, s.machine);
    EXPECT_EQ(elf->is64, s.is64);
    EXPECT_EQ(elf->big_endian, s.big_endian);
    EXPECT_EQ(elf->soname, "libf.so.1");
    EXPECT_EQ(elf->needed, std::vector<std::string>{"libc.so.6"});
    EXPECT_TRUE(elf->is_shared_object);
  }
  auto pie = read_elf(read_corpus("x86_64-pie"));
  ASSERT_TRUE(pie.ok());
  EXPECT_FALSE(pie->is_shared_object);
  EXPECT_EQ(pie->interpreter, "/lib64/ld-linux-x86-64.so.2");
  auto stat = read_elf(read_corpus("x86_64-static"));
  ASSERT_TRUE(stat.ok());
  EXPECT_EQ(stat->type, kElfTypeExec);
  EXPECT_FALSE(stat->has_dynamic);
  for (const char* cut :
       {"truncated-header", "truncated-phdrs", "truncated-dynamic", "truncated-be", "not-elf"})
    EXPECT_FALSE(read_elf(read_corpus(cut)).ok()) << cut;
}

TEST(Elf, AgreesWithReadelfOnHostLibraries) {
  if (std::system("command -v readelf >/dev/null 2>&1") != 0) GTEST_SKIP() << "readelf missing";
  int checked = 0;
  for (const char* path :
       {"/usr/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libzstd.so.1",
        "/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libssl.so.3",
        "/usr/lib/x86_64-linux-gnu/libcurl.so.4"}) {
    auto bytes = fs::read_file(path);
    if (!bytes.ok()) continue;
    SCOPED_TRACE(path);
    auto elf = read_elf(*bytes);
    ASSERT_TRUE(elf.ok()) << elf.error().message();
    std::string expected;
    for (const auto& n : elf->needed) expected += "NEEDED " + n + "\n";
    expected += "SONAME " + elf->soname + "\n";
    std::string readelf =
        run_command("readelf -dW " + std::string(path) +
                    " | sed -n 's/.*(\\(NEEDED\\|SONAME\\)).*\\[\\(.*\\)\\]/\\1 \\2/p'"
                    " | sort -s -k1,1");  // NEEDED lines (in order) before SONAME
    EXPECT_EQ(readelf, expected);
    EXPECT_TRUE(elf->is_shared_object);
    EXPECT_EQ(elf->machine, kElfMachineX86_64);
    ++checked;
  }
  if (checked == 0) GTEST_SKIP() << "no host libraries found";
}
