// Resolver tests: small Packages files written into a temp dir, resolved with
// libsolv in Debian semantics. Every test names the packages it expects and
// the ones it must not see, so a wrong choice fails.
#include "deb/resolver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "support/deb_builder.h"
#include "util/sha256.h"

namespace pare::deb {
namespace {

using pare::testing::packages_stanza;
using pare::testing::TempTree;
using Want = ResolveRequest::Want;

const std::string kMirror = "http://mirror.test/debian";
const std::string kSecurityMirror = "http://security.test/debian-security";

class ResolverTest : public ::testing::Test {
 protected:
  // Writes a Packages file and describes it as an IndexFile.
  IndexFile index(const std::string& text, const std::string& label = "bookworm/main",
                  const std::string& mirror = kMirror) {
    std::string file = label;
    std::replace(file.begin(), file.end(), '/', '_');
    auto path = tmp_ / (file + "-" + std::to_string(++counter_) + ".Packages");
    pare::testing::write_text(path, text);
    return IndexFile{path, sha256_hex(text), mirror, label};
  }

  std::unique_ptr<Resolver> resolver(const std::vector<IndexFile>& indexes,
                                     const std::filesystem::path& cache = {},
                                     const std::string& arch = "amd64") {
    auto r = Resolver::create(arch, cache);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    for (const auto& i : indexes) {
      auto added = (*r)->add_index(i);
      EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().message());
    }
    return std::move(r.value());
  }

  Result<Resolution> resolve(const std::string& packages, ResolveRequest req) {
    auto r = resolver({index(packages)});
    return r->resolve(req);
  }

  static ResolveRequest want(std::vector<Want> w, std::vector<std::string> excludes = {}) {
    ResolveRequest req;
    req.packages = std::move(w);
    req.excludes = std::move(excludes);
    return req;
  }

  TempTree tmp_{"pare-resolver"};
  int counter_ = 0;
};

// "name=version" of every resolved package, in the resolution's order.
std::vector<std::string> keys(const Resolution& r) {
  std::vector<std::string> out;
  for (const auto& p : r.packages) out.push_back(p.name + "=" + p.version);
  return out;
}

std::vector<std::string> V(std::initializer_list<const char*> l) {
  return {l.begin(), l.end()};
}

std::string message_of(const Result<Resolution>& r) {
  return r.ok() ? "(resolved)" : r.error().message();
}

// ---- basics -------------------------------------------------------------------------

TEST_F(ResolverTest, CreateNeedsAnArchitecture) {
  auto r = Resolver::create("", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
}

TEST_F(ResolverTest, PlainDependsChain) {
  std::string text = packages_stanza("app", "1.0", "Depends: libfoo\nSource: app-src (0.9)") +
                     packages_stanza("libfoo", "2.1", "Depends: libc6 (>= 2.36)") +
                     packages_stanza("libc6", "2.36-9") + packages_stanza("unrelated", "1.0");
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1.0", "libc6=2.36-9", "libfoo=2.1"}));
  EXPECT_TRUE(r->cut.empty());

  const PackageInfo& app = r->packages[0];
  EXPECT_EQ(app.arch, "amd64");
  EXPECT_EQ(app.filename, "pool/main/a/app/app_1.0_amd64.deb");
  EXPECT_EQ(app.url(), kMirror + "/pool/main/a/app/app_1.0_amd64.deb");
  EXPECT_EQ(app.mirror, kMirror);
  EXPECT_EQ(app.repo, "bookworm/main");
  EXPECT_EQ(app.sha256.size(), 64u);
  EXPECT_EQ(app.size, 1000u);
  EXPECT_EQ(app.installed_size, 4u * 1024u);  // Installed-Size is in KiB
  EXPECT_EQ(app.source, "app-src");
  EXPECT_EQ(app.source_version, "0.9");
  EXPECT_EQ(app.key(), "app=1.0:amd64");
  // Without a Source field the package is its own source.
  EXPECT_EQ(r->packages[1].source, "libc6");
  EXPECT_EQ(r->packages[1].source_version, "2.36-9");
}

TEST_F(ResolverTest, PackageCountCountsEveryStanza) {
  auto r = resolver(
      {index(packages_stanza("a", "1") + packages_stanza("b", "1") + packages_stanza("c", "1"))});
  EXPECT_EQ(r->package_count(), 3u);
}

TEST_F(ResolverTest, RecommendsAndSuggestsAreNotInstalled) {
  std::string text = packages_stanza("app", "1", "Recommends: rec\nSuggests: sug") +
                     packages_stanza("rec", "1") + packages_stanza("sug", "1");
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1"}));
}

TEST_F(ResolverTest, PreDependsAreInstalled) {
  std::string text = packages_stanza("app", "1", "Pre-Depends: early\nDepends: late") +
                     packages_stanza("early", "1") + packages_stanza("late", "1");
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "early=1", "late=1"}));
  EXPECT_EQ(r->why.at("early"), V({"app", "early"}));
}

