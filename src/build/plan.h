// Planning: from a spec to the exact packages of every level for every
// architecture — either by fetching the signed indexes and resolving
// (sources -> index -> resolve), or from a lockfile without any resolving.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "deb/resolver.h"
#include "deb/sources.h"
#include "registry/client.h"
#include "registry/layer_cache.h"
#include "spec/lockfile.h"
#include "spec/spec.h"
#include "util/http.h"
#include "util/progress.h"

namespace pare::build {

class RunMemo;  // run_memo.h

// Side effects the pipeline needs, injected (tests pass fakes).
struct Environment {
  http::Client* http = nullptr;
  Progress* progress = nullptr;  // null = none
  std::function<std::string(const char*)> getenv;
  std::filesystem::path host_root = "/";  // where /etc/apt/sources.list lives
  std::filesystem::path cache_dir;
  bool offline = false;
  registry::RegistryPool* registries = nullptr;  // for `from:` images in registries
  registry::LayerCache* layer_cache = nullptr;   // --cache / --cache-from (registry/layer_cache.h)
  RunMemo* memo = nullptr;  // indexes and resolvers shared by a run's specs (run_memo.h)
  Progress& progress_or_null() const { return progress ? *progress : null_progress(); }
};

struct ArchPlan {
  std::string arch;
  std::string base_digest;  // the `from:` image's manifest for this arch ("" = none)
  std::vector<std::vector<deb::PackageInfo>> levels;  // parallel to Spec::levels
  std::map<std::string, std::vector<std::string>> why;
  std::vector<deb::CutDependency> cut;
};

struct BaseImage;  // build/base.h

struct Plan {
  spec::Spec spec;
  std::vector<ArchPlan> archs;
  std::string mirror, security_mirror;    // "" when planned from a lockfile
  std::vector<std::string> index_labels;  // the suites/components that were read
  std::shared_ptr<const BaseImage> base;  // the `from:` image, when the spec has one
};

// The suites pare reads for a spec: the suite, then -updates and -security as enabled.
struct SuiteSource {
  std::string mirror, suite;
};
Result<std::vector<SuiteSource>> suite_sources(const spec::Spec& spec, const deb::Mirrors& mirrors);

Result<Plan> plan_by_resolving(const spec::Spec& spec, const Environment& env);
// The spec's `from:` image (build/base.h), pulled or found in the cache; null when it has none.
// `pinned`: the digest a lockfile recorded.
Result<std::shared_ptr<const BaseImage>> plan_base(const spec::Spec& spec,
                                                   const std::string& pinned,
                                                   const Environment& env);
// A lockfile selects (name, version, arch, repo); the bytes come from the
// verified indexes of the configured mirror, and a lock whose SHA-256 or size
// differs from the index's is Errc::integrity naming the package. Offline,
// the cached indexes are used after their InRelease is verified again.
Result<Plan> plan_from_lockfile(const spec::Spec& spec, const spec::Lockfile& lock,
                                const std::filesystem::path& lock_path, const Environment& env);
spec::Lockfile lockfile_from_plan(const Plan& plan);

// Shared by the two planners (plan.cpp, plan_lock.cpp). The verified indexes
// of every architecture, each in suite order:
using IndexesByArch = std::map<std::string, std::vector<deb::IndexFile>>;
// runs `use` on a fresh Plan (mirrors set) and the indexes, fetching them
// again once when a damaged cached index was dropped meanwhile;
Result<Plan> with_verified_indexes(
    const spec::Spec& spec, const Environment& env,
    const std::function<Result<void>(Plan&, const IndexesByArch&)>& use);
// a resolver over one architecture's indexes, each checked against its signed hash.
Result<std::unique_ptr<deb::Resolver>> open_resolver(const std::string& arch,
                                                     const std::vector<deb::IndexFile>& indexes,
                                                     const Environment& env);

// Debug variants add one more level on top of the spec's: a static busybox
// under /busybox (the only shell any pare image has). It is a synthetic
// spec::Level so that resolving, locking, fetching and layer caching treat it
// like any other; images of the other variants leave its layer out.
inline constexpr const char* kDebugLevelFile = "<pare:debug>";
inline constexpr const char* kDebugPackage = "busybox-static";
bool is_debug_level(const spec::Level& level);
bool wants_debug(const std::vector<std::string>& variants);
// Appends the debug level when any of `variants` is a debug variant (idempotent).
void add_debug_level(spec::Spec& spec, const std::vector<std::string>& variants);
// How many of the spec's levels are its own (not the debug level).
size_t own_levels(const spec::Spec& spec);

// Marks the packages a spec installs as slices (`only:`) with their globs,
// and for a package sliced in a lower level and named again higher up (with
// or without `only`), adds to that level a copy with `again` set that
// installs what the higher level asks for. Dependencies are never sliced,
// and a slice satisfies other packages' dependencies on its package (pare
// cannot know which of its files a dependent uses: slice with care).
void apply_slices(const spec::Spec& spec, ArchPlan& plan);

// The keyring used to verify Release files: the spec's, else Debian's archive keyring.
std::filesystem::path keyring_for(const spec::Spec& spec);

}  // namespace pare::build
