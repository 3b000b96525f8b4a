// Push, pull, copy and their failure handling, against the in-memory registry
// (tests/support/fake_registry.h): what goes over the wire is asserted request by request.
#include <gtest/gtest.h>

#include "oci/copy.h"
#include "registry/image_io.h"
#include "registry/push.h"
#include "registry/referrers.h"
#include "registry_test_util.h"

namespace pare::registry {
namespace {

using testing::Harness;
using testing::TempLayout;
namespace stdfs = std::filesystem;

Reference repo(const Harness& h, const std::string& name) {
  return Reference{h.fake.host, name, "", ""};
}

std::unique_ptr<oci::ImageSource> layout_source(const TempLayout& layout) {
  auto s = oci::open_local_source(oci::LocalRef{oci::LocalRef::Kind::layout, layout.dir(), ""});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message());
  return std::move(s.value());
}

struct Family {
  TempLayout layout;
  oci::Descriptor app, tool;
  Family() {
    app = layout.add_image({"base layer", "app layer"});
    tool = layout.add_image({"base layer", "tool layer"});
    layout.write_index({{"app:latest", app}, {"tool:latest", tool}});
  }
};

TEST(Push, EveryTagThenARepushThatSendsNothing) {
  Harness h;
  Family f;
  auto source = layout_source(f.layout);
  auto pushed = push_tags(*source, {}, repo(h, "team"), *h.pool, {});
  ASSERT_TRUE(pushed.ok()) << pushed.error().message();
  ASSERT_EQ(pushed->size(), 2u);
  EXPECT_EQ((*pushed)[0].reference, h.fake.host + "/team/app:latest");
  EXPECT_EQ((*pushed)[1].reference, h.fake.host + "/team/tool:latest");
  EXPECT_EQ((*pushed)[0].digest, f.app.digest);
  EXPECT_EQ(h.fake.repos["team/app"]["latest"], f.app.digest);
  // The shared base layer (and the config, equal in both) went up once and were mounted
  // into the second repository.
  EXPECT_EQ((*pushed)[1].blobs_mounted, 2u);
  EXPECT_EQ((*pushed)[1].blobs_uploaded, 1u);
  EXPECT_EQ(h.fake.count("POST", "mount="), 2u);

  size_t puts = h.fake.count("PUT", "/blobs/uploads/");
  auto again = push_tags(*source, {}, repo(h, "team"), *h.pool, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(h.fake.count("PUT", "/blobs/uploads/"), puts);
  EXPECT_EQ((*again)[0].blobs_uploaded + (*again)[1].blobs_uploaded, 0u);
}

TEST(Push, OneImageOfSeveralTagsGoesToTheRepositoryItself) {
  Harness h;
  TempLayout layout;
  auto a = layout.add_image({"x"});
  auto b = layout.add_image({"y"});
  layout.write_index({{"python3:latest", a}, {"python3:nonroot", b}});
  auto source = layout_source(layout);
  auto pushed = push_tags(*source, {}, repo(h, "team/python3"), *h.pool, {});
  ASSERT_TRUE(pushed.ok()) << pushed.error().message();
  EXPECT_EQ((*pushed)[1].reference, h.fake.host + "/team/python3:nonroot");
}

// The tags of one repository share most blobs (a family's latest, nonroot, debug...): a blob
// this run uploaded, mounted or found there is not asked about again.
TEST(Push, ABlobSeenInARepositoryIsNotAskedAboutAgain) {
  Harness h;
  TempLayout layout;
  auto a = layout.add_image({"shared base", "x"});
  auto b = layout.add_image({"shared base", "y"});
  layout.write_index({{"python3:latest", a}, {"python3:nonroot", b}});
  auto source = layout_source(layout);
  auto pushed = push_tags(*source, {}, repo(h, "team/python3"), *h.pool, {});
  ASSERT_TRUE(pushed.ok()) << pushed.error().message();
  std::string shared = "/blobs/sha256:" + sha256_hex("shared base");
  EXPECT_EQ(h.fake.count("HEAD", shared), 1u) << "asked once, for the first tag";
  EXPECT_EQ(h.fake.count("HEAD", "/blobs/sha256:" + sha256_hex("y")), 1u);
  EXPECT_EQ((*pushed)[1].blobs_present, 2u) << "the shared layer and the equal config";
  EXPECT_EQ(h.fake.repos["team/python3"]["nonroot"], b.digest);
}

TEST(Push, ChunkedUploadResumesFromTheOffsetTheRegistryHas) {
  Harness h;
  TempLayout layout;
  std::string big(100, 'z');
  for (int i = 0; i < 100; ++i) big[i] = static_cast<char>('a' + i % 26);
  auto image = layout.add_image({big});
  layout.write_index({{"big:latest", image}});
  // The second chunk's connection drops after the registry kept 5 of its bytes.
  h.fake.faults.push_back(
      {[n = 0](const http::Request& r) mutable { return r.method == "PATCH" && ++n == 2; }, 0, 5,
       "", 1});
  PushOptions options;
  options.upload.monolithic_max = 10;
  options.upload.chunk_size = 30;
  auto source = layout_source(layout);
  auto pushed = push_tags(*source, {}, repo(h, "team/big"), *h.pool, options);
  ASSERT_TRUE(pushed.ok()) << pushed.error().message();
  std::string layer_digest = "sha256:" + sha256_hex(big);
  EXPECT_EQ(h.fake.blobs[layer_digest], big);
  EXPECT_EQ(h.fake.count("GET", "/blobs/uploads/"), 1u);  // asked where to resume
  EXPECT_GE(h.fake.count("PATCH", "/blobs/uploads/"), 5u);
}

TEST(Push, RetriesServerErrorsAndHonoursRetryAfter) {
  Harness h;
  TempLayout layout;
  auto image = layout.add_image({"layer"});
  layout.write_index({{"app:latest", image}});
  h.fake.faults.push_back(
      {[](const http::Request& r) { return r.method == "HEAD"; }, 503, 0, "", 2});
  h.fake.faults.push_back(
      {[](const http::Request& r) { return r.method == "POST"; }, 429, 0, "3", 1});
  auto source = layout_source(layout);
  auto pushed = push_tags(*source, {}, repo(h, "team/app"), *h.pool, {});
  ASSERT_TRUE(pushed.ok()) << pushed.error().message();
  EXPECT_EQ(h.sleeps.size(), 3u);
  bool honoured = false;
  for (auto d : h.sleeps) honoured = honoured || d == std::chrono::seconds(3);
  EXPECT_TRUE(honoured);
}

TEST(Push, GivesUpAfterBoundedRetries) {
  Harness h;
  TempLayout layout;
  auto image = layout.add_image({"layer"});
  layout.write_index({{"app:latest", image}});
  h.fake.faults.push_back({[](const http::Request&) { return true; }, 500, 0, "", 1000});
  auto source = layout_source(layout);
  auto pushed = push_tags(*source, {}, repo(h, "team/app"), *h.pool, {});
  ASSERT_FALSE(pushed.ok());
  EXPECT_EQ(pushed.error().code(), Errc::network);
  EXPECT_EQ(pushed.error().exit_code(), 4);
  EXPECT_LE(h.sleeps.size(), 6u);
  for (auto d : h.sleeps) EXPECT_LE(d, std::chrono::milliseconds(5000));
}

TEST(Auth, BearerTokenFetchedOncePerScopeSet) {
  Harness h;
  h.fake.auth = "bearer";
  Family f;
  auto source = layout_source(f.layout);
  ASSERT_TRUE(push_tags(*source, {"app:latest"}, repo(h, "team/app"), *h.pool, {}).ok());
  // pull (HEAD checks) and pull,push (uploads, manifests): two scope sets, two tokens.
  EXPECT_EQ(h.fake.token_requests, 2);
}

TEST(Auth, WrongPasswordNamesWhereItCameFrom) {
  Harness h;
  h.fake.auth = "basic";
  h.given_password = "wrong-password";
  Family f;
  auto source = layout_source(f.layout);
  auto r = push_tags(*source, {"app:latest"}, repo(h, "team/app"), *h.pool, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("refused the credentials from $PARE_REGISTRY_USERNAME"),
            std::string::npos)
      << r.error().message();
  EXPECT_EQ(r.error().message().find("wrong-password"), std::string::npos);  // never shown
}

TEST(Auth, NoCredentialsSaysWhereTheyWereLookedFor) {
  Harness h;
  h.fake.auth = "basic";
  h.with_credentials = false;
  Family f;
  auto source = layout_source(f.layout);
  auto r = push_tags(*source, {"app:latest"}, repo(h, "team/app"), *h.pool, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("requires credentials; none were found in"), std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("pare login"), std::string::npos);
}

struct Pulled {
  Pulled() { stdfs::remove_all(dest_parent.dir() / "blobs"); }
  TempLayout dest_parent;
  stdfs::path dir() const { return dest_parent.dir() / "pulled"; }
};

Result<oci::CopyResult> pull(Harness& h, const std::string& ref_text, const stdfs::path& dest,
                             const oci::CopyOptions& options = {}) {
  PARE_TRY(ImageRef ref, parse_image_ref("docker://" + ref_text, {}));
  PARE_TRY(auto source, open_source(*h.pool, ref));
  PARE_TRY(oci::Descriptor root, source->resolve(""));
  PARE_TRY(auto destination, oci::open_layout_destination(dest));
  PARE_TRY(oci::CopyResult r, oci::copy_image(*source, root, *destination, {"x:y"}, options));
  PARE_CHECK(destination->commit());
  return r;
}

TEST(Pull, ByTagAndDigestAndOnePlatformOfAnIndex) {
  Harness h;
  TempLayout layout;
  auto amd = layout.add_image({"amd layer"}, "amd64");
  auto arm = layout.add_image({"arm layer"}, "arm64");
  auto index = layout.add_index({amd, arm});
  layout.write_index({{"multi:latest", index}});
  auto source = layout_source(layout);
  ASSERT_TRUE(push_tags(*source, {}, repo(h, "team/multi"), *h.pool, {}).ok());

  Pulled all, one, by_digest;
  auto r = pull(h, h.fake.host + "/team/multi:latest", all.dir());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->root.digest, index.digest);
  EXPECT_TRUE(fs::exists(all.dir() / "blobs/sha256" / amd.digest.substr(7)));

  oci::CopyOptions arm_only;
  arm_only.platform = oci::Platform{"linux", "arm64", ""};
  r = pull(h, h.fake.host + "/team/multi:latest", one.dir(), arm_only);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->root.digest, arm.digest);
  EXPECT_FALSE(fs::exists(one.dir() / "blobs/sha256" / amd.digest.substr(7)));

