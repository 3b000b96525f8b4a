// Tests of the files pare generates per level: skeleton, accounts, status.d,
// CA bundle and the spec's own files and paths.
#include "build/generate.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "rootfs/cacerts.h"
#include "rootfs/generated.h"
#include "support/deb_builder.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace pare::build {
namespace {

using oci::EntryType;
using pare::testing::DebBuilder;
using pare::testing::fake_dir;
using pare::testing::fake_file;
using pare::testing::fake_symlink;
using pare::testing::FakeEntry;
using pare::testing::TempTree;
using rootfs::GeneratedEntry;

// Tiny DER SEQUENCEs standing in for certificates (cacerts accepts any one SEQUENCE).
std::string cert(const std::string& base64) {
  return "-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----\n";
}
const std::string kCertA = cert("MAMCAQE=");
const std::string kCertB = cert("MAUCAwEAAQ==");
const std::string kCertC = cert("MAMCAQI=");

spec::PathItem symlink_item(const std::string& path, const std::string& target) {
  spec::PathItem link;
  link.type = spec::PathItem::Type::symlink;
  link.path = path;
  link.target = target;
  return link;
}

class GenerateTest : public ::testing::Test {
 protected:
  GenerateTest() {
    spec_.suite_version = "12";
    spec_.source.suite = "bookworm";
    spec_.levels.resize(3);
    for (size_t i = 0; i < spec_.levels.size(); ++i)
      spec_.levels[i].file = tmp_ / ("level" + std::to_string(i) + ".yaml");
    plan_.arch = "amd64";
    plan_.levels.resize(3);
  }

  // Adds a hand-made unpacked package to a level of the plan.
  const rootfs::UnpackedPackage& add(size_t level, const std::string& name,
                                     const std::vector<FakeEntry>& entries,
                                     const std::string& md5sums = "") {
    std::string sha = sha256_hex(name + std::to_string(level));
    auto p = pare::testing::make_unpacked(tmp_ / ("u-" + sha), name, entries, md5sums,
                                          "Description: " + name + "\n");
    deb::PackageInfo info;
    info.name = name;
    info.version = "1.0";
    info.arch = "amd64";
    info.sha256 = sha;
    plan_.levels[level].push_back(info);
    const rootfs::UnpackedPackage& ref = *p;
    unpacked_[sha] = std::move(p);
    return ref;
  }

  Result<std::vector<GeneratedEntry>> generate(size_t level, bool merged_usr = false) {
    LevelContext ctx{spec_, plan_, level, unpacked_, merged_usr};
    return generated_entries(ctx);
  }

  std::map<std::string, GeneratedEntry> generate_map(size_t level, bool merged_usr = false) {
    auto r = generate(level, merged_usr);
    EXPECT_TRUE(r.ok()) << r.error().message();
    std::map<std::string, GeneratedEntry> m;
    if (!r.ok()) return m;
    for (auto& e : *r) m[e.header.path] = e;  // the last entry for a path wins, as in the layer
    return m;
  }

  // Generating `level` fails with a message naming `where` and saying `what`.
  void expect_error_at(size_t level, const std::string& where, const std::string& what) {
    auto r = generate(level);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message().find(where), std::string::npos) << r.error().message();
    EXPECT_NE(r.error().message().find(what), std::string::npos) << r.error().message();
  }

  TempTree tmp_{"pare-generate"};
  spec::Spec spec_;
  ArchPlan plan_;
  UnpackedSet unpacked_;
};

// ---- skeleton and accounts ----------------------------------------------------------

TEST_F(GenerateTest, LevelZeroHasTheSkeletonAndDefaultAccounts) {
  auto m = generate_map(0);
  ASSERT_TRUE(m.count("tmp"));
  EXPECT_EQ(m["tmp"].header.type, EntryType::dir);
  EXPECT_EQ(m["tmp"].header.mode, 01777u);
  EXPECT_EQ(m["root"].header.mode, 0700u);
  EXPECT_EQ(m["home/nonroot"].header.mode, 0700u);
  EXPECT_EQ(m["home/nonroot"].header.uid, 65532u);
  EXPECT_EQ(m["home/nonroot"].header.gid, 65532u);
  EXPECT_EQ(m["etc/os-release"].header.type, EntryType::symlink);
  EXPECT_EQ(m["etc/os-release"].header.link, "../usr/lib/os-release");
  EXPECT_NE(m["usr/lib/os-release"].content.find("VERSION_ID=\"12\""), std::string::npos)
      << m["usr/lib/os-release"].content;
  EXPECT_TRUE(m.count("etc/nsswitch.conf"));
  EXPECT_TRUE(m.count("var/lib/dpkg/status.d"));
  const std::string& passwd = m["etc/passwd"].content;
  EXPECT_NE(passwd.find("root:x:0:0:root:/root:/sbin/nologin\n"), std::string::npos) << passwd;
  EXPECT_NE(passwd.find("nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"),
            std::string::npos);
  EXPECT_NE(m["etc/group"].content.find("tty:x:5:"), std::string::npos);
  EXPECT_EQ(m["etc/passwd"].header.size, passwd.size());
  EXPECT_FALSE(m.count("bin"));  // no merged-/usr links unless asked
  EXPECT_FALSE(m.count("etc/ssl/certs/ca-certificates.crt"));
}

