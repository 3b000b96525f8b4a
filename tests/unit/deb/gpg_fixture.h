// Throwaway OpenPGP keys for tests, made with the real gpg: each GpgKey lives
// in its own GNUPGHOME under /tmp (its gpg-agent is stopped on destruction).
// Tests sign with gpg and verify with pare (librnp), so the two OpenPGP
// implementations are checked against each other.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "test_helpers.h"

namespace pare::testing {

class GpgKey {
 public:
  static bool available() { return have_program("gpg"); }

  explicit GpgKey(const std::string& name) {
    std::string uid = name + " <" + name + "@example.invalid>";
    gpg("--passphrase '' --quick-gen-key '" + uid + "' ed25519 sign never");
    gpg("--export > '" + keyring().string() + "'");
    gpg("--export --armor > '" + armored_keyring().string() + "'");
    gpg("--with-colons --list-keys > '" + (home_ / "list").string() + "'");
    key_id_ = parse_key_id(read_bytes(home_ / "list"));
  }
  ~GpgKey() {
    run_shell("gpgconf --homedir '" + home_.path().string() + "' --kill gpg-agent >/dev/null 2>&1");
  }
  GpgKey(const GpgKey&) = delete;
  GpgKey& operator=(const GpgKey&) = delete;

  // The OpenPGP clearsigned form of text (what an InRelease is).
  std::string clearsign(std::string_view text) const {
    write_bytes(home_ / "msg", text);
    gpg("--yes --clearsign --output '" + (home_ / "msg.asc").string() + "' '" +
        (home_ / "msg").string() + "'");
    return read_bytes(home_ / "msg.asc");
  }

  std::filesystem::path keyring() const { return home_ / "pubring-export.gpg"; }
  std::filesystem::path armored_keyring() const { return home_ / "pubring-export.asc"; }
  const std::string& key_id() const { return key_id_; }  // 16 hex digits, upper case

  // Keys shared by all tests of a binary (key generation takes a moment).
  static GpgKey& shared() {
    static GpgKey key("pare-test-archive");
    return key;
  }
  static GpgKey& other() {
    static GpgKey key("pare-other-archive");
    return key;
  }

 private:
  void gpg(const std::string& args) const {
    std::string cmd = "GNUPGHOME='" + home_.path().string() + "' gpg --batch --quiet " + args +
                      " 2>'" + (home_ / "gpg.err").string() + "'";
    if (run_shell(cmd) != 0)
      throw std::runtime_error("gpg failed: " + cmd + "\n" + read_bytes(home_ / "gpg.err"));
  }

  static std::string parse_key_id(const std::string& colons) {
    // "pub:u:255:22:<KEYID>:..." (gpg's --with-colons format, field 5)
    size_t pos = colons.find("pub:");
    for (int field = 0; pos != std::string::npos && field < 4; ++field)
      pos = colons.find(':', pos + 1);
    if (pos == std::string::npos) throw std::runtime_error("no key id in gpg output");
    return colons.substr(pos + 1, colons.find(':', pos + 1) - pos - 1);
  }

  ScratchDir home_;
  std::string key_id_;
};

}  // namespace pare::testing
