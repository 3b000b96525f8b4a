// Lockfile: stable text, a faithful round trip, and strict reading with JSON-path errors.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "spec/lockfile.h"
#include "util/fs.h"

namespace pare::spec {
namespace {

const std::string kHashA(64, 'a');
const std::string kHashB(64, 'b');

Lockfile sample() {
  Lockfile lock;
  lock.fingerprint = "sha256:" + std::string(64, '0');
  lock.suite = "bookworm";
  lock.packages["arm64"] = {
      {"tzdata", "2024a-0+deb12u1", "all", "pool/main/t/tzdata/tzdata_2024a-0+deb12u1_all.deb",
       kHashA, "http://m.example/debian/pool/main/t/tzdata/tzdata_2024a-0+deb12u1_all.deb", 255000,
       0, "bookworm/main"},
  };
  lock.packages["amd64"] = {
      {"tzdata", "2024a-0+deb12u1", "all", "pool/main/t/tzdata/tzdata_2024a-0+deb12u1_all.deb",
       kHashA, "", 255000, 0, "bookworm/main"},
      {"libc6", "2.36-9+deb12u4", "amd64", "pool/main/g/glibc/libc6_2.36-9+deb12u4_amd64.deb",
       kHashB, "", 2757936, 1, "bookworm-security/main"},
  };
  return lock;
}

TEST(Lockfile, TextIsStableAndSorted) {
  std::string text = lockfile_json(sample());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.substr(0, 4), "{\n  ");  // 2-space indent
  // amd64 before arm64; libc6 before tzdata although inserted after it.
  EXPECT_LT(text.find("\"amd64\""), text.find("\"arm64\""));
  EXPECT_LT(text.find("libc6"), text.find("tzdata"));
  // Keys sorted within objects.
  EXPECT_LT(text.find("\n  \"fingerprint\""), text.find("\n  \"packages\""));
  EXPECT_LT(text.find("\n  \"packages\""), text.find("\n  \"suite\""));
  EXPECT_LT(text.find("\n  \"suite\""), text.find("\n  \"version\""));
  EXPECT_NE(text.find("\n  \"version\": 1\n}\n"), std::string::npos);
  // Order of insertion does not change the text.
  Lockfile reordered = sample();
  std::swap(reordered.packages["amd64"][0], reordered.packages["amd64"][1]);
  EXPECT_EQ(lockfile_json(reordered), text);
}

TEST(Lockfile, RoundTrips) {
  std::string text = lockfile_json(sample());
  auto r = parse_lockfile(text, "x.lock.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->suite, "bookworm");
  EXPECT_EQ(r->fingerprint, sample().fingerprint);
  ASSERT_EQ(r->packages.at("amd64").size(), 2u);
  const LockedPackage& libc = r->packages.at("amd64")[0];
  EXPECT_EQ(libc.name, "libc6");
  EXPECT_EQ(libc.version, "2.36-9+deb12u4");
  EXPECT_EQ(libc.arch, "amd64");
  EXPECT_EQ(libc.sha256, kHashB);
  EXPECT_EQ(libc.size, 2757936u);
  EXPECT_EQ(libc.level, 1);
  EXPECT_EQ(r->packages.at("arm64")[0].url.substr(0, 7), "http://");
  EXPECT_EQ(lockfile_json(*r), text);
}

TEST(Lockfile, WritesAndReadsAFile) {
  auto dir = std::filesystem::temp_directory_path() / ("pare-lock-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto path = dir / "cc.lock.json";
  ASSERT_TRUE(write_lockfile(path, sample()).ok());
  auto r = read_lockfile(path);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(lockfile_json(*r), lockfile_json(sample()));
  auto missing = read_lockfile(dir / "none.lock.json");
  EXPECT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Errc::not_found);
  std::filesystem::remove_all(dir);
}

TEST(Lockfile, DefaultPathSitsNextToTheSpec) {
  EXPECT_EQ(default_lockfile_path("examples/cc.yaml"), "examples/cc.lock.json");
  EXPECT_EQ(default_lockfile_path("/a/b.yml"), "/a/b.lock.json");
  EXPECT_EQ(default_lockfile_path("spec"), "spec.lock.json");
}

// Edits the sample's JSON, then reads it; returns the error message ("" if accepted).
std::string read_edited(const std::function<void(nlohmann::json&)>& edit) {
  auto doc = nlohmann::json::parse(lockfile_json(sample()));
  edit(doc);
  auto r = parse_lockfile(doc.dump(), "t.lock.json");
  return r.ok() ? "" : r.error().message();
}

TEST(Lockfile, ErrorsNameTheJsonPath) {
  using J = nlohmann::json;
  struct Case {
    std::function<void(J&)> edit;
    const char* message;
  } cases[] = {
      {[](J& d) { d["version"] = 2; }, "t.lock.json: $.version: unsupported lockfile version 2"},
      {[](J& d) { d["extra"] = 1; }, "t.lock.json: $.extra: unknown key"},
      {[](J& d) { d.erase("suite"); }, "t.lock.json: $: missing key 'suite'"},
      {[](J& d) { d["suite"] = "sid"; }, "t.lock.json: $.suite: unknown suite 'sid'"},
      {[](J& d) { d["fingerprint"] = "md5:x"; }, "t.lock.json: $.fingerprint: expected sha256:"},
      {[](J& d) { d["packages"] = J::array(); }, "t.lock.json: $.packages: expected an object"},
      {[](J& d) { d["packages"]["x86_64"] = J::array(); },
       "t.lock.json: $.packages.x86_64: unknown architecture"},
      {[](J& d) { d["packages"]["amd64"][1]["sha256"] = "ABC"; },
       "t.lock.json: $.packages.amd64[1].sha256: expected 64 lowercase hex digits"},
      {[](J& d) { d["packages"]["amd64"][0]["size"] = -5; },
       "t.lock.json: $.packages.amd64[0].size: expected a non-negative integer"},
      {[](J& d) { d["packages"]["amd64"][0]["size"] = "5"; },
       "t.lock.json: $.packages.amd64[0].size: expected a non-negative integer, got string"},
      {[](J& d) { d["packages"]["amd64"][0]["level"] = 1000; },
       "t.lock.json: $.packages.amd64[0].level: value 1000 is out of range"},
      {[](J& d) { d["packages"]["amd64"][0]["name"] = 7; },
       "t.lock.json: $.packages.amd64[0].name: expected a string, got number"},
      {[](J& d) { d["packages"]["amd64"][0]["version"] = "x1"; },
       "t.lock.json: $.packages.amd64[0].version: the upstream version must start with a digit"},
      {[](J& d) { d["packages"]["amd64"][0]["arch"] = "arm64"; },
       "t.lock.json: $.packages.amd64[0].arch: 'arm64' under architecture amd64"},
      {[](J& d) { d["packages"]["amd64"][0]["filename"] = "../../etc/passwd"; },
       "t.lock.json: $.packages.amd64[0].filename: expected a relative path"},
      {[](J& d) { d["packages"]["amd64"][0]["filename"] = "/pool/x.deb"; },
       "t.lock.json: $.packages.amd64[0].filename: expected a relative path"},
      {[](J& d) { d["packages"]["amd64"][1]["name"] = "libc6"; },
       "t.lock.json: $.packages.amd64[1].name: 'libc6' is listed twice"},
      {[](J& d) { d["packages"]["amd64"][0].erase("url"); },
       "t.lock.json: $.packages.amd64[0]: missing key 'url'"},
      {[](J& d) { d["packages"]["amd64"][0]["url"] = "a\nb"; },
       "t.lock.json: $.packages.amd64[0].url: string too long or holds control characters"},
      {[](J& d) { d["packages"]["amd64"][0]["repo"] = "../../x"; },
       "t.lock.json: $.packages.amd64[0].repo: expected SUITE/COMPONENT"},
      {[](J& d) { d["packages"]["amd64"][0]["mirror"] = "http://x/"; },
       "t.lock.json: $.packages.amd64[0].mirror: unknown key"},
  };
  for (const auto& c : cases) {
    std::string message = read_edited(c.edit);
    EXPECT_EQ(message.rfind(c.message, 0), 0u) << "got: " << message << "\nwant: " << c.message;
  }
  EXPECT_EQ(read_edited([](J&) {}), "");  // the unedited sample is fine
  // "repo" is optional: a lock written before it was recorded still reads.
  EXPECT_EQ(read_edited([](J& d) { d["packages"]["amd64"][0].erase("repo"); }), "");
}

TEST(Lockfile, RejectsNonJson) {
  auto r = parse_lockfile("{\"version\": 1,", "t.lock.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_EQ(r.error().message().rfind("t.lock.json: not valid JSON", 0), 0u);
  EXPECT_FALSE(parse_lockfile("[]", "t").ok());
  EXPECT_FALSE(parse_lockfile("", "t").ok());
}

}  // namespace
}  // namespace pare::spec
