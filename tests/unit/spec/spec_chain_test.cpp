// The from: chain (order, merging, cycles, missing files), variants and the fingerprint.
#include <gtest/gtest.h>

#include <algorithm>

#include "spec/spec.h"
#include "spec_test_util.h"

namespace pare::spec {
namespace {

using testing::MemoryFiles;

MemoryFiles three_levels() {
  MemoryFiles files;
  files.add("/p/common/root.yaml", R"(source:
  suite: bookworm
  mirror: http://m.example/debian
archs: [amd64, arm64]
packages: [base-files]
exclude: [debconf]
files: [{src: root.txt, dest: /root.txt}]
env: {A: root, B: root}
labels: {l1: root}
ports: ["80"]
user: "0"
workdir: /
variants: [latest, nonroot]
)");
  files.add("/p/common/mid.yaml", R"(from: root.yaml
name: middle
source: {components: [main, contrib]}
packages: [libc6]
env: {B: mid}
)");
  files.add("/p/app/leaf.yaml", R"(from: ../common/mid.yaml
packages: [libstdc++6]
files: [{src: ./bin/app, dest: /app}]
env: {C: leaf, A: leaf}
labels: {l2: leaf}
ports: ["8080/tcp"]
entrypoint: [/app]
)");
  return files;
}

TEST(SpecChain, LevelsRunRootFirst) {
  auto files = three_levels();
  auto r = files.load("/p/app/leaf.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message();
  // A file with both packages and files: is two levels (two layers): packages, then files.
  ASSERT_EQ(r->levels.size(), 5u);
  EXPECT_EQ(r->levels[0].file, "/p/common/root.yaml");
  EXPECT_EQ(r->levels[1].file, "/p/common/root.yaml");
  EXPECT_EQ(r->levels[2].file, "/p/common/mid.yaml");
  EXPECT_EQ(r->levels[3].file, "/p/app/leaf.yaml");
  EXPECT_EQ(r->levels[4].file, "/p/app/leaf.yaml");
  EXPECT_FALSE(r->levels[0].files_only);
  EXPECT_TRUE(r->levels[1].files_only);
  EXPECT_FALSE(r->levels[2].files_only);
  EXPECT_TRUE(r->levels[4].files_only);
  EXPECT_EQ(r->levels[0].name, "root");
  EXPECT_EQ(r->levels[2].name, "middle");
  EXPECT_EQ(r->name, "leaf");
  EXPECT_EQ(r->levels[0].packages.at(0).name, "base-files");
  EXPECT_TRUE(r->levels[0].files.empty());
  EXPECT_TRUE(r->levels[1].packages.empty());
  EXPECT_EQ(r->levels[2].packages.at(0).name, "libc6");
  EXPECT_EQ(r->levels[3].packages.at(0).name, "libstdc++6");
  EXPECT_EQ(r->levels[0].exclude, (std::vector<std::string>{"debconf"}));
  // Each level's files resolve against its own directory.
  EXPECT_EQ(r->levels[1].files.at(0).src, "/p/common/root.txt");
  EXPECT_EQ(r->levels[4].files.at(0).src, "/p/app/bin/app");
  // Locations name each file as reached from the given path.
  EXPECT_EQ(r->levels[2].packages.at(0).loc.str(), "/p/common/mid.yaml:4:12");
}

TEST(SpecChain, SettingsMergeDownTheChain) {
  auto files = three_levels();
  auto r = files.load("/p/app/leaf.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->source.suite, "bookworm");
  EXPECT_EQ(r->source.mirror, "http://m.example/debian");  // inherited
  EXPECT_EQ(r->source.components, (std::vector<std::string>{"main", "contrib"}));
  EXPECT_EQ(r->archs, (std::vector<std::string>{"amd64", "arm64"}));
  EXPECT_EQ(r->variants, (std::vector<std::string>{"latest", "nonroot"}));
  using Env = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(r->image.env, (Env{{"A", "leaf"}, {"B", "mid"}, {"C", "leaf"}}));
  EXPECT_EQ(r->image.labels, (std::map<std::string, std::string>{{"l1", "root"}, {"l2", "leaf"}}));
  EXPECT_EQ(r->image.ports, (std::vector<std::string>{"8080/tcp"}));  // lists replace
  EXPECT_EQ(r->image.user, "0");
  EXPECT_EQ(r->image.entrypoint, (std::vector<std::string>{"/app"}));
}

TEST(SpecChain, RelativeGivenPathKeepsRelativeLocations) {
  MemoryFiles files;
  auto cwd = std::filesystem::current_path();
  files.add((cwd / "ex/a.yaml").string(), "from: b.yaml\npackages: [nope_]\n");
  files.add((cwd / "ex/b.yaml").string(), "source: {suite: bookworm}\n");
  auto r = files.load("ex/a.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().rfind("ex/a.yaml:2:12: ", 0), 0u) << r.error().message();
  files.add((cwd / "ex/a.yaml").string(), "from: b.yaml\nuser: x\n");
  files.add((cwd / "ex/b.yaml").string(), "source: {suite: bookworm}\nuser: [x]\n");
  r = files.load("ex/a.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().rfind("ex/b.yaml:2:7: ", 0), 0u) << r.error().message();
}

TEST(SpecChain, ScratchEndsTheChain) {
  MemoryFiles files;
  files.add("/s/a.yaml", "from: scratch\nsource: {suite: trixie}\n");
  auto r = files.load("/s/a.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->levels.size(), 1u);
}

TEST(SpecChain, CycleIsAnErrorAtTheFromKey) {
  MemoryFiles files;
  files.add("/c/a.yaml", "source: {suite: bookworm}\nfrom: b.yaml\n");
  files.add("/c/b.yaml", "# b\nfrom: ./a.yaml\n");
  auto r = files.load("/c/a.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_EQ(r.error().message(), "/c/b.yaml:2:7: from: cycle: /c/a.yaml -> /c/b.yaml -> /c/a.yaml");
}

TEST(SpecChain, SelfReferenceIsACycle) {
  MemoryFiles files;
  files.add("/c/self.yaml", "from: self.yaml\n");
  auto r = files.load("/c/self.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message().rfind("/c/self.yaml:1:7: from: cycle", 0), 0u)
      << r.error().message();
}

TEST(SpecChain, MissingFromFileIsAnErrorAtTheFromKey) {
  MemoryFiles files;
  files.add("/m/a.yaml", "source: {suite: bookworm}\n\nfrom:   gone.yaml\n");
  auto r = files.load("/m/a.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_EQ(r.error().message().rfind("/m/a.yaml:3:9: from: cannot read 'gone.yaml'", 0), 0u)
      << r.error().message();
}

TEST(SpecChain, MissingGivenFileKeepsTheLoaderError) {
  MemoryFiles files;
  auto r = files.load("/nowhere.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::not_found);
}

TEST(SpecChain, OverlongChainIsRejected) {
  MemoryFiles files;
  for (int i = 0; i < 20; ++i)
    files.add("/l/" + std::to_string(i) + ".yaml", "from: " + std::to_string(i + 1) + ".yaml\n");
  auto r = files.load("/l/0.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("longer than 16 files"), std::string::npos)
      << r.error().message();
}

// A file below excludes debconf; naming it here installs it from this level up (the
// resolver drops it from the excludes: see build's plan tests).
TEST(SpecChain, ChildMayAskForAPackageExcludedBelow) {
  auto files = three_levels();
  files.add("/p/app/leaf.yaml", "from: ../common/mid.yaml\npackages: [debconf]\n");
  auto r = files.load("/p/app/leaf.yaml");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->levels.back().packages.at(0).name, "debconf");
  EXPECT_NE(
      std::find(r->levels.front().exclude.begin(), r->levels.front().exclude.end(), "debconf"),
      r->levels.front().exclude.end());
}

TEST(SpecChain, VersionIsInheritedAndReplaced) {
  auto files = three_levels();
  files.add("/p/app/leaf.yaml",
            "from: ../common/mid.yaml\nversion: {package: [a-pkg, b-pkg], env: APP_VERSION}\n");
  files.add("/p/app/top.yaml", "from: leaf.yaml\n");
  files.add("/p/app/lit.yaml", "from: leaf.yaml\nversion: \"2.1\"\n");
  auto top = files.load("/p/app/top.yaml");
  ASSERT_TRUE(top.ok()) << top.error().message();
  ASSERT_TRUE(top->image.version.has_value());
  EXPECT_EQ(top->image.version->packages, (std::vector<std::string>{"a-pkg", "b-pkg"}));
  EXPECT_EQ(top->image.version->env, "APP_VERSION");
  EXPECT_EQ(top->image.version->loc.str(), "/p/app/leaf.yaml:2:10");
  auto lit = files.load("/p/app/lit.yaml");
  ASSERT_TRUE(lit.ok()) << lit.error().message();
  EXPECT_EQ(lit->image.version->literal, "2.1");
  EXPECT_TRUE(lit->image.version->packages.empty());
}

TEST(SpecVariant, LatestKeepsSettings) {
  auto r = testing::load_text("source: {suite: bookworm}\nuser: \"0\"\nworkdir: /\n");
  ASSERT_TRUE(r.ok());
  auto v = apply_variant(*r, "latest");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->image.user, "0");
  EXPECT_EQ(v->image.workdir, "/");
  EXPECT_FALSE(v->debug);
  EXPECT_FALSE(v->image.entrypoint.has_value());
}

TEST(SpecVariant, NonrootSetsUserAndHome) {
  auto r = testing::load_text("source: {suite: bookworm}\nuser: \"0\"\nworkdir: /\n");
  ASSERT_TRUE(r.ok());
  auto v = apply_variant(*r, "nonroot");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->name, "nonroot");
  EXPECT_EQ(v->image.user, "65532");
  EXPECT_EQ(v->image.workdir, "/home/nonroot");
  EXPECT_FALSE(v->debug);
}

TEST(SpecVariant, NonrootKeepsAChosenWorkdir) {
  auto r = testing::load_text("source: {suite: bookworm}\nworkdir: /srv\nentrypoint: [/app]\n");
  ASSERT_TRUE(r.ok());
  auto v = apply_variant(*r, "debug-nonroot");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->image.user, "65532");
  EXPECT_EQ(v->image.workdir, "/srv");
  EXPECT_TRUE(v->debug);
  EXPECT_EQ(v->image.entrypoint, (std::vector<std::string>{"/app"}));  // kept
}

TEST(SpecVariant, DebugWithoutEntrypointGetsTheShell) {
  auto r = testing::load_text("source: {suite: bookworm}\n");
  ASSERT_TRUE(r.ok());
  auto v = apply_variant(*r, "debug");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->debug);
  EXPECT_FALSE(v->image.user.has_value());
  EXPECT_EQ(v->image.entrypoint, (std::vector<std::string>{"/busybox/sh"}));
}

TEST(SpecVariant, UnknownVariantListsTheValidOnes) {
  auto r = testing::load_text("source: {suite: bookworm}\n");
  ASSERT_TRUE(r.ok());
  auto v = apply_variant(*r, "slim");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code(), Errc::invalid);
  EXPECT_NE(v.error().message().find("latest, nonroot, debug, debug-nonroot"), std::string::npos);
}

std::string fingerprint_of(const std::string& yaml) {
  auto r = testing::load_text(yaml);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  return r.ok() ? package_set_fingerprint(*r) : "";
}

TEST(SpecFingerprint, StableAndSensitiveToThePackageSet) {
  const std::string base = "source: {suite: bookworm}\narchs: [amd64, arm64]\n";
  std::string f = fingerprint_of(base + "packages: [libc6, tzdata]\nexclude: [a1, b1]\n");
  EXPECT_EQ(f.rfind("sha256:", 0), 0u);
  EXPECT_EQ(f.size(), 7u + 64u);
  // Order within lists and things outside the package set do not matter.
  EXPECT_EQ(f, fingerprint_of("source: {suite: bookworm}\narchs: [arm64, amd64]\n"
                              "packages: [tzdata, libc6]\nexclude: [b1, a1]\n"
                              "user: \"0\"\nenv: {A: b}\n"));
  EXPECT_EQ(
      f, fingerprint_of("source: {suite: bookworm, mirror: \"http://other/\", keyring: k}\n"
                        "archs: [amd64, arm64]\npackages: [libc6, tzdata]\nexclude: [a1, b1]\n"));
  // Everything that changes the set does.
  EXPECT_NE(f, fingerprint_of(base + "packages: [libc6]\nexclude: [a1, b1]\n"));
  EXPECT_NE(f, fingerprint_of(base + "packages: [libc6=2.36-9, tzdata]\nexclude: [a1, b1]\n"));
  EXPECT_NE(f, fingerprint_of(base + "packages: [libc6, tzdata]\nexclude: [a1]\n"));
  EXPECT_NE(f, fingerprint_of("source: {suite: trixie}\narchs: [amd64, arm64]\n"
                              "packages: [libc6, tzdata]\nexclude: [a1, b1]\n"));
  EXPECT_NE(f, fingerprint_of("source: {suite: bookworm}\narchs: [amd64]\n"
                              "packages: [libc6, tzdata]\nexclude: [a1, b1]\n"));
  EXPECT_NE(f, fingerprint_of("source: {suite: bookworm, updates: false}\narchs: [amd64, arm64]\n"
                              "packages: [libc6, tzdata]\nexclude: [a1, b1]\n"));
}

TEST(SpecFingerprint, LevelsMatter) {
  MemoryFiles a, b;
  a.add("/f/p.yaml", "source: {suite: bookworm}\narchs: [amd64]\npackages: [libc6]\n");
  a.add("/f/c.yaml", "from: p.yaml\npackages: [tzdata]\n");
  b.add("/f/p.yaml", "source: {suite: bookworm}\narchs: [amd64]\npackages: [tzdata]\n");
  b.add("/f/c.yaml", "from: p.yaml\npackages: [libc6]\n");
  auto ra = a.load("/f/c.yaml"), rb = b.load("/f/c.yaml");
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_NE(package_set_fingerprint(*ra), package_set_fingerprint(*rb));
}

}  // namespace
}  // namespace pare::spec
