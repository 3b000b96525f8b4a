#include "rootfs/filter.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pare::rootfs {
namespace {

const FilterOptions kDefault{};

TEST(Filter, CopyrightAndItsParentsAreKept) {
  EXPECT_TRUE(keep_path("usr/share/doc/libc6/copyright", kDefault));
  EXPECT_TRUE(keep_path("usr/share/doc/libc6", kDefault));
  EXPECT_TRUE(keep_path("usr/share/doc/libc6/", kDefault));
  EXPECT_TRUE(keep_path("usr/share/doc", kDefault));
  EXPECT_TRUE(keep_path("usr/share", kDefault));
  EXPECT_TRUE(keep_path("./usr/share/doc/libc6/copyright", kDefault));
  EXPECT_TRUE(keep_path("/usr/share/doc/libc6/copyright", kDefault));
  // A package whose doc directory is a symlink to another's keeps the link.
  EXPECT_TRUE(keep_path("usr/share/doc/libgcc-s1", kDefault));
}

TEST(Filter, OtherDocsAreDropped) {
  EXPECT_FALSE(keep_path("usr/share/doc/libc6/changelog.Debian.gz", kDefault));
  EXPECT_FALSE(keep_path("usr/share/doc/libc6/NEWS.gz", kDefault));
  EXPECT_FALSE(keep_path("usr/share/doc/libc6/examples", kDefault));
  EXPECT_FALSE(keep_path("usr/share/doc/libc6/examples/copyright", kDefault));
  EXPECT_FALSE(keep_path("usr/share/doc/libc6/copyright.gz", kDefault));
}

TEST(Filter, ManInfoLocaleAndPackagingDataAreDropped) {
  for (const char* p : {"usr/share/man/man1/ls.1.gz", "usr/share/man/de/man1/ls.1.gz",
                        "usr/share/man", "usr/share/man/man1", "usr/share/info/libc.info.gz",
                        "usr/share/info/dir", "usr/share/locale/de/LC_MESSAGES/coreutils.mo",
                        "usr/share/locale/pt_BR/LC_MESSAGES/libc.mo", "usr/share/locale",
                        "usr/share/lintian/overrides/libc6", "usr/share/linda/overrides/x",
                        "usr/share/bug/libc6/control"}) {
    EXPECT_FALSE(keep_path(p, kDefault)) << p;
  }
}

TEST(Filter, EverythingElseIsKept) {
  for (const char* p :
       {"usr/share/common-licenses/GPL-3", "usr/share/common-licenses", "usr/bin/ls",
        "usr/lib/locale/C.utf8/LC_CTYPE", "usr/lib/x86_64-linux-gnu/libc.so.6", "etc/ssl/certs",
        "usr/share/zoneinfo/UTC", "usr/share/mime-types", "usr/local/share/man", "share/man/x",
        "usr/share/manual/x", "usr/share/doc-base/libc6", "usr/lib/python3/doc/x", "", ".", "./"}) {
    EXPECT_TRUE(keep_path(p, kDefault)) << p;
  }
}

TEST(Filter, KeepFlagsKeepTheirTrees) {
  FilterOptions o;
  o.keep_docs = o.keep_man = o.keep_info = o.keep_locales = true;
  EXPECT_TRUE(keep_path("usr/share/doc/libc6/changelog.Debian.gz", o));
  EXPECT_TRUE(keep_path("usr/share/man/man1/ls.1.gz", o));
  EXPECT_TRUE(keep_path("usr/share/info/libc.info.gz", o));
  EXPECT_TRUE(keep_path("usr/share/locale/de/LC_MESSAGES/coreutils.mo", o));
  // Packaging-tool data has no flag: always dropped.
  EXPECT_FALSE(keep_path("usr/share/lintian/overrides/libc6", o));

  FilterOptions only_man;
  only_man.keep_man = true;
  EXPECT_TRUE(keep_path("usr/share/man/man1/ls.1.gz", only_man));
  EXPECT_FALSE(keep_path("usr/share/info/libc.info.gz", only_man));
  EXPECT_FALSE(keep_path("usr/share/doc/libc6/NEWS.gz", only_man));
}

TEST(Filter, FilteredDirs) {
  EXPECT_TRUE(is_filtered_dir("usr/share/man", kDefault));
  EXPECT_TRUE(is_filtered_dir("usr/share/man/man1", kDefault));
  EXPECT_TRUE(is_filtered_dir("./usr/share/man/man1/", kDefault));
  EXPECT_TRUE(is_filtered_dir("usr/share/locale/de/LC_MESSAGES", kDefault));
  EXPECT_TRUE(is_filtered_dir("usr/share/info", kDefault));
  EXPECT_TRUE(is_filtered_dir("usr/share/lintian/overrides", kDefault));
  EXPECT_TRUE(is_filtered_dir("usr/share/doc/libc6/examples", kDefault));
  EXPECT_FALSE(is_filtered_dir("usr/share/doc/libc6", kDefault));
  EXPECT_FALSE(is_filtered_dir("usr/share/doc", kDefault));
  EXPECT_FALSE(is_filtered_dir("usr/share", kDefault));
  EXPECT_FALSE(is_filtered_dir("usr", kDefault));
  EXPECT_FALSE(is_filtered_dir("", kDefault));
  EXPECT_FALSE(is_filtered_dir("usr/share/common-licenses", kDefault));
  FilterOptions o;
  o.keep_man = o.keep_docs = true;
  EXPECT_FALSE(is_filtered_dir("usr/share/man/man1", o));
  EXPECT_FALSE(is_filtered_dir("usr/share/doc/libc6/examples", o));
}

TEST(Filter, ExtraExcludes) {
  FilterOptions o;
  o.extra_excludes = {"usr/share/zoneinfo/right/**", "**/*.a", "usr/lib/*/gconv",
                      "/usr/share/python-wheels/**"};
  EXPECT_FALSE(keep_path("usr/share/zoneinfo/right/UTC", o));
  EXPECT_FALSE(keep_path("usr/share/zoneinfo/right", o));
  EXPECT_TRUE(keep_path("usr/share/zoneinfo/UTC", o));
  EXPECT_TRUE(keep_path("usr/share/zoneinfo/rightish", o));
  EXPECT_FALSE(keep_path("usr/lib/x86_64-linux-gnu/libc_nonshared.a", o));
  EXPECT_FALSE(keep_path("libfoo.a", o));
  EXPECT_TRUE(keep_path("usr/lib/x86_64-linux-gnu/libc.so.6", o));
  // A pattern naming a directory drops what is beneath it.
  EXPECT_FALSE(keep_path("usr/lib/x86_64-linux-gnu/gconv", o));
  EXPECT_FALSE(keep_path("usr/lib/x86_64-linux-gnu/gconv/UTF-16.so", o));
  EXPECT_TRUE(keep_path("usr/lib/x86_64-linux-gnu/gconvx/UTF-16.so", o));
  EXPECT_FALSE(keep_path("usr/share/python-wheels/pip.whl", o));

  EXPECT_TRUE(is_filtered_dir("usr/share/zoneinfo/right", o));
  EXPECT_TRUE(is_filtered_dir("usr/share/zoneinfo/right/Europe", o));
  EXPECT_TRUE(is_filtered_dir("usr/lib/aarch64-linux-gnu/gconv", o));
  EXPECT_FALSE(is_filtered_dir("usr/share/zoneinfo", o));
  EXPECT_FALSE(is_filtered_dir("usr/lib", o));
  FilterOptions all;
  all.extra_excludes = {"**"};
  EXPECT_FALSE(keep_path("etc/passwd", all));
  EXPECT_TRUE(is_filtered_dir("etc", all));
}

TEST(Filter, FingerprintIsStableAndDistinguishesOptions) {
  FilterOptions a, b;
  EXPECT_EQ(filter_fingerprint(a), filter_fingerprint(b));
  a.extra_excludes = {"x/**", "y", "x/**"};
  b.extra_excludes = {"y", "x/**"};
  EXPECT_EQ(filter_fingerprint(a), filter_fingerprint(b));
  b.extra_excludes = {"y", "./x/**"};
  EXPECT_EQ(filter_fingerprint(a), filter_fingerprint(b));
  std::set<std::string> seen;
  FilterOptions base;
  seen.insert(filter_fingerprint(base));
  for (int i = 0; i < 4; ++i) {
    FilterOptions o;
    (i == 0 ? o.keep_docs : i == 1 ? o.keep_man : i == 2 ? o.keep_info : o.keep_locales) = true;
    EXPECT_TRUE(seen.insert(filter_fingerprint(o)).second) << i;
  }
  FilterOptions p1, p2;
  p1.extra_excludes = {"a;1:b"};
  p2.extra_excludes = {"a", "b"};
  EXPECT_NE(filter_fingerprint(p1), filter_fingerprint(p2));
  EXPECT_NE(filter_fingerprint(p1), filter_fingerprint(base));
}

// ---- glob ----------------------------------------------------------------------

TEST(Glob, StarStaysWithinASegment) {
  EXPECT_TRUE(glob_match("usr/*/x", "usr/lib/x"));
  EXPECT_FALSE(glob_match("usr/*/x", "usr/lib/a/x"));
  EXPECT_TRUE(glob_match("*.mo", "libc.mo"));
  EXPECT_FALSE(glob_match("*.mo", "de/libc.mo"));
  EXPECT_TRUE(glob_match("*", ".hidden"));
  EXPECT_TRUE(glob_match("lib*.so.*", "libc.so.6"));
  EXPECT_FALSE(glob_match("lib*.so.*", "libc.so"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYbc"));
  EXPECT_TRUE(glob_match("a**b", "axxb"));  // "**" inside a segment is "*"
  EXPECT_FALSE(glob_match("a**b", "ax/xb"));
  EXPECT_FALSE(glob_match("*", ""));  // the root has no segment for "*" to match
}

TEST(Glob, DoubleStarSpansSegments) {
  EXPECT_TRUE(glob_match("usr/share/lintian/**", "usr/share/lintian"));
  EXPECT_TRUE(glob_match("usr/share/lintian/**", "usr/share/lintian/overrides/libc6"));
  EXPECT_FALSE(glob_match("usr/share/lintian/**", "usr/share/lintianx"));
  EXPECT_TRUE(glob_match("**/*.mo", "x.mo"));
  EXPECT_TRUE(glob_match("**/*.mo", "usr/share/locale/de/LC_MESSAGES/x.mo"));
  EXPECT_FALSE(glob_match("**/*.mo", "usr/share/x.mox"));
  EXPECT_TRUE(glob_match("usr/**/LC_MESSAGES/*.mo", "usr/share/locale/de/LC_MESSAGES/a.mo"));
  EXPECT_TRUE(glob_match("a/**/b", "a/b"));
  EXPECT_TRUE(glob_match("a/**/**/b", "a/x/y/z/b"));
  EXPECT_FALSE(glob_match("a/**/b", "a/x/c"));
  EXPECT_TRUE(glob_match("**", "anything/at/all"));
}

TEST(Glob, QuestionMarkBracketsAndEscapes) {
  EXPECT_TRUE(glob_match("lib?.so", "libc.so"));
  EXPECT_FALSE(glob_match("lib?.so", "lib.so"));
  EXPECT_FALSE(glob_match("a?b", "a/b"));
  EXPECT_TRUE(glob_match("man[0-9]", "man8"));
  EXPECT_FALSE(glob_match("man[0-9]", "mana"));
  EXPECT_TRUE(glob_match("man[!0-9]", "mana"));
  EXPECT_TRUE(glob_match("man[^0-9]", "mana"));
  EXPECT_FALSE(glob_match("man[!0-9]", "man1"));
  EXPECT_TRUE(glob_match("[]]", "]"));
  EXPECT_TRUE(glob_match("[a-]", "-"));
  EXPECT_TRUE(glob_match("x[", "x["));  // unterminated: literal
  EXPECT_TRUE(glob_match("\\*", "*"));
  EXPECT_FALSE(glob_match("\\*", "a"));
  EXPECT_TRUE(glob_match("a\\?", "a?"));
  EXPECT_TRUE(glob_match("*[ch]", "x.h"));
}

TEST(Glob, NormalisesPrefixesAndSeparators) {
  EXPECT_TRUE(glob_match("/usr//share/", "./usr/share"));
  EXPECT_TRUE(glob_match("usr/share", "usr/share/"));
  EXPECT_FALSE(glob_match("usr", "usr/share"));
}

TEST(Glob, ManyStarsStayFast) {
  std::string path(200, 'a');
  EXPECT_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*b", path));
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "d/";
  deep += "x";
  EXPECT_FALSE(glob_match("**/**/**/**/**/**/y", deep));
  EXPECT_TRUE(glob_match("**/**/**/**/**/**/x", deep));
}

// ---- slices (`only`) ----------------------------------------------------------

TEST(FilterSlice, KeepsMatchesTheirTreesParentsAndCopyright) {
  FilterOptions o;
  o.only = {"/usr/lib/locale/C.utf8/**", "/usr/sbin/ldconfig"};
  for (const char* kept :
       {"usr", "usr/lib", "usr/lib/locale", "usr/lib/locale/C.utf8",
        "usr/lib/locale/C.utf8/LC_CTYPE", "usr/lib/locale/C.utf8/LC_MESSAGES/SYS_LC_MESSAGES",
        "usr/sbin", "usr/sbin/ldconfig", "usr/share", "usr/share/doc", "usr/share/doc/libc-bin",
        "usr/share/doc/libc-bin/copyright"})
    EXPECT_TRUE(keep_path(kept, o)) << kept;
  for (const char* dropped : {"usr/bin/getent", "usr/bin/ldd", "etc/ld.so.conf",
                              "usr/lib/x86_64-linux-gnu", "usr/lib/locale/C.utf8x", "usr/sbin/zic",
                              "usr/share/doc/libc-bin/changelog.gz", "usr/share/libc-bin"})
    EXPECT_FALSE(keep_path(dropped, o)) << dropped;
}

TEST(FilterSlice, PatternsNameBothUsrLayouts) {
  FilterOptions o;
  o.only = {"/usr/sbin/ldconfig", "/lib/*/libfoo.so*"};
  EXPECT_TRUE(keep_path("sbin/ldconfig", o));
  EXPECT_TRUE(keep_path("sbin", o));
  EXPECT_TRUE(keep_path("usr/lib/x86_64-linux-gnu/libfoo.so.1", o));
  EXPECT_TRUE(keep_path("lib/x86_64-linux-gnu/libfoo.so.1", o));
  EXPECT_TRUE(keep_path("lib/x86_64-linux-gnu", o));
  EXPECT_FALSE(keep_path("lib/x86_64-linux-gnu/libbar.so.1", o));
  EXPECT_FALSE(keep_path("sbin/ldconfig.real", o));
}

TEST(FilterSlice, BuiltInRulesStillApplyAndTheFingerprintChanges) {
  FilterOptions o;
  o.only = {"/usr/share/**"};
  EXPECT_FALSE(keep_path("usr/share/man/man1/x.1.gz", o));
  EXPECT_TRUE(keep_path("usr/share/zoneinfo/UTC", o));
  FilterOptions whole;
  EXPECT_NE(filter_fingerprint(o), filter_fingerprint(whole));
  FilterOptions reordered;
  reordered.only = {"usr/share/**", "/usr/share/**"};
  EXPECT_EQ(filter_fingerprint(o), filter_fingerprint(reordered));
}

}  // namespace
}  // namespace pare::rootfs