TEST_F(ResolverTest, MissingSha256IsAnIntegrityError) {
  std::string text = "Package: bare\nVersion: 1\nArchitecture: amd64\nFilename: pool/b.deb\n\n";
  auto r = resolve(text, want({{"bare", ""}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::integrity);
  EXPECT_NE(r.error().message().find("bare=1:amd64"), std::string::npos) << r.error().message();
}

// ---- versions -----------------------------------------------------------------------

std::string three_versions_of_b(const std::string& dep) {
  return packages_stanza("a", "1", "Depends: " + dep) + packages_stanza("b", "1.0") +
         packages_stanza("b", "2.0") + packages_stanza("b", "3.0");
}

TEST_F(ResolverTest, VersionedConstraintGreaterOrEqualTakesTheNewest) {
  auto r = resolve(three_versions_of_b("b (>= 2.0)"), want({{"a", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"a=1", "b=3.0"}));
}

TEST_F(ResolverTest, VersionedConstraintStrictlyLess) {
  auto r = resolve(three_versions_of_b("b (<< 3.0)"), want({{"a", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"a=1", "b=2.0"}));
}

TEST_F(ResolverTest, VersionedConstraintEqual) {
  auto r = resolve(three_versions_of_b("b (= 1.0)"), want({{"a", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"a=1", "b=1.0"}));
}

TEST_F(ResolverTest, VersionedConstraintUsesDebianOrdering) {
  // 1.0~rc1 << 1.0 << 1.0+b1 << 1.10 (Debian Policy 5.6.12), not string order.
  std::string text = packages_stanza("a", "1", "Depends: b (>> 1.0), b (<< 1.10)") +
                     packages_stanza("b", "1.0~rc1") + packages_stanza("b", "1.0") +
                     packages_stanza("b", "1.0+b1") + packages_stanza("b", "1.10");
  auto r = resolve(text, want({{"a", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"a=1", "b=1.0+b1"}));
}

TEST_F(ResolverTest, UnsatisfiableVersionIsAResolveError) {
  auto r = resolve(three_versions_of_b("b (>= 4)"), want({{"a", ""}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::resolve);
  EXPECT_NE(r.error().message().find("b"), std::string::npos);
}

TEST_F(ResolverTest, WithoutConstraintTheNewestVersionWins) {
  auto r = resolve(three_versions_of_b("b"), want({{"a", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"a=1", "b=3.0"}));
}

// ---- alternatives -------------------------------------------------------------------

TEST_F(ResolverTest, FirstAlternativeIsChosenWhenBothExist) {
  // "zeta" sorts after "alpha" and has a longer chain: only the written order favours it.
  for (const char* order : {"zeta | alpha", "alpha | zeta"}) {
    std::string text = packages_stanza("app", "1", std::string("Depends: ") + order) +
                       packages_stanza("zeta", "1", "Depends: zeta-data") +
                       packages_stanza("zeta-data", "1") + packages_stanza("alpha", "1");
    auto r = resolve(text, want({{"app", ""}}));
    ASSERT_TRUE(r.ok()) << message_of(r);
    auto expected = std::string(order).rfind("zeta", 0) == 0 ? V({"app=1", "zeta=1", "zeta-data=1"})
                                                              : V({"alpha=1", "app=1"});
    EXPECT_EQ(keys(*r), expected) << order;
  }
}

TEST_F(ResolverTest, FirstAlternativeInPreDependsAndThroughAChain) {
  std::string text = packages_stanza("app", "1", "Depends: mid") +
                     packages_stanza("mid", "1", "Pre-Depends: yy | xx") +
                     packages_stanza("xx", "1") + packages_stanza("yy", "1");
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "mid=1", "yy=1"}));
}

TEST_F(ResolverTest, SecondAlternativeWhenTheFirstIsUninstallable) {
  std::string text = packages_stanza("app", "1", "Depends: broken | fallback") +
                     packages_stanza("broken", "1", "Depends: does-not-exist") +
                     packages_stanza("fallback", "1");
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "fallback=1"}));
}

TEST_F(ResolverTest, SecondAlternativeWhenTheFirstIsMissingOrTooOld) {
  std::string text = packages_stanza("app", "1", "Depends: gone | old (>= 2) | good") +
                     packages_stanza("old", "1") + packages_stanza("good", "1");
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "good=1"}));
}

