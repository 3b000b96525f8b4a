#include "deb/release.h"

#include <fcntl.h>
#include <rnp/rnp.h>
#include <rnp/rnp_err.h>

#include <map>
#include <memory>
#include <mutex>
#include <type_traits>

#include "deb/deb822.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::deb {

namespace {

// ---- librnp handles, owned

template <class Handle, rnp_result_t (*Destroy)(Handle)>
struct RnpDeleter {
  void operator()(Handle h) const {
    if (h) Destroy(h);
  }
};
template <class Handle, rnp_result_t (*Destroy)(Handle)>
using RnpPtr = std::unique_ptr<std::remove_pointer_t<Handle>, RnpDeleter<Handle, Destroy>>;

using Ffi = RnpPtr<rnp_ffi_t, rnp_ffi_destroy>;
using Input = RnpPtr<rnp_input_t, rnp_input_destroy>;
using Output = RnpPtr<rnp_output_t, rnp_output_destroy>;
using VerifyOp = RnpPtr<rnp_op_verify_t, rnp_op_verify_destroy>;
using SignatureHandle = RnpPtr<rnp_signature_handle_t, rnp_signature_handle_destroy>;

// Largest InRelease accepted (Debian's main suite is ~150 KiB).
constexpr size_t kMaxSignedText = 64u << 20;

Error rnp_error(Errc code, const std::string& what, rnp_result_t r) {
  return Error(code, what + " (" + rnp_result_to_string(r) + ")");
}

Result<Input> input_from(std::string_view bytes) {
  rnp_input_t in = nullptr;
  rnp_result_t r = rnp_input_from_memory(&in, reinterpret_cast<const uint8_t*>(bytes.data()),
                                         bytes.size(), false);
  if (r != RNP_SUCCESS) return rnp_error(Errc::internal, "rnp_input_from_memory failed", r);
  return Input(in);
}

Result<Ffi> load_keyring(const std::filesystem::path& keyring) {
  if (keyring.empty()) return Error(Errc::invalid, "no keyring given to verify InRelease with");
  auto bytes = fs::read_file(keyring, kMaxKeyringSize);
  if (!bytes.ok()) return bytes.error().context("reading keyring");
  if (bytes->empty()) return Error(Errc::invalid, "keyring " + keyring.string() + " is empty");
  rnp_ffi_t raw = nullptr;
  if (rnp_result_t r = rnp_ffi_create(&raw, "GPG", "GPG"); r != RNP_SUCCESS)
    return rnp_error(Errc::internal, "rnp_ffi_create failed", r);
  Ffi ffi(raw);
  // rnp logs its own diagnostics to stderr; pare reports failures itself.
  static const int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (devnull >= 0) rnp_ffi_set_log_fd(ffi.get(), devnull);
  PARE_TRY(Input in, input_from(*bytes));
  // import_keys reads binary and armored keyrings alike; PERMISSIVE skips keys
  // rnp cannot use instead of rejecting the whole keyring.
  rnp_result_t r = RNP_SUCCESS;
  log::with_stderr_silenced([&] {
    r = rnp_import_keys(ffi.get(), in.get(), RNP_LOAD_SAVE_PUBLIC_KEYS | RNP_LOAD_SAVE_PERMISSIVE,
                        nullptr);
  });
  size_t count = 0;
  if (r == RNP_SUCCESS) rnp_get_public_key_count(ffi.get(), &count);
  if (r != RNP_SUCCESS || count == 0)
    return Error(Errc::invalid,
                 "keyring " + keyring.string() + " holds no usable OpenPGP public key" +
                     (r != RNP_SUCCESS ? std::string(" (") + rnp_result_to_string(r) + ")" : ""));
  return ffi;
}

// Importing Debian's keyring makes rnp check every key's self-signatures
// (~0.1 s); a build verifies up to three InRelease files per architecture
// with the same keyring, so each keyring (by content) is imported once per
// process. rnp's ffi objects are not thread-safe: callers hold the lock.
std::mutex keyring_mutex;

Result<rnp_ffi_t> shared_keyring(const std::filesystem::path& keyring) {
  // SHA-256 of the keyring's bytes -> its ffi. Never destroyed: at exit Botan's
  // own globals may already be gone, and destroying an ffi then crashes.
  static auto& loaded = *new std::map<std::string, Ffi>;
  auto bytes = fs::read_file(keyring, kMaxKeyringSize);
  std::string key = bytes.ok() ? sha256_hex(*bytes) : std::string();
  if (auto it = loaded.find(key); !key.empty() && it != loaded.end()) return it->second.get();
  PARE_TRY(Ffi ffi, load_keyring(keyring));
  rnp_ffi_t raw = ffi.get();
  if (!key.empty()) loaded.emplace(key, std::move(ffi));  // else load_keyring has failed
  return raw;
}

std::string_view next_line(std::string_view text, size_t& pos) {
  size_t end = text.find('\n', pos);
  if (end == std::string_view::npos) end = text.size();
  std::string_view line = text.substr(pos, end - pos);
  pos = end + 1;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

// apt accepts an InRelease only if it is exactly one clearsigned message with
// nothing but whitespace around it: otherwise unsigned text could travel next
// to a valid signature (CVE-2013-1051-style confusion). Returns the offset of
// the message's first line (rnp wants the armor header first).
Result<size_t> check_clearsigned_shape(std::string_view text) {
  size_t pos = 0, start = 0;
  int begin_msg = 0, begin_sig = 0, end_sig = 0;
  bool before = true, after = false;
  while (pos < text.size()) {
    size_t line_start = pos;
    std::string_view line = next_line(text, pos);
    if (line == "-----BEGIN PGP SIGNED MESSAGE-----") {
      if (begin_msg++ == 0) start = line_start;
      before = false;
    } else if (line == "-----BEGIN PGP SIGNATURE-----") {
      ++begin_sig;
    } else if (line == "-----END PGP SIGNATURE-----") {
      ++end_sig;
      after = true;
    } else if ((before || after) && !blank(line)) {
      return Error(Errc::signature, "InRelease has text outside its clearsigned message");
    } else if (line.rfind("-----", 0) == 0 && !before && !after) {
      return Error(Errc::signature, "InRelease has an unexpected armor line: " + std::string(line));
    }
  }
  if (begin_msg != 1 || begin_sig != 1 || end_sig != 1)
    return Error(Errc::signature, "InRelease is not one OpenPGP clearsigned message");
  return start;
}

std::string signer_key_id(rnp_op_verify_signature_t sig) {
  rnp_signature_handle_t raw = nullptr;
  if (rnp_op_verify_signature_get_handle(sig, &raw) != RNP_SUCCESS) return "(unknown key id)";
  SignatureHandle handle(raw);
  char* keyid = nullptr;
  if (rnp_signature_get_keyid(handle.get(), &keyid) != RNP_SUCCESS || !keyid)
    return "(unknown key id)";
  std::string id(keyid);
  rnp_buffer_destroy(keyid);
  return id;
}

// Why no signature was good, from the per-signature statuses.
Error verification_failure(rnp_op_verify_t op, const std::filesystem::path& keyring,
                           rnp_result_t overall) {
  size_t count = 0;
  rnp_op_verify_get_signature_count(op, &count);
  if (count == 0) return rnp_error(Errc::signature, "InRelease carries no signature", overall);
  std::string unknown_keys;
  for (size_t i = 0; i < count; ++i) {
    rnp_op_verify_signature_t sig = nullptr;
    if (rnp_op_verify_get_signature_at(op, i, &sig) != RNP_SUCCESS) continue;
    rnp_result_t status = rnp_op_verify_signature_get_status(sig);
    if (status == RNP_ERROR_SIGNATURE_INVALID)
      return Error(Errc::signature, "InRelease signature is invalid");
    if (status == RNP_ERROR_KEY_NOT_FOUND)
      unknown_keys += (unknown_keys.empty() ? "" : ", ") + signer_key_id(sig);
    else if (status != RNP_SUCCESS)
      return rnp_error(Errc::signature,
                       "InRelease signature by key " + signer_key_id(sig) + " is not valid",
                       status);
  }
  if (!unknown_keys.empty())
    return Error(Errc::signature, "InRelease is signed by key " + unknown_keys +
                                      ", which is not in keyring " + keyring.string());
  return rnp_error(Errc::signature, "InRelease signature is invalid", overall);
}

}  // namespace

std::string unverified_signed_text(std::string_view inrelease) {
  size_t pos = 0;
  while (pos < inrelease.size() &&
         next_line(inrelease, pos) != "-----BEGIN PGP SIGNED MESSAGE-----") {
  }
  while (pos < inrelease.size() && !blank(next_line(inrelease, pos))) {  // armor headers
  }
  std::string out;
  while (pos < inrelease.size()) {
    std::string_view line = next_line(inrelease, pos);
    if (line == "-----BEGIN PGP SIGNATURE-----") return out;
    if (line.rfind("- ", 0) == 0) line.remove_prefix(2);
    out.append(line).push_back('\n');
  }
  return "";
}

Result<std::string> verify_clearsigned(std::string_view inrelease,
                                       const std::filesystem::path& keyring) {
  PARE_TRY(size_t start, check_clearsigned_shape(inrelease));
  std::lock_guard lock(keyring_mutex);
  PARE_TRY(rnp_ffi_t ffi, shared_keyring(keyring));
  PARE_TRY(Input in, input_from(inrelease.substr(start)));
  rnp_output_t raw_out = nullptr;
  if (rnp_result_t r = rnp_output_to_memory(&raw_out, kMaxSignedText); r != RNP_SUCCESS)
    return rnp_error(Errc::internal, "rnp_output_to_memory failed", r);
  Output out(raw_out);
  rnp_op_verify_t raw_op = nullptr;
  if (rnp_result_t r = rnp_op_verify_create(&raw_op, ffi, in.get(), out.get()); r != RNP_SUCCESS)
    return rnp_error(Errc::internal, "rnp_op_verify_create failed", r);
  VerifyOp op(raw_op);
  // Success means at least one valid signature (rnp's default policy).
  rnp_result_t r = RNP_SUCCESS;
  log::with_stderr_silenced([&] { r = rnp_op_verify_execute(op.get()); });
  if (r != RNP_SUCCESS) return verification_failure(op.get(), keyring, r);
  uint8_t* buf = nullptr;
  size_t len = 0;
  if (rnp_output_memory_get_buf(out.get(), &buf, &len, false) != RNP_SUCCESS)
    return Error(Errc::internal, "cannot read rnp's verification output");
  return std::string(reinterpret_cast<const char*>(buf), len);
}

// ---- Release parsing

namespace {

bool safe_relative_path(std::string_view p) {
  if (p.empty() || p.front() == '/') return false;
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find('/', start);
    if (end == std::string_view::npos) end = p.size();
    if (p.substr(start, end - start) == "..") return false;
    start = end + 1;
  }
  return true;
}

Result<uint64_t> parse_size(std::string_view s) {
  if (s.empty() || s.size() > 19) return Error(Errc::invalid, "bad size '" + std::string(s) + "'");
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return Error(Errc::invalid, "bad size '" + std::string(s) + "'");
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

Result<void> parse_sha256_list(const Field& field, std::string_view source, Release& out) {
  int line = field.line;
  size_t pos = 0;
  const std::string& v = field.value;
  while (pos <= v.size()) {
    size_t end = v.find('\n', pos);
    if (end == std::string::npos) end = v.size();
    std::vector<std::string> w = split_words(std::string_view(v).substr(pos, end - pos));
    pos = end + 1;
    if (w.empty()) {
      ++line;
      continue;
    }
    auto where = [&] { return std::string(source) + ":" + std::to_string(line) + ": "; };
    if (w.size() != 3) return Error(Errc::invalid, where() + "expected 'sha256 size path'");
    if (!is_sha256_hex(w[0])) return Error(Errc::invalid, where() + "bad SHA-256 '" + w[0] + "'");
    auto size = parse_size(w[1]);
    if (!size.ok()) return Error(Errc::invalid, where() + size.error().message());
    if (safe_relative_path(w[2]))
      out.files[w[2]] = ReleaseFileEntry{w[2], *size, w[0]};
    else
      PARE_LOG(debug) << where() << "ignoring unsafe path " << w[2];
    ++line;
  }
  return {};
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool parse_digits(std::string_view s, size_t min_len, size_t max_len, int& out) {
  if (s.size() < min_len || s.size() > max_len) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

int month_number(std::string_view name) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i)
    if (iequals(name, kMonths[i])) return i + 1;
  return 0;
}

// "UTC", "GMT", "Z" or "+hhmm"/"-hhmm" -> offset east of UTC in seconds.
bool parse_zone(std::string_view z, int64_t& offset) {
  offset = 0;
  if (iequals(z, "UTC") || iequals(z, "GMT") || iequals(z, "Z")) return true;
  int hhmm = 0;
  if (z.size() != 5 || (z[0] != '+' && z[0] != '-') || !parse_digits(z.substr(1), 4, 4, hhmm))
    return false;
  if (hhmm % 100 >= 60 || hhmm / 100 >= 24) return false;
  offset = (hhmm / 100 * 3600 + hhmm % 100 * 60) * (z[0] == '-' ? -1 : 1);
  return true;
}

bool parse_clock(std::string_view t, int& h, int& m, int& s) {
  if (t.size() != 8 || t[2] != ':' || t[5] != ':') return false;
  return parse_digits(t.substr(0, 2), 2, 2, h) && parse_digits(t.substr(3, 2), 2, 2, m) &&
         parse_digits(t.substr(6, 2), 2, 2, s) && h < 24 && m < 60 && s <= 60;
}

}  // namespace

Result<int64_t> parse_release_date(std::string_view date) {
  std::vector<std::string> w = split_words(date);
  if (!w.empty() && !w.front().empty() && w.front().back() == ',') w.erase(w.begin());
  auto bad = [&] { return Error(Errc::invalid, "bad date '" + std::string(date) + "'"); };
  if (w.size() != 5) return bad();
  int day = 0, year = 0, h = 0, m = 0, s = 0;
  int month = month_number(w[1]);
  int64_t offset = 0;
  if (!parse_digits(w[0], 1, 2, day) || day < 1 || day > 31 || month == 0 ||
      !parse_digits(w[2], 4, 4, year) || !parse_clock(w[3], h, m, s) || !parse_zone(w[4], offset))
    return bad();
  int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * 86400 + h * 3600 + m * 60 + s - offset;
}

const ReleaseFileEntry* find_release_file(const Release& release, const std::string& path) {
  auto it = release.files.find(path);
  return it == release.files.end() ? nullptr : &it->second;
}

Result<Release> parse_release(std::string_view text, std::string_view source_name) {
  PARE_TRY(std::vector<Paragraph> paragraphs, parse_deb822(text, source_name));
  if (paragraphs.empty())
    return Error(Errc::invalid, std::string(source_name) + ": Release file is empty");
  const Paragraph& p = paragraphs.front();
  Release r;
  r.origin = p.get("Origin");
  r.suite = p.get("Suite");
  r.codename = p.get("Codename");
  r.version = p.get("Version");
  r.date = p.get("Date");
  r.valid_until = p.get("Valid-Until");
  r.architectures = split_words(p.get("Architectures"));
  r.components = split_words(p.get("Components"));
  r.acquire_by_hash = iequals(p.get("Acquire-By-Hash"), "yes");
  if (const Field* f = p.find("SHA256")) PARE_CHECK(parse_sha256_list(*f, source_name, r));
  return r;
}

}  // namespace pare::deb
