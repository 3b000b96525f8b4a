// .deb reader tests on packages built by the real dpkg-deb (every compressor
// it offers), plus hand-made and damaged archives.
#include "deb/debfile.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "support/deb_builder.h"

namespace pare::deb {
namespace {

using pare::testing::DebBuilder;
using pare::testing::read_text;
using pare::testing::run_or_throw;
using pare::testing::shell_quote;
using pare::testing::TempTree;
using pare::testing::write_text;

struct Seen {
  oci::TarHeader header;
  std::string data;
  size_t pieces = 0;
};

struct ReadResult {
  Result<DebControl> control = Error(Errc::internal, "not read");
  std::vector<Seen> entries;  // archive order
  const Seen* find(const std::string& path) const {
    for (const auto& e : entries)
      if (e.header.path == path) return &e;
    return nullptr;
  }
};

DataEntryFn collect_into(std::vector<Seen>& out) {
  return [&out](const oci::TarHeader& h, EntryReader& reader) -> Result<void> {
    Seen s{h, "", 0};
    for (;;) {
      PARE_TRY(std::string_view piece, reader.next());
      if (piece.empty()) break;
      s.data.append(piece);
      ++s.pieces;
    }
    out.push_back(std::move(s));
    return {};
  };
}

ReadResult read_path(const std::filesystem::path& deb) {
  ReadResult r;
  r.control = read_deb(deb, collect_into(r.entries));
  return r;
}

ReadResult read_bytes(const std::string& bytes) {
  ReadResult r;
  r.control = read_deb_memory(bytes, "mem.deb", collect_into(r.entries));
  return r;
}

const std::string kBig = [] {
  std::string s;
  for (int i = 0; s.size() < 300 * 1024; ++i)
    s += "line " + std::to_string(i * 7919 % 100003) + "\n";
  return s;
}();

DebBuilder sample_package() {
  return DebBuilder("sample", "1.2-3")
      .field("Depends", "libc6 (>= 2.36)")
      .dir("etc/sample", 0750)
      .file("etc/sample/sample.conf", "key = value\n")
      .file("usr/bin/sample", "#!/bin/sh\necho sample\n", 0755)
      .file("usr/bin/setuid-helper", "x", 04755)
      .file("usr/lib/sample/empty", "")
      .file("usr/share/sample/big.txt", kBig)
      .symlink("usr/bin/sample-link", "sample")
      .symlink("usr/lib/sample/abs-link", "/etc/sample/sample.conf")
      .file("usr/lib/sample/zz-data", "shared bytes\n")
      .hardlink("usr/lib/sample/aa-link", "usr/lib/sample/zz-data")
      .file("usr/share/doc/sample/copyright", "Copyright: nobody\n")
      .md5sums()
      .conffiles("/etc/sample/sample.conf\n");
}

void expect_sample_entries(const ReadResult& r, const std::string& label) {
  SCOPED_TRACE(label);
  ASSERT_TRUE(r.control.ok()) << r.control.error().message();
  EXPECT_NE(r.control->control.find("Package: sample\n"), std::string::npos);
  EXPECT_NE(r.control->control.find("Version: 1.2-3\n"), std::string::npos);
  EXPECT_NE(r.control->control.find("Depends: libc6 (>= 2.36)\n"), std::string::npos);
  EXPECT_NE(r.control->md5sums.find("  usr/bin/sample\n"), std::string::npos) << r.control->md5sums;
  EXPECT_NE(r.control->md5sums.find("  usr/share/sample/big.txt\n"), std::string::npos);
  EXPECT_EQ(r.control->conffiles, "/etc/sample/sample.conf\n");

  // No root entry, no "./" prefixes, no trailing slashes.
  for (const auto& e : r.entries) {
    EXPECT_FALSE(e.header.path.empty());
    EXPECT_NE(e.header.path.rfind("./", 0), 0u) << e.header.path;
    EXPECT_NE(e.header.path.back(), '/') << e.header.path;
    EXPECT_EQ(e.header.uid, 0u) << e.header.path;
    EXPECT_EQ(e.header.gid, 0u) << e.header.path;
  }
  const Seen* d = r.find("etc/sample");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->header.type, oci::EntryType::dir);
  EXPECT_EQ(d->header.mode, 0750u);
  ASSERT_TRUE(r.find("usr/bin"));
  EXPECT_EQ(r.find("usr/bin")->header.type, oci::EntryType::dir);
  EXPECT_EQ(r.find("usr/bin")->header.mode, 0755u);