TEST_F(ResolverTest, AlternativeAlreadySatisfiedByAnotherDependencyIsKept) {
  // app needs "b" anyway; "a | b" is then met without installing a (apt does the same).
  std::string text = packages_stanza("app", "1", "Depends: b, a | b") + packages_stanza("a", "1") +
                     packages_stanza("b", "1");
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  auto k = keys(*r);
  EXPECT_NE(std::find(k.begin(), k.end(), "b=1"), k.end());
}

// ---- virtual packages ---------------------------------------------------------------

TEST_F(ResolverTest, VirtualPackageThroughProvides) {
  std::string text = packages_stanza("app", "1", "Depends: mail-transport-agent") +
                     packages_stanza("postfix", "3.7", "Provides: mail-transport-agent");
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "postfix=3.7"}));
  EXPECT_EQ(r->why.at("postfix"), V({"app", "postfix"}));
}

TEST_F(ResolverTest, VersionedProvidesSatisfyVersionedDependencies) {
  std::string text = packages_stanza("app", "1", "Depends: libvirt (>= 2)") +
                     packages_stanza("old-impl", "1", "Provides: libvirt (= 1)") +
                     packages_stanza("new-impl", "1", "Provides: libvirt (= 2.5)");
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "new-impl=1"}));
}

TEST_F(ResolverTest, RequestingAVirtualNameInstallsAProvider) {
  std::string text =
      packages_stanza("awk-impl", "1", "Provides: awk") + packages_stanza("other", "1");
  auto r = resolve(text, want({{"awk", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"awk-impl=1"}));
}

// ---- multi-arch ---------------------------------------------------------------------

TEST_F(ResolverTest, ArchAllPackagesResolveForAmd64) {
  std::string text = packages_stanza("app", "1", "Depends: data") +
                     packages_stanza("data", "1", "", "all") +
                     packages_stanza("app", "2", "", "arm64");  // another architecture's build
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "data=1"}));
  EXPECT_EQ(r->packages[0].arch, "amd64");
  EXPECT_EQ(r->packages[1].arch, "all");
  EXPECT_EQ(r->packages[1].key(), "data=1:all");
}

TEST_F(ResolverTest, AnyQualifiedDependencyResolves) {
  std::string text = packages_stanza("app", "1", "Depends: python3:any (>= 3.11), perl:any") +
                     packages_stanza("python3", "3.11.2", "Multi-Arch: allowed") +
                     packages_stanza("perl", "5.36", "Multi-Arch: allowed");
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "perl=5.36", "python3=3.11.2"}));
}

TEST_F(ResolverTest, MultiArchForeignPackageResolves) {
  std::string text = packages_stanza("app", "1", "Depends: tool") +
                     packages_stanza("tool", "1", "Multi-Arch: foreign") +
                     packages_stanza("lib", "1", "Multi-Arch: same\nDepends: tool:any");
  auto r = resolve(text, want({{"app", ""}, {"lib", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "lib=1", "tool=1"}));
}

// ---- excludes -----------------------------------------------------------------------

TEST_F(ResolverTest, ExcludedDependencyIsCutAndNotInstalled) {
  std::string text =
      packages_stanza("app", "1", "Depends: debconf (>= 0.5) | debconf-2.0, libc6") +
      packages_stanza("debconf", "1.5.82", "Provides: debconf-2.0\nDepends: perl-base") +
      packages_stanza("cdebconf", "0.270", "Provides: debconf-2.0") +
      packages_stanza("perl-base", "5.36") + packages_stanza("libc6", "2.36");
  auto r = resolve(text, want({{"app", ""}}, {"debconf"}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "libc6=2.36"}));  // no debconf, cdebconf, perl-base
  ASSERT_EQ(r->cut.size(), 1u);
  EXPECT_EQ(r->cut[0].package, "app");
  EXPECT_EQ(r->cut[0].dependency, "debconf (>= 0.5) | debconf-2.0");
  EXPECT_EQ(r->cut[0].excluded, "debconf");
  for (const auto& [name, chain] : r->why)
    EXPECT_EQ(name.find("excluded"), std::string::npos) << "stand-in in why: " << name;
}

