#include "deb/index.h"

#include <gtest/gtest.h>

#include <future>

#include "deb/release.h"
#include "deb/stanza_index.h"
#include "gpg_fixture.h"
#include "support/fake_http.h"
#include "test_helpers.h"
#include "util/checked.h"
#include "util/sha256.h"

using namespace pare;
using namespace pare::deb;
using pare::testing::FakeHttp;
using pare::testing::GpgKey;
using pare::testing::ScratchDir;

namespace {

constexpr int64_t kNow = 1707555942;  // Sat, 10 Feb 2024 09:05:42 UTC

// A small signed Debian-style archive served by a FakeHttp.
struct FakeArchive {
  std::string mirror = "http://archive.test/debian";
  std::string suite = "testsuite";
  std::string main_packages = "Package: a\nVersion: 1.0\n\nPackage: b\nVersion: 2.0\n";
  std::string contrib_packages = "Package: c\nVersion: 3.0\n";
  bool by_hash = true;
  bool publish_by_hash_files = true;
  std::string valid_until = "Sat, 17 Feb 2024 09:05:42 UTC";
  std::string plain_main_sha_override;  // lie about the plain Packages hash
  std::string arm64_main_packages;      // when set, arm64 is published too (main only)

  std::string base() const { return mirror + "/dists/" + suite; }
  std::string url(const std::string& rel) const { return base() + "/" + rel; }
  std::string by_hash_url(const std::string& dir, const std::string& body) const {
    return base() + "/" + dir + "/by-hash/SHA256/" + sha256_hex(body);
  }

  std::string main_xz, contrib_gz;

  // Puts InRelease and the index files into http.bodies.
  void publish(FakeHttp& http) {
    main_xz = pare::testing::compress_with("xz", main_packages);
    contrib_gz = pare::testing::compress_with("gzip -n", contrib_packages);
    std::string release = "Origin: Test\nSuite: " + suite + "\nCodename: " + suite +
                          "\nDate: Sat, 10 Feb 2024 09:05:42 UTC\n";
    if (!valid_until.empty()) release += "Valid-Until: " + valid_until + "\n";
    if (by_hash) release += "Acquire-By-Hash: yes\n";
    release += std::string("Architectures: amd64") + (arm64_main_packages.empty() ? "" : " arm64") +
               "\nComponents: main contrib\nSHA256:\n";
    auto entry = [&](const std::string& body, const std::string& path, std::string sha = "") {
      if (sha.empty()) sha = sha256_hex(body);
      release += " " + sha + " " + std::to_string(body.size()) + " " + path + "\n";
    };
    entry(contrib_packages, "contrib/binary-amd64/Packages");
    entry(contrib_gz, "contrib/binary-amd64/Packages.gz");
    entry(main_packages, "main/binary-amd64/Packages", plain_main_sha_override);
    entry(main_xz, "main/binary-amd64/Packages.xz");
    if (!arm64_main_packages.empty()) {
      std::string arm64_gz = pare::testing::compress_with("gzip -n", arm64_main_packages);
      entry(arm64_gz, "main/binary-arm64/Packages.gz");
      http.bodies[url("main/binary-arm64/Packages.gz")] = arm64_gz;
      http.bodies[by_hash_url("main/binary-arm64", arm64_gz)] = arm64_gz;
    }
    http.bodies[url("InRelease")] = GpgKey::shared().clearsign(release);
    http.bodies[url("main/binary-amd64/Packages.xz")] = main_xz;
    http.bodies[url("contrib/binary-amd64/Packages.gz")] = contrib_gz;
    if (publish_by_hash_files) {
      http.bodies[by_hash_url("main/binary-amd64", main_xz)] = main_xz;
      http.bodies[by_hash_url("contrib/binary-amd64", contrib_gz)] = contrib_gz;
    }
  }