  const Seen* exe = r.find("usr/bin/sample");
  ASSERT_TRUE(exe);
  EXPECT_EQ(exe->header.type, oci::EntryType::file);
  EXPECT_EQ(exe->header.mode, 0755u);
  EXPECT_EQ(exe->header.size, exe->data.size());
  EXPECT_EQ(exe->data, "#!/bin/sh\necho sample\n");

  const Seen* suid = r.find("usr/bin/setuid-helper");
  ASSERT_TRUE(suid);
  EXPECT_EQ(suid->header.mode, 04755u);

  const Seen* conf = r.find("etc/sample/sample.conf");
  ASSERT_TRUE(conf);
  EXPECT_EQ(conf->header.mode, 0644u);
  EXPECT_EQ(conf->data, "key = value\n");

  const Seen* empty = r.find("usr/lib/sample/empty");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->header.type, oci::EntryType::file);
  EXPECT_EQ(empty->header.size, 0u);
  EXPECT_EQ(empty->data, "");

  const Seen* big = r.find("usr/share/sample/big.txt");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->header.size, kBig.size());
  EXPECT_EQ(big->data, kBig);
  EXPECT_GT(big->pieces, 1u);  // streamed, not read in one piece

  const Seen* rel = r.find("usr/bin/sample-link");
  ASSERT_TRUE(rel);
  EXPECT_EQ(rel->header.type, oci::EntryType::symlink);
  EXPECT_EQ(rel->header.link, "sample");
  EXPECT_EQ(rel->header.size, 0u);
  const Seen* abs = r.find("usr/lib/sample/abs-link");
  ASSERT_TRUE(abs);
  EXPECT_EQ(abs->header.link, "/etc/sample/sample.conf");

  // dpkg-deb sorts its entries: the path sorting first holds the bytes.
  const Seen* first = r.find("usr/lib/sample/aa-link");
  const Seen* second = r.find("usr/lib/sample/zz-data");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->header.type, oci::EntryType::file);
  EXPECT_EQ(first->data, "shared bytes\n");
  EXPECT_EQ(second->header.type, oci::EntryType::hardlink);
  EXPECT_EQ(second->header.link, "usr/lib/sample/aa-link");
  EXPECT_EQ(second->data, "");
  EXPECT_LT(first - r.entries.data(), second - r.entries.data());  // target precedes its link
}

class DebfileCompression : public ::testing::TestWithParam<const char*> {};

TEST_P(DebfileCompression, ReadsControlAndStreamsData) {
  TempTree tmp("pare-debfile");
  auto deb = sample_package().compression(GetParam()).build(tmp.path());
  // The member names say which compressor was used.
  auto [rc, members] = pare::testing::run_capture("ar t " + shell_quote(deb.string()));
  ASSERT_EQ(rc, 0);
  std::string want = std::string(GetParam()) == "none"   ? "data.tar\n"
                     : std::string(GetParam()) == "gzip" ? "data.tar.gz\n"
                     : std::string(GetParam()) == "xz"   ? "data.tar.xz\n"
                                                         : "data.tar.zst\n";
  EXPECT_NE(members.find(want), std::string::npos) << members;

  expect_sample_entries(read_path(deb), "read_deb");
  expect_sample_entries(read_bytes(read_text(deb)), "read_deb_memory");
}

INSTANTIATE_TEST_SUITE_P(AllCompressors, DebfileCompression,
                         ::testing::Values("xz", "gzip", "zstd", "none"));

TEST(Debfile, MissingMd5sumsAndConffilesAreEmpty) {
  TempTree tmp("pare-debfile");
  auto deb = DebBuilder("bare").file("usr/share/bare/x", "x").build(tmp.path());
  auto r = read_path(deb);
  ASSERT_TRUE(r.control.ok()) << r.control.error().message();
  EXPECT_EQ(r.control->md5sums, "");
  EXPECT_EQ(r.control->conffiles, "");
  EXPECT_NE(r.control->control.find("Package: bare\n"), std::string::npos);
}

