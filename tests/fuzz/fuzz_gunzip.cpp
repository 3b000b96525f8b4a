// Fuzz target: decompress_all (util/compress.h) on arbitrary bytes, with a
// 64 MiB output bound, plus a gzip round trip of the input itself.
#include <cstdint>
#include <string>
#include <string_view>

#include "util/compress.h"

namespace {

class StringSink : public pare::fs::ByteSink {
 public:
  pare::Result<void> write(std::string_view bytes) override {
    data.append(bytes);
    return {};
  }
  std::string data;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto out = pare::decompress_all(input, uint64_t{64} << 20);
  if (out.ok() && out.value().size() > (uint64_t{64} << 20)) __builtin_trap();

  // Our own gzip output must always decode to the input (small chunks: several members).
  StringSink sink;
  pare::CompressOptions options;
  options.threads = 2;
  options.chunk_size = 4096;
  auto gz = pare::CompressingSink::make(options, &sink);
  if (!gz->write(input).ok() || !gz->finish().ok()) __builtin_trap();
  auto back = pare::decompress_all(sink.data);
  if (!back.ok() || back.value() != input) __builtin_trap();
  return 0;
}
