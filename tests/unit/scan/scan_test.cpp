// src/scan: the security tracker's JSON read for one release, and matching by source package
// and source version in Debian's order, on hand-written excerpts of the tracker's shape.
#include <gtest/gtest.h>

#include "scan/compare.h"
#include "scan/feed_cache.h"
#include "scan/match.h"
#include "scan/osv.h"
#include "scan/sarif.h"
#include "util/fs.h"

#include <nlohmann/json.hpp>
#include "scan/tracker.h"

namespace pare::scan {
namespace {

// The tracker's shape: source -> CVE -> {description, scope, releases -> codename -> ...}.
const char* kFeed = R"({
  "openssl": {
    "CVE-2024-0001": {"description": "fixed later", "scope": "remote",
      "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.15-1~deb12u1",
                                "urgency": "high", "repositories": {"bookworm": "3.0.14-1~deb12u2"}},
                   "trixie": {"status": "resolved", "fixed_version": "3.3.2-1", "urgency": "high"}}},
    "CVE-2024-0002": {"description": "fixed earlier",
      "releases": {"bookworm": {"status": "resolved", "fixed_version": "3.0.2-1", "urgency": "medium"}}},
    "CVE-2024-0003": {"releases": {"bookworm": {"status": "open", "urgency": "low**"}}},
    "CVE-2024-0004": {"releases": {"bookworm": {"status": "open", "urgency": "unimportant"}}},
    "CVE-2024-0005": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "0",
                                                "urgency": "not yet assigned"}}},
    "CVE-2024-0006": {"releases": {"bullseye": {"status": "open", "urgency": "high"}}}
  },
  "glibc": {
    "CVE-2024-0010": {"releases": {"bookworm": {"status": "resolved",
                                                "fixed_version": "2.36-9+deb12u4", "urgency": "medium"}}},
    "CVE-2024-0011": {"releases": {"bookworm": {"status": "undetermined", "urgency": "end-of-life"}}}
  },
  "shadow": {
    "CVE-2024-0020": {"releases": {"bookworm": {"status": "resolved",
                                                "fixed_version": "1:4.13+dfsg1-1+deb12u1", "urgency": "low"}}}
  },
  "tilde": {
    "CVE-2024-0030": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "1.0", "urgency": "low"}}}
  }
})";

sbom::PackageRecord pkg(std::string name, std::string version, std::string source = "",
                        std::string source_version = "") {
  sbom::PackageRecord p;
  p.name = std::move(name);
  p.version = std::move(version);
  p.source = std::move(source);
  p.source_version = std::move(source_version);
  return p;
}

TEST(Tracker, KeepsOneRelease) {
  auto feed = parse_tracker_json(kFeed, "feed.json", "bookworm");
  ASSERT_TRUE(feed.ok()) << feed.error().message();
  ASSERT_EQ(feed->at("openssl").size(), 5u) << "CVE-2024-0006 has no bookworm record";
  EXPECT_EQ(feed->at("openssl")[2].urgency, "low") << "the tracker's ** dropped";
  auto trixie = parse_tracker_json(kFeed, "feed.json", "trixie").value();
  ASSERT_EQ(trixie.size(), 1u);
  EXPECT_EQ(trixie.at("openssl")[0].fixed_version, "3.3.2-1");
}

TEST(Tracker, ErrorsNameTheFileAndThePlace) {
  auto broken = parse_tracker_json("{\"openssl\": {\"CVE-1\": ", "feed.json", "bookworm");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message().find("feed.json: not JSON at byte"), std::string::npos)
      << broken.error().message();
  auto shape = parse_tracker_json(R"({"openssl": ["CVE-1"]})", "f.json", "bookworm");
  ASSERT_FALSE(shape.ok());
  EXPECT_NE(shape.error().message().find("\"openssl\""), std::string::npos);
  EXPECT_FALSE(parse_tracker_json("[]", "f.json", "bookworm").ok());
  auto no_status = parse_tracker_json(R"({"a": {"CVE-1": {"releases": {"bookworm": {}}}}})",
                                      "f.json", "bookworm");
  ASSERT_FALSE(no_status.ok());
  EXPECT_NE(no_status.error().message().find("no status"), std::string::npos);
}

