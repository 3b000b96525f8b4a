// The images stage: OCI config and manifest for every (variant, arch), tagged
// "<name>:<variant>", several archs under one tag as an image index.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "build/build.h"
#include "oci/layout.h"
#include "vcs/git.h"

namespace pare::build {

// What every image of a build shares besides its plan.
struct ImageMeta {
  int64_t created = 0;              // SOURCE_DATE_EPOCH
  std::optional<vcs::GitInfo> git;  // the spec's checkout (annotations.h)
};

Result<std::vector<oci::TaggedImage>> make_images(
    const Plan& plan, const std::vector<std::vector<oci::LayerBlob>>& layers,
    const std::vector<std::string>& variants, const ImageMeta& meta);

std::vector<ImageSummary> summarize(const Plan& plan, const std::vector<oci::TaggedImage>& images);

inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace pare::build
