#include "oci/tar.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <sstream>

#include "oci_test_util.h"

using namespace pare;
using namespace pare::oci;
using namespace pare::oci::testing;

namespace {

struct Input {
  TarHeader header;
  std::string data;
};

std::vector<Input> sample_entries() {
  std::vector<Input> v;
  v.push_back({dir_entry("etc"), ""});
  v.push_back({file_entry("etc/hello.txt", "hello\n"), "hello\n"});
  v.push_back({file_entry("etc/empty", ""), ""});
  v.push_back({dir_entry("home/nonroot", 0700), ""});
  v.back().header.uid = 65532;
  v.back().header.gid = 65532;
  v.push_back({file_entry("usr/bin/su", "su-binary", 04755), "su-binary"});
  v.push_back({dir_entry("tmp", 01777), ""});
  v.push_back({link_entry("bin", "usr/bin", EntryType::symlink), ""});
  v.push_back({link_entry("etc/hello-again.txt", "etc/hello.txt", EntryType::hardlink), ""});
  std::string big(70000, 'x');
  v.push_back({file_entry("usr/share/big", big), big});
  for (auto& e : v) e.header.mtime = 1700000000;
  return v;
}

std::string write_archive(const std::vector<Input>& entries) {
  StringSink sink;
  TarWriter tar(&sink);
  for (const auto& e : entries) {
    auto r = tar.add(e.header, e.data);
    EXPECT_TRUE(r.ok()) << r.error().message();
  }
  EXPECT_TRUE(tar.finish().ok());
  EXPECT_EQ(tar.bytes_written(), sink.data.size());
  return sink.data;
}

void expect_same(const TarHeader& a, const TarHeader& b) {
  EXPECT_EQ(a.path, b.path);
  EXPECT_EQ(a.type, b.type) << a.path;
  EXPECT_EQ(a.mode, b.mode) << a.path;
  EXPECT_EQ(a.uid, b.uid) << a.path;
  EXPECT_EQ(a.gid, b.gid) << a.path;
  EXPECT_EQ(a.size, b.size) << a.path;
  EXPECT_EQ(a.link, b.link) << a.path;
  EXPECT_EQ(a.mtime, b.mtime) << a.path;
}

std::string write_file(const std::filesystem::path& dir, const std::string& name,
                       const std::string& bytes) {
  auto p = dir / name;
  EXPECT_TRUE(fs::write_file_atomic(p, bytes).ok());
  return p.string();
}

}  // namespace

TEST(Tar, RoundTrip) {
  auto input = sample_entries();
  std::string archive = write_archive(input);
  EXPECT_EQ(archive.size() % 512, 0u);
  EXPECT_EQ(archive.substr(archive.size() - 1024), std::string(1024, '\0'));
  auto out = read_all(archive);
  ASSERT_EQ(out.size(), input.size());
  for (size_t i = 0; i < input.size(); ++i) {
    expect_same(out[i].header, input[i].header);
    EXPECT_EQ(out[i].data, input[i].data);
  }
}

TEST(Tar, OutputIsDeterministicWithFixedHeaderFields) {
  std::string a = write_archive(sample_entries());
  EXPECT_EQ(a, write_archive(sample_entries()));
  // First header: "etc/" directory.
  EXPECT_EQ(a.substr(0, 5), std::string("etc/\0", 5));
  EXPECT_EQ(a.substr(100, 8), std::string("0000755\0", 8));        // mode
  EXPECT_EQ(a.substr(124, 12), std::string("00000000000\0", 12));  // size
  EXPECT_EQ(a[156], '5');                                          // directory
  EXPECT_EQ(a.substr(257, 8), std::string("ustar\0"
                                          "00",
                                          8));
  EXPECT_EQ(a.substr(265, 64), std::string(64, '\0'));  // uname, gname
  EXPECT_EQ(a.substr(329, 16), std::string("0000000\0"
                                           "0000000\0",
                                           16));
}