TEST(Debfile, EntriesNeedNotBeReadFully) {
  TempTree tmp("pare-debfile");
  auto deb = sample_package().build(tmp.path());
  std::vector<std::string> paths;
  auto r = read_deb(deb, [&](const oci::TarHeader& h, EntryReader&) -> Result<void> {
    paths.push_back(h.path);
    return {};
  });
  ASSERT_TRUE(r.ok()) << r.error().message();
  ReadResult full = read_path(deb);
  ASSERT_EQ(paths.size(), full.entries.size());
  for (size_t i = 0; i < paths.size(); ++i) EXPECT_EQ(paths[i], full.entries[i].header.path);
}

TEST(Debfile, CallbackErrorStopsReading) {
  TempTree tmp("pare-debfile");
  auto deb = sample_package().build(tmp.path());
  int calls = 0;
  auto r = read_deb(deb, [&](const oci::TarHeader&, EntryReader&) -> Result<void> {
    if (++calls == 3) return Error(Errc::io, "disk full (test)");
    return {};
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::io);
  EXPECT_EQ(r.error().message(), "disk full (test)");
  EXPECT_EQ(calls, 3);
}

TEST(Debfile, FifoEntryIsUnsupported) {
  TempTree tmp("pare-debfile");
  auto stage = tmp / "stage";
  std::filesystem::create_directories(stage / "DEBIAN");
  std::filesystem::create_directories(stage / "run");
  write_text(stage / "DEBIAN/control", DebBuilder("fifo").control());
  run_or_throw("mkfifo " + shell_quote((stage / "run/pipe").string()));
  run_or_throw("dpkg-deb --root-owner-group --build " + shell_quote(stage.string()) + " " +
               shell_quote((tmp / "fifo.deb").string()) + " >/dev/null");
  auto r = read_path(tmp / "fifo.deb");
  ASSERT_FALSE(r.control.ok());
  EXPECT_EQ(r.control.error().code(), Errc::unsupported);
  EXPECT_NE(r.control.error().message().find("run/pipe"), std::string::npos)
      << r.control.error().message();
}

// ---- hand-made archives -------------------------------------------------------------

// Builds an ar archive from members (written into `dir`) with the ar tool.
std::filesystem::path make_ar(const std::filesystem::path& dir, const std::string& name,
                              const std::vector<std::pair<std::string, std::string>>& members) {
  std::string cmd = "cd " + shell_quote(dir.string()) + " && rm -f " + shell_quote(name) +
                    " && ar rc " + shell_quote(name);
  for (const auto& [member, bytes] : members) {
    write_text(dir / member, bytes);
    cmd += " " + shell_quote(member);
  }
  run_or_throw(cmd);
  return dir / name;
}

// The members of a real .deb, extracted with ar.
std::map<std::string, std::string> deb_members(const std::filesystem::path& deb,
                                               const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  run_or_throw("cd " + shell_quote(dir.string()) + " && ar x " + shell_quote(deb.string()));
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    out[e.path().filename()] = read_text(e.path());
  return out;
}

TEST(Debfile, UnsupportedFormatVersion) {
  TempTree tmp("pare-debfile");
  auto m = deb_members(DebBuilder("v").file("x", "x").build(tmp.path()), tmp / "m");
  auto deb = make_ar(tmp.path(), "v3.deb",
                     {{"debian-binary", "3.0\n"},
                      {"control.tar.xz", m.at("control.tar.xz")},
                      {"data.tar.xz", m.at("data.tar.xz")}});
  auto r = read_path(deb);
  ASSERT_FALSE(r.control.ok());
  EXPECT_EQ(r.control.error().code(), Errc::unsupported);
  EXPECT_NE(r.control.error().message().find("3.0"), std::string::npos);
}

TEST(Debfile, MissingMembersAreInvalid) {
  TempTree tmp("pare-debfile");
  auto m = deb_members(DebBuilder("v").file("x", "x").build(tmp.path()), tmp / "m");
  std::vector<std::vector<std::pair<std::string, std::string>>> cases = {
      {{"control.tar.xz", m.at("control.tar.xz")}, {"data.tar.xz", m.at("data.tar.xz")}},
      {{"debian-binary", "2.0\n"}, {"data.tar.xz", m.at("data.tar.xz")}},
      {{"debian-binary", "2.0\n"}, {"control.tar.xz", m.at("control.tar.xz")}},
      {{"README", "not a package\n"}},
  };
  int i = 0;
  for (const auto& members : cases) {
    auto deb = make_ar(tmp.path(), "case" + std::to_string(i++) + ".deb", members);
    auto r = read_path(deb);
    ASSERT_FALSE(r.control.ok()) << deb;
    EXPECT_EQ(r.control.error().code(), Errc::invalid) << deb;
    EXPECT_NE(r.control.error().message().find("not a Debian package"), std::string::npos)
        << r.control.error().message();
  }
}

TEST(Debfile, ControlTarWithoutControlFileIsInvalid) {
  TempTree tmp("pare-debfile");
  auto m = deb_members(DebBuilder("v").file("x", "x").build(tmp.path()), tmp / "m");
  write_text(tmp / "ctl/md5sums", "");
  run_or_throw("cd " + shell_quote((tmp / "ctl").string()) +
               " && tar czf ../control.tar.gz ./md5sums");
  auto deb = make_ar(tmp.path(), "noctl.deb",
                     {{"debian-binary", "2.0\n"},
                      {"control.tar.gz", read_text(tmp / "control.tar.gz")},
                      {"data.tar.xz", m.at("data.tar.xz")}});
  auto r = read_path(deb);
  ASSERT_FALSE(r.control.ok());
  EXPECT_EQ(r.control.error().code(), Errc::invalid);
  EXPECT_NE(r.control.error().message().find("no control file"), std::string::npos);
}

TEST(Debfile, DataTarWithEscapingPathIsRejected) {
  TempTree tmp("pare-debfile");
  auto m = deb_members(DebBuilder("v").file("x", "x").build(tmp.path()), tmp / "m");
  write_text(tmp / "evil/etc/passwd", "root::0:0::/:/bin/sh\n");
  run_or_throw("cd " + shell_quote((tmp / "evil").string()) +
               " && tar cf ../data.tar --transform='s|^\\./etc|./usr/../../etc|' ./etc/passwd");
  auto deb = make_ar(tmp.path(), "evil.deb",
                     {{"debian-binary", "2.0\n"},
                      {"control.tar.xz", m.at("control.tar.xz")},
                      {"data.tar", read_text(tmp / "data.tar")}});
  auto r = read_path(deb);
  ASSERT_FALSE(r.control.ok());
  EXPECT_EQ(r.control.error().code(), Errc::invalid);
  EXPECT_NE(r.control.error().message().find("unsafe path"), std::string::npos)
      << r.control.error().message();
  for (const auto& e : r.entries) EXPECT_EQ(e.header.path.find(".."), std::string::npos);
}

TEST(Debfile, NotADebIsAnError) {
  TempTree tmp("pare-debfile");
  write_text(tmp / "text.deb", "Package: hello\nVersion: 1\n");
  for (const auto& bytes : {std::string(""), std::string("Package: hello\n"),
                            std::string("!<arch>\n"), std::string(1000, '\0')}) {
    auto r = read_bytes(bytes);
    ASSERT_FALSE(r.control.ok()) << bytes.size();
    EXPECT_EQ(r.control.error().code(), Errc::invalid) << r.control.error().message();
  }
  auto from_file = read_path(tmp / "text.deb");
  ASSERT_FALSE(from_file.control.ok());
  EXPECT_EQ(from_file.control.error().code(), Errc::invalid);
  EXPECT_NE(from_file.control.error().message().find("text.deb"), std::string::npos);

  auto missing = read_path(tmp / "missing.deb");
  ASSERT_FALSE(missing.control.ok());
  EXPECT_NE(missing.control.error().message().find("missing.deb"), std::string::npos);

  // A tar file is not an ar archive.
  write_text(tmp / "t/x", "x");
  run_or_throw("cd " + shell_quote(tmp.path().string()) + " && tar cf t.tar t");
  auto tar = read_path(tmp / "t.tar");
  ASSERT_FALSE(tar.control.ok());
  EXPECT_EQ(tar.control.error().code(), Errc::invalid);
}

// ---- damaged packages ---------------------------------------------------------------

class DebfileDamage : public ::testing::TestWithParam<const char*> {};

TEST_P(DebfileDamage, TruncatedPackageIsInvalid) {
  TempTree tmp("pare-debfile");
  std::string bytes = read_text(sample_package().compression(GetParam()).build(tmp.path()));
  ASSERT_TRUE(read_bytes(bytes).control.ok());
  // Every cut from the ar magic to the last members' bytes; the final byte
  // may be ar's padding newline, which carries nothing.
  size_t step = std::max<size_t>(1, bytes.size() / 211);
  for (size_t cut = 0; cut + 2 <= bytes.size(); cut += step) {
    auto r = read_bytes(bytes.substr(0, cut));
    ASSERT_FALSE(r.control.ok()) << "cut at " << cut << " of " << bytes.size();
    EXPECT_EQ(r.control.error().code(), Errc::invalid)
        << cut << ": " << r.control.error().message();
  }
  for (size_t lost : {2, 3, 8, 64}) {
    auto r = read_bytes(bytes.substr(0, bytes.size() - lost));
    ASSERT_FALSE(r.control.ok()) << "lost " << lost << " bytes";
    EXPECT_EQ(r.control.error().code(), Errc::invalid) << r.control.error().message();
  }
}

TEST_P(DebfileDamage, CorruptBytesNeverCrash) {
  TempTree tmp("pare-debfile");
  std::string bytes = read_text(sample_package().compression(GetParam()).build(tmp.path()));
  size_t step = std::max<size_t>(1, bytes.size() / 157);
  int errors = 0;
  for (size_t at = 0; at < bytes.size(); at += step) {
    std::string damaged = bytes;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x5a);
    auto r = read_bytes(damaged);
    if (!r.control.ok()) {
      ++errors;
      Errc c = r.control.error().code();
      EXPECT_TRUE(c == Errc::invalid || c == Errc::unsupported)
          << at << ": " << r.control.error().message();
    }
    // Whatever was delivered is safe to place under a root.
    for (const auto& e : r.entries) {
      EXPECT_FALSE(e.header.path.empty());
      EXPECT_NE(e.header.path[0], '/');
      EXPECT_EQ(e.header.path.find("/../"), std::string::npos);
      if (e.header.type == oci::EntryType::file && r.control.ok()) {
        EXPECT_EQ(e.header.size, e.data.size());
      }
    }
  }
  EXPECT_GT(errors, 0);
}