TEST_F(GenerateTest, MergedUsrSkeletonHasTheTopLevelLinks) {
  auto m = generate_map(0, true);
  for (auto [link, target] : std::vector<std::pair<std::string, std::string>>{
           {"bin", "usr/bin"}, {"sbin", "usr/sbin"}, {"lib", "usr/lib"}, {"lib64", "usr/lib64"}}) {
    ASSERT_TRUE(m.count(link)) << link;
    EXPECT_EQ(m[link].header.type, EntryType::symlink);
    EXPECT_EQ(m[link].header.link, target);
    ASSERT_TRUE(m.count(target)) << target;
    EXPECT_EQ(m[target].header.type, EntryType::dir);
  }
  plan_.arch = "arm64";
  auto arm = generate_map(0, true);
  EXPECT_FALSE(arm.count("lib64"));
}

TEST_F(GenerateTest, UpperLevelsHaveNoSkeletonAndNoAccountsUnlessTheyAddSome) {
  auto m = generate_map(1);
  EXPECT_FALSE(m.count("tmp"));
  EXPECT_FALSE(m.count("etc/passwd"));
  EXPECT_FALSE(m.count("etc/group"));
  EXPECT_FALSE(m.count("usr/lib/os-release"));
}

TEST_F(GenerateTest, SpecUsersAndGroupsAreAddedAtTheirLevel) {
  spec_.levels[1].users.push_back({"app", 1000, 1000, "/home/app", "/bin/sh", "App User"});
  spec_.levels[1].users.push_back({"svc", 1001, 1001, "/nonexistent", "/sbin/nologin", ""});
  spec_.levels[1].groups.push_back({"app", 1000, {"nonroot"}, {}});
  spec_.levels[2].groups.push_back({"extra", 2000, {}, {}});
  auto m1 = generate_map(1);
  ASSERT_TRUE(m1.count("etc/passwd"));
  const std::string& passwd = m1["etc/passwd"].content;
  EXPECT_NE(passwd.find("root:x:0:0:"), std::string::npos);  // defaults kept
  EXPECT_NE(passwd.find("app:x:1000:1000:App User:/home/app:/bin/sh\n"), std::string::npos)
      << passwd;
  EXPECT_NE(passwd.find("svc:x:1001:1001:svc:/nonexistent:/sbin/nologin\n"), std::string::npos)
      << passwd;
  EXPECT_NE(m1["etc/group"].content.find("app:x:1000:nonroot\n"), std::string::npos)
      << m1["etc/group"].content;
  ASSERT_TRUE(m1.count("home/app"));
  EXPECT_EQ(m1["home/app"].header.type, EntryType::dir);
  EXPECT_EQ(m1["home/app"].header.mode, 0700u);
  EXPECT_EQ(m1["home/app"].header.uid, 1000u);
  EXPECT_FALSE(m1.count("nonexistent"));

  // Level 2 only adds a group: the files carry everything from below.
  auto m2 = generate_map(2);
  ASSERT_TRUE(m2.count("etc/group"));
  EXPECT_NE(m2["etc/group"].content.find("app:x:1000:nonroot\n"), std::string::npos);
  EXPECT_NE(m2["etc/group"].content.find("extra:x:2000:\n"), std::string::npos);
  EXPECT_NE(m2["etc/passwd"].content.find("app:x:1000"), std::string::npos);
  EXPECT_FALSE(m2.count("home/app"));  // made by level 1
}

TEST_F(GenerateTest, ConflictingAccountsAreAnError) {
  spec_.levels[1].users.push_back({"other", 0, 0, "/", "/bin/sh", ""});  // uid 0 is root's
  auto r = generate(1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find("level1.yaml"), std::string::npos) << r.error().message();
}

