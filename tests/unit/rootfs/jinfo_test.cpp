// .jinfo alternatives (src/rootfs/alternatives.h) on the complete file that
// openjdk-17-jre-headless / openjdk-17-jdk-headless / openjdk-17-jdk ship for
// bookworm amd64, and, where this host has that JVM installed, against what its
// maintainer scripts actually registered with update-alternatives.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "rootfs/alternatives.h"
#include "support/command.h"
#include "util/fs.h"

using namespace pare;
using namespace pare::rootfs;

namespace {

std::string real_jinfo() {
  auto text = fs::read_file(std::string(PARE_SOURCE_DIR) +
                            "/tests/fuzz/corpus/fuzz_jinfo/java-17-openjdk-amd64-full.jinfo");
  return text.ok() ? *text : "";
}

constexpr const char* kJvm = "/usr/lib/jvm/java-17-openjdk-amd64";

using pare::testing::run_command;

}  // namespace

TEST(JinfoReal, EveryToolOfTheFullFile) {
  std::string text = real_jinfo();
  ASSERT_FALSE(text.empty());
  auto links =
      jinfo_links(text, ".java-1.17.0-openjdk-amd64.jinfo", [](std::string_view) { return true; });
  ASSERT_TRUE(links.ok()) << links.error().message();
  // 5 "hl" (headless JRE), 23 "jdkhl" and 1 "jdk" lines: one link each.
  EXPECT_EQ(links->size(), 29u);
  std::map<std::string, std::string> by_link;
  for (const auto& l : *links) {
    EXPECT_EQ(l.priority, 1711);
    EXPECT_TRUE(by_link.emplace(l.link, l.target).second) << "duplicate " << l.link;
    EXPECT_TRUE(l.target.starts_with(std::string(kJvm) + "/")) << l.target;
  }
  EXPECT_EQ(by_link["usr/bin/java"], std::string(kJvm) + "/bin/java");
  EXPECT_EQ(by_link["usr/bin/keytool"], std::string(kJvm) + "/bin/keytool");
  EXPECT_EQ(by_link["usr/bin/javac"], std::string(kJvm) + "/bin/javac");
  EXPECT_EQ(by_link["usr/bin/jconsole"], std::string(kJvm) + "/bin/jconsole");  // "jdk" (needs X)
  // jexec lives in lib/, not bin/: the target is taken as written.
  EXPECT_EQ(by_link["usr/bin/jexec"], std::string(kJvm) + "/lib/jexec");
}

TEST(JinfoReal, OnlyToolsInTheImageAreLinked) {
  // A distroless Java image has the headless JRE only: bin/java, bin/keytool,
  // bin/rmiregistry, lib/jexec; no javac, no jpackage.
  std::set<std::string> present;
  for (const char* p : {"/bin/java", "/bin/keytool", "/bin/rmiregistry", "/lib/jexec"})
    present.insert(std::string(kJvm) + p);
  auto links = jinfo_links(real_jinfo(), "x.jinfo",
                           [&](std::string_view p) { return present.count(std::string(p)) > 0; });
  ASSERT_TRUE(links.ok());
  std::set<std::string> got;
  for (const auto& l : *links) got.insert(l.link);
  EXPECT_EQ(got, (std::set<std::string>{"usr/bin/java", "usr/bin/jexec", "usr/bin/keytool",
                                        "usr/bin/rmiregistry"}));
}

TEST(JinfoReal, MatchesWhatTheMaintainerScriptsRegisteredOnThisHost) {
  const char* host_jinfo = "/usr/lib/jvm/.java-1.17.0-openjdk-amd64.jinfo";
  auto text = fs::read_file(host_jinfo);
  if (!text.ok() || std::system("command -v update-alternatives >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "openjdk-17 or update-alternatives not installed here";
  auto links =
      jinfo_links(*text, host_jinfo, [](std::string_view p) { return std::filesystem::exists(p); });
  ASSERT_TRUE(links.ok()) << links.error().message();
  ASSERT_FALSE(links->empty());
  size_t checked = 0;
  for (const auto& l : *links) {
    std::string tool = l.link.substr(l.link.rfind('/') + 1);
    std::string query = run_command("update-alternatives --query " + tool + " 2>/dev/null");
    if (query.empty()) continue;  // a tool of a JDK package not installed here
    ++checked;
    EXPECT_NE(query.find("Link: /" + l.link + "\n"), std::string::npos) << query;
    EXPECT_NE(
        query.find("Alternative: " + l.target + "\nPriority: " + std::to_string(l.priority) + "\n"),
        std::string::npos)
        << tool << ":\n"
        << query;
  }
  EXPECT_GT(checked, 0u) << "update-alternatives knows none of the JVM's tools";
}

TEST(JinfoReal, IsJinfoPath) {
  EXPECT_TRUE(is_jinfo_path("usr/lib/jvm/.java-1.17.0-openjdk-amd64.jinfo"));
  EXPECT_TRUE(is_jinfo_path("usr/lib/jvm/.temurin-21-jdk-arm64.jinfo"));
  EXPECT_FALSE(
      is_jinfo_path("/usr/lib/jvm/.java-1.17.0-openjdk-amd64.jinfo"));  // paths are relative
  EXPECT_FALSE(is_jinfo_path("usr/lib/jvm/java-17/.x.jinfo"));
  EXPECT_FALSE(is_jinfo_path("usr/lib/jvm/.jinfo"));
  EXPECT_FALSE(is_jinfo_path("usr/lib/jvm/.x.jinfo.dpkg-new"));
}
