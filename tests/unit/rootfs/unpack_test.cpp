// Unpacked-package cache tests: the index text format, and unpack_cached on
// real .debs built with dpkg-deb (filtering, reuse, repair, concurrency).
#include "rootfs/unpack.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <fstream>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/deb_builder.h"
#include "util/sha256.h"

namespace pare::rootfs {
namespace {

using oci::EntryType;
using pare::testing::DebBuilder;
using pare::testing::read_text;
using pare::testing::TempTree;
using pare::testing::write_text;

UnpackedEntry entry(EntryType type, std::string path, uint32_t mode = 0644, uint64_t size = 0,
                    uint64_t offset = 0, std::string link = "") {
  UnpackedEntry e;
  e.header.type = type;
  e.header.path = std::move(path);
  e.header.mode = mode;
  e.header.size = size;
  e.header.link = std::move(link);
  e.offset = offset;
  return e;
}

void expect_same(const std::vector<UnpackedEntry>& a, const std::vector<UnpackedEntry>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(a[i].header.path);
    EXPECT_EQ(a[i].header.type, b[i].header.type);
    EXPECT_EQ(a[i].header.path, b[i].header.path);
    EXPECT_EQ(a[i].header.link, b[i].header.link);
    EXPECT_EQ(a[i].header.mode, b[i].header.mode);
    EXPECT_EQ(a[i].header.uid, b[i].header.uid);
    EXPECT_EQ(a[i].header.gid, b[i].header.gid);
    EXPECT_EQ(a[i].header.size, b[i].header.size);
    EXPECT_EQ(a[i].offset, b[i].offset);
  }
}

// ---- index format -------------------------------------------------------------------

TEST(UnpackIndex, RoundTripsAwkwardPathsAndAllTypes) {
  std::vector<UnpackedEntry> in = {
      entry(EntryType::dir, "usr", 0755),
      entry(EntryType::file, "usr/share/with space/file name.txt", 0644, 10, 0),
      entry(EntryType::file, "tab\there", 04755, 5, 10),
      entry(EntryType::file, "new\nline\r\n", 0600, 0, 15),
      entry(EntryType::file, "100%/%41%%", 01777, 1, 15),
      entry(EntryType::symlink, "link with space", 0777, 0, 0, "target\twith %25 tab\nand newline"),
      entry(EntryType::hardlink, "hard link", 0644, 0, 0, "tab\there"),
      entry(EntryType::file, "ünïcödé/日本", 0644, 0, 16),
      entry(EntryType::symlink, "ends with space ", 0777, 0, 0, " starts with space"),
  };
  in[1].header.uid = 65534;
  in[1].header.gid = 4294967295u;
  std::string text = format_index(in);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), static_cast<long>(in.size()));
  auto out = parse_index(text, 16);
  ASSERT_TRUE(out.ok()) << out.error().message() << "\n" << text;
  expect_same(in, *out);
}

TEST(UnpackIndex, RoundTripsLargeNumbers) {
  std::vector<UnpackedEntry> in = {entry(EntryType::file, "big", 0644, 1ull << 40, 1ull << 41)};
  in[0].header.uid = 4000000000u;
  auto out = parse_index(format_index(in), (1ull << 41) + (1ull << 40));
  ASSERT_TRUE(out.ok()) << out.error().message();
  expect_same(in, *out);
}

TEST(UnpackIndex, EmptyIndexHasNoEntries) {
  auto out = parse_index("", 0);
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->empty());
  EXPECT_EQ(format_index({}), "");
}

TEST(UnpackIndex, RejectsMalformedLines) {
  const char* bad[] = {
      "f 644 0 0 0 0\n",                   // no path field at all
      "f 644 0 0 0 0 path\n",              // no link field
      "f 644 0 0 0 path\t\n",              // too few numbers
      "x 644 0 0 0 0 path\t\n",            // unknown type
      "ff 644 0 0 0 0 path\t\n",           // type of two letters
      " 644 0 0 0 0 path\t\n",             // empty type
      "f 648 0 0 0 0 path\t\n",            // mode not octal
      "f 17777 0 0 0 0 path\t\n",          // mode beyond 07777
      "f -1 0 0 0 0 path\t\n",             // negative mode
      "f 644 -1 0 0 0 path\t\n",           // negative uid
      "f 644 0 0x1 0 0 path\t\n",          // gid in hex
      "f 644 0 0 1a 0 path\t\n",           // trailing garbage in size
      "f 644 0 0 0  path\t\n",             // empty offset
      "f 644 99999999999 0 0 0 path\t\n",  // uid beyond 32 bits
      "f 644 0 0 0 0 \t\n",                // empty path
      "f 644 0 0 0 0 pa%G1th\t\n",         // bad escape
      "f 644 0 0 0 0 path%4\t\n",          // escape cut short
      "f 644 0 0 0 0 path%\t\n",           // lone '%'
      "l 777 0 0 0 0 path\tta%zzrget\n",   // bad escape in the link
      "f 644 0 0 0 0 path\t",              // no final newline
      "\n",                                // empty line
  };
  for (const char* text : bad) {
    auto out = parse_index(text, 100);
    EXPECT_FALSE(out.ok()) << text;
    if (!out.ok()) {
      EXPECT_EQ(out.error().code(), Errc::invalid) << text;
    }
  }
}

