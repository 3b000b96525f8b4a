#include "oci/layer.h"

#include <gtest/gtest.h>

#include "oci_test_util.h"
#include "util/sha256.h"

using namespace pare;
using namespace pare::oci;
using namespace pare::oci::testing;

namespace {

std::vector<std::string> dir_names(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST(Layer, MediaTypes) {
  EXPECT_STREQ(layer_media_type(Compression::gzip), "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_STREQ(layer_media_type(Compression::zstd), "application/vnd.oci.image.layer.v1.tar+zstd");
  EXPECT_STREQ(layer_media_type(Compression::none), "application/vnd.oci.image.layer.v1.tar");
}

TEST(Layer, DigestsNameTheCompressedAndUncompressedBytes) {
  for (Compression kind : {Compression::gzip, Compression::zstd, Compression::none}) {
    auto dir = make_temp_dir();
    LayerBlob blob = make_layer(dir.path(), "hello\n", kind);
    EXPECT_EQ(blob.media_type, layer_media_type(kind));
    std::string hex = blob.digest.substr(7);
    EXPECT_EQ(blob.file, dir.path() / hex);
    EXPECT_EQ(dir_names(dir.path()), std::vector<std::string>{hex}) << "no temporary files left";

    std::string bytes = fs::read_file(blob.file).value();
    EXPECT_EQ(blob.size, bytes.size());
    EXPECT_EQ(blob.digest, "sha256:" + sha256_hex(bytes));
    std::string tar = kind == Compression::none ? bytes : decompress_all(bytes).value();
    EXPECT_EQ(blob.diff_id, "sha256:" + sha256_hex(tar));
    if (kind == Compression::none) {
      EXPECT_EQ(blob.diff_id, blob.digest);
    } else {
      EXPECT_NE(blob.diff_id, blob.digest);
    }

    auto entries = read_all(tar);
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[1].header.path, "etc/hello.txt");
    EXPECT_EQ(entries[1].data, "hello\n");
  }
}

TEST(Layer, SameContentTwiceIsTheSameBlob) {
  auto dir = make_temp_dir();
  LayerBlob a = make_layer(dir.path(), "same");
  LayerBlob b = make_layer(dir.path(), "same");
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_EQ(a.diff_id, b.diff_id);
  EXPECT_EQ(dir_names(dir.path()).size(), 1u);
  LayerBlob c = make_layer(dir.path(), "different");
  EXPECT_NE(a.digest, c.digest);
  EXPECT_EQ(dir_names(dir.path()).size(), 2u);
}

TEST(Layer, UnfinishedWriterLeavesNothing) {
  auto dir = make_temp_dir();
  {
    auto writer = LayerWriter::create(dir.path(), {});
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE(writer.value()->tar().add(dir_entry("etc")).ok());
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

TEST(Layer, FinishTwiceIsAnError) {
  auto dir = make_temp_dir();
  auto writer = LayerWriter::create(dir.path(), {});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer.value()->finish().ok());
  EXPECT_FALSE(writer.value()->finish().ok());
}
