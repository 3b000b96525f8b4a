// The images stage: OCI config and manifest for every (variant, arch), tagged
// "<name>:<variant>", several archs under one tag as an image index.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "build/build.h"
#include "build/sbom_output.h"
#include "oci/layout.h"
#include "vcs/git.h"

namespace pare::build {

// What every image of a build shares besides its plan.
struct ImageMeta {
  int64_t created = 0;              // SOURCE_DATE_EPOCH
  std::optional<vcs::GitInfo> git;  // the spec's checkout (annotations.h)
  // SBOMs (sbom_output.h): made for every image when set, added to `sboms`; the SBOM layer
  // goes on top unless the spec says `sbom: false`.
  SbomMaker* sbom = nullptr;
  std::vector<BuiltSbom>* sboms = nullptr;
};

Result<std::vector<oci::TaggedImage>> make_images(
    const Plan& plan, const std::vector<std::vector<oci::LayerBlob>>& layers,
    const std::vector<std::string>& variants, const ImageMeta& meta);

// `sbom_layer`: each image's top layer is its SBOM's (no packages).
std::vector<ImageSummary> summarize(const Plan& plan, const std::vector<oci::TaggedImage>& images,
                                    bool sbom_layer);

}  // namespace pare::build
