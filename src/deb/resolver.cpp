// libsolv-backed Resolver. See resolver.h for the semantics.
//
// Excludes: every excluded name gets a stand-in solvable ("pare-excluded:X")
// that provides X at every version the index has, plus X's own provides, so
// that dependencies on X count as satisfied; the real X is locked out. After
// the solve, dependencies that only the stand-in satisfies are reported.
#include "deb/resolver.h"

#include <strings.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <deque>
#include <random>
#include <set>
#include <string_view>

#include "deb/resolver_detail.h"
#include "util/fs.h"
#include "util/http.h"
#include "util/log.h"

namespace pare::deb {

std::string PackageInfo::url() const {
  return http::join_url(mirror, filename);
}

namespace {

constexpr const char* kExcludedPrefix = "pare-excluded:";
// Bumped whenever what pare stores in a .solv changes (2: Size and source versions).
constexpr int kSolvCacheFormat = 2;

class SolvResolver : public Resolver {
 public:
  SolvResolver(std::string arch, std::filesystem::path cache)
      : arch_(std::move(arch)), cache_(std::move(cache)) {
    pool_ = pool_create();
    pool_setdisttype(pool_, DISTTYPE_DEB);
    pool_setarch(pool_, arch_.c_str());
  }
  ~SolvResolver() override { pool_free(pool_); }

  Result<void> add_index(const IndexFile& index) override;
  Result<Resolution> resolve(const ResolveRequest& request) override;
  size_t package_count() const override { return static_cast<size_t>(pool_->nsolvables - 2); }

 private:
  Result<void> load_packages(Repo* repo, const IndexFile& index);
  bool load_solv_cache(Repo* repo, const std::filesystem::path& path);
  void write_solv_cache(Repo* repo, const std::filesystem::path& path);
  Result<void> add_want_jobs(const ResolveRequest& req, detail::Jobs& jobs);
  Result<void> add_base_jobs(const ResolveRequest& req, detail::Jobs& jobs);
  Repo* add_excluded_repo(const std::vector<std::string>& excludes, detail::Jobs& jobs);
  Result<std::set<Id>> solve_favouring_first_alternatives(detail::Jobs& jobs);
  PackageInfo info_for(Id p) const;

  std::string arch_;
  std::filesystem::path cache_;
  Pool* pool_;
  std::map<Repo*, IndexFile> indexes_;
};

bool SolvResolver::load_solv_cache(Repo* repo, const std::filesystem::path& path) {
  FILE* fp = std::fopen(path.c_str(), "rb");
  if (!fp) return false;
  int rc = repo_add_solv(repo, fp, 0);
  std::fclose(fp);
  if (rc != 0) {
    PARE_LOG(warn) << "ignoring unreadable index cache " << path.string();
    repo_empty(repo, 1);
    return false;
  }
  return true;
}

void SolvResolver::write_solv_cache(Repo* repo, const std::filesystem::path& path) {
  if (!fs::ensure_dir(path.parent_path()).ok()) return;
  auto tmp = path;
  tmp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}());
  FILE* fp = std::fopen(tmp.c_str(), "wb");
  if (!fp) return;
  bool ok = repo_write(repo, fp) == 0;
  ok = (std::fclose(fp) == 0) && ok;
  // The cache is an optimisation: a failure to write it is not an error.
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) ::unlink(tmp.c_str());
}

