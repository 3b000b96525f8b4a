// Planning: from a spec to the exact packages of every level for every
// architecture — either by fetching the signed indexes and resolving
// (sources -> index -> resolve), or from a lockfile without any resolving.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "deb/resolver.h"
#include "deb/sources.h"
#include "spec/lockfile.h"
#include "spec/spec.h"
#include "util/http.h"
#include "util/progress.h"

namespace pare::build {

// Side effects the pipeline needs, injected (tests pass fakes).
struct Environment {
  http::Client* http = nullptr;
  Progress* progress = nullptr;  // null = none
  std::function<std::string(const char*)> getenv;
  std::filesystem::path host_root = "/";  // where /etc/apt/sources.list lives
  std::filesystem::path cache_dir;
  bool offline = false;
  Progress& progress_or_null() const { return progress ? *progress : null_progress(); }
};

struct ArchPlan {
  std::string arch;
  std::vector<std::vector<deb::PackageInfo>> levels;  // parallel to Spec::levels
  std::map<std::string, std::vector<std::string>> why;
  std::vector<deb::CutDependency> cut;
};

struct Plan {
  spec::Spec spec;
  std::vector<ArchPlan> archs;
  std::string mirror, security_mirror;  // "" when planned from a lockfile
  std::vector<std::string> index_labels;  // the suites/components that were read
};

// The suites pare reads for a spec: the suite, then -updates and -security as enabled.
struct SuiteSource {
  std::string mirror, suite;
};
Result<std::vector<SuiteSource>> suite_sources(const spec::Spec& spec, const deb::Mirrors& mirrors);

Result<Plan> plan_by_resolving(const spec::Spec& spec, const Environment& env);
Result<Plan> plan_from_lockfile(const spec::Spec& spec, const spec::Lockfile& lock,
                                const std::filesystem::path& lock_path);
spec::Lockfile lockfile_from_plan(const Plan& plan);

// The keyring used to verify Release files: the spec's, else Debian's archive keyring.
std::filesystem::path keyring_for(const spec::Spec& spec);

}  // namespace pare::build
