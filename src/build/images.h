// The images stage: OCI config and manifest for every (variant, arch), tagged
// "<name>:<variant>", several archs under one tag as an image index.
#pragma once

#include <string>
#include <vector>

#include "build/build.h"
#include "oci/layout.h"

namespace pare::build {

Result<std::vector<oci::TaggedImage>> make_images(
    const Plan& plan, const std::vector<std::vector<oci::LayerBlob>>& layers,
    const std::vector<std::string>& variants, int64_t created);

std::vector<ImageSummary> summarize(const Plan& plan, const std::vector<oci::TaggedImage>& images);

inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace pare::build
