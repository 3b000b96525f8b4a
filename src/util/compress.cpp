// Layer compression (see compress.h for the output's identity rules) and
// whole-buffer decompression of gzip (RFC 1952, multi-member), zstd (RFC 8878)
// and xz (.xz file format 1.0.4) data.
#include "util/compress.h"

#include <libdeflate.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace pare {

Result<Compression> parse_compression(std::string_view name) {
  if (name == "gzip") return Compression::gzip;
  if (name == "zstd") return Compression::zstd;
  if (name == "none") return Compression::none;
  return Error(Errc::invalid,
               "unknown compression '" + std::string(name) + "' (expected gzip, zstd or none)");
}

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::gzip:
      return "gzip";
    case Compression::zstd:
      return "zstd";
    case Compression::none:
      return "none";
  }
  return "none";
}

namespace {

// Chosen by measurement (bench/README.md), 1 MiB chunks on one core against
// `gzip -6`: level 5 is 1.0% smaller and 3.2-3.6x faster on python3's tar,
// 0.8% smaller and 3.1x faster on java's; level 4 is faster still but 1.6%
// larger on java's (the target: within 1% of gzip -6 and at least 3x faster).
constexpr int kDefaultGzipLevel = 5;
constexpr int kDefaultZstdLevel = 3;
constexpr size_t kIoBuffer = 1u << 16;
constexpr size_t kDefaultGzipChunk = 1u << 20;  // for a chunk_size of 0

size_t gzip_chunk_size(const CompressOptions& o) {
  return o.chunk_size == 0 ? kDefaultGzipChunk : o.chunk_size;
}

// ---------------------------------------------------------------- gzip

// One gzip member per chunk. libdeflate_gzip_compress writes a fixed header
// (no FNAME, MTIME 0, OS 255), so a member depends only on its input and level.
struct CompressorDeleter {
  void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
using CompressorPtr = std::unique_ptr<libdeflate_compressor, CompressorDeleter>;

// A chunk's buffers are allocated once and reused for every chunk that passes
// through it: a fresh 1 MiB input and output per chunk cost page faults and
// regrowing copies worth 10-20% of the compression time (bench/README.md).
struct GzipChunk {
  explicit GzipChunk(size_t chunk_size)
      : output_capacity(libdeflate_gzip_compress_bound(nullptr, chunk_size)),
        output(std::make_unique_for_overwrite<char[]>(output_capacity)) {
    input.reserve(chunk_size);
  }
  // Compresses `input` into `output`; output_size 0 marks a failure.
  void compress(libdeflate_compressor* c) {
    output_size =
        c ? libdeflate_gzip_compress(c, input.data(), input.size(), output.get(), output_capacity)
          : 0;
    input.clear();
  }
  std::string_view member() const { return std::string_view(output.get(), output_size); }

  std::string input;
  size_t output_capacity;
  std::unique_ptr<char[]> output;
  size_t output_size = 0;
  bool done = false;
};

class GzipSink final : public CompressingSink {
 public:
  GzipSink(const CompressOptions& o, fs::ByteSink* out)
      : out_(out),
        level_(effective_level(o)),
        chunk_size_(gzip_chunk_size(o)),
        threads_(o.threads > 0
                     ? o.threads
                     : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))) {}

  ~GzipSink() override { stop_workers(); }

  Result<void> write(std::string_view bytes) override {
    if (!status_.ok()) return status_;
    while (!bytes.empty()) {
      if (!filling_) filling_ = take_free_chunk();
      std::string& pending = filling_->input;
      size_t take = std::min(bytes.size(), chunk_size_ - pending.size());
      pending.append(bytes.data(), take);
      bytes.remove_prefix(take);
      if (pending.size() == chunk_size_) PARE_CHECK(submit());
    }
    return {};
  }

  Result<void> finish() override {
    if (!status_.ok()) return status_;
    // An empty stream still gets one (empty) member so the file is valid gzip.
    bool pending = filling_ && !filling_->input.empty();
    if (pending || chunks_submitted_ == 0) {
      if (!filling_) filling_ = take_free_chunk();
      PARE_CHECK(submit());
    }
    while (!in_flight_.empty()) PARE_CHECK(emit_oldest());
    stop_workers();
    return {};
  }

 private:
  using ChunkPtr = std::unique_ptr<GzipChunk>;

  Result<void> fail(Error e) {
    status_ = e;
    return e;
  }