TEST(DebfileDamage, BadArMagicIsInvalid) {
  TempTree tmp("pare-debfile");
  std::string bytes = read_text(sample_package().build(tmp.path()));
  bytes[1] = 'X';  // "!Xarch>"
  auto r = read_bytes(bytes);
  ASSERT_FALSE(r.control.ok());
  EXPECT_EQ(r.control.error().code(), Errc::invalid);
  EXPECT_TRUE(r.entries.empty());
}

INSTANTIATE_TEST_SUITE_P(AllCompressors, DebfileDamage,
                         ::testing::Values("xz", "gzip", "zstd", "none"));

// ---- normalize_member_path ----------------------------------------------------------

TEST(NormalizeMemberPath, StripsDotSegmentsAndSlashes) {
  EXPECT_EQ(*normalize_member_path("./usr/x"), "usr/x");
  EXPECT_EQ(*normalize_member_path("./usr/share/"), "usr/share");
  EXPECT_EQ(*normalize_member_path("usr//lib/./x"), "usr/lib/x");
  EXPECT_EQ(*normalize_member_path("/etc/passwd"), "etc/passwd");
  EXPECT_EQ(*normalize_member_path("./"), "");
  EXPECT_EQ(*normalize_member_path("."), "");
  EXPECT_EQ(*normalize_member_path(""), "");
  EXPECT_EQ(*normalize_member_path("a b/c\td"), "a b/c\td");
  EXPECT_EQ(*normalize_member_path("..."), "...");
  EXPECT_EQ(*normalize_member_path("..a/b.."), "..a/b..");
}

TEST(NormalizeMemberPath, RejectsEscapes) {
  for (std::string_view bad :
       {"..", "../etc/passwd", "./usr/../../x", "usr/..", "a/../b", "/..", "./../"}) {
    auto r = normalize_member_path(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Errc::invalid);
    EXPECT_NE(r.error().message().find(std::string(bad)), std::string::npos) << r.error().message();
  }
  auto nul = normalize_member_path(std::string_view("usr/x\0y", 7));
  ASSERT_FALSE(nul.ok());
  EXPECT_EQ(nul.error().code(), Errc::invalid);
}

}  // namespace
}  // namespace pare::deb
