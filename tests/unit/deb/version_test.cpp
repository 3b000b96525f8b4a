#include "deb/version.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "test_helpers.h"

using pare::deb::compare_versions;
using pare::deb::is_valid_version;

namespace {

int sign(int v) {
  return v < 0 ? -1 : (v > 0 ? 1 : 0);
}

struct Case {
  const char* a;
  const char* b;
  int expected;  // sign of compare_versions(a, b)
};

// Orderings from Debian Policy 5.6.12 and dpkg's own test suite (t-version.c).
const Case kCases[] = {
    {"1.0", "1.0", 0},
    {"1.0", "1.1", -1},
    {"1.10", "1.9", 1},
    {"1.0~rc1", "1.0", -1},
    {"1.0~~", "1.0~~a", -1},
    {"1.0~~a", "1.0~", -1},
    {"1.0~", "1.0", -1},
    {"1.0", "1.0a", -1},
    {"1.0a", "1.0+", -1},  // letters sort before non-letters
    {"1.0+", "1.0.", -1},  // '+' (0x2b) before '.' (0x2e)
    {"1.0.", "1.0.0", 0},  // an empty digit run is 0
    {"1.0-1", "1.0-2", -1},
    {"1.0-1", "1.0", 1},
    {"1.0", "1.0-0", 0},  // a missing revision equals "0"
    {"1.0-0", "1.0-00", 0},
    {"0:1.0", "1.0", 0},
    {"1:1.0", "2.0", 1},
    {"1:0.1", "0:9.9", 1},
    {"2:1.0", "10:1.0", -1},
    {"00001:1", "1:1", 0},
    {"1.001", "1.1", 0},  // digit runs compare numerically
    {"1.0-1ubuntu1", "1.0-1", 1},
    {"1.0-1+b1", "1.0-1", 1},
    {"1.0-1~bpo1", "1.0-1", -1},
    {"2.36-9+deb12u4", "2.36-9+deb12u10", -1},
    {"3.0.11-1~deb12u2", "3.0.11-1", -1},
    {"1.2.3-4-5", "1.2.3-4-6", -1},  // the revision starts after the last '-'
    {"1.2.3-4-5", "1.2.3-5", 1},     // upstream "1.2.3-4" > "1.2.3"
    {"a", "b", -1},
    {"", "", 0},
    {"", "0", 0},
    {"~", "", -1},
    {"1a", "1~", 1},
    {"1:", "1:0", 0},
    // Digit runs longer than any integer type must not overflow.
    {"1.99999999999999999999999999", "1.100000000000000000000000000", -1},
    {"99999999999999999999:1", "99999999999999999998:2", 1},
    {"1.000000000000000000000000000000001", "1.1", 0},
    {"7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1},
    {"1.0+dfsg-1", "1.0-1", 1},
    {"1.0.0~alpha", "1.0.0~beta", -1},
    {"2.0~beta1", "2.0~alpha2", 1},
};

TEST(Version, TableOfOrderings) {
  for (const Case& c : kCases) {
    EXPECT_EQ(sign(compare_versions(c.a, c.b)), c.expected) << c.a << " vs " << c.b;
    EXPECT_EQ(sign(compare_versions(c.b, c.a)), -c.expected) << c.b << " vs " << c.a;
  }
}

TEST(Version, UpstreamDashesOrderBeforeRevision) {
  // "1.2.3-4-5": upstream "1.2.3-4", revision "5"; "1.2.3-5": upstream "1.2.3".
  // Upstream "1.2.3-4" > "1.2.3" since the end of a string sorts before '-'.
  EXPECT_GT(compare_versions("1.2.3-4-1", "1.2.3-9"), 0);
}

TEST(Version, Validity) {
  for (const char* good : {"1", "1.0", "1:2.3-4", "0:1~rc1+dfsg-1.1", "2.36-9+deb12u4", "1.2-3-4",
                           "1:2:3-4", "1.0-1~bpo12+1"})
    EXPECT_TRUE(is_valid_version(good)) << good;
  for (const char* bad :
       {"", "a1.0", ":1.0", "x:1.0", "1.0-", "1:", "1.0-a_b", "1.0 1", "-1", "1.0/2", "1:-1"})
    EXPECT_FALSE(is_valid_version(bad)) << bad;
}

// Versions that exercise every rule; each pair of them is checked against dpkg.
const char* const kDpkgVersions[] = {
    "1.0",
    "1.0-1",
    "1.0-0",
    "1.0~rc1",
    "1.0~~",
    "1.0a",
    "1.0+",
    "1.0.",
    "1.0.0",
    "1:0.9",
    "0:1.0",
    "2:0",
    "1.001",
    "1.10",
    "1.9",
    "1.0-1ubuntu1",
    "1.0-1+b1",
    "1.0-1~bpo1",
    "2.36-9+deb12u4",
    "2.36-9+deb12u10",
    "1.2.3-4-5",
    "1.2.3-5",
    "3.0~",
    "3.0~a~",
    "10.0",
    "9.99999999999999999999",
    "1.0+dfsg-1",
    "1.0.0~alpha",
    "1.0.0~beta",
    "0.0",
};

TEST(Version, AgreesWithDpkg) {
  if (!pare::testing::have_program("dpkg")) GTEST_SKIP() << "dpkg not installed";
  std::vector<std::pair<std::string, std::string>> pairs;
  const size_t n = std::size(kDpkgVersions);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n && pairs.size() < 220; j += 2)
      pairs.emplace_back(kDpkgVersions[i], kDpkgVersions[j]);
  ASSERT_GE(pairs.size(), 200u);

  // One shell for all pairs: prints -1, 0 or 1 per line.
  pare::testing::ScratchDir dir;
  std::string input;
  for (const auto& [a, b] : pairs) input += a + " " + b + "\n";
  pare::testing::write_bytes(dir / "pairs", input);
  std::string script =
      "while read a b; do if dpkg --compare-versions \"$a\" lt \"$b\"; then echo -1; "
      "elif dpkg --compare-versions \"$a\" eq \"$b\"; then echo 0; else echo 1; fi; done";
  ASSERT_EQ(pare::testing::run_shell("(" + script + ") < '" + (dir / "pairs").string() + "' > '" +
                                     (dir / "out").string() + "' 2>/dev/null"),
            0);
  std::string out = pare::testing::read_bytes(dir / "out");
  size_t pos = 0;
  for (const auto& [a, b] : pairs) {
    size_t end = out.find('\n', pos);
    ASSERT_NE(end, std::string::npos) << "dpkg gave fewer answers than pairs";
    int dpkg = std::stoi(out.substr(pos, end - pos));
    pos = end + 1;
    EXPECT_EQ(sign(compare_versions(a, b)), dpkg) << a << " vs " << b;
  }
}

}  // namespace
