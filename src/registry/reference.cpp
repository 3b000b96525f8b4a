// Image reference parsing (grammar: reference.h).
#include "registry/reference.h"

#include <algorithm>
#include <cctype>

namespace pare::registry {

namespace {

constexpr size_t kMaxReferenceText = 4096;
constexpr size_t kMaxNameLength = 255;

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

// path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
bool is_path_component(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  for (size_t i = 0; i < s.size();) {
    if (is_lower_alnum(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && !is_lower_alnum(s[j])) ++j;
    std::string_view sep = s.substr(i, j - i);
    bool dashes = std::all_of(sep.begin(), sep.end(), [](char c) { return c == '-'; });
    if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
    i = j;
  }
  return true;
}

bool is_dns_label(std::string_view s) {
  return !s.empty() && s.size() <= 63 && s.front() != '-' && s.back() != '-' &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
         });
}

// host [":" port], host a DNS name / IPv4 address or a bracketed IPv6 literal.
bool is_domain(std::string_view d) {
  std::string_view host = d, port;
  if (!d.empty() && d.front() == '[') {
    size_t close = d.find(']');
    if (close == std::string_view::npos || close < 3) return false;
    std::string_view inner = d.substr(1, close - 1);
    if (!std::all_of(inner.begin(), inner.end(),
                     [](char c) {
                       return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
                     }) ||
        std::count(inner.begin(), inner.end(), ':') < 2)
      return false;
    host = d.substr(0, close + 1);
    std::string_view rest = d.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
      if (port.empty()) return false;
    }
  } else {
    size_t colon = d.find(':');
    if (colon != std::string_view::npos) {
      host = d.substr(0, colon);
      port = d.substr(colon + 1);
      if (port.empty()) return false;
    }
    if (host.empty()) return false;
    for (size_t start = 0;;) {
      size_t dot = host.find('.', start);
      if (!is_dns_label(host.substr(start, dot - start))) return false;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  if (!port.empty()) {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return false;
    int number = std::stoi(std::string(port));
    if (number == 0 || number > 65535) return false;
  }
  return true;
}

bool looks_like_domain(std::string_view first) {
  return first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
         first == "localhost" || (!first.empty() && first.front() == '[');
}

// Where the ":" before a tag is in "name[:tag]": the last colon after the last slash (a colon
// before it belongs to the registry's port); npos when there is no tag.
size_t tag_colon(std::string_view name_and_tag) {
  size_t last_slash = name_and_tag.rfind('/');
  size_t colon = name_and_tag.rfind(':');
  if (colon == std::string_view::npos) return colon;
  return last_slash == std::string_view::npos || colon > last_slash ? colon
                                                                    : std::string_view::npos;
}

Error bad(std::string_view text, const std::string& why) {
  return Error(Errc::invalid, "image reference '" + std::string(text) + "': " + why);
}

// Splits "domain/path" or "path" and checks both; completes a short name.
Result<void> parse_name(std::string_view text, std::string_view name, const ShortNames& short_names,
                        Reference& out) {
  if (name.empty()) return bad(text, "no repository name");
  size_t slash = name.find('/');
  std::string_view path = name;
  if (slash != std::string_view::npos && looks_like_domain(name.substr(0, slash))) {
    out.registry = std::string(name.substr(0, slash));
    path = name.substr(slash + 1);
    if (!is_domain(out.registry))
      return bad(text, "'" + out.registry + "' is not a registry host[:port]");
  }
  if (path.empty()) return bad(text, "no repository name after the registry");
  for (size_t start = 0;;) {
    size_t next = path.find('/', start);
    std::string_view component = path.substr(start, next - start);
    if (!is_path_component(component)) {
      bool upper = std::any_of(component.begin(), component.end(),
                               [](char c) { return c >= 'A' && c <= 'Z'; });
      return bad(text, upper ? "repository names must be lowercase"
                             : "'" + std::string(component) +
                                   "' is not a repository path component ([a-z0-9] words joined "
                                   "by '.', '_', '__' or '-')");
    }
    if (next == std::string_view::npos) break;
    start = next + 1;
  }
  out.repository = std::string(path);
  if (out.registry.empty()) {
    if (short_names.default_registry.empty())
      return bad(text, "names no registry: write REGISTRY/" + out.repository +
                           " or set PARE_DEFAULT_REGISTRY");
    out.registry = short_names.default_registry;
    if (out.repository.find('/') == std::string::npos)
      out.repository = short_names.single_component_prefix + out.repository;
  }
  if (out.registry.size() + 1 + out.repository.size() > kMaxNameLength)
    return bad(text, "the name is longer than 255 characters");
  return {};
}

// Common front half: bounds, then the digest split off.
Result<std::string_view> check_text(std::string_view text) {
  if (text.empty()) return bad(text, "empty");
  if (text.size() > kMaxReferenceText) return bad(text.substr(0, 64), "longer than 4096 bytes");
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; }))
    return bad(text, "contains a space or control character");
  return text;
}

}  // namespace

bool is_valid_tag(std::string_view tag) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  return !tag.empty() && tag.size() <= 128 && word(tag.front()) &&
         std::all_of(tag.begin(), tag.end(),
                     [&](char c) { return word(c) || c == '.' || c == '-'; });
}

bool is_valid_digest(std::string_view d) {
  size_t hex_len = d.starts_with("sha256:") ? 64 : d.starts_with("sha512:") ? 128 : 0;
  if (hex_len == 0) return false;
  std::string_view hex = d.substr(7);
  return hex.size() == hex_len && std::all_of(hex.begin(), hex.end(), is_hex);
}

std::string Reference::str() const {
  std::string s = registry + "/" + repository;
  if (!tag.empty()) s += ":" + tag;
  if (!digest.empty()) s += "@" + digest;
  return s;
}

Result<Reference> parse_reference(std::string_view text, const ShortNames& short_names) {
  PARE_TRY(std::string_view rest, check_text(text));
  Reference ref;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    ref.digest = std::string(rest.substr(at + 1));
    if (!is_valid_digest(ref.digest))
      return bad(text,
                 "'" + ref.digest + "' is not a digest (sha256:<64 hex> or sha512:<128 hex>)");
    rest = rest.substr(0, at);
  }
  if (size_t colon = tag_colon(rest); colon != std::string_view::npos) {
    ref.tag = std::string(rest.substr(colon + 1));
    if (!is_valid_tag(ref.tag))
      return bad(text, "'" + ref.tag + "' is not a tag ([A-Za-z0-9_][A-Za-z0-9_.-]*, at most 128)");
    rest = rest.substr(0, colon);
  }
  PARE_CHECK(parse_name(text, rest, short_names, ref));
  if (ref.tag.empty() && ref.digest.empty()) ref.tag = "latest";
  return ref;
}

Result<Reference> parse_repository(std::string_view text, const ShortNames& short_names) {
  PARE_TRY(std::string_view rest, check_text(text));
  if (rest.find('@') != std::string_view::npos) return bad(text, "a repository takes no digest");
  // "localhost:5000" alone is a registry, not a name with a tag (parse_name then says what is
  // missing).
  bool registry_only = rest.find('/') == std::string_view::npos && looks_like_domain(rest);
  if (tag_colon(rest) != std::string_view::npos && !registry_only)
    return bad(text, "a repository takes no tag");
  Reference ref;
  PARE_CHECK(parse_name(text, rest, short_names, ref));
  return ref;
}

}  // namespace pare::registry
