// LayerWriter: one pass from tar entries to a content-addressed blob file.
//   TarWriter -> HashingSink (diff_id) -> CompressingSink -> HashingSink (digest) -> AtomicFile
#include "oci/layer.h"

#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <random>

#include "util/sha256.h"

namespace pare::oci {

const char* layer_media_type(Compression c) {
  switch (c) {
    case Compression::gzip:
      return "application/vnd.oci.image.layer.v1.tar+gzip";
    case Compression::zstd:
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    case Compression::none:
      break;
  }
  return "application/vnd.oci.image.layer.v1.tar";
}

namespace {

// A name for the finished-but-unnamed blob, unique among concurrent writers
// in the same directory (processes and threads).
// The pid alone is not enough: builds in other PID namespaces share caches.
std::string partial_name() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return ".layer-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(rng()) + ".partial";
}

class LayerWriterImpl final : public LayerWriter {
 public:
  LayerWriterImpl(std::filesystem::path dir, std::string partial_name,
                  const CompressOptions& options, fs::AtomicFile file)
      : dir_(std::move(dir)),
        partial_name_(std::move(partial_name)),
        kind_(options.kind),
        file_(std::move(file)),
        digest_hash_(&file_),
        compressor_(CompressingSink::make(options, &digest_hash_)),
        diff_hash_(compressor_.get()),
        tar_(&diff_hash_) {}

  ~LayerWriterImpl() override {
    if (!partial_.empty()) ::unlink(partial_.c_str());
  }

  TarWriter& tar() override { return tar_; }

  Result<LayerBlob> finish() override {
    if (finished_) return Error(Errc::internal, "LayerWriter::finish called twice");
    finished_ = true;
    PARE_CHECK(tar_.finish());
    PARE_CHECK(compressor_->finish());
    LayerBlob blob;
    blob.media_type = layer_media_type(kind_);
    blob.diff_id = "sha256:" + diff_hash_.hex_digest();
    std::string hex = digest_hash_.hex_digest();
    blob.digest = "sha256:" + hex;
    blob.size = digest_hash_.size();
    blob.file = dir_ / hex;
    PARE_CHECK(file_.commit());
    partial_ = dir_ / partial_name_;
    // Replacing an existing dir/<hex> is fine: same name, same bytes.
    if (::rename(partial_.c_str(), blob.file.c_str()) != 0)
      return fs::errno_error("cannot rename into", blob.file);
    partial_.clear();
    return blob;
  }

 private:
  std::filesystem::path dir_;
  std::string partial_name_;
  Compression kind_;
  fs::AtomicFile file_;
  HashingSink digest_hash_;
  std::unique_ptr<CompressingSink> compressor_;
  HashingSink diff_hash_;
  TarWriter tar_;
  std::filesystem::path partial_;
  bool finished_ = false;
};

}  // namespace

Result<std::unique_ptr<LayerWriter>> LayerWriter::create(const std::filesystem::path& dir,
                                                         const CompressOptions& options) {
  std::string name = partial_name();
  // The AtomicFile commits to the partial name; finish() then renames it to the digest.
  PARE_TRY(auto file, fs::AtomicFile::create(dir / name, 0644));
  return std::unique_ptr<LayerWriter>(
      std::make_unique<LayerWriterImpl>(dir, std::move(name), options, std::move(file)));
}

}  // namespace pare::oci