TEST(UnpackIndex, ErrorsNameTheLine) {
  std::string text = "d 755 0 0 0 0 usr\t\nd 755 0 0 0 0 usr/bin\t\nq 1 2 3\n";
  auto out = parse_index(text, 0);
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().message().find("line 3"), std::string::npos) << out.error().message();
}

TEST(UnpackIndex, RejectsFilesBeyondTheData) {
  EXPECT_TRUE(parse_index("f 644 0 0 10 90 x\t\n", 100).ok());  // ends exactly at the end
  EXPECT_TRUE(parse_index("f 644 0 0 0 100 x\t\n", 100).ok());  // empty file at the end
  for (const char* text :
       {"f 644 0 0 11 90 x\t\n", "f 644 0 0 0 101 x\t\n", "f 644 0 0 101 0 x\t\n",
        "f 644 0 0 2 18446744073709551615 x\t\n", "f 644 0 0 18446744073709551615 2 x\t\n"}) {
    auto out = parse_index(text, 100);
    ASSERT_FALSE(out.ok()) << text;
    EXPECT_EQ(out.error().code(), Errc::invalid);
    EXPECT_NE(out.error().message().find("beyond the data"), std::string::npos)
        << out.error().message();
  }
}

TEST(UnpackIndex, RejectsUnsafePaths) {
  for (const char* text : {"f 644 0 0 0 0 ../etc/passwd\t\n", "d 755 0 0 0 0 /abs\t\n",
                           "h 644 0 0 0 0 x\t../../y\n", "f 644 0 0 0 0 a/%2E%2E/b\t\n"}) {
    auto out = parse_index(text, 10);
    EXPECT_FALSE(out.ok()) << text;
  }
}

// ---- unpack_cached ------------------------------------------------------------------

struct BuiltDeb {
  std::filesystem::path path;
  std::string sha256;
};

BuiltDeb build(const DebBuilder& b, const std::filesystem::path& dir) {
  BuiltDeb d;
  d.path = b.build(dir);
  d.sha256 = sha256_hex(read_text(d.path));
  return d;
}

DebBuilder docs_package() {
  return DebBuilder("docpkg", "2.0")
      .file("usr/bin/docpkg", "#!/bin/sh\necho doc\n", 0755)
      .file("usr/lib/docpkg/aa-copy", "payload\n")
      .hardlink("usr/lib/docpkg/zz-copy", "usr/lib/docpkg/aa-copy")
      .file("usr/share/doc/docpkg/changelog.Debian.gz", "changes")
      .file("usr/share/doc/docpkg/copyright", "Copyright 2024 nobody\n")
      .file("usr/share/doc/docpkg/aaa-readme", "read me\n")
      .hardlink("usr/share/docpkg-readme",
                "usr/share/doc/docpkg/aaa-readme")  // its target is dropped
      .file("usr/share/man/man1/docpkg.1.gz", "manpage")
      .file("usr/share/locale/de/LC_MESSAGES/docpkg.mo", "übersetzt")
      .symlink("usr/bin/docpkg-alias", "docpkg")
      .md5sums();
}

std::map<std::string, const UnpackedEntry*> by_path(const UnpackedPackage& p) {
  std::map<std::string, const UnpackedEntry*> m;
  for (const auto& e : p.entries) m[e.header.path] = &e;
  return m;
}

size_t count_dirs(const std::filesystem::path& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++n;
  }
  return n;
}

class UnpackCached : public ::testing::Test {
 protected:
  TempTree tmp_{"pare-unpack"};
  std::filesystem::path cache_ = tmp_ / "cache";
  FilterOptions filter_;
};

