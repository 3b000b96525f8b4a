// Files pare generates for a level's layer (what maintainer scripts and
// distroless's Bazel rules would otherwise produce): the base skeleton
// (accounts, os-release, nsswitch.conf, /tmp, homes, merged-/usr links), the
// dpkg status.d entries scanners read, the CA bundle, and the spec's own
// files, paths and accounts.
#pragma once

#include <string>
#include <vector>

#include "build/fetch.h"
#include "rootfs/assemble.h"

namespace pare::build {

struct LevelContext {
  const spec::Spec& spec;
  const ArchPlan& plan;
  size_t level;
  const UnpackedSet& unpacked;
  bool merged_usr;
};

// Packages whose files are consumed by a native generator: only their
// copyright and status.d entry stay in the image (distroless does the same
// for ca-certificates: the bundle is what matters, not update-ca-certificates).
bool is_bundle_only_package(const std::string& name);

Result<std::vector<rootfs::GeneratedEntry>> generated_entries(const LevelContext& ctx);

// Whether a level changes the accounts / CA bundle (and so regenerates them).
// Without the unpacked packages at hand, the CA bundle counts as changed when
// the level adds spec certificates or the ca-certificates package (the
// generator itself looks for *.crt under usr/share/ca-certificates).
bool level_changes_accounts(const spec::Spec& spec, size_t level);
bool level_changes_ca_bundle(const spec::Spec& spec, const ArchPlan& plan, size_t level);

}  // namespace pare::build
