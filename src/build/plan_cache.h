// A cache of resolutions: the package set of every level for one arch, keyed
// by everything that decides it (the spec's package-set fingerprint, the arch,
// and the SHA-256 of every Packages index read). An unchanged archive and spec
// then need no libsolv work at all.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "build/plan.h"
#include "deb/resolver.h"

namespace pare::build {

std::string resolution_key(const spec::Spec& spec, const std::string& arch,
                           const std::vector<deb::IndexFile>& indexes);
std::optional<ArchPlan> cached_resolution(const std::filesystem::path& cache_dir,
                                          const std::string& key);
Result<void> remember_resolution(const std::filesystem::path& cache_dir, const std::string& key,
                                 const ArchPlan& plan);

}  // namespace pare::build
