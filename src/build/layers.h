// The layers stage. Each level of the from: chain (static, base-nossl, base,
// cc, your app...) becomes one layer holding that level's new packages and the
// files generated for them, so an image built `from:` another reuses the lower
// image's layers byte for byte. Layers are cached by a key computed from their
// inputs alone (package SHA-256s, spec settings, local file contents, options),
// so a rebuild that changed nothing needs no download, unpack or compression.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "build/fetch.h"
#include "oci/layer.h"
#include "rootfs/filter.h"
#include "util/compress.h"

namespace pare::build {

struct LayerOptions {
  CompressOptions compress;
  int64_t mtime = 0;  // SOURCE_DATE_EPOCH
  rootfs::FilterOptions filter;
};

struct LevelRef {
  const spec::Spec* spec;
  const ArchPlan* plan;
  size_t level;
};

bool merged_usr_for(const spec::Spec& spec);

// The cache key of a level's layer; reads local files named by the spec.
Result<std::string> layer_key(const LevelRef& ref, const LayerOptions& options);
std::optional<oci::LayerBlob> cached_layer(const std::filesystem::path& cache_dir,
                                           const std::string& key);
Result<void> remember_layer(const std::filesystem::path& cache_dir, const std::string& key,
                            const oci::LayerBlob& blob);

// Writes the layer into the cache's blob store. `unpacked` holds every
// package of this and the lower levels.
Result<oci::LayerBlob> build_layer(const LevelRef& ref, const LayerOptions& options,
                                   const UnpackedSet& unpacked,
                                   const std::filesystem::path& cache_dir);

}  // namespace pare::build
