#include "deb/resolver_detail.h"

#include <algorithm>
#include <cstring>
#include <deque>

namespace pare::deb::detail {

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// The dependency ids of a solvable's Depends + Pre-Depends (libsolv keeps both
// in `requires`, separated by a marker).
std::vector<Id> requires_of(Pool* pool, Solvable* s) {
  std::vector<Id> out;
  if (!s->solv_requires_) return out;
  (void)pool;
  for (Id* d = s->repo->idarraydata + s->solv_requires_; *d; ++d)
    if (*d != SOLVABLE_PREREQMARKER) out.push_back(*d);
  return out;
}

void flatten_or(Pool* pool, Id dep, std::vector<Id>& out) {
  if (ISRELDEP(dep)) {
    Reldep* rd = GETRELDEP(pool, dep);
    if (rd->flags == REL_OR) {
      flatten_or(pool, rd->name, out);
      flatten_or(pool, rd->evr, out);
      return;
    }
  }
  out.push_back(dep);
}

std::vector<Id> installed_providers(Pool* pool, Id dep, const std::set<Id>& installed) {
  std::vector<Id> out;
  for (Id* pp = pool_whatprovides_ptr(pool, dep); *pp; ++pp)
    if (installed.count(*pp)) out.push_back(*pp);
  return out;
}

// A dependency as Debian writes it ("debconf (>= 0.5) | debconf-2.0",
// "python3:any"); pool_dep2str would give libsolv's "debconf >= 0.5".
std::string dep_text(Pool* pool, Id dep) {
  if (!ISRELDEP(dep)) return pool_id2str(pool, dep);
  Reldep* rd = GETRELDEP(pool, dep);
  switch (rd->flags) {
    case REL_OR:
      return dep_text(pool, rd->name) + " | " + dep_text(pool, rd->evr);
    case REL_MULTIARCH:
      return dep_text(pool, rd->name) + ":" + pool_id2str(pool, rd->evr);
    case REL_GT:
      return dep_text(pool, rd->name) + " (>> " + pool_id2str(pool, rd->evr) + ")";
    case REL_LT:
      return dep_text(pool, rd->name) + " (<< " + pool_id2str(pool, rd->evr) + ")";
    case REL_EQ:
      return dep_text(pool, rd->name) + " (= " + pool_id2str(pool, rd->evr) + ")";
    case REL_GT | REL_EQ:
      return dep_text(pool, rd->name) + " (>= " + pool_id2str(pool, rd->evr) + ")";
    case REL_LT | REL_EQ:
      return dep_text(pool, rd->name) + " (<= " + pool_id2str(pool, rd->evr) + ")";
    default:
      return pool_dep2str(pool, dep);
  }
}

// Debian package names never contain ':'; the resolver's own stand-ins do.
bool is_real_name(const char* name) {
  return std::strchr(name, ':') == nullptr;
}

}  // namespace

std::string did_you_mean(const std::vector<std::string>& names, const std::string& name) {
  std::string best;
  size_t best_d = 3;
  for (const std::string& n : names) {
    size_t d = edit_distance(n, name);
    if (d < best_d) {
      best_d = d;
      best = n;
    }
  }
  return best.empty() ? "" : " (did you mean " + best + "?)";
}

std::string versions_of(Pool* pool, Id name) {
  std::vector<std::string> vs;
  for (Id p = 2; p < pool->nsolvables; ++p) {
    Solvable* s = pool_id2solvable(pool, p);
    if (s->repo && s->name == name) vs.push_back(pool_id2str(pool, s->evr));
  }
  std::sort(vs.begin(), vs.end(), [pool](const std::string& a, const std::string& b) {
    return pool_evrcmp_str(pool, a.c_str(), b.c_str(), EVRCMP_COMPARE) < 0;  // Debian order
  });
  vs.erase(std::unique(vs.begin(), vs.end()), vs.end());
  std::string out;
  for (const auto& v : vs) out += (out.empty() ? "" : ", ") + v;
  return out.empty() ? "none" : out;
}