  IndexRequest request(std::vector<std::string> components = {"main", "contrib"}) const {
    return IndexRequest{
        mirror + "/", suite, std::move(components), {"amd64"}, GpgKey::shared().keyring()};
  }
};

class Index : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!GpgKey::available() || !pare::testing::have_program("xz") ||
        !pare::testing::have_program("gzip"))
      GTEST_SKIP() << "needs gpg, xz and gzip";
  }
  IndexFetcher fetcher(FakeHttp& http, bool offline = false, int64_t now = kNow) {
    return IndexFetcher(http, cache.path(), offline, [now] { return now; });
  }
  ScratchDir cache;
  FakeArchive archive;
  FakeHttp http;
};

TEST_F(Index, HappyPath) {
  archive.publish(http);
  auto r = fetcher(http).fetch(archive.request());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->release.suite, "testsuite");
  ASSERT_EQ(r->packages.size(), 2u);
  const PackagesIndex& main = r->packages[0];
  EXPECT_EQ(main.mirror, archive.mirror);  // trailing '/' removed
  EXPECT_EQ(main.suite, "testsuite");
  EXPECT_EQ(main.component, "main");
  EXPECT_EQ(main.arch, "amd64");
  EXPECT_EQ(pare::testing::read_bytes(main.file), archive.main_packages);
  EXPECT_EQ(main.sha256, sha256_hex(archive.main_packages));
  EXPECT_EQ(main.file, cache.path() / "indexes" / (sha256_hex(archive.main_xz) + ".Packages"));
  const PackagesIndex& contrib = r->packages[1];
  EXPECT_EQ(contrib.component, "contrib");
  EXPECT_EQ(pare::testing::read_bytes(contrib.file), archive.contrib_packages);
  EXPECT_EQ(contrib.sha256, sha256_hex(archive.contrib_packages));
}

TEST_F(Index, EachFetchedPackagesFileComesWithItsStanzaIndex) {
  archive.publish(http);
  auto r = fetcher(http).fetch(archive.request());
  ASSERT_TRUE(r.ok()) << r.error().message();
  for (const PackagesIndex& p : r->packages) {
    std::string text = pare::testing::read_bytes(p.file);
    auto file = stanza_cache_file(stanza_cache_dir(cache.path()), p.sha256);
    auto record = fs::read_checked(file);
    ASSERT_EQ(fs::CheckedState::ok, record.state) << file;
    auto loaded = StanzaIndex::load(record.payload, text);
    ASSERT_TRUE(loaded.ok()) << file << ": " << loaded.error().message();
    EXPECT_EQ(loaded->serialize(), StanzaIndex::build(text).serialize()) << p.component;
  }
  ASSERT_EQ(StanzaIndex::load(fs::read_checked(stanza_cache_file(stanza_cache_dir(cache.path()),
                                                                 r->packages[0].sha256))
                                  .payload,
                              archive.main_packages)
                ->lookup("b")
                .size(),
            1u);
}

TEST_F(Index, ByHashIsUsedWhenTheReleaseSaysSo) {
  archive.publish(http);
  ASSERT_TRUE(fetcher(http).fetch(archive.request()).ok());
  EXPECT_EQ(http.hits[archive.by_hash_url("main/binary-amd64", archive.main_xz)], 1);
  EXPECT_EQ(http.hits.count(archive.url("main/binary-amd64/Packages.xz")), 0u);
}

TEST_F(Index, ByHashFallsBackToThePlainPath) {
  archive.publish_by_hash_files = false;
  archive.publish(http);
  auto r = fetcher(http).fetch(archive.request());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(http.hits[archive.url("main/binary-amd64/Packages.xz")], 1);
}

TEST_F(Index, WithoutByHashThePlainPathIsUsed) {
  archive.by_hash = false;
  archive.publish(http);
  ASSERT_TRUE(fetcher(http).fetch(archive.request()).ok());
  EXPECT_EQ(http.hits[archive.url("main/binary-amd64/Packages.xz")], 1);
  EXPECT_EQ(http.hits.count(archive.by_hash_url("main/binary-amd64", archive.main_xz)), 0u);
}