TEST_F(UnpackCached, AppliesTheFilterAndKeepsTheBytes) {
  auto deb = build(docs_package(), tmp_.path());
  auto r = unpack_cached(deb.path, deb.sha256, filter_, cache_);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const UnpackedPackage& p = **r;
  EXPECT_EQ(p.name, "docpkg");
  EXPECT_NE(p.control.find("Version: 2.0\n"), std::string::npos);
  EXPECT_NE(p.md5sums.find("usr/bin/docpkg"), std::string::npos);

  auto m = by_path(p);
  EXPECT_TRUE(m.count("usr/bin/docpkg"));
  EXPECT_TRUE(m.count("usr/share/doc"));
  EXPECT_TRUE(m.count("usr/share/doc/docpkg"));
  ASSERT_TRUE(m.count("usr/share/doc/docpkg/copyright"));
  EXPECT_EQ(p.bytes(*m["usr/share/doc/docpkg/copyright"]), "Copyright 2024 nobody\n");
  EXPECT_FALSE(m.count("usr/share/doc/docpkg/changelog.Debian.gz"));
  EXPECT_FALSE(m.count("usr/share/doc/docpkg/aaa-readme"));
  EXPECT_FALSE(m.count("usr/share/docpkg-readme")) << "hardlink to a dropped file";
  EXPECT_FALSE(m.count("usr/share/man"));
  EXPECT_FALSE(m.count("usr/share/man/man1"));
  EXPECT_FALSE(m.count("usr/share/man/man1/docpkg.1.gz"));
  EXPECT_FALSE(m.count("usr/share/locale/de/LC_MESSAGES/docpkg.mo"));

  ASSERT_TRUE(m.count("usr/bin/docpkg"));
  const UnpackedEntry& exe = *m["usr/bin/docpkg"];
  EXPECT_EQ(exe.header.mode, 0755u);
  EXPECT_EQ(p.bytes(exe), "#!/bin/sh\necho doc\n");
  ASSERT_TRUE(m.count("usr/lib/docpkg/zz-copy"));
  EXPECT_EQ(m["usr/lib/docpkg/zz-copy"]->header.type, EntryType::hardlink);
  EXPECT_EQ(m["usr/lib/docpkg/zz-copy"]->header.link, "usr/lib/docpkg/aa-copy");
  EXPECT_EQ(p.bytes(*m["usr/lib/docpkg/aa-copy"]), "payload\n");
  ASSERT_TRUE(m.count("usr/bin/docpkg-alias"));
  EXPECT_EQ(m["usr/bin/docpkg-alias"]->header.link, "docpkg");

  // Only the kept bytes are stored.
  uint64_t total = 0;
  for (const auto& e : p.entries)
    if (e.header.type == EntryType::file) total += e.header.size;
  auto dir = cache_ / "unpacked";
  ASSERT_EQ(count_dirs(dir), 1u);
  auto entry_dir = std::filesystem::directory_iterator(dir)->path();
  EXPECT_EQ(entry_dir.filename().string().rfind(deb.sha256 + "-", 0), 0u) << entry_dir;
  EXPECT_EQ(std::filesystem::file_size(entry_dir / "data"), total);
}

TEST_F(UnpackCached, OtherFilterOptionsGetTheirOwnEntry) {
  auto deb = build(docs_package(), tmp_.path());
  ASSERT_TRUE(unpack_cached(deb.path, deb.sha256, filter_, cache_).ok());
  FilterOptions keep;
  keep.keep_docs = keep.keep_man = true;
  auto r = unpack_cached(deb.path, deb.sha256, keep, cache_);
  ASSERT_TRUE(r.ok()) << r.error().message();
  auto m = by_path(**r);
  EXPECT_TRUE(m.count("usr/share/doc/docpkg/changelog.Debian.gz"));
  EXPECT_TRUE(m.count("usr/share/man/man1/docpkg.1.gz"));
  EXPECT_TRUE(m.count("usr/share/docpkg-readme"));
  EXPECT_EQ(count_dirs(cache_ / "unpacked"), 2u);
}

