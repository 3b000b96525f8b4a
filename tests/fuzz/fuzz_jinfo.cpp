// Fuzz target: .jinfo parsing (rootfs/alternatives.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rootfs/alternatives.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r =
      pare::rootfs::jinfo_links(text, "fuzz", [](std::string_view p) { return p.size() % 2 == 0; });
  (void)r;
  return 0;
}
