#include "build/plan.h"
#include "build/base.h"

#include <algorithm>
#include <cctype>
#include <future>
#include <set>

#include "build/plan_cache.h"
#include "build/run_memo.h"
#include "deb/index.h"
#include "deb/stanza_index.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::build {

namespace {
constexpr const char* kDebianKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
}

bool is_debug_level(const spec::Level& level) {
  return level.file == kDebugLevelFile;
}

bool wants_debug(const std::vector<std::string>& variants) {
  return std::any_of(variants.begin(), variants.end(),
                     [](const auto& v) { return v.rfind("debug", 0) == 0; });
}

void add_debug_level(spec::Spec& spec, const std::vector<std::string>& variants) {
  if (!wants_debug(variants) || (!spec.levels.empty() && is_debug_level(spec.levels.back())))
    return;
  spec::Level level;
  level.file = kDebugLevelFile;
  level.name = "debug";
  level.packages.push_back({kDebugPackage, "", {}, {}});
  spec.levels.push_back(std::move(level));
}

size_t own_levels(const spec::Spec& spec) {
  size_t n = spec.levels.size();
  return n > 0 && is_debug_level(spec.levels.back()) ? n - 1 : n;
}

std::filesystem::path keyring_for(const spec::Spec& spec) {
  if (!spec.source.keyring.empty()) return spec.source.keyring;
  return kDebianKeyring;
}

Result<std::vector<SuiteSource>> suite_sources(const spec::Spec& spec,
                                               const deb::Mirrors& mirrors) {
  const std::string& suite = spec.source.suite;
  std::vector<SuiteSource> out{{mirrors.mirror, suite}};
  if (spec.source.updates) out.push_back({mirrors.mirror, suite + "-updates"});
  if (spec.source.security) {
    if (mirrors.security_mirror.empty())
      PARE_LOG(warn)
          << "no security mirror known (set PARE_SECURITY_MIRROR or source.security-mirror): "
          << suite << "-security is not used";
    else
      out.push_back({mirrors.security_mirror, suite + "-security"});
  }
  return out;
}

namespace {

// Fetch (or find in the cache) every index the spec's architectures need, by
// architecture, each in suite order.
Result<IndexesByArch> fetch_indexes(const spec::Spec& spec, const std::vector<SuiteSource>& sources,
                                    const Environment& env) {
  deb::IndexFetcher fetcher(*env.http, env.cache_dir, env.offline);
  RunMemo own;  // outside a build's run (pare resolve, pare lock): this plan's own
  RunMemo& memo = env.memo ? *env.memo : own;
  // The suites are fetched concurrently: each is a round trip or more to the
  // mirror (InRelease, then Packages when it changed), and the main suite's
  // Packages decompresses while the others arrive. One request per suite
  // covers every architecture: its InRelease is fetched and verified once.
  std::vector<std::future<Result<deb::SuiteIndex>>> fetching;
  for (const auto& src : sources) {
    deb::IndexRequest req{src.mirror, src.suite, spec.source.components, spec.archs,
                          keyring_for(spec)};
    fetching.push_back(std::async(std::launch::async, [&fetcher, &memo, req = std::move(req)] {
      return memo.suite(req, [&] { return fetcher.fetch(req); });
    }));
  }
  IndexesByArch out;
  for (const auto& arch : spec.archs) out[arch];
  for (size_t i = 0; i < sources.size(); ++i) {
    const SuiteSource& src = sources[i];
    auto suite = fetching[i].get();
    if (!suite.ok()) {
      // -updates may legitimately not exist for a suite (e.g. testing): warn, go on.
      if (suite.error().code() == Errc::not_found && src.suite != spec.source.suite) {
        PARE_LOG(warn) << suite.error().message() << " (skipped)";
        continue;
      }
      return suite.error();
    }
    for (const auto& [arch, why] : suite->unavailable) {
      if (src.suite == spec.source.suite) return why;
      PARE_LOG(warn) << why.message() << " (" << src.suite << " skipped for " << arch << ")";
    }
    for (const auto& idx : suite->packages)
      out[idx.arch].push_back(
          {idx.file, idx.sha256, idx.mirror, idx.suite + "/" + idx.component + "/" + idx.arch});
  }
  return out;
}

// Where a resolve failure is placed: the spec file by its path and, when the
// message names one of the level's package entries, that entry's line.
std::string where_unmet(const spec::Level& level, const Error& error, const std::string& arch) {
  const std::string& m = error.message();
  for (const auto& p : level.packages) {
    for (size_t at = m.find(p.name); at != std::string::npos; at = m.find(p.name, at + 1)) {
      auto is_name_char = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.';
      };
      bool whole = (at == 0 || !is_name_char(m[at - 1])) &&
                   (at + p.name.size() == m.size() || !is_name_char(m[at + p.name.size()]));
      if (whole && p.loc.line > 0) return p.loc.str() + " (" + arch + ")";
    }
  }
  return level.file.string() + " (" + arch + ")";
}

