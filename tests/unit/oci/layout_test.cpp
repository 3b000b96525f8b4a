#include "oci/layout.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "oci/previous_blobs.h"
#include "oci_test_util.h"
#include "util/sha256.h"

using namespace pare;
using namespace pare::oci;
using namespace pare::oci::testing;
using nlohmann::json;

namespace {

PlatformImage platform_image(const LayerBlob& layer, const std::string& debian_arch) {
  PlatformImage img;
  img.platform = platform_for_debian_arch(debian_arch).value();
  ImageConfig c;
  c.platform = img.platform;
  c.diff_ids = {layer.diff_id};
  c.history = {"test layer"};
  img.config = make_config_blob(c);
  img.layers = {layer};
  img.manifest = make_manifest_blob(img.config, img.layers, {});
  return img;
}

std::string hex_of(const std::string& digest) {
  return digest.substr(7);
}

// Every blob under blobs/sha256 is named by the SHA-256 of its bytes.
void expect_blobs_verified(const std::filesystem::path& layout) {
  size_t count = 0;
  for (const auto& e : std::filesystem::directory_iterator(layout / "blobs" / "sha256")) {
    EXPECT_EQ(sha256_file_hex(e.path()).value(), e.path().filename().string());
    ++count;
  }
  EXPECT_GT(count, 0u);
}

json read_json(const std::filesystem::path& p) {
  return json::parse(fs::read_file(p).value());
}

std::map<std::string, std::string> tar_files(const std::string& archive) {
  std::map<std::string, std::string> files;
  for (auto& e : read_all(archive))
    files[e.header.path + (e.header.type == EntryType::dir ? "/" : "")] = e.data;
  return files;
}

struct Fixture {
  fs::TempDir dir = make_temp_dir();
  std::filesystem::path cache = dir.path() / "cache";
  LayerBlob layer_a = make_layer(cache, "content a\n");
  LayerBlob layer_b = make_layer(cache, "content b\n");
};

}  // namespace

TEST(Layout, ParseOutputFormat) {
  EXPECT_EQ(parse_output_format("oci").value(), OutputFormat::oci_layout);
  EXPECT_EQ(parse_output_format("oci-layout").value(), OutputFormat::oci_layout);
  EXPECT_EQ(parse_output_format("oci-archive").value(), OutputFormat::oci_archive);
  EXPECT_EQ(parse_output_format("docker-archive").value(), OutputFormat::docker_archive);
  EXPECT_FALSE(parse_output_format("tarball").ok());
  EXPECT_STREQ(output_format_name(OutputFormat::oci_archive), "oci-archive");
}

TEST(Layout, DirectoryWithOneTagPerImage) {
  Fixture f;
  auto dest = f.dir.path() / "out" / "layout";
  std::vector<TaggedImage> images = {{"base:latest", {platform_image(f.layer_a, "amd64")}},
                                     {"base:nonroot", {platform_image(f.layer_b, "amd64")}}};
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, dest, images).ok());

  EXPECT_EQ(fs::read_file(dest / "oci-layout").value(), R"({"imageLayoutVersion":"1.0.0"})");
  json index = read_json(dest / "index.json");
  EXPECT_EQ(index["schemaVersion"], 2);
  EXPECT_EQ(index["mediaType"], "application/vnd.oci.image.index.v1+json");
  ASSERT_EQ(index["manifests"].size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const json& m = index["manifests"][i];
    EXPECT_EQ(m["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    EXPECT_EQ(m["digest"], images[i].images[0].manifest.digest());
    EXPECT_EQ(m["annotations"]["org.opencontainers.image.ref.name"], images[i].tag);
    EXPECT_EQ(m["platform"]["architecture"], "amd64");
  }
  expect_blobs_verified(dest);
  // Layers are copies, never hard links: damage to the cache cannot reach an output.
  struct stat a, b;
  ASSERT_EQ(::stat(f.layer_a.file.c_str(), &a), 0);
  ASSERT_EQ(::stat((dest / "blobs/sha256" / hex_of(f.layer_a.digest)).c_str(), &b), 0);
  EXPECT_NE(a.st_ino, b.st_ino);
  EXPECT_EQ(1u, b.st_nlink);
  // No staging directory is left next to the output.
  std::filesystem::directory_iterator listing(dest.parent_path());
  EXPECT_EQ(std::distance(begin(listing), end(listing)), 1);
}

TEST(Layout, MultiPlatformTagIsAnImageIndex) {
  Fixture f;
  auto dest = f.dir.path() / "layout";
  std::vector<TaggedImage> images = {
      {"base:latest", {platform_image(f.layer_a, "amd64"), platform_image(f.layer_b, "arm64")}}};
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, dest, images).ok());
  json index = read_json(dest / "index.json");
  ASSERT_EQ(index["manifests"].size(), 1u);
  const json& top = index["manifests"][0];
  EXPECT_EQ(top["mediaType"], "application/vnd.oci.image.index.v1+json");
  EXPECT_EQ(top["annotations"]["org.opencontainers.image.ref.name"], "base:latest");
  EXPECT_FALSE(top.contains("platform"));
  json nested = read_json(dest / "blobs/sha256" / hex_of(top["digest"]));
  ASSERT_EQ(nested["manifests"].size(), 2u);
  EXPECT_EQ(nested["manifests"][0]["platform"]["architecture"], "amd64");
  EXPECT_EQ(nested["manifests"][1]["platform"]["architecture"], "arm64");
  EXPECT_EQ(nested["manifests"][1]["platform"]["variant"], "v8");
  EXPECT_EQ(nested["manifests"][1]["digest"], images[0].images[1].manifest.digest());
  expect_blobs_verified(dest);
}

