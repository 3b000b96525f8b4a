#include "registry/layer_cache.h"

#include "oci/manifest.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::registry {

namespace {

constexpr const char* kKeyAnnotation = "dev.pare.cache.key";
constexpr const char* kVersionAnnotation = "dev.pare.cache.pare-version";
constexpr const char* kDiffIdAnnotation = "dev.pare.cache.diff-id";
constexpr uint64_t kMaxSummaryBytes = uint64_t{64} << 20;

bool is_digest_of_sha256(const std::string& d) {
  return d.size() == 71 && d.rfind("sha256:", 0) == 0 && is_sha256_hex(d.substr(7));
}

}  // namespace

std::string LayerCache::tag_for(const std::string& key) const {
  return "layer-" + sha256_hex(key + "\n" + fingerprint_);
}

Result<std::optional<CachedLayer>> LayerCache::parse_entry(const std::string& key,
                                                           std::string_view bytes) {
  auto m = oci::parse_manifest(bytes);
  auto miss = [&](const std::string& why) -> Result<std::optional<CachedLayer>> {
    PARE_LOG(warn) << "registry cache " << name() << ": entry " << tag_for(key) << " " << why
                   << ": ignored";
    ++misses_;
    return std::optional<CachedLayer>();
  };
  if (!m) return miss("is no manifest (" + m.error().message() + ")");
  auto annotation = [&](const char* name) {
    auto it = m->annotations.find(name);
    return it == m->annotations.end() ? std::string() : it->second;
  };
  if (m->artifact_type != kLayerCacheArtifactType || m->layers.size() != 2)
    return miss("is not a pare layer cache entry");
  if (annotation(kKeyAnnotation) != key || annotation(kVersionAnnotation) != fingerprint_)
    return miss("was made for another key or pare version");
  CachedLayer entry;
  const oci::Descriptor& layer = m->layers[0];
  entry.layer.media_type = layer.media_type;
  entry.layer.digest = layer.digest;
  entry.layer.size = layer.size;
  entry.layer.diff_id = annotation(kDiffIdAnnotation);
  entry.summary = m->layers[1];
  if (!is_digest_of_sha256(entry.layer.digest) || !is_digest_of_sha256(entry.layer.diff_id) ||
      !is_digest_of_sha256(entry.summary.digest) || entry.summary.size > kMaxSummaryBytes ||
      entry.summary.media_type != kLayerSummaryMediaType)
    return miss("has malformed descriptors");
  return std::optional<CachedLayer>(std::move(entry));
}

Result<std::optional<CachedLayer>> LayerCache::lookup(const std::string& key) {
  if (off_) return std::optional<CachedLayer>();
  {
    std::lock_guard lock(known_mutex_);
    if (auto it = known_.find(key); it != known_.end()) {
      ++hits_;
      return std::optional<CachedLayer>(it->second);
    }
  }
  auto got = repo_.get_manifest(tag_for(key));
  if (!got) {
    if (got.error().code() == Errc::not_found) {
      ++misses_;
      return std::optional<CachedLayer>();
    }
    off_ = true;
    return got.error();
  }
  PARE_TRY(auto entry, parse_entry(key, got->second));
  if (!entry) return entry;
  PARE_TRY(bool present, repo_.has_blob(entry->layer.digest));
  if (!present) {
    PARE_LOG(warn) << "registry cache " << name() << ": layer " << entry->layer.digest
                   << " of entry " << tag_for(key) << " is missing: built again";
    ++misses_;
    return std::optional<CachedLayer>();
  }
  repo_.registry().remember_blob(entry->layer.digest, repo_.name());  // a push mounts it
  ++hits_;
  std::lock_guard lock(known_mutex_);
  known_.emplace(key, *entry);
  return entry;
}

Result<std::string> LayerCache::read_summary(const CachedLayer& entry) {
  {
    std::lock_guard lock(known_mutex_);
    if (auto it = summaries_.find(entry.summary.digest); it != summaries_.end()) return it->second;
  }
  std::string out;
  fs::StringSink sink(out, kMaxSummaryBytes);
  PARE_CHECK(repo_.get_blob(entry.summary, sink));
  std::lock_guard lock(known_mutex_);
  summaries_.emplace(entry.summary.digest, out);
  return out;
}

Result<void> LayerCache::fetch_layer(const CachedLayer& entry, const std::filesystem::path& dest) {
  oci::Descriptor d{
      entry.layer.media_type, entry.layer.digest, entry.layer.size, std::nullopt, "", {}};
  PARE_TRY(fs::AtomicFile file, fs::AtomicFile::create(dest));
  if (auto got = repo_.get_blob(d, file); !got) {  // verified while it streams
    forget(entry.layer.digest);                    // asked again, it is looked up afresh
    return got.error();
  }
  return file.commit();
}

void LayerCache::forget(const std::string& layer_digest) {
  std::lock_guard lock(known_mutex_);
  std::erase_if(known_, [&](const auto& kv) { return kv.second.layer.digest == layer_digest; });
}

Result<void> LayerCache::store(const std::string& key, const oci::LayerBlob& layer,
                               std::string_view summary) {
  if (!writable_)
    return Error(Errc::unsupported, "registry cache " + name() + " is read-only (--cache-from)");
  oci::Descriptor layer_d{layer.media_type, layer.digest, layer.size, std::nullopt, "", {}};
  PARE_TRY(bool has_layer, repo_.has_blob(layer.digest));
  if (!has_layer) {
    PARE_CHECK(repo_.upload_blob(layer_d, http::FileRange{layer.file, 0, layer.size}, {}, nullptr));
    repo_.registry().remember_blob(layer.digest, repo_.name());
  }
  oci::Descriptor summary_d{kLayerSummaryMediaType,
                            "sha256:" + sha256_hex(summary),
                            summary.size(),
                            std::nullopt,
                            "",
                            {}};
  PARE_CHECK(repo_.put_small_blob(summary_d, summary));
  oci::Manifest m;
  m.media_type = oci::media::kOciManifest;
  m.artifact_type = kLayerCacheArtifactType;
  PARE_TRY(m.config, repo_.put_empty_config());
  m.layers = {layer_d, summary_d};
  m.annotations = {{kKeyAnnotation, key},
                   {kVersionAnnotation, fingerprint_},
                   {kDiffIdAnnotation, layer.diff_id}};
  PARE_CHECK(
      repo_.put_manifest(tag_for(key), oci::media::kOciManifest, oci::serialize_manifest(m)));
  ++stored_;
  std::lock_guard lock(known_mutex_);
  oci::LayerBlob described = layer;
  described.file.clear();  // an entry names no local file (see CachedLayer)
  known_.emplace(key, CachedLayer{std::move(described), summary_d});
  summaries_.emplace(summary_d.digest, std::string(summary));
  return {};
}

}  // namespace pare::registry