// Fields libsolv's Debian parser (repo_deb.c) skips but a PackageInfo needs:
// the version of "Source: name (version)", which binNMUs and packages built
// from a differently versioned source have (python3 3.11.2-1+b1 comes from
// python3-defaults 3.11.2-1), and "Size" (the .deb's size, for the lockfile
// and progress). The parser adds one solvable per stanza with a Package
// field, in file order (stanzas end at an empty line, as in repo_deb.c), so
// the stanzas map onto the solvables from `first` on; a name mismatch stops.
void add_skipped_fields(Pool* pool, Repodata* data, Id first, std::string_view text) {
  auto value_of = [](std::string_view line) {
    std::string_view v = line.substr(line.find(':') + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
      v.remove_suffix(1);
    return v;
  };
  auto is_field = [](std::string_view line, std::string_view tag) {
    return line.size() > tag.size() && line[tag.size()] == ':' &&
           strncasecmp(line.data(), tag.data(), tag.size()) == 0;
  };
  Id next = first;
  std::string_view package, source_version;
  unsigned long long size = 0;
  auto end_stanza = [&]() -> bool {
    if (package.empty()) return true;
    if (next >= pool->nsolvables ||
        pool_id2str(pool, pool_id2solvable(pool, next)->name) != package)
      return false;
    if (!source_version.empty())
      repodata_set_str(data, next, SOLVABLE_SOURCEEVR, std::string(source_version).c_str());
    if (size) repodata_set_num(data, next, SOLVABLE_DOWNLOADSIZE, size);
    ++next;
    package = source_version = {};
    size = 0;
    return true;
  };
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) {
      if (!end_stanza()) return;
    } else if (is_field(line, "Package")) {
      package = value_of(line);
    } else if (is_field(line, "Size")) {
      std::string_view v = value_of(line);
      auto r = std::from_chars(v.data(), v.data() + v.size(), size);
      if (r.ec != std::errc() || r.ptr != v.data() + v.size()) size = 0;
    } else if (is_field(line, "Source")) {
      std::string_view v = value_of(line);
      size_t open = v.find('('), close = v.find(')');
      if (open != std::string_view::npos && close != std::string_view::npos && close > open) {
        source_version = v.substr(open + 1, close - open - 1);
        while (!source_version.empty() && source_version.front() == ' ')
          source_version.remove_prefix(1);
        while (!source_version.empty() && source_version.back() == ' ')
          source_version.remove_suffix(1);
      }
    }
  }
  end_stanza();
}

Result<void> SolvResolver::load_packages(Repo* repo, const IndexFile& index) {
  PARE_TRY(std::string text, fs::read_file(index.file));
  FILE* fp = std::fopen(index.file.c_str(), "rb");
  if (!fp) return fs::errno_error("cannot open package index", index.file);
  Id first = pool_->nsolvables;
  int rc = repo_add_debpackages(repo, fp, REPO_NO_INTERNALIZE);
  std::fclose(fp);
  if (rc != 0)
    return Error(Errc::invalid,
                 "cannot parse package index " + index.file.string() + ": " + pool_errstr(pool_));
  if (Repodata* data = repo_last_repodata(repo)) add_skipped_fields(pool_, data, first, text);
  return {};
}

Result<void> SolvResolver::add_index(const IndexFile& index) {
  Repo* repo = repo_create(pool_, index.label.c_str());
  std::filesystem::path solv;
  if (!cache_.empty() && !index.sha256.empty())
    solv = cache_ / (index.sha256 + "-" + std::to_string(LIBSOLV_VERSION_MAJOR) + "-" +
                     std::to_string(kSolvCacheFormat) + ".solv");
  bool cached = !solv.empty() && load_solv_cache(repo, solv);
  if (!cached) {
    PARE_CHECK(load_packages(repo, index));
    repo_internalize(repo);
    if (!solv.empty()) write_solv_cache(repo, solv);
  }
  indexes_[repo] = index;
  return {};
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
                                      detail::did_you_mean(pool_, want.name));
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
    if (!p)
      return Error(Errc::resolve,
                   "package " + base.key() +
                       " (from the image this one builds on) is no longer in the index");
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
  if (auto it = indexes_.find(s->repo); it != indexes_.end()) {
    info.mirror = it->second.mirror;
    info.repo = it->second.label;
  }
  return info;
}

Result<Resolution> SolvResolver::resolve(const ResolveRequest& request) {
  detail::Jobs jobs;
  Repo* fake = add_excluded_repo(request.excludes, jobs);
  struct Cleanup {
    Repo* r;
    ~Cleanup() { repo_free(r, 1); }
  } cleanup{fake};
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
                                                   const std::filesystem::path& solv_cache_dir) {
  if (arch.empty()) return Error(Errc::invalid, "no architecture given to the resolver");
  return std::unique_ptr<Resolver>(new SolvResolver(arch, solv_cache_dir));
}

}  // namespace pare::deb
