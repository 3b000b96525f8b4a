// oci/manifest.h, oci/source.h and oci/copy.h: reading manifests from anyone, the local image
// sources (layout, OCI archive, docker-archive), the layout destination, and copies between them.
#include <gtest/gtest.h>

#include "oci/copy.h"
#include "oci/manifest.h"
#include "oci/source.h"
#include "oci_test_util.h"
#include "unit/registry/registry_test_util.h"

namespace pare::oci {
namespace {

using registry::testing::TempLayout;
namespace stdfs = std::filesystem;

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(Manifest, ParsesOciAndDockerShapes) {
  std::string oci =
      R"({"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
      kDigest + R"(","size":7},"layers":[{"mediaType":"x","digest":")" + kDigest +
      R"(","size":3}],"subject":{"mediaType":"m","digest":")" + kDigest +
      R"(","size":1},"artifactType":"application/spdx+json"})";
  auto m = parse_manifest(oci);
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->media_type, media::kOciManifest);  // omitted: told by shape
  EXPECT_EQ(m->layers.size(), 1u);
  EXPECT_TRUE(m->subject.has_value());
  EXPECT_EQ(m->artifact_type, "application/spdx+json");
  std::string list =
      R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":")" +
      kDigest + R"(","size":5,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}}]})";
  auto index = parse_index(list);
  ASSERT_TRUE(index.ok()) << index.error().message();
  EXPECT_EQ(index->manifests[0].platform->variant, "v8");
  EXPECT_EQ(serialize_index(*parse_index(serialize_index(*index))), serialize_index(*index));
}

TEST(Manifest, WrongShapesNameTheField) {
  auto bad_digest = parse_manifest(R"({"config":{"mediaType":"x","digest":"md5:00","size":1}})");
  ASSERT_FALSE(bad_digest.ok());
  EXPECT_NE(bad_digest.error().message().find("config"), std::string::npos);
  auto bad_size =
      parse_index(R"({"manifests":[{"mediaType":"x","digest":")" + kDigest + R"(","size":-1}]})");
  ASSERT_FALSE(bad_size.ok());
  EXPECT_NE(bad_size.error().message().find("manifests[0]"), std::string::npos);
  EXPECT_FALSE(parse_manifest(R"({"schemaVersion":1,"fsLayers":[]})").ok());
  EXPECT_EQ(document_media_type("{}", media::kDockerSchema1Signed).error().code(),
            Errc::unsupported);
  EXPECT_FALSE(parse_manifest("[]").ok());
  EXPECT_FALSE(parse_manifest(std::string(5 << 20, ' ')).ok());
}

TEST(Platform, ParseAndMatch) {
  EXPECT_EQ(platform_string(*parse_platform("linux/arm64/v8")), "linux/arm64/v8");
  EXPECT_TRUE(platform_matches(*parse_platform("linux/arm64"), Platform{"linux", "arm64", "v8"}));
  EXPECT_FALSE(platform_matches(*parse_platform("linux/arm/v7"), Platform{"linux", "arm", "v6"}));
  EXPECT_FALSE(parse_platform("linux").ok());
  EXPECT_FALSE(parse_platform("a/b/c/d").ok());
}

TEST(LocalRef, TransportPrefixes) {
  auto r = parse_local_ref("oci:out/family:python3:nonroot");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->path, "out/family");
  EXPECT_EQ(r->tag, "python3:nonroot");
  EXPECT_EQ(parse_local_ref("docker-archive:a.tar")->kind, LocalRef::Kind::docker_archive);
  EXPECT_EQ(parse_local_ref("oci-archive:a.tar:t")->tag, "t");
  EXPECT_FALSE(parse_local_ref("docker://x/y"));
}

