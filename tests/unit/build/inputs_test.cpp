// The local-input walker: the build context rule, special files, bounds.
#include "build/inputs.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "support/deb_builder.h"
#include "util/fs.h"

namespace pare::build {
namespace {

namespace stdfs = std::filesystem;
using pare::testing::TempTree;

class InputsTest : public ::testing::Test {
 protected:
  InputsTest() {
    stdfs::create_directories(tmp_ / "ctx/app");
    stdfs::create_directories(tmp_ / "outside");
    write(tmp_ / "ctx/app/server", "binary");
    write(tmp_ / "outside/secret", "key");
  }
  static void write(const stdfs::path& p, const std::string& text) {
    ASSERT_TRUE(fs::write_file_atomic(p, text).ok());
  }
  std::vector<stdfs::path> ctx() const { return {tmp_ / "ctx"}; }
  void expect_refused(const stdfs::path& src, const std::string& what) {
    auto r = list_local(src.lexically_normal(), ctx(), "app.yaml:4:5");
    ASSERT_FALSE(r.ok()) << src;
    EXPECT_EQ(Errc::invalid, r.error().code()) << r.error().message();
    EXPECT_NE(std::string::npos, r.error().message().find("app.yaml:4:5: ")) << r.error().message();
    EXPECT_NE(std::string::npos, r.error().message().find(what)) << r.error().message();
  }
  TempTree tmp_;
};

TEST_F(InputsTest, FilesInsideTheContextAreListedSorted) {
  write(tmp_ / "ctx/app/a.conf", "x");
  auto r = list_local(tmp_ / "ctx/app", ctx(), "w");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(3u, r->size());
  EXPECT_EQ(LocalEntry::Kind::dir, (*r)[0].kind);
  EXPECT_EQ("a.conf", (*r)[1].rel);
  EXPECT_EQ("server", (*r)[2].rel);
  EXPECT_EQ(6u, (*r)[2].size);
}

std::vector<std::string> rels(const std::vector<LocalEntry>& entries) {
  std::vector<std::string> out;
  for (size_t i = 1; i < entries.size(); ++i) out.push_back(entries[i].rel);
  return out;
}

TEST_F(InputsTest, ExcludesWorkLikeDockerignore) {
  for (const char* f : {"ctx/app/node_modules/x/index.js", "ctx/app/node_modules/x/README.md",
                        "ctx/app/a.pyc", "ctx/app/keep.pyc", "ctx/app/.git/HEAD"})
    write(tmp_ / f, "x");
  spec::FileItem item;
  item.src = tmp_ / "ctx/app";
  item.exclude = {"**/*.pyc", "!keep.pyc", ".git", "node_modules/**/*.md"};
  auto r = list_item(item, ctx());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(rels(*r), (std::vector<std::string>{"keep.pyc", "node_modules", "node_modules/x",
                                                "node_modules/x/index.js", "server"}));
  EXPECT_TRUE(excluded({"build"}, "build/out/x"));  // a directory's match covers what is below
  EXPECT_FALSE(excluded({"build", "!build/out/x"}, "build/out/x"));
  EXPECT_FALSE(excluded({"/b*"}, "a/b"));
}

TEST_F(InputsTest, AGlobSourceCopiesEachMatch) {
  write(tmp_ / "ctx/app/a.js", "1");
  write(tmp_ / "ctx/app/b.js", "2");
  write(tmp_ / "ctx/app/sub/c.js", "3");
  spec::FileItem item;
  item.src = tmp_ / "ctx/app/*.js";
  auto r = list_item(item, ctx());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(rels(*r), (std::vector<std::string>{"a.js", "b.js"}));
  item.src = tmp_ / "ctx/app/*.none";
  auto none = list_item(item, ctx());
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), Errc::not_found);
  item.src = tmp_ / "ctx/../outside/*";
  EXPECT_FALSE(list_item(item, ctx()).ok());  // the context rule holds for globs too
}

TEST_F(InputsTest, DotDotAndAbsolutePathsOutOfTheContextAreRefused) {
  expect_refused(tmp_ / "ctx/../outside/secret", "outside the build context");
  expect_refused("/proc/self/status", "outside the build context");
}