  ChunkPtr take_free_chunk() {
    if (free_.empty()) return std::make_unique<GzipChunk>(chunk_size_);
    ChunkPtr chunk = std::move(free_.back());
    free_.pop_back();
    chunk->done = false;
    return chunk;
  }

  Result<void> submit() {
    ++chunks_submitted_;
    if (threads_ == 1) {  // no pool: compress here, reusing the one chunk
      if (!inline_compressor_) inline_compressor_.reset(libdeflate_alloc_compressor(level_));
      filling_->compress(inline_compressor_.get());
      return write_member(*filling_);
    }
    start_workers();
    {
      std::lock_guard lock(mu_);
      queue_.push_back(filling_.get());
      in_flight_.push_back(std::move(filling_));
    }
    work_cv_.notify_one();
    // Bounded memory: at most 2*threads chunks between submit and output.
    while (in_flight_.size() >= 2 * static_cast<size_t>(threads_)) PARE_CHECK(emit_oldest());
    return {};
  }

  Result<void> emit_oldest() {
    ChunkPtr chunk;
    {
      std::unique_lock lock(mu_);
      done_cv_.wait(lock, [&] { return in_flight_.front()->done; });
      chunk = std::move(in_flight_.front());
      in_flight_.pop_front();
    }
    auto written = write_member(*chunk);
    free_.push_back(std::move(chunk));
    return written;
  }

  Result<void> write_member(const GzipChunk& chunk) {
    if (chunk.output_size == 0)
      return fail(Error(Errc::internal, "libdeflate: gzip compression failed"));
    auto r = out_->write(chunk.member());
    if (!r.ok()) return fail(r.error());
    return {};
  }

  void start_workers() {
    if (!workers_.empty()) return;
    for (int i = 0; i < threads_; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  void stop_workers() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  void worker_loop() {
    CompressorPtr compressor(libdeflate_alloc_compressor(level_));
    for (;;) {
      GzipChunk* chunk;
      {
        std::unique_lock lock(mu_);
        work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) return;
        chunk = queue_.front();
        queue_.pop_front();
      }
      // The producer touches a queued chunk again only after `done` is set.
      chunk->compress(compressor.get());
      {
        std::lock_guard lock(mu_);
        chunk->done = true;
      }
      done_cv_.notify_all();
    }
  }

  fs::ByteSink* out_;
  int level_;
  size_t chunk_size_;
  int threads_;
  ChunkPtr filling_;            // the chunk write() appends to
  std::vector<ChunkPtr> free_;  // emitted chunks, buffers kept for reuse
  uint64_t chunks_submitted_ = 0;
  Result<void> status_;
  CompressorPtr inline_compressor_;

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable done_cv_;
  std::deque<GzipChunk*> queue_;    // waiting for a worker (owned by in_flight_)
  std::deque<ChunkPtr> in_flight_;  // submitted, in output order
  std::vector<std::thread> workers_;
  bool stopping_ = false;
};

// ---------------------------------------------------------------- zstd

class ZstdSink final : public CompressingSink {
 public:
  ZstdSink(const CompressOptions& o, fs::ByteSink* out)
      : out_(out), cctx_(ZSTD_createCCtx()), buffer_(ZSTD_CStreamOutSize(), '\0') {
    int level = effective_level(o);
    if (cctx_) {
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, level);
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_nbWorkers, 0);  // single-threaded: one fixed output
    }
  }
  ~ZstdSink() override { ZSTD_freeCCtx(cctx_); }

  Result<void> write(std::string_view bytes) override {
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    while (in.pos < in.size) PARE_CHECK(step(&in, ZSTD_e_continue));
    return {};
  }

  Result<void> finish() override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (;;) {
      PARE_TRY(size_t remaining, step(&in, ZSTD_e_end));
      if (remaining == 0) return {};
    }
  }

 private:
  Result<size_t> step(ZSTD_inBuffer* in, ZSTD_EndDirective mode) {
    if (!cctx_) return Error(Errc::internal, "zstd: cannot allocate a compression context");
    ZSTD_outBuffer out{buffer_.data(), buffer_.size(), 0};
    size_t r = ZSTD_compressStream2(cctx_, &out, in, mode);
    if (ZSTD_isError(r)) return Error(Errc::internal, std::string("zstd: ") + ZSTD_getErrorName(r));
    if (out.pos > 0) PARE_CHECK(out_->write(std::string_view(buffer_.data(), out.pos)));
    return r;
  }

  fs::ByteSink* out_;
  ZSTD_CCtx* cctx_;
  std::string buffer_;
};

