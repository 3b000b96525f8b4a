#include "build/run_memo.h"

#include <optional>

namespace pare::build {

namespace {

// A length-prefixed field, so no value can imitate another.
void field(std::string& key, const std::string& value) {
  key += std::to_string(value.size()) + ":" + value + ";";
}

std::string suite_key(const deb::IndexRequest& req) {
  std::string key;
  field(key, req.mirror);
  field(key, req.suite);
  field(key, req.keyring.string());
  for (const auto& c : req.components) field(key, "component " + c);
  for (const auto& a : req.archs) field(key, "arch " + a);
  return key;
}

}  // namespace

Result<deb::SuiteIndex> RunMemo::suite(const deb::IndexRequest& req, const FetchSuite& fetch) {
  std::string key = suite_key(req);
  std::shared_future<Result<deb::SuiteIndex>> pending;
  std::optional<std::promise<Result<deb::SuiteIndex>>> mine;
  {
    std::lock_guard lock(mutex_);
    auto it = suites_.find(key);
    if (it != suites_.end()) {
      pending = it->second;
    } else {
      mine.emplace();
      pending = mine->get_future().share();
      suites_.emplace(key, pending);
    }
  }
  if (!mine) return pending.get();  // fetched, or being fetched, by another caller
  auto forget = [&] {
    std::lock_guard lock(mutex_);
    suites_.erase(key);  // the next caller tries again
  };
  try {
    Result<deb::SuiteIndex> got = fetch();
    if (!got.ok()) forget();
    mine->set_value(got);
    return got;
  } catch (...) {  // (bad_alloc): the callers waiting get it too, none waits forever
    forget();
    mine->set_exception(std::current_exception());
    throw;
  }
}

Result<RunMemo::LockedResolver> RunMemo::resolver(const std::string& arch,
                                                  const std::vector<deb::IndexFile>& indexes,
                                                  const OpenResolver& open) {
  std::string key;
  field(key, arch);
  for (const auto& idx : indexes) {
    field(key, idx.file.string());
    field(key, idx.sha256);
    field(key, idx.mirror);
    field(key, idx.label);
  }
  std::shared_ptr<Opened> opened;
  {
    std::lock_guard lock(mutex_);
    auto& slot = resolvers_[key];
    if (!slot) slot = std::make_shared<Opened>();
    opened = slot;
  }
  LockedResolver out{std::unique_lock<std::mutex>(opened->use), nullptr};
  if (!opened->resolver) {
    PARE_TRY(opened->resolver, open());
  }
  out.resolver = opened->resolver.get();
  return out;
}

void RunMemo::forget_suites() {
  std::lock_guard lock(mutex_);
  suites_.clear();
}

}  // namespace pare::build
