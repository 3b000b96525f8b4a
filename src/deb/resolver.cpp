// libsolv-backed Resolver. See resolver.h for the semantics.
//
// What libsolv sees is not the whole suite. Each index stays a mapped
// Packages text with a StanzaIndex (built once, cached by the text's SHA-256).
// A resolve gathers the stanzas its request can reach -- the wanted, base and
// excluded names, then every alternative of every Depends / Pre-Depends of
// each stanza reached, each name looked up as a package and as a provided
// name -- and builds a fresh pool of those alone, in index order and file
// order, as the whole pool would hold them. A package outside that closure
// satisfies nothing the request needs, so the solver never installs it, and
// its conflicts matter only if installed: the answer is the whole pool's.
// Loading a few hundred stanzas takes milliseconds; the whole of bookworm
// took 0.9 s to parse, or 0.15 s from a .solv cache (bench/README.md).
//
// Excludes: every excluded name gets a stand-in solvable ("pare-excluded:X")
// that provides X at every version the index has, plus X's own provides, so
// that dependencies on X count as satisfied; the real X is locked out (and
// its own dependencies are not followed). After the solve, dependencies that
// only the stand-in satisfies are reported.
#include "deb/resolver.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>
#include <set>
#include <string_view>

#include "deb/decompress.h"
#include "deb/resolver_detail.h"
#include "deb/stanza_index.h"
#include "util/checked.h"
#include "util/fs.h"
#include "util/http.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::deb {

std::string PackageInfo::url() const {
  return http::join_url(mirror, filename);
}

namespace {

constexpr const char* kExcludedPrefix = "pare-excluded:";

struct LoadedIndex {
  IndexFile file;
  std::unique_ptr<const std::string> text;  // the stanzas are views into it
  StanzaIndex stanzas;
};

// Per index, the stanzas a request can reach, ascending.
using Reach = std::vector<std::vector<uint32_t>>;

class SolvResolver : public Resolver {
 public:
  SolvResolver(std::string arch, std::filesystem::path cache)
      : arch_(std::move(arch)), cache_(std::move(cache)) {}
  ~SolvResolver() override { free_pool(); }

  Result<void> add_index(const IndexFile& index) override;
  Result<std::vector<PackageInfo>> locate(const std::vector<PackageInfo>& wanted) override;
  Result<Resolution> resolve(const ResolveRequest& request) override;
  size_t package_count() const override;

 private:
  Result<StanzaIndex> stanza_index(const IndexFile& index, std::string_view text);
  Reach reachable(const ResolveRequest& req) const;
  Result<void> new_pool(const Reach& reach);
  void free_pool();
  std::string did_you_mean(const std::string& name) const;
  Result<void> add_want_jobs(const ResolveRequest& req, detail::Jobs& jobs);
  Result<void> add_base_jobs(const ResolveRequest& req, detail::Jobs& jobs);
  Repo* add_excluded_repo(const std::vector<std::string>& excludes, detail::Jobs& jobs);
  Result<std::set<Id>> solve_favouring_first_alternatives(detail::Jobs& jobs);
  PackageInfo info_for(Id p) const;

