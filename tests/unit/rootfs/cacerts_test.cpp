#include "rootfs/cacerts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace pare::rootfs {
namespace {

// A real self-signed P-256 certificate made with `openssl req -x509` for these
// tests (CN=pare test CA).
const std::string kRealCert =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBhTCCASugAwIBAgIUFdhVeK2wI2U4XwlHeP10qUirzhEwCgYIKoZIzj0EAwIw\n"
    "FzEVMBMGA1UEAwwMcGFyZSB0ZXN0IENBMCAXDTI2MTEyNzAwMDEzN1oYDzIxMjYx\n"
    "MTAzMDAwMTM3WjAXMRUwEwYDVQQDDAxwYXJlIHRlc3QgQ0EwWTATBgcqhkjOPQIB\n"
    "BggqhkjOPQMBBwNCAASYftk29mS22XOnMlyUHP8iGsbjhhhA81bxfqxI1T4W04D/\n"
    "hplStyaMCVQrwCEe+n/MT5jJB84nGkzK1KjLxEv+o1MwUTAdBgNVHQ4EFgQUAc57\n"
    "9jLE972cNqC+mSn2eWr4LI0wHwYDVR0jBBgwFoAUAc579jLE972cNqC+mSn2eWr4\n"
    "LI0wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiB8N0O7gI8VU1x9\n"
    "6Vt7Gx7S+cih+9+3xUCXj0S+nge5cwIhANB6P39KuQkiVrCvYQ2pzQvDC6a4AAvi\n"
    "9otdBjJ8oRF0\n"
    "-----END CERTIFICATE-----\n";

// Tiny DER SEQUENCEs standing in for certificates: 30 03 02 01 01 and
// 30 05 02 03 01 00 01.
std::string fake_cert(const std::string& body) {
  return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
}
const std::string kCertA = fake_cert("MAMCAQE=");
const std::string kCertB = fake_cert("MAUCAwEAAQ==");

// ---- base64 ----------------------------------------------------------------------

TEST(Base64, DecodesWithAndWithoutPadding) {
  EXPECT_EQ(*base64_decode(""), "");
  EXPECT_EQ(*base64_decode("Zg=="), "f");
  EXPECT_EQ(*base64_decode("Zm8="), "fo");
  EXPECT_EQ(*base64_decode("Zm9v"), "foo");
  EXPECT_EQ(*base64_decode("Zm9vYmFy"), "foobar");
  EXPECT_EQ(*base64_decode("+/+/"), std::string("\xfb\xff\xbf", 3));
  EXPECT_EQ(*base64_decode("MAMCAQE="), std::string("\x30\x03\x02\x01\x01", 5));
}

TEST(Base64, RejectsMalformed) {
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zg=a",
                          "=Zg=", "Zm9v!A==", "Zm9v Zg==", "Zg==Zg==", "Zm-v", "Zm_v", "Z\n=="}) {
    auto r = base64_decode(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), Errc::invalid);
    }
  }
}

// ---- pem_certificates ---------------------------------------------------------

TEST(Pem, RealCertificateRoundTrips) {
  auto r = pem_certificates(kRealCert, "test.crt");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], kRealCert);
}

TEST(Pem, SeveralBlocksWithGarbageBetween) {
  std::string text =
      "Certificate:\n    Data: ...\n" + kCertA +
      "some text -----BEGIN nonsense\n\n"
      "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n" +
      kRealCert + "-----END CERTIFICATE-----\n" + "trailing words";
  auto r = pem_certificates(text, "mixed.pem");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0], kCertA);
  EXPECT_EQ((*r)[1], kRealCert);
}

TEST(Pem, CrlfAndSurroundingWhitespaceAreNormalised) {
  std::string crlf;
  for (char c : kRealCert) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  auto r = pem_certificates(crlf, "crlf.crt");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], kRealCert);

  auto s = pem_certificates(
      "  -----BEGIN CERTIFICATE-----  \n\tMAMCAQE= \n\n-----END CERTIFICATE-----", "ws.crt");
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ((*s)[0], kCertA);
}

TEST(Pem, LastLineWithoutNewline) {
  std::string text = kRealCert.substr(0, kRealCert.size() - 1);
  auto r = pem_certificates(text, "nonl.crt");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ((*r)[0], kRealCert);
}

