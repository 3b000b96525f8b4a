// The SBOM of any image, through the one image-reader interface (oci/source.h): its layers
// (where a source holds them on disk, read in place; otherwise downloaded, verified, to a
// temporary directory that is removed afterwards), their metadata files flattened
// (image_files.h), and the image's own identity (manifest digest, layers).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "oci/image_files_on_disk.h"
#include "oci/source.h"
#include "sbom/document.h"

namespace pare::sbom {

struct ImageSbomOptions {
  std::string name;                       // how the document names the image
  std::optional<oci::Platform> platform;  // which image of an index (default: linux/amd64)
  std::filesystem::path derived_cache;    // layer summaries kept here ("" = none)
};

// The image `root` names in `source` (a manifest, or an index from which the platform is
// taken) described as an SbomImage. Errc::not_found names the platforms an index has when the
// one asked for is not among them.
Result<SbomImage> image_sbom(oci::ImageSource& source, const oci::Descriptor& root,
                             const ImageSbomOptions& options);

// The same for an image already opened (its layers on disk).
Result<SbomImage> image_sbom(const oci::ImageOnDisk& image, const ImageSbomOptions& options);

}  // namespace pare::sbom
