// Layer compression as a streaming ByteSink.
//
// gzip: the input is cut into fixed-size chunks, each compressed with
// libdeflate as an independent gzip member (RFC 1952 section 2.2 allows
// concatenated members; Go's compress/gzip, containerd, podman and skopeo read
// them). Chunks are compressed in parallel; because the chunk size is fixed and
// each member depends only on its chunk, the output is byte-identical for any
// thread count. Gzip headers carry no name and mtime 0.
// zstd: libzstd single-threaded streaming at a fixed level (deterministic).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "util/fs.h"
#include "util/result.h"

namespace pare {

enum class Compression { gzip, zstd, none };

Result<Compression> parse_compression(std::string_view name);
const char* compression_name(Compression c);

struct CompressOptions {
  Compression kind = Compression::gzip;
  int level = -1;                // -1: the default for the kind (gzip 5 with libdeflate, zstd 3)
  int threads = 0;               // 0: hardware concurrency
  size_t chunk_size = 1u << 20;  // gzip member size; part of the output's identity
};

// The level `options` compress at (the default for its kind when level < 0,
// clamped as the compressors clamp it): part of a layer's identity, so cache
// keys use this, never the -1 of "default".
int effective_level(const CompressOptions& options);

// Everything the bytes of a compressed stream depend on besides its input:
// kind, effective level, gzip chunk size, and the library's version (neither
// libdeflate nor libzstd promises the same output across versions). Layer
// cache keys include it, so a pare linked against another version rebuilds.
std::string compressor_fingerprint(const CompressOptions& options);

class CompressingSink : public fs::ByteSink {
 public:
  static std::unique_ptr<CompressingSink> make(const CompressOptions& options, fs::ByteSink* out);
  // Flush everything and write the trailer. No write() after finish().
  virtual Result<void> finish() = 0;
};

// Decompress a whole gzip (possibly multi-member) / zstd / xz buffer (used by tests, readers).
// The format is detected by its magic bytes. Corrupt, truncated or unknown data
// is Errc::invalid; so is output larger than max_output (a decompression bomb).
inline constexpr uint64_t kMaxDecompressedSize = uint64_t{4} << 30;
Result<std::string> decompress_all(std::string_view data);
Result<std::string> decompress_all(std::string_view data, uint64_t max_output);
// Whether data starts like a format decompress_all reads (gzip, zstd, xz).
bool has_compression_magic(std::string_view data);

// One gzip member whose decompressed size is known (a signed Release lists
// it), decoded in one call into a buffer of exactly that size: libdeflate,
// ~4x faster than zlib and no regrowing. Errc::invalid when the data is not
// exactly one member of that size (callers fall back to decompress_all for
// multi-member files).
Result<std::string> gunzip_exact(std::string_view data, uint64_t size);

}  // namespace pare
