#include "deb/decompress.h"

#include <gtest/gtest.h>

#include "test_helpers.h"

using namespace pare;
using namespace pare::deb;
using pare::testing::compress_with;
using pare::testing::have_program;

namespace {

std::string sample_packages() {
  std::string s;
  for (int i = 0; i < 2000; ++i)
    s += "Package: pkg" + std::to_string(i) + "\nVersion: 1." + std::to_string(i) + "\n\n";
  return s;
}

struct Tool {
  const char* program;
  const char* command;
  const char* extension;
};

const Tool kTools[] = {{"xz", "xz", ".xz"},
                       {"gzip", "gzip -n", ".gz"},
                       {"zstd", "zstd -q", ".zst"},
                       {"bzip2", "bzip2", ".bz2"}};

TEST(Decompress, EveryFormatRoundTrips) {
  const std::string plain = sample_packages();
  for (const Tool& t : kTools) {
    if (!have_program(t.program)) continue;
    std::string packed = compress_with(t.command, plain);
    ASSERT_NE(packed, plain);
    auto r = decompress_index(packed, std::string("main/binary-amd64/Packages") + t.extension);
    ASSERT_TRUE(r.ok()) << t.extension << ": " << r.error().message();
    EXPECT_EQ(*r, plain) << t.extension;
  }
}

TEST(Decompress, PlainNamesAreReturnedAsTheyAre) {
  auto r = decompress_index("Package: a\n", "main/binary-amd64/Packages");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "Package: a\n");
}

TEST(Decompress, CompressedEmptyFileIsEmpty) {
  if (!have_program("xz")) GTEST_SKIP();
  auto r = decompress_index(compress_with("xz", ""), "Packages.xz");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->empty());
}

TEST(Decompress, WrongFormatTruncatedAndEmptyInputAreErrors) {
  auto wrong = decompress_index("Package: a\n", "Packages.xz");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), Errc::invalid);
  EXPECT_NE(wrong.error().message().find("Packages.xz"), std::string::npos);
  EXPECT_FALSE(decompress_index("", "Packages.gz").ok());
  if (!have_program("gzip")) return;
  std::string gz = compress_with("gzip -n", sample_packages());
  EXPECT_FALSE(decompress_index(std::string_view(gz).substr(0, gz.size() / 2), "Packages.gz").ok());
  // gzip data named .xz is refused rather than passed through.
  EXPECT_FALSE(decompress_index(gz, "Packages.xz").ok());
}

TEST(Decompress, ListedSizeTakesTheFastGzipPathAndAWrongOneFallsBack) {
  std::string plain = sample_packages();
  std::string gz = compress_with("gzip -n", plain);
  for (uint64_t listed : {uint64_t{plain.size()}, uint64_t{plain.size() + 1}, uint64_t{0}}) {
    auto r = decompress_index(gz, "Packages.gz", kMaxDecompressedIndex, listed);
    ASSERT_TRUE(r.ok()) << listed << ": " << r.error().message();
    EXPECT_EQ(*r, plain) << listed;
  }
  // The listed size does not lift the bound.
  EXPECT_FALSE(decompress_index(gz, "Packages.gz", plain.size() - 1, plain.size()).ok());
  // Nor does it make other data acceptable.
  EXPECT_FALSE(decompress_index(gz.substr(0, gz.size() / 2), "Packages.gz", kMaxDecompressedIndex,
                                plain.size())
                   .ok());
}

TEST(Decompress, OutputIsBounded) {
  if (!have_program("xz")) GTEST_SKIP();
  std::string big(1 << 20, 'x');
  std::string packed = compress_with("xz", big);
  auto r = decompress_index(packed, "Packages.xz", 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("larger than 1000"), std::string::npos) << r.error().message();
  EXPECT_TRUE(decompress_index(packed, "Packages.xz", big.size()).ok());
  EXPECT_FALSE(decompress_index("0123456789", "Packages", 5).ok());
}

}  // namespace
