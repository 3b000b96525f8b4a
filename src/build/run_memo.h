// What one run (`pare build` of several specs: a family is 7) learns once and reuses for every
// spec: each suite's verified indexes (its InRelease fetched and verified once per run, not
// once per spec) and each architecture's resolver over the same index files (the Packages
// files re-hashed and their stanza indexes loaded once per run). Both are keyed on all they
// depend on; nothing outlives the process, so nothing here is trusted across runs.
#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "deb/index.h"
#include "deb/resolver.h"
#include "util/result.h"

namespace pare::build {

class RunMemo {
 public:
  using FetchSuite = std::function<Result<deb::SuiteIndex>()>;
  // The suite index `req` names: `fetch` runs once per run (concurrent callers wait for the
  // first); a failure is not remembered.
  Result<deb::SuiteIndex> suite(const deb::IndexRequest& req, const FetchSuite& fetch);

  // A resolver, locked for its user until the handle goes.
  struct LockedResolver {
    std::unique_lock<std::mutex> lock;
    deb::Resolver* resolver = nullptr;
  };
  using OpenResolver = std::function<Result<std::unique_ptr<deb::Resolver>>()>;
  // The resolver of `arch` over exactly `indexes` (files and SHA-256s): opened once per run;
  // a failure (a damaged index: build/plan.cpp repairs it) is not remembered.
  Result<LockedResolver> resolver(const std::string& arch,
                                  const std::vector<deb::IndexFile>& indexes,
                                  const OpenResolver& open);

  // Forgets every suite index (after a damaged cached Packages file was removed, the next
  // fetch must download it again).
  void forget_suites();

 private:
  struct Opened {
    std::mutex use;
    std::unique_ptr<deb::Resolver> resolver;
  };
  std::mutex mutex_;
  std::map<std::string, std::shared_future<Result<deb::SuiteIndex>>> suites_;
  std::map<std::string, std::shared_ptr<Opened>> resolvers_;
};

}  // namespace pare::build
