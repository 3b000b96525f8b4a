#include "build/registry_cache.h"

#include "build/layers.h"
#include "sbom/layer_summary.h"
#include "util/fs.h"
#include "util/log.h"

namespace pare::build {

namespace {

void warn(registry::LayerCache& cache, const std::string& what, const Error& e) {
  PARE_LOG(warn) << "registry cache " << cache.name() << ": " << what << ": " << e.message();
}

}  // namespace

std::optional<oci::LayerBlob> layer_from_registry(registry::LayerCache& cache,
                                                  const std::string& key,
                                                  const std::filesystem::path& cache_dir,
                                                  bool need_bytes) {
  auto found = cache.lookup(key);
  if (!found) {
    warn(cache, "not used for this build", found.error());
    return std::nullopt;
  }
  if (!*found) return std::nullopt;
  const registry::CachedLayer& entry = **found;
  // The summary (what the SBOM is made from) is read and checked as a record before use.
  auto bytes = cache.read_summary(entry);
  auto summary = bytes ? sbom::decode_summary(*bytes) : std::nullopt;
  if (!summary) {
    warn(cache, "summary of " + entry.layer.digest + " (built here instead)",
         bytes ? Error(Errc::invalid, "not a layer summary") : bytes.error());
    return std::nullopt;
  }
  oci::LayerBlob blob = entry.layer;
  blob.file = cache_dir / "blobs" / "sha256" / blob.digest.substr(7);
  if (need_bytes && !fs::exists(blob.file)) {
    if (auto fetched = cache.fetch_layer(entry, blob.file); !fetched) {
      warn(cache, "layer " + blob.digest + " (built here instead)", fetched.error());
      return std::nullopt;
    }
  }
  sbom::store_layer_summary(cache_dir, blob.digest, *summary);
  if (need_bytes) {
    if (auto r = remember_layer(cache_dir, key, blob); !r) warn(cache, "local record", r.error());
  }
  return blob;
}

void add_to_registry(registry::LayerCache& cache, const std::string& key,
                     const oci::LayerBlob& blob, const std::filesystem::path& cache_dir,
                     bool known_missing) {
  if (!cache.writable() || cache.off()) return;
  if (!known_missing) {
    auto found = cache.lookup(key);
    if (!found) {
      warn(cache, "not written", found.error());
      return;
    }
    if (*found) return;
  }
  auto summary = sbom::layer_summary({blob.file, blob.digest}, cache_dir, false);
  if (!summary) {
    warn(cache, "summary of " + blob.digest, summary.error());
    return;
  }
  if (auto stored = cache.store(key, blob, sbom::encode_summary(*summary)); !stored)
    warn(cache, "storing " + blob.digest, stored.error());
}

}  // namespace pare::build