// The packages a full install of the base's packages would add: the base went without them.
Result<std::vector<std::string>> missing_from_base(deb::Resolver& resolver, const ArchBase& base,
                                                   const std::string& arch) {
  deb::ResolveRequest all;
  std::set<std::string> has;
  for (const auto& p : base.packages) {
    all.packages.push_back({p.name, p.version});
    has.insert(p.name);
  }
  auto res = resolver.resolve(all);
  if (!res.ok()) return res.error().context("the packages of the from: image (" + arch + ")");
  std::vector<std::string> out;
  for (const auto& p : res->packages)
    if (!has.count(p.name)) out.push_back(p.name);
  return out;
}

Result<ArchPlan> resolve_arch(const spec::Spec& spec, deb::Resolver& resolver,
                              const std::string& arch, const ArchBase* base) {
  ArchPlan plan;
  plan.arch = arch;
  deb::ResolveRequest req;
  // What the `from:` image has counts as installed, at exactly its versions; what its
  // packages depend on but it does not have was left out when it was built (an exclude of
  // its own spec): left out here too, unless a level names it.
  if (base) {
    req.base = base->packages;
    PARE_TRY(req.excludes, missing_from_base(resolver, *base, arch));
  }
  for (size_t i = 0; i < spec.levels.size(); ++i) {
    const spec::Level& level = spec.levels[i];
    req.packages.clear();
    for (const auto& p : level.packages) req.packages.push_back({p.name, p.version});
    for (const auto& x : level.exclude) req.excludes.push_back(x);
    // Asked for by name here: no longer excluded from this level up (spec/load.cpp).
    for (const auto& p : level.packages) std::erase(req.excludes, p.name);
    auto res = resolver.resolve(req);
    if (!res.ok()) return res.error().context(where_unmet(level, res.error(), arch));
    for (const auto& p : res->packages) req.base.push_back(p);
    for (auto& [name, chain] : res->why) plan.why.emplace(name, chain);
    plan.cut.insert(plan.cut.end(), res->cut.begin(), res->cut.end());
    plan.levels.push_back(std::move(res->packages));
  }
  return plan;
}

}  // namespace

void apply_slices(const spec::Spec& spec, ArchPlan& plan) {
  // Where each package is installed, and as which slice, so far.
  std::map<std::string, std::pair<size_t, std::vector<std::string>>> installed;
  for (size_t l = 0; l < plan.levels.size() && l < spec.levels.size(); ++l) {
    std::map<std::string, const spec::PackageRef*> named;
    for (const auto& ref : spec.levels[l].packages) named[ref.name] = &ref;
    std::vector<deb::PackageInfo> again;
    for (auto& p : plan.levels[l]) {
      if (p.again) continue;
      auto it = named.find(p.name);
      if (it != named.end()) p.only = it->second->only;
      installed[p.name] = {l, p.only};
    }
    // Named here but installed below as a slice: this level adds its part.
    for (const auto& [name, ref] : named) {
      auto it = installed.find(name);
      if (it == installed.end() || it->second.first == l || it->second.second.empty()) continue;
      for (const auto& p : plan.levels[it->second.first])
        if (p.name == name) {
          deb::PackageInfo copy = p;
          copy.only = ref->only;
          copy.again = true;
          again.push_back(std::move(copy));
        }
      it->second = {l, ref->only};
    }
    for (auto& p : again) plan.levels[l].push_back(std::move(p));
  }
}

namespace {

struct ArchResolution {
  ArchPlan plan;
  std::vector<std::string> index_labels;
};

// One architecture: its indexes, then the cached resolution or a new one.
Result<ArchResolution> plan_arch(const spec::Spec& spec, const std::string& arch,
                                 const std::vector<deb::IndexFile>& indexes, const Environment& env,
                                 const ArchBase* base) {
  ArchResolution out;
  for (const auto& idx : indexes) out.index_labels.push_back(idx.label);
  std::string key = resolution_key(spec, arch, indexes);
  if (base) key = sha256_hex(key + "\nbase " + base->manifest_digest);
  if (auto cached = cached_resolution(env.cache_dir, key)) {
    out.plan = std::move(*cached);
  } else {
    RunMemo own;  // outside a build's run (pare resolve, pare lock): this plan's own
    RunMemo& memo = env.memo ? *env.memo : own;
    PARE_TRY(auto locked,
             memo.resolver(arch, indexes, [&] { return open_resolver(arch, indexes, env); }));
    PARE_TRY(out.plan, resolve_arch(spec, *locked.resolver, arch, base));
    PARE_CHECK(remember_resolution(env.cache_dir, key, out.plan));
  }
  if (base) out.plan.base_digest = base->manifest_digest;
  apply_slices(spec, out.plan);
  return out;
}

}  // namespace

