// The Java trust store and .jinfo alternatives (src/rootfs/java_truststore.h, alternatives.h).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "rootfs/alternatives.h"
#include "rootfs/cacerts.h"
#include "rootfs/java_truststore.h"
#include "support/command.h"
#include "util/fs.h"

using namespace pare;
using namespace pare::rootfs;

namespace {

std::string host_bundle() {
  auto text = fs::read_file("/etc/ssl/certs/ca-certificates.crt");
  return text.ok() ? *text : "";
}

uint32_t u32_at(const std::string& s, size_t at) {
  return (static_cast<uint8_t>(s[at]) << 24) | (static_cast<uint8_t>(s[at + 1]) << 16) |
         (static_cast<uint8_t>(s[at + 2]) << 8) | static_cast<uint8_t>(s[at + 3]);
}

}  // namespace

TEST(JavaTrustStore, HeaderCountAndDeterminism) {
  std::string bundle = host_bundle();
  if (bundle.empty()) GTEST_SKIP() << "no CA bundle on this host";
  auto certs = pem_certificates(bundle, "host bundle");
  ASSERT_TRUE(certs.ok());
  auto a = java_truststore(*certs);
  auto b = java_truststore(*certs);
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(u32_at(*a, 0), 0xFEEDFEEDu);
  EXPECT_EQ(u32_at(*a, 4), 2u);
  EXPECT_EQ(u32_at(*a, 8), certs->size());
}

TEST(JavaTrustStore, KeytoolReadsIt) {
  std::string bundle = host_bundle();
  if (bundle.empty() || std::system("command -v keytool >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "keytool or the host CA bundle missing";
  auto certs = pem_certificates(bundle, "host bundle");
  ASSERT_TRUE(certs.ok());
  auto store = java_truststore(*certs);
  ASSERT_TRUE(store.ok());
  auto dir = fs::TempDir::create(std::filesystem::temp_directory_path());
  ASSERT_TRUE(dir.ok());
  auto path = dir->path() / "cacerts";
  ASSERT_TRUE(fs::write_file_atomic(path, *store).ok());
  std::string cmd = "keytool -list -keystore " + path.string() + " -storepass changeit 2>&1";
  int status = 0;
  std::string out = pare::testing::run_command(cmd, &status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("Your keystore contains " + std::to_string(certs->size()) + " entries"),
            std::string::npos)
      << out.substr(0, 400);
  EXPECT_NE(out.find("trustedCertEntry"), std::string::npos);
}

TEST(JavaTrustStore, RejectsGarbage) {
  EXPECT_FALSE(
      java_truststore({"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}).ok());
}

TEST(Jinfo, LinksForPresentTools) {
  const char* jinfo =
      "name=java-17-openjdk-amd64\nalias=java-1.17.0-openjdk-amd64\npriority=1711\nsection=main\n\n"
      "hl java /usr/lib/jvm/java-17-openjdk-amd64/bin/java\n"
      "hl keytool /usr/lib/jvm/java-17-openjdk-amd64/bin/keytool\n"
      "jdkhl javac /usr/lib/jvm/java-17-openjdk-amd64/bin/javac\n"
      "plugin xulrunner-1.9-javaplugin.so /usr/lib/jvm/x/libnpjp2.so\n";
  auto links = jinfo_links(jinfo, "x.jinfo", [](std::string_view p) {
    return p.find("javac") == std::string_view::npos;
  });
  ASSERT_TRUE(links.ok()) << links.error().message();
  ASSERT_EQ(links->size(), 2u);
  EXPECT_EQ((*links)[0].link, "usr/bin/java");
  EXPECT_EQ((*links)[0].target, "/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
  EXPECT_EQ((*links)[0].priority, 1711);
  EXPECT_EQ((*links)[1].link, "usr/bin/keytool");
}

TEST(Jinfo, RejectsBadLines) {
  auto exists = [](std::string_view) { return true; };
  EXPECT_FALSE(jinfo_links("hl java\n", "x", exists).ok());
  EXPECT_FALSE(jinfo_links("hl ../x /usr/bin/x\n", "x", exists).ok());
  EXPECT_FALSE(jinfo_links("hl java relative/path\n", "x", exists).ok());
  EXPECT_FALSE(jinfo_links("priority=abc\n", "x", exists).ok());
  EXPECT_TRUE(is_jinfo_path("usr/lib/jvm/.java-1.17.0-openjdk-amd64.jinfo"));
  EXPECT_FALSE(is_jinfo_path("usr/lib/jvm/x/.a.jinfo"));
}
