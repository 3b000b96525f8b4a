// The Java trust store that ca-certificates-java's maintainer script would
// write to /etc/ssl/certs/java/cacerts, built natively from the CA bundle.
// Format: JKS (what keytool writes with -storetype JKS, and what every JRE
// reads): magic 0xFEEDFEED, version 2, the entries, then a SHA-1 over the
// password "changeit" (UTF-16BE), the string "Mighty Aphrodite" and all bytes
// before it. Entries are trusted certificates, aliased "pare:<16 hex of the
// certificate's SHA-256>" and sorted by alias; each entry's date is the
// certificate's notBefore, so equal bundles give byte-identical stores.
#pragma once

#include <string>
#include <vector>

#include "util/result.h"

namespace pare::rootfs {

// `pem_certificates`: PEM blocks as pem_certificates() (cacerts.h) returns them.
Result<std::string> java_truststore(const std::vector<std::string>& pem_certificates);

}  // namespace pare::rootfs