  std::string arch_;
  std::filesystem::path cache_;
  std::vector<std::unique_ptr<LoadedIndex>> indexes_;
  Pool* pool_ = nullptr;                     // the pool of the resolve under way
  std::map<Repo*, const IndexFile*> repos_;  // its repositories' indexes
};

// Fields libsolv's Debian parser (repo_deb.c) skips but a PackageInfo needs:
// the version of "Source: name (version)", which binNMUs and packages built
// from a differently versioned source have (python3 3.11.2-1+b1 comes from
// python3-defaults 3.11.2-1), and "Size" (the .deb's size, for the lockfile
// and progress). The parser made one solvable per stanza, in order, from
// `first` on; a name mismatch stops.
void add_skipped_fields(Pool* pool, Repodata* data, Id first,
                        const std::vector<std::string_view>& stanzas) {
  Id next = first;
  for (std::string_view stanza : stanzas) {
    if (next >= pool->nsolvables ||
        pool_id2str(pool, pool_id2solvable(pool, next)->name) != package_name(stanza))
      return;
    std::string_view size_text = field_value(stanza, "Size");
    unsigned long long size = 0;
    auto r = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size);
    if (r.ec == std::errc() && r.ptr == size_text.data() + size_text.size() && size)
      repodata_set_num(data, next, SOLVABLE_DOWNLOADSIZE, size);
    std::string_view source = field_value(stanza, "Source");
    size_t open = source.find('('), close = source.find(')');
    if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
      std::string_view version = source.substr(open + 1, close - open - 1);
      while (!version.empty() && version.front() == ' ') version.remove_prefix(1);
      while (!version.empty() && version.back() == ' ') version.remove_suffix(1);
      if (!version.empty())
        repodata_set_str(data, next, SOLVABLE_SOURCEEVR, std::string(version).c_str());
    }
    ++next;
  }
}

// The stanza index is an optimisation: a cache that cannot be read or
// written is rebuilt from the text (tens of milliseconds), never an error.
Result<StanzaIndex> SolvResolver::stanza_index(const IndexFile& index, std::string_view text) {
  std::filesystem::path cached;
  if (!cache_.empty() && !index.sha256.empty()) cached = stanza_cache_file(cache_, index.sha256);
  if (!cached.empty()) {
    if (auto record = fs::read_checked(cached, uint64_t{1} << 30);
        record.state == fs::CheckedState::ok) {
      // The index keeps views into the Packages text only, never into these bytes.
      auto loaded = StanzaIndex::load(record.payload, text);
      if (loaded.ok()) return loaded;
      PARE_LOG(warn) << "ignoring unreadable index cache " << cached.string() << ": "
                     << loaded.error().message();
    }
  }
  StanzaIndex built = StanzaIndex::build(text);
  if (!cached.empty()) cache_stanza_index(cache_, index.sha256, built.serialize());
  return built;
}

Result<void> SolvResolver::add_index(const IndexFile& index) {
  // Read into memory, not mapped: the bytes every later resolve reads are the bytes hashed
  // here, whatever happens to the cached file meanwhile (a run keeps its resolvers for all
  // its specs: build/run_memo.h). Held on the heap before the stanza index takes views into
  // it (a moved short string would leave them dangling).
  auto read = fs::read_file(index.file, kMaxDecompressedIndex);
  if (!read.ok()) return read.error().context("cannot read package index " + index.file.string());
  auto text = std::make_unique<const std::string>(std::move(*read));
  // The text must still be what the verified Release lists (a cached file may
  // have been damaged since): ~25 ms for bookworm's main. It also keys the
  // stanza index cache, which must never describe other text.
  if (!index.sha256.empty() && sha256_hex(*text) != index.sha256)
    return Error(Errc::integrity, "the package index " + index.file.string() + " (" + index.label +
                                      ") does not match its signed hash");
  PARE_TRY(StanzaIndex stanzas, stanza_index(index, *text));
  indexes_.push_back(
      std::make_unique<LoadedIndex>(LoadedIndex{index, std::move(text), std::move(stanzas)}));
  return {};
}

size_t SolvResolver::package_count() const {
  size_t n = 0;
  for (const auto& idx : indexes_) n += idx->stanzas.size();
  return n;
}

