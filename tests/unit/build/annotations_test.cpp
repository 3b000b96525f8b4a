// build/annotations.h: the image's version and the OCI annotations made from it.
#include "build/annotations.h"

#include <gtest/gtest.h>

namespace pare::build {
namespace {

deb::PackageInfo pkg(const std::string& name, const std::string& version) {
  deb::PackageInfo p;
  p.name = name;
  p.version = version;
  p.arch = "amd64";
  return p;
}

ArchPlan plan_of(std::vector<std::vector<deb::PackageInfo>> levels) {
  ArchPlan plan;
  plan.arch = "amd64";
  plan.levels = std::move(levels);
  return plan;
}

TEST(Annotations, UpstreamVersionDropsEpochAndRevision) {
  EXPECT_EQ(upstream_version("17.0.21.1+2-1~deb12u1"), "17.0.21.1+2");
  EXPECT_EQ(upstream_version("1:2.1.5-2"), "2.1.5");
  EXPECT_EQ(upstream_version("3.11.2-6+deb12u6"), "3.11.2");
  EXPECT_EQ(upstream_version("2:4.35-1"), "4.35");
  EXPECT_EQ(upstream_version("1.0-rc1-3"), "1.0-rc1");  // only the last '-' starts the revision
  EXPECT_EQ(upstream_version("20250419"), "20250419");
}

TEST(Annotations, VersionFromTheFirstInstalledPackage) {
  spec::ImageSettings image;
  EXPECT_EQ(image_version(image, plan_of({})).value(), "");
  image.version = spec::VersionSetting{"",
                                       {"openjdk-17-jre-headless", "openjdk-21-jre-headless"},
                                       "JAVA_VERSION",
                                       {"/s/java.yaml", 3, 10}};
  auto plan =
      plan_of({{pkg("libc6", "2.36-9")}, {pkg("openjdk-21-jre-headless", "21.0.9+10-1~deb13u1")}});
  EXPECT_EQ(image_version(image, plan).value(), "21.0.9+10");
  auto none = image_version(image, plan_of({{pkg("libc6", "2.36-9")}}));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), Errc::invalid);
  EXPECT_EQ(none.error().message(),
            "/s/java.yaml:3:10: version: the image (amd64) installs none of "
            "openjdk-17-jre-headless, openjdk-21-jre-headless");
  image.version = spec::VersionSetting{"2.0", {}, "", {}};
  EXPECT_EQ(image_version(image, plan).value(), "2.0");
}

TEST(Annotations, PredefinedKeysAndTheSpecWins) {
  ImageFacts facts;
  facts.created = 86400;
  facts.title = "java";
  facts.version = "17.0.21";
  facts.git = vcs::GitInfo{"0123456789abcdef0123456789abcdef01234567", "https://a.example/t/app"};
  spec::ImageSettings image;
  auto a = image_annotations(facts, image);
  EXPECT_EQ(a.at("org.opencontainers.image.created"), "1970-01-02T00:00:00Z");
  EXPECT_EQ(a.at("org.opencontainers.image.title"), "java");
  EXPECT_EQ(a.at("org.opencontainers.image.version"), "17.0.21");
  EXPECT_EQ(a.at("org.opencontainers.image.source"), "https://a.example/t/app");
  EXPECT_EQ(a.at("org.opencontainers.image.url"), "https://a.example/t/app");
  EXPECT_EQ(a.at("org.opencontainers.image.revision"), "0123456789abcdef0123456789abcdef01234567");
  image.annotations["org.opencontainers.image.url"] = "https://docs.example/app";
  image.annotations["com.example.team"] = "platform";
  a = image_annotations(facts, image);
  EXPECT_EQ(a.at("org.opencontainers.image.url"), "https://docs.example/app");
  EXPECT_EQ(a.at("com.example.team"), "platform");
  // Without a checkout (or with --no-git-annotations) nothing about a source is claimed.
  facts.git.reset();
  facts.version.clear();
  a = image_annotations(facts, spec::ImageSettings{});
  EXPECT_EQ(a.count("org.opencontainers.image.source"), 0u);
  EXPECT_EQ(a.count("org.opencontainers.image.revision"), 0u);
  EXPECT_EQ(a.count("org.opencontainers.image.version"), 0u);
  EXPECT_EQ(a.size(), 2u);  // created, title
}

}  // namespace
}  // namespace pare::build