Id find_solvable(Pool* pool, const std::string& name, const std::string& version,
                 const std::string& arch) {
  Id name_id = pool_str2id(pool, name.c_str(), 0);
  Id evr = pool_str2id(pool, version.c_str(), 0);
  Id arch_id = pool_str2id(pool, arch.c_str(), 0);
  if (!name_id || !evr) return 0;
  for (Id* pp = pool_whatprovides_ptr(pool, name_id); *pp; ++pp) {
    Solvable* s = pool_id2solvable(pool, *pp);
    if (s->name == name_id && s->evr == evr && (!arch_id || s->arch == arch_id)) return *pp;
  }
  return 0;
}

std::string explain_problems(Solver* solv) {
  std::string out;
  int count = solver_problem_count(solv);
  for (Id problem = 1; problem <= count; ++problem) {
    out += "  - " + std::string(solver_problem2str(solv, problem)) + "\n";
    Queue rules;
    queue_init(&rules);
    solver_findallproblemrules(solv, problem, &rules);
    for (int i = 0; i < rules.count; ++i) {
      Id source, target, dep;
      SolverRuleinfo type = solver_ruleinfo(solv, rules.elements[i], &source, &target, &dep);
      std::string line = solver_problemruleinfo2str(solv, type, source, target, dep);
      if (out.find(line) == std::string::npos) out += "      because " + line + "\n";
    }
    queue_free(&rules);
  }
  return out;
}

std::set<Id> installed_set(Solver* solv) {
  std::set<Id> out;
  Queue q;
  queue_init(&q);
  solver_get_decisionqueue(solv, &q);
  for (int i = 0; i < q.count; ++i)
    if (q.elements[i] > 1) out.insert(q.elements[i]);
  queue_free(&q);
  return out;
}

namespace {

// The package name a dependency names ("libsystemd0" of "libsystemd0 (>= 252)", "python3" of
// "python3:any").
Id dependency_name(Pool* pool, Id dep) {
  while (ISRELDEP(dep)) dep = GETRELDEP(pool, dep)->name;
  return dep;
}

bool provided_by_its_own_name(Pool* pool, Id dep, const std::vector<Id>& providers) {
  Id name = dependency_name(pool, dep);
  return std::any_of(providers.begin(), providers.end(),
                     [&](Id p) { return pool_id2solvable(pool, p)->name == name; });
}

}  // namespace

std::vector<Favour> unmet_preferences(Pool* pool, const std::set<Id>& installed) {
  std::vector<Favour> out;
  for (Id p : installed) {
    Solvable* s = pool_id2solvable(pool, p);
    for (Id dep : requires_of(pool, s)) {
      std::vector<Id> alts;
      flatten_or(pool, dep, alts);
      if (alts.empty()) continue;
      std::vector<Id> providers;
      for (Id* pp = pool_whatprovides_ptr(pool, alts[0]); *pp; ++pp) providers.push_back(*pp);
      if (providers.empty()) continue;
      std::vector<Id> chosen = installed_providers(pool, alts[0], installed);
      // apt takes the package of that name over others that provide the name
      // (libsystemd0, not libelogind0 which provides it).
      if (provided_by_its_own_name(pool, alts[0], providers)) {
        if (!provided_by_its_own_name(pool, alts[0], chosen)) out.push_back({alts[0], true});
        continue;
      }
      // and the first alternative of "a | b" that can be installed.
      if (alts.size() >= 2 && chosen.empty()) out.push_back({alts[0], false});
    }
  }
  return out;
}

