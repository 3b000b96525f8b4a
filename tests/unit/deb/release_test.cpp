#include "deb/release.h"

#include <gtest/gtest.h>

#include "gpg_fixture.h"
#include "test_helpers.h"

using namespace pare;
using namespace pare::deb;
using pare::testing::GpgKey;

namespace {

const char* kRelease =
    "Origin: Debian\n"
    "Label: Debian\n"
    "Suite: stable\n"
    "Version: 12.5\n"
    "Codename: bookworm\n"
    "Date: Sat, 10 Feb 2024 09:05:42 UTC\n"
    "Valid-Until: Sat, 17 Feb 2024 09:05:42 UTC\n"
    "Acquire-By-Hash: yes\n"
    "Architectures: all amd64 arm64\n"
    "Components: main contrib\n"
    "Description: Debian 12.5 Released 10 February 2024\n"
    "MD5Sum:\n"
    " 0123456789abcdef0123456789abcdef 1 main/binary-amd64/Packages\n"
    "SHA256:\n"
    " 9a2f6e0b2d1b1f4e3d2f8f9d4c6c1b2a3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b 8786 "
    "main/binary-amd64/Packages\n"
    " 1a2f6e0b2d1b1f4e3d2f8f9d4c6c1b2a3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b   1234 "
    "main/binary-amd64/Packages.xz\n"
    " 2a2f6e0b2d1b1f4e3d2f8f9d4c6c1b2a3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b 1 ../evil\n";

TEST(Release, ParsesFieldsAndSha256List) {
  auto r = parse_release(kRelease, "InRelease");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->origin, "Debian");
  EXPECT_EQ(r->suite, "stable");
  EXPECT_EQ(r->codename, "bookworm");
  EXPECT_EQ(r->version, "12.5");
  EXPECT_EQ(r->date, "Sat, 10 Feb 2024 09:05:42 UTC");
  EXPECT_EQ(r->valid_until, "Sat, 17 Feb 2024 09:05:42 UTC");
  EXPECT_TRUE(r->acquire_by_hash);
  EXPECT_EQ(r->architectures, (std::vector<std::string>{"all", "amd64", "arm64"}));
  EXPECT_EQ(r->components, (std::vector<std::string>{"main", "contrib"}));
  ASSERT_EQ(r->files.size(), 2u);  // "../evil" is dropped
  const ReleaseFileEntry& xz = r->files.at("main/binary-amd64/Packages.xz");
  EXPECT_EQ(xz.path, "main/binary-amd64/Packages.xz");
  EXPECT_EQ(xz.size, 1234u);
  EXPECT_EQ(xz.sha256, "1a2f6e0b2d1b1f4e3d2f8f9d4c6c1b2a3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b");
  EXPECT_EQ(r->files.at("main/binary-amd64/Packages").size, 8786u);
}

TEST(Release, DefaultsWhenFieldsAreAbsent) {
  auto r = parse_release("Suite: x\n", "R");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->acquire_by_hash);
  EXPECT_TRUE(r->files.empty());
  EXPECT_TRUE(r->valid_until.empty());
}

TEST(Release, BadSha256LinesNameTheLine) {
  std::string hash(64, 'a');
  for (std::string bad : {hash + " 12\n", std::string("xyz 12 p\n"), hash + " 12a p\n",
                          hash + " 99999999999999999999 p\n"}) {
    auto r = parse_release("Suite: x\nSHA256:\n " + hash + " 1 ok\n " + bad, "InRelease");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Errc::invalid);
    EXPECT_NE(r.error().message().find("InRelease:4:"), std::string::npos) << r.error().message();
  }
  EXPECT_FALSE(parse_release("", "R").ok());
  EXPECT_FALSE(parse_release("not a release\n", "R").ok());
}

TEST(ReleaseDate, ParsesDebianDates) {
  EXPECT_EQ(parse_release_date("Thu, 01 Jan 1970 00:00:00 UTC").value(), 0);
  EXPECT_EQ(parse_release_date("Sat, 10 Feb 2024 09:05:42 UTC").value(), 1707555942);
  EXPECT_EQ(parse_release_date("10 Feb 2024 09:05:42 GMT").value(), 1707555942);
  EXPECT_EQ(parse_release_date("Sat, 10 Feb 2024 10:05:42 +0100").value(), 1707555942);
  EXPECT_EQ(parse_release_date("Tue, 1 Mar 2000 00:00:00 UTC").value(), 951868800);
  for (const char* bad : {"", "yesterday", "Sat, 10 Foo 2024 09:05:42 UTC",
                          "Sat, 10 Feb 2024 9:05:42 UTC", "Sat, 10 Feb 2024 09:05:42 CEST",
                          "Sat, 32 Feb 2024 09:05:42 UTC", "Sat, 10 Feb 24 09:05:42 UTC"})
    EXPECT_FALSE(parse_release_date(bad).ok()) << bad;
}

// ---- signature verification (gpg signs, librnp verifies)

class Signature : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!GpgKey::available()) GTEST_SKIP() << "gpg not installed";
  }
  const std::string text = "Origin: Test\nSuite: testing\n- a line starting with a dash\n";
};

