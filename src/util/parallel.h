// Runs `count` independent tasks on at most `parallel` threads and returns the first error
// (the others still finish: a task is never abandoned mid-write). Used where the work waits
// on the network (registry HEADs and uploads) or on many small files (hashing a files:
// tree for its layer key), not for the CPU-bound stages, which have their own pools.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "util/result.h"

namespace pare {

inline Result<void> parallel_for(size_t count, size_t parallel,
                                 const std::function<Result<void>(size_t)>& task) {
  std::atomic<size_t> next{0};
  std::mutex mutex;
  std::optional<Error> failure;
  auto worker = [&] {
    for (size_t i; (i = next++) < count;) {
      {
        std::lock_guard lock(mutex);
        if (failure) return;  // stop starting new work after a failure
      }
      Result<void> r = task(i);
      if (!r.ok()) {
        std::lock_guard lock(mutex);
        if (!failure) failure = r.error();
      }
    }
  };
  size_t threads = std::min(count, std::max<size_t>(1, parallel));
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    for (size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (failure) return *failure;
  return {};
}

}  // namespace pare
