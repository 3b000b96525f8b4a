// `pare add-debug`: any image, pare's or not, gets a debug variant without a rebuild. Every
// original layer is kept byte for byte; on top goes the toolbox's busybox layer (/busybox), the
// config's PATH gains /busybox and its entrypoint becomes /busybox/sh (as in pare's and
// distroless's :debug images). Everything else in the config is kept.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "build/plan.h"
#include "oci/layout.h"
#include "oci/source.h"
#include "util/fs.h"

namespace pare::debug {

inline constexpr const char* kDebugHistory = "pare add-debug: busybox (/busybox)";

// One platform's image with `busybox` on top (pure: config and manifest rewritten, layers
// appended). Docker-typed manifests get Docker's layer media type; an OCI manifest records the
// image it was made from in org.opencontainers.image.base.digest. `created` is the history
// entry's date (SOURCE_DATE_EPOCH).
Result<oci::PlatformImage> with_debug_layer(const oci::PlatformImage& image,
                                            const oci::LayerBlob& busybox, int64_t created);

struct AddDebugOptions {
  std::optional<oci::Platform> platform;  // only this platform of an index
  std::string suite = "bookworm";         // whose busybox-static
  int64_t created = 0;
};

// The images: kept alive with the copies their layers are read from.
struct DebugImages {
  fs::TempDir work;
  std::vector<oci::PlatformImage> images;
};

// Every platform of what `root` names (attestation entries of an index, platform
// unknown/unknown, are left out), copied from `source` (verified) into a work directory in
// `work_parent`, each with the toolbox's busybox layer for its architecture on top.
Result<DebugImages> make_debug_images(const build::Environment& env, oci::ImageSource& source,
                                      const oci::Descriptor& root, const AddDebugOptions& options,
                                      const std::filesystem::path& work_parent);

}  // namespace pare::debug
