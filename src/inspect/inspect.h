// `pare inspect IMAGE`: what an image is, from its manifest, config and package records,
// through the one image-reader interface (oci/source.h): its platforms (of an index), its
// execution config, its layers with their sizes and what made each (config history), and how
// many packages its databases record, and its largest files.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oci/image.h"
#include "oci/source.h"

namespace pare::inspect {

struct LayerSummary {
  std::string digest, media_type, created_by;
  uint64_t size = 0;
};

struct ImageSummary {
  std::string reference;  // as given
  std::string digest;     // what it resolved to (index or manifest)
  std::string media_type;
  std::vector<oci::Platform> platforms;  // of an index; one entry for a single image
  std::string manifest_digest;           // the platform shown
  oci::ImageConfig config;
  std::vector<LayerSummary> layers;
  uint64_t compressed_size = 0;  // layers + config
  size_t packages = 0;
  std::string os;                  // "debian 12.8" when its os-release says
  size_t files = 0;                // regular files of the flattened filesystem
  uint64_t uncompressed_size = 0;  // their bytes
  struct File {
    std::string path;
    uint64_t size = 0;
  };
  std::vector<File> largest;  // the ten largest files, largest first
};

// `derived_cache`: where layer summaries are kept (sbom/layer_summary.h; "" = none).
Result<ImageSummary> inspect_image(oci::ImageSource& source, const oci::Descriptor& root,
                                   const std::string& reference,
                                   const std::optional<oci::Platform>& platform,
                                   const std::filesystem::path& derived_cache = {});

}  // namespace pare::inspect