  r = pull(h, h.fake.host + "/team/multi@" + arm.digest, by_digest.dir());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->root.digest, arm.digest);
}

TEST(Pull, AChangedBlobIsRefusedAndNothingIsWritten) {
  Harness h;
  TempLayout layout;
  auto image = layout.add_image({"good bytes"});
  layout.write_index({{"app:latest", image}});
  auto source = layout_source(layout);
  ASSERT_TRUE(push_tags(*source, {}, repo(h, "team/app"), *h.pool, {}).ok());
  std::string layer = "sha256:" + sha256_hex("good bytes");
  h.fake.blobs[layer] = "evil bytes";
  Pulled p;
  auto r = pull(h, h.fake.host + "/team/app:latest", p.dir());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::integrity);
  EXPECT_EQ(r.error().exit_code(), 5);
  EXPECT_FALSE(fs::exists(p.dir()));
  for (const auto& e : stdfs::directory_iterator(p.dest_parent.dir()))
    ADD_FAILURE() << "left behind: " << e.path();
}

TEST(Pull, RedirectsToBlobStorageDropTheAuthorizationHeader) {
  Harness h;
  h.fake.auth = "basic";
  h.fake.blob_redirect_host = "storage.example";
  TempLayout layout;
  auto image = layout.add_image({"layer bytes"});
  layout.write_index({{"app:latest", image}});
  auto source = layout_source(layout);
  ASSERT_TRUE(push_tags(*source, {}, repo(h, "team/app"), *h.pool, {}).ok());
  Pulled p;
  auto r = pull(h, h.fake.host + "/team/app:latest", p.dir());
  ASSERT_TRUE(r.ok()) << r.error().message();
  size_t to_storage = 0;
  for (const auto& l : h.fake.log)
    if (l.url.find("storage.example") != std::string::npos) {
      ++to_storage;
      EXPECT_EQ(l.authorization, "");
    }
  EXPECT_EQ(to_storage, 2u);  // config and layer
}