TEST(Layout, ReplacesAnExistingOutputOfTheSameFormat) {
  Fixture f;
  auto dest = f.dir.path() / "layout";
  std::vector<TaggedImage> images = {{"a:b", {platform_image(f.layer_a, "amd64")}}};
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, dest, images).ok());
  const std::string stale = "blobs/sha256/" + std::string(64, 'a');  // a blob no image uses now
  ASSERT_TRUE(fs::write_file_atomic(dest / stale, "old").ok());
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, dest, images).ok());
  EXPECT_FALSE(fs::exists(dest / stale));
  EXPECT_TRUE(fs::exists(dest / "index.json"));
  // An empty directory, and an empty file for an archive, may be used.
  std::filesystem::create_directory(f.dir.path() / "empty");
  EXPECT_TRUE(write_output(OutputFormat::oci_layout, f.dir.path() / "empty", images).ok());
  ASSERT_TRUE(fs::write_file_atomic(f.dir.path() / "empty.tar", "").ok());
  EXPECT_TRUE(write_output(OutputFormat::oci_archive, f.dir.path() / "empty.tar", images).ok());
  EXPECT_TRUE(write_output(OutputFormat::oci_archive, f.dir.path() / "empty.tar", images).ok());
}

// Blobs are verified as the output is written from the cache: a damaged cache
// blob is removed and reported (the build makes the layer again); the output
// being replaced is left as it was.
TEST(Layout, ADamagedCacheBlobIsRemovedAndTheOutputKept) {
  Fixture f;
  std::vector<TaggedImage> images = {{"a:b", {platform_image(f.layer_a, "amd64")}}};
  auto dest = f.dir.path() / "layout";
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, dest, images).ok());
  std::string index = fs::read_file(dest / "index.json").value();
  std::string bytes = fs::read_file(f.layer_a.file).value();
  bytes[bytes.size() / 2] ^= 1;
  ASSERT_TRUE(fs::write_file_atomic(f.layer_a.file, bytes).ok());
  for (auto format : {OutputFormat::oci_archive, OutputFormat::oci_layout}) {
    ASSERT_TRUE(fs::write_file_atomic(f.layer_a.file, bytes).ok());
    auto other = f.dir.path() / (format == OutputFormat::oci_layout ? "other" : "other.tar");
    auto r = write_output(format, other, images);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(Errc::integrity, r.error().code());
    EXPECT_NE(std::string::npos, r.error().message().find("cache: layer blob"))
        << r.error().message();
    EXPECT_FALSE(fs::exists(f.layer_a.file)) << "the damaged cache blob is removed";
    EXPECT_FALSE(fs::exists(other)) << "nothing half-written";
  }
  EXPECT_EQ(index, fs::read_file(dest / "index.json").value());
}