PackageInfo solvable_info(Pool* pool, Solvable* s) {
  PackageInfo info;
  info.name = pool_id2str(pool, s->name);
  info.version = pool_id2str(pool, s->evr);
  info.arch = pool_id2str(pool, s->arch);
  unsigned int medianr = 0;
  if (const char* loc = solvable_lookup_location(s, &medianr)) info.filename = loc;
  Id type = 0;
  if (const char* sum = solvable_lookup_checksum(s, SOLVABLE_CHECKSUM, &type);
      sum && type == REPOKEY_TYPE_SHA256)
    info.sha256 = sum;
  info.size = solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, 0);
  info.installed_size = solvable_lookup_num(s, SOLVABLE_INSTALLSIZE, 0);
  if (const char* src = solvable_lookup_str(s, SOLVABLE_SOURCENAME)) info.source = src;
  if (info.source.empty()) info.source = info.name;
  if (const char* sv = solvable_lookup_str(s, SOLVABLE_SOURCEEVR)) info.source_version = sv;
  if (info.source_version.empty()) info.source_version = info.version;
  return info;
}

std::map<std::string, std::vector<std::string>> why_chains(Pool* pool,
                                                           const std::set<Id>& installed,
                                                           const std::vector<std::string>& wanted) {
  // Breadth-first from the requested packages: each package's chain is the
  // shortest path of dependencies that reaches it. Among paths of one length
  // the first in the order the dependencies are written wins, and among
  // several installed providers of one dependency the first by name, so that
  // chains do not depend on the order of solvables in the pool.
  auto providers_by_name = [&](Id dep) {
    std::vector<Id> out = installed_providers(pool, dep, installed);
    std::sort(out.begin(), out.end(), [&](Id a, Id b) {
      return std::strcmp(pool_id2str(pool, pool_id2solvable(pool, a)->name),
                         pool_id2str(pool, pool_id2solvable(pool, b)->name)) < 0;
    });
    return out;
  };
  std::map<Id, Id> parent;
  std::deque<Id> queue;
  for (const auto& name : wanted) {
    Id name_id = pool_str2id(pool, name.c_str(), 0);
    if (!name_id) continue;
    for (Id p : providers_by_name(name_id))
      if (parent.emplace(p, 0).second) queue.push_back(p);
  }
  while (!queue.empty()) {
    Id p = queue.front();
    queue.pop_front();
    for (Id dep : requires_of(pool, pool_id2solvable(pool, p)))
      for (Id q : providers_by_name(dep))
        if (parent.emplace(q, p).second) queue.push_back(q);
  }
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [p, _] : parent) {
    if (!is_real_name(pool_id2str(pool, pool_id2solvable(pool, p)->name)))
      continue;  // exclude stand-ins
    std::vector<std::string> chain;
    for (Id cur = p; cur; cur = parent[cur])
      chain.insert(chain.begin(), pool_id2str(pool, pool_id2solvable(pool, cur)->name));
    out[pool_id2str(pool, pool_id2solvable(pool, p)->name)] = std::move(chain);
  }
  return out;
}

std::vector<CutDependency> cut_dependencies(Pool* pool, const std::set<Id>& installed,
                                            Repo* excluded,
                                            const std::set<std::string>& base_keys) {
  std::vector<CutDependency> out;
  for (Id p : installed) {
    Solvable* s = pool_id2solvable(pool, p);
    if (s->repo == excluded) continue;
    PackageInfo info = solvable_info(pool, s);
    if (base_keys.count(info.key())) continue;
    for (Id dep : requires_of(pool, s)) {
      auto providers = installed_providers(pool, dep, installed);
      if (providers.empty()) continue;
      bool only_excluded = std::all_of(providers.begin(), providers.end(), [&](Id q) {
        return pool_id2solvable(pool, q)->repo == excluded;
      });
      if (!only_excluded) continue;
      std::string stand_in = pool_id2str(pool, pool_id2solvable(pool, providers[0])->name);
      out.push_back({info.name, dep_text(pool, dep), stand_in.substr(stand_in.find(':') + 1)});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.package, a.dependency) < std::tie(b.package, b.dependency);
  });
  return out;
}

}  // namespace pare::deb::detail
