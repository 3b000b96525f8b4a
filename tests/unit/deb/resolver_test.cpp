// Resolver tests: dependency kinds, versions, alternatives, virtual packages,
// multi-arch, excludes, pins and unknown names. Every test names the packages
// it expects, so a wrong choice fails.
#include "deb/resolver.h"

#include <gtest/gtest.h>

#include "resolver_fixture.h"

namespace pare::deb {
namespace {

using namespace resolver_testing;

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

TEST_F(ResolverTest, RealPackageIsPreferredOverAnotherThatProvidesItsName) {
  // Debian's libelogind0 provides libsystemd0; apt installs libsystemd0 for "Depends:
  // libsystemd0". The providers' names sort on both sides of the real one.
  for (const char* impostor : {"aa-elogind", "zz-elogind"}) {
    std::string text = packages_stanza("app", "1", "Depends: libsystemd0, tool") +
                       packages_stanza("tool", "1", "Depends: libsystemd0 (>= 250)") +
                       packages_stanza(impostor, "252", "Provides: libsystemd0 (= 252)") +
                       packages_stanza("libsystemd0", "252");
    auto r = resolve(text, want({{"app", ""}}));
    ASSERT_TRUE(r.ok()) << message_of(r);
    EXPECT_EQ(keys(*r), V({"app=1", "libsystemd0=252", "tool=1"})) << impostor;
  }
}

TEST_F(ResolverTest, ProviderIsTakenWhenTheRealPackageCannotBe) {
  std::string text = packages_stanza("app", "1", "Depends: libsystemd0") +
                     packages_stanza("elogind", "252", "Provides: libsystemd0") +
                     packages_stanza("libsystemd0", "252", "Depends: missing");
  auto r = resolve(text, want({{"app", ""}}));
  ASSERT_TRUE(r.ok()) << message_of(r);
  EXPECT_EQ(keys(*r), V({"app=1", "elogind=252"}));
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

}  // namespace
}  // namespace pare::deb
