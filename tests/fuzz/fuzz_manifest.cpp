// Fuzz target for manifests, indexes and image configs from registries and archives
// (oci/manifest.h, oci/image.h parse_config): any
// bytes parse or give an error, never a crash; what parses serialises to a document that
// parses to the same serialisation.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "oci/image.h"
#include "oci/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pare::oci;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)document_media_type(text, "");
  if (auto m = parse_manifest(text); m.ok()) {
    std::string once = serialize_manifest(*m);
    auto again = parse_manifest(once);
    if (!again.ok() || serialize_manifest(*again) != once) std::abort();
  }
  if (auto i = parse_index(text); i.ok()) {
    std::string once = serialize_index(*i);
    auto again = parse_index(once);
    if (!again.ok() || serialize_index(*again) != once) std::abort();
  }
  (void)parse_platform(text);
  // Image configs of `from:` bases (oci/image.h): the history lines up with the diff_ids.
  if (auto c = parse_config(text); c.ok() && c->history.size() != c->diff_ids.size()) std::abort();
  return 0;
}