// ---- status.d -----------------------------------------------------------------------

TEST_F(GenerateTest, StatusEntriesAndMd5sumsFromRealPackages) {
  auto deb = DebBuilder("hello", "2.10-3")
                 .field("Depends", "libc6 (>= 2.34)")
                 .file("usr/bin/hello", "#!/bin/sh\n", 0755)
                 .file("usr/share/doc/hello/copyright", "c\n")
                 .file("usr/share/doc/hello/changelog.gz", "dropped")
                 .file("usr/share/man/man1/hello.1.gz", "dropped")
                 .md5sums()
                 .build(tmp_.path());
  std::string sha = sha256_hex(pare::testing::read_text(deb));
  auto u = rootfs::unpack_cached(deb, sha, rootfs::FilterOptions{}, tmp_ / "cache");
  ASSERT_TRUE(u.ok()) << u.error().message();
  deb::PackageInfo info;
  info.name = "hello";
  info.version = "2.10-3";
  info.sha256 = sha;
  plan_.levels[1].push_back(info);
  std::string control = (*u)->control;
  unpacked_[sha] = std::move(u.value());
  add(0, "base-files", {fake_file("etc/debian_version", "12.5\n")},
      "d41d8cd98f00b204e9800998ecf8427e  etc/debian_version\n");

  auto m = generate_map(1);
  ASSERT_TRUE(m.count("var/lib/dpkg/status.d/hello"));
  EXPECT_EQ(m["var/lib/dpkg/status.d/hello"].content, rootfs::status_d_entry(control));
  EXPECT_NE(m["var/lib/dpkg/status.d/hello"].content.find("Package: hello\n"), std::string::npos);
  EXPECT_NE(m["var/lib/dpkg/status.d/hello"].content.find("Version: 2.10-3\n"), std::string::npos);
  ASSERT_TRUE(m.count("var/lib/dpkg/status.d/hello.md5sums"));
  const std::string& sums = m["var/lib/dpkg/status.d/hello.md5sums"].content;
  EXPECT_NE(sums.find("  usr/bin/hello\n"), std::string::npos) << sums;
  EXPECT_NE(sums.find("  usr/share/doc/hello/copyright\n"), std::string::npos) << sums;
  EXPECT_EQ(sums.find("changelog"), std::string::npos) << sums;
  EXPECT_EQ(sums.find("man1"), std::string::npos) << sums;
  EXPECT_EQ(std::count(sums.begin(), sums.end(), '\n'), 2);
  // The lower level's package is not repeated.
  EXPECT_FALSE(m.count("var/lib/dpkg/status.d/base-files"));
  auto m0 = generate_map(0);
  EXPECT_TRUE(m0.count("var/lib/dpkg/status.d/base-files"));
  EXPECT_TRUE(m0.count("var/lib/dpkg/status.d/base-files.md5sums"));
  EXPECT_FALSE(m0.count("var/lib/dpkg/status.d/hello"));
}

TEST_F(GenerateTest, PackageWithoutMd5sumsHasNoMd5sumsFile) {
  add(0, "nosums", {fake_file("usr/bin/x", "x")});
  auto m = generate_map(0);
  EXPECT_TRUE(m.count("var/lib/dpkg/status.d/nosums"));
  EXPECT_FALSE(m.count("var/lib/dpkg/status.d/nosums.md5sums"));
}

// ---- CA bundle ----------------------------------------------------------------------

TEST_F(GenerateTest, CaBundleIsGeneratedAtTheLevelThatAddsACaPackage) {
  add(0, "libc6", {fake_file("usr/lib/libc.so.6", "elf")});
  add(1, "ca-certificates",
      {fake_dir("usr/share/ca-certificates/mozilla"),
       fake_file("usr/share/ca-certificates/mozilla/B.crt", kCertB),
       fake_file("usr/share/ca-certificates/mozilla/A.crt", kCertA),
       fake_file("usr/share/ca-certificates/mozilla/README", "not a cert"),
       fake_file("usr/share/doc/ca-certificates/copyright", "MPL\n")},
      "11111111111111111111111111111111  usr/share/ca-certificates/mozilla/A.crt\n"
      "22222222222222222222222222222222  usr/share/doc/ca-certificates/copyright\n");
  add(2, "app", {fake_file("usr/bin/app", "app")});

  EXPECT_FALSE(generate_map(0).count("etc/ssl/certs/ca-certificates.crt"));
  auto m1 = generate_map(1);
  ASSERT_TRUE(m1.count("etc/ssl/certs/ca-certificates.crt"));
  EXPECT_EQ(m1["etc/ssl/certs/ca-certificates.crt"].content, kCertA + kCertB);  // in path order
  EXPECT_EQ(m1["etc/ssl/certs/ca-certificates.crt"].header.type, EntryType::file);
  EXPECT_FALSE(generate_map(2).count("etc/ssl/certs/ca-certificates.crt"));

  // ca-certificates is bundle-only: its md5sums list just what stays (the copyright).
  const std::string& sums = m1["var/lib/dpkg/status.d/ca-certificates.md5sums"].content;
  EXPECT_NE(sums.find("usr/share/doc/ca-certificates/copyright"), std::string::npos) << sums;
  EXPECT_EQ(sums.find("A.crt"), std::string::npos) << sums;
  EXPECT_TRUE(is_bundle_only_package("ca-certificates"));
  EXPECT_FALSE(is_bundle_only_package("libc6"));
}

