// Layer assembly tests: write_layer's tar is read back with oci::read_tar and
// checked entry by entry.
#include "rootfs/assemble.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "support/deb_builder.h"

namespace pare::rootfs {
namespace {

using oci::EntryType;
using pare::testing::fake_dir;
using pare::testing::fake_file;
using pare::testing::fake_hardlink;
using pare::testing::fake_symlink;
using pare::testing::FakeEntry;
using pare::testing::TempTree;

class StringSink : public fs::ByteSink {
 public:
  Result<void> write(std::string_view bytes) override {
    data.append(bytes);
    return {};
  }
  std::string data;
};

struct Out {
  oci::TarHeader header;
  std::string data;
};

struct Layer {
  std::vector<Out> entries;  // tar order
  LayerStats stats;
  const Out* find(const std::string& path) const {
    for (const auto& e : entries)
      if (e.header.path == path) return &e;
    return nullptr;
  }
  std::vector<std::string> paths() const {
    std::vector<std::string> p;
    for (const auto& e : entries) p.push_back(e.header.path);
    return p;
  }
};

class AssembleTest : public ::testing::Test {
 protected:
  const UnpackedPackage* pkg(const std::string& name, const std::vector<FakeEntry>& entries) {
    packages_.push_back(pare::testing::make_unpacked(
        tmp_ / ("p" + std::to_string(packages_.size())), name, entries));
    return packages_.back().get();
  }

  Layer write(const LayerContent& content) {
    StringSink sink;
    oci::TarWriter tar(&sink);
    auto stats = write_layer(content, tar);
    EXPECT_TRUE(stats.ok()) << stats.error().message();
    Layer layer;
    if (!stats.ok()) return layer;
    layer.stats = *stats;
    EXPECT_TRUE(tar.finish().ok());
    auto read = oci::read_tar(sink.data,
                              [&](const oci::TarHeader& h, std::string_view data) -> Result<void> {
                                layer.entries.push_back({h, std::string(data)});
                                return {};
                              });
    EXPECT_TRUE(read.ok()) << read.error().message();
    return layer;
  }