// Rewriting an output that already holds a blob takes that blob after hashing
// it (no copy), unless it was edited or is shared by a hard link.
TEST(Layout, ABlobOfTheReplacedOutputIsReusedOnlyWhenItStillHashesToItsName) {
  Fixture f;
  std::vector<TaggedImage> images = {{"a:b", {platform_image(f.layer_a, "amd64")}}};
  auto dest = f.dir.path() / "layout";
  auto blob = dest / "blobs/sha256" / hex_of(f.layer_a.digest);
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, dest, images).ok());
  struct stat before, after, cache;
  ASSERT_EQ(0, ::stat(blob.c_str(), &before));
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, dest, images).ok());
  ASSERT_EQ(0, ::stat(blob.c_str(), &after));
  EXPECT_EQ(before.st_ino, after.st_ino) << "reused, not copied";
  EXPECT_EQ(1u, after.st_nlink);
  ASSERT_EQ(0, ::stat(f.layer_a.file.c_str(), &cache));
  EXPECT_NE(cache.st_ino, after.st_ino);
  // An edited blob in the old output is not reused: the new one is the cache's bytes.
  std::string edited = fs::read_file(blob).value();
  edited[0] ^= 1;
  ASSERT_TRUE(fs::write_file_atomic(blob, edited).ok());
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, dest, images).ok());
  EXPECT_EQ(fs::read_file(f.layer_a.file).value(), fs::read_file(blob).value());
  expect_blobs_verified(dest);
}

// pare removes only what it wrote: anything else at -o is refused, untouched.
TEST(Layout, RefusesToReplaceWhatPareDidNotWrite) {
  Fixture f;
  std::vector<TaggedImage> images = {{"a:b", {platform_image(f.layer_a, "amd64")}}};
  auto expect_refused = [&](OutputFormat format, const std::filesystem::path& dest,
                            const std::string& what) {
    auto r = write_output(format, dest, images);
    ASSERT_FALSE(r.ok()) << dest;
    EXPECT_EQ(Errc::invalid, r.error().code());
    EXPECT_NE(std::string::npos, r.error().message().find(what)) << r.error().message();
    EXPECT_NE(std::string::npos, r.error().message().find("nothing was changed"));
  };
  auto home = f.dir.path() / "home";
  ASSERT_TRUE(fs::write_file_atomic(home / "notes.txt", "mine").ok());
  expect_refused(OutputFormat::oci_layout, home, "without an oci-layout file");
  EXPECT_EQ("mine", fs::read_file(home / "notes.txt").value());
  auto spec = f.dir.path() / "app.yaml";
  ASSERT_TRUE(fs::write_file_atomic(spec, "name: app\n").ok());
  expect_refused(OutputFormat::oci_layout, spec, "a file");
  expect_refused(OutputFormat::oci_archive, spec, "not a tar archive");
  expect_refused(OutputFormat::docker_archive, home, "a directory");
  EXPECT_EQ("name: app\n", fs::read_file(spec).value());
  // A layout someone added their own files to is not pare's to remove.
  auto layout = f.dir.path() / "layout";
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, layout, images).ok());
  ASSERT_TRUE(fs::write_file_atomic(layout / "README", "keep").ok());
  expect_refused(OutputFormat::oci_layout, layout, "also holds 'README'");
  std::filesystem::remove(layout / "README");
  // ... nor files planted under blobs/ that are not blobs.
  ASSERT_TRUE(fs::write_file_atomic(layout / "blobs/sha256/notes.txt", "keep").ok());
  expect_refused(OutputFormat::oci_layout, layout, "blobs/sha256/notes.txt");
  std::filesystem::remove(layout / "blobs/sha256/notes.txt");
  ASSERT_TRUE(fs::write_file_atomic(layout / "blobs/photos/a.jpg", "keep").ok());
  expect_refused(OutputFormat::oci_layout, layout, "blobs/photos");
  EXPECT_EQ("keep", fs::read_file(layout / "blobs/photos/a.jpg").value());
  // An archive of the other format is not replaced either.
  auto oci_tar = f.dir.path() / "image.tar";
  ASSERT_TRUE(write_output(OutputFormat::oci_archive, oci_tar, images).ok());
  expect_refused(OutputFormat::docker_archive, oci_tar, "an OCI archive");
  std::filesystem::create_symlink(layout, f.dir.path() / "link");
  expect_refused(OutputFormat::oci_layout, f.dir.path() / "link", "a symbolic link");
}