TEST(Copy, LayoutToLayoutAndOciArchiveReadBack) {
  TempLayout src;
  auto image = src.add_image({"one", "two"});
  src.write_index({{"app:latest", image}});
  TempLayout out;
  stdfs::path dest = out.dir() / "copy";
  auto source = open_local_source(LocalRef{LocalRef::Kind::layout, src.dir(), ""});
  ASSERT_TRUE(source.ok()) << source.error().message();
  auto root = (*source)->resolve("app:latest");
  ASSERT_TRUE(root.ok());
  auto destination = open_layout_destination(dest);
  ASSERT_TRUE(destination.ok()) << destination.error().message();
  auto copied = copy_image(**source, *root, **destination, {"app:v1"});
  ASSERT_TRUE(copied.ok()) << copied.error().message();
  EXPECT_FALSE(fs::exists(dest));  // nothing visible before commit
  ASSERT_TRUE((*destination)->commit().ok());
  EXPECT_EQ(copied->blobs_copied, 3u);
  auto back = open_local_source(LocalRef{LocalRef::Kind::layout, dest, ""});
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)->resolve("app:v1")->digest, image.digest);

  // A second tag into the same layout keeps the first.
  auto again = open_layout_destination(dest);
  ASSERT_TRUE(again.ok());
  ASSERT_TRUE(copy_image(**source, *root, **again, {"app:v2"}).ok());
  ASSERT_TRUE((*again)->commit().ok());
  auto both = open_local_source(LocalRef{LocalRef::Kind::layout, dest, ""});
  EXPECT_EQ((*both)->tags()->size(), 2u);

  // The same layout as a tar, read in place.
  stdfs::path tar = out.dir() / "a.oci.tar";
  auto r = testing::run_command("tar -C " + src.dir().string() + " -cf " + tar.string() +
                                " oci-layout index.json blobs");
  ASSERT_EQ(r.status, 0) << r.output;
  auto archive = open_local_source(LocalRef{LocalRef::Kind::oci_archive, tar, ""});
  ASSERT_TRUE(archive.ok()) << archive.error().message();
  auto d = (*archive)->resolve("app:latest");
  ASSERT_TRUE(d.ok());
  auto bytes = (*archive)->read_manifest(*d);
  ASSERT_TRUE(bytes.ok());
  auto m = parse_manifest(*bytes);
  testing::StringSink sink;
  ASSERT_TRUE((*archive)->read_blob(m->layers[1], sink).ok());
  EXPECT_EQ(sink.data, "two");
  EXPECT_TRUE((*archive)->local_blob(m->layers[1]).has_value());
}

TEST(Copy, DamagedSourceBlobIsRefusedAndTheLayoutUntouched) {
  TempLayout src;
  auto image = src.add_image({"payload"});
  src.write_index({{"app:latest", image}});
  ASSERT_TRUE(
      fs::write_file_atomic(src.dir() / "blobs/sha256" / sha256_hex("payload"), "paylo4d").ok());
  TempLayout out;
  auto source = open_local_source(LocalRef{LocalRef::Kind::layout, src.dir(), ""});
  auto destination = open_layout_destination(out.dir() / "copy");
  auto r = copy_image(**source, *(*source)->resolve("app:latest"), **destination, {"t"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::integrity);
  EXPECT_FALSE(fs::exists(out.dir() / "copy"));
}

TEST(DockerArchive, ManifestMadeUpFromItsFiles) {
  TempLayout dir;
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers",)"
                       R"("diff_ids":["sha256:)" +
                       sha256_hex("tarbytes") + R"("]}})";
  std::string hex = sha256_hex(config);
  ASSERT_TRUE(fs::write_file_atomic(dir.dir() / (hex + ".json"), config).ok());
  ASSERT_TRUE(fs::write_file_atomic(dir.dir() / "layer1/layer.tar", "tarbytes").ok());
  ASSERT_TRUE(fs::write_file_atomic(
                  dir.dir() / "manifest.json",
                  R"([{"Config":")" + hex +
                      R"(.json","RepoTags":["app:latest"],"Layers":["layer1/layer.tar"]}])")
                  .ok());
  stdfs::path tar = dir.dir() / "d.tar";
  auto r = testing::run_command("tar -C " + dir.dir().string() + " -cf " + tar.string() + " " +
                                hex + ".json layer1 manifest.json");
  ASSERT_EQ(r.status, 0) << r.output;
  auto source = open_local_source(LocalRef{LocalRef::Kind::docker_archive, tar, ""});
  ASSERT_TRUE(source.ok()) << source.error().message();
  auto d = (*source)->resolve("app:latest");
  ASSERT_TRUE(d.ok()) << d.error().message();
  auto m = parse_manifest(*(*source)->read_manifest(*d));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->config.digest, "sha256:" + hex);
  EXPECT_EQ(m->layers[0].digest, "sha256:" + sha256_hex("tarbytes"));
  EXPECT_EQ(m->layers[0].media_type, "application/vnd.oci.image.layer.v1.tar");
  EXPECT_FALSE((*source)->resolve("other:tag").ok());

  // The same archive whose layer.tar is not the config's diff_id is refused.
  ASSERT_TRUE(fs::write_file_atomic(dir.dir() / "layer1/layer.tar", "othertar").ok());
  r = testing::run_command("tar -C " + dir.dir().string() + " -cf " + tar.string() + " " + hex +
                           ".json layer1 manifest.json");
  ASSERT_EQ(r.status, 0) << r.output;
  auto swapped = open_local_source(LocalRef{LocalRef::Kind::docker_archive, tar, ""});
  ASSERT_FALSE(swapped.ok());
  EXPECT_EQ(swapped.error().code(), Errc::integrity) << swapped.error().message();
}

}  // namespace
}  // namespace pare::oci