TEST_F(GenerateTest, SpecCertificatesRegenerateTheBundleWithTheLowerOnes) {
  add(0, "ca-certificates", {fake_file("usr/share/ca-certificates/mozilla/A.crt", kCertA)});
  pare::testing::write_text(tmp_ / "my-ca.pem", kCertC);
  spec_.levels[2].certificates.push_back(tmp_ / "my-ca.pem");
  EXPECT_TRUE(generate_map(0).count("etc/ssl/certs/ca-certificates.crt"));
  EXPECT_FALSE(generate_map(1).count("etc/ssl/certs/ca-certificates.crt"));
  auto m2 = generate_map(2);
  ASSERT_TRUE(m2.count("etc/ssl/certs/ca-certificates.crt"));
  EXPECT_EQ(m2["etc/ssl/certs/ca-certificates.crt"].content, kCertA + kCertC);
}

TEST_F(GenerateTest, MissingSpecCertificateIsAnError) {
  spec_.levels[0].certificates.push_back(tmp_ / "absent.pem");
  auto r = generate(0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("absent.pem"), std::string::npos);
}

TEST_F(GenerateTest, LevelChangesAccounts) {
  EXPECT_TRUE(level_changes_accounts(spec_, 0));
  EXPECT_FALSE(level_changes_accounts(spec_, 1));
  spec_.levels[1].groups.push_back({"g", 10, {}, {}});
  EXPECT_TRUE(level_changes_accounts(spec_, 1));
}

TEST_F(GenerateTest, LevelChangesCaBundle) {
  add(1, "ca-certificates", {fake_file("usr/share/ca-certificates/mozilla/A.crt", kCertA)});
  EXPECT_FALSE(level_changes_ca_bundle(spec_, plan_, 0));
  EXPECT_TRUE(level_changes_ca_bundle(spec_, plan_, 1));
  EXPECT_FALSE(level_changes_ca_bundle(spec_, plan_, 2));
  spec_.levels[2].certificates.push_back(tmp_ / "x.pem");
  EXPECT_TRUE(level_changes_ca_bundle(spec_, plan_, 2));
}

// ---- spec files and paths -----------------------------------------------------------

spec::PathItem path_item(spec::PathItem::Type type, std::string path) {
  spec::PathItem p;
  p.type = type;
  p.path = std::move(path);
  p.loc = {"spec.yaml", 7, 3};
  return p;
}

TEST_F(GenerateTest, PathItemsMakeDirectoriesLinksAndEmptyFiles) {
  using T = spec::PathItem::Type;
  auto d = path_item(T::directory, "/var/app/");
  d.mode = 0750;
  d.uid = 10;
  auto l = path_item(T::symlink, "/usr/bin/app-link");
  l.target = "/opt/app/bin/app";
  auto f = path_item(T::empty_file, "/var/app/.keep");
  spec_.levels[1].paths = {d, l, f};
  auto m = generate_map(1);
  ASSERT_TRUE(m.count("var/app"));
  EXPECT_EQ(m["var/app"].header.type, EntryType::dir);
  EXPECT_EQ(m["var/app"].header.mode, 0750u);
  EXPECT_EQ(m["var/app"].header.uid, 10u);
  EXPECT_EQ(m["usr/bin/app-link"].header.link, "/opt/app/bin/app");
  EXPECT_EQ(m["var/app/.keep"].header.type, EntryType::file);
  EXPECT_EQ(m["var/app/.keep"].content, "");
  EXPECT_EQ(m["var/app/.keep"].header.mode, 0644u);
}

