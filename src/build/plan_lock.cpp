// Planning from a lockfile, and writing one. The trust rule (DESIGN.md): a
// lockfile selects, a signed index decides the bytes. A lock names each
// package's name, version, architecture and repo; the filename, SHA-256 and
// size always come from the Packages index of the configured mirror, verified
// under its InRelease signature (fetched, or cached and verified again), so a
// lock arriving in a pull request can never make pare fetch or install
// anything an index did not sign. Its own sha256 and size must agree with the
// index's, or the build fails naming the package.
#include <set>

#include "build/base.h"
#include "build/plan.h"
#include "util/log.h"

namespace pare::build {

namespace {

// The lock's fingerprint leaves the debug level out: a lock holds the debug
// packages too, and serves builds with and without debug variants alike. It
// leaves the architectures out too: a lock made for amd64 and arm64 serves a
// build for either (a build for an architecture it lacks says so).
std::string own_fingerprint(const spec::Spec& spec) {
  spec::Spec own = spec;
  own.levels.resize(own_levels(spec));
  own.archs.clear();
  return spec::package_set_fingerprint(own);
}

// "bookworm-updates/main/amd64" (an index label) -> "bookworm-updates/main".
std::string repo_of(const std::string& label) {
  size_t slash = label.rfind('/');
  return slash == std::string::npos ? label : label.substr(0, slash);
}

// The locked packages of one architecture that this build needs, as the
// resolver's selections, with the level each goes to.
Result<std::vector<std::pair<size_t, deb::PackageInfo>>> selections(
    const spec::Spec& spec, const std::vector<spec::LockedPackage>& locked,
    const std::filesystem::path& lock_path) {
  std::vector<std::pair<size_t, deb::PackageInfo>> out;
  for (const auto& lp : locked) {
    // Debug packages are locked always and used only by debug builds.
    if (static_cast<size_t>(lp.level) == own_levels(spec) && own_levels(spec) == spec.levels.size())
      continue;
    if (lp.level < 0 || static_cast<size_t>(lp.level) >= spec.levels.size())
      return Error(Errc::invalid,
                   lock_path.string() + ": " + lp.name + " has a level outside the spec");
    deb::PackageInfo want;
    want.name = lp.name;
    want.version = lp.version;
    want.arch = lp.arch;
    want.repo = lp.repo;
    out.emplace_back(static_cast<size_t>(lp.level), std::move(want));
  }
  return out;
}

Result<void> check_against_index(const spec::LockedPackage& lp, const deb::PackageInfo& signed_,
                                 const std::filesystem::path& lock_path) {
  if (lp.sha256 == signed_.sha256 && lp.size == signed_.size && lp.filename == signed_.filename)
    return {};
  return Error(Errc::integrity,
               lock_path.string() + ": " + lp.name + "=" + lp.version + " (" + lp.arch +
                   "): the lock says " + lp.filename + " SHA-256 " + lp.sha256 + " (" +
                   std::to_string(lp.size) + " bytes), but the signed index " + signed_.repo +
                   " lists " + signed_.filename + " SHA-256 " + signed_.sha256 + " (" +
                   std::to_string(signed_.size) +
                   " bytes): the lock was edited or the archive changed; nothing was fetched");
}

Result<ArchPlan> plan_locked_arch(const spec::Spec& spec,
                                  const std::vector<spec::LockedPackage>& locked,
                                  const std::filesystem::path& lock_path, const std::string& arch,
                                  const std::vector<deb::IndexFile>& indexes,
                                  const Environment& env) {
  PARE_TRY(auto wanted, selections(spec, locked, lock_path));
  std::vector<deb::PackageInfo> names;
  for (const auto& [level, want] : wanted) names.push_back(want);
  PARE_TRY(auto resolver, open_resolver(arch, indexes, env));
  auto found = resolver->locate(names);
  if (!found.ok()) return found.error().context(lock_path.string());
  std::map<std::string, const spec::LockedPackage*> by_name;
  for (const auto& lp : locked) by_name[lp.name] = &lp;
  ArchPlan ap;
  ap.arch = arch;
  ap.levels.resize(spec.levels.size());
  for (size_t i = 0; i < wanted.size(); ++i) {
    PARE_CHECK(check_against_index(*by_name.at(wanted[i].second.name), (*found)[i], lock_path));
    ap.levels[wanted[i].first].push_back(std::move((*found)[i]));
  }
  apply_slices(spec, ap);
  return ap;
}

}  // namespace

spec::Lockfile lockfile_from_plan(const Plan& plan) {
  spec::Lockfile lock;
  lock.fingerprint = own_fingerprint(plan.spec);
  lock.suite = plan.spec.source.suite;
  if (plan.base) lock.base = spec::LockedBase{plan.base->reference, plan.base->digest};
  for (const auto& ap : plan.archs) {
    auto& list = lock.packages[ap.arch];
    for (size_t level = 0; level < ap.levels.size(); ++level)
      for (const auto& p : ap.levels[level])
        if (!p.again) {
          spec::LockedPackage lp;
          lp.name = p.name;
          lp.version = p.version;
          lp.arch = p.arch;
          lp.filename = p.filename;
          lp.sha256 = p.sha256;
          lp.url = p.url();
          lp.repo = repo_of(p.repo);
          lp.size = p.size;
          lp.level = static_cast<int>(level);
          list.push_back(std::move(lp));
        }
  }
  return lock;
}

Result<Plan> plan_from_lockfile(const spec::Spec& spec, const spec::Lockfile& lock,
                                const std::filesystem::path& lock_path, const Environment& env) {
  if (lock.fingerprint != own_fingerprint(spec))
    return Error(
        Errc::invalid,
        lock_path.string() + ": the spec changed since it was locked (run `pare lock` again)");
  for (const auto& arch : spec.archs)
    if (!lock.packages.count(arch))
      return Error(Errc::invalid, lock_path.string() + ": no packages locked for " + arch);
  if (spec.base && (!lock.base || lock.base->reference != spec.base->reference))
    return Error(Errc::invalid, lock_path.string() + ": it pins no base image for from: " +
                                    spec.base->reference + " (run `pare lock` again)");
  PARE_TRY(auto base, plan_base(spec, lock.base ? lock.base->digest : "", env));
  return with_verified_indexes(spec, env, [&](Plan& plan, const IndexesByArch& indexes) {
    plan.base = base;
    for (const auto& arch : spec.archs) {
      auto ap =
          plan_locked_arch(spec, lock.packages.at(arch), lock_path, arch, indexes.at(arch), env);
      if (!ap.ok()) return Result<void>(ap.error());
      if (base) ap->base_digest = base->for_arch(arch)->manifest_digest;
      for (const auto& idx : indexes.at(arch)) plan.index_labels.push_back(idx.label);
      plan.archs.push_back(std::move(*ap));
    }
    return Result<void>();
  });
}

}  // namespace pare::build