TEST_F(Index, SecondFetchDoesNotDownloadPackagesAgain) {
  archive.publish(http);
  auto first = fetcher(http).fetch(archive.request());
  ASSERT_TRUE(first.ok()) << first.error().message();
  auto second = fetcher(http).fetch(archive.request());
  ASSERT_TRUE(second.ok()) << second.error().message();
  EXPECT_EQ(http.hits[archive.url("InRelease")], 2);  // always checked for updates
  EXPECT_EQ(http.hits[archive.by_hash_url("main/binary-amd64", archive.main_xz)], 1);
  EXPECT_EQ(http.hits[archive.by_hash_url("contrib/binary-amd64", archive.contrib_gz)], 1);
  EXPECT_EQ(second->packages[0].sha256, first->packages[0].sha256);
  EXPECT_EQ(second->packages[1].sha256, sha256_hex(archive.contrib_packages));
}

TEST_F(Index, TamperedInReleaseIsRejected) {
  archive.publish(http);
  std::string& inrelease = http.bodies[archive.url("InRelease")];
  size_t pos = inrelease.find("Suite: testsuite");
  ASSERT_NE(pos, std::string::npos);
  inrelease[pos + 7] = 'T';
  auto r = fetcher(http).fetch(archive.request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::signature);
  EXPECT_NE(r.error().message().find("InRelease signature is invalid"), std::string::npos);
  // Nothing unverified was cached.
  auto offline = fetcher(http, true).fetch(archive.request());
  ASSERT_FALSE(offline.ok());
  EXPECT_EQ(offline.error().code(), Errc::offline);
}

// The Packages files are fetched while the signature is checked, from what
// the unverified text says: a forged hash there fetches the forger's file,
// which must neither be returned nor reach the cache.
TEST_F(Index, ForgedHashInAnUnverifiedInReleaseCachesNothing) {
  archive.publish(http);
  std::string evil = pare::testing::compress_with("xz", "Package: evil\nVersion: 6.6.6\n");
  std::string& inrelease = http.bodies[archive.url("InRelease")];
  std::string good_line =
      sha256_hex(archive.main_xz) + " " + std::to_string(archive.main_xz.size());
  size_t pos = inrelease.find(good_line);
  ASSERT_NE(pos, std::string::npos);
  inrelease.replace(pos, good_line.size(), sha256_hex(evil) + " " + std::to_string(evil.size()));
  http.bodies[archive.by_hash_url("main/binary-amd64", evil)] = evil;
  auto r = fetcher(http).fetch(archive.request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::signature);
  EXPECT_EQ(http.hits[archive.by_hash_url("main/binary-amd64", evil)], 1) << "fetched early";
  for (const auto& e : std::filesystem::recursive_directory_iterator(cache.path())) {
    EXPECT_NE(e.path().extension(), ".Packages") << e.path();
    EXPECT_NE(e.path().extension(), ".stanzas") << e.path();
  }
}

TEST_F(Index, UnverifiedSizesBeyondTheLimitAreNotFetchedEarly) {
  archive.publish(http);
  std::string& inrelease = http.bodies[archive.url("InRelease")];
  std::string plain = sha256_hex(archive.main_packages) + " " +
                      std::to_string(archive.main_packages.size()) +
                      " main/binary-amd64/Packages\n";
  size_t pos = inrelease.find(plain);
  ASSERT_NE(pos, std::string::npos);
  inrelease.replace(pos, plain.size(),
                    sha256_hex(archive.main_packages) + " 2147483648 main/binary-amd64/Packages\n");
  auto r = fetcher(http).fetch(archive.request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::signature);
  EXPECT_EQ(http.hits[archive.by_hash_url("main/binary-amd64", archive.main_xz)], 0);
  EXPECT_EQ(http.hits[archive.by_hash_url("contrib/binary-amd64", archive.contrib_gz)], 1);
}

TEST_F(Index, AFailedEarlyDownloadIsNotRepeated) {
  archive.publish(http);
  std::string url = archive.by_hash_url("main/binary-amd64", archive.main_xz);
  http.failures[url] = Errc::network;
  auto r = fetcher(http).fetch(archive.request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::network);
  EXPECT_EQ(http.hits[url], 1) << "the client retries; the fetcher does not ask again";
}

