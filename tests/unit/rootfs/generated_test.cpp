#include "rootfs/generated.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace pare::rootfs {
namespace {

// ---- accounts ----------------------------------------------------------------

TEST(Accounts, DefaultPasswdMatchesDistroless) {
  EXPECT_EQ(passwd_file(default_accounts()),
            "root:x:0:0:root:/root:/sbin/nologin\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
            "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n");
}

TEST(Accounts, DefaultGroupMatchesDistroless) {
  EXPECT_EQ(group_file(default_accounts()),
            "root:x:0:\n"
            "nobody:x:65534:\n"
            "tty:x:5:\n"
            "staff:x:50:\n"
            "nonroot:x:65532:\n");
}

TEST(Accounts, GroupMembersAreCommaSeparated) {
  Accounts a;
  a.groups = {{"audio", 29, {"alice", "bob"}}, {"video", 44, {"carol"}}};
  EXPECT_EQ(group_file(a), "audio:x:29:alice,bob\nvideo:x:44:carol\n");
}

TEST(Accounts, EmptyAccountsGiveEmptyFiles) {
  EXPECT_EQ(passwd_file(Accounts{}), "");
  EXPECT_EQ(group_file(Accounts{}), "");
}

TEST(Accounts, MergeAppendsNewUsersAndGroupsInOrder) {
  auto r = merge_accounts(default_accounts(),
                          {{"app", 1000, 1000, "the app", "/app", "/bin/sh"},
                           {"web", 1001, 1000, "", "/srv", "/sbin/nologin"}},
                          {{"app", 1000, {"web"}}});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(passwd_file(*r),
            "root:x:0:0:root:/root:/sbin/nologin\n"
            "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n"
            "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
            "app:x:1000:1000:the app:/app:/bin/sh\n"
            "web:x:1001:1000::/srv:/sbin/nologin\n");
  EXPECT_EQ(
      group_file(*r),
      "root:x:0:\nnobody:x:65534:\ntty:x:5:\nstaff:x:50:\nnonroot:x:65532:\napp:x:1000:web\n");
}

TEST(Accounts, SameUserWithSameIdsReplacesFieldsInPlace) {
  auto r = merge_accounts(default_accounts(),
                          {{"nonroot", 65532, 65532, "nonroot", "/app", "/sbin/nologin"}}, {});
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->users.size(), 3u);
  EXPECT_EQ(r->users[2].name, "nonroot");
  EXPECT_EQ(r->users[2].home, "/app");
}