TEST(Pull, SchemaOneAndHugeManifestsAreRefused) {
  Harness h;
  h.fake.manifests["sha256:" + sha256_hex(R"({"schemaVersion":1})")] = {
      "application/vnd.docker.distribution.manifest.v1+prettyjws", R"({"schemaVersion":1})"};
  h.fake.repos["old/app"]["latest"] = "sha256:" + sha256_hex(R"({"schemaVersion":1})");
  Pulled p;
  auto r = pull(h, h.fake.host + "/old/app:latest", p.dir());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("schema 1"), std::string::npos) << r.error().message();

  std::string huge = R"({"schemaVersion":2,"x":")" + std::string(5 << 20, 'a') + "\"}";
  h.fake.manifests["sha256:" + sha256_hex(huge)] = {oci::media::kOciManifest, huge};
  h.fake.repos["big/app"]["latest"] = "sha256:" + sha256_hex(huge);
  r = pull(h, h.fake.host + "/big/app:latest", p.dir());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("4 MiB"), std::string::npos) << r.error().message();
}

TEST(Referrers, FallbackTagWithoutTheApiAndTheApiWhereThereIsOne) {
  for (bool api : {false, true}) {
    Harness h;
    h.fake.referrers_api = api;
    TempLayout layout;
    auto image = layout.add_image({"layer"});
    layout.write_index({{"app:latest", image}});
    auto source = layout_source(layout);
    ASSERT_TRUE(push_tags(*source, {}, repo(h, "team/app"), *h.pool, {}).ok());
    Repository r(h.pool->get(h.fake.host), "team/app");
    auto sbom = layout.dir() / "sbom.json";
    ASSERT_TRUE(fs::write_file_atomic(sbom, R"({"spdxVersion":"SPDX-2.3"})").ok());
    auto artifact =
        push_artifact(r, image, "application/spdx+json", {{sbom, "application/spdx+json"}}, {});
    ASSERT_TRUE(artifact.ok()) << artifact.error().message();
    EXPECT_EQ(h.fake.repos["team/app"].count(referrers_tag(image.digest)), api ? 0u : 1u);
    auto list = list_referrers(r, image.digest, "application/spdx+json");
    ASSERT_TRUE(list.ok()) << list.error().message();
    ASSERT_EQ(list->size(), 1u) << "api=" << api;
    EXPECT_EQ((*list)[0].digest, artifact->digest);
    auto none = list_referrers(r, image.digest, "application/vnd.cyclonedx+json");
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->empty());
  }
}

