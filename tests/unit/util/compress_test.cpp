#include "util/compress.h"

#include <gtest/gtest.h>
#include <libdeflate.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "support/command.h"
#include "util/fs.h"
#include "util/sha256.h"

using namespace pare;

namespace {

// SHA-256 of GzipOutputIsPinned's output with libdeflate 1.14 at level 5.
constexpr const char* kPinnedGzipSha256 =
    "02f5f64f13c2e6294cca55381935ece9e0c1c54db9d3d748e9fdc91a0809b7b4";

class StringSink : public fs::ByteSink {
 public:
  Result<void> write(std::string_view bytes) override {
    data.append(bytes);
    return {};
  }
  std::string data;
};

// Compresses `input`, handing it to the sink in pieces of `piece` bytes (so
// chunk boundaries do not line up with write boundaries).
std::string compress(const CompressOptions& options, std::string_view input, size_t piece = 1000) {
  StringSink out;
  auto sink = CompressingSink::make(options, &out);
  for (size_t i = 0; i < input.size(); i += piece)
    EXPECT_TRUE(sink->write(input.substr(i, piece)).ok());
  EXPECT_TRUE(sink->finish().ok());
  return out.data;
}

// Text-like data (compressible) followed by random bytes (incompressible).
std::string sample_data(size_t size, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s;
  s.reserve(size);
  while (s.size() < size / 2) s += "line " + std::to_string(rng() % 1000) + " of a layer\n";
  while (s.size() < size) s.push_back(static_cast<char>(rng() & 0xff));
  s.resize(size);
  return s;
}

using pare::testing::run_command;

bool have_tool(const std::string& name) {
  int status = 0;
  run_command("command -v " + name + " >/dev/null 2>&1", &status);
  return status == 0;
}

// Decodes `compressed` with an external tool (e.g. "gzip -dc").
std::string decode_with(const std::string& tool, const std::string& compressed, int* status) {
  auto dir = fs::TempDir::create(std::filesystem::temp_directory_path());
  EXPECT_TRUE(dir.ok());
  auto file = dir->path() / "in";
  EXPECT_TRUE(fs::write_file_atomic(file, compressed).ok());
  return run_command(tool + " < '" + file.string() + "'", status);
}

TEST(Compression, GunzipExactDecodesOneMemberOfTheListedSize) {
  std::string data = sample_data(300000, 7);
  CompressOptions one;
  one.chunk_size = 1 << 20;  // one member
  std::string gz = compress(one, data);
  auto r = gunzip_exact(gz, data.size());
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, data);
  EXPECT_FALSE(gunzip_exact(gz, data.size() + 1).ok()) << "a size other than the listed one";
  EXPECT_FALSE(gunzip_exact(gz, data.size() - 1).ok());
  EXPECT_FALSE(gunzip_exact(gz.substr(0, gz.size() / 2), data.size()).ok()) << "truncated";
  CompressOptions many;
  many.chunk_size = 64 << 10;  // several members: the caller falls back to decompress_all
  std::string multi = compress(many, data);
  EXPECT_FALSE(gunzip_exact(multi, data.size()).ok());
  EXPECT_EQ(decompress_all(multi).value(), data);
}

}  // namespace

TEST(Compression, EffectiveLevelNamesTheDefault) {
  CompressOptions gz;
  EXPECT_EQ(effective_level(gz), 5) << "the measured default (bench/README.md)";
  gz.level = 99;
  EXPECT_EQ(effective_level(gz), 12);
  CompressOptions zs;
  zs.kind = Compression::zstd;
  EXPECT_EQ(effective_level(zs), 3);
}

TEST(Compression, ParseAndName) {
  EXPECT_EQ(parse_compression("gzip").value(), Compression::gzip);
  EXPECT_EQ(parse_compression("zstd").value(), Compression::zstd);
  EXPECT_EQ(parse_compression("none").value(), Compression::none);
  auto bad = parse_compression("bzip2");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Errc::invalid);
  EXPECT_STREQ(compression_name(Compression::zstd), "zstd");
}

TEST(Compression, GzipHeaderHasNoNameAndZeroMtime) {
  std::string gz = compress({}, "hello");
  ASSERT_GE(gz.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_EQ(gz[2], 8);                               // deflate
  EXPECT_EQ(gz[3], 0);                               // FLG: no FNAME, FCOMMENT, FEXTRA
  EXPECT_EQ(gz.substr(4, 4), std::string(4, '\0'));  // MTIME
}

TEST(Compression, GzipIsIdenticalForAnyThreadCount) {
  const std::vector<size_t> sizes = {0, 1, 4096, 4096 * 3, 4096 * 7 + 17, 100000};
  for (size_t size : sizes) {
    std::string input = sample_data(size, static_cast<uint32_t>(size));
    CompressOptions options;
    options.chunk_size = 4096;
    options.threads = 1;
    std::string reference = compress(options, input, 777);
    for (int threads : {2, 4}) {
      options.threads = threads;
      EXPECT_EQ(compress(options, input, 333), reference)
          << "size " << size << " threads " << threads;
    }
    auto back = decompress_all(reference);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back.value(), input) << "size " << size;
  }
}

