// The content-addressed download cache: blobs/sha256/<hex>. A file is present
// only once fully written and verified (atomic rename), so concurrent builds
// sharing the cache can at worst download the same file twice, never read a
// partial one.
#pragma once

#include <filesystem>
#include <string>

#include "util/result.h"

namespace pare {

class ContentStore {
 public:
  explicit ContentStore(std::filesystem::path root) : root_(std::move(root)) {}
  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path path_for(const std::string& sha256_hex) const;
  bool has(const std::string& sha256_hex) const;
  // Store bytes (hash computed here); returns the hex digest.
  Result<std::string> put(std::string_view bytes);

 private:
  std::filesystem::path root_;
};

// The cache directory: $PARE_CACHE_DIR, else $XDG_CACHE_HOME/pare, else ~/.cache/pare.
std::filesystem::path default_cache_dir();

}  // namespace pare
