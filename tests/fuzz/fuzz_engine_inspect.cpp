// Fuzz target for what a container engine prints (debug/engine.h): the bytes as `container
// inspect` JSON; a container it accepts gives toolbox arguments that name its id. Any bytes
// parse or give an error; nothing throws.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "debug/attach.h"
#include "debug/engine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pare::debug;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto info = parse_container_inspect(text);
  if (!info) return 0;
  if (info->id.empty()) std::abort();
  AttachOptions o;
  o.toolbox = "tb";
  o.name = "n";
  (void)user_needs_lookup(info->user);
  auto args = attach_run_args(EngineKind::docker, *info, o, info->user.empty() ? "0" : info->user);
  bool names_id = false;
  for (const auto& a : args) names_id |= a == "container:" + info->id;
  if (!names_id) std::abort();
  return 0;
}