Reach SolvResolver::reachable(const ResolveRequest& req) const {
  std::set<std::string_view> excluded(req.excludes.begin(), req.excludes.end());
  std::set<std::string_view> seen_names;
  std::vector<std::string_view> queue;
  auto reach_name = [&](std::string_view name) {
    if (seen_names.insert(name).second) queue.push_back(name);
  };
  for (const auto& w : req.packages) reach_name(w.name);
  for (const auto& b : req.base) reach_name(b.name);
  for (const auto& x : req.excludes) reach_name(x);

  std::vector<std::set<uint32_t>> seen(indexes_.size());  // per index, ascending
  while (!queue.empty()) {
    std::string_view name = queue.back();
    queue.pop_back();
    for (size_t i = 0; i < indexes_.size(); ++i)
      for (uint32_t s : indexes_[i]->stanzas.lookup(name)) {
        if (!seen[i].insert(s).second) continue;
        std::string_view stanza = indexes_[i]->stanzas.stanza(s);
        if (excluded.count(package_name(stanza))) continue;
        for (std::string_view dep : dependency_names(stanza)) reach_name(dep);
      }
  }
  Reach reach;
  for (const auto& s : seen) reach.emplace_back(s.begin(), s.end());
  return reach;
}

void SolvResolver::free_pool() {
  if (pool_) pool_free(pool_);
  pool_ = nullptr;
  repos_.clear();
}

Result<void> SolvResolver::new_pool(const Reach& reach) {
  free_pool();
  pool_ = pool_create();
  pool_setdisttype(pool_, DISTTYPE_DEB);
  pool_setarch(pool_, arch_.c_str());
  for (size_t i = 0; i < indexes_.size(); ++i) {
    if (reach[i].empty()) continue;
    const LoadedIndex& idx = *indexes_[i];
    std::vector<std::string_view> stanzas;
    std::string text;
    for (uint32_t s : reach[i]) {
      stanzas.push_back(idx.stanzas.stanza(s));
      text.append(stanzas.back());
      text.append(!text.empty() && text.back() == '\n' ? "\n" : "\n\n");
    }
    Repo* repo = repo_create(pool_, idx.file.label.c_str());
    FILE* fp = fmemopen(text.data(), text.size(), "r");
    if (!fp) return fs::errno_error("cannot read stanzas of", idx.file.file);
    Id first = pool_->nsolvables;
    int rc = repo_add_debpackages(repo, fp, REPO_NO_INTERNALIZE);
    std::fclose(fp);
    if (rc != 0)
      return Error(Errc::invalid, "cannot parse package index " + idx.file.file.string() + ": " +
                                      pool_errstr(pool_));
    if (Repodata* data = repo_last_repodata(repo)) add_skipped_fields(pool_, data, first, stanzas);
    repo_internalize(repo);
    repos_[repo] = &idx.file;
  }
  return {};
}

std::string SolvResolver::did_you_mean(const std::string& name) const {
  std::vector<std::string> names;
  for (const auto& idx : indexes_)
    idx->stanzas.for_each_package_name([&](std::string_view n) { names.emplace_back(n); });
  return detail::did_you_mean(names, name);
}

Repo* SolvResolver::add_excluded_repo(const std::vector<std::string>& excludes,
                                      detail::Jobs& jobs) {
  Repo* fake = repo_create(pool_, "@excluded");
  for (const auto& name : excludes) {
    Id name_id = pool_str2id(pool_, name.c_str(), 1);
    Id sid = repo_add_solvable(fake);
    Solvable* sv = pool_id2solvable(pool_, sid);
    sv->name = pool_str2id(pool_, (kExcludedPrefix + name).c_str(), 1);
    sv->evr = pool_str2id(pool_, "0", 1);
    sv->arch = ARCH_ALL;
    sv->provides = repo_addid_dep(fake, sv->provides, name_id, 0);
    for (Id p = 2; p < fake->start; ++p) {
      Solvable* s = pool_id2solvable(pool_, p);
      if (!s->repo || s->name != name_id) continue;
      sv->provides =
          repo_addid_dep(fake, sv->provides, pool_rel2id(pool_, name_id, s->evr, REL_EQ, 1), 0);
      if (s->provides)
        for (Id* d = s->repo->idarraydata + s->provides; *d; ++d)
          sv->provides = repo_addid_dep(fake, sv->provides, *d, 0);
    }
    jobs.add(SOLVER_INSTALL | SOLVER_SOLVABLE, sid);
    jobs.add(SOLVER_LOCK | SOLVER_SOLVABLE_NAME, name_id);
  }
  repo_internalize(fake);
  return fake;
}