TEST_F(Index, SuitesCanBeFetchedFromSeveralThreadsAtOnce) {
  FakeArchive other = archive;
  other.suite = "othersuite";
  other.main_packages = "Package: z\nVersion: 9\n";
  archive.publish(http);
  other.publish(http);
  IndexFetcher shared = fetcher(http);
  auto a = std::async(std::launch::async, [&] { return shared.fetch(archive.request()); });
  auto b = std::async(std::launch::async, [&] { return shared.fetch(other.request()); });
  auto ra = a.get(), rb = b.get();
  ASSERT_TRUE(ra.ok()) << ra.error().message();
  ASSERT_TRUE(rb.ok()) << rb.error().message();
  EXPECT_EQ(pare::testing::read_bytes(ra->packages[0].file), archive.main_packages);
  EXPECT_EQ(pare::testing::read_bytes(rb->packages[0].file), other.main_packages);
}

TEST_F(Index, OneInReleaseServesEveryArchitecture) {
  archive.arm64_main_packages = "Package: a\nArchitecture: arm64\nVersion: 1.0\n";
  archive.publish(http);
  IndexRequest req = archive.request({"main"});
  req.archs = {"arm64", "amd64"};
  auto r = fetcher(http).fetch(req);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(http.hits[archive.url("InRelease")], 1);
  ASSERT_EQ(r->packages.size(), 2u);  // in the request's order of architectures
  EXPECT_EQ(r->packages[0].arch, "arm64");
  EXPECT_EQ(pare::testing::read_bytes(r->packages[0].file), archive.arm64_main_packages);
  EXPECT_EQ(r->packages[1].arch, "amd64");
  EXPECT_EQ(pare::testing::read_bytes(r->packages[1].file), archive.main_packages);
  EXPECT_TRUE(r->unavailable.empty());
  // Each Packages file once: what was fetched before verification is what is used.
  for (const auto& [url, hits] : http.hits) {
    if (url.find("/binary-") != std::string::npos) {
      EXPECT_EQ(hits, 1) << url;
    }
  }
  EXPECT_EQ(http.hits.size(), 3u) << "InRelease and one Packages file per architecture";
}

TEST_F(Index, AnArchitectureTheSuiteLacksIsReportedApart) {
  archive.publish(http);  // amd64 only
  IndexRequest req = archive.request();
  req.archs = {"amd64", "arm64"};
  auto r = fetcher(http).fetch(req);
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->packages.size(), 2u);
  for (const auto& p : r->packages) EXPECT_EQ(p.arch, "amd64");
  ASSERT_EQ(r->unavailable.count("arm64"), 1u);
  EXPECT_EQ(r->unavailable.at("arm64").code(), Errc::not_found);
  EXPECT_NE(r->unavailable.at("arm64").message().find("arm64"), std::string::npos);
  // Lacking every architecture asked for is the error itself.
  req.archs = {"arm64"};
  auto none = fetcher(http).fetch(req);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), Errc::not_found);
}

TEST_F(Index, InReleaseSignedByAnotherKeyIsRejected) {
  archive.publish(http);
  IndexRequest req = archive.request();
  req.keyring = GpgKey::other().keyring();
  auto r = fetcher(http).fetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::signature);
  EXPECT_NE(r.error().message().find(GpgKey::shared().key_id()), std::string::npos)
      << r.error().message();
}

TEST_F(Index, PackagesHashMismatchIsRejected) {
  archive.publish(http);
  std::string url = archive.by_hash_url("main/binary-amd64", archive.main_xz);
  std::string evil = pare::testing::compress_with("xz", "Package: evil\n");
  http.bodies[url] = evil;
  auto r = fetcher(http).fetch(archive.request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::integrity);
  EXPECT_NE(r.error().message().find(url), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find(sha256_hex(archive.main_xz)), std::string::npos);
  EXPECT_NE(r.error().message().find(sha256_hex(evil)), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(cache.path() / "indexes" /
                                       (sha256_hex(archive.main_xz) + ".Packages")));
}

TEST_F(Index, DecompressedContentMustMatchThePlainEntry) {
  archive.plain_main_sha_override = std::string(64, 'a');
  archive.publish(http);
  auto r = fetcher(http).fetch(archive.request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::integrity);
}

