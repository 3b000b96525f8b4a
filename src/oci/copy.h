// Moving an image from any ImageSource to any ImageDestination (source.h): the manifest
// tree (index -> manifests -> config and layers) walked from the root, children before the
// documents that list them, blobs the destination has skipped, missing ones copied in
// parallel. Digests are preserved: the bytes of every document are copied as they are.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "oci/source.h"
#include "util/progress.h"

namespace pare::oci {

struct CopyOptions {
  // Only this platform of an index: the copy's root is then that platform's manifest.
  std::optional<Platform> platform;
  size_t parallel = 8;  // blobs checked and copied at once
  Progress* progress = nullptr;
};

struct CopyResult {
  Descriptor root;  // what the tags name at the destination
  size_t blobs_copied = 0;
  size_t blobs_present = 0;
  size_t blobs_mounted = 0;  // linked from another repository, no bytes sent
  uint64_t bytes_copied = 0;
};

// The manifest of `wanted`'s platform in what `root` names: the index entry for it (an index
// without one is Errc::not_found listing the platforms it has), or `root` itself when it is one
// image (with check_single_image, only when its config says it is for that platform).
Result<Descriptor> select_platform(ImageSource& source, const Descriptor& root,
                                   const Platform& wanted, bool check_single_image);

Result<CopyResult> copy_image(ImageSource& source, const Descriptor& root,
                              ImageDestination& destination, const std::vector<std::string>& tags,
                              const CopyOptions& options = {});

}  // namespace pare::oci
