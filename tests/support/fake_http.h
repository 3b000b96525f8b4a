// An in-memory http::Client for offline unit tests: URL -> body.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "util/fs.h"
#include "util/http.h"
#include "util/sha256.h"

namespace pare::testing {

class FakeHttp : public http::Client {
 public:
  std::map<std::string, std::string> bodies;
  std::map<std::string, int> hits;
  std::map<std::string, Errc> failures;  // URL -> the error every GET of it gives

  Result<std::string> get(const std::string& url) override {
    std::lock_guard lock(mutex_);
    ++hits[url];
    if (auto f = failures.find(url); f != failures.end())
      return Error(f->second, "injected failure for " + url);
    auto it = bodies.find(url);
    if (it == bodies.end()) return Error(Errc::not_found, "HTTP 404 for " + url);
    return it->second;
  }

  Result<void> download_all(const std::vector<Job>& jobs, Progress& progress) override {
    for (const auto& job : jobs) {
      PARE_TRY(std::string body, get(job.url));
      if (job.size && body.size() != job.size)
        return Error(Errc::integrity, "size mismatch for " + job.url);
      if (!job.sha256.empty() && sha256_hex(body) != job.sha256)
        return Error(Errc::integrity, "SHA-256 mismatch for " + job.url);
      PARE_CHECK(fs::write_file_atomic(job.dest, body));
      progress.advance(body.size());
      if (job.on_done) job.on_done();
    }
    return {};
  }

 private:
  std::mutex mutex_;  // get() may be called from several threads
};

}  // namespace pare::testing
