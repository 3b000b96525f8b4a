// The fetch and unpack stages: download every package of a plan once (all
// architectures together) into the content-addressed cache, verified against
// the SHA-256 of the signed index, then unpack each once into the unpacked
// cache, several at a time.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "build/plan.h"
#include "rootfs/unpack.h"

namespace pare::build {

// SHA-256 of a .deb -> its unpacked form.
using UnpackedSet = std::map<std::string, std::unique_ptr<rootfs::UnpackedPackage>>;

struct FetchStats {
  size_t packages = 0, downloaded = 0;
  uint64_t bytes = 0;
};

// Only the packages for which `needed` is true (others' layers are cached).
Result<FetchStats> fetch_packages(const std::vector<deb::PackageInfo>& packages, const Environment& env);
Result<UnpackedSet> unpack_packages(const std::vector<deb::PackageInfo>& packages,
                                    const rootfs::FilterOptions& filter, const Environment& env,
                                    int threads);

std::filesystem::path deb_path(const Environment& env, const std::string& sha256);

}  // namespace pare::build
