// vcs/git.h: the parsers, and find_git_info over checkouts held in memory and made by git.
#include "vcs/git.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "util/fs.h"

namespace pare::vcs {
namespace {

const std::string kId = "0123456789abcdef0123456789abcdef01234567";
const std::string kId2 = "89abcdef0123456789abcdef0123456789abcdef";

TEST(GitHead, SymbolicDetachedAndHostile) {
  auto sym = parse_head("ref: refs/heads/main\n");
  ASSERT_TRUE(sym);
  EXPECT_EQ(sym->ref, "refs/heads/main");
  auto detached = parse_head(kId + "\n");
  ASSERT_TRUE(detached);
  EXPECT_EQ(detached->commit, kId);
  EXPECT_FALSE(parse_head("ref: ../../etc/passwd\n"));
  EXPECT_FALSE(parse_head("ref: refs/../../x\n"));
  EXPECT_FALSE(parse_head("ref: /etc/passwd\n"));
  EXPECT_FALSE(parse_head("0123\n"));
  EXPECT_FALSE(parse_head("0123456789ABCDEF0123456789ABCDEF01234567"));  // git writes lowercase
}

TEST(GitRefs, LooseAndPacked) {
  EXPECT_EQ(parse_loose_ref(kId + "\n"), kId);
  EXPECT_FALSE(parse_loose_ref("ref: refs/heads/x\n"));
  std::string packed = "# pack-refs with: peeled fully-peeled sorted\n" + kId2 +
                       " refs/heads/dev\n" + kId + " refs/heads/main\n^" + kId2 + "\n";
  EXPECT_EQ(find_packed_ref(packed, "refs/heads/main"), kId);
  EXPECT_EQ(find_packed_ref(packed, "refs/heads/dev"), kId2);
  EXPECT_FALSE(find_packed_ref(packed, "refs/heads/other"));
  EXPECT_FALSE(find_packed_ref(packed, "refs/heads/mai"));
}

TEST(GitConfig, OriginUrlInItsSectionOnly) {
  std::string config =
      "[core]\n\turl = wrong\n[remote \"upstream\"]\n\turl = https://a.example/up.git\n"
      "[Remote \"origin\"]\n\tURL = \"https://a.example/team/app.git\" # the real one\n"
      "\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch \"main\"]\n\tremote = origin\n";
  EXPECT_EQ(remote_url(config, "origin"), "https://a.example/team/app.git");
  EXPECT_EQ(remote_url(config, "upstream"), "https://a.example/up.git");
  EXPECT_FALSE(remote_url(config, "fork"));
  EXPECT_EQ(remote_url("[remote \"origin\"]\nurl = x ; c\nurl = y\n", "origin"), "y");
  EXPECT_EQ(remote_url("[remote.origin]\nurl = a\\tb\n", "origin"), "a\tb");
  EXPECT_FALSE(remote_url("[remote \"origin\"]\nurl = \"open\n", "origin"));
}

TEST(GitUrl, PublicFormsDropCredentialsAndQueries) {
  EXPECT_EQ(public_source_url("https://a.example/team/app.git"), "https://a.example/team/app");
  EXPECT_EQ(public_source_url("https://user:s3cret@a.example/team/app.git/"),
            "https://a.example/team/app");
  EXPECT_EQ(public_source_url("https://tok@a.example:8443/t/app?private_token=x#f"),
            "https://a.example/t/app");
  EXPECT_EQ(public_source_url("http://a.example/t/app"), "http://a.example/t/app");
  EXPECT_EQ(public_source_url("git@a.example:team/app.git"), "https://a.example/team/app");
  EXPECT_EQ(public_source_url("ssh://git@A.Example:2222/team/app.git"),
            "https://a.example/team/app");
  EXPECT_EQ(public_source_url("git://a.example/team/app"), "https://a.example/team/app");
  EXPECT_EQ(public_source_url("/srv/git/app.git"), "");
  EXPECT_EQ(public_source_url("../app"), "");
  EXPECT_EQ(public_source_url("file:///srv/git/app.git"), "");
  EXPECT_EQ(public_source_url("host:~user/app"), "");
  EXPECT_EQ(public_source_url("https://a.example"), "");
  EXPECT_EQ(public_source_url("https://bad host/x"), "");
  EXPECT_EQ(public_source_url("https://a.example/has space"), "");
}

// find_git_info asks the filesystem whether .git is a directory or a file, so these tests
// build their checkouts in a real temporary tree.
class GitTree : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("pare-git-test-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  void put(const std::string& rel, const std::string& text) {
    auto p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    ASSERT_TRUE(fs::write_file_atomic(p, text).ok());
  }
  std::filesystem::path root_;
};

TEST_F(GitTree, BranchThroughLooseThenPackedRef) {
  put("repo/.git/HEAD", "ref: refs/heads/main\n");
  put("repo/.git/packed-refs", kId2 + " refs/heads/main\n");
  put("repo/.git/config", "[remote \"origin\"]\n\turl = git@a.example:t/app.git\n");
  put("repo/specs/deep/x.yaml", "");
  auto info = find_git_info(root_ / "repo/specs/deep", disk_reader());
  ASSERT_TRUE(info);
  EXPECT_EQ(info->revision, kId2);
  EXPECT_EQ(info->source_url, "https://a.example/t/app");
  put("repo/.git/refs/heads/main", kId + "\n");  // a loose ref wins over packed-refs
  EXPECT_EQ(find_git_info(root_ / "repo/specs", disk_reader())->revision, kId);
}

TEST_F(GitTree, WorktreeFileAndCommondir) {
  put("main/.git/refs/heads/feature", kId + "\n");
  put("main/.git/config", "[remote \"origin\"]\n\turl = https://a.example/t/app\n");
  put("main/.git/worktrees/wt/HEAD", "ref: refs/heads/feature\n");
  put("main/.git/worktrees/wt/commondir", "../..\n");
  put("wt/.git", "gitdir: ../main/.git/worktrees/wt\n");
  auto info = find_git_info(root_ / "wt", disk_reader());
  ASSERT_TRUE(info);
  EXPECT_EQ(info->revision, kId);
  EXPECT_EQ(info->source_url, "https://a.example/t/app");
}

TEST_F(GitTree, BrokenHeadGivesNothingUnbornBranchNoRevision) {
  // A broken HEAD stops the search with no information (nothing above is consulted).
  put("broken/.git/HEAD", "garbage\n");
  EXPECT_FALSE(find_git_info(root_ / "broken", disk_reader()));
  put("unborn/.git/HEAD", "ref: refs/heads/main\n");
  auto unborn = find_git_info(root_ / "unborn", disk_reader());
  ASSERT_TRUE(unborn);
  EXPECT_EQ(unborn->revision, "");
  EXPECT_EQ(unborn->source_url, "");
}

// A checkout git itself made: pare must read what `git rev-parse HEAD` says.
TEST_F(GitTree, AgreesWithGit) {
  if (std::system("git --version >/dev/null 2>&1") != 0) GTEST_SKIP() << "no git";
  std::string dir = (root_ / "r").string();
  std::string cmd = "mkdir -p " + dir + " && cd " + dir +
                    " && git init -q -b main && git -c user.name=t -c user.email=t@t commit -q"
                    " --allow-empty -m one && git remote add origin git@a.example:t/r.git"
                    " && git pack-refs --all && git rev-parse HEAD > ../want";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto want = fs::read_file(root_ / "want");
  ASSERT_TRUE(want.ok());
  auto info = find_git_info(root_ / "r", disk_reader());
  ASSERT_TRUE(info);
  EXPECT_EQ(info->revision + "\n", *want);
  EXPECT_EQ(info->source_url, "https://a.example/t/r");
}

}  // namespace
}  // namespace pare::vcs
