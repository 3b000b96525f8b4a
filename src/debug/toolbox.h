// pare's toolbox: an image of nothing but Debian's busybox-static under /busybox (entrypoint
// /busybox/sh, PATH ending in /busybox), built by pare itself on first use from the signed
// archive and kept in the cache as an OCI layout, CACHE/toolbox/<suite>-<archs>/. `pare debug`
// runs it beside a container; its one busybox layer is the layer `add-debug` puts on top of
// any image (byte for byte the layer of pare's own debug variants of that suite).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "build/plan.h"
#include "debug/engine.h"
#include "oci/layout.h"
#include "oci/source.h"

namespace pare::debug {

struct Toolbox {
  std::filesystem::path dir;  // the OCI layout in the cache
  std::unique_ptr<oci::ImageSource> source;
  oci::Descriptor root;  // manifest (one arch) or index
};

// The Debian architecture of an OCI platform (amd64, arm64, armhf, i386, ...); Errc::unsupported
// for a platform Debian does not build.
Result<std::string> debian_arch_for(const oci::Platform& platform);

// The toolbox for `suite` and these Debian architectures, built when the cache has none (or a
// damaged one: every blob is verified before it is returned).
Result<Toolbox> open_toolbox(const build::Environment& env, const std::string& suite,
                             const std::vector<std::string>& debian_archs);

// The toolbox's busybox layer for `platform` (the layer its config's history names
// "pare: debug").
Result<oci::LayerBlob> toolbox_busybox_layer(Toolbox& toolbox, const oci::Platform& platform);

// The toolbox for `platform` in the engine, loaded when it is not there yet; the name to run
// it by ("pare-toolbox:<first 12 hex digits of its manifest digest>").
Result<std::string> load_toolbox(Engine& engine, Toolbox& toolbox, const oci::Platform& platform);

// A single-platform image written as a docker-archive in `dir` and loaded into the engine under
// `name`; the archive is removed afterwards.
Result<void> load_image(Engine& engine, const oci::PlatformImage& image, const std::string& name,
                        const std::filesystem::path& dir);

}  // namespace pare::debug
