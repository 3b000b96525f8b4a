// The fetch and unpack stages, overlapped: every package of a plan is
// downloaded once (all architectures together) into the content-addressed
// cache, verified against the SHA-256 of the signed index, and each verified
// .deb is handed at once to a pool of unpack workers (decompressed once into
// the unpacked cache) while the other downloads go on. A package installed
// whole in one place and as a slice in another is downloaded once and
// unpacked once per form. Biggest packages first,
// so the long xz decodes start early and the cores stay busy.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "build/plan.h"
#include "rootfs/unpack.h"

namespace pare::build {

// unpacked_key -> the package's unpacked form.
using UnpackedSet = std::map<std::string, std::unique_ptr<rootfs::UnpackedPackage>>;

// The key of a package's unpacked form in an UnpackedSet: the .deb's SHA-256,
// plus the slice when only part of it is installed.
std::string unpacked_key(const deb::PackageInfo& p);
// The package's unpacked form, or null when it was not unpacked.
const rootfs::UnpackedPackage* find_unpacked(const UnpackedSet& set, const deb::PackageInfo& p);

struct FetchStats {
  size_t packages = 0, downloaded = 0;
  uint64_t bytes = 0;
};

Result<UnpackedSet> fetch_and_unpack(const std::vector<deb::PackageInfo>& packages,
                                     const rootfs::FilterOptions& filter, const Environment& env,
                                     int threads, FetchStats& stats);

std::filesystem::path deb_path(const Environment& env, const std::string& sha256);

}  // namespace pare::build
