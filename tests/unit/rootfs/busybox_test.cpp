#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "rootfs/busybox.h"
#include "support/command.h"
#include "util/fs.h"

using namespace pare;

TEST(BusyboxApplets, MatchesBusyboxList) {
  auto binary = fs::read_file("/bin/busybox");
  if (!binary.ok()) GTEST_SKIP() << "no /bin/busybox on this host";
  auto applets = rootfs::busybox_applets(*binary);
  ASSERT_TRUE(applets.ok()) << applets.error().message();
  int status = 0;
  std::string listed = pare::testing::run_command("/bin/busybox --list", &status);
  ASSERT_EQ(status, 0);
  std::string ours;
  for (const auto& a : *applets) ours += a + "\n";
  EXPECT_EQ(ours, listed);
}

TEST(BusyboxApplets, TableWithoutLeadingNul) {
  std::string bin = std::string(
                        "\x7f"
                        "ELFjunk") +
                    "x[" + std::string("\0[[\0\0", 5);  // a false start
  bin += std::string("[\0[[\0", 5);
  for (int i = 0; i < 30; ++i) bin += "app" + std::to_string(i) + std::string(1, '\0');
  bin += std::string("\0\0", 2);
  auto applets = rootfs::busybox_applets(bin);
  ASSERT_TRUE(applets.ok()) << applets.error().message();
  EXPECT_EQ(applets->size(), 32u);
  EXPECT_EQ((*applets)[0], "[");
  EXPECT_EQ((*applets)[1], "[[");
}

TEST(BusyboxApplets, NotBusybox) {
  EXPECT_FALSE(rootfs::busybox_applets("hello world").ok());
  EXPECT_FALSE(rootfs::busybox_applets(std::string("[\0[[\0ls\0\0", 10)).ok());
}
