// The build's side of the registry layer cache (registry/layer_cache.h): a layer the local
// cache lacks is taken from the registry (its summary always, so that its SBOM is made
// without its bytes; the blob itself only when the output is written locally), and a layer
// this build made is added for the other runners. A registry that fails is a warning and a
// miss: the build goes on without it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "oci/layer.h"
#include "registry/layer_cache.h"

namespace pare::build {

// The layer for `key` from the registry cache, or nullopt. With `need_bytes` the blob is
// downloaded into the local cache (verified; a damaged blob is a miss) and recorded there
// under `key`; without, its file is where it would lie in the local cache and the push mounts
// it from the cache repository.
std::optional<oci::LayerBlob> layer_from_registry(registry::LayerCache& cache,
                                                  const std::string& key,
                                                  const std::filesystem::path& cache_dir,
                                                  bool need_bytes);

// Adds a layer (its blob and summary from the local cache) to a writable registry cache
// unless it has the entry already. Failures are warnings.
void add_to_registry(registry::LayerCache& cache, const std::string& key,
                     const oci::LayerBlob& blob, const std::filesystem::path& cache_dir,
                     bool known_missing);

}  // namespace pare::build