TEST_F(UnpackCached, SecondCallLoadsFromTheCache) {
  auto deb = build(docs_package(), tmp_.path());
  auto first = unpack_cached(deb.path, deb.sha256, filter_, cache_);
  ASSERT_TRUE(first.ok()) << first.error().message();
  auto entry_dir = std::filesystem::directory_iterator(cache_ / "unpacked")->path();
  struct stat before {};
  ASSERT_EQ(::stat((entry_dir / "data").c_str(), &before), 0);

  // Without the .deb only the cache can answer.
  std::filesystem::remove(deb.path);
  auto second = unpack_cached(deb.path, deb.sha256, filter_, cache_);
  ASSERT_TRUE(second.ok()) << second.error().message();
  struct stat after {};
  ASSERT_EQ(::stat((entry_dir / "data").c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_EQ(count_dirs(cache_ / "unpacked"), 1u);
  expect_same((*first)->entries, (*second)->entries);
  EXPECT_EQ((*first)->control, (*second)->control);
  EXPECT_EQ((*first)->md5sums, (*second)->md5sums);
  for (size_t i = 0; i < (*first)->entries.size(); ++i) {
    if ((*first)->entries[i].header.type != EntryType::file) continue;
    EXPECT_EQ((*first)->bytes((*first)->entries[i]), (*second)->bytes((*second)->entries[i]));
  }
}

// Damages the cache entry with `damage`, then expects it to be rebuilt.
void expect_rebuilt(const std::filesystem::path& cache, const FilterOptions& filter,
                    const std::function<void(const std::filesystem::path&)>& damage,
                    const std::string& what) {
  SCOPED_TRACE(what);
  TempTree tmp("pare-unpack-damage");
  BuiltDeb deb = build(docs_package(), tmp.path());
  auto good = unpack_cached(deb.path, deb.sha256, filter, cache);
  ASSERT_TRUE(good.ok()) << good.error().message();
  std::vector<UnpackedEntry> want = (*good)->entries;
  good = Error(Errc::internal, "released");  // unmap before damaging
  std::filesystem::path entry_dir;
  for (const auto& e : std::filesystem::directory_iterator(cache / "unpacked"))
    if (e.path().filename().string().rfind(deb.sha256, 0) == 0) entry_dir = e.path();
  ASSERT_FALSE(entry_dir.empty());
  damage(entry_dir);
  auto again = unpack_cached(deb.path, deb.sha256, filter, cache);
  ASSERT_TRUE(again.ok()) << again.error().message();
  expect_same(want, (*again)->entries);
  auto copyright = by_path(**again).at("usr/share/doc/docpkg/copyright");
  EXPECT_EQ((*again)->bytes(*copyright), "Copyright 2024 nobody\n");
  EXPECT_EQ((*again)->name, "docpkg");
}

TEST_F(UnpackCached, DamagedEntriesAreRebuilt) {
  namespace stdfs = std::filesystem;
  expect_rebuilt(
      cache_, filter_, [](const stdfs::path& d) { stdfs::resize_file(d / "data", 3); },
      "truncated data");
  expect_rebuilt(
      cache_, filter_,
      [](const stdfs::path& d) { write_text(d / "index", "pare-unpacked-1\nxx\n"); },
      "garbage index");
  expect_rebuilt(
      cache_, filter_, [](const stdfs::path& d) { write_text(d / "index", "other-format\n"); },
      "unknown format");
  expect_rebuilt(
      cache_, filter_, [](const stdfs::path& d) { stdfs::remove(d / "control"); }, "no control");
  expect_rebuilt(
      cache_, filter_, [](const stdfs::path& d) { stdfs::remove(d / "data"); }, "no data");
  expect_rebuilt(
      cache_, filter_, [](const stdfs::path& d) { stdfs::remove(d / "index"); }, "no index");
  expect_rebuilt(
      cache_, filter_, [](const stdfs::path& d) { write_text(d / "control", "\n"); },
      "empty control");
  expect_rebuilt(
      cache_, filter_, [](const stdfs::path& d) { write_text(d / "md5sums", "edited\n"); },
      "edited md5sums");
  expect_rebuilt(
      cache_, filter_, [](const stdfs::path& d) { stdfs::remove(d / "sums"); }, "no sums");
  expect_rebuilt(
      cache_, filter_, [](const stdfs::path& d) { stdfs::remove(d / "digests"); }, "no digests");
}

// A file's bytes are checked against the digest recorded when it was
// unpacked, when they are used: a flipped byte is an integrity error, and the
// entry is removed so that the next unpack makes it again.
TEST_F(UnpackCached, AFlippedByteInTheDataIsFoundWhenUsed) {
  BuiltDeb deb = build(docs_package(), tmp_.path());
  std::filesystem::path dir;
  {
    auto good = unpack_cached(deb.path, deb.sha256, filter_, cache_);
    ASSERT_TRUE(good.ok()) << good.error().message();
    EXPECT_TRUE((*good)->check_all().ok());
    dir = (*good)->dir();
  }
  std::string data = fs::read_file(dir / "data").value();
  ASSERT_FALSE(data.empty());
  data[0] ^= 1;
  write_text(dir / "data", data);  // same size: only the per-file digests can tell
  auto loaded = UnpackedPackage::load(dir);
  ASSERT_TRUE(loaded.ok()) << "metadata is intact: " << loaded.error().message();
  const UnpackedEntry* damaged = nullptr;
  for (const auto& e : (*loaded)->entries)
    if (e.header.type == EntryType::file && e.offset == 0 && e.header.size > 0) damaged = &e;
  ASSERT_NE(nullptr, damaged);
  auto bytes = (*loaded)->checked_bytes(*damaged);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(Errc::integrity, bytes.error().code());
  EXPECT_NE(std::string::npos, bytes.error().message().find(damaged->header.path));
  EXPECT_FALSE(std::filesystem::exists(dir)) << "the damaged entry is removed";
  auto again = unpack_cached(deb.path, deb.sha256, filter_, cache_);
  ASSERT_TRUE(again.ok()) << again.error().message();
  EXPECT_TRUE((*again)->check_all().ok());
}

TEST_F(UnpackCached, ConcurrentUnpacksShareOneEntry) {
  auto deb =
      build(docs_package().file("usr/share/docpkg/big", std::string(200000, 'x')), tmp_.path());
  constexpr int kThreads = 4;
  std::vector<std::unique_ptr<UnpackedPackage>> got(kThreads);
  std::vector<std::string> errors(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      auto r = unpack_cached(deb.path, deb.sha256, filter_, cache_);
      if (r.ok())
        got[i] = std::move(r.value());
      else
        errors[i] = r.error().message();
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(got[i]) << errors[i];
    expect_same(got[0]->entries, got[i]->entries);
    auto m = by_path(*got[i]);
    ASSERT_TRUE(m.count("usr/share/docpkg/big"));
    EXPECT_EQ(got[i]->bytes(*m["usr/share/docpkg/big"]), std::string(200000, 'x'));
  }
  // One published entry, no staging directories left behind.
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(cache_ / "unpacked"))
    names.push_back(e.path().filename().string());
  ASSERT_EQ(names.size(), 1u) << names[0] << " ...";
  EXPECT_EQ(names[0].rfind(deb.sha256 + "-", 0), 0u);
  auto reloaded = UnpackedPackage::load(cache_ / "unpacked" / names[0]);
  ASSERT_TRUE(reloaded.ok()) << reloaded.error().message();
  expect_same(got[0]->entries, (*reloaded)->entries);
}

TEST_F(UnpackCached, BrokenDebLeavesNothingInTheCache) {
  auto deb = build(docs_package(), tmp_.path());
  std::string bytes = read_text(deb.path);
  std::string truncated = bytes.substr(0, bytes.size() * 2 / 3);
  write_text(deb.path, truncated);
  // Its hash matches (a broken package, not a damaged cache): the parser must refuse it.
  auto r = unpack_cached(deb.path, sha256_hex(truncated), filter_, cache_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find(deb.path.filename().string()), std::string::npos)
      << r.error().message();
  if (std::filesystem::exists(cache_ / "unpacked")) {
    EXPECT_EQ(count_dirs(cache_ / "unpacked"), 0u);
  }
}

TEST_F(UnpackCached, MissingDebIsAnError) {
  auto r = unpack_cached(tmp_ / "nope.deb", std::string(64, '0'), filter_, cache_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("nope.deb"), std::string::npos);
}

TEST_F(UnpackCached, ACachedDebThatChangedIsRefusedAndRemoved) {
  auto deb = build(docs_package(), tmp_.path());
  {
    std::string bytes = read_text(deb.path);
    bytes[bytes.size() / 2] ^= 1;
    std::ofstream(deb.path, std::ios::binary | std::ios::trunc) << bytes;
  }
  auto r = unpack_cached(deb.path, deb.sha256, filter_, cache_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::integrity);
  EXPECT_NE(r.error().message().find("run again"), std::string::npos) << r.error().message();
  EXPECT_FALSE(std::filesystem::exists(deb.path)) << "the damaged file is removed";
}

TEST(UnpackedPackageLoad, MissingDirectoryIsAnError) {
  TempTree tmp("pare-unpack");
  auto r = UnpackedPackage::load(tmp / "nothing");
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace pare::rootfs