TEST_F(GenerateTest, PermissionsReEmitALowerPackageEntry) {
  add(0, "tools",
      {fake_dir("usr/bin"), fake_file("usr/bin/tool", "tool bytes", 0755),
       fake_symlink("usr/bin/tool-link", "tool")});
  auto p = path_item(spec::PathItem::Type::permissions, "/usr/bin/tool");
  p.mode = 04755;
  p.gid = 50;
  auto dirp = path_item(spec::PathItem::Type::permissions, "/usr/bin/");
  dirp.uid = 1000;
  spec_.levels[2].paths = {p, dirp};
  auto m = generate_map(2);
  ASSERT_TRUE(m.count("usr/bin/tool"));
  const auto& tool = m["usr/bin/tool"];
  EXPECT_EQ(tool.header.type, EntryType::file);
  EXPECT_EQ(tool.content, "tool bytes");
  EXPECT_EQ(tool.header.size, tool.content.size());
  EXPECT_EQ(tool.header.mode, 04755u);
  EXPECT_EQ(tool.header.uid, 0u);  // unchanged
  EXPECT_EQ(tool.header.gid, 50u);
  ASSERT_TRUE(m.count("usr/bin"));
  EXPECT_EQ(m["usr/bin"].header.type, EntryType::dir);
  EXPECT_EQ(m["usr/bin"].header.uid, 1000u);
  EXPECT_EQ(m["usr/bin"].header.mode, 0755u);
}

TEST_F(GenerateTest, PermissionsTakeTheEntryThatWinsInTheImage) {
  add(0, "old", {fake_file("etc/app.conf", "old\n", 0644)});
  add(1, "new", {fake_file("etc/app.conf", "new\n", 0644)});
  auto p = path_item(spec::PathItem::Type::permissions, "/etc/app.conf");
  p.mode = 0600;
  spec_.levels[1].paths = {p};
  auto m = generate_map(1);
  ASSERT_TRUE(m.count("etc/app.conf"));
  EXPECT_EQ(m["etc/app.conf"].content, "new\n");
  EXPECT_EQ(m["etc/app.conf"].header.mode, 0600u);
}

TEST_F(GenerateTest, PermissionsOnAnEntryOfTheSameLevel) {
  using T = spec::PathItem::Type;
  auto f = path_item(T::empty_file, "/var/log/app.log");
  auto p = path_item(T::permissions, "/var/log/app.log");
  p.uid = 65532;
  p.gid = 65532;
  p.mode = 0600;
  spec_.levels[1].paths = {f, p};
  auto r = generate(1);
  ASSERT_TRUE(r.ok()) << r.error().message();
  int count = 0;
  for (const auto& e : *r)
    if (e.header.path == "var/log/app.log") {
      ++count;
      EXPECT_EQ(e.header.uid, 65532u);
      EXPECT_EQ(e.header.mode, 0600u);
    }
  EXPECT_EQ(count, 1);
}

TEST_F(GenerateTest, PermissionsUnderMergedUsr) {
  add(0, "dash",
      {fake_file("bin/dash", "dash", 0755), fake_symlink("bin/sh", "dash"),
       fake_symlink("lib64/ld.so", "/lib/x86_64-linux-gnu/ld.so")});
  using T = spec::PathItem::Type;
  auto a = path_item(T::permissions, "/usr/bin/dash");
  a.mode = 0700;
  auto b = path_item(T::permissions, "/bin/sh");  // named through the /bin link
  b.uid = 5;
  auto c = path_item(T::permissions, "/usr/lib64/ld.so");
  c.gid = 6;
  spec_.levels[1].paths = {a, b, c};
  auto m = generate_map(1, true);
  ASSERT_TRUE(m.count("usr/bin/dash"));
  EXPECT_EQ(m["usr/bin/dash"].content, "dash");
  EXPECT_EQ(m["usr/bin/dash"].header.mode, 0700u);
  ASSERT_TRUE(m.count("usr/bin/sh"));
  EXPECT_FALSE(m.count("bin/sh"));
  EXPECT_EQ(m["usr/bin/sh"].header.uid, 5u);
  EXPECT_EQ(m["usr/bin/sh"].header.link, "dash");
  ASSERT_TRUE(m.count("usr/lib64/ld.so"));
  EXPECT_EQ(m["usr/lib64/ld.so"].header.link, "/usr/lib/x86_64-linux-gnu/ld.so");
}