TEST(Compression, GzipChunksAreSeparateMembers) {
  CompressOptions options;
  options.chunk_size = 1000;
  options.threads = 2;
  std::string input = sample_data(3500, 1);
  std::string gz = compress(options, input);
  // Four members -> four gzip headers (the magic may also occur by chance in data, so >=).
  size_t headers = 0;
  for (size_t i = 0; i + 4 <= gz.size(); ++i)
    if (gz.compare(i, 4, std::string("\x1f\x8b\x08\x00", 4)) == 0) ++headers;
  EXPECT_GE(headers, 4u);
  EXPECT_EQ(decompress_all(gz).value(), input);
}

TEST(Compression, EmptyGzipStreamIsValid) {
  std::string gz = compress({}, "");
  EXPECT_FALSE(gz.empty());
  auto back = decompress_all(gz);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back.value(), "");
  if (have_tool("gzip")) {
    int status = 0;
    EXPECT_EQ(decode_with("gzip -dc", gz, &status), "");
    EXPECT_EQ(status, 0);
  }
}

TEST(Compression, EmptyGzipStreamIsExactlyOneEmptyMember) {
  // What libdeflate itself writes for no input at the default level.
  std::unique_ptr<libdeflate_compressor, decltype(&libdeflate_free_compressor)> c(
      libdeflate_alloc_compressor(effective_level({})), libdeflate_free_compressor);
  std::string member(64, '\0');
  member.resize(libdeflate_gzip_compress(c.get(), "", 0, member.data(), member.size()));
  ASSERT_FALSE(member.empty());
  for (int threads : {1, 2}) {
    CompressOptions options;
    options.threads = threads;
    EXPECT_EQ(compress(options, ""), member) << "threads " << threads;
  }
}

// The layer digests of every image pare has built depend on these bytes: a
// change of libdeflate (version or build) or of the chunking shows up here
// before it silently changes images. compressor_fingerprint() names the
// version, so layer caches are keyed on it.
TEST(Compression, GzipOutputIsPinned) {
  CompressOptions options;
  options.chunk_size = 64 * 1024;
  std::string gz = compress(options, sample_data(300 * 1024, 42));
  EXPECT_EQ(sha256_hex(gz), kPinnedGzipSha256) << "size " << gz.size();
}

TEST(Compression, FingerprintNamesWhatTheBytesDependOn) {
  CompressOptions gzip;
  EXPECT_EQ(compressor_fingerprint(gzip),
            "gzip 5 1048576 libdeflate-" + std::string(LIBDEFLATE_VERSION_STRING));
  CompressOptions other = gzip;
  other.chunk_size = 0;  // the default, spelt out
  EXPECT_EQ(compressor_fingerprint(other), compressor_fingerprint(gzip));
  other.level = 6;
  EXPECT_NE(compressor_fingerprint(other), compressor_fingerprint(gzip));
  CompressOptions zstd;
  zstd.kind = Compression::zstd;
  EXPECT_EQ(compressor_fingerprint(zstd).rfind("zstd 3 libzstd-", 0), 0u);
}

// A sink that fails from its n-th write on.
class FailingSink : public fs::ByteSink {
 public:
  explicit FailingSink(int ok_writes) : ok_writes_(ok_writes) {}
  Result<void> write(std::string_view bytes) override {
    if (writes_++ >= ok_writes_) return Error(Errc::io, "disk full");
    data.append(bytes);
    return {};
  }
  std::string data;

 private:
  int ok_writes_;
  int writes_ = 0;
};

TEST(Compression, AFailingOutputFailsTheStreamForAnyThreadCount) {
  std::string input = sample_data(40 * 4096, 7);
  for (int threads : {1, 2, 4}) {
    CompressOptions options;
    options.chunk_size = 4096;
    options.threads = threads;
    FailingSink out(3);
    auto sink = CompressingSink::make(options, &out);
    Result<void> r;
    for (size_t i = 0; i < input.size() && r.ok(); i += 1000)
      r = sink->write(std::string_view(input).substr(i, 1000));
    if (r.ok()) r = sink->finish();
    ASSERT_FALSE(r.ok()) << "threads " << threads;
    EXPECT_EQ(r.error().code(), Errc::io);
    EXPECT_EQ(sink->write("more").error().code(), Errc::io) << "the failure sticks";
  }
}