TEST_F(Index, OfflineWithEmptyCacheFails) {
  archive.publish(http);
  auto r = fetcher(http, true).fetch(archive.request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::offline);
  EXPECT_NE(r.error().message().find(archive.url("InRelease")), std::string::npos);
  EXPECT_TRUE(http.hits.empty());
}

TEST_F(Index, OfflineAfterAFetchWorksWithoutNetwork) {
  archive.publish(http);
  auto online = fetcher(http).fetch(archive.request());
  ASSERT_TRUE(online.ok()) << online.error().message();
  FakeHttp no_network;
  auto offline = fetcher(no_network, true).fetch(archive.request());
  ASSERT_TRUE(offline.ok()) << offline.error().message();
  EXPECT_TRUE(no_network.hits.empty());
  ASSERT_EQ(offline->packages.size(), 2u);
  EXPECT_EQ(offline->packages[0].file, online->packages[0].file);
  EXPECT_EQ(offline->packages[0].sha256, online->packages[0].sha256);
  EXPECT_EQ(offline->release.codename, "testsuite");
}

TEST_F(Index, OfflineNamesTheMissingPackagesFile) {
  archive.publish(http);
  ASSERT_TRUE(fetcher(http).fetch(archive.request({"main"})).ok());
  FakeHttp no_network;
  auto r = fetcher(no_network, true).fetch(archive.request({"main", "contrib"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::offline);
  EXPECT_NE(r.error().message().find("contrib/binary-amd64/Packages.gz"), std::string::npos)
      << r.error().message();
}

TEST_F(Index, OfflineReverifiesTheCachedInRelease) {
  archive.publish(http);
  ASSERT_TRUE(fetcher(http).fetch(archive.request()).ok());
  IndexRequest req = archive.request();
  req.keyring = GpgKey::other().keyring();
  FakeHttp no_network;
  auto r = fetcher(no_network, true).fetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::signature);
}

TEST_F(Index, MissingSuiteIsNotFoundNamingTheUrl) {
  archive.publish(http);
  IndexRequest req = archive.request();
  req.suite = "nosuchsuite";
  auto r = fetcher(http).fetch(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::not_found);
  EXPECT_NE(r.error().message().find(archive.mirror + "/dists/nosuchsuite/InRelease"),
            std::string::npos)
      << r.error().message();
}

TEST_F(Index, MissingComponentOrArchitectureIsNotFound) {
  archive.publish(http);
  auto r = fetcher(http).fetch(archive.request({"main", "non-free"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::not_found);
  EXPECT_NE(r.error().message().find("non-free"), std::string::npos);
  IndexRequest req = archive.request();
  req.archs = {"riscv64"};
  EXPECT_EQ(fetcher(http).fetch(req).error().code(), Errc::not_found);
}

TEST_F(Index, ExpiredReleaseIsRejected) {
  archive.publish(http);
  const int64_t after = kNow + 8 * 86400;  // a day past Valid-Until
  auto r = fetcher(http, false, after).fetch(archive.request());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::signature);
  EXPECT_NE(r.error().message().find("Release file expired"), std::string::npos);
  EXPECT_TRUE(fetcher(http, false, kNow + 7 * 86400).fetch(archive.request()).ok());
}

TEST_F(Index, NoValidUntilNeverExpires) {
  archive.valid_until.clear();
  archive.publish(http);
  EXPECT_TRUE(fetcher(http, false, kNow + 3650 * 86400).fetch(archive.request()).ok());
}

TEST_F(Index, BadRequestsAreRejected) {
  IndexRequest req = archive.request();
  req.archs = {"../x"};
  EXPECT_EQ(fetcher(http).fetch(req).error().code(), Errc::invalid);
  req.archs = {};
  EXPECT_EQ(fetcher(http).fetch(req).error().code(), Errc::invalid);
  req = archive.request({});
  EXPECT_EQ(fetcher(http).fetch(req).error().code(), Errc::invalid);
  EXPECT_TRUE(http.hits.empty());
}

}  // namespace
