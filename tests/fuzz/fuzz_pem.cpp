// Fuzz target for the PEM certificate reader (rootfs/cacerts.h): arbitrary
// bytes must give certificates or an Errc::invalid error, never a crash, and
// every certificate returned must parse again to itself.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rootfs/cacerts.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto certs = pare::rootfs::pem_certificates(text, "fuzz.pem");
  if (!certs.ok()) {
    if (certs.error().code() != pare::Errc::invalid) std::abort();
    return 0;
  }
  for (const auto& c : *certs) {
    auto again = pare::rootfs::pem_certificates(c, "again.pem");
    if (!again.ok() || again->size() != 1 || (*again)[0] != c) std::abort();
  }
  (void)pare::base64_decode(text);
  return 0;
}