TEST(Compression, ASinkDroppedUnfinishedStopsItsWorkers) {
  StringSink out;
  CompressOptions options;
  options.chunk_size = 4096;
  options.threads = 2;
  {
    auto sink = CompressingSink::make(options, &out);
    ASSERT_TRUE(sink->write(sample_data(20 * 4096, 3)).ok());
  }  // destroyed without finish(): joins its workers (ASan/TSan would see a leak or race)
  EXPECT_LE(out.data.size(), 20u * 4096);
}

TEST(Compression, ZstdRoundTripAndDeterministic) {
  CompressOptions options;
  options.kind = Compression::zstd;
  for (size_t size : {size_t{0}, size_t{10}, size_t{300000}}) {
    std::string input = sample_data(size, 7);
    std::string a = compress(options, input, 4000);
    std::string b = compress(options, input, 999);
    EXPECT_EQ(a, b);
    ASSERT_GE(a.size(), 4u);
    EXPECT_EQ(a.substr(0, 4), std::string("\x28\xb5\x2f\xfd", 4));
    auto back = decompress_all(a);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(back.value(), input);
  }
}

TEST(Compression, NoneIsPassThrough) {
  CompressOptions options;
  options.kind = Compression::none;
  std::string input = sample_data(5000, 3);
  EXPECT_EQ(compress(options, input), input);
}

TEST(Compression, ExternalToolsDecodeOurOutput) {
  std::string input = sample_data(200000, 11);
  CompressOptions gzip_options;
  gzip_options.chunk_size = 65536;
  gzip_options.threads = 3;
  CompressOptions zstd_options;
  zstd_options.kind = Compression::zstd;
  int status = 0;
  if (!have_tool("gzip")) GTEST_SKIP() << "gzip not installed";
  EXPECT_EQ(decode_with("gzip -dc", compress(gzip_options, input), &status), input);
  EXPECT_EQ(status, 0);
  if (!have_tool("zstd")) GTEST_SKIP() << "zstd not installed";
  EXPECT_EQ(decode_with("zstd -dc", compress(zstd_options, input), &status), input);
  EXPECT_EQ(status, 0);
}

TEST(Decompress, ReadsExternalMultiMemberGzipAndXz) {
  if (!have_tool("gzip") || !have_tool("xz")) GTEST_SKIP() << "gzip or xz not installed";
  auto dir = fs::TempDir::create(std::filesystem::temp_directory_path());
  ASSERT_TRUE(dir.ok());
  auto a = dir->path() / "a";
  auto b = dir->path() / "b";
  ASSERT_TRUE(fs::write_file_atomic(a, "first part\n").ok());
  ASSERT_TRUE(fs::write_file_atomic(b, "second part\n").ok());
  int status = 0;
  std::string gz =
      run_command("gzip -c '" + a.string() + "'; gzip -c '" + b.string() + "'", &status);
  ASSERT_EQ(status, 0);
  EXPECT_EQ(decompress_all(gz).value(), "first part\nsecond part\n");
  std::string xz = run_command("xz -c '" + a.string() + "'", &status);
  ASSERT_EQ(status, 0);
  auto back = decompress_all(xz);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back.value(), "first part\n");
  auto truncated = decompress_all(std::string_view(xz).substr(0, xz.size() - 5));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code(), Errc::invalid);
}

TEST(Decompress, RejectsCorruptTruncatedAndUnknownData) {
  std::string input = sample_data(20000, 5);
  CompressOptions zstd_options;
  zstd_options.kind = Compression::zstd;
  for (const std::string& good : {compress({}, input), compress(zstd_options, input)}) {
    std::string truncated = good.substr(0, good.size() / 2);
    auto r = decompress_all(truncated);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::invalid);

    std::string corrupt = good;
    for (size_t i = 20; i < 60 && i < corrupt.size(); ++i)
      corrupt[i] = static_cast<char>(~corrupt[i]);
    r = decompress_all(corrupt);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::invalid);

    r = decompress_all(good + "garbage");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::invalid);
  }
  auto unknown = decompress_all("plain text");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), Errc::invalid);
  EXPECT_FALSE(decompress_all("").ok());
}

TEST(Decompress, RefusesOutputOverTheLimit) {
  std::string zeros(1 << 20, '\0');
  CompressOptions zstd_options;
  zstd_options.kind = Compression::zstd;
  for (const std::string& packed : {compress({}, zeros), compress(zstd_options, zeros)}) {
    auto exact = decompress_all(packed, zeros.size());
    EXPECT_TRUE(exact.ok()) << exact.error().message();
    auto r = decompress_all(packed, zeros.size() - 1);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::invalid);
    EXPECT_NE(r.error().message().find("limit"), std::string::npos);
  }
}
