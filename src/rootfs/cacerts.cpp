#include "rootfs/cacerts.h"
#include "util/base64.h"

#include <array>
#include <cstdint>
#include <optional>

namespace pare::rootfs {

namespace {

constexpr std::string_view kBegin = "-----BEGIN CERTIFICATE-----";
constexpr std::string_view kEnd = "-----END CERTIFICATE-----";
// RFC 7468 section 2: encapsulation boundaries start with five dashes.
constexpr std::string_view kBoundary = "-----";

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\v\f";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// True when `der` is exactly one DER SEQUENCE (X.690 8.1: tag 0x30, then a
// definite length in short or long form that covers the rest of the bytes).
// An X.509 certificate is one; this catches truncated and concatenated blocks.
bool is_one_der_sequence(std::string_view der) {
  if (der.size() < 2 || static_cast<uint8_t>(der[0]) != 0x30) return false;
  auto first = static_cast<uint8_t>(der[1]);
  size_t header = 2;
  uint64_t length = first;
  if (first & 0x80) {
    size_t n = first & 0x7f;
    if (n == 0 || n > 4 || der.size() < 2 + n) return false;  // indefinite or absurd
    length = 0;
    for (size_t i = 0; i < n; ++i) length = (length << 8) | static_cast<uint8_t>(der[2 + i]);
    header += n;
  }
  return length == der.size() - header;
}

Error block_error(std::string_view name, size_t line, const std::string& what) {
  return make_error(Errc::invalid, std::string(name) + ":" + std::to_string(line) +
                                       ": certificate block: " + what);
}

// One certificate block being read.
struct Block {
  size_t begin_line = 0;
  std::string text;    // normalised PEM text so far
  std::string base64;  // the body without line breaks
};

Result<std::string> finish_block(Block& block, std::string_view name) {
  auto der = base64_decode(block.base64);
  if (!der.ok()) return block_error(name, block.begin_line, der.error().message());
  if (!is_one_der_sequence(*der)) {
    return block_error(name, block.begin_line,
                       "the base64 body (" + std::to_string(der->size()) +
                           " bytes) is not one DER SEQUENCE (truncated or not a certificate)");
  }
  block.text.append(kEnd).append("\n");
  return std::move(block.text);
}

// Adds one line inside a block; a boundary line other than END is an error
// (a BEGIN without its END, or mismatched types).
Result<void> add_body_line(Block& block, std::string_view line, std::string_view name,
                           size_t line_no) {
  if (line.substr(0, kBoundary.size()) == kBoundary) {
    return block_error(name, block.begin_line,
                       "not closed by " + std::string(kEnd) + " (line " + std::to_string(line_no) +
                           " is \"" + std::string(line) + "\")");
  }
  for (char c : line) {
    if (base64_value(c) < 0 && c != '=') {
      return block_error(name, line_no,
                         "invalid base64 character in \"" + std::string(line) + "\"");
    }
  }
  block.text.append(line).append("\n");
  block.base64.append(line);
  return {};
}

}  // namespace

Result<std::vector<std::string>> pem_certificates(std::string_view text, std::string_view name) {
  std::vector<std::string> certs;
  std::optional<Block> block;
  size_t line_no = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++line_no;
    if (!block) {
      if (line == kBegin) {
        block.emplace();
        block->begin_line = line_no;
        block->text.append(kBegin).append("\n");
      }
      continue;  // text outside blocks is commentary
    }
    if (line.empty()) continue;
    if (line == kEnd) {
      PARE_TRY(std::string cert, finish_block(*block, name));
      certs.push_back(std::move(cert));
      block.reset();
      continue;
    }
    PARE_CHECK(add_body_line(*block, line, name, line_no));
  }
  if (block) {
    return block_error(name, block->begin_line,
                       "not closed by " + std::string(kEnd) + " before the end of the file");
  }
  if (certs.empty()) {
    return make_error(Errc::invalid,
                      std::string(name) + ": no certificate (" + std::string(kBegin) + ") found");
  }
  return certs;
}

Result<std::string> ca_bundle(const std::vector<std::pair<std::string, std::string>>& files) {
  if (files.empty()) return make_error(Errc::invalid, "CA bundle: no certificate files given");
  std::string bundle;
  for (const auto& [name, text] : files) {
    PARE_TRY(auto certs, pem_certificates(text, name));
    for (const auto& c : certs) bundle += c;
  }
  return bundle;
}

}  // namespace pare::rootfs
