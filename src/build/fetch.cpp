#include "build/fetch.h"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "util/cas.h"
#include "util/fs.h"

namespace pare::build {

std::filesystem::path deb_path(const Environment& env, const std::string& sha256) {
  return ContentStore(env.cache_dir).path_for(sha256);
}

Result<FetchStats> fetch_packages(const std::vector<deb::PackageInfo>& packages, const Environment& env) {
  FetchStats stats;
  std::vector<http::Client::Job> jobs;
  std::set<std::string> seen;
  std::string missing;
  uint64_t total = 0;
  for (const auto& p : packages) {
    if (!seen.insert(p.sha256).second) continue;
    ++stats.packages;
    auto dest = deb_path(env, p.sha256);
    if (fs::exists(dest)) continue;
    if (env.offline) {
      missing += "\n  " + p.key() + " (" + p.url() + ")";
      continue;
    }
    jobs.push_back({p.url(), dest, p.sha256, p.size});
    total += p.size;
  }
  if (!missing.empty())
    return Error(Errc::offline, "--offline: these packages are not in the cache " + env.cache_dir.string() + ":" + missing);
  if (jobs.empty()) return stats;
  Progress& progress = env.progress_or_null();
  progress.begin("fetch", total, "B");
  auto r = env.http->download_all(jobs, progress);
  progress.end();
  if (!r.ok()) return r.error();
  stats.downloaded = jobs.size();
  stats.bytes = total;
  return stats;
}

Result<UnpackedSet> unpack_packages(const std::vector<deb::PackageInfo>& packages,
                                    const rootfs::FilterOptions& filter, const Environment& env,
                                    int threads) {
  std::vector<const deb::PackageInfo*> todo;
  std::set<std::string> seen;
  for (const auto& p : packages)
    if (seen.insert(p.sha256).second) todo.push_back(&p);
  // Biggest first: the long xz decodes start early and the two cores stay busy.
  std::sort(todo.begin(), todo.end(), [](auto* a, auto* b) { return a->installed_size > b->installed_size; });
  UnpackedSet out;
  std::mutex mutex;
  std::optional<Error> failure;
  std::atomic<size_t> next{0};
  Progress& progress = env.progress_or_null();
  progress.begin("unpack", todo.size(), "packages");
  auto worker = [&] {
    for (size_t i; (i = next++) < todo.size();) {
      {
        std::lock_guard lock(mutex);
        if (failure) return;
      }
      const auto* p = todo[i];
      auto unpacked = rootfs::unpack_cached(deb_path(env, p->sha256), p->sha256, filter, env.cache_dir);
      std::lock_guard lock(mutex);
      if (!unpacked.ok()) {
        if (!failure) failure = unpacked.error().context(p->key());
        return;
      }
      out[p->sha256] = std::move(unpacked.value());
      progress.advance(1);
    }
  };
  int n = std::max(1, std::min<int>(threads, static_cast<int>(todo.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  progress.end();
  if (failure) return *failure;
  return out;
}

}  // namespace pare::build