TEST(Pem, NoCertificateIsInvalidNamingTheFile) {
  for (const std::string& text :
       {std::string(), std::string("hello\n"),
        std::string("-----BEGIN PRIVATE KEY-----\nMAMCAQE=\n-----END PRIVATE KEY-----\n"),
        std::string("-----BEGIN TRUSTED CERTIFICATE-----\nMAMCAQE=\n-----END TRUSTED "
                    "CERTIFICATE-----\n")}) {
    auto r = pem_certificates(text, "empty.crt");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::invalid);
    EXPECT_NE(r.error().message().find("empty.crt"), std::string::npos) << r.error().message();
  }
}

TEST(Pem, TruncatedBlockIsInvalid) {
  // No END line at all.
  auto r = pem_certificates(kRealCert.substr(0, 200), "trunc.crt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find("trunc.crt:1"), std::string::npos) << r.error().message();
  // A second BEGIN before the first END.
  auto s = pem_certificates("-----BEGIN CERTIFICATE-----\nMAMCAQE=\n" + kCertB, "nested.crt");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("nested.crt"), std::string::npos);
  // Lines lost from the middle: base64 may still be well-formed, the DER is not.
  std::string cut = kRealCert;
  size_t second_line = cut.find('\n', 28) + 1;
  cut.erase(second_line, 65);
  auto t = pem_certificates(cut, "cut.crt");
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message().find("DER"), std::string::npos) << t.error().message();
}

TEST(Pem, InvalidBase64IsInvalidWithLine) {
  auto r = pem_certificates("x\n" + fake_cert("MAMC*QE="), "bad.crt");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find("bad.crt:3"), std::string::npos) << r.error().message();
  EXPECT_FALSE(pem_certificates(fake_cert("MAMCAQE"), "len.crt").ok());
  EXPECT_FALSE(pem_certificates(fake_cert("MA==MCAQE="), "pad.crt").ok());
  EXPECT_FALSE(pem_certificates(fake_cert("Proc-Type: 4,ENCRYPTED"), "hdr.crt").ok());
}

TEST(Pem, BodyMustBeOneDerSequence) {
  EXPECT_FALSE(pem_certificates(fake_cert("Zm9vYmFy"), "x").ok());  // "foobar"
  EXPECT_FALSE(pem_certificates(fake_cert("MAQCAQE="), "x").ok());  // length 4, 3 bytes
  EXPECT_FALSE(pem_certificates(fake_cert("MAMCAQEA"), "x").ok());  // a trailing byte
  EXPECT_FALSE(pem_certificates(fake_cert("MIAAAA=="), "x").ok());  // indefinite length
  EXPECT_FALSE(pem_certificates(fake_cert(""), "x").ok());          // empty body
  EXPECT_TRUE(pem_certificates(fake_cert("MAA="), "x").ok());       // 30 00
  EXPECT_TRUE(pem_certificates(fake_cert("MIEDAgEB"), "x").ok());   // 30 81 03 02 01 01
}

// ---- ca_bundle ------------------------------------------------------------------

TEST(Bundle, FilesInGivenOrderCertificatesInFileOrder) {
  auto r = ca_bundle({{"mozilla/B.crt", kCertB},
                      {"mozilla/A.crt", kCertA + kRealCert},
                      {"local/extra.crt", "comment\r\n" + kCertA}});
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(*r, kCertB + kCertA + kRealCert + kCertA);
}

TEST(Bundle, ErrorsNameTheFile) {
  auto r = ca_bundle({{"mozilla/A.crt", kCertA}, {"mozilla/broken.crt", "no cert here"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find("mozilla/broken.crt"), std::string::npos);
  EXPECT_FALSE(ca_bundle({}).ok());
}

// The host's ca-certificates package, when there is one, is the reference:
// update-ca-certificates concatenates mozilla/*.crt in byte order of their
// paths (each with a newline ensured); the bundle must be those bytes.
TEST(Bundle, MatchesConcatenationOfHostMozillaCertificates) {
  namespace fs = std::filesystem;
  fs::path dir = "/usr/share/ca-certificates/mozilla";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no " << dir;
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".crt") continue;
    std::ifstream in(e.path(), std::ios::binary);
    files.emplace_back("mozilla/" + e.path().filename().string(),
                       std::string(std::istreambuf_iterator<char>(in), {}));
  }
  if (files.empty()) GTEST_SKIP() << "no certificates in " << dir;
  std::sort(files.begin(), files.end());
  std::string expected;
  for (const auto& [name, text] : files) {
    expected += text;
    if (!expected.empty() && expected.back() != '\n') expected += '\n';
  }
  auto r = ca_bundle(files);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->size(), expected.size());
  EXPECT_TRUE(*r == expected);
}

}  // namespace
}  // namespace pare::rootfs