  TempTree tmp_{"pare-assemble"};
  std::vector<std::unique_ptr<UnpackedPackage>> packages_;
};

void expect_sorted_unique(const Layer& l) {
  auto p = l.paths();
  EXPECT_TRUE(std::is_sorted(p.begin(), p.end()));
  EXPECT_EQ(std::adjacent_find(p.begin(), p.end()), p.end()) << "duplicate path";
}

// Every entry's parent directory is in the layer before it.
void expect_parents_first(const Layer& l) {
  std::map<std::string, EntryType> seen;
  for (const auto& e : l.entries) {
    auto slash = e.header.path.rfind('/');
    if (slash != std::string::npos) {
      auto parent = seen.find(e.header.path.substr(0, slash));
      EXPECT_TRUE(parent != seen.end() && parent->second == EntryType::dir)
          << e.header.path << " has no parent directory before it";
    }
    seen[e.header.path] = e.header.type;
  }
}

// ---- ordering and merging -----------------------------------------------------------

TEST_F(AssembleTest, SortedOneEntryPerPathWithParents) {
  LayerContent c;
  c.packages = {
      pkg("one", {fake_dir("usr"), fake_dir("usr/bin"), fake_file("usr/bin/zz", "z", 0755),
                  fake_file("usr/bin/aa", "a"), fake_file("etc/deep/er/conf", "conf")}),
      pkg("two", {fake_file("usr/bin-extra/x", "x"), fake_file("usr/bin/mm", "m")})};
  Layer l = write(c);
  expect_sorted_unique(l);
  expect_parents_first(l);
  EXPECT_EQ(l.paths(),
            (std::vector<std::string>{"etc", "etc/deep", "etc/deep/er", "etc/deep/er/conf", "usr",
                                      "usr/bin", "usr/bin-extra", "usr/bin-extra/x", "usr/bin/aa",
                                      "usr/bin/mm", "usr/bin/zz"}));
  // Added parents are plain 0755 root directories.
  const Out* etc = l.find("etc/deep");
  ASSERT_TRUE(etc);
  EXPECT_EQ(etc->header.type, EntryType::dir);
  EXPECT_EQ(etc->header.mode, 0755u);
  EXPECT_EQ(etc->header.uid, 0u);
  EXPECT_EQ(l.find("usr/bin/zz")->header.mode, 0755u);
  EXPECT_EQ(l.find("usr/bin/zz")->data, "z");
  EXPECT_EQ(l.stats.entries, l.entries.size());
  EXPECT_EQ(l.stats.file_bytes, 1u + 1u + 4u + 1u + 1u);  // z a conf x m
}

TEST_F(AssembleTest, DirectoryFromTwoPackagesAppearsOnceWithTheFirstMetadata) {
  LayerContent c;
  c.packages = {
      pkg("one", {fake_dir("usr/share/common", 0755), fake_file("usr/share/common/a", "a")}),
      pkg("two", {fake_dir("usr/share/common", 0700), fake_file("usr/share/common/b", "b")})};
  Layer l = write(c);
  auto p = l.paths();
  EXPECT_EQ(std::count(p.begin(), p.end(), "usr/share/common"), 1);
  EXPECT_EQ(l.find("usr/share/common")->header.mode, 0755u);
  EXPECT_TRUE(l.find("usr/share/common/a") && l.find("usr/share/common/b"));
}

TEST_F(AssembleTest, LaterPackageFileWins) {
  LayerContent c;
  c.packages = {pkg("one", {fake_file("etc/shared.conf", "from one\n", 0600)}),
                pkg("two", {fake_file("etc/shared.conf", "from two, longer\n", 0644)})};
  Layer l = write(c);
  const Out* f = l.find("etc/shared.conf");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->data, "from two, longer\n");
  EXPECT_EQ(f->header.size, f->data.size());
  EXPECT_EQ(f->header.mode, 0644u);
  EXPECT_EQ(l.stats.file_bytes, f->data.size());
}

TEST_F(AssembleTest, LaterPackageSymlinkReplacesAFile) {
  LayerContent c;
  c.packages = {pkg("one", {fake_file("usr/bin/tool", "binary")}),
                pkg("two", {fake_symlink("usr/bin/tool", "tool2")})};
  Layer l = write(c);
  ASSERT_TRUE(l.find("usr/bin/tool"));
  EXPECT_EQ(l.find("usr/bin/tool")->header.type, EntryType::symlink);
  EXPECT_EQ(l.find("usr/bin/tool")->header.link, "tool2");
}

TEST_F(AssembleTest, GeneratedEntriesOverridePackages) {
  LayerContent c;
  c.packages = {pkg("base-files", {fake_dir("etc"), fake_file("etc/passwd", "from the package\n"),
                                   fake_dir("tmp", 0755)})};
  GeneratedEntry passwd;
  passwd.header.path = "etc/passwd";
  passwd.header.size = 999;  // replaced by the content's size
  passwd.content = "root:x:0:0:root:/root:/sbin/nologin\n";
  GeneratedEntry tmpdir;
  tmpdir.header.path = "tmp";
  tmpdir.header.type = EntryType::dir;
  tmpdir.header.mode = 01777;
  GeneratedEntry home;
  home.header.path = "home/nonroot";
  home.header.type = EntryType::dir;
  home.header.mode = 0700;
  home.header.uid = home.header.gid = 65532;
  c.generated = {passwd, tmpdir, home};
  Layer l = write(c);
  expect_sorted_unique(l);
  expect_parents_first(l);
  ASSERT_TRUE(l.find("etc/passwd"));
  EXPECT_EQ(l.find("etc/passwd")->data, passwd.content);
  EXPECT_EQ(l.find("etc/passwd")->header.size, passwd.content.size());
  EXPECT_EQ(l.find("tmp")->header.mode, 01777u);
  ASSERT_TRUE(l.find("home"));  // parent added
  EXPECT_EQ(l.find("home/nonroot")->header.uid, 65532u);
}

TEST_F(AssembleTest, MtimeIsAppliedToEveryEntry) {
  LayerContent c;
  c.packages = {pkg("one", {fake_file("a/b/c", "c"), fake_symlink("a/l", "b")})};
  GeneratedEntry g;
  g.header.path = "z/gen";
  g.content = "g";
  c.generated = {g};
  c.mtime = 1700000000;
  Layer l = write(c);
  ASSERT_EQ(l.entries.size(), 6u);
  for (const auto& e : l.entries) EXPECT_EQ(e.header.mtime, 1700000000) << e.header.path;
}

TEST_F(AssembleTest, EmptyContentWritesNothing) {
  Layer l = write(LayerContent{});
  EXPECT_TRUE(l.entries.empty());
  EXPECT_EQ(l.stats.entries, 0u);
}

// ---- hardlinks ----------------------------------------------------------------------

TEST_F(AssembleTest, FirstPathOfAHardlinkGroupCarriesTheData) {
  // The package's file is usr/lib/zz; its links sort before it.
  LayerContent c;
  c.packages = {pkg(
      "one", {fake_file("usr/lib/zz", "payload", 0755), fake_hardlink("usr/lib/aa", "usr/lib/zz"),
              fake_hardlink("usr/lib/mm", "usr/lib/zz")})};
  Layer l = write(c);
  expect_sorted_unique(l);
  const Out* aa = l.find("usr/lib/aa");
  const Out* mm = l.find("usr/lib/mm");
  const Out* zz = l.find("usr/lib/zz");
  ASSERT_TRUE(aa && mm && zz);
  EXPECT_EQ(aa->header.type, EntryType::file);
  EXPECT_EQ(aa->data, "payload");
  EXPECT_EQ(aa->header.mode, 0755u);
  for (const Out* link : {mm, zz}) {
    EXPECT_EQ(link->header.type, EntryType::hardlink) << link->header.path;
    EXPECT_EQ(link->header.link, "usr/lib/aa");
    EXPECT_EQ(link->data, "");
    EXPECT_EQ(link->header.mode, 0755u);
  }
  EXPECT_EQ(l.stats.file_bytes, 7u);
}

TEST_F(AssembleTest, HardlinkGroupWhoseTargetAlreadySortsFirstIsUnchanged) {
  LayerContent c;
  c.packages = {pkg("one", {fake_file("x/a", "data"), fake_hardlink("x/b", "x/a")})};
  Layer l = write(c);
  EXPECT_EQ(l.find("x/a")->header.type, EntryType::file);
  EXPECT_EQ(l.find("x/a")->data, "data");
  EXPECT_EQ(l.find("x/b")->header.type, EntryType::hardlink);
  EXPECT_EQ(l.find("x/b")->header.link, "x/a");
}

TEST_F(AssembleTest, HardlinksToDroppedTargetsAreDropped) {
  LayerContent c;
  c.packages = {pkg(
      "one",
      {fake_file("usr/share/gone", "dropped"), fake_hardlink("usr/bin/keep-link", "usr/share/gone"),
       fake_hardlink("usr/bin/orphan", "usr/lib/never-shipped"), fake_file("usr/bin/real", "r")})};
  c.drop = [](const UnpackedPackage&, const oci::TarHeader& h) {
    return h.path == "usr/share/gone";
  };
  Layer l = write(c);
  EXPECT_FALSE(l.find("usr/share/gone"));
  EXPECT_FALSE(l.find("usr/bin/keep-link"));
  EXPECT_FALSE(l.find("usr/bin/orphan"));
  EXPECT_TRUE(l.find("usr/bin/real"));
  for (const auto& e : l.entries) EXPECT_NE(e.header.type, EntryType::hardlink) << e.header.path;
}

TEST_F(AssembleTest, HardlinkToAFileReplacedByASymlinkIsDropped) {
  LayerContent c;
  c.packages = {pkg("one", {fake_file("lib/a", "a"), fake_hardlink("lib/b", "lib/a")}),
                pkg("two", {fake_symlink("lib/a", "elsewhere")})};
  Layer l = write(c);
  ASSERT_TRUE(l.find("lib/a"));
  EXPECT_EQ(l.find("lib/a")->header.type, EntryType::symlink);
  EXPECT_FALSE(l.find("lib/b"));
}

// ---- drop callback ------------------------------------------------------------------

TEST_F(AssembleTest, DropCallbackSeesThePackageAndTheEntry) {
  LayerContent c;
  c.packages = {
      pkg("ca-certificates", {fake_file("usr/share/ca-certificates/mozilla/A.crt", "cert"),
                              fake_file("usr/share/doc/ca-certificates/copyright", "c")}),
      pkg("other", {fake_file("usr/share/ca-certificates/mozilla/B.crt", "other's")})};
  std::vector<std::string> asked;
  c.drop = [&](const UnpackedPackage& p, const oci::TarHeader& h) {
    asked.push_back(p.name + ":" + h.path);
    return p.name == "ca-certificates" && h.path.rfind("usr/share/doc/", 0) != 0;
  };
  Layer l = write(c);
  EXPECT_FALSE(l.find("usr/share/ca-certificates/mozilla/A.crt"));
  EXPECT_TRUE(l.find("usr/share/doc/ca-certificates/copyright"));
  EXPECT_TRUE(l.find("usr/share/ca-certificates/mozilla/B.crt"));
  EXPECT_EQ(asked.size(), 3u);
  EXPECT_EQ(asked[0], "ca-certificates:usr/share/ca-certificates/mozilla/A.crt");
}

// ---- merged /usr --------------------------------------------------------------------

TEST_F(AssembleTest, MergedUsrMovesFilesAndRewritesLinks) {
  LayerContent c;
  c.merged_usr = true;
  c.packages = {pkg(
      "dash",
      {fake_dir("bin"), fake_file("bin/dash", "dash", 0755), fake_symlink("bin/sh", "dash"),
       fake_dir("sbin"), fake_file("sbin/tool", "t"), fake_dir("lib64"),
       fake_symlink("lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"),
       fake_dir("lib"), fake_dir("lib/x86_64-linux-gnu"),
       fake_file("lib/x86_64-linux-gnu/libfoo.so.1", "foo"),
       fake_symlink("lib/x86_64-linux-gnu/libfoo.so", "../../usr/lib/x86_64-linux-gnu/libfoo.so.1"),
       fake_dir("usr"), fake_dir("usr/bin"), fake_file("usr/bin/env", "env")})};
  Layer l = write(c);
  expect_sorted_unique(l);
  expect_parents_first(l);
  for (const char* gone : {"bin", "sbin", "lib", "lib64", "bin/dash", "bin/sh", "sbin/tool"})
    EXPECT_FALSE(l.find(gone)) << gone;
  ASSERT_TRUE(l.find("usr/bin/dash"));
  EXPECT_EQ(l.find("usr/bin/dash")->data, "dash");
  EXPECT_EQ(l.find("usr/bin/dash")->header.mode, 0755u);
  EXPECT_EQ(l.find("usr/bin/sh")->header.link, "dash");
  EXPECT_TRUE(l.find("usr/sbin/tool"));
  ASSERT_TRUE(l.find("usr/lib64/ld-linux-x86-64.so.2"));
  EXPECT_EQ(l.find("usr/lib64/ld-linux-x86-64.so.2")->header.link,
            "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
  ASSERT_TRUE(l.find("usr/lib/x86_64-linux-gnu/libfoo.so"));
  EXPECT_EQ(l.find("usr/lib/x86_64-linux-gnu/libfoo.so")->header.link, "libfoo.so.1");
  EXPECT_TRUE(l.find("usr/bin/env"));
  EXPECT_EQ(l.find("usr/bin")->header.type, EntryType::dir);
}

TEST_F(AssembleTest, MergedUsrHardlinkGroupIsReorderedAfterMapping) {
  // In the package bin/x (sorting first) holds the bytes; after the merge it
  // becomes usr/bin/x, which sorts after usr/bin/a.
  LayerContent c;
  c.merged_usr = true;
  c.packages = {pkg("p", {fake_file("bin/x", "bytes", 0755), fake_hardlink("usr/bin/a", "bin/x")})};
  Layer l = write(c);
  const Out* a = l.find("usr/bin/a");
  const Out* x = l.find("usr/bin/x");
  ASSERT_TRUE(a && x);
  EXPECT_EQ(a->header.type, EntryType::file);
  EXPECT_EQ(a->data, "bytes");
  EXPECT_EQ(x->header.type, EntryType::hardlink);
  EXPECT_EQ(x->header.link, "usr/bin/a");
  EXPECT_LT(a - l.entries.data(), x - l.entries.data());
}

TEST_F(AssembleTest, MergedUsrGeneratedLinksAreKept) {
  LayerContent c;
  c.merged_usr = true;
  c.packages = {pkg("p", {fake_dir("bin"), fake_file("bin/ls", "ls")})};
  GeneratedEntry link;
  link.header.path = "bin";
  link.header.type = EntryType::symlink;
  link.header.mode = 0777;
  link.header.link = "usr/bin";
  c.generated = {link};
  Layer l = write(c);
  ASSERT_TRUE(l.find("bin"));
  EXPECT_EQ(l.find("bin")->header.type, EntryType::symlink);
  EXPECT_EQ(l.find("bin")->header.link, "usr/bin");
  EXPECT_TRUE(l.find("usr/bin/ls"));
}

TEST_F(AssembleTest, MergedUsrMovesGeneratedEntriesUnderTheAliases) {
  LayerContent c;
  c.merged_usr = true;
  auto gen = [](std::string path, EntryType type, std::string link = "") {
    GeneratedEntry g;
    g.header.path = std::move(path);
    g.header.type = type;
    g.header.mode = type == EntryType::symlink ? 0777 : 0755;
    g.header.link = std::move(link);
    if (type == EntryType::file) g.content = "#!/bin/sh\n";
    return g;
  };
  c.generated = {gen("sbin", EntryType::symlink, "usr/sbin"),
                 gen("bin/app", EntryType::symlink, "../opt/app/run"),
                 gen("bin/abs", EntryType::symlink, "/opt/app/run"),
                 gen("sbin/tool", EntryType::file), gen("opt/app/run", EntryType::file)};
  Layer l = write(c);
  expect_sorted_unique(l);
  ASSERT_TRUE(l.find("sbin"));
  EXPECT_EQ(l.find("sbin")->header.type, EntryType::symlink);
  EXPECT_FALSE(l.find("bin/app"));
  EXPECT_FALSE(l.find("sbin/tool"));
  EXPECT_FALSE(l.find("bin"));  // nothing may be stored beneath an alias
  ASSERT_TRUE(l.find("usr/bin/app"));
  EXPECT_EQ(l.find("usr/bin/app")->header.link, "../../opt/app/run");  // still names opt/app/run
  EXPECT_EQ(l.find("usr/bin/abs")->header.link, "/opt/app/run");
  ASSERT_TRUE(l.find("usr/sbin/tool"));
  EXPECT_EQ(l.find("usr/sbin/tool")->data, "#!/bin/sh\n");
}

TEST_F(AssembleTest, WithoutMergedUsrNothingMoves) {
  LayerContent c;
  c.packages = {
      pkg("p", {fake_dir("bin"), fake_file("bin/ls", "ls"), fake_symlink("bin/sh", "/bin/dash")})};
  Layer l = write(c);
  EXPECT_TRUE(l.find("bin"));
  EXPECT_TRUE(l.find("bin/ls"));
  EXPECT_EQ(l.find("bin/sh")->header.link, "/bin/dash");
  EXPECT_FALSE(l.find("usr/bin/ls"));
}

// ---- symlinked directories ------------------------------------------------------------

TEST_F(AssembleTest, EntriesUnderALowerLayersSymlinkAreStoredThroughIt) {
  LayerContent c;
  c.links_below = {{"var/run", "/run"},
                   {"opt/app", "../srv/app"},
                   {"loop/a", "b"},
                   {"loop/b", "a"},
                   {"rootlink", "/"}};
  c.packages = {pkg("app", {fake_dir("var"), fake_dir("var/run"), fake_dir("var/run/app"),
                            fake_file("var/run/app/pid", "1"), fake_file("opt/app/x", "x"),
                            fake_hardlink("opt/app/y", "opt/app/x")})};
  rootfs::GeneratedEntry spec_file;
  spec_file.header.path = "var/run/app/spec";
  spec_file.header.type = EntryType::file;
  spec_file.header.mode = 0644;
  spec_file.content = "s";
  rootfs::GeneratedEntry loop = spec_file;
  loop.header.path = "loop/a/f";
  rootfs::GeneratedEntry at_root = spec_file;
  at_root.header.path = "rootlink/etc/f";
  c.generated = {spec_file, loop, at_root};
  Layer l = write(c);
  expect_sorted_unique(l);
  expect_parents_first(l);
  EXPECT_FALSE(l.find("var/run")) << "the directory entry would replace the link below";
  EXPECT_TRUE(l.find("var")) << "a real directory on the way stays";
  EXPECT_EQ(l.find("run/app/pid")->data, "1");
  EXPECT_EQ(l.find("run/app/spec")->data, "s");
  EXPECT_EQ(l.find("run/app")->header.type, EntryType::dir);
  EXPECT_EQ(l.find("srv/app/x")->data, "x");  // a relative link, resolved from its directory
  const Out* y = l.find("srv/app/y");
  ASSERT_TRUE(y);
  EXPECT_EQ(y->header.type, EntryType::hardlink);
  EXPECT_EQ(y->header.link, "srv/app/x");
  EXPECT_TRUE(l.find("loop/a/f")) << "a loop of links leaves the path as it is";
  EXPECT_TRUE(l.find("etc/f")) << "a link to / puts the entry at the root";
}

TEST_F(AssembleTest, ALinkUnderASymlinkedDirectoryIsFoundWhereItIsStored) {
  LayerContent c;
  c.links_below = {{"var/run", "/run"}, {"var/run/app", "/srv/x"}};
  c.packages = {pkg("app", {fake_dir("var/run/app"), fake_file("var/run/app/sock", "s")}),
                pkg("rel", {fake_symlink("var/run/rel", "app"), fake_file("var/run/rel/f", "r")})};
  Layer l = write(c);
  expect_parents_first(l);
  EXPECT_EQ(l.find("srv/x/sock")->data, "s");
  EXPECT_FALSE(l.find("run/app")) << "a directory would replace the link stored there";
  EXPECT_EQ(l.find("run/rel")->header.type, EntryType::symlink);
  EXPECT_EQ(l.find("srv/x/f")->data, "r") << "run/rel -> app -> /srv/x";
}

TEST_F(AssembleTest, ALinkInTheSameLayerIsFollowedToo) {
  LayerContent c;
  c.packages = {pkg("base", {fake_symlink("var/lock", "../run/lock")}),
                pkg("late", {fake_dir("var/lock"), fake_file("var/lock/f", "f")})};
  Layer l = write(c);
  expect_parents_first(l);
  EXPECT_EQ(l.find("var/lock")->header.type, EntryType::symlink);
  EXPECT_EQ(l.find("run/lock/f")->data, "f");
}

// ---- missing_parents ----------------------------------------------------------------

TEST(MissingParents, ListsEachNeededDirectoryOnceSorted) {
  EXPECT_EQ(missing_parents({"a/b/c", "a", "x/y", "a/b/d"}),
            (std::vector<std::string>{"a/b", "x"}));
  EXPECT_EQ(missing_parents({"top"}), std::vector<std::string>{});
  EXPECT_EQ(missing_parents({}), std::vector<std::string>{});
  EXPECT_EQ(missing_parents({"a/b", "a", "a/b/c"}), std::vector<std::string>{});
}

}  // namespace
}  // namespace pare::rootfs