TEST(Match, BySourcePackageAndVersion) {
  Feed feed = parse_tracker_json(kFeed, "feed.json", "bookworm").value();
  std::vector<sbom::PackageRecord> packages = {
      // A binary package whose source name differs, at a binNMU version.
      pkg("libssl3", "3.0.14-1~deb12u2+b1", "openssl", "3.0.14-1~deb12u2"),
      pkg("libc6", "2.36-9+deb12u4", "glibc"),
      // An epoch: 1:4.13+dfsg1-1 is below 1:4.13+dfsg1-1+deb12u1.
      pkg("login", "1:4.13+dfsg1-1", "shadow"),
      // A tilde sorts before: 1.0~rc1 < 1.0.
      pkg("tilde", "1.0~rc1"), pkg("unrelated", "1.0")};
  auto findings = match(packages, feed);
  std::map<std::string, Finding> by_id;
  for (const auto& f : findings) by_id[f.id] = f;
  EXPECT_EQ(by_id.at("CVE-2024-0001").state, State::open);
  EXPECT_EQ(by_id.at("CVE-2024-0001").fixed, "3.0.15-1~deb12u1");
  EXPECT_EQ(by_id.at("CVE-2024-0001").package, "libssl3");
  EXPECT_EQ(by_id.count("CVE-2024-0002"), 0u) << "fixed in an earlier version than installed";
  EXPECT_EQ(by_id.at("CVE-2024-0003").state, State::open);
  EXPECT_EQ(by_id.at("CVE-2024-0003").fixed, "") << "no fix yet";
  EXPECT_EQ(by_id.at("CVE-2024-0004").state, State::unimportant);
  EXPECT_EQ(by_id.at("CVE-2024-0005").state, State::not_affected);
  EXPECT_EQ(by_id.count("CVE-2024-0010"), 0u) << "installed exactly the fixed version";
  EXPECT_EQ(by_id.at("CVE-2024-0011").state, State::end_of_life);
  EXPECT_EQ(by_id.at("CVE-2024-0020").state, State::open) << "epoch compared";
  EXPECT_EQ(by_id.at("CVE-2024-0030").state, State::open) << "tilde sorts before";
  EXPECT_EQ(findings.size(), 7u);
}

TEST(Osv, DebianRecordsForOneRelease) {
  const char* dsa = R"({"id": "DSA-5999-1", "upstream": ["CVE-2024-0100"], "affected": [
      {"package": {"ecosystem": "Debian:12", "name": "openssl"},
       "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.15-1~deb12u1"}]}]},
      {"package": {"ecosystem": "Debian:13", "name": "openssl"},
       "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.3.2-1"}]}]}]})";
  const char* open_one = R"({"id": "DEBIAN-CVE-2024-0101", "affected": [
      {"package": {"ecosystem": "Debian:12", "name": "glibc"},
       "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}]})";
  EXPECT_TRUE(looks_like_osv(dsa));
  EXPECT_FALSE(looks_like_osv(kFeed));
  Feed feed;
  ASSERT_TRUE(add_osv_record(dsa, "dsa.json", "Debian:12", feed).ok());
  ASSERT_TRUE(add_osv_record(open_one, "o.json", "Debian:12", feed).ok());
  ASSERT_EQ(feed.at("openssl").size(), 1u) << "only Debian:12's range";
  EXPECT_EQ(feed.at("openssl")[0].id, "CVE-2024-0100") << "the CVE the advisory fixes";
  EXPECT_EQ(feed.at("openssl")[0].fixed_version, "3.0.15-1~deb12u1");
  EXPECT_EQ(feed.at("glibc")[0].status, "open");
  auto findings =
      match({pkg("libssl3", "3.0.14-1~deb12u2", "openssl"), pkg("libc6", "2.36-9", "glibc")}, feed);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].fixed, "3.0.15-1~deb12u1");
  EXPECT_FALSE(add_osv_record(R"({"id": 3, "affected": {}})", "bad.json", "Debian:12", feed).ok());
  EXPECT_FALSE(add_osv_record("{", "bad.json", "Debian:12", feed).ok());
  // Wrong types inside a record are skipped, never thrown.
  EXPECT_TRUE(add_osv_record(R"({"id": "X", "affected": [{"package": {"ecosystem": 12, "name": []}},
      {"package": {"ecosystem": "Debian:12", "name": "z"}, "ranges": [{"type": 1}, 5]}]})",
                             "odd.json", "Debian:12", feed)
                  .ok());
}

