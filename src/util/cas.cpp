#include "util/cas.h"

#include <cstdlib>

#include "util/fs.h"
#include "util/sha256.h"

namespace pare {

std::filesystem::path ContentStore::path_for(const std::string& hex) const {
  return root_ / "blobs" / "sha256" / hex;
}

bool ContentStore::has(const std::string& hex) const {
  return fs::exists(path_for(hex));
}

Result<std::string> ContentStore::put(std::string_view bytes) {
  std::string hex = sha256_hex(bytes);
  if (!has(hex)) PARE_CHECK(fs::write_file_atomic(path_for(hex), bytes));
  return hex;
}

std::filesystem::path default_cache_dir() {
  if (const char* d = std::getenv("PARE_CACHE_DIR"); d && *d) return d;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x)
    return std::filesystem::path(x) / "pare";
  if (const char* h = std::getenv("HOME"); h && *h)
    return std::filesystem::path(h) / ".cache" / "pare";
  return std::filesystem::path("/tmp") / "pare-cache";
}

}  // namespace pare