// ---------------------------------------------------------------- none

class PassThroughSink final : public CompressingSink {
 public:
  explicit PassThroughSink(fs::ByteSink* out) : out_(out) {}
  Result<void> write(std::string_view bytes) override { return out_->write(bytes); }
  Result<void> finish() override { return {}; }

 private:
  fs::ByteSink* out_;
};

// ---------------------------------------------------------------- decompression

// Appends to `out`, refusing to grow past `max_output`.
Result<void> append_bounded(std::string& out, const char* data, size_t n, uint64_t max_output,
                            const char* format) {
  if (out.size() + n > max_output)
    return Error(Errc::invalid, std::string(format) + ": decompressed data exceeds the limit of " +
                                    std::to_string(max_output) + " bytes");
  out.append(data, n);
  return {};
}

bool starts_with_bytes(std::string_view data, std::string_view magic) {
  return data.size() >= magic.size() && data.substr(0, magic.size()) == magic;
}

const std::string_view kGzipMagic("\x1f\x8b", 2);
const std::string_view kZstdMagic("\x28\xb5\x2f\xfd", 4);
const std::string_view kXzMagic(
    "\xfd"
    "7zXZ\0",
    6);

struct InflateGuard {
  z_stream* zs;
  ~InflateGuard() { inflateEnd(zs); }
};

// RFC 1952 2.2: a gzip file is a series of members; each is decoded in turn.
Result<std::string> gunzip(std::string_view data, uint64_t max_output) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
    return Error(Errc::internal, "zlib: inflateInit2 failed");
  InflateGuard guard{&zs};
  std::string out;
  std::vector<char> buf(kIoBuffer);
  size_t fed = 0;  // bytes of `data` handed to zlib so far
  for (;;) {
    if (zs.avail_in == 0 && fed < data.size()) {
      size_t piece = std::min<size_t>(data.size() - fed, UINT_MAX);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data() + fed));
      zs.avail_in = static_cast<uInt>(piece);
      fed += piece;
    }
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    int rc = inflate(&zs, Z_NO_FLUSH);
    PARE_CHECK(append_bounded(out, buf.data(), buf.size() - zs.avail_out, max_output, "gzip"));
    size_t consumed = fed - zs.avail_in;
    if (rc == Z_STREAM_END) {
      if (consumed == data.size()) return out;
      if (!starts_with_bytes(data.substr(consumed), kGzipMagic))
        return Error(Errc::invalid, "gzip: trailing garbage at offset " + std::to_string(consumed));
      inflateReset(&zs);
      continue;
    }
    if (rc == Z_BUF_ERROR && consumed == data.size())
      return Error(Errc::invalid, "gzip: data truncated at offset " + std::to_string(consumed));
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      return Error(Errc::invalid, std::string("gzip: corrupt data near offset ") +
                                      std::to_string(consumed) + ": " +
                                      (zs.msg ? zs.msg : "error"));
  }
}

// RFC 8878: ZSTD_decompressStream continues across concatenated frames.
Result<std::string> unzstd(std::string_view data, uint64_t max_output) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx) return Error(Errc::internal, "zstd: cannot allocate a decompression context");
  std::string out;
  std::vector<char> buf(kIoBuffer);
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  size_t last = 1;
  for (;;) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    size_t r = ZSTD_decompressStream(dctx.get(), &o, &in);
    if (ZSTD_isError(r))
      return Error(Errc::invalid, std::string("zstd: corrupt data near offset ") +
                                      std::to_string(in.pos) + ": " + ZSTD_getErrorName(r));
    PARE_CHECK(append_bounded(out, buf.data(), o.pos, max_output, "zstd"));
    last = r;
    // r == 0: a frame ended and is fully flushed (calling again would start a
    // new frame); otherwise a short output with no input left means truncation.
    if (in.pos == in.size && (r == 0 || o.pos < o.size)) break;
  }
  if (last != 0)
    return Error(Errc::invalid, "zstd: data truncated at offset " + std::to_string(in.pos));
  return out;
}