TEST(Layout, OciArchiveIsTheLayoutAsADeterministicTar) {
  Fixture f;
  std::vector<TaggedImage> images = {{"base:latest", {platform_image(f.layer_a, "amd64")}}};
  auto layout = f.dir.path() / "layout";
  auto archive = f.dir.path() / "image.tar";
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, layout, images).ok());
  ASSERT_TRUE(write_output(OutputFormat::oci_archive, archive, images).ok());
  std::string bytes = fs::read_file(archive).value();
  auto files = tar_files(bytes);
  std::vector<std::string> names;
  for (const auto& [name, data] : files) names.push_back(name);
  auto hex = [&](const std::string& d) { return "blobs/sha256/" + hex_of(d); };
  std::vector<std::string> expected = {"blobs/",
                                       "blobs/sha256/",
                                       hex(images[0].images[0].config.digest()),
                                       hex(images[0].images[0].manifest.digest()),
                                       hex(f.layer_a.digest),
                                       "index.json",
                                       "oci-layout"};
  std::sort(expected.begin() + 2, expected.begin() + 5);
  EXPECT_EQ(names, expected);
  for (const auto& [name, data] : files) {
    if (!name.ends_with("/")) {
      EXPECT_EQ(data, fs::read_file(layout / name).value()) << name;
    }
  }
  for (auto& e : read_all(bytes)) {
    EXPECT_EQ(e.header.mtime, 0);
    EXPECT_EQ(e.header.uid, 0u);
    EXPECT_EQ(e.header.mode, e.header.type == EntryType::dir ? 0755u : 0644u);
  }
  auto again = f.dir.path() / "again.tar";
  ASSERT_TRUE(write_output(OutputFormat::oci_archive, again, images).ok());
  EXPECT_EQ(sha256_file_hex(again).value(), sha256_hex(bytes));
}

TEST(Layout, DockerArchive) {
  Fixture f;
  PlatformImage img = platform_image(f.layer_a, "amd64");
  auto archive = f.dir.path() / "docker.tar";
  ASSERT_TRUE(write_output(OutputFormat::docker_archive, archive, {{"base", {img}}}).ok());
  auto files = tar_files(fs::read_file(archive).value());
  ASSERT_TRUE(files.count("manifest.json"));
  json manifest = json::parse(files["manifest.json"]);
  ASSERT_EQ(manifest.size(), 1u);
  std::string config_name = hex_of(img.config.digest()) + ".json";
  std::string layer_name = hex_of(f.layer_a.digest) + ".tar.gz";
  EXPECT_EQ(manifest[0]["Config"], config_name);
  EXPECT_EQ(manifest[0]["RepoTags"], json::array({"base:latest"}));
  EXPECT_EQ(manifest[0]["Layers"], json::array({layer_name}));
  EXPECT_EQ(files[config_name], img.config.bytes);
  EXPECT_EQ(files[layer_name], fs::read_file(f.layer_a.file).value());
  EXPECT_EQ(files.size(), 3u);
}

