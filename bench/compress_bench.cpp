// Measures the "floor" parts that are pare's own choices: compressing and
// hashing a tar with the compressor pare uses. Prints JSON:
//   pare_compress_bench FILE [gzip|zstd] [threads] [level] [chunk bytes]
#include <chrono>
#include <cstdio>
#include <string>

#include "util/compress.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace {
class CountingSink : public pare::fs::ByteSink {
 public:
  pare::Result<void> write(std::string_view b) override {
    bytes += b.size();
    return {};
  }
  uint64_t bytes = 0;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [gzip|zstd] [threads] [level] [chunk bytes]\n", argv[0]);
    return 2;
  }
  auto map = pare::fs::MappedFile::open(argv[1]).value();
  pare::CompressOptions opts;
  opts.kind = pare::parse_compression(argc > 2 ? argv[2] : "gzip").value();
  opts.threads = argc > 3 ? std::stoi(argv[3]) : 0;
  opts.level = argc > 4 ? std::stoi(argv[4]) : -1;
  if (argc > 5) opts.chunk_size = std::stoul(argv[5]);
  std::string_view data = map.bytes();
  auto t0 = std::chrono::steady_clock::now();
  CountingSink out;
  auto sink = pare::CompressingSink::make(opts, &out);
  for (size_t off = 0; off < data.size(); off += 1 << 20)
    sink->write(data.substr(off, 1 << 20)).value();
  sink->finish().value();
  double compress_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  std::string digest = pare::sha256_hex(data);
  double sha_s = seconds_since(t0);
  std::printf("{\"input\": %zu, \"output\": %llu, \"compress_s\": %.4f, \"sha256_s\": %.4f}\n",
              data.size(), static_cast<unsigned long long>(out.bytes), compress_s, sha_s);
  return 0;
}