TEST(Accounts, SameNameDifferentUidIsInvalidNamingBoth) {
  auto r = merge_accounts(default_accounts(), {{"nonroot", 1000, 65532, "", "/h", "/s"}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find("uid 1000"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("uid 65532"), std::string::npos) << r.error().message();
}

TEST(Accounts, SameNameDifferentGidIsInvalid) {
  auto r = merge_accounts(default_accounts(), {{"nonroot", 65532, 1, "", "/h", "/s"}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
}

TEST(Accounts, SameUidDifferentNameIsInvalidNamingBoth) {
  auto r = merge_accounts(default_accounts(), {{"app", 65532, 65532, "", "/h", "/s"}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find("\"app\""), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("\"nonroot\""), std::string::npos) << r.error().message();
}

TEST(Accounts, ConflictsAmongNewUsersAreFound) {
  auto r =
      merge_accounts(Accounts{}, {{"a", 10, 10, "", "/", "/s"}, {"b", 10, 10, "", "/", "/s"}}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("\"a\""), std::string::npos);
  EXPECT_NE(r.error().message().find("\"b\""), std::string::npos);
}

TEST(Accounts, GroupSameNameDifferentGidIsInvalid) {
  auto r = merge_accounts(default_accounts(), {}, {{"staff", 51, {}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find("gid 51"), std::string::npos);
  EXPECT_NE(r.error().message().find("gid 50"), std::string::npos);
}

TEST(Accounts, GroupSameGidDifferentNameIsInvalidNamingBoth) {
  auto r = merge_accounts(default_accounts(), {}, {{"teletype", 5, {}}});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("\"teletype\""), std::string::npos);
  EXPECT_NE(r.error().message().find("\"tty\""), std::string::npos);
}

TEST(Accounts, SameGroupMergesMembersWithoutDuplicates) {
  auto r = merge_accounts(default_accounts(), {},
                          {{"staff", 50, {"alice"}}, {"staff", 50, {"bob", "alice"}}});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->groups.size(), 5u);
  EXPECT_EQ(r->groups[3].members, (std::vector<std::string>{"alice", "bob"}));
}

TEST(Accounts, FieldsThatWouldCorruptTheFilesAreRefused) {
  for (const Account& bad : {Account{"a:b", 7, 7, "", "/", "/s"}, Account{"", 7, 7, "", "/", "/s"},
                             Account{"a", 7, 7, "x:y", "/", "/s"},
                             Account{"a", 7, 7, "", "/h\nroot::0:0::/:/bin/sh", "/s"},
                             Account{"a", 7, 7, "", "/", "/bin:sh"}}) {
    auto r = merge_accounts(Accounts{}, {bad}, {});
    EXPECT_FALSE(r.ok()) << bad.name << " " << bad.gecos << " " << bad.home;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), Errc::invalid);
    }
  }
  EXPECT_FALSE(merge_accounts(Accounts{}, {}, {{"g", 9, {"a,b"}}}).ok());
  EXPECT_FALSE(merge_accounts(Accounts{}, {}, {{"g,h", 9, {}}}).ok());
  EXPECT_TRUE(merge_accounts(Accounts{}, {{"a", 7, 7, "A. User, Room 1", "/", "/s"}}, {}).ok());
}

// ---- os-release -------------------------------------------------------------

TEST(OsRelease, Bookworm) {
  EXPECT_EQ(os_release({"12", "bookworm"}),
            "PRETTY_NAME=\"Distroless\"\n"
            "NAME=\"Debian GNU/Linux\"\n"
            "ID=\"debian\"\n"
            "VERSION_ID=\"12\"\n"
            "VERSION=\"Debian GNU/Linux 12 (bookworm)\"\n"
            "HOME_URL=\"https://www.debian.org/\"\n"
            "SUPPORT_URL=\"https://www.debian.org/support\"\n"
            "BUG_REPORT_URL=\"https://bugs.debian.org/\"\n");
}

TEST(OsRelease, Trixie) {
  std::string text = os_release({"13", "trixie"});
  EXPECT_NE(text.find("\nVERSION_ID=\"13\"\n"), std::string::npos);
  // The line distroless's own structure test checks.
  EXPECT_NE(text.find("\nVERSION=\"Debian GNU/Linux 13 (trixie)\"\n"), std::string::npos);
  EXPECT_EQ(text.rfind("PRETTY_NAME=\"Distroless\"\n", 0), 0u);
}

TEST(OsRelease, EmptyUrlsAreLeftOutAndValuesEscaped) {
  OsInfo info{"13", "trixie"};
  info.pretty_name = "My \"$image\"";
  info.home_url = info.support_url = info.bug_report_url = "";
  EXPECT_EQ(os_release(info),
            "PRETTY_NAME=\"My \\\"\\$image\\\"\"\n"
            "NAME=\"Debian GNU/Linux\"\n"
            "ID=\"debian\"\n"
            "VERSION_ID=\"13\"\n"
            "VERSION=\"Debian GNU/Linux 13 (trixie)\"\n");
}

TEST(OsRelease, NamesNoPackageArchiveHost) {
  std::string text = os_release({"12", "bookworm"});
  EXPECT_EQ(text.find("deb."), std::string::npos);
  EXPECT_EQ(text.find("ftp."), std::string::npos);
}

// ---- nsswitch.conf ---------------------------------------------------------

TEST(Nsswitch, MatchesDistrolessFile) {
  std::string conf = nsswitch_conf();
  EXPECT_EQ(conf.size(), 497u);  // distroless static/nsswitch.conf is 497 bytes
  EXPECT_NE(conf.find("\npasswd:         compat\n"), std::string::npos);
  EXPECT_NE(conf.find("\nhosts:          files dns\n"), std::string::npos);
  EXPECT_EQ(conf.back(), '\n');
  EXPECT_EQ(conf.rfind("netgroup:       nis\n"), conf.size() - 20);
}

// ---- status.d ------------------------------------------------------------------

TEST(StatusD, ControlFileKeptAsShipped) {
  std::string control =
      "Package: libc6\nVersion: 2.36-9+deb12u10\nArchitecture: amd64\n"
      "Description: GNU C Library: Shared libraries\n Contains the standard libraries.\n .\n "
      "More.\n";
  EXPECT_EQ(status_d_entry(control), control);
}

TEST(StatusD, NormalisesNewlinesAndBlankLinesWithoutAddingStatus) {
  EXPECT_EQ(status_d_entry("\nPackage: a\r\nVersion: 1\r\n\n  \n"), "Package: a\nVersion: 1\n");
  EXPECT_EQ(status_d_entry("Package: a\nVersion: 1"), "Package: a\nVersion: 1\n");
  EXPECT_EQ(status_d_entry(""), "");
  EXPECT_EQ(status_d_entry("Package: a\n").find("Status:"), std::string::npos);
}

// ---- md5sums -------------------------------------------------------------------

TEST(Md5sums, KeepsOnlyPresentPathsInPackageOrder) {
  std::string sums =
      "0123456789abcdef0123456789abcdef  usr/share/man/man1/ls.1.gz\n"
      "11111111111111111111111111111111  usr/bin/ls\n"
      "22222222222222222222222222222222  usr/share/doc/coreutils/copyright\n"
      "33333333333333333333333333333333  usr/share/doc/coreutils/NEWS.gz\n"
      "44444444444444444444444444444444  bin/cat\n";
  std::set<std::string> present = {"bin/cat", "usr/bin/ls", "usr/share/doc/coreutils/copyright"};
  std::vector<std::string> asked;
  std::string out = filtered_md5sums(sums, [&](std::string_view p) {
    asked.emplace_back(p);
    return present.count(std::string(p)) > 0;
  });
  EXPECT_EQ(out,
            "11111111111111111111111111111111  usr/bin/ls\n"
            "22222222222222222222222222222222  usr/share/doc/coreutils/copyright\n"
            "44444444444444444444444444444444  bin/cat\n");
  EXPECT_EQ(asked.size(), 5u);
}

TEST(Md5sums, ToleratesCrlfBinaryMarkerLeadingSlashAndSpacesInPaths) {
  std::string sums =
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  usr/share/a file\r\n"
      "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb *usr/lib/b\n"
      "cccccccccccccccccccccccccccccccc  /etc/c\n"
      "dddddddddddddddddddddddddddddddd  ./etc/d\n"
      "garbage-without-path\n"
      "\n"
      "  leading-space-line\n";
  std::string out = filtered_md5sums(sums, [](std::string_view) { return true; });
  EXPECT_EQ(out,
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa  usr/share/a file\n"
            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb  usr/lib/b\n"
            "cccccccccccccccccccccccccccccccc  etc/c\n"
            "dddddddddddddddddddddddddddddddd  etc/d\n");
}

TEST(Md5sums, NothingPresentGivesEmpty) {
  EXPECT_EQ(filtered_md5sums("aaaa  x\n", [](std::string_view) { return false; }), "");
  EXPECT_EQ(filtered_md5sums("", [](std::string_view) { return true; }), "");
}

}  // namespace
}  // namespace pare::rootfs
