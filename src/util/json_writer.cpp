#include "util/json_writer.h"

#include <cstdio>

namespace pare {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// How many continuation bytes a UTF-8 lead byte announces and the range its first one must be
// in (RFC 3629 section 4: no overlong forms, no surrogates, nothing above U+10FFFF); 0
// continuation bytes with lo > hi: not a lead byte.
struct Lead {
  int continuations;
  unsigned char lo, hi;
};

Lead lead_of(unsigned char c) {
  if (c >= 0xC2 && c <= 0xDF) return {1, 0x80, 0xBF};
  if (c == 0xE0) return {2, 0xA0, 0xBF};
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return {2, 0x80, 0xBF};
  if (c == 0xED) return {2, 0x80, 0x9F};
  if (c == 0xF0) return {3, 0x90, 0xBF};
  if (c >= 0xF1 && c <= 0xF3) return {3, 0x80, 0xBF};
  if (c == 0xF4) return {3, 0x80, 0x8F};
  return {0, 1, 0};
}

// One ASCII byte, escaped where JSON needs it (the short forms, else \u00xx, as nlohmann).
void append_ascii(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      if (c <= 0x1F) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += buf;
      } else {
        out += static_cast<char>(c);
      }
  }
}

bool plain(std::string_view text) {
  for (unsigned char c : text)
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
  return true;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  if (plain(text)) {  // nearly every string of an SBOM: no escaping, no UTF-8
    out += text;
    out += '"';
    return;
  }
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      append_ascii(out, c);
      ++i;
      continue;
    }
    Lead lead = lead_of(c);
    if (lead.continuations == 0) {  // a stray continuation or an impossible lead byte
      out += kReplacement;
      ++i;
      continue;
    }
    // The longest valid prefix of the sequence is replaced as one; the byte that broke it is
    // read again as the start of what follows (it may be valid on its own).
    size_t n = 1;
    for (; n <= static_cast<size_t>(lead.continuations) && i + n < text.size(); ++n) {
      auto b = static_cast<unsigned char>(text[i + n]);
      unsigned char lo = n == 1 ? lead.lo : 0x80, hi = n == 1 ? lead.hi : 0xBF;
      if (b < lo || b > hi) break;
    }
    if (n == static_cast<size_t>(lead.continuations) + 1) {
      out.append(text.substr(i, n));
    } else {
      out += kReplacement;
    }
    i += n;
  }
  out += '"';
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (open_.empty()) return;
  Open& o = open_.back();
  out_ += o.empty ? "\n" : ",\n";
  o.empty = false;
  out_.append(open_.size() * 2, ' ');
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  open_.push_back({'}'});
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  open_.push_back({']'});
  return *this;
}

JsonWriter& JsonWriter::end() {
  if (open_.empty()) return *this;
  Open o = open_.back();
  open_.pop_back();
  if (!o.empty) {
    out_ += '\n';
    out_.append(open_.size() * 2, ' ');
  }
  out_ += o.close;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  append_json_string(out_, name);
  out_ += ": ";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) {
  before_value();
  append_json_string(out_, value);
  return *this;
}

JsonWriter& JsonWriter::number(int64_t value) {
  before_value();
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool value) {
  before_value();
  out_ += value ? "true" : "false";
  return *this;
}

}  // namespace pare
