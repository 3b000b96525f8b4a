// Resolver tests: conflicts, the base set of lower levels, why chains,
// several indexes and the stanza index cache.
#include "deb/resolver.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include <filesystem>

#include "resolver_fixture.h"

namespace pare::deb {
namespace {

using namespace resolver_testing;

// ---- conflicts ----------------------------------------------------------------------

TEST_F(ResolverTest, ConflictIsExplainedNamingBothPackages) {
  std::string text = packages_stanza("alpha-tool", "1", "Conflicts: beta-tool") +
                     packages_stanza("beta-tool", "1");
  auto r = resolve(text, want({{"alpha-tool", ""}, {"beta-tool", ""}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::resolve);
  const std::string& m = r.error().message();
  EXPECT_NE(m.find("alpha-tool"), std::string::npos) << m;
  EXPECT_NE(m.find("beta-tool"), std::string::npos) << m;
}

TEST_F(ResolverTest, ConflictThroughADependencyIsExplained) {
  std::string text = packages_stanza("app", "1", "Depends: libnew") +
                     packages_stanza("libnew", "1", "Breaks: libold") +
                     packages_stanza("libold", "1");
  auto r = resolve(text, want({{"app", ""}, {"libold", ""}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::resolve);
  const std::string& m = r.error().message();
  EXPECT_NE(m.find("libnew"), std::string::npos) << m;
  EXPECT_NE(m.find("libold"), std::string::npos) << m;
}

// ---- base set (levels) --------------------------------------------------------------

TEST_F(ResolverTest, BasePackagesAreNotReturnedAndKeepTheirVersion) {
  std::string text = packages_stanza("libc6", "2.36-9") +
                     packages_stanza("libc6", "2.36-9+deb12u4") +
                     packages_stanza("app", "1", "Depends: libc6 (>= 2.34), libssl3") +
                     packages_stanza("libssl3", "3.0", "Depends: libc6");
  auto r = resolver({index(text)});
  auto lower = r->resolve(want({{"libc6", "2.36-9"}}));
  ASSERT_TRUE(lower.ok()) << message_of(lower);
  ASSERT_EQ(keys(*lower), V({"libc6=2.36-9"}));

  ResolveRequest upper = want({{"app", ""}});
  upper.base = lower->packages;
  auto r2 = r->resolve(upper);
  ASSERT_TRUE(r2.ok()) << message_of(r2);
  EXPECT_EQ(keys(*r2), V({"app=1", "libssl3=3.0"}));  // libc6 neither returned nor upgraded
}

TEST_F(ResolverTest, BaseVersionTooOldForANewPackageIsAnError) {
  std::string text = packages_stanza("lib", "1") + packages_stanza("lib", "2") +
                     packages_stanza("app", "1", "Depends: lib (>= 2)");
  auto r = resolver({index(text)});
  auto lower = r->resolve(want({{"lib", "1"}}));
  ASSERT_TRUE(lower.ok()) << message_of(lower);
  ResolveRequest upper = want({{"app", ""}});
  upper.base = lower->packages;
  auto r2 = r->resolve(upper);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().code(), Errc::resolve);
}

TEST_F(ResolverTest, BasePackageMissingFromTheIndexIsAnError) {
  PackageInfo gone;
  gone.name = "gone";
  gone.version = "1";
  gone.arch = "amd64";
  ResolveRequest req = want({{"app", ""}});
  req.base = {gone};
  auto r = resolve(packages_stanza("app", "1"), req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::resolve);
  EXPECT_NE(r.error().message().find("gone=1:amd64"), std::string::npos) << r.error().message();
}

TEST_F(ResolverTest, CutDependenciesOfBasePackagesAreNotRepeated) {
  std::string text = packages_stanza("low", "1", "Depends: debconf") +
                     packages_stanza("debconf", "1") + packages_stanza("high", "1", "Depends: low");
  auto r = resolver({index(text)});
  auto lower = r->resolve(want({{"low", ""}}, {"debconf"}));
  ASSERT_TRUE(lower.ok()) << message_of(lower);
  ASSERT_EQ(lower->cut.size(), 1u);
  ResolveRequest upper = want({{"high", ""}}, {"debconf"});
  upper.base = lower->packages;
  auto r2 = r->resolve(upper);
  ASSERT_TRUE(r2.ok()) << message_of(r2);
  EXPECT_EQ(keys(*r2), V({"high=1"}));
  EXPECT_TRUE(r2->cut.empty());
}

// ---- why chains ---------------------------------------------------------------------

TEST_F(ResolverTest, WhyChainsAreShortestPathsFromRequestedPackages) {
  std::string text = packages_stanza("app", "1", "Depends: mid1, leaf") +
                     packages_stanza("mid1", "1", "Depends: mid2") +
                     packages_stanza("mid2", "1", "Depends: leaf, deep") +
                     packages_stanza("leaf", "1") + packages_stanza("deep", "1") +
                     packages_stanza("tool", "1");
  auto r = resolve(text, want({{"app", ""}, {"tool", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(r->why.at("app"), V({"app"}));
  EXPECT_EQ(r->why.at("tool"), V({"tool"}));
  EXPECT_EQ(r->why.at("leaf"), V({"app", "leaf"}));  // not via mid1, mid2
  EXPECT_EQ(r->why.at("deep"), V({"app", "mid1", "mid2", "deep"}));
  EXPECT_EQ(r->why.size(), 6u);
}

// ---- several indexes ----------------------------------------------------------------

TEST_F(ResolverTest, HighestVersionAcrossRepositoriesWins) {
  auto main = index(packages_stanza("openssl", "3.0.11-1~deb12u2") +
                        packages_stanza("app", "1", "Depends: openssl"),
                    "bookworm/main");
  auto security = index(packages_stanza("openssl", "3.0.15-1~deb12u1"), "bookworm-security/main",
                        kSecurityMirror);
  auto updates = index(packages_stanza("openssl", "3.0.13-1~deb12u1"), "bookworm-updates/main");
  auto r = resolver({main, security, updates});
  auto res = r->resolve(want({{"app", ""}}));
  ASSERT_TRUE(res.ok()) << message_of(res);
  ASSERT_EQ(keys(*res), V({"app=1", "openssl=3.0.15-1~deb12u1"}));
  EXPECT_EQ(res->packages[1].repo, "bookworm-security/main");
  EXPECT_EQ(res->packages[1].mirror, kSecurityMirror);
  EXPECT_EQ(res->packages[1].url().rfind(kSecurityMirror + "/pool/", 0), 0u)
      << res->packages[1].url();
  EXPECT_EQ(res->packages[0].repo, "bookworm/main");
  EXPECT_EQ(r->package_count(), 4u);
}

TEST_F(ResolverTest, UnreadableIndexIsAnError) {
  auto r = Resolver::create("amd64", {});
  ASSERT_TRUE(r.ok());
  IndexFile missing{tmp_ / "nope.Packages", std::string(64, 'a'), kMirror, "x/main"};
  auto added = (*r)->add_index(missing);
  ASSERT_FALSE(added.ok());
  EXPECT_NE(added.error().message().find("nope.Packages"), std::string::npos);
}

// ---- fields libsolv skips ------------------------------------------------------------

TEST_F(ResolverTest, SourceVersionAndSizeStayWithTheirStanza) {
  // A stanza without Package adds no solvable; field names are case-insensitive;
  // "Source: x" without a version means the binary's own version.
  std::string text =
      "Package: one\nVersion: 1.0+b2\nArchitecture: amd64\nSource: onesrc (1.0)\n"
      "Filename: pool/one.deb\nSize: 111\nSHA256: " +
      std::string(64, '1') +
      "\n\n"
      "Description: a stray stanza without a Package field\nSize: 999\n\n"
      "package: two\nversion: 2.0\narchitecture: all\nsource: twosrc\n"
      "filename: pool/two.deb\nsize: 222\nsha256: " +
      std::string(64, '2') +
      "\n\n"
      "Package: three\nVersion: 3.0\nArchitecture: amd64\nSource:  threesrc  ( 2.9-1 ) \n"
      "Filename: pool/three.deb\nSize: 333\nSHA256: " +
      std::string(64, '3') + "\n";
  auto r = resolve(text, want({{"one", ""}, {"two", ""}, {"three", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  ASSERT_EQ(keys(*r), V({"one=1.0+b2", "three=3.0", "two=2.0"}));
  EXPECT_EQ(r->packages[0].source, "onesrc");
  EXPECT_EQ(r->packages[0].source_version, "1.0");
  EXPECT_EQ(r->packages[0].size, 111u);
  EXPECT_EQ(r->packages[1].source, "threesrc");
  EXPECT_EQ(r->packages[1].source_version, "2.9-1");
  EXPECT_EQ(r->packages[1].size, 333u);
  EXPECT_EQ(r->packages[2].source, "twosrc");
  EXPECT_EQ(r->packages[2].source_version, "2.0");
  EXPECT_EQ(r->packages[2].size, 222u);
}

// ---- a damaged index, and locating what a lockfile selects ----------------------------

TEST_F(ResolverTest, AnIndexThatNoLongerHashesToItsSignedHashIsRefused) {
  IndexFile idx = index(packages_stanza("app", "1"));
  pare::testing::write_text(idx.file,
                            packages_stanza("app", "2"));  // changed since it was verified
  auto r = Resolver::create("amd64", {});
  ASSERT_TRUE(r.ok());
  auto added = (*r)->add_index(idx);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(Errc::integrity, added.error().code());
  EXPECT_NE(std::string::npos, added.error().message().find("does not match its signed hash"));
}

// A resolver serves a whole run (build/run_memo.h): what it resolves against is the text it
// hashed when the index was added, not what the cached file holds later (here overwritten in
// place, same size, another version: a mapping of it would now read "2").
TEST_F(ResolverTest, ResolvesAgainstTheVerifiedTextWhateverTheFileBecomes) {
  IndexFile idx = index(packages_stanza("app", "1"));
  auto res = resolver({idx});
  {
    std::fstream f(idx.file, std::ios::in | std::ios::out | std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    text.replace(text.find("Version: 1"), 10, "Version: 2");
    f.seekp(0);
    f << text;
  }
  auto r = res->resolve(want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->packages.size(), 1u);
  EXPECT_EQ(r->packages[0].version, "1");
}

TEST_F(ResolverTest, LocateGivesTheIndexRecordOfAnExactSelection) {
  IndexFile main = index(packages_stanza("app", "1") + packages_stanza("lib", "1"));
  IndexFile updates = index(packages_stanza("app", "2"), "bookworm-updates/main");
  auto res = resolver({main, updates});
  PackageInfo want;
  want.name = "app";
  want.version = "2";
  want.arch = "amd64";
  auto found = res->locate({want});
  ASSERT_TRUE(found.ok()) << found.error().message();
  ASSERT_EQ(1u, found->size());
  EXPECT_EQ("bookworm-updates/main", (*found)[0].repo);
  EXPECT_FALSE((*found)[0].sha256.empty());
  want.repo = "bookworm/main";  // version 2 is not in that repo
  auto wrong_repo = res->locate({want});
  ASSERT_FALSE(wrong_repo.ok());
  EXPECT_EQ(Errc::resolve, wrong_repo.error().code());
  EXPECT_NE(std::string::npos, wrong_repo.error().message().find("app=2:amd64 from bookworm/main"));
}

// ---- stanza index cache -------------------------------------------------------------

TEST_F(ResolverTest, StanzaIndexIsCachedAndReusedWithTheSameResult) {
  std::string text =
      packages_stanza("app", "1", "Depends: lib | other, virt\nSource: appsrc (0.1)") +
      packages_stanza("lib", "2") + packages_stanza("other", "1") +
      packages_stanza("impl", "3", "Provides: virt");
  IndexFile idx = index(text);
  auto cache = tmp_ / "stanzas";
  auto first = resolver({idx}, cache)->resolve(want({{"app", ""}}));
  ASSERT_TRUE(first.ok()) << message_of(first);
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(cache)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].extension(), ".stanzas");
  EXPECT_EQ(files[0].filename().string().rfind(idx.sha256, 0), 0u) << files[0];

  // The second resolver reads the cache and leaves it as it is.
  auto stamp = std::filesystem::last_write_time(files[0]);
  auto second = resolver({idx}, cache)->resolve(want({{"app", ""}}));
  ASSERT_TRUE(second.ok()) << message_of(second);
  EXPECT_EQ(std::filesystem::last_write_time(files[0]), stamp);
  ASSERT_EQ(keys(*second), keys(*first));
  EXPECT_EQ(keys(*second), V({"app=1", "impl=3", "lib=2"}));
  for (size_t i = 0; i < first->packages.size(); ++i) {
    const auto &a = first->packages[i], &b = second->packages[i];
    EXPECT_EQ(a.sha256, b.sha256);
    EXPECT_EQ(a.filename, b.filename);
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.source_version, b.source_version);
    EXPECT_EQ(a.repo, b.repo);
  }
  EXPECT_EQ(second->why, first->why);
}

TEST_F(ResolverTest, CorruptStanzaCacheIsRebuiltFromTheIndex) {
  std::string text = packages_stanza("app", "1", "Depends: lib") + packages_stanza("lib", "1");
  IndexFile idx = index(text);
  auto cache = tmp_ / "stanzas";
  ASSERT_TRUE(resolver({idx}, cache)->resolve(want({{"app", ""}})).ok());
  std::filesystem::path file = std::filesystem::directory_iterator(cache)->path();
  std::string good = pare::testing::read_text(file);
  for (const std::string& bad : {std::string("garbage, not a stanza index"),
                                 good.substr(0, good.size() - 4), good + "xxxx"}) {
    pare::testing::write_text(file, bad);
    auto again = resolver({idx}, cache);
    EXPECT_EQ(again->package_count(), 2u);
    auto r = again->resolve(want({{"app", ""}}));
    ASSERT_TRUE(r.ok()) << message_of(r);
    EXPECT_EQ(keys(*r), V({"app=1", "lib=1"}));
    EXPECT_EQ(pare::testing::read_text(file), good) << "the cache is written again";
  }
}

TEST_F(ResolverTest, NoCacheWithoutSha) {
  IndexFile idx = index(packages_stanza("app", "1"));
  idx.sha256.clear();
  auto cache = tmp_ / "stanzas";
  auto r = resolver({idx}, cache)->resolve(want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_FALSE(std::filesystem::exists(cache) && !std::filesystem::is_empty(cache));
}

}  // namespace
}  // namespace pare::deb
