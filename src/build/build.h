// The build pipeline, stage by stage (each stage is a module; this file only
// sequences them and times them, as mold does):
//
//   spec ─▶ plan (sources, signed indexes, resolve — or a lockfile)
//        ─▶ layer keys (cache hits skip everything below for that layer)
//        ─▶ fetch (.debs, verified, content-addressed cache)
//        ─▶ unpack (each .deb decompressed once, filtered, cached)
//        ─▶ layers (one per from: level: sorted tar, compressed and hashed in one pass)
//        ─▶ images (config + manifest per variant and arch; index for several archs)
//        ─▶ output (OCI layout, OCI archive or docker-archive, written atomically)
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "build/app_deps.h"
#include "build/layers.h"
#include "build/plan.h"
#include "build/sbom_output.h"
#include "oci/layout.h"

namespace pare::build {

struct BuildOptions {
  // One or more specs; several are built into one output (e.g. the whole
  // family: static, base, cc, python3, ...), sharing the caches, so every
  // package is downloaded and unpacked once.
  std::vector<std::filesystem::path> spec_paths;
  spec::LoadOptions load;
  std::vector<std::string> variants;  // empty: the spec's
  std::filesystem::path output;       // empty: out/<name> (or out/<name>.tar for archives)
  oci::OutputFormat format = oci::OutputFormat::oci_layout;
  std::optional<std::filesystem::path> lockfile;  // build from this lock, no resolving
  LayerOptions layer;
  int threads = 0;  // 0: hardware concurrency
  // Annotate images with the source URL and commit of the git checkout the spec lives in
  // (build/annotations.h); --no-git-annotations turns it off.
  bool git_annotations = true;
  // SPDX and CycloneDX documents beside the output (build/sbom_output.h); --no-sbom: none.
  bool sbom = true;
  // false: no image output is written (`build --push` with a registry cache and no -o): the
  // images are returned in BuildResult::built for the push, whose layers from the registry
  // cache are then mounted, never downloaded.
  bool write_output = true;
};

struct StageTime {
  std::string stage;
  double seconds = 0;
};

struct ImageSummary {
  std::string tag;
  std::string digest;  // manifest (one arch) or index digest
  std::vector<std::string> archs;
  uint64_t compressed_size = 0;  // layers + config, summed over archs
  size_t layers = 0, packages = 0;
};

// With several architectures, each tag names an image index, and "<tag>-<arch>"
// (e.g. "python3:debug-arm64") names that architecture's image alone.
std::vector<oci::TaggedImage> with_arch_tags(const std::vector<oci::TaggedImage>& images,
                                             const std::vector<std::string>& archs);

struct BuildResult {
  std::filesystem::path output;
  std::filesystem::path sbom_dir;  // "" when no SBOMs were written
  std::vector<SbomFiles> sboms;    // one entry per image described
  std::vector<ImageSummary> images;
  std::vector<StageTime> times;
  size_t layers_built = 0, layers_cached = 0;
  size_t layers_from_registry = 0;  // of layers_cached: taken from the registry cache
  size_t packages_downloaded = 0;
  std::vector<oci::TaggedImage> built;  // the images, when write_output is false
  std::vector<LevelDeps> app_deps;      // what auto-deps found, per level of each spec
};

Result<BuildResult> run_build(const BuildOptions& options, const Environment& env);

// `pare resolve`: the plan only.
Result<Plan> run_resolve(const std::filesystem::path& spec_path, const spec::LoadOptions& load,
                         const Environment& env);

// `pare lock`: resolve and write the lockfile; returns its path.
Result<std::filesystem::path> run_lock(const std::filesystem::path& spec_path,
                                       const spec::LoadOptions& load,
                                       const std::optional<std::filesystem::path>& out,
                                       const Environment& env);

}  // namespace pare::build
