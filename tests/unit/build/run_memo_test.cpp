// A run's specs share each suite's verified indexes and each architecture's resolver.
#include "build/run_memo.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace pare::build {
namespace {

deb::IndexRequest request(const std::string& suite) {
  return {"http://mirror.invalid/debian", suite, {"main"}, {"amd64", "arm64"}, "/keyring.gpg"};
}

TEST(RunMemo, EachSuiteIsFetchedOncePerRunAndAFailureIsNotKept) {
  RunMemo memo;
  std::atomic<int> fetches{0};
  auto fetch = [&] {
    ++fetches;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    deb::SuiteIndex s;
    s.release.suite = "bookworm";
    return Result<deb::SuiteIndex>(s);
  };
  // Four callers at once (the suites of several specs): one fetch, every caller its answer.
  std::vector<std::thread> callers;
  std::atomic<int> answered{0};
  for (int i = 0; i < 4; ++i)
    callers.emplace_back([&] {
      auto r = memo.suite(request("bookworm"), fetch);
      if (r.ok() && r->release.suite == "bookworm") ++answered;
    });
  for (auto& t : callers) t.join();
  EXPECT_EQ(fetches, 1);
  EXPECT_EQ(answered, 4);
  // Another suite, or the same with other architectures, is another fetch.
  ASSERT_TRUE(memo.suite(request("bookworm-updates"), fetch).ok());
  auto one_arch = request("bookworm");
  one_arch.archs = {"amd64"};
  ASSERT_TRUE(memo.suite(one_arch, fetch).ok());
  EXPECT_EQ(fetches, 3);
  // A failure is returned, not remembered: the next caller fetches again.
  int failing = 0;
  auto fail = [&] {
    ++failing;
    return Result<deb::SuiteIndex>(Error(Errc::network, "mirror unreachable"));
  };
  EXPECT_FALSE(memo.suite(request("trixie"), fail).ok());
  EXPECT_FALSE(memo.suite(request("trixie"), fail).ok());
  EXPECT_EQ(failing, 2);
  // After forget_suites (a damaged Packages file was removed) every suite is fetched anew.
  memo.forget_suites();
  ASSERT_TRUE(memo.suite(request("bookworm"), fetch).ok());
  EXPECT_EQ(fetches, 4);
}

TEST(RunMemo, AResolverIsOpenedOncePerArchitectureAndIndexSet) {
  RunMemo memo;
  int opened = 0;
  auto open = [&] {
    ++opened;
    return deb::Resolver::create("amd64", "");
  };
  std::vector<deb::IndexFile> indexes = {
      {"/cache/Packages-a", std::string(64, 'a'), "http://m", "bookworm/main"}};
  deb::Resolver* first = nullptr;
  {
    auto r = memo.resolver("amd64", indexes, open);
    ASSERT_TRUE(r.ok());
    first = r->resolver;
  }
  {
    auto r = memo.resolver("amd64", indexes, open);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->resolver, first) << "the same resolver, not opened again";
  }
  EXPECT_EQ(opened, 1);
  auto changed = indexes;
  changed[0].sha256 = std::string(64, 'b');  // another archive state: another resolver
  ASSERT_TRUE(memo.resolver("amd64", changed, open).ok());
  ASSERT_TRUE(memo.resolver("arm64", indexes, open).ok());
  EXPECT_EQ(opened, 3);
  // A resolver that could not be opened (a damaged index) is not remembered.
  auto damaged = [&] {
    ++opened;
    return Result<std::unique_ptr<deb::Resolver>>(Error(Errc::integrity, "damaged"));
  };
  indexes[0].file = "/cache/Packages-c";
  EXPECT_FALSE(memo.resolver("amd64", indexes, damaged).ok());
  ASSERT_TRUE(memo.resolver("amd64", indexes, open).ok());
  EXPECT_EQ(opened, 5);
}

}  // namespace
}  // namespace pare::build