TEST(MapTags, RulesAndErrors) {
  Reference dest{"r.example", "team", "", ""};
  auto one = map_tags({"python3:latest", "python3:nonroot"}, dest);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ((*one)[0].target.str(), "r.example/team:latest");
  auto many = map_tags({"base:latest", "python3:nonroot"}, dest);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ((*many)[1].target.str(), "r.example/team/python3:nonroot");
  Reference tagged{"r.example", "team/app", "v1", ""};
  EXPECT_FALSE(map_tags({"a:latest", "a:nonroot"}, tagged).ok());
  auto single = map_tags({"a:latest"}, tagged);
  ASSERT_TRUE(single.ok());
  EXPECT_EQ((*single)[0].target.str(), "r.example/team/app:v1");
  EXPECT_FALSE(map_tags({}, dest).ok());
}

}  // namespace
}  // namespace pare::registry

namespace pare::registry {
namespace {

TEST(Endpoint, PlainHttpOnlyForLoopbackOrInsecureRegistries) {
  pare::testing::FakeRegistry fake;  // answers https with plain HTTP
  ClientOptions options;
  options.certs_dirs.clear();
  CredentialEnv env;
  env.getenv = [](const char*) { return std::string(); };
  Registry remote(fake.host, fake, env, options);
  auto r = remote.url("/v2/");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("--insecure-registry " + fake.host), std::string::npos)
      << r.error().message();
  EXPECT_EQ(r.error().exit_code(), 4);
  options.insecure_registries = {fake.host};
  Registry allowed(fake.host, fake, env, options);
  EXPECT_EQ(*allowed.url("/v2/"), "http://" + fake.host + "/v2/");
  EXPECT_TRUE(is_loopback_host("127.0.0.1:5000"));
  EXPECT_TRUE(is_loopback_host("[::1]:5000"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_FALSE(is_loopback_host("127.example:5000"));
  EXPECT_FALSE(is_loopback_host("10.0.0.1"));
}

}  // namespace
}  // namespace pare::registry

namespace pare::registry {
namespace {

using testing::Harness;
using testing::TempLayout;
namespace stdfs = std::filesystem;

// What a hostile or flaky registry does (the review of session 7's registry client).
struct Pushed1 {
  Harness h;
  TempLayout layout;
  oci::Descriptor image;
  explicit Pushed1(const std::string& layer = "layer bytes", const std::string& arch = "amd64") {
    image = layout.add_image({layer}, arch);
    layout.write_index({{"app:latest", image}});
    auto source =
        oci::open_local_source(oci::LocalRef{oci::LocalRef::Kind::layout, layout.dir(), ""});
    EXPECT_TRUE(
        push_tags(**source, {}, Reference{h.fake.host, "team/app", "", ""}, *h.pool, {}).ok());
  }
  Result<oci::CopyResult> pull(const std::string& ref, const oci::CopyOptions& options = {}) {
    stdfs::remove_all(layout.dir() / "out");
    PARE_TRY(ImageRef r, parse_image_ref("docker://" + h.fake.host + "/team/app" + ref, {}));
    PARE_TRY(auto source, open_source(*h.pool, r));
    PARE_TRY(oci::Descriptor root, source->resolve(""));
    PARE_TRY(auto dest, oci::open_layout_destination(layout.dir() / "out"));
    PARE_TRY(oci::CopyResult c, oci::copy_image(*source, root, *dest, {"x"}, options));
    PARE_CHECK(dest->commit());
    return c;
  }
};

TEST(Hostile, DigestsOtherThanSha256AreRefusedNotTrusted) {
  Pushed1 p;
  auto r = p.pull("@sha512:" + std::string(128, '0'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::unsupported) << r.error().message();
}

TEST(Hostile, ABlobDownloadThatBreaksOffStartsAgain) {
  Pushed1 p;
  p.h.fake.faults.push_back({[](const http::Request& r) {
                               return r.method == "GET" &&
                                      r.url.find("/blobs/") != std::string::npos;
                             },
                             0, 0, "", 1});
  auto r = p.pull(":latest");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(fs::exists(p.layout.dir() / "out/index.json"));
}

TEST(Hostile, AnImageOfAnotherPlatformIsNotTakenForTheOneAskedFor) {
  Pushed1 p("x", "amd64");
  oci::CopyOptions arm;
  arm.platform = oci::Platform{"linux", "arm64", ""};
  auto r = p.pull(":latest", arm);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("linux/amd64"), std::string::npos) << r.error().message();
}

TEST(Hostile, AFirstChunkThatFailsResumesFromAnEmptySession) {
  Harness h;
  TempLayout layout;
  std::string big(100, 'q');
  auto image = layout.add_image({big});
  layout.write_index({{"big:latest", image}});
  // The first PATCH answers 503 with nothing kept: the session reports "0-0" (empty).
  h.fake.faults.push_back(
      {[](const http::Request& r) { return r.method == "PATCH"; }, 503, 0, "", 1});
  PushOptions options;
  options.upload.monolithic_max = 10;
  options.upload.chunk_size = 40;
  auto source =
      oci::open_local_source(oci::LocalRef{oci::LocalRef::Kind::layout, layout.dir(), ""});
  auto pushed =
      push_tags(**source, {}, Reference{h.fake.host, "team/big", "", ""}, *h.pool, options);
  ASSERT_TRUE(pushed.ok()) << pushed.error().message();
  EXPECT_EQ(h.fake.blobs["sha256:" + sha256_hex(big)], big);
}

TEST(Hostile, ADigestSourceNeedsADestinationTag) {
  auto r = map_tags({"sha256:" + std::string(64, 'a')}, Reference{"r.example", "team/app", "", ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find(":TAG"), std::string::npos);
}

}  // namespace
}  // namespace pare::registry
