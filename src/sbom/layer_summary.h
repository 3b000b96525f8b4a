// A layer's summary, for looking inside images again without decompressing them (inspect, ls,
// audit, diff, sbom): every entry with its metadata and the SHA-256 of each regular file, the
// whiteouts, and the contents of the files those readers want (`is_summary_content`). It is
// made from the layer's bytes by `read_layer` (their digest checked on the way) and kept in
// the cache as a checked record, layer-summaries/<hex of the layer digest>, since a layer's
// digest fixes everything in it.
//
// A warm read still hashes the blob itself: a summary describes a digest, and a blob changed
// on disk since must be refused as it would be on a cold read (an audit of a layout whose
// layer was swapped must not answer for the layer it used to have). Hashing the compressed
// blob costs a fraction of decompressing it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sbom/image_files.h"

namespace pare::sbom {

// Metadata and ownership files, the image's own SBOMs, and small files that may hold a key
// (*.pem, *.key) — what any reader of a summary may ask for.
bool is_summary_content(const std::string& path);

// The record's bytes for a summary, and back (bounds-checked: a fuzz target's entry point;
// nullopt for anything that is not a whole summary).
std::string encode_summary(const LayerFiles& layer);
std::optional<LayerFiles> decode_summary(std::string_view bytes);

// One layer's summary (its entries' `layer` is 0), from `cache_dir` or made and stored there.
// `check_cached_blob`: hash the blob even when its summary is cached (false only for a caller
// that verifies the blob itself, as a build does when it writes its output).
Result<LayerFiles> layer_summary(const LayerRef& layer, const std::filesystem::path& cache_dir,
                                 bool check_cached_blob);

// Keeps a summary its writer made while writing the layer (entries with their SHA-256, the
// summary contents; pruned here as a read would prune it), under the layer's digest.
void store_layer_summary(const std::filesystem::path& cache_dir, const std::string& digest,
                         LayerFiles& summary);

// The layer stack's summaries flattened (entries, and the summary contents), each layer's
// from `cache_dir` when it holds one ("" = no cache) and made (and stored) otherwise.
// Errc::integrity when a blob's bytes do not match its digest.
Result<FlatImage> read_flat_summaries(const std::vector<LayerRef>& layers,
                                      const std::filesystem::path& cache_dir);

}  // namespace pare::sbom