TEST_F(ResolverTest, ExcludedNameWithVersionedDependency) {
  std::string text = packages_stanza("app", "1", "Pre-Depends: dpkg (>= 1.19)") +
                     packages_stanza("dpkg", "1.21.22", "Depends: tar") +
                     packages_stanza("tar", "1.34");
  auto r = resolve(text, want({{"app", ""}}, {"dpkg"}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1"}));
  ASSERT_EQ(r->cut.size(), 1u);
  EXPECT_EQ(r->cut[0].package, "app");
  EXPECT_EQ(r->cut[0].dependency, "dpkg (>= 1.19)");
  EXPECT_EQ(r->cut[0].excluded, "dpkg");
}

TEST_F(ResolverTest, ExcludedVirtualName) {
  std::string text = packages_stanza("app", "1", "Depends: awk") +
                     packages_stanza("mawk", "1", "Provides: awk") +
                     packages_stanza("gawk", "1", "Provides: awk");
  auto r = resolve(text, want({{"app", ""}}, {"awk"}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1"}));
  ASSERT_EQ(r->cut.size(), 1u);
  EXPECT_EQ(r->cut[0].excluded, "awk");
}

TEST_F(ResolverTest, ExcludedPackageIsNotPulledInThroughItsProvides) {
  // Excluding a real package also keeps it out when a dependency names what it provides.
  std::string text =
      packages_stanza("app", "1", "Depends: mta") + packages_stanza("exim", "4", "Provides: mta");
  auto r = resolve(text, want({{"app", ""}}, {"exim"}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1"}));
  ASSERT_EQ(r->cut.size(), 1u);
  EXPECT_EQ(r->cut[0].dependency, "mta");
  EXPECT_EQ(r->cut[0].excluded, "exim");
}

TEST_F(ResolverTest, ExcludeThatNothingNeedsChangesNothing) {
  std::string text = packages_stanza("app", "1") + packages_stanza("other", "1");
  auto r = resolve(text, want({{"app", ""}}, {"other", "not-in-index"}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1"}));
  EXPECT_TRUE(r->cut.empty());
}

TEST_F(ResolverTest, RequestedAndExcludedIsAnError) {
  auto r = resolve(packages_stanza("app", "1"), want({{"app", ""}}, {"app"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find("app"), std::string::npos);
  EXPECT_NE(r.error().message().find("excluded"), std::string::npos);
}

TEST_F(ResolverTest, ResolverCanBeReusedAfterExcludes) {
  std::string text = packages_stanza("app", "1", "Depends: dep") + packages_stanza("dep", "1");
  auto r = resolver({index(text)});
  auto first = r->resolve(want({{"app", ""}}, {"dep"}));
  ASSERT_TRUE(first.ok()) << message_of(first);
  EXPECT_EQ(keys(*first), V({"app=1"}));
  auto second = r->resolve(want({{"app", ""}}));
  ASSERT_TRUE(second.ok()) << message_of(second);
  EXPECT_EQ(keys(*second), V({"app=1", "dep=1"}));
  EXPECT_TRUE(second->cut.empty());
  EXPECT_EQ(r->package_count(), 2u);
}

// ---- pins and unknown names ---------------------------------------------------------

TEST_F(ResolverTest, VersionPinSelectsThatVersion) {
  std::string text = packages_stanza("tool", "1.0") + packages_stanza("tool", "2.0");
  auto r = resolve(text, want({{"tool", "1.0"}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"tool=1.0"}));
}

TEST_F(ResolverTest, PinThatDoesNotExistListsAvailableVersions) {
  std::string text = packages_stanza("tool", "9.0") + packages_stanza("tool", "10.0") +
                     packages_stanza("tool", "1.0");
  auto r = resolve(text, want({{"tool", "3.0"}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::resolve);
  const std::string& m = r.error().message();
  EXPECT_NE(m.find("3.0"), std::string::npos) << m;
  // In Debian version order.
  EXPECT_NE(m.find("available: 1.0, 9.0, 10.0"), std::string::npos) << m;
}

TEST_F(ResolverTest, UnknownPackageSuggestsACloseName) {
  std::string text = packages_stanza("python3", "3.11") + packages_stanza("perl", "5.36");
  auto r = resolve(text, want({{"pyhton3", ""}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::resolve);
  const std::string& m = r.error().message();
  EXPECT_NE(m.find("pyhton3"), std::string::npos) << m;
  EXPECT_NE(m.find("not in the index"), std::string::npos) << m;
  EXPECT_NE(m.find("amd64"), std::string::npos) << m;
  EXPECT_NE(m.find("did you mean python3?"), std::string::npos) << m;
}

TEST_F(ResolverTest, UnknownPackageWithNothingCloseHasNoSuggestion) {
  auto r = resolve(packages_stanza("python3", "3.11"), want({{"zzzzzzzz", ""}}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().find("did you mean"), std::string::npos) << r.error().message();
}

TEST_F(ResolverTest, UnknownPackageDoesNotSuggestAnExcludeStandIn) {
  auto r = resolve(packages_stanza("python3", "3.11"), want({{"perl", ""}}, {"perl5"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().find("excluded"), std::string::npos) << r.error().message();
}

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

// ---- .solv cache --------------------------------------------------------------------

TEST_F(ResolverTest, SolvCacheIsWrittenAndReusedWithTheSameResult) {
  std::string text =
      packages_stanza("app", "1", "Depends: lib | other, virt\nSource: appsrc (0.1)") +
      packages_stanza("lib", "2") + packages_stanza("other", "1") +
      packages_stanza("impl", "3", "Provides: virt");
  IndexFile idx = index(text);
  auto cache = tmp_ / "solv";
  auto first = resolver({idx}, cache)->resolve(want({{"app", ""}}));
  ASSERT_TRUE(first.ok()) << message_of(first);
  size_t solv_files = 0;
  for (const auto& e : std::filesystem::directory_iterator(cache)) {
    EXPECT_EQ(e.path().extension(), ".solv") << e.path();
    EXPECT_EQ(e.path().filename().string().rfind(idx.sha256, 0), 0u) << e.path();
    ++solv_files;
  }
  EXPECT_EQ(solv_files, 1u);

  // The Packages file is gone: the second resolver can only have read the cache.
  std::filesystem::remove(idx.file);
  auto second = resolver({idx}, cache)->resolve(want({{"app", ""}}));
  ASSERT_TRUE(second.ok()) << message_of(second);
  ASSERT_EQ(keys(*second), keys(*first));
  EXPECT_EQ(keys(*second), V({"app=1", "impl=3", "lib=2"}));
  for (size_t i = 0; i < first->packages.size(); ++i) {
    const auto &a = first->packages[i], &b = second->packages[i];
    EXPECT_EQ(a.sha256, b.sha256);
    EXPECT_EQ(a.filename, b.filename);
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.installed_size, b.installed_size);
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.source_version, b.source_version);
    EXPECT_EQ(a.repo, b.repo);
  }
  EXPECT_EQ(second->why, first->why);
}

TEST_F(ResolverTest, CorruptSolvCacheFallsBackToTheIndex) {
  std::string text = packages_stanza("app", "1", "Depends: lib") + packages_stanza("lib", "1");
  IndexFile idx = index(text);
  auto cache = tmp_ / "solv";
  ASSERT_TRUE(resolver({idx}, cache)->resolve(want({{"app", ""}})).ok());
  for (const auto& e : std::filesystem::directory_iterator(cache))
    pare::testing::write_text(e.path(), "garbage, not a solv file");
  auto again = resolver({idx}, cache);
  EXPECT_EQ(again->package_count(), 2u);
  auto r = again->resolve(want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "lib=1"}));
}

TEST_F(ResolverTest, NoCacheWithoutSha) {
  IndexFile idx = index(packages_stanza("app", "1"));
  idx.sha256.clear();
  auto cache = tmp_ / "solv";
  auto r = resolver({idx}, cache)->resolve(want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_FALSE(std::filesystem::exists(cache) && !std::filesystem::is_empty(cache));
}

}  // namespace
}  // namespace pare::deb
