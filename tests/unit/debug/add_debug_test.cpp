// debug/add_debug.h: an image's config and manifest rewritten for a busybox layer on top, every
// original layer and setting kept.
#include "debug/add_debug.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "oci/manifest.h"

namespace pare::debug {
namespace {

using json = nlohmann::json;

oci::LayerBlob layer(const std::string& hex, const std::string& type) {
  oci::LayerBlob l;
  l.media_type = type;
  l.digest = "sha256:" + std::string(64, hex[0]);
  l.diff_id = "sha256:" + std::string(64, hex[1]);
  l.size = 100;
  return l;
}

oci::PlatformImage image(const std::string& manifest_type, const std::string& layer_type) {
  oci::PlatformImage i;
  i.platform = {"linux", "amd64", ""};
  i.layers = {layer("ab", layer_type)};
  json config = {{"architecture", "amd64"},
                 {"os", "linux"},
                 {"config",
                  {{"User", "65532"},
                   {"Env", {"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}},
                   {"Entrypoint", {"/usr/bin/python3"}},
                   {"Cmd", {"app.py"}},
                   {"WorkingDir", "/app"}}},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", {i.layers[0].diff_id}}}},
                 {"history", {{{"created_by", "base"}}}}};
  i.config = {oci::media::kOciConfig, config.dump()};
  json manifest = {
      {"schemaVersion", 2},
      {"mediaType", manifest_type},
      {"config",
       {{"mediaType", oci::media::kOciConfig},
        {"digest", i.config.digest()},
        {"size", i.config.bytes.size()}}},
      {"layers", {{{"mediaType", layer_type}, {"digest", i.layers[0].digest}, {"size", 100}}}}};
  i.manifest = {manifest_type, manifest.dump()};
  return i;
}

const char* kOciGzip = "application/vnd.oci.image.layer.v1.tar+gzip";

TEST(AddDebug, AddsTheLayerPathAndShellKeepingEverythingElse) {
  auto in = image(oci::media::kOciManifest, kOciGzip);
  auto busybox = layer("cd", kOciGzip);
  auto out = with_debug_layer(in, busybox, 0).value();
  ASSERT_EQ(out.layers.size(), 2u);
  EXPECT_EQ(out.layers[0].digest, in.layers[0].digest);
  EXPECT_EQ(out.layers[1].digest, busybox.digest);

  json c = json::parse(out.config.bytes);
  EXPECT_EQ(c["rootfs"]["diff_ids"], json({in.layers[0].diff_id, busybox.diff_id}));
  EXPECT_EQ(c["config"]["Entrypoint"], json({"/busybox/sh"}));
  EXPECT_FALSE(c["config"].contains("Cmd"));
  EXPECT_EQ(c["config"]["Env"], json({"PATH=/usr/bin:/bin:/busybox", "LANG=C.UTF-8"}));
  EXPECT_EQ(c["config"]["User"], "65532");
  EXPECT_EQ(c["config"]["WorkingDir"], "/app");
  ASSERT_EQ(c["history"].size(), 2u);
  EXPECT_EQ(c["history"][1]["created_by"], kDebugHistory);
  EXPECT_EQ(c["history"][1]["created"], "1970-01-01T00:00:00Z");

  json m = json::parse(out.manifest.bytes);
  EXPECT_EQ(m["config"]["digest"], out.config.digest());
  EXPECT_EQ(m["config"]["size"], out.config.bytes.size());
  ASSERT_EQ(m["layers"].size(), 2u);
  EXPECT_EQ(m["layers"][1]["digest"], busybox.digest);
  EXPECT_EQ(m["layers"][1]["mediaType"], kOciGzip);
  EXPECT_EQ(m["annotations"]["org.opencontainers.image.base.digest"], in.manifest.digest());
}

TEST(AddDebug, DockerManifestsGetDockersLayerType) {
  auto in = image(oci::media::kDockerManifest, oci::media::kDockerLayerGzip);
  auto out = with_debug_layer(in, layer("cd", kOciGzip), 0).value();
  json m = json::parse(out.manifest.bytes);
  EXPECT_EQ(m["layers"][1]["mediaType"], oci::media::kDockerLayerGzip);
  EXPECT_EQ(out.layers[1].media_type, oci::media::kDockerLayerGzip);
  EXPECT_FALSE(m.contains("annotations"));  // Docker's schema has none
}

TEST(AddDebug, PathIsAddedOnceAndMadeWhenMissing) {
  auto in = image(oci::media::kOciManifest, kOciGzip);
  json c = json::parse(in.config.bytes);
  c["config"].erase("Env");
  in.config.bytes = c.dump();
  auto out = with_debug_layer(in, layer("cd", kOciGzip), 0).value();
  json env = json::parse(out.config.bytes)["config"]["Env"];
  ASSERT_EQ(env.size(), 1u);
  EXPECT_EQ(env[0].get<std::string>().rfind("PATH=/usr/local/sbin:", 0), 0u);
  EXPECT_EQ(env[0].get<std::string>().substr(env[0].get<std::string>().size() - 9), ":/busybox");
}

TEST(AddDebug, RefusesTwiceAndBrokenConfigs) {
  auto in = image(oci::media::kOciManifest, kOciGzip);
  auto busybox = layer("cd", kOciGzip);
  auto once = with_debug_layer(in, busybox, 0).value();
  auto twice = with_debug_layer(once, busybox, 0);
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message().find("already has"), std::string::npos);
  in.config.bytes = R"({"config":{}})";
  EXPECT_FALSE(with_debug_layer(in, busybox, 0));
  in.config.bytes = "[";
  EXPECT_FALSE(with_debug_layer(in, busybox, 0));
}

}  // namespace
}  // namespace pare::debug