TEST(Tar, RejectsInvalidEntries) {
  StringSink sink;
  TarWriter tar(&sink);
  EXPECT_FALSE(tar.add(file_entry("/abs", "")).ok());
  EXPECT_FALSE(tar.add(file_entry("./rel", "")).ok());
  EXPECT_FALSE(tar.add(dir_entry("dir/")).ok());
  EXPECT_FALSE(tar.add(file_entry("", "")).ok());
  EXPECT_FALSE(tar.add(file_entry("f", "abc"), "ab").ok());  // size mismatch
  EXPECT_FALSE(tar.add(link_entry("l", "", EntryType::symlink)).ok());
  EXPECT_FALSE(tar.add(file_entry("f", "", 010644)).ok());  // type bits in mode
  for (const char* path : {"a/../etc/passwd", "..", "a/./b", "a//b", "a/.."})
    EXPECT_FALSE(tar.add(file_entry(path, "")).ok()) << path;
  EXPECT_FALSE(tar.add(link_entry("h", "../etc/shadow", EntryType::hardlink)).ok());
  EXPECT_TRUE(sink.data.empty());
  // A symlink's target is the link's own business: ".." is fine there.
  EXPECT_TRUE(tar.add(link_entry("usr/lib/l", "../../etc/x", EntryType::symlink)).ok());
  EXPECT_TRUE(tar.add(file_entry("a..b/..c", "")).ok());
}

TEST(Tar, LongPathsLinksAndIdsUsePax) {
  std::string long_dir = "usr/share/" + std::string(120, 'd');
  std::string long_file = long_dir + "/" + std::string(90, 'f') + ".txt";
  std::string long_target = "../" + std::string(150, 't');
  std::vector<Input> input;
  input.push_back({dir_entry(long_dir), ""});
  input.push_back({file_entry(long_file, "content"), "content"});
  input.push_back({link_entry("short-link", long_target, EntryType::symlink), ""});
  input.push_back({file_entry("big-ids", "x"), "x"});
  input.back().header.uid = 3000000;
  input.back().header.gid = 2097152;
  std::string archive = write_archive(input);
  EXPECT_NE(archive.find("PaxHeaders/"), std::string::npos);
  EXPECT_NE(archive.find(" uid=3000000\n"), std::string::npos);
  auto out = read_all(archive);
  ASSERT_EQ(out.size(), input.size());
  for (size_t i = 0; i < input.size(); ++i) expect_same(out[i].header, input[i].header);
  EXPECT_EQ(out[1].data, "content");
}

