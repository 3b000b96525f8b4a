// deps/deps.h and deb/contents.h: a Contents file reduced to its shared objects; libraries
// found where the loader looks (RPATH/RUNPATH with $ORIGIN, then the default directories),
// among the application's own files, or in a package; one error naming every library no
// package ships.
#include "deps/deps.h"

#include <gtest/gtest.h>

#include "deb/contents.h"
#include "rootfs/elf.h"

namespace pare::deps {
namespace {

constexpr const char* kContents =
    "usr/bin/zcat                                  utils/gzip\n"
    "lib/x86_64-linux-gnu/libc.so.6                libs/libc6\n"
    "lib64/ld-linux-x86-64.so.2                    libs/libc6\n"
    "usr/lib/x86_64-linux-gnu/libsqlite3.so.0      libs/libsqlite3-0\n"
    "usr/lib/x86_64-linux-gnu/libstdc++.so.6       libs/libstdc++6\n"
    "usr/lib/x86_64-linux-gnu/libdup.so.1          libs/libdup1,contrib/libs/libdup-alt\n"
    "opt/vendor/lib/libvendor.so.2                 non-free/libs/vendor-libs\n"
    "usr/share/doc/x/notes.so.txt                  doc/x\n"
    "usr/lib/python3/dist-packages/_x.cpython-311-x86_64-linux-gnu.so python/python3-x\n";

deb::LibraryIndex index() {
  auto reduced = deb::shared_objects_of_contents(kContents);
  EXPECT_TRUE(reduced.ok()) << reduced.error().message();
  auto parsed = deb::LibraryIndex::parse(*reduced);
  EXPECT_TRUE(parsed.ok()) << parsed.error().message();
  return *parsed;
}

ElfFile program(std::vector<std::string> needed, std::string path = "/app/bin/server") {
  ElfFile f{std::move(path), {}};
  f.elf.machine = rootfs::kElfMachineX86_64;
  f.elf.is64 = true;
  f.elf.interpreter = "/lib64/ld-linux-x86-64.so.2";
  f.elf.needed = std::move(needed);
  return f;
}

TEST(Contents, KeepsSharedObjectsOnly) {
  auto idx = index();
  EXPECT_EQ(idx.size(), 7u);
  EXPECT_TRUE(idx.packages_of("/usr/bin/zcat").empty());
  EXPECT_TRUE(idx.packages_of("/usr/share/doc/x/notes.so.txt").empty());
  EXPECT_EQ(idx.packages_of("/usr/lib/x86_64-linux-gnu/libdup.so.1"),
            (std::vector<std::string>{"libdup1", "libdup-alt"}));
  EXPECT_TRUE(deb::is_shared_object_name("ld-linux-x86-64.so.2"));
  EXPECT_TRUE(deb::is_shared_object_name("libfoo.so"));
  EXPECT_FALSE(deb::is_shared_object_name("x.sock"));
  EXPECT_FALSE(deb::is_shared_object_name(".so"));
}

TEST(Contents, MalformedLinesNameTheirNumber) {
  auto r = deb::shared_objects_of_contents("lib/libok.so.1 libs/ok\nlib/libbad.so.1\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("line 2"), std::string::npos) << r.error().message();
  EXPECT_FALSE(deb::LibraryIndex::parse("no-tab-here\n").ok());
  EXPECT_FALSE(deb::LibraryIndex::parse("/lib/x.so\tpkg,,other\n").ok());
}

TEST(Deps, FindsEachLibrarysPackage) {
  auto a = analyse({program({"libsqlite3.so.0", "libstdc++.so.6", "libc.so.6"})}, {}, index(),
                   "amd64", "bookworm/amd64");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->packages, (std::vector<std::string>{"libc6", "libsqlite3-0", "libstdc++6"}));
  ASSERT_EQ(a->needs.size(), 4u);  // the interpreter, then DT_NEEDED in order
  EXPECT_EQ(a->needs[0].library, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(a->needs[1].found_at, "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0");
  EXPECT_EQ(a->needs[1].package, "libsqlite3-0");
}

TEST(Deps, AStaticBinaryNeedsNothing) {
  ElfFile f{"/app", {}};
  f.elf.machine = rootfs::kElfMachineX86_64;
  auto a = analyse({f}, {"/app"}, index(), "amd64", "bookworm/amd64");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->packages.empty());
  EXPECT_TRUE(a->needs.empty());
}

TEST(Deps, TheApplicationsOwnLibrariesNeedNoPackage) {
  ElfFile bin = program({"libapp.so.1", "libjvm.so", "libc.so.6"});
  bin.elf.runpath = "$ORIGIN/../lib";
  ElfFile jvm = program({}, "/app/lib/server/libjvm.so");
  jvm.elf.is_shared_object = true;
  jvm.elf.soname = "libjvm.so";
  auto a = analyse({bin, jvm}, {"/app/bin/server", "/app/lib/libapp.so.1", jvm.path}, index(),
                   "amd64", "bookworm/amd64");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->needs[1].found_at, "/app/lib/libapp.so.1");  // through $ORIGIN/../lib
  EXPECT_EQ(a->needs[1].package, "");
  EXPECT_EQ(a->needs[2].found_at, "/app/lib/server/libjvm.so");  // by its SONAME
  EXPECT_EQ(a->packages, (std::vector<std::string>{"libc6"}));
}

TEST(Deps, RunpathReachesAPackagesPrivateDirectory) {
  ElfFile bin = program({"libvendor.so.2"});
  bin.elf.rpath = "/opt/vendor/lib";
  auto a = analyse({bin}, {}, index(), "amd64", "bookworm/amd64");
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->packages, (std::vector<std::string>{"libc6", "vendor-libs"}));
  // With DT_RUNPATH present the loader ignores DT_RPATH.
  bin.elf.runpath = "/elsewhere";
  EXPECT_FALSE(analyse({bin}, {}, index(), "amd64", "bookworm/amd64").ok());
}

TEST(Deps, AlternativesAreReported) {
  auto a = analyse({program({"libdup.so.1"})}, {}, index(), "amd64", "bookworm/amd64");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->needs[1].package, "libdup1");
  EXPECT_EQ(a->needs[1].alternatives, (std::vector<std::string>{"libdup-alt"}));
}

TEST(Deps, OneErrorNamesEveryMissingLibraryAndItsFile) {
  auto a = analyse({program({"libnope.so.1", "libc.so.6"}), program({"libgone.so.9"}, "/app/b")},
                   {}, index(), "amd64", "bookworm/amd64");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().code(), Errc::not_found);
  const std::string& m = a.error().message();
  EXPECT_NE(m.find("bookworm/amd64"), std::string::npos) << m;
  EXPECT_NE(m.find("/app/bin/server needs libnope.so.1"), std::string::npos) << m;
  EXPECT_NE(m.find("/app/b needs libgone.so.9"), std::string::npos) << m;
}

TEST(Deps, ArchitectureOfAnElfFile) {
  rootfs::ElfInfo e;
  e.machine = rootfs::kElfMachineAarch64;
  e.is64 = true;
  EXPECT_EQ(debian_arch_of(e).value(), "arm64");
  e.machine = rootfs::kElfMachineArm;
  e.is64 = false;
  e.flags = 0x05000400;
  EXPECT_EQ(debian_arch_of(e).value(), "armhf");
  e.machine = 9999;
  EXPECT_FALSE(debian_arch_of(e).ok());
}

}  // namespace
}  // namespace pare::deps
