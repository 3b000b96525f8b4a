// Fuzz target for what pare reads out of an image's layers (sbom/image_files.h, inspect/):
// the bytes are a layer blob (tar, gzip- or zstd-compressed tar, or anything), read with its
// entries, wanted contents and digests, checked against its own SHA-256 and against a wrong one,
// flattened twice over itself (whiteouts, opaque directories, links), then walked the way ls,
// cat and audit walk it: every path resolved, directories listed, package file lists and SPDX
// file names parsed; its summary (sbom/layer_summary.h) encoded and decoded back. The same bytes
// are also given to the file-list, SPDX and summary readers as text.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "inspect/files.h"
#include "sbom/document.h"
#include "sbom/image_files.h"
#include "sbom/layer_summary.h"
#include "util/sha256.h"

namespace {

void walk(const pare::sbom::FlatImage& flat) {
  using namespace pare;
  for (const auto& [path, e] : flat.entries) {
    (void)sbom::resolve_path(flat.entries, path);
    (void)sbom::resolve_path(flat.entries, path, false);
    (void)inspect::mode_string(e);
    if (e.type == sbom::FileEntry::Type::dir)
      (void)inspect::list_entries(flat.entries, path, false);
  }
  (void)inspect::list_entries(flat.entries, "/", true);
  (void)inspect::largest_files(flat.entries, 10);
  (void)sbom::owned_paths(flat.files);
  for (const auto& [path, text] : flat.files) (void)sbom::spdx_file_names(text);
  (void)sbom::describe_files(flat.files);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pare;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("pare-fuzz-layer-" + std::to_string(getpid()));
  if (std::FILE* f = std::fopen(file.c_str(), "wb")) {
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
  } else {
    std::abort();
  }
  sbom::ReadOptions options;
  options.entries = true;
  options.content = [](const std::string& p) {
    return sbom::is_metadata_path(p) || sbom::is_ownership_path(p) ||
           p.find("sbom") != std::string::npos;
  };
  options.digest = [](const std::string&) { return true; };
  options.max_file_bytes = 1 << 20;
  std::string digest = "sha256:" + sha256_hex(bytes);
  sbom::LayerRef layer{file, digest};
  auto one = sbom::read_layer(layer, options, 0);
  auto flat = sbom::read_flat_image({layer, layer}, options);
  if (one.ok() != flat.ok()) std::abort();  // the same layer twice reads as once
  if (flat.ok()) walk(*flat);
  // A wrong digest is always refused, whatever the bytes are.
  auto wrong = sbom::read_layer({file, "sha256:" + std::string(64, '0')}, options, 0);
  if (wrong.ok() || wrong.error().code() != Errc::integrity) std::abort();
  // The same bytes as package file lists and an SPDX document.
  (void)sbom::owned_paths({{"lib/apk/db/installed", bytes},
                           {"var/lib/dpkg/status.d/x.md5sums", bytes},
                           {"var/lib/dpkg/info/x.list", bytes}});
  (void)sbom::spdx_file_names(bytes);
  // A layer's summary, as the cache keeps it: what reads back is what was written.
  if (one.ok()) {
    std::string record = sbom::encode_summary(*one);
    auto back = sbom::decode_summary(record);
    if (!back || sbom::encode_summary(*back) != record) std::abort();
  }
  (void)sbom::decode_summary(bytes);
  return 0;
}
