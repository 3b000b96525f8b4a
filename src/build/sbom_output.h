// The SBOMs a build writes beside its output (#12): for every image and architecture an SPDX
// 2.3 and a CycloneDX 1.6 document, OUT.sbom/<name>_<variant>_<arch>.spdx.json and .cdx.json.
// The packages are read from the image's own layers by the one package-metadata reader
// (sbom/image_files.h: what scanners will see), then given what only the build knows: the
// .deb's SHA-256 from the signed index, its download location, and a slice's kept paths.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "deb/resolver.h"
#include "oci/layout.h"

namespace pare::build {

// "name=version:arch" (deb::PackageInfo::key()) -> what the plan says of that package.
using PackageFacts = std::map<std::string, deb::PackageInfo>;

// OUT.sbom for an output at OUT.
std::filesystem::path sbom_dir_for(const std::filesystem::path& output);
// Whether the SBOM directory may be replaced: absent, empty, or holding only SBOM files.
Result<void> check_sbom_dir_replaceable(const std::filesystem::path& dir);

struct SbomFiles {
  std::string manifest_digest;  // the image the documents describe
  std::filesystem::path spdx, cyclonedx;
};

// Writes every distinct image's documents (a per-arch tag repeats its index's manifests: one
// document each) into dir, staged and moved into place; returns where each image's went.
Result<std::vector<SbomFiles>> write_sboms(const std::vector<oci::TaggedImage>& images,
                                           const PackageFacts& facts, int64_t created,
                                           const std::filesystem::path& dir);

}  // namespace pare::build