Result<void> SolvResolver::add_want_jobs(const ResolveRequest& req, detail::Jobs& jobs) {
  std::set<std::string> excluded(req.excludes.begin(), req.excludes.end());
  for (const auto& want : req.packages) {
    if (excluded.count(want.name))
      return Error(Errc::invalid, "package " + want.name + " is both requested and excluded");
    Id name_id = pool_str2id(pool_, want.name.c_str(), 0);
    bool has_name = false, has_provider = false;
    if (name_id) {
      for (Id* pp = pool_whatprovides_ptr(pool_, name_id); *pp; ++pp) {
        has_provider = true;
        if (pool_id2solvable(pool_, *pp)->name == name_id) has_name = true;
      }
    }
    if (!has_provider)
      return Error(Errc::resolve, "package " + want.name + " is not in the index for " + arch_ +
                                      did_you_mean(want.name));
    if (!want.version.empty()) {
      Id rel = pool_rel2id(pool_, name_id, pool_str2id(pool_, want.version.c_str(), 1), REL_EQ, 1);
      if (!*pool_whatprovides_ptr(pool_, rel))
        return Error(Errc::resolve,
                     "package " + want.name + " has no version " + want.version +
                         " in the index (available: " + detail::versions_of(pool_, name_id) + ")");
      jobs.add(SOLVER_INSTALL | SOLVER_SOLVABLE_NAME, rel);
    } else {
      jobs.add(SOLVER_INSTALL | (has_name ? SOLVER_SOLVABLE_NAME : SOLVER_SOLVABLE_PROVIDES),
               name_id);
    }
  }
  return {};
}

Result<void> SolvResolver::add_base_jobs(const ResolveRequest& req, detail::Jobs& jobs) {
  for (const auto& base : req.base) {
    Id p = detail::find_solvable(pool_, base.name, base.version, base.arch);
    if (!p) {
      std::string others = detail::versions_of(pool_, pool_str2id(pool_, base.name.c_str(), 0));
      return Error(Errc::resolve,
                   "package " + base.key() +
                       " (from the image this one builds on) is not in the index" +
                       (others == "none" ? "" : "; the index has " + base.name + " " + others) +
                       " (build the base again, or build on a base of this suite's versions)");
    }
    jobs.add(SOLVER_INSTALL | SOLVER_SOLVABLE, p);
  }
  return {};
}

Result<std::set<Id>> SolvResolver::solve_favouring_first_alternatives(detail::Jobs& jobs) {
  // Debian (apt) takes the first alternative of "a | b" that can be satisfied,
  // and a real package over others providing its name; libsolv has its own
  // preferences. Favour what apt would take and solve again until the choice
  // is stable.
  std::set<std::pair<Id, bool>> favoured;
  for (int round = 0; round < 8; ++round) {
    Solver* solv = solver_create(pool_);
    solver_set_flag(solv, SOLVER_FLAG_IGNORE_RECOMMENDED, 1);
    if (solver_solve(solv, jobs.queue()) != 0) {
      std::string text = detail::explain_problems(solv);
      solver_free(solv);
      return Error(Errc::resolve, "the package set cannot be satisfied:\n" + text);
    }
    std::set<Id> installed = detail::installed_set(solv);
    solver_free(solv);
    bool changed = false;
    for (const auto& f : detail::unmet_preferences(pool_, installed))
      if (favoured.insert({f.dep, f.by_name}).second) {
        jobs.add(SOLVER_FAVOR | (f.by_name ? SOLVER_SOLVABLE_NAME : SOLVER_SOLVABLE_PROVIDES),
                 f.dep);
        changed = true;
      }
    if (!changed) return installed;
  }
  return Error(Errc::internal, "the choice among alternatives did not settle");
}