TEST_F(Signature, GoodFileVerifiesAndReturnsOnlyTheSignedText) {
  std::string signed_text = GpgKey::shared().clearsign(text);
  auto r = verify_clearsigned(signed_text, GpgKey::shared().keyring());
  ASSERT_TRUE(r.ok()) << r.error().message();
  // Exactly the signed text: dash-escaping undone, no armor or signature.
  EXPECT_EQ(*r, text);
}

TEST_F(Signature, ArmoredKeyringWorksToo) {
  std::string signed_text = GpgKey::shared().clearsign(text);
  auto r = verify_clearsigned(signed_text, GpgKey::shared().armored_keyring());
  ASSERT_TRUE(r.ok()) << r.error().message();
}

TEST_F(Signature, OneChangedByteIsRejected) {
  std::string signed_text = GpgKey::shared().clearsign(text);
  size_t pos = signed_text.find("testing");
  ASSERT_NE(pos, std::string::npos);
  signed_text[pos] = 'T';
  auto r = verify_clearsigned(signed_text, GpgKey::shared().keyring());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::signature);
  EXPECT_EQ(r.error().message(), "InRelease signature is invalid");
}

TEST_F(Signature, KeyNotInKeyringIsRejectedNamingTheKey) {
  std::string signed_text = GpgKey::other().clearsign(text);
  auto r = verify_clearsigned(signed_text, GpgKey::shared().keyring());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::signature);
  EXPECT_NE(r.error().message().find(GpgKey::other().key_id()), std::string::npos)
      << r.error().message() << " should name " << GpgKey::other().key_id();
}

TEST_F(Signature, TextOutsideTheSignedMessageIsRejected) {
  std::string signed_text = GpgKey::shared().clearsign(text);
  for (std::string bad : {"Suite: evil\n" + signed_text, signed_text + "Suite: evil\n",
                          signed_text + signed_text, std::string("Suite: plain\n")}) {
    auto r = verify_clearsigned(bad, GpgKey::shared().keyring());
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), Errc::signature) << r.error().message();
  }
  // Surrounding blank lines are harmless.
  EXPECT_TRUE(verify_clearsigned("\n" + signed_text + "\n\n", GpgKey::shared().keyring()).ok());
}

TEST_F(Signature, MissingOrEmptyKeyring) {
  std::string signed_text = GpgKey::shared().clearsign(text);
  auto missing = verify_clearsigned(signed_text, "/nonexistent/keyring.gpg");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), Errc::not_found);
  pare::testing::ScratchDir dir;
  pare::testing::write_bytes(dir / "empty.gpg", "");
  auto empty = verify_clearsigned(signed_text, dir / "empty.gpg");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), Errc::invalid);
  EXPECT_FALSE(verify_clearsigned(signed_text, "").ok());
}

// The host's apt cache, when it holds a Debian InRelease: verify it against
// the real archive keyring (offline: only local files are read).
TEST(RealArchive, HostInReleaseVerifiesWithDebianKeyring) {
  const std::filesystem::path keyring = "/usr/share/keyrings/debian-archive-keyring.gpg";
  std::filesystem::path inrelease;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/var/lib/apt/lists", ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 10 && name.substr(name.size() - 10) == "_InRelease") {
      inrelease = e.path();
      break;
    }
  }
  if (!std::filesystem::exists(keyring) || inrelease.empty())
    GTEST_SKIP() << "no Debian keyring or no InRelease in /var/lib/apt/lists";
  std::string bytes = pare::testing::read_bytes(inrelease);
  auto text = verify_clearsigned(bytes, keyring);
  if (!text.ok() && text.error().message().find("not in keyring") != std::string::npos)
    GTEST_SKIP() << "not signed by a Debian archive key: " << inrelease;
  ASSERT_TRUE(text.ok()) << inrelease << ": " << text.error().message();
  auto release = parse_release(*text, inrelease.string());
  ASSERT_TRUE(release.ok()) << release.error().message();
  EXPECT_FALSE(release->files.empty());
  size_t pos = bytes.find("SHA256:");
  ASSERT_NE(pos, std::string::npos);
  bytes[pos + 10] ^= 1;  // inside the first hash
  auto tampered = verify_clearsigned(bytes, keyring);
  ASSERT_FALSE(tampered.ok());
  EXPECT_EQ(tampered.error().message(), "InRelease signature is invalid");
}

}  // namespace

TEST(UnverifiedSignedText, TheMessageBetweenArmorHeadersAndSignature) {
  std::string inrelease =
      "-----BEGIN PGP SIGNED MESSAGE-----\n"
      "Hash: SHA512\n"
      "\n"
      "Origin: Debian\n"
      "- -----dash-escaped line\n"
      "SHA256:\n"
      " abc 12 main/binary-amd64/Packages\n"
      "-----BEGIN PGP SIGNATURE-----\n"
      "\n"
      "iQIzBAEBCgAdFiEE\n"
      "-----END PGP SIGNATURE-----\n";
  EXPECT_EQ(
      pare::deb::unverified_signed_text(inrelease),
      "Origin: Debian\n-----dash-escaped line\nSHA256:\n abc 12 main/binary-amd64/Packages\n");
  EXPECT_EQ(pare::deb::unverified_signed_text("Origin: Debian\n"), "");
  EXPECT_EQ(pare::deb::unverified_signed_text(
                "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nOrigin: x\n"),
            "")
      << "no signature block";
}
