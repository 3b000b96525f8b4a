// Fuzz target: the Dockerfile reader (init/dockerfile.h) and the translation of what it
// accepts into a spec (init/init.h).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "init/init.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = pare::init::parse_dockerfile(text);
  if (!parsed.ok()) return 0;
  (void)pare::init::init_from_dockerfile(*parsed, pare::init::InitOptions{});
  return 0;
}
