// deb/apt_conf.h: the proxy apt is configured with, in the forms apt.conf(5) allows.
#include "deb/apt_conf.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "util/fs.h"

namespace pare::deb {
namespace {

TEST(AptConf, ProxyInEveryForm) {
  EXPECT_EQ(http_proxy_in_apt_conf("Acquire::http::Proxy \"http://127.0.0.1:3142\";\n").value(),
            "http://127.0.0.1:3142");
  EXPECT_EQ(http_proxy_in_apt_conf("acquire::HTTP::proxy \"http://p:1/\";").value(), "http://p:1/");
  EXPECT_EQ(
      http_proxy_in_apt_conf("Acquire {\n  http {\n    Proxy \"http://n:2\"; // nested\n  };\n};")
          .value(),
      "http://n:2");
  EXPECT_EQ(http_proxy_in_apt_conf("Acquire::http { Proxy \"http://m:3\"; };").value(),
            "http://m:3");
  // Comments, other settings, per-host proxies and https are not it.
  EXPECT_FALSE(
      http_proxy_in_apt_conf("# Acquire::http::Proxy \"http://x\";\n"
                             "// Acquire::http::Proxy \"http://y\";\n"
                             "/* Acquire::http::Proxy \"http://z\"; */\n"
                             "Acquire::https::Proxy \"http://s\";\n"
                             "Acquire::http::Proxy::mirror.example \"DIRECT\";\n"
                             "APT::Install-Recommends \"false\";\n"));
  EXPECT_EQ(http_proxy_in_apt_conf("Acquire::http::Proxy \"DIRECT\";").value(), "");
  EXPECT_EQ(http_proxy_in_apt_conf("Acquire::http::Proxy \"false\";").value(), "");
  // The last setting wins; broken text gives what was read before it.
  EXPECT_EQ(http_proxy_in_apt_conf("Acquire::http::Proxy \"http://a\";\n"
                                   "Acquire::http::Proxy \"http://b\";\nAcquire::http::Proxy \"")
                .value(),
            "http://b");
}

TEST(AptConf, HostFilesInAptsOrderLastWins) {
  auto root =
      std::filesystem::temp_directory_path() / ("pare-aptconf-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "etc/apt/apt.conf.d");
  EXPECT_EQ(host_apt_http_proxy(root), "");
  ASSERT_TRUE(fs::write_file_atomic(root / "etc/apt/apt.conf.d/01proxy",
                                    "Acquire::http::Proxy \"http://b:2\";")
                  .ok());
  EXPECT_EQ(host_apt_http_proxy(root), "http://b:2");
  ASSERT_TRUE(
      fs::write_file_atomic(root / "etc/apt/apt.conf", "Acquire::http::Proxy \"http://a:1\";")
          .ok());
  EXPECT_EQ(host_apt_http_proxy(root), "http://a:1");  // apt.conf is read last
  std::filesystem::remove(root / "etc/apt/apt.conf");
  ASSERT_TRUE(fs::write_file_atomic(root / "etc/apt/apt.conf.d/02direct",
                                    "Acquire::http::Proxy \"DIRECT\";")
                  .ok());
  EXPECT_EQ(host_apt_http_proxy(root), "");
  ASSERT_TRUE(fs::write_file_atomic(root / "etc/apt/apt.conf.d/03x.disabled",
                                    "Acquire::http::Proxy \"http://c\";")
                  .ok());
  EXPECT_EQ(host_apt_http_proxy(root), "");  // apt ignores such names
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace pare::deb