TEST(Sarif, OpenFindingsAsResults) {
  Feed feed = parse_tracker_json(kFeed, "feed.json", "bookworm").value();
  auto findings = match({pkg("libssl3", "3.0.14-1~deb12u2", "openssl")}, feed);
  auto doc = nlohmann::json::parse(sarif_json(findings, "oci:x:y", "bookworm"));
  EXPECT_EQ(doc["version"], "2.1.0");
  const auto& results = doc["runs"][0]["results"];
  ASSERT_EQ(results.size(), 2u) << "CVE-0001 (high, fixed later) and CVE-0003 (low, no fix)";
  EXPECT_EQ(results[0]["ruleId"], "CVE-2024-0001");
  EXPECT_EQ(results[0]["level"], "error");
  EXPECT_EQ(results[1]["level"], "note");
  EXPECT_EQ(doc["runs"][0]["tool"]["driver"]["rules"].size(), 2u);
}

TEST(Compare, PagesAreSelfContainedAndEscaped) {
  CompareRow a, b;
  a.image = "oci:out/<script>:x";
  a.uncompressed = 50'000'000;
  a.shell = true;
  a.open_by_urgency = std::map<std::string, size_t>{{"high", 2}, {"low", 1}};
  b.image = "oci:out/b|c";
  std::string html = compare_html({a, b});
  EXPECT_EQ(html.find("<script>"), std::string::npos) << "names are escaped";
  EXPECT_NE(html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<svg id=\"chart\""), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg")) << "no other URL";
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_NE(html.find("3 (2 high, 1 low)"), std::string::npos);
  std::string md = compare_markdown({a, b});
  EXPECT_NE(md.find("| oci:out/b/c |"), std::string::npos) << "a '|' cannot break the table";
  EXPECT_NE(md.find("not scanned"), std::string::npos);
  EXPECT_EQ(a.open(), 3u);
}

TEST(FeedCache, ParsedOnceThenRead) {
  auto cache = fs::TempDir::create(std::filesystem::temp_directory_path(), "pare-feeds").value();
  auto first = tracker_feed_cached(kFeed, "feed.json", "bookworm", cache.path());
  ASSERT_TRUE(first.ok()) << first.error().message();
  size_t records = 0;
  for (const auto& e : std::filesystem::directory_iterator(cache.path() / "feeds")) {
    (void)e;
    ++records;
  }
  EXPECT_EQ(records, 1u);
  auto again = tracker_feed_cached(kFeed, "feed.json", "bookworm", cache.path());
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), first->size());
  EXPECT_EQ(encode_feed(*again), encode_feed(*first));
  EXPECT_FALSE(decode_feed("a\tb\tc\n").has_value()) << "five fields a line";
  EXPECT_FALSE(decode_feed("a\tb\tc\td\te").has_value()) << "the last line ends";
  EXPECT_TRUE(decode_feed("").has_value());
  EXPECT_FALSE(tracker_feed_cached("{", "bad.json", "bookworm", cache.path()).ok());
}

TEST(Match, ReleasesAndSeverities) {
  EXPECT_EQ(version_id_for("bookworm"), "12");
  EXPECT_EQ(release_for("12"), "bookworm");
  EXPECT_EQ(release_for("13"), "trixie");
  EXPECT_EQ(release_for("3.19"), "");
  EXPECT_GT(severity_rank("high"), severity_rank("medium"));
  EXPECT_GT(severity_rank("low"), severity_rank("not yet assigned"));
  EXPECT_EQ(severity_rank("unimportant"), 0);
}

}  // namespace
}  // namespace pare::scan
