// The Java trust store (src/rootfs/java_truststore.h), checked from outside:
// the JKS bytes are parsed here independently (format of OpenJDK's
// sun.security.provider.JavaKeyStore), entry dates compared with `openssl x509
// -startdate`, and keytool (openjdk-17-jre-headless) must list every entry and
// must notice a changed byte (so the keyed SHA-1 is really the one Java checks).
#include <gtest/gtest.h>

#include <openssl/sha.h>
#include "support/command.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <set>

#include "rootfs/cacerts.h"
#include "rootfs/java_truststore.h"
#include "support/command.h"
#include "util/fs.h"
#include "util/sha256.h"

using namespace pare;
using namespace pare::rootfs;
namespace stdfs = std::filesystem;

namespace {

struct JksEntry {
  uint32_t tag = 0;
  std::string alias;
  int64_t date_ms = 0;
  std::string cert_type, der;
};

// A strict reader for the trusted-certificate subset of JKS; fails the test on
// anything unexpected.
class JksReader {
 public:
  explicit JksReader(const std::string& b) : b_(b) {}
  bool parse(std::vector<JksEntry>& out) {
    uint32_t magic, version, count;
    if (!u32(magic) || !u32(version) || !u32(count) || magic != 0xFEEDFEED || version != 2)
      return false;
    for (uint32_t i = 0; i < count; ++i) {
      JksEntry e;
      uint64_t date;
      uint32_t len;
      if (!u32(e.tag) || !utf(e.alias) || !u64(date) || !utf(e.cert_type) || !u32(len) ||
          !bytes(len, e.der))
        return false;
      e.date_ms = static_cast<int64_t>(date);
      out.push_back(std::move(e));
    }
    return b_.size() - at_ == SHA_DIGEST_LENGTH;  // exactly the digest remains
  }
  size_t body_size() const { return at_; }

 private:
  bool bytes(size_t n, std::string& out) {
    if (b_.size() - at_ < n) return false;
    out = b_.substr(at_, n);
    at_ += n;
    return true;
  }
  bool be(unsigned n, uint64_t& v) {
    std::string s;
    if (!bytes(n, s)) return false;
    v = 0;
    for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
    return true;
  }
  bool u32(uint32_t& v) {
    uint64_t x;
    if (!be(4, x)) return false;
    v = static_cast<uint32_t>(x);
    return true;
  }
  bool u64(uint64_t& v) { return be(8, v); }
  bool utf(std::string& s) {
    uint64_t n;
    return be(2, n) && bytes(n, s);
  }
  const std::string& b_;
  size_t at_ = 0;
};

std::vector<std::string> host_certs(size_t limit) {
  auto text = fs::read_file("/etc/ssl/certs/ca-certificates.crt");
  if (!text.ok()) return {};
  auto certs = pem_certificates(*text, "host bundle");
  if (!certs.ok()) return {};
  if (certs->size() > limit) certs->resize(limit);
  return *certs;
}

using pare::testing::run_command;

bool have(const char* tool) {
  return std::system((std::string("command -v ") + tool + " >/dev/null 2>&1").c_str()) == 0;
}

std::string der_of(const std::string& pem) {
  std::string body;
  size_t begin = pem.find('\n') + 1, end = pem.find("-----END");
  for (char c : pem.substr(begin, end - begin))
    if (c != '\n') body += c;
  return *base64_decode(body);
}

}  // namespace

TEST(Jks, EntriesAreTheCertificatesSortedByUniqueAlias) {
  auto certs = host_certs(12);
  if (certs.size() < 12) GTEST_SKIP() << "host CA bundle missing";
  auto store = java_truststore(certs);
  ASSERT_TRUE(store.ok()) << store.error().message();
  std::vector<JksEntry> entries;
  JksReader reader(*store);
  ASSERT_TRUE(reader.parse(entries));
  ASSERT_EQ(entries.size(), certs.size());
  std::set<std::string> ders;
  for (const auto& c : certs) ders.insert(der_of(c));
  std::set<std::string> aliases;
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    EXPECT_EQ(e.tag, 2u);  // trusted certificate
    EXPECT_EQ(e.cert_type, "X.509");
    EXPECT_TRUE(ders.count(e.der)) << e.alias;
    EXPECT_TRUE(aliases.insert(e.alias).second) << "duplicate alias " << e.alias;
    EXPECT_EQ(e.alias.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), std::string::npos)
        << "keytool lowercases aliases: " << e.alias;
    if (i > 0) {
      EXPECT_LT(entries[i - 1].alias, e.alias);
    }
  }
  // The keyed digest: SHA-1("changeit" as UTF-16BE, "Mighty Aphrodite", body).
  std::string material = std::string("\0c\0h\0a\0n\0g\0e\0i\0t", 16) + "Mighty Aphrodite" +
                         store->substr(0, reader.body_size());
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(material.data()), material.size(), digest);
  EXPECT_EQ(store->substr(reader.body_size()),
            std::string(reinterpret_cast<char*>(digest), sizeof digest));
}

