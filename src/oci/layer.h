// A layer being written: tar -> [sha256 = diff_id] -> compressor -> [sha256 =
// digest] -> file. One pass, nothing held in memory but the compressor's chunks.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "oci/tar.h"
#include "util/compress.h"
#include "util/result.h"

namespace pare::oci {

struct Blob {
  std::string media_type;
  std::string digest;  // "sha256:<hex>"
  uint64_t size = 0;
  std::filesystem::path file;  // where the bytes are (a cache or staging path)
};

struct LayerBlob : Blob {
  std::string diff_id;  // "sha256:<hex>" of the uncompressed tar
};

const char* layer_media_type(Compression c);  // application/vnd.oci.image.layer.v1.tar+gzip ...

class LayerWriter {
 public:
  // The blob is written into `dir` and named by its digest when finished.
  static Result<std::unique_ptr<LayerWriter>> create(const std::filesystem::path& dir,
                                                     const CompressOptions& options);
  virtual ~LayerWriter() = default;
  virtual TarWriter& tar() = 0;
  // Finish the tar, the compressor and both hashes; rename to dir/<hex digest>.
  virtual Result<LayerBlob> finish() = 0;
};

}  // namespace pare::oci
