// registry/layer_cache.h against the fake registry: an entry stored by one build is found by
// another with the same key and pare version, and by nothing else; a missing or damaged layer
// blob is a miss (or an integrity error on fetch), never a wrong layer; a read-only cache
// refuses to store.
#include "registry/layer_cache.h"

#include <gtest/gtest.h>

#include "registry_test_util.h"

namespace pare::registry::testing {
namespace {

struct CacheFixture {
  Harness h;
  TempLayout dir;
  oci::LayerBlob layer;
  CacheFixture() {
    std::string bytes = "layer bytes (gzip in real life)";
    oci::Descriptor d = dir.add_blob(bytes, "application/vnd.oci.image.layer.v1.tar+gzip");
    layer.media_type = d.media_type;
    layer.digest = d.digest;
    layer.size = d.size;
    layer.diff_id = "sha256:" + std::string(64, 'd');
    layer.file = dir.dir() / "blobs/sha256" / d.digest.substr(7);
  }
  LayerCache cache(bool writable = true, const std::string& version = "1.0") {
    return LayerCache(Repository(h.pool->get(h.fake.host), "ci/cache"), writable, version);
  }
};

TEST(LayerCache, StoredEntryIsFoundByTheSameKeyAndVersionOnly) {
  CacheFixture f;
  auto writer = f.cache();
  ASSERT_TRUE(writer.store("key-1", f.layer, "summary").ok());
  auto reader = f.cache(false);
  auto hit = reader.lookup("key-1");
  ASSERT_TRUE(hit.ok()) << hit.error().message();
  ASSERT_TRUE(hit->has_value());
  EXPECT_EQ((*hit)->layer.digest, f.layer.digest);
  EXPECT_EQ((*hit)->layer.diff_id, f.layer.diff_id);
  EXPECT_EQ(reader.read_summary(**hit).value(), "summary");
  auto dest = f.dir.dir() / "fetched";
  ASSERT_TRUE(reader.fetch_layer(**hit, dest).ok());
  EXPECT_EQ(fs::read_file(dest).value(), "layer bytes (gzip in real life)");

  EXPECT_FALSE(reader.lookup("key-2").value().has_value());                 // another key
  EXPECT_FALSE(f.cache(false, "2.0").lookup("key-1").value().has_value());  // another pare
  EXPECT_NE(f.cache().tag_for("key-1"), f.cache(true, "2.0").tag_for("key-1"));
  EXPECT_EQ(reader.hits(), 1u);
}

TEST(LayerCache, StoringTwiceIsIdempotent) {
  CacheFixture f;
  auto cache = f.cache();
  ASSERT_TRUE(cache.store("k", f.layer, "s").ok());
  std::string first = f.h.fake.repos["ci/cache"][cache.tag_for("k")];
  size_t uploads = f.h.fake.count("PUT", "/blobs/uploads/");
  ASSERT_TRUE(cache.store("k", f.layer, "s").ok());
  EXPECT_EQ(f.h.fake.repos["ci/cache"][cache.tag_for("k")], first);  // the same manifest
  EXPECT_EQ(f.h.fake.count("PUT", "/blobs/uploads/"), uploads);      // no blob sent again
}

TEST(LayerCache, MissingOrDamagedBlobsAreNeverUsed) {
  CacheFixture f;
  auto cache = f.cache();
  ASSERT_TRUE(cache.store("k", f.layer, "s").ok());
  auto hit = cache.lookup("k").value();
  ASSERT_TRUE(hit.has_value());
  f.h.fake.blobs[f.layer.digest] = std::string(f.layer.size, 'x');  // same size, other bytes
  auto fetched = cache.fetch_layer(*hit, f.dir.dir() / "bad");
  ASSERT_FALSE(fetched.ok());
  EXPECT_EQ(fetched.error().code(), Errc::integrity);
  EXPECT_FALSE(fs::exists(f.dir.dir() / "bad"));  // nothing half-written is left
  f.h.fake.blobs.erase(f.layer.digest);
  EXPECT_FALSE(cache.lookup("k").value().has_value());
}

// The specs of one build share their lower levels: a key found or stored once costs no
// more requests for the rest of the run.
TEST(LayerCache, EntriesFoundOrStoredAreRememberedForTheRun) {
  CacheFixture f;
  ASSERT_TRUE(f.cache().store("stored", f.layer, "s1").ok());
  auto reader = f.cache();
  auto hit = reader.lookup("stored").value();
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(reader.read_summary(*hit).value(), "s1");
  size_t gets = f.h.fake.count("GET", ""), heads = f.h.fake.count("HEAD", "");
  for (int i = 0; i < 3; ++i) {
    auto again = reader.lookup("stored").value();
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(reader.read_summary(*again).value(), "s1");
  }
  EXPECT_EQ(f.h.fake.count("GET", ""), gets);
  EXPECT_EQ(f.h.fake.count("HEAD", ""), heads);
  EXPECT_EQ(reader.hits(), 4u);

  ASSERT_TRUE(reader.store("new", f.layer, "s2").ok());
  gets = f.h.fake.count("GET", "");
  auto stored = reader.lookup("new").value();
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->layer.digest, f.layer.digest);
  EXPECT_TRUE(stored->layer.file.empty());
  EXPECT_EQ(reader.read_summary(*stored).value(), "s2");
  EXPECT_EQ(f.h.fake.count("GET", ""), gets);
}

TEST(LayerCache, ReadOnlyRefusesToStore) {
  CacheFixture f;
  auto cache = f.cache(false);
  auto stored = cache.store("k", f.layer, "s");
  ASSERT_FALSE(stored.ok());
  EXPECT_NE(stored.error().message().find("read-only"), std::string::npos);
  EXPECT_EQ(f.h.fake.count("PUT", ""), 0u);
}

}  // namespace
}  // namespace pare::registry::testing
