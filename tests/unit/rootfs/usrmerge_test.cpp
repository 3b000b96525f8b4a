#include "rootfs/usrmerge.h"

#include <gtest/gtest.h>

namespace pare::rootfs {
namespace {

TEST(UsrMerge, PathsMoveIntoUsr) {
  EXPECT_EQ(merged_usr_path("bin/ls"), "usr/bin/ls");
  EXPECT_EQ(merged_usr_path("sbin/ldconfig"), "usr/sbin/ldconfig");
  EXPECT_EQ(merged_usr_path("lib/x86_64-linux-gnu/libc.so.6"),
            "usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(merged_usr_path("lib64/ld-linux-x86-64.so.2"), "usr/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(merged_usr_path("lib32/x"), "usr/lib32/x");
  EXPECT_EQ(merged_usr_path("libx32/x"), "usr/libx32/x");
  EXPECT_EQ(merged_usr_path("bin"), "usr/bin");
  EXPECT_EQ(merged_usr_path("lib64"), "usr/lib64");
  EXPECT_EQ(merged_usr_path("bin/"), "usr/bin/");
}

TEST(UsrMerge, PrefixesAreKept) {
  EXPECT_EQ(merged_usr_path("./bin/ls"), "./usr/bin/ls");
  EXPECT_EQ(merged_usr_path("/bin/sh"), "/usr/bin/sh");
}

TEST(UsrMerge, OtherPathsUnchanged) {
  for (const char* p : {"usr/bin/ls", "usr/sbin/x", "usr/lib/x", "etc/passwd", "binaries/x",
                        "library/x", "lib64x", "libexec/x", "var/lib/dpkg", "", "/", "./"}) {
    EXPECT_EQ(merged_usr_path(p), p);
  }
}

TEST(UsrMerge, AliasNames) {
  for (const char* p :
       {"bin", "sbin", "lib", "lib32", "lib64", "libx32", "./bin", "/lib64/", "bin/"}) {
    EXPECT_TRUE(is_merged_usr_alias(p)) << p;
  }
  for (const char* p : {"bin/ls", "usr/bin", "usr", "libexec", "", "etc"}) {
    EXPECT_FALSE(is_merged_usr_alias(p)) << p;
  }
}

TEST(UsrMerge, AbsoluteTargetsMoveIntoUsr) {
  EXPECT_EQ(merged_usr_link_target("lib64/ld-linux-x86-64.so.2",
                                   "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
            "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
  EXPECT_EQ(merged_usr_link_target("usr/bin/sh", "/bin/dash"), "/usr/bin/dash");
  EXPECT_EQ(merged_usr_link_target("etc/alternatives/awk", "/usr/bin/mawk"), "/usr/bin/mawk");
  EXPECT_EQ(merged_usr_link_target("x", "/sbin/"), "/usr/sbin/");
  // Resolved lexically first: /usr/../bin/x is /bin/x.
  EXPECT_EQ(merged_usr_link_target("x", "/usr/../bin/x"), "/usr/bin/x");
  // Untouched targets keep their exact bytes.
  EXPECT_EQ(merged_usr_link_target("x", "/usr//bin/./x"), "/usr//bin/./x");
}

TEST(UsrMerge, RelativeTargetIntoUsrFromMovedLink) {
  // The link moves to usr/lib/x86_64-linux-gnu, next to its target.
  EXPECT_EQ(merged_usr_link_target("lib/x86_64-linux-gnu/libfoo.so",
                                   "../../usr/lib/x86_64-linux-gnu/libfoo.so.1"),
            "libfoo.so.1");
  EXPECT_EQ(merged_usr_link_target("lib/x86_64-linux-gnu/libfoo.so",
                                   "../../usr/lib/x86_64-linux-gnu/sub/libfoo.so.1"),
            "sub/libfoo.so.1");
}

TEST(UsrMerge, RelativeTargetOutOfUsrFromUnmovedLink) {
  // bookworm's libz.so: usr/lib/<triplet>/libz.so -> ../../../lib/<triplet>/libz.so.1
  EXPECT_EQ(merged_usr_link_target("usr/lib/x86_64-linux-gnu/libz.so",
                                   "../../../lib/x86_64-linux-gnu/libz.so.1"),
            "libz.so.1");
  EXPECT_EQ(merged_usr_link_target("usr/share/x/tool", "../../../bin/tool"), "../../bin/tool");
}

TEST(UsrMerge, RelativeTargetsInsideAMovedDirectoryStay) {
  EXPECT_EQ(merged_usr_link_target("bin/sh", "dash"), "dash");
  EXPECT_EQ(merged_usr_link_target("lib/x86_64-linux-gnu/libc.so", "./libc.so.6"), "./libc.so.6");
  EXPECT_EQ(merged_usr_link_target("lib/a/b", "../c/d"), "../c/d");
}

TEST(UsrMerge, RelativeTargetsBetweenAliases) {
  // lib64 -> lib: both move into usr, so the relative link still works unchanged.
  EXPECT_EQ(merged_usr_link_target("lib64/ld.so", "../lib/ld.so"), "../lib/ld.so");
  // sbin/x -> ../bin/y is usr/sbin/x -> ../bin/y after the move, same text.
  EXPECT_EQ(merged_usr_link_target("sbin/x", "../bin/y"), "../bin/y");
  // A moved link pointing at a file that stays put needs one more "..".
  EXPECT_EQ(merged_usr_link_target("bin/x", "../etc/y"), "../../etc/y");
  EXPECT_EQ(merged_usr_link_target("bin/x", ".."), "../..");
}

TEST(UsrMerge, RelativeTargetsAboveTheRootStopThere) {
  // ../../../../bin/x from lib/a resolves to /bin/x (".." at / is /).
  EXPECT_EQ(merged_usr_link_target("lib/a", "../../../../bin/x"), "../bin/x");
  EXPECT_EQ(merged_usr_link_target("etc/a", "../../../bin/x"), "../usr/bin/x");
}

TEST(UsrMerge, UnaffectedLinksAreReturnedVerbatim) {
  EXPECT_EQ(merged_usr_link_target("usr/lib/x/libc.so", "libc.so.6"), "libc.so.6");
  EXPECT_EQ(merged_usr_link_target("etc/localtime", "../usr/share/zoneinfo/UTC"),
            "../usr/share/zoneinfo/UTC");
  EXPECT_EQ(merged_usr_link_target("etc/os-release", "../usr/lib/os-release"),
            "../usr/lib/os-release");
  EXPECT_EQ(merged_usr_link_target("a", ""), "");
  EXPECT_EQ(merged_usr_link_target("usr/a", "b//c/"), "b//c/");
}

TEST(UsrMerge, TargetThatIsTheDirectoryItself) {
  EXPECT_EQ(merged_usr_link_target("etc/a", "../lib"), "../usr/lib");
  EXPECT_EQ(merged_usr_link_target("usr/a", "../lib"), "lib");
  EXPECT_EQ(merged_usr_link_target("usr/lib/a", "../../lib/"), "./");
}

TEST(UsrMerge, Links) {
  using Links = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(merged_usr_links({}),
            (Links{{"bin", "usr/bin"}, {"lib", "usr/lib"}, {"sbin", "usr/sbin"}}));
  EXPECT_EQ(
      merged_usr_links({"usr/lib64"}),
      (Links{
          {"bin", "usr/bin"}, {"lib", "usr/lib"}, {"lib64", "usr/lib64"}, {"sbin", "usr/sbin"}}));
  EXPECT_EQ(merged_usr_links({"libx32", "/usr/lib32/", "lib64", "lib64", "libexec", "usr/lib"}),
            (Links{{"bin", "usr/bin"},
                   {"lib", "usr/lib"},
                   {"lib32", "usr/lib32"},
                   {"lib64", "usr/lib64"},
                   {"libx32", "usr/libx32"},
                   {"sbin", "usr/sbin"}}));
}

TEST(ResolveLinkTarget, RelativeAbsoluteAndDotDot) {
  EXPECT_EQ(resolve_link_target("usr/lib/x/libz.so.1", "libz.so.1.3"), "usr/lib/x/libz.so.1.3");
  EXPECT_EQ(resolve_link_target("lib/x/libfoo.so", "../../usr/lib/x/libfoo.so.1"),
            "usr/lib/x/libfoo.so.1");
  EXPECT_EQ(resolve_link_target("usr/bin/java", "/etc/alternatives/java"), "etc/alternatives/java");
  EXPECT_EQ(resolve_link_target("a", "../../../b/./c"), "b/c");
  EXPECT_EQ(resolve_link_target("/usr/bin/x", "y"), "usr/bin/y");
}

}  // namespace
}  // namespace pare::rootfs
