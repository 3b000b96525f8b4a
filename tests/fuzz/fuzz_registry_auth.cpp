// Fuzz target for what registries and credential files say about authentication
// (registry/auth.h, registry/credentials.h): WWW-Authenticate values, token server answers,
// docker config.json / podman auth.json documents. Any bytes parse or give an error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "registry/auth.h"
#include "registry/credentials.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pare::registry;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto c = parse_www_authenticate(text); c.ok())
    for (const auto& ch : *c)
      if (ch.scheme.empty()) std::abort();
  (void)parse_token_response(text);
  std::string helper;
  (void)credential_from_config(text, "reg.example", &helper);
  auto decoded = pare::base64_decode(text);
  if (decoded.ok() && pare::base64_encode(*decoded) != text) std::abort();
  return 0;
}
