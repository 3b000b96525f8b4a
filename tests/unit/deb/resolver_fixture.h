// The fixture shared by the resolver tests: small Packages files written into
// a temp dir, resolved with libsolv in Debian semantics.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "deb/resolver.h"
#include "support/deb_builder.h"
#include "util/sha256.h"

// A named namespace (not an anonymous one): the test files share one fixture
// class, as GoogleTest requires for one test suite.
namespace pare::deb::resolver_testing {

using pare::testing::packages_stanza;
using pare::testing::TempTree;
using Want = ResolveRequest::Want;

const std::string kMirror = "http://mirror.test/debian";
const std::string kSecurityMirror = "http://security.test/debian-security";

class ResolverTest : public ::testing::Test {
 protected:
  // Writes a Packages file and describes it as an IndexFile.
  IndexFile index(const std::string& text, const std::string& label = "bookworm/main",
                  const std::string& mirror = kMirror) {
    std::string file = label;
    std::replace(file.begin(), file.end(), '/', '_');
    auto path = tmp_ / (file + "-" + std::to_string(++counter_) + ".Packages");
    pare::testing::write_text(path, text);
    return IndexFile{path, sha256_hex(text), mirror, label};
  }

  std::unique_ptr<Resolver> resolver(const std::vector<IndexFile>& indexes,
                                     const std::filesystem::path& cache = {},
                                     const std::string& arch = "amd64") {
    auto r = Resolver::create(arch, cache);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
    for (const auto& i : indexes) {
      auto added = (*r)->add_index(i);
      EXPECT_TRUE(added.ok()) << (added.ok() ? "" : added.error().message());
    }
    return std::move(r.value());
  }

  Result<Resolution> resolve(const std::string& packages, ResolveRequest req) {
    auto r = resolver({index(packages)});
    return r->resolve(req);
  }

  static ResolveRequest want(std::vector<Want> w, std::vector<std::string> excludes = {}) {
    ResolveRequest req;
    req.packages = std::move(w);
    req.excludes = std::move(excludes);
    return req;
  }

  TempTree tmp_{"pare-resolver"};
  int counter_ = 0;
};

// "name=version" of every resolved package, in the resolution's order.
inline std::vector<std::string> keys(const Resolution& r) {
  std::vector<std::string> out;
  for (const auto& p : r.packages) out.push_back(p.name + "=" + p.version);
  return out;
}

inline std::vector<std::string> V(std::initializer_list<const char*> l) {
  return {l.begin(), l.end()};
}

inline std::string message_of(const Result<Resolution>& r) {
  return r.ok() ? "(resolved)" : r.error().message();
}

}  // namespace pare::deb::resolver_testing