TEST(Tar, HugeSizeUsesPax) {
  // An 8 GiB sparse file, mapped but never touched: the sink only keeps the headers.
  auto dir = make_temp_dir();
  auto path = dir.path() / "sparse";
  int fd = ::open(path.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  const uint64_t size = uint64_t{8} << 30;
  bool sparse_ok = ::ftruncate(fd, static_cast<off_t>(size)) == 0;
  ::close(fd);
  if (!sparse_ok) GTEST_SKIP() << "cannot create a sparse 8 GiB file here";
  auto map = fs::MappedFile::open(path);
  ASSERT_TRUE(map.ok());
  struct HeadSink : fs::ByteSink {
    Result<void> write(std::string_view b) override {
      if (head.size() < 2048) head.append(b.substr(0, 2048 - head.size()));
      total += b.size();
      return {};
    }
    std::string head;
    uint64_t total = 0;
  } sink;
  TarWriter tar(&sink);
  ASSERT_TRUE(tar.add(file_entry("huge", map->bytes()), map->bytes()).ok());
  EXPECT_EQ(sink.head[156], 'x') << "the first header is a pax header";
  EXPECT_NE(sink.head.find(" size=8589934592\n"), std::string::npos);
  EXPECT_EQ(sink.total, 512 + 512 + 512 + size);
}

TEST(Tar, ReaderRejectsMalformedInput) {
  std::string good = write_archive(sample_entries());
  auto expect_invalid = [](std::string_view archive, const std::string& what) {
    auto r =
        read_tar(archive, [](const TarHeader&, std::string_view) -> Result<void> { return {}; });
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_EQ(r.error().code(), Errc::invalid) << what;
    EXPECT_NE(r.error().message().find("offset"), std::string::npos) << r.error().message();
  };
  std::string bad_sum = good;
  bad_sum[1] = 'X';  // name changed, checksum not
  expect_invalid(bad_sum, "checksum");
  expect_invalid(good.substr(0, good.size() - 1024 - 1000),
                 "truncated data");  // inside usr/share/big
  expect_invalid(good.substr(0, 700), "truncated header");

  // A pax header whose record length points past its data.
  StringSink sink;
  TarWriter tar(&sink);
  ASSERT_TRUE(tar.add(file_entry(std::string(150, 'p'), "")).ok());
  std::string pax = sink.data;
  size_t rec = pax.find(" path=");
  ASSERT_NE(rec, std::string::npos);
  pax[rec - 3] = '9';  // "160 path=..." -> "960 path=..."
  expect_invalid(pax, "pax length");
}

TEST(Tar, ReaderPassesCallbackErrorsThrough) {
  std::string archive = write_archive(sample_entries());
  int seen = 0;
  auto r = read_tar(archive, [&](const TarHeader&, std::string_view) -> Result<void> {
    if (++seen == 2) return Error(Errc::io, "stop here");
    return {};
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "stop here");
  EXPECT_EQ(seen, 2);
}

TEST(Tar, GnuTarListsOurArchive) {
  if (!have_tool("tar")) GTEST_SKIP() << "tar not installed";
  auto dir = make_temp_dir();
  auto input = sample_entries();
  std::string long_name = "usr/lib/" + std::string(130, 'n') + "/file";
  input.push_back({file_entry(long_name, "deep"), "deep"});
  auto file = write_file(dir.path(), "a.tar", write_archive(input));
  auto listed = run_command("TZ=UTC tar --numeric-owner -tvf '" + file + "'");
  ASSERT_EQ(listed.status, 0) << listed.output;
  std::vector<std::string> lines;
  std::istringstream in(listed.output);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), input.size()) << listed.output;
  auto expect_line = [&](size_t i, const std::string& mode, const std::string& owner,
                         const std::string& rest) {
    EXPECT_EQ(lines[i].rfind(mode + " " + owner, 0), 0u) << lines[i];
    EXPECT_TRUE(lines[i].ends_with(rest)) << lines[i];
  };
  expect_line(0, "drwxr-xr-x", "0/0", " etc/");
  expect_line(1, "-rw-r--r--", "0/0", " etc/hello.txt");
  expect_line(3, "drwx------", "65532/65532", " home/nonroot/");
  expect_line(4, "-rwsr-xr-x", "0/0", " usr/bin/su");
  expect_line(5, "drwxrwxrwt", "0/0", " tmp/");
  expect_line(6, "lrwxrwxrwx", "0/0", " bin -> usr/bin");
  expect_line(7, "hrwxrwxrwx", "0/0", " etc/hello-again.txt link to etc/hello.txt");
  expect_line(9, "-rw-r--r--", "0/0", " " + long_name);
  EXPECT_NE(lines[1].find(" 6 2023-11-14 22:13 "), std::string::npos) << lines[1];

  // And extracts it: the long name and the symlink survive.
  auto out = dir.path() / "x";
  std::filesystem::create_directories(out);
  auto extracted = run_command("tar -xf '" + file + "' -C " + quote(out));
  ASSERT_EQ(extracted.status, 0) << extracted.output;
  EXPECT_EQ(fs::read_file(out / long_name).value(), "deep");
  EXPECT_EQ(std::filesystem::read_symlink(out / "bin"), "usr/bin");
}

TEST(Tar, ReadsArchivesMadeByGnuTar) {
  if (!have_tool("tar")) GTEST_SKIP() << "tar not installed";
  auto dir = make_temp_dir();
  auto src = dir.path() / "src";
  std::string long_name = std::string(120, 'a') + "/" + std::string(110, 'b');
  ASSERT_TRUE(fs::write_file_atomic(src / long_name, "payload").ok());
  std::filesystem::create_symlink(std::string(140, 'c'), src / "sym");
  for (const char* format : {"pax", "gnu"}) {
    auto archive = dir.path() / (std::string(format) + ".tar");
    auto made = run_command("tar --format=" + std::string(format) + " --owner=0 --group=0 -cf " +
                            quote(archive) + " -C " + quote(src) + " sym " + long_name);
    ASSERT_EQ(made.status, 0) << made.output;
    auto bytes = fs::read_file(archive).value();
    std::map<std::string, ReadEntry> by_path;
    for (auto& e : read_all(bytes)) by_path[e.header.path] = e;
    ASSERT_TRUE(by_path.count(long_name)) << format;
    EXPECT_EQ(by_path[long_name].data, "payload") << format;
    ASSERT_TRUE(by_path.count("sym")) << format;
    EXPECT_EQ(by_path["sym"].header.type, EntryType::symlink);
    EXPECT_EQ(by_path["sym"].header.link, std::string(140, 'c')) << format;
  }
}
