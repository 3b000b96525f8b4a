// Fuzz target: the Java trust store built from PEM text (rootfs/cacerts.h
// pem_certificates, then rootfs/java_truststore.h, which parses each
// certificate's DER for its notBefore).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rootfs/cacerts.h"
#include "rootfs/java_truststore.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto certs = pare::rootfs::pem_certificates(text, "fuzz");
  if (!certs.ok()) return 0;
  auto store = pare::rootfs::java_truststore(*certs);
  (void)store;
  return 0;
}
