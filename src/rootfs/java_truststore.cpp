#include "rootfs/java_truststore.h"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "rootfs/cacerts.h"
#include "util/sha256.h"

namespace pare::rootfs {

namespace {

void put_u16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}
void put_u32(std::string& out, uint32_t v) {
  put_u16(out, static_cast<uint16_t>(v >> 16));
  put_u16(out, static_cast<uint16_t>(v & 0xffff));
}
void put_u64(std::string& out, uint64_t v) {
  put_u32(out, static_cast<uint32_t>(v >> 32));
  put_u32(out, static_cast<uint32_t>(v & 0xffffffff));
}
// Java's DataOutput.writeUTF; our aliases are ASCII, where it is plain UTF-8.
void put_utf(std::string& out, const std::string& s) {
  put_u16(out, static_cast<uint16_t>(s.size()));
  out += s;
}

// The DER bytes of a PEM block (the base64 between the BEGIN and END lines).
Result<std::string> der_of(const std::string& pem) {
  size_t begin = pem.find('\n');
  size_t end = pem.find("-----END");
  if (begin == std::string::npos || end == std::string::npos || end < begin)
    return Error(Errc::invalid, "malformed PEM certificate");
  std::string body;
  for (char c : pem.substr(begin + 1, end - begin - 1))
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') body += c;
  return base64_decode(body);
}

// notBefore in milliseconds since the epoch.
Result<int64_t> not_before_ms(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (!cert) return Error(Errc::invalid, "a certificate in the bundle is not valid DER X.509");
  struct tm tm {};
  int ok = ASN1_TIME_to_tm(X509_get0_notBefore(cert), &tm);
  X509_free(cert);
  if (!ok) return Error(Errc::invalid, "a certificate has an unreadable notBefore");
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

}  // namespace

Result<std::string> java_truststore(const std::vector<std::string>& pem_certificates) {
  std::map<std::string, std::pair<std::string, int64_t>> entries;  // alias -> (DER, date)
  for (const auto& pem : pem_certificates) {
    PARE_TRY(std::string der, der_of(pem));
    PARE_TRY(int64_t date, not_before_ms(der));
    entries["pare:" + sha256_hex(der).substr(0, 16)] = {der, date};
  }
  std::string out;
  put_u32(out, 0xFEEDFEED);
  put_u32(out, 2);
  put_u32(out, static_cast<uint32_t>(entries.size()));
  for (const auto& [alias, cert] : entries) {
    put_u32(out, 2);  // trusted certificate entry
    put_utf(out, alias);
    put_u64(out, static_cast<uint64_t>(cert.second));
    put_utf(out, "X.509");
    put_u32(out, static_cast<uint32_t>(cert.first.size()));
    out += cert.first;
  }
  // Keyed integrity digest (sun.security.provider.JavaKeyStore): SHA-1 over
  // the password as UTF-16BE, "Mighty Aphrodite", then the store's bytes.
  std::string key;
  for (char c : std::string("changeit")) {
    key += '\0';
    key += c;
  }
  std::string material = key + "Mighty Aphrodite" + out;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest);
  out.append(reinterpret_cast<const char*>(digest), sizeof digest);
  return out;
}

}  // namespace pare::rootfs