TEST(Jks, EntryDatesAreTheCertificatesNotBefore) {
  if (!have("openssl")) GTEST_SKIP() << "openssl missing";
  auto certs = host_certs(4);
  if (certs.empty()) GTEST_SKIP() << "host CA bundle missing";
  auto store = java_truststore(certs);
  ASSERT_TRUE(store.ok());
  std::vector<JksEntry> entries;
  ASSERT_TRUE(JksReader(*store).parse(entries));
  auto tmp = fs::TempDir::create(stdfs::temp_directory_path());
  ASSERT_TRUE(tmp.ok());
  for (const auto& e : entries) {
    stdfs::path der = tmp->path() / "cert.der";
    ASSERT_TRUE(fs::write_file_atomic(der, e.der).ok());
    // "notBefore=May 30 10:48:38 2000 GMT"
    std::string line =
        run_command("openssl x509 -inform DER -noout -startdate -in " + der.string());
    struct tm tm {};
    ASSERT_NE(strptime(line.c_str(), "notBefore=%b %d %H:%M:%S %Y GMT", &tm), nullptr) << line;
    EXPECT_EQ(e.date_ms, static_cast<int64_t>(timegm(&tm)) * 1000) << e.alias << " " << line;
  }
}

TEST(Jks, DeterministicAndIndependentOfInputOrder) {
  auto certs = host_certs(20);
  if (certs.size() < 2) GTEST_SKIP() << "host CA bundle missing";
  auto a = java_truststore(certs);
  std::vector<std::string> reversed(certs.rbegin(), certs.rend());
  auto b = java_truststore(reversed);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(sha256_hex(*a), sha256_hex(*java_truststore(certs)));
}

TEST(Jks, CorruptCertificatesAreErrors) {
  auto certs = host_certs(2);
  if (certs.size() < 2) GTEST_SKIP() << "host CA bundle missing";
  // Valid PEM and base64 around DER that is not a certificate (a bare SEQUENCE).
  std::string not_a_cert = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";
  EXPECT_FALSE(java_truststore({certs[0], not_a_cert}).ok());
  // A certificate with its body cut short.
  std::string cut = certs[1];
  size_t mid = cut.size() / 2;
  cut = cut.substr(0, mid - (mid % 65)) + "-----END CERTIFICATE-----\n";
  EXPECT_FALSE(java_truststore({cut}).ok());
  EXPECT_FALSE(java_truststore({"not pem at all"}).ok());
}

TEST(Jks, KeytoolListsEveryEntryAndNoticesTampering) {
  if (!have("keytool")) GTEST_SKIP() << "keytool missing (apt-get install openjdk-17-jre-headless)";
  auto certs = host_certs(5);
  if (certs.size() < 5) GTEST_SKIP() << "host CA bundle missing";
  auto store = java_truststore(certs);
  ASSERT_TRUE(store.ok());
  auto tmp = fs::TempDir::create(stdfs::temp_directory_path());
  ASSERT_TRUE(tmp.ok());
  stdfs::path file = tmp->path() / "cacerts";
  ASSERT_TRUE(fs::write_file_atomic(file, *store).ok());
  int status = 0;
  std::string out = run_command(
      "keytool -list -keystore " + file.string() + " -storepass changeit 2>&1", &status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("Keystore type: JKS"), std::string::npos) << out;
  EXPECT_NE(out.find("Your keystore contains 5 entries"), std::string::npos) << out;
  size_t trusted = 0;
  for (size_t at = 0; (at = out.find("trustedCertEntry", at)) != std::string::npos; ++at) ++trusted;
  EXPECT_EQ(trusted, 5u) << out;

  std::string tampered = *store;
  // Inside the last certificate's signature (it ends 20 bytes before the end,
  // where the digest starts): the certificate still parses, the digest no longer matches.
  tampered[tampered.size() - SHA_DIGEST_LENGTH - 10] ^= 0x01;
  ASSERT_TRUE(fs::write_file_atomic(file, tampered).ok());
  out = run_command("keytool -list -keystore " + file.string() + " -storepass changeit 2>&1",
                    &status);
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("tampered"), std::string::npos) << out;
}
