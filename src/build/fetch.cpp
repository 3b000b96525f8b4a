#include "build/fetch.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "util/cas.h"
#include "util/fs.h"
#include "util/log.h"

namespace pare::build {

std::filesystem::path deb_path(const Environment& env, const std::string& sha256) {
  return ContentStore(env.cache_dir).path_for(sha256);
}

std::string unpacked_key(const deb::PackageInfo& p) {
  std::string key = p.sha256;
  for (const auto& glob : p.only) key += "|" + glob;
  return key;
}

const rootfs::UnpackedPackage* find_unpacked(const UnpackedSet& set, const deb::PackageInfo& p) {
  auto it = set.find(unpacked_key(p));
  return it == set.end() ? nullptr : it->second.get();
}

namespace {

// Unpack workers fed by a queue: the downloader (or the cache) pushes a
// package as soon as its .deb is verified and in place.
class UnpackPool {
 public:
  UnpackPool(const rootfs::FilterOptions& filter, const Environment& env, int threads)
      : filter_(filter), env_(env) {
    for (int t = 0; t < threads; ++t) workers_.emplace_back([this] { work(); });
  }
  // Left without finish() (a download failed): what is still queued is not
  // unpacked; the workers finish the package in hand and stop.
  ~UnpackPool() {
    {
      std::lock_guard lock(mutex_);
      queue_.clear();
    }
    close();
  }

  void push(const deb::PackageInfo* p) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(p);
    }
    cv_.notify_one();
  }

  // No more work: wait for the workers and hand over what they made.
  Result<UnpackedSet> finish() {
    close();
    if (failure_) return *failure_;
    return std::move(out_);
  }
  // After finish(): the forms whose cached .deb was found damaged (and removed).
  const std::vector<const deb::PackageInfo*>& refetch() const { return refetch_; }

 private:
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_)
      if (w.joinable()) w.join();
  }

  void work() {
    for (;;) {
      const deb::PackageInfo* p = nullptr;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return closed_ || !queue_.empty(); });
        if (queue_.empty() || failure_) return;
        p = queue_.front();
        queue_.pop_front();
      }
      rootfs::FilterOptions filter = filter_;
      filter.only = p->only;
      auto deb = deb_path(env_, p->sha256);
      auto unpacked = rootfs::unpack_cached(deb, p->sha256, filter, env_.cache_dir);
      std::lock_guard lock(mutex_);
      if (!unpacked.ok() && unpacked.error().code() == Errc::integrity && !fs::exists(deb)) {
        // A damaged cached .deb, dropped by unpack_cached: download it again.
        if (std::find(refetch_.begin(), refetch_.end(), p) == refetch_.end()) refetch_.push_back(p);
        continue;
      }
      if (!unpacked.ok()) {
        if (!failure_) failure_ = unpacked.error().context(p->key());
        continue;
      }
      out_[unpacked_key(*p)] = std::move(unpacked.value());
      env_.progress_or_null().advance(0);
    }
  }

  const rootfs::FilterOptions& filter_;
  const Environment& env_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<const deb::PackageInfo*> queue_;
  bool closed_ = false;
  std::optional<Error> failure_;
  UnpackedSet out_;
  std::vector<const deb::PackageInfo*> refetch_;
  std::vector<std::thread> workers_;
};

using Forms = std::map<std::string, std::vector<const deb::PackageInfo*>>;  // sha256 -> forms

// One round: download what is not cached, unpack every form of `unique`.
// Forms whose cached .deb turned out damaged (and was removed) go to `refetch`.
Result<UnpackedSet> fetch_round(const std::vector<const deb::PackageInfo*>& unique,
                                const Forms& forms, const rootfs::FilterOptions& filter,
                                const Environment& env, int threads, FetchStats& stats,
                                std::vector<const deb::PackageInfo*>& refetch) {
  std::vector<http::Client::Job> jobs;
  std::vector<const deb::PackageInfo*> cached;
  std::string missing;
  for (const auto* p : unique) {
    auto dest = deb_path(env, p->sha256);
    if (fs::exists(dest)) {
      fs::touch(dest);
      cached.push_back(p);
    } else if (env.offline) {
      missing += "\n  " + p->key() + " (" + p->url() + ")";
    } else {
      jobs.push_back({p->url(), dest, p->sha256, p->size, {}});
      stats.bytes += p->size;
    }
  }
  if (!missing.empty())
    return Error(Errc::offline, "--offline: these packages are not in the cache " +
                                    env.cache_dir.string() + ":" + missing);

  UnpackPool pool(filter, env, std::max(1, threads));
  auto unpack_all_forms = [&pool, &forms](const deb::PackageInfo* p) {
    for (const auto* form : forms.at(p->sha256)) pool.push(form);
  };
  for (const auto* p : cached) unpack_all_forms(p);
  if (!jobs.empty()) {
    for (size_t i = 0, j = 0; i < unique.size(); ++i)
      if (j < jobs.size() && jobs[j].dest == deb_path(env, unique[i]->sha256)) {
        const deb::PackageInfo* p = unique[i];
        jobs[j++].on_done = [&unpack_all_forms, p] { unpack_all_forms(p); };
      }
    Progress& progress = env.progress_or_null();
    progress.begin("fetch", stats.bytes, "B");
    auto r = env.http->download_all(jobs, progress);
    progress.end();
    if (!r.ok() && r.error().code() == Errc::not_found)
      // The signed index lists it, so the mirror is behind or ahead of its own
      // index (or a lockfile outlived the archive): a network-class failure.
      return Error(Errc::network, r.error().message() +
                                      " (the mirror does not serve a package its index lists; "
                                      "retry later, or re-resolve / re-lock)");
    if (!r.ok()) return r.error();
    stats.downloaded += jobs.size();
  }
  auto out = pool.finish();
  refetch = pool.refetch();
  return out;
}

}  // namespace

Result<UnpackedSet> fetch_and_unpack(const std::vector<deb::PackageInfo>& packages,
                                     const rootfs::FilterOptions& filter, const Environment& env,
                                     int threads, FetchStats& stats) {
  // One download per .deb; one unpack per form of it (whole, or each slice).
  std::vector<const deb::PackageInfo*> unique;
  Forms forms;
  std::set<std::string> seen_forms;
  for (const auto& p : packages) {
    if (!seen_forms.insert(unpacked_key(p)).second) continue;
    auto& f = forms[p.sha256];
    if (f.empty()) unique.push_back(&p);
    f.push_back(&p);
  }
  std::sort(unique.begin(), unique.end(),
            [](auto* a, auto* b) { return a->installed_size > b->installed_size; });
  stats.packages = unique.size();
  std::vector<const deb::PackageInfo*> refetch;
  PARE_TRY(UnpackedSet out, fetch_round(unique, forms, filter, env, threads, stats, refetch));
  if (refetch.empty()) return out;
  // Cached .debs found damaged were removed: one more round downloads them anew.
  std::vector<const deb::PackageInfo*> again;
  std::set<std::string> seen;
  for (const auto* p : refetch)
    if (seen.insert(p->sha256).second) {
      PARE_LOG(warn) << "cache: the .deb of " << p->key() << " was damaged: downloading it again";
      again.push_back(p);
    }
  std::vector<const deb::PackageInfo*> still;
  PARE_TRY(UnpackedSet more, fetch_round(again, forms, filter, env, threads, stats, still));
  for (auto& [key, pkg] : more) out[key] = std::move(pkg);
  if (!still.empty())
    return Error(Errc::integrity, "the .deb of " + still.front()->key() +
                                      " was damaged again right after downloading it");
  return out;
}

}  // namespace pare::build
