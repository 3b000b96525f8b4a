// Fuzz target for image references (registry/reference.h): any bytes parse or give
// Errc::invalid, never a crash; what parses prints back as a reference that parses to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pare::registry;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ShortNames names{"reg.example", "library/"};
  auto r = parse_reference(text, names);
  if (r.ok()) {
    auto again = parse_reference(r->str(), names);
    if (!again.ok() || again->str() != r->str()) std::abort();
    if (r->tag.empty() && r->digest.empty()) std::abort();
  } else if (r.error().code() != pare::Errc::invalid) {
    std::abort();
  }
  auto repo = parse_repository(text, names);
  if (repo.ok() && (!repo->tag.empty() || !repo->digest.empty())) std::abort();
  return 0;
}