TEST(Layout, DockerArchiveRefusesSeveralPlatforms) {
  Fixture f;
  auto archive = f.dir.path() / "docker.tar";
  auto r = write_output(
      OutputFormat::docker_archive, archive,
      {{"base:latest", {platform_image(f.layer_a, "amd64"), platform_image(f.layer_b, "arm64")}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find("base:latest"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("one platform"), std::string::npos) << r.error().message();
  EXPECT_FALSE(fs::exists(archive));
}

TEST(Layout, RejectsBadInput) {
  Fixture f;
  auto dest = f.dir.path() / "layout";
  PlatformImage img = platform_image(f.layer_a, "amd64");
  EXPECT_EQ(write_output(OutputFormat::oci_layout, dest, {}).error().code(), Errc::invalid);
  auto dup = write_output(OutputFormat::oci_layout, dest, {{"a:b", {img}}, {"a:b", {img}}});
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code(), Errc::invalid);
  PlatformImage missing = img;
  missing.layers[0].file = f.dir.path() / "nope";
  EXPECT_FALSE(write_output(OutputFormat::oci_layout, dest, {{"a:b", {missing}}}).ok());
  PlatformImage wrong_size = img;
  wrong_size.layers[0].size += 1;
  auto r = write_output(OutputFormat::oci_archive, f.dir.path() / "x.tar", {{"a:b", {wrong_size}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::integrity);
  EXPECT_FALSE(fs::exists(dest));
}

TEST(Layout, CopiesBlobsAcrossFilesystems) {
  // /dev/shm is a tmpfs: a hard link from there into the temp directory fails
  // with EXDEV and the writer must fall back to copying.
  struct stat shm, tmp;
  if (::stat("/dev/shm", &shm) != 0 ||
      ::stat(std::filesystem::temp_directory_path().c_str(), &tmp) != 0 ||
      shm.st_dev == tmp.st_dev || ::access("/dev/shm", W_OK) != 0)
    GTEST_SKIP() << "no second writable filesystem at /dev/shm";
  auto cache = fs::TempDir::create("/dev/shm", "pare-oci-test");
  ASSERT_TRUE(cache.ok());
  LayerBlob layer = make_layer(cache->path(), "across filesystems\n");
  auto out = make_temp_dir();
  auto dest = out.path() / "layout";
  ASSERT_TRUE(
      write_output(OutputFormat::oci_layout, dest, {{"x:y", {platform_image(layer, "amd64")}}})
          .ok());
  auto copied = dest / "blobs/sha256" / hex_of(layer.digest);
  EXPECT_EQ(fs::read_file(copied).value(), fs::read_file(layer.file).value());
  EXPECT_EQ(std::filesystem::status(copied).permissions(), std::filesystem::perms(0644));
  expect_blobs_verified(dest);
}

// The layout being replaced, hashed ahead while a build runs: a blob counts as verified only
// when this run hashed it to that digest and it has not changed since; the output then takes
// it without reading it again, and anything else as before (hashed at use, or copied).
TEST(PreviousBlobs, OnlyAnUnchangedFileHashedThisRunIsVerified) {
  Fixture f;
  auto dest = f.dir.path() / "layout";
  std::vector<TaggedImage> images = {{"a:b", {platform_image(f.layer_a, "amd64")}}};
  ASSERT_TRUE(write_output(OutputFormat::oci_layout, dest, images).ok());
  auto blob = dest / "blobs/sha256" / hex_of(f.layer_a.digest);
  auto lstat_of = [](const std::filesystem::path& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0);
    return st;
  };
  {
    PreviousBlobs ahead(dest);
    EXPECT_FALSE(ahead.verified(blob, hex_of(f.layer_a.digest), lstat_of(blob)))
        << "not before wait()";
    ahead.wait();
    EXPECT_TRUE(ahead.verified(blob, hex_of(f.layer_a.digest), lstat_of(blob)));
    EXPECT_FALSE(ahead.verified(blob, std::string(64, '0'), lstat_of(blob)));
    // Written to since (same size, other bytes): its ctime moved, so it is not verified, and
    // the output hashes it at use, finds it damaged and copies the cache's bytes instead.
    ::usleep(10000);
    struct stat before = lstat_of(blob);
    std::ofstream(blob, std::ios::binary | std::ios::in | std::ios::out) << 'x';  // in place
    EXPECT_EQ(lstat_of(blob).st_ino, before.st_ino);
    EXPECT_FALSE(ahead.verified(blob, hex_of(f.layer_a.digest), lstat_of(blob)));
    ASSERT_TRUE(write_output(OutputFormat::oci_layout, dest, images, &ahead).ok());
    expect_blobs_verified(dest);
  }
  {
    // A file with a second link is never hashed ahead (nor taken from the old layout).
    ASSERT_EQ(::link(blob.c_str(), (f.dir.path() / "second").c_str()), 0);
    PreviousBlobs ahead(dest);
    ahead.wait();
    EXPECT_FALSE(ahead.verified(blob, hex_of(f.layer_a.digest), lstat_of(blob)));
  }
  PreviousBlobs none(f.dir.path() / "no-such-layout");  // nothing to hash: no error
  none.wait();
  EXPECT_FALSE(none.verified(blob, hex_of(f.layer_a.digest), lstat_of(blob)));
}
