// Output writers. Each format is first described as a Plan (relative path ->
// bytes or a blob file), sorted by path; the plan is then either materialised
// as a directory (OCI layout) or streamed as a deterministic tar (OCI archive,
// docker-archive).
//
// Tag naming in index.json (image-spec annotations.md, ref.name): the whole tag,
// e.g. "python3:nonroot", is the org.opencontainers.image.ref.name value. The
// containers/image "oci:" transport splits "oci:DIR:REF" at the first ':' after
// DIR, so `skopeo inspect oci:DIR:python3:nonroot` and
// `podman run oci:DIR:python3:nonroot` find it; umoci (`--image DIR:TAG`) does
// the same. Several image names can thus share one layout.
#include "oci/layout.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

#include "oci/previous_blobs.h"
#include "util/fs.h"
#include "util/parallel.h"
#include "util/sha256.h"

namespace pare::oci {

namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

// One file of an output: in-memory bytes, or (when `source` is set) a blob
// file whose bytes must hash to `sha256`.
struct PlannedFile {
  std::string bytes;
  stdfs::path source;
  uint64_t size = 0;
  std::string sha256;
};
using Plan = std::map<std::string, PlannedFile>;

Result<std::string> digest_hex(const std::string& digest) {
  constexpr std::string_view prefix = "sha256:";
  if (digest.rfind(prefix, 0) != 0 ||
      !is_sha256_hex(std::string_view(digest).substr(prefix.size())))
    return Error(Errc::invalid, "not a sha256 digest: '" + digest + "'");
  return digest.substr(prefix.size());
}

void plan_bytes(Plan& plan, const std::string& path, std::string bytes) {
  uint64_t size = bytes.size();
  plan[path] = PlannedFile{std::move(bytes), {}, size, {}};
}

Result<void> plan_blob_file(Plan& plan, const std::string& path, const Blob& blob) {
  if (plan.count(path)) return {};  // a layer shared by several images
  std::error_code ec;
  uint64_t actual = stdfs::file_size(blob.file, ec);
  if (ec)
    return Error(Errc::not_found,
                 "layer blob " + blob.digest + ": cannot read " + blob.file.string());
  if (actual != blob.size)
    return Error(Errc::integrity, "layer blob " + blob.file.string() + " has " +
                                      std::to_string(actual) + " bytes, its descriptor says " +
                                      std::to_string(blob.size));
  PARE_TRY(std::string hex, digest_hex(blob.digest));
  plan[path] = PlannedFile{{}, blob.file, blob.size, std::move(hex)};
  return {};
}

Result<void> plan_json_blob(Plan& plan, const JsonBlob& blob) {
  PARE_TRY(std::string hex, digest_hex(blob.digest()));
  plan_bytes(plan, "blobs/sha256/" + hex, blob.bytes);
  return {};
}

Result<void> check_tags(const std::vector<TaggedImage>& images) {
  if (images.empty()) return Error(Errc::invalid, "no images to write");
  std::set<std::string> seen;
  for (const auto& t : images) {
    if (t.tag.empty()) return Error(Errc::invalid, "an image has an empty tag");
    if (t.images.empty()) return Error(Errc::invalid, "tag '" + t.tag + "' has no platform images");
    if (!seen.insert(t.tag).second)
      return Error(Errc::invalid, "tag '" + t.tag + "' appears twice");
  }
  return {};
}

// The blobs of one platform image, and the descriptor naming its manifest.
Result<IndexEntry> plan_platform_image(Plan& plan, const PlatformImage& image) {
  PARE_CHECK(plan_json_blob(plan, image.config));
  PARE_CHECK(plan_json_blob(plan, image.manifest));
  for (const auto& layer : image.layers) {
    PARE_TRY(std::string hex, digest_hex(layer.digest));
    PARE_CHECK(plan_blob_file(plan, "blobs/sha256/" + hex, layer));
  }
  return IndexEntry{image.manifest, image.platform, {}};
}

// image-spec image-layout.md: oci-layout, index.json, blobs/sha256/<hex>.
Result<Plan> oci_layout_plan(const std::vector<TaggedImage>& images) {
  PARE_CHECK(check_tags(images));
  Plan plan;
  plan_bytes(plan, "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  std::vector<IndexEntry> top;
  for (const auto& tagged : images) {
    std::vector<IndexEntry> platforms;
    for (const auto& image : tagged.images) {
      PARE_TRY(IndexEntry e, plan_platform_image(plan, image));
      platforms.push_back(std::move(e));
    }
    IndexEntry entry = platforms.front();
    if (platforms.size() > 1) {  // the tag names an image index of its platforms
      JsonBlob index = index_blob_for(tagged);
      PARE_CHECK(plan_json_blob(plan, index));
      entry = IndexEntry{index, std::nullopt, {}};
    }
    entry.annotations[kRefNameAnnotation] = tagged.tag;
    top.push_back(std::move(entry));
  }
  plan_bytes(plan, "index.json", make_index_blob(top, {}).bytes);
  return plan;
}

const char* layer_file_suffix(const std::string& media_type) {
  if (media_type.ends_with("+gzip")) return ".tar.gz";
  if (media_type.ends_with("+zstd")) return ".tar.zst";
  return ".tar";
}

// A repository tag as `docker load` wants it: "name:tag" (":latest" if none).
std::string docker_repo_tag(const std::string& tag) {
  size_t slash = tag.rfind('/');
  size_t colon = tag.rfind(':');
  bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  return has_tag ? tag : tag + ":latest";
}

// `docker save` format: manifest.json lists, per tag, the config file and the
// layer files. Layers stay compressed (Docker and containers/image decompress
// them on load); the config's diff_ids name the uncompressed tars.
Result<Plan> docker_archive_plan(const std::vector<TaggedImage>& images) {
  PARE_CHECK(check_tags(images));
  Plan plan;
  json manifest = json::array();
  for (const auto& tagged : images) {
    if (tagged.images.size() != 1)
      return Error(Errc::invalid, "docker-archive holds one platform per tag, but '" + tagged.tag +
                                      "' has " + std::to_string(tagged.images.size()) +
                                      "; write an OCI layout or archive, or build one platform");
    const PlatformImage& image = tagged.images.front();
    PARE_TRY(std::string config_hex, digest_hex(image.config.digest()));
    plan_bytes(plan, config_hex + ".json", image.config.bytes);
    json layers = json::array();
    for (const auto& layer : image.layers) {
      PARE_TRY(std::string hex, digest_hex(layer.digest));
      std::string name = hex + layer_file_suffix(layer.media_type);
      PARE_CHECK(plan_blob_file(plan, name, layer));
      layers.push_back(name);
    }
    manifest.push_back(json{{"Config", config_hex + ".json"},
                            {"RepoTags", json::array({docker_repo_tag(tagged.tag)})},
                            {"Layers", layers}});
  }
  plan_bytes(plan, "manifest.json", manifest.dump(-1, ' ', false, json::error_handler_t::replace));
  return plan;
}

// A blob whose source (a cache file) does not hash to its digest: the cache
// file is removed and the error says so ("cache: "), so the build makes the
// layer again (build/build.cpp retries once).
Error damaged_source(const PlannedFile& file) {
  std::error_code ec;
  stdfs::remove(file.source, ec);
  return Error(Errc::integrity,
               "cache: layer blob " + file.source.string() + " does not match its digest: removed");
}

// Outputs never share storage with the cache: a hard link would let damage to
// a cached blob reach every output made from it (and an edited output reach
// the cache). So a blob is either taken from the output being replaced, when
// that holds it unshared and it still hashes to its name (a rebuild that
// changed nothing reads each blob once and writes none), or copied from the
// cache in one pass that hashes what it copies.
// A blob `hashed_ahead` (previous_blobs.h) hashed this run and that is unchanged since is not
// read again.
Result<void> place_blob(const PlannedFile& file, const stdfs::path& target,
                        const stdfs::path& previous, const PreviousBlobs* hashed_ahead) {
  struct stat st;
  if (::lstat(previous.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
      static_cast<uint64_t>(st.st_size) == file.size) {
    bool same = hashed_ahead && hashed_ahead->verified(previous, file.sha256, st);
    if (!same) {
      auto digest = sha256_file_hex(previous);
      same = digest.ok() && *digest == file.sha256;
    }
    if (same && ::link(previous.c_str(), target.c_str()) == 0) {
      // The name may have been given to another file between the check and the link:
      // only the very file checked is kept.
      struct stat linked;
      if (::lstat(target.c_str(), &linked) == 0 && linked.st_dev == st.st_dev &&
          linked.st_ino == st.st_ino)
        return {};
      ::unlink(target.c_str());
    }
  }
  PARE_TRY(std::string digest, copy_file_sha256(file.source, target));
  if (digest == file.sha256) return {};
  std::error_code ec;
  stdfs::remove(target, ec);
  return damaged_source(file);
}

// `previous`: the output being replaced (a layout pare may replace), or "".
// The blobs are hashed on every core: an app rebuild re-verifies each unchanged lower layer
// it takes from the previous output or the cache, tens of megabytes.
Result<void> materialize(const Plan& plan, const stdfs::path& dir, const stdfs::path& previous,
                         PreviousBlobs* hashed_ahead) {
  std::vector<std::pair<const std::string*, const PlannedFile*>> blobs;
  for (const auto& [path, file] : plan) {
    stdfs::path target = dir / path;
    PARE_CHECK(fs::ensure_dir(target.parent_path()));
    if (file.source.empty())
      PARE_CHECK(fs::write_file_atomic(target, file.bytes, 0644));
    else
      blobs.emplace_back(&path, &file);
  }
  if (hashed_ahead && hashed_ahead->layout() != previous) hashed_ahead = nullptr;
  if (hashed_ahead) hashed_ahead->wait();
  size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 4);
  return parallel_for(blobs.size(), threads, [&](size_t i) {
    const auto& [path, file] = blobs[i];
    return place_blob(*file, dir / *path, previous.empty() ? previous : previous / *path,
                      hashed_ahead);
  });
}

// A tar of the plan: parent directories first, everything sorted, owned by
// 0:0, mtime 0, fixed modes.
Result<void> write_plan_tar(const Plan& plan, fs::ByteSink* out) {
  std::set<std::string> dirs;
  for (const auto& [path, file] : plan)
    for (size_t slash = path.find('/'); slash != std::string::npos;
         slash = path.find('/', slash + 1))
      dirs.insert(path.substr(0, slash));
  std::map<std::string, const PlannedFile*> entries;
  for (const auto& d : dirs) entries[d] = nullptr;
  for (const auto& [path, file] : plan) entries[path] = &file;

  TarWriter tar(out);
  for (const auto& [path, file] : entries) {
    TarHeader h;
    h.path = path;
    if (!file) {
      h.type = EntryType::dir;
      h.mode = 0755;
      PARE_CHECK(tar.add(h));
      continue;
    }
    h.size = file->size;
    if (file->source.empty()) {
      PARE_CHECK(tar.add(h, file->bytes));
    } else {
      PARE_TRY(auto map, fs::MappedFile::open(file->source));
      if (map.size() != file->size || sha256_hex(map.bytes()) != file->sha256)
        return damaged_source(*file);
      PARE_CHECK(tar.add(h, map.bytes()));
    }
  }
  return tar.finish();
}

stdfs::path parent_or_dot(const stdfs::path& p) {
  stdfs::path parent = p.parent_path();
  return parent.empty() ? stdfs::path(".") : parent;
}

Result<void> write_layout_dir(const stdfs::path& dest, const Plan& plan,
                              PreviousBlobs* hashed_ahead) {
  PARE_TRY(auto stage, fs::TempDir::create(parent_or_dot(dest), ".pare-layout"));
  PARE_CHECK(materialize(plan, stage.path(), dest, hashed_ahead));
  stdfs::path staged = stage.release();
  auto published = fs::publish(staged, dest);
  if (!published.ok()) {
    std::error_code ec;
    stdfs::remove_all(staged, ec);
  }
  return published;
}

Result<void> write_tar_file(const stdfs::path& dest, const Plan& plan) {
  PARE_TRY(auto file, fs::AtomicFile::create(dest, 0644));
  PARE_CHECK(write_plan_tar(plan, &file));
  return file.commit();
}

}  // namespace

Result<void> archive_layout(const stdfs::path& layout_dir, const stdfs::path& dest) {
  PARE_CHECK(check_replaceable(OutputFormat::oci_archive, dest));
  Plan plan;
  for (const char* name : {"oci-layout", "index.json"}) {
    PARE_TRY(std::string bytes, fs::read_file(layout_dir / name, uint64_t{16} << 20));
    plan_bytes(plan, name, std::move(bytes));
  }
  std::error_code ec;
  for (const auto& e : stdfs::directory_iterator(layout_dir / "blobs" / "sha256", ec)) {
    std::string hex = e.path().filename().string();
    if (!is_sha256_hex(hex) || !e.is_regular_file())
      return Error(Errc::invalid, e.path().string() + " is not a blob of an OCI layout");
    plan["blobs/sha256/" + hex] = PlannedFile{{}, e.path(), e.file_size(), hex};
  }
  if (ec) return fs::errno_error("reading", layout_dir / "blobs" / "sha256");
  return write_tar_file(dest, plan);
}

Result<OutputFormat> parse_output_format(std::string_view name) {
  if (name == "oci" || name == "oci-layout") return OutputFormat::oci_layout;
  if (name == "oci-archive") return OutputFormat::oci_archive;
  if (name == "docker-archive") return OutputFormat::docker_archive;
  return Error(Errc::invalid, "unknown output format '" + std::string(name) +
                                  "' (expected oci, oci-archive or docker-archive)");
}

const char* output_format_name(OutputFormat format) {
  switch (format) {
    case OutputFormat::oci_layout:
      return "oci";
    case OutputFormat::oci_archive:
      return "oci-archive";
    case OutputFormat::docker_archive:
      return "docker-archive";
  }
  return "oci";
}

Result<void> write_output(OutputFormat format, const std::filesystem::path& dest,
                          const std::vector<TaggedImage>& images, PreviousBlobs* hashed_ahead) {
  auto where = "writing " + std::string(output_format_name(format)) + " " + dest.string();
  PARE_CHECK(check_replaceable(format, dest));
  Result<Plan> plan = format == OutputFormat::docker_archive ? docker_archive_plan(images)
                                                             : oci_layout_plan(images);
  if (!plan.ok()) return plan.error().context(where);
  Result<void> written = format == OutputFormat::oci_layout
                             ? write_layout_dir(dest, plan.value(), hashed_ahead)
                             : write_tar_file(dest, plan.value());
  if (!written.ok()) return written.error().context(where);
  return {};
}

JsonBlob index_blob_for(const TaggedImage& tagged) {
  std::vector<IndexEntry> platforms;
  for (const auto& image : tagged.images) platforms.push_back({image.manifest, image.platform, {}});
  return make_index_blob(platforms, tagged.index_annotations);
}

}  // namespace pare::oci
