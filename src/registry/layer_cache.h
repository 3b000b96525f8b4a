// The registry layer cache (`pare build --cache REF`): the layers a build made, kept in a
// registry repository the team already runs, so that a CI runner with an empty disk gets a
// layer another runner built instead of downloading, unpacking and compressing its packages.
//
// One entry per layer key (build/layers.h: the level's packages and their SHA-256s, spec
// settings, local file contents, filters, compressor): an OCI 1.1 artifact manifest
// (artifactType kArtifactType, the empty config) whose layers are the layer blob itself and
// the layer's summary record (sbom/layer_summary.h, what its SBOM is made from), tagged
// "layer-<sha256 of key and pare version>". Why a tag per key and not BuildKit's one index
// mapping every key: a lookup is one GET of a tag; writers never read-modify-write a shared
// document, so runners storing at once cannot lose each other's entries, and two runners
// storing the same key write the same bytes (idempotent). The manifest's annotations repeat
// the key, pare's version and the layer's diff_id; an entry whose annotations do not match
// what was asked is a miss. Every blob is verified against its digest when read; a missing or
// damaged one is a miss, never a wrong image.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "oci/layer.h"
#include "registry/repository.h"

namespace pare::registry {

inline constexpr const char* kLayerCacheArtifactType = "application/vnd.dev.pare.layer-cache.v1";
inline constexpr const char* kLayerSummaryMediaType = "application/vnd.dev.pare.layer-summary.v1";

struct CachedLayer {
  oci::LayerBlob layer;     // digest, size, media type, diff_id (file: unset)
  oci::Descriptor summary;  // the layer's summary record
};

class LayerCache {
 public:
  // `fingerprint` tells builds that must not share entries apart (pare's version).
  LayerCache(Repository repository, bool writable, std::string fingerprint)
      : repo_(std::move(repository)),
        name_(repo_.registry().host() + "/" + repo_.name()),
        writable_(writable),
        fingerprint_(std::move(fingerprint)) {}
  Repository& repository() { return repo_; }
  bool writable() const { return writable_; }
  const std::string& name() const { return name_; }  // "REGISTRY/REPO"

  // The tag an entry for `key` has.
  std::string tag_for(const std::string& key) const;

  // The entry for `key`, its layer blob checked to be there (HEAD); nullopt on a miss
  // (no entry, a foreign or malformed one, a missing blob). When the registry cannot be asked
  // at all, the error is returned once and the cache is off for the rest of the build.
  // An entry found or stored is remembered for the rest of the run: the specs of one
  // `pare build` share their lower levels, and each asks for those keys again.
  Result<std::optional<CachedLayer>> lookup(const std::string& key);
  // The summary record's bytes (verified, at most 64 MiB); remembered for the run.
  Result<std::string> read_summary(const CachedLayer& entry);
  // The layer blob into `dest` (written atomically, verified: Errc::integrity on a mismatch).
  Result<void> fetch_layer(const CachedLayer& entry, const std::filesystem::path& dest);
  // Stores an entry (blobs the repository lacks are uploaded; the manifest put under its
  // tag). Errc::unsupported for a read-only cache.
  Result<void> store(const std::string& key, const oci::LayerBlob& layer, std::string_view summary);

  bool off() const { return off_; }
  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }
  size_t stored() const { return stored_; }

 private:
  void forget(const std::string& layer_digest);  // drops remembered entries of a bad blob
  Result<std::optional<CachedLayer>> parse_entry(const std::string& key, std::string_view bytes);

  Repository repo_;
  std::string name_;
  bool writable_;
  std::string fingerprint_;
  std::atomic<bool> off_{false};
  std::atomic<size_t> hits_{0}, misses_{0}, stored_{0};
  std::mutex known_mutex_;
  std::map<std::string, CachedLayer> known_;      // by key: entries found or stored
  std::map<std::string, std::string> summaries_;  // by summary digest: verified bytes
};

}  // namespace pare::registry