PackageInfo SolvResolver::info_for(Id p) const {
  Solvable* s = pool_id2solvable(pool_, p);
  PackageInfo info = detail::solvable_info(pool_, s);
  if (auto it = repos_.find(s->repo); it != repos_.end()) {
    info.mirror = it->second->mirror;
    info.repo = it->second->label;
  }
  return info;
}

Result<std::vector<PackageInfo>> SolvResolver::locate(const std::vector<PackageInfo>& wanted) {
  // Only the stanzas answering to the wanted names, no dependencies: nothing is solved.
  std::vector<std::set<uint32_t>> seen(indexes_.size());
  for (const auto& w : wanted)
    for (size_t i = 0; i < indexes_.size(); ++i)
      for (uint32_t s : indexes_[i]->stanzas.lookup(w.name)) seen[i].insert(s);
  Reach reach;
  for (const auto& s : seen) reach.emplace_back(s.begin(), s.end());
  PARE_CHECK(new_pool(reach));
  pool_createwhatprovides(pool_);
  std::vector<PackageInfo> out;
  for (const auto& w : wanted) {
    Id name = pool_str2id(pool_, w.name.c_str(), 0);
    Id evr = pool_str2id(pool_, w.version.c_str(), 0);
    Id arch = pool_str2id(pool_, w.arch.c_str(), 0);
    Id found = 0;
    for (Id* pp = name && evr ? pool_whatprovides_ptr(pool_, name) : nullptr; pp && *pp; ++pp) {
      Solvable* s = pool_id2solvable(pool_, *pp);
      if (s->name != name || s->evr != evr || s->arch != arch) continue;
      auto repo = repos_.find(s->repo);
      if (!w.repo.empty() &&
          (repo == repos_.end() || repo->second->label.rfind(w.repo + "/", 0) != 0))
        continue;
      found = *pp;
      break;
    }
    if (!found)
      return Error(Errc::resolve,
                   w.key() + (w.repo.empty() ? "" : " from " + w.repo) +
                       " is in no signed index read (" + std::to_string(indexes_.size()) +
                       " read); the archive no longer has it: run `pare lock` again");
    out.push_back(info_for(found));
  }
  return out;
}

Result<Resolution> SolvResolver::resolve(const ResolveRequest& request) {
  PARE_CHECK(new_pool(reachable(request)));
  detail::Jobs jobs;
  Repo* fake = add_excluded_repo(request.excludes, jobs);
  pool_addfileprovides(pool_);
  pool_createwhatprovides(pool_);
  PARE_CHECK(add_want_jobs(request, jobs));
  PARE_CHECK(add_base_jobs(request, jobs));
  PARE_TRY(std::set<Id> installed, solve_favouring_first_alternatives(jobs));

  std::set<std::string> base_keys;
  for (const auto& b : request.base) base_keys.insert(b.key());
  Resolution out;
  std::vector<Id> wanted_roots;
  for (Id p : installed) {
    Solvable* s = pool_id2solvable(pool_, p);
    if (s->repo == fake) continue;
    PackageInfo info = info_for(p);
    if (base_keys.count(info.key())) continue;
    if (info.sha256.empty())
      return Error(Errc::integrity, "the index has no SHA256 for " + info.key());
    out.packages.push_back(std::move(info));
  }
  std::sort(out.packages.begin(), out.packages.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  std::vector<std::string> want_names;
  for (const auto& w : request.packages) want_names.push_back(w.name);
  out.why = detail::why_chains(pool_, installed, want_names);
  out.cut = detail::cut_dependencies(pool_, installed, fake, base_keys);
  return out;
}

}  // namespace

Result<std::unique_ptr<Resolver>> Resolver::create(const std::string& arch,
                                                   const std::filesystem::path& cache_dir) {
  if (arch.empty()) return Error(Errc::invalid, "no architecture given to the resolver");
  return std::unique_ptr<Resolver>(new SolvResolver(arch, cache_dir));
}

}  // namespace pare::deb
