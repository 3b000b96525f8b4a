// The example specs in examples/ load for every supported suite with the expected chain and
// package lists (read from disk, as `pare build examples/cc.yaml` would).
#include <gtest/gtest.h>

#include <algorithm>

#include "spec/spec.h"

namespace pare::spec {
namespace {

const std::filesystem::path kExamples = std::filesystem::path(PARE_SOURCE_DIR) / "examples";

using Names = std::vector<std::string>;

Names package_names(const Level& level) {
  Names out;
  for (const auto& p : level.packages) {
    EXPECT_TRUE(p.version.empty()) << p.name << " is pinned in an example";
    out.push_back(p.name);
  }
  return out;
}

Names level_names(const Spec& spec) {
  Names out;
  for (const auto& l : spec.levels) out.push_back(l.name);
  return out;
}

Spec load_example(const std::string& file, const std::string& suite) {
  LoadOptions options;
  options.suite = suite;
  auto r = load_spec(kExamples / file, options);
  EXPECT_TRUE(r.ok()) << file << " (" << suite << "): " << r.error().message();
  return r.ok() ? std::move(r).value() : Spec{};
}

const Names kStaticBookworm = {"base-files", "netbase", "tzdata", "media-types", "ca-certificates"};
const Names kStaticTrixie = {"base-files",    "netbase",     "tzdata",
                             "tzdata-legacy", "media-types", "ca-certificates"};

TEST(Examples, StaticHasNoRuntimeAndCutsTheScriptDependencies) {
  for (const char* suite : {"bookworm", "trixie"}) {
    Spec s = load_example("static.yaml", suite);
    ASSERT_EQ(s.levels.size(), 1u) << suite;
    EXPECT_EQ(package_names(s.levels[0]),
              std::string(suite) == "trixie" ? kStaticTrixie : kStaticBookworm);
    const Names& ex = s.levels[0].exclude;
    for (const char* must : {"debconf", "cdebconf", "openssl", "mawk"})
      EXPECT_NE(std::find(ex.begin(), ex.end(), must), ex.end()) << must;
    EXPECT_EQ(s.image.user, "0");
    EXPECT_EQ(s.image.workdir, "/");
    ASSERT_EQ(s.image.env.size(), 1u);
    EXPECT_EQ(s.image.env[0].first, "SSL_CERT_FILE");
    EXPECT_EQ(s.image.env[0].second, "/etc/ssl/certs/ca-certificates.crt");
    EXPECT_EQ(s.variants, (Names{"latest", "nonroot"}));
    EXPECT_EQ(s.source.suite, suite);
  }
}

TEST(Examples, BaseNosslAddsLibc) {
  for (const char* suite : {"bookworm", "trixie"}) {
    Spec s = load_example("base-nossl.yaml", suite);
    EXPECT_EQ(level_names(s), (Names{"static", "base-nossl"})) << suite;
    ASSERT_EQ(s.levels.size(), 2u);
    EXPECT_EQ(package_names(s.levels[1]), (Names{"libc6", "libc-bin"}));
    ASSERT_EQ(s.levels[1].packages.size(), 2u);
    EXPECT_TRUE(s.levels[1].packages[0].only.empty());
    EXPECT_EQ(s.levels[1].packages[1].only, (Names{"/usr/lib/locale/C.utf8/**"}))
        << "only the C.UTF-8 locale";
    EXPECT_EQ(s.name, "base-nossl");
    EXPECT_EQ(s.levels[0].file, (kExamples / "static.yaml").lexically_normal());
  }
}

TEST(Examples, BaseAddsTheSslLibraryOfTheSuite) {
  Spec bookworm = load_example("base.yaml", "bookworm");
  EXPECT_EQ(level_names(bookworm), (Names{"static", "base-nossl", "base"}));
  ASSERT_EQ(bookworm.levels.size(), 3u);
  EXPECT_EQ(package_names(bookworm.levels[2]), (Names{"libssl3"}));
  EXPECT_EQ(bookworm.suite_version, "12");

  Spec trixie = load_example("base.yaml", "trixie");
  ASSERT_EQ(trixie.levels.size(), 3u);
  EXPECT_EQ(package_names(trixie.levels[2]), (Names{"libssl3t64", "libzstd1", "zlib1g"}));
  EXPECT_EQ(package_names(trixie.levels[0]), kStaticTrixie);
  EXPECT_EQ(trixie.suite_version, "13");
}

TEST(Examples, CcAddsTheCxxRuntimes) {
  for (const char* suite : {"bookworm", "trixie"}) {
    Spec s = load_example("cc.yaml", suite);
    EXPECT_EQ(level_names(s), (Names{"static", "base-nossl", "base", "cc"})) << suite;
    ASSERT_EQ(s.levels.size(), 4u);
    EXPECT_EQ(package_names(s.levels[3]), (Names{"libgcc-s1", "libstdc++6", "libgomp1"}));
    EXPECT_EQ(package_names(s.levels[1]), (Names{"libc6", "libc-bin"}));
    EXPECT_EQ(s.name, "cc");
    EXPECT_EQ(s.variants, (Names{"latest", "nonroot"}));  // inherited from static
    EXPECT_EQ(s.image.env.at(0).first, "SSL_CERT_FILE");  // inherited from static
  }
  // The two suites are different package sets.
  EXPECT_NE(package_set_fingerprint(load_example("cc.yaml", "bookworm")),
            package_set_fingerprint(load_example("cc.yaml", "trixie")));
}

TEST(Examples, EveryExampleLoadsForEverySuiteAndVariant) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kExamples)) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    for (const char* suite : {"bookworm", "trixie"}) {
      Spec s = load_example(entry.path().filename().string(), suite);
      for (const auto& v : s.variants) EXPECT_TRUE(apply_variant(s, v).ok()) << v;
    }
  }
  EXPECT_GE(count, 4u);
}

}  // namespace
}  // namespace pare::spec
