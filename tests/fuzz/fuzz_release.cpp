// Fuzz target for Release parsing (deb/release.h): parse_release and
// parse_release_date on arbitrary bytes give a value or Errc::invalid, never a
// crash; every SHA256 entry is a safe relative path with a SHA-256 hex digest.
// The clearsigned-shape checks of verify_clearsigned run too (with a keyring
// that does not exist, so they are all that can run).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deb/release.h"
#include "util/sha256.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto release = pare::deb::parse_release(text, "fuzz");
  if (!release.ok() && release.error().code() != pare::Errc::invalid) std::abort();
  if (release.ok()) {
    for (const auto& [path, entry] : release->files) {
      if (path != entry.path || path.empty() || path.front() == '/') std::abort();
      if (path.find("..") != std::string::npos && (path == ".." || path.rfind("../", 0) == 0))
        std::abort();
      if (!pare::is_sha256_hex(entry.sha256)) std::abort();
    }
    (void)pare::deb::parse_release_date(release->date);
  }
  (void)pare::deb::parse_release_date(text.substr(0, text.find('\n')));
  auto verified = pare::deb::verify_clearsigned(text, "/nonexistent/pare-fuzz-keyring.gpg");
  if (verified.ok()) std::abort();
  return 0;
}