TEST_F(GenerateTest, PermissionsOnAMissingPathIsAnError) {
  add(0, "tools", {fake_file("usr/bin/tool", "t")});
  auto p = path_item(spec::PathItem::Type::permissions, "/usr/bin/not-there");
  p.mode = 0700;
  spec_.levels[1].paths = {p};
  auto r = generate(1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  const std::string& msg = r.error().message();
  EXPECT_NE(msg.find("spec.yaml:7:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("/usr/bin/not-there"), std::string::npos) << msg;
  // A path of a HIGHER level is not visible either.
  add(2, "later", {fake_file("usr/bin/not-there", "t")});
  EXPECT_FALSE(generate(1).ok());
}

// A directory entry of an upper layer replaces the lower one's mode and owner,
// so the parents an upper level needs are re-stated as the lower levels have them.
TEST_F(GenerateTest, UpperLevelKeepsLowerParentDirectoryMetadata) {
  using T = spec::PathItem::Type;
  add(0, "ssl", {fake_dir("etc"), fake_dir("etc/ssl"), fake_dir("etc/ssl/private", 0710)});
  spec_.levels[1].users.push_back({"app", 1000, 1000, "/home/app", "/sbin/nologin", ""});
  spec_.levels[2].paths = {
      path_item(T::empty_file, "/home/nonroot/.profile"), path_item(T::empty_file, "/tmp/marker"),
      path_item(T::empty_file, "/etc/ssl/private/key.pem"),
      path_item(T::empty_file, "/home/app/data/db"), path_item(T::empty_file, "/srv/new/file")};
  auto m = generate_map(2);
  ASSERT_TRUE(m.count("home/nonroot"));
  EXPECT_EQ(m["home/nonroot"].header.mode, 0700u);
  EXPECT_EQ(m["home/nonroot"].header.uid, 65532u);
  EXPECT_EQ(m["home/nonroot"].header.gid, 65532u);
  ASSERT_TRUE(m.count("tmp"));
  EXPECT_EQ(m["tmp"].header.mode, 01777u);
  ASSERT_TRUE(m.count("etc/ssl/private"));
  EXPECT_EQ(m["etc/ssl/private"].header.mode, 0710u);
  ASSERT_TRUE(m.count("home/app"));
  EXPECT_EQ(m["home/app"].header.mode, 0700u);
  EXPECT_EQ(m["home/app"].header.uid, 1000u);
  // Plain 0755 root directories and new ones are left to write_layer.
  for (const char* plain : {"home", "etc", "etc/ssl", "srv", "srv/new", "home/app/data"})
    EXPECT_FALSE(m.count(plain)) << plain;

  // A directory this level's own package ships is not overridden.
  add(2, "tmpowner", {fake_dir("tmp", 01777)});
  auto again = generate_map(2);
  EXPECT_FALSE(again.count("tmp"));
}

TEST_F(GenerateTest, LocalFilesAndDirectoriesAreCopied) {
  pare::testing::write_text(tmp_ / "src/app.conf", "conf\n");
  pare::testing::write_text(tmp_ / "tree/bin/run", "#!/bin/sh\n");
  pare::testing::write_text(tmp_ / "tree/data/x.txt", "x");
  std::filesystem::permissions(tmp_ / "tree/bin/run", std::filesystem::perms(0755));
  std::filesystem::create_symlink("bin/run", tmp_ / "tree/start");
  spec::FileItem one;
  one.src = tmp_ / "src/app.conf";
  one.dest = "/etc/app/app.conf";
  one.mode = 0640;
  one.uid = 7;
  spec::FileItem tree;
  tree.src = tmp_ / "tree";
  tree.dest = "/opt/app/";
  tree.gid = 9;
  spec_.levels[1].files = {one, tree};
  auto m = generate_map(1);
  ASSERT_TRUE(m.count("etc/app/app.conf"));
  EXPECT_EQ(m["etc/app/app.conf"].content, "conf\n");
  EXPECT_EQ(m["etc/app/app.conf"].header.mode, 0640u);
  EXPECT_EQ(m["etc/app/app.conf"].header.uid, 7u);
  ASSERT_TRUE(m.count("opt/app"));
  EXPECT_EQ(m["opt/app"].header.type, EntryType::dir);
  ASSERT_TRUE(m.count("opt/app/bin/run"));
  EXPECT_EQ(m["opt/app/bin/run"].header.mode, 0755u);
  EXPECT_EQ(m["opt/app/bin/run"].header.gid, 9u);
  EXPECT_EQ(m["opt/app/data/x.txt"].content, "x");
  EXPECT_EQ(m["opt/app/bin"].header.type, EntryType::dir);
  ASSERT_TRUE(m.count("opt/app/start"));
  EXPECT_EQ(m["opt/app/start"].header.type, EntryType::symlink);
  EXPECT_EQ(m["opt/app/start"].header.link, "bin/run");
}

TEST_F(GenerateTest, ADirectoryCopiedToTheRootMergesIntoIt) {
  pare::testing::write_text(tmp_ / "overlay/etc/app.conf", "conf\n");
  pare::testing::write_text(tmp_ / "overlay/top", "t");
  spec::FileItem tree;
  tree.src = tmp_ / "overlay";
  tree.dest = "/";
  spec_.levels[1].files = {tree};
  auto m = generate_map(1);
  EXPECT_FALSE(m.count("")) << "no entry for the root itself";
  EXPECT_EQ(m["etc/app.conf"].content, "conf\n");
  EXPECT_EQ(m["etc"].header.type, EntryType::dir);
  EXPECT_EQ(m["top"].content, "t");

  spec::FileItem file;
  file.src = tmp_ / "overlay/top";
  file.dest = "/";
  file.loc = {"spec.yaml", 4, 7};
  spec_.levels[1].files = {file};
  expect_error_at(1, "spec.yaml:4:7", "give it a name");
}

TEST_F(GenerateTest, SymlinksBelowAreTheLowerLevelsLinksWhereTheImageHasThem) {
  add(0, "base-files", {fake_symlink("var/run", "/run"), fake_dir("etc")});
  add(1, "tools", {fake_symlink("lib/tool", "../opt/tool")});
  add(2, "top", {fake_symlink("var/top", "x")});
  spec_.levels[1].paths = {symlink_item("/srv/data", "/mnt/data")};
  LevelContext ctx{spec_, plan_, 2, unpacked_, false};
  EXPECT_EQ(symlinks_below(ctx),
            (std::map<std::string, std::string>{
                {"lib/tool", "../opt/tool"}, {"srv/data", "/mnt/data"}, {"var/run", "/run"}}));
  LevelContext merged{spec_, plan_, 2, unpacked_, true};
  auto m = symlinks_below(merged);
  EXPECT_FALSE(m.count("lib/tool"));
  EXPECT_TRUE(m.count("usr/lib/tool")) << "where merged /usr stores it";
  LevelContext bottom{spec_, plan_, 0, unpacked_, false};
  EXPECT_TRUE(symlinks_below(bottom).empty());
}

TEST_F(GenerateTest, MergedUsrSpecLinksBelowPointWhereMergedUsrStoresTheirTargets) {
  spec_.levels[0].paths = {symlink_item("/opt/app/lib", "/lib/app")};
  LevelContext merged{spec_, plan_, 1, unpacked_, true};
  EXPECT_EQ(symlinks_below(merged).at("opt/app/lib"), "/usr/lib/app");
}

TEST_F(GenerateTest, ParentsReachedThroughALowerLinkKeepTheirLowerMetadata) {
  add(0, "base",
      {fake_dir("run"), fake_dir("run/lock", 01777), fake_symlink("var/lock", "/run/lock")});
  add(1, "locker", {fake_dir("var/lock/app"), fake_file("var/lock/app/pid", "1")});
  auto m = generate_map(1);
  ASSERT_TRUE(m.count("run/lock")) << "re-stated, not invented as 0755 by the layer writer";
  EXPECT_EQ(m["run/lock"].header.mode, 01777u);
  EXPECT_FALSE(m.count("var/lock"));
}

TEST_F(GenerateTest, MissingLocalFileIsAnError) {
  spec::FileItem f;
  f.src = tmp_ / "nope";
  f.dest = "/etc/nope";
  f.loc = {"spec.yaml", 3, 5};
  spec_.levels[0].files = {f};
  expect_error_at(0, "spec.yaml:3:5", "does not exist");
}

// A spec item must not make anything under a path a lower level has as a file:
// the upper directory would hide the file at run time (issue #9).
TEST_F(GenerateTest, NothingIsMadeUnderALowerLevelsFile) {
  add(0, "base-files",
      {fake_dir("etc"), fake_file("etc/debian_version", "12.8\n"),
       fake_symlink("etc/os-release", "../usr/lib/os-release"), fake_dir("usr"),
       fake_dir("usr/lib"), fake_file("usr/lib/os-release", "ID=debian\n")});
  spec::PathItem under_file;
  under_file.path = "/etc/debian_version/sub";
  under_file.loc = {"app.yaml", 7, 5};
  spec_.levels[1].paths = {under_file};
  expect_error_at(1, "app.yaml:7:5", "/etc/debian_version, which a lower level has as a file");
  spec::PathItem through_link;
  through_link.type = spec::PathItem::Type::empty_file;
  through_link.path = "/etc/os-release/x";
  through_link.loc = {"app.yaml", 8, 5};
  spec_.levels[1].paths = {through_link};
  expect_error_at(1, "app.yaml:8:5", "/usr/lib/os-release, which a lower level has as a file");
  // Beside the files, and replacing one, are fine.
  spec::PathItem beside;
  beside.path = "/etc/app";
  spec::PathItem replacing;
  replacing.type = spec::PathItem::Type::empty_file;
  replacing.path = "/etc/debian_version";
  spec_.levels[1].paths = {beside, replacing};
  auto ok = generate(1);
  EXPECT_TRUE(ok.ok()) << ok.error().message();
}

// /etc/ld.so.cache, from real libraries of the host (the generator reads ELF
// headers): written at each level that adds to a library directory, once
// the image has a libc6; symlinks are followed, merged /usr keeps the /lib names.
std::string host_file(const std::string& path) {
  auto bytes = fs::read_file(path);
  return bytes.ok() ? *bytes : std::string();
}

TEST_F(GenerateTest, LoaderCacheAtEachLevelThatAddsLibraries) {
  std::string libc = host_file("/lib/x86_64-linux-gnu/libc.so.6");
  std::string libz = host_file("/lib/x86_64-linux-gnu/libz.so.1");
  if (libc.empty() || libz.empty())
    GTEST_SKIP() << "needs the host's amd64 libc.so.6 and libz.so.1";
  add(0, "libc6",
      {fake_dir("lib"), fake_dir("lib/x86_64-linux-gnu"),
       fake_file("lib/x86_64-linux-gnu/libc.so.6", libc, 0755)});
  add(1, "zlib1g",
      {fake_file("lib/x86_64-linux-gnu/libz.so.1.9", libz),
       fake_symlink("lib/x86_64-linux-gnu/libz.so.1", "libz.so.1.9"),
       fake_symlink("lib/x86_64-linux-gnu/libdangling.so.1", "nowhere.so")});
  add(2, "tool", {fake_file("usr/bin/tool", "x", 0755)});
  for (bool merged : {false, true}) {
    auto l0 = generate_map(0, merged);
    ASSERT_TRUE(l0.count("etc/ld.so.cache")) << merged;
    const std::string& c0 = l0["etc/ld.so.cache"].content;
    EXPECT_EQ(c0.rfind("glibc-ld.so.cache1.1", 0), 0u);
    EXPECT_NE(c0.find("/lib/x86_64-linux-gnu/libc.so.6"), std::string::npos);
    EXPECT_EQ(c0.find("libz"), std::string::npos);
    EXPECT_NE(c0.find("GLIBC 1.0"), std::string::npos) << "the generator names the image's libc6";
    auto l1 = generate_map(1, merged);
    ASSERT_TRUE(l1.count("etc/ld.so.cache"));
    const std::string& c1 = l1["etc/ld.so.cache"].content;
    EXPECT_NE(c1.find("/lib/x86_64-linux-gnu/libz.so.1"), std::string::npos);
    EXPECT_NE(c1.find("/lib/x86_64-linux-gnu/libc.so.6"), std::string::npos);
    EXPECT_EQ(c1.find("libdangling"), std::string::npos);
    EXPECT_EQ(c1.find("libz.so.1.9"), std::string::npos) << "cached under the SONAME link";
    EXPECT_EQ(generate_map(2, merged).count("etc/ld.so.cache"), 0u) << "level 2 adds no library";
  }
}

TEST_F(GenerateTest, NoLoaderCacheWithoutALibc) {
  std::string libz = host_file("/lib/x86_64-linux-gnu/libz.so.1");
  if (libz.empty()) GTEST_SKIP() << "needs the host's amd64 libz.so.1";
  add(0, "zlib1g", {fake_file("lib/x86_64-linux-gnu/libz.so.1", libz)});
  EXPECT_EQ(generate_map(0).count("etc/ld.so.cache"), 0u);
}

TEST_F(GenerateTest, APackageNameThatIsNotDebianIsRefused) {
  add(0, "../../etc/evil", {fake_file("usr/bin/x", "x", 0755)});
  auto r = generate(0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("not a Debian package name"), std::string::npos)
      << r.error().message();
}

}  // namespace
}  // namespace pare::build
