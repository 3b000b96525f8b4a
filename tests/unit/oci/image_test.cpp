#include "oci/image.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "util/sha256.h"

using namespace pare;
using namespace pare::oci;
using nlohmann::json;

namespace {

const std::string kDiffA = "sha256:" + std::string(64, 'a');
const std::string kDiffB = "sha256:" + std::string(64, 'b');

ImageConfig full_config() {
  ImageConfig c;
  c.platform = platform_for_debian_arch("arm64").value();
  c.created = 0;
  c.user = "65532";
  c.working_dir = "/home/nonroot";
  c.entrypoint = {"/usr/bin/python3"};
  c.cmd = {"app.py"};
  c.env = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"};
  c.labels = {{"org.example.b", "2"}, {"org.example.a", "1"}};
  c.exposed_ports = {"8080/tcp"};
  c.volumes = {"/data"};
  c.stop_signal = "SIGTERM";
  c.diff_ids = {kDiffA, kDiffB};
  c.history = {"pare: packages", "pare: files"};
  return c;
}

LayerBlob layer(const std::string& digest, uint64_t size) {
  LayerBlob l;
  l.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
  l.digest = digest;
  l.size = size;
  return l;
}

}  // namespace

TEST(Image, PlatformsForDebianArchitectures) {
  auto check = [](const char* deb, const char* arch, const char* variant) {
    auto p = platform_for_debian_arch(deb);
    ASSERT_TRUE(p.ok()) << deb;
    EXPECT_EQ(p->os, "linux");
    EXPECT_EQ(p->architecture, arch) << deb;
    EXPECT_EQ(p->variant, variant) << deb;
  };
  check("amd64", "amd64", "");
  check("arm64", "arm64", "v8");
  check("armhf", "arm", "v7");
  check("armel", "arm", "v5");
  check("i386", "386", "");
  check("ppc64el", "ppc64le", "");
  check("s390x", "s390x", "");
  check("riscv64", "riscv64", "");
  auto bad = platform_for_debian_arch("vax");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Errc::invalid);
}

TEST(Image, ConfigDocument) {
  std::string expected =
      R"({"architecture":"arm64","config":{"Cmd":["app.py"],"Entrypoint":["/usr/bin/python3"],)"
      R"("Env":["PATH=/usr/bin:/bin","LANG=C.UTF-8"],"ExposedPorts":{"8080/tcp":{}},)"
      R"("Labels":{"org.example.a":"1","org.example.b":"2"},"StopSignal":"SIGTERM","User":"65532",)"
      R"("Volumes":{"/data":{}},"WorkingDir":"/home/nonroot"},"created":"1970-01-01T00:00:00Z",)"
      R"("history":[{"created":"1970-01-01T00:00:00Z","created_by":"pare: packages"},)"
      R"({"created":"1970-01-01T00:00:00Z","created_by":"pare: files"}],"os":"linux",)"
      R"("rootfs":{"diff_ids":[")" +
      kDiffA + R"(",")" + kDiffB + R"("],"type":"layers"},"variant":"v8"})";
  EXPECT_EQ(config_json(full_config()), expected);
}

TEST(Image, ConfigOmitsEmptyFields) {
  ImageConfig c;
  c.platform = platform_for_debian_arch("amd64").value();
  c.created = 1700000000;
  c.diff_ids = {kDiffA};
  EXPECT_EQ(config_json(c),
            R"({"architecture":"amd64","config":{},"created":"2023-11-14T22:13:20Z","os":"linux",)"
            R"("rootfs":{"diff_ids":[")" +
                kDiffA + R"("],"type":"layers"}})");
}

TEST(Image, ManifestDocument) {
  JsonBlob config = make_config_blob(full_config());
  EXPECT_EQ(config.media_type, "application/vnd.oci.image.config.v1+json");
  EXPECT_EQ(config.digest(), "sha256:" + sha256_hex(config.bytes));
  JsonBlob m = make_manifest_blob(config, {layer(kDiffA, 10), layer(kDiffB, 20)},
                                  {{"org.opencontainers.image.title", "python3"}});
  EXPECT_EQ(m.media_type, "application/vnd.oci.image.manifest.v1+json");
  std::string expected =
      R"({"annotations":{"org.opencontainers.image.title":"python3"},"config":{"digest":")" +
      config.digest() + R"(","mediaType":"application/vnd.oci.image.config.v1+json","size":)" +
      std::to_string(config.bytes.size()) + R"(},"layers":[{"digest":")" + kDiffA +
      R"(","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":10},{"digest":")" +
      kDiffB +
      R"(","mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":20}],)"
      R"("mediaType":"application/vnd.oci.image.manifest.v1+json","schemaVersion":2})";
  EXPECT_EQ(m.bytes, expected);
  JsonBlob plain = make_manifest_blob(config, {layer(kDiffA, 10)}, {});
  EXPECT_FALSE(json::parse(plain.bytes).contains("annotations"));
}

TEST(Image, IndexDocument) {
  JsonBlob manifest{"application/vnd.oci.image.manifest.v1+json", "{}"};
  IndexEntry with_platform{manifest,
                           platform_for_debian_arch("armhf").value(),
                           {{"org.opencontainers.image.ref.name", "base:latest"}}};
  IndexEntry bare{manifest, std::nullopt, {}};
  JsonBlob index = make_index_blob({with_platform, bare}, {{"k", "v"}});
  EXPECT_EQ(index.media_type, "application/vnd.oci.image.index.v1+json");
  std::string d = R"("digest":")" + manifest.digest() +
                  R"(","mediaType":"application/vnd.oci.image.manifest.v1+json",)";
  EXPECT_EQ(
      index.bytes,
      R"({"annotations":{"k":"v"},"manifests":[{"annotations":{"org.opencontainers.image.ref.name":)"
      R"("base:latest"},)" +
          d +
          R"("platform":{"architecture":"arm","os":"linux","variant":"v7"},)"
          R"("size":2},{)" +
          d +
          R"("size":2}],"mediaType":"application/vnd.oci.image.index.v1+json",)"
          R"("schemaVersion":2})");
}

TEST(Image, EqualInputsGiveEqualDigests) {
  EXPECT_EQ(make_config_blob(full_config()).digest(), make_config_blob(full_config()).digest());
  ImageConfig other = full_config();
  other.env.push_back("X=1");
  EXPECT_NE(make_config_blob(full_config()).digest(), make_config_blob(other).digest());
  auto m1 = make_manifest_blob(make_config_blob(full_config()), {layer(kDiffA, 1)}, {});
  auto m2 = make_manifest_blob(make_config_blob(full_config()), {layer(kDiffA, 1)}, {});
  auto m3 = make_manifest_blob(make_config_blob(other), {layer(kDiffA, 1)}, {});
  EXPECT_EQ(m1.digest(), m2.digest());
  EXPECT_NE(m1.digest(), m3.digest());
}

TEST(Image, InvalidUtf8DoesNotThrow) {
  ImageConfig c = full_config();
  c.labels["bad"] = std::string("\xff\xfe", 2);
  std::string doc;
  EXPECT_NO_THROW(doc = config_json(c));
  EXPECT_TRUE(json::accept(doc));
}
