// One image of any source (source.h) opened so that its layers can be read as files: the
// platform's manifest and config, and every layer where it lies on disk (a layout's blob, in
// place) or, for a remote or archived source, downloaded and verified into a temporary
// directory that lives as long as the object. What sbom, inspect, ls, cat, audit and diff share.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "oci/image.h"
#include "oci/source.h"

namespace pare::oci {

struct ImageOnDisk {
  Descriptor descriptor;  // the platform's manifest
  Manifest manifest;
  ImageConfig config;
  std::vector<std::filesystem::path> layer_files;  // bottom first
  std::unique_ptr<fs::TempDir> scratch;            // downloaded layers, removed with this
  // Where readers keep what they derive from a layer, by its digest (sbom/layer_summary.h):
  // the cache directory, or "" for none.
  std::filesystem::path derived_cache;
};

// `root` is a manifest or an index (then `wanted`'s image is taken; Errc::not_found names the
// platforms it has).
Result<ImageOnDisk> open_image_on_disk(ImageSource& source, const Descriptor& root,
                                       const Platform& wanted);

}  // namespace pare::oci