TEST_F(InputsTest, ASourceSymlinkPointingOutIsRefused) {
  stdfs::create_symlink(tmp_ / "outside/secret", tmp_ / "ctx/link");
  expect_refused(tmp_ / "ctx/link", "resolves to");
  stdfs::create_directory_symlink(tmp_ / "outside", tmp_ / "ctx/dirlink");
  expect_refused(tmp_ / "ctx/dirlink/secret", "resolves to");
}

TEST_F(InputsTest, ContextOptionWidensTheRule) {
  auto r = list_local(tmp_ / "outside/secret", {tmp_ / "ctx", tmp_ / "outside"}, "w");
  ASSERT_TRUE(r.ok()) << r.error().message();
}

TEST_F(InputsTest, ASymlinkInsideACopiedDirectoryIsKeptAsALinkNotFollowed) {
  stdfs::create_symlink("/etc/shadow", tmp_ / "ctx/app/escape");
  auto r = list_local(tmp_ / "ctx/app", ctx(), "w");
  ASSERT_TRUE(r.ok()) << r.error().message();
  auto it = std::find_if(r->begin(), r->end(), [](const auto& e) { return e.rel == "escape"; });
  ASSERT_NE(r->end(), it);
  EXPECT_EQ(LocalEntry::Kind::symlink, it->kind);
  EXPECT_EQ("/etc/shadow", it->link);
}

TEST_F(InputsTest, AFifoInsideADirectoryIsRefusedByName) {
  ASSERT_EQ(0, ::mkfifo((tmp_ / "ctx/app/pipe").c_str(), 0644));
  expect_refused(tmp_ / "ctx/app", "a FIFO");
  expect_refused(tmp_ / "ctx/app/pipe", "a FIFO");
}

TEST_F(InputsTest, ASocketIsRefused) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = (tmp_ / "ctx/sock").string();
  if (path.size() >= sizeof addr.sun_path) GTEST_SKIP() << "temp path too long for a socket";
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(0, ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr));
  expect_refused(tmp_ / "ctx/sock", "a socket");
  ::close(fd);
}

TEST_F(InputsTest, ASymlinkLoopIsInvalidNotACrash) {
  stdfs::create_symlink("loop2", tmp_ / "ctx/loop1");
  stdfs::create_symlink("loop1", tmp_ / "ctx/loop2");
  expect_refused(tmp_ / "ctx/loop1", "loop");
}

TEST_F(InputsTest, AMissingSourceIsNotFoundWithItsPlace) {
  auto r = list_local(tmp_ / "ctx/nope", ctx(), "app.yaml:4:5");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Errc::not_found, r.error().code());
  EXPECT_EQ(2, r.error().exit_code()) << "the README promises 2 for bad input";
}

TEST_F(InputsTest, AKeyringThatIsNoFileIsNamedForWhatItIs) {
  spec::Spec spec;
  spec.source.keyring = (tmp_ / "ctx").string();
  auto r = check_local_inputs(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(std::string::npos, r.error().message().find("is a directory, not a file"))
      << r.error().message();
  spec.source.keyring = (tmp_ / "ctx/none.gpg").string();
  r = check_local_inputs(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Errc::not_found, r.error().code());
}

TEST(ReadFile, DevicesAndFifosAreRefusedWithoutBlocking) {
  auto zero = fs::read_file("/dev/zero");
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(std::string::npos, zero.error().message().find("a character device"));
  TempTree tmp;
  ASSERT_EQ(0, ::mkfifo((tmp / "fifo").c_str(), 0644));
  auto fifo = fs::read_file(tmp / "fifo");  // would hang for ever without O_NONBLOCK
  ASSERT_FALSE(fifo.ok());
  EXPECT_NE(std::string::npos, fifo.error().message().find("a FIFO"));
  auto map = fs::MappedFile::open(tmp / "fifo");
  EXPECT_FALSE(map.ok());
}

TEST(ReadFile, TheLimitIsAppliedBeforeReading) {
  TempTree tmp;
  ASSERT_TRUE(fs::write_file_atomic(tmp / "big", std::string(100, 'x')).ok());
  EXPECT_TRUE(fs::read_file(tmp / "big", 100).ok());
  auto r = fs::read_file(tmp / "big", 99);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(Errc::invalid, r.error().code());
  EXPECT_NE(std::string::npos, r.error().message().find("more than the 99"));
}

}  // namespace
}  // namespace pare::build