Result<std::string> unxz(std::string_view data, uint64_t max_output) {
  lzma_stream strm = LZMA_STREAM_INIT;
  // 1 GiB of decoder memory at most; concatenated .xz streams are one file.
  if (lzma_stream_decoder(&strm, 1ull << 30, LZMA_CONCATENATED) != LZMA_OK)
    return Error(Errc::internal, "xz: cannot initialise the decoder");
  std::unique_ptr<lzma_stream, void (*)(lzma_stream*)> guard(&strm, lzma_end);
  std::string out;
  std::vector<char> buf(kIoBuffer);
  strm.next_in = reinterpret_cast<const uint8_t*>(data.data());
  strm.avail_in = data.size();
  for (;;) {
    strm.next_out = reinterpret_cast<uint8_t*>(buf.data());
    strm.avail_out = buf.size();
    lzma_ret rc = lzma_code(&strm, LZMA_FINISH);  // all input is present
    PARE_CHECK(append_bounded(out, buf.data(), buf.size() - strm.avail_out, max_output, "xz"));
    if (rc == LZMA_STREAM_END) return out;
    size_t offset = data.size() - strm.avail_in;
    if (rc == LZMA_BUF_ERROR)
      return Error(Errc::invalid, "xz: data truncated at offset " + std::to_string(offset));
    if (rc != LZMA_OK)
      return Error(Errc::invalid, "xz: corrupt data near offset " + std::to_string(offset) +
                                      " (liblzma error " + std::to_string(rc) + ")");
  }
}

}  // namespace

int effective_level(const CompressOptions& o) {
  switch (o.kind) {
    case Compression::gzip:
      // libdeflate accepts 0..12; out-of-range requests are clamped, not refused,
      // because make() cannot fail.
      return o.level < 0 ? kDefaultGzipLevel : std::min(o.level, 12);
    case Compression::zstd:
      return o.level < 0 ? kDefaultZstdLevel : std::clamp(o.level, 1, ZSTD_maxCLevel());
    case Compression::none:
      return 0;
  }
  return o.level;
}

std::string compressor_fingerprint(const CompressOptions& o) {
  std::string level = std::to_string(effective_level(o));
  switch (o.kind) {
    case Compression::gzip:
      return "gzip " + level + " " + std::to_string(gzip_chunk_size(o)) +
             " libdeflate-" LIBDEFLATE_VERSION_STRING;
    case Compression::zstd:
      return "zstd " + level + " libzstd-" + ZSTD_versionString();
    case Compression::none:
      return "none";
  }
  return "none";
}

std::unique_ptr<CompressingSink> CompressingSink::make(const CompressOptions& options,
                                                       fs::ByteSink* out) {
  switch (options.kind) {
    case Compression::gzip:
      return std::make_unique<GzipSink>(options, out);
    case Compression::zstd:
      return std::make_unique<ZstdSink>(options, out);
    case Compression::none:
      break;
  }
  return std::make_unique<PassThroughSink>(out);
}

Result<std::string> decompress_all(std::string_view data) {
  return decompress_all(data, kMaxDecompressedSize);
}

Result<std::string> gunzip_exact(std::string_view data, uint64_t size) {
  if (size > kMaxDecompressedSize) return Error(Errc::invalid, "gzip: declared size too large");
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(
      libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
  if (!d) return Error(Errc::internal, "libdeflate: cannot allocate a decompressor");
  std::string out(size, '\0');
  size_t in_used = 0, out_made = 0;
  libdeflate_result r = libdeflate_gzip_decompress_ex(d.get(), data.data(), data.size(), out.data(),
                                                      out.size(), &in_used, &out_made);
  if (r != LIBDEFLATE_SUCCESS || in_used != data.size() || out_made != size)
    return Error(Errc::invalid, "gzip: not one member of " + std::to_string(size) + " bytes");
  return out;
}

bool has_compression_magic(std::string_view data) {
  return starts_with_bytes(data, kGzipMagic) || starts_with_bytes(data, kZstdMagic) ||
         starts_with_bytes(data, kXzMagic);
}

Result<std::string> decompress_all(std::string_view data, uint64_t max_output) {
  if (starts_with_bytes(data, kGzipMagic)) return gunzip(data, max_output);
  if (starts_with_bytes(data, kZstdMagic)) return unzstd(data, max_output);
  if (starts_with_bytes(data, kXzMagic)) return unxz(data, max_output);
  return Error(Errc::invalid, "not gzip, zstd or xz data (unknown magic bytes)");
}

}  // namespace pare