Result<Plan> with_verified_indexes(
    const spec::Spec& spec, const Environment& env,
    const std::function<Result<void>(Plan&, const IndexesByArch&)>& use) {
  deb::MirrorOverrides overrides{spec.source.mirror, spec.source.security_mirror};
  PARE_TRY(deb::Mirrors mirrors, deb::discover_mirrors(overrides, env.getenv, env.host_root));
  PARE_TRY(auto sources, suite_sources(spec, mirrors));
  // A cached Packages file found damaged when opened is removed there
  // (open_resolver): fetching the indexes again downloads it anew, once.
  for (int attempt = 0;; ++attempt) {
    Plan plan{spec, {}, mirrors.mirror, mirrors.security_mirror, {}, nullptr};
    PARE_TRY(IndexesByArch indexes, fetch_indexes(spec, sources, env));
    auto used = use(plan, indexes);
    if (used.ok()) return plan;
    bool repaired = false;
    for (const auto& [arch, files] : indexes)
      for (const auto& f : files) repaired = repaired || !fs::exists(f.file);
    if (attempt > 0 || !repaired || env.offline) return used.error();
    PARE_LOG(warn) << used.error().message() << "; fetching it again";
    if (env.memo) env.memo->forget_suites();  // the next fetch downloads the removed files
  }
}

Result<std::unique_ptr<deb::Resolver>> open_resolver(const std::string& arch,
                                                     const std::vector<deb::IndexFile>& indexes,
                                                     const Environment& env) {
  PARE_TRY(auto resolver, deb::Resolver::create(arch, deb::stanza_cache_dir(env.cache_dir)));
  std::string damaged;
  for (const auto& idx : indexes) {
    auto added = resolver->add_index(idx);
    if (added.ok()) continue;
    if (added.error().code() != Errc::integrity) return added.error();
    // A damaged cached Packages file: every one is removed, so that one fetch
    // (with_verified_indexes) repairs them all.
    std::error_code ec;
    std::filesystem::remove(idx.file, ec);
    damaged += (damaged.empty() ? "cache: " : "; ") + added.error().message() + ": removed";
  }
  if (!damaged.empty()) return Error(Errc::integrity, damaged);
  return resolver;
}

Result<std::shared_ptr<const BaseImage>> plan_base(const spec::Spec& spec,
                                                   const std::string& pinned,
                                                   const Environment& env) {
  if (!spec.base) return std::shared_ptr<const BaseImage>();
  PARE_CHECK(check_image_base_spec(spec));
  PARE_TRY(BaseImage base, pull_base(spec, pinned, env));
  return std::shared_ptr<const BaseImage>(std::make_shared<BaseImage>(std::move(base)));
}

Result<Plan> plan_by_resolving(const spec::Spec& spec, const Environment& env) {
  PARE_TRY(auto base, plan_base(spec, "", env));
  return with_verified_indexes(spec, env, [&](Plan& plan, const IndexesByArch& indexes) {
    plan.base = base;
    // Architectures are independent (their own indexes and solve): in parallel,
    // gathered in the spec's order.
    std::vector<std::future<Result<ArchResolution>>> planning;
    for (const auto& arch : spec.archs)
      planning.push_back(std::async(std::launch::async, [&spec, &indexes, &env, &base, arch] {
        return plan_arch(spec, arch, indexes.at(arch), env, base ? base->for_arch(arch) : nullptr);
      }));
    std::optional<Error> failed;
    for (auto& f : planning) {
      auto r = f.get();  // every future is waited for, even after a failure
      if (!r.ok()) {
        if (!failed) failed = r.error();
        continue;
      }
      plan.index_labels.insert(plan.index_labels.end(), r->index_labels.begin(),
                               r->index_labels.end());
      plan.archs.push_back(std::move(r->plan));
    }
    if (failed) return Result<void>(*failed);
    return Result<void>();
  });
}

}  // namespace pare::build
