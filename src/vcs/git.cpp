// Parsers for the few git files pare reads (formats: see git.h). Each takes bytes already
// bounded by the caller and returns nullopt for anything it does not understand.
#include "vcs/git.h"

#include <algorithm>
#include <cctype>

namespace pare::vcs {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// Calls fn(line) for each line (without its '\n'); stops early when fn returns false.
template <typename Fn>
void for_each_line(std::string_view text, Fn fn) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!fn(line)) return;
    if (nl == std::string_view::npos) return;
    text.remove_prefix(nl + 1);
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A config value: quotes removed, escapes applied, an unquoted # or ; ends it (git-config(1)
// "Syntax"). nullopt for an unterminated quote or an unknown escape.
std::optional<std::string> config_value(std::string_view raw) {
  std::string out;
  bool quoted = false;
  size_t kept = 0;  // out's length up to the last character that was not unquoted space
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '"') {
      quoted = !quoted;
      kept = out.size();
      continue;
    }
    if (!quoted && (c == '#' || c == ';')) break;
    if (c == '\\') {
      if (++i == raw.size()) return std::nullopt;
      switch (raw[i]) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'b':
          if (!out.empty()) out.pop_back();
          break;
        default:
          return std::nullopt;
      }
      kept = out.size();
      continue;
    }
    out += c;
    if (quoted || (c != ' ' && c != '\t')) kept = out.size();
  }
  if (quoted) return std::nullopt;
  out.resize(kept);
  return out;
}

// "[remote \"origin\"]" -> section "remote", subsection "origin"; the old "[remote.origin]"
// form is lowercased as git does. nullopt when the line is not a well-formed header.
std::optional<std::pair<std::string, std::string>> section_header(std::string_view line) {
  if (line.size() < 2 || line.front() != '[') return std::nullopt;
  size_t close = line.rfind(']');
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view inner = line.substr(1, close - 1);
  size_t quote = inner.find('"');
  if (quote == std::string_view::npos) {
    size_t dot = inner.find('.');
    if (dot == std::string_view::npos) return std::pair{lower(trim(inner)), std::string()};
    return std::pair{lower(inner.substr(0, dot)), lower(inner.substr(dot + 1))};
  }
  std::string name = lower(trim(inner.substr(0, quote)));
  std::string sub;
  size_t i = quote + 1;
  for (; i < inner.size() && inner[i] != '"'; ++i) {
    if (inner[i] == '\\' && i + 1 < inner.size()) ++i;
    sub += inner[i];
  }
  if (i >= inner.size()) return std::nullopt;
  return std::pair{name, sub};
}

bool is_host(std::string_view h) {
  return !h.empty() && h.size() <= 253 && std::all_of(h.begin(), h.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  });
}

// "host[:port]/path" after a scheme and its "//": the host (port dropped) and the path.
std::optional<std::pair<std::string, std::string>> host_and_path(std::string_view rest) {
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) authority.remove_prefix(at + 1);  // credentials
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[')
    return std::nullopt;  // IPv6 literal: not for publishing
  host = host.substr(0, host.find(':'));
  if (!is_host(host)) return std::nullopt;
  return std::pair{lower(host), std::string(path)};
}

std::string tidy_path(std::string path) {
  path = path.substr(0, path.find_first_of("?#"));  // a query may carry a token
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (path.size() >= 4 && path.compare(path.size() - 4, 4, ".git") == 0)
    path.resize(path.size() - 4);
  return path;
}

bool publishable(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) > ' ' && c != 0x7f; });
}

}  // namespace

bool is_commit_id(std::string_view s) {
  return (s.size() == 40 || s.size() == 64) && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::optional<Head> parse_head(std::string_view text) {
  text = trim(text);
  if (text.substr(0, 4) == "ref:") {
    std::string_view ref = trim(text.substr(4));
    if (ref.substr(0, 5) != "refs/" || ref.find("..") != std::string_view::npos ||
        ref.find_first_of(std::string_view("\0\n \\:", 5)) != std::string_view::npos)
      return std::nullopt;
    return Head{std::string(ref), ""};
  }
  if (is_commit_id(text)) return Head{"", std::string(text)};
  return std::nullopt;
}

std::optional<std::string> parse_loose_ref(std::string_view text) {
  text = trim(text);
  if (!is_commit_id(text)) return std::nullopt;
  return std::string(text);
}

std::optional<std::string> find_packed_ref(std::string_view packed_refs, std::string_view ref) {
  std::optional<std::string> found;
  for_each_line(packed_refs, [&](std::string_view line) {
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == '^') return true;
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return true;
    if (line.substr(space + 1) == ref && is_commit_id(line.substr(0, space))) {
      found = std::string(line.substr(0, space));
      return false;
    }
    return true;
  });
  return found;
}

std::optional<std::string> remote_url(std::string_view config, std::string_view remote) {
  std::optional<std::string> url;
  bool in_remote = false;
  for_each_line(config, [&](std::string_view line) {
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') return true;
    if (line.front() == '[') {
      auto header = section_header(line);
      in_remote = header && header->first == "remote" && header->second == remote;
      // "[section] key = value" on one line is allowed; pare never needs it.
      return true;
    }
    if (!in_remote) return true;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || lower(trim(line.substr(0, eq))) != "url") return true;
    if (auto value = config_value(trim(line.substr(eq + 1)))) url = std::move(*value);
    return true;
  });
  return url;
}

std::string public_source_url(std::string_view url) {
  url = trim(url);
  std::string scheme;
  std::optional<std::pair<std::string, std::string>> hp;
  size_t sep = url.find("://");
  if (sep != std::string_view::npos) {
    scheme = lower(url.substr(0, sep));
    if (scheme != "https" && scheme != "http" && scheme != "ssh" && scheme != "git" &&
        scheme != "git+ssh")
      return "";  // file://, ext::, and whatever else: nothing to publish
    hp = host_and_path(url.substr(sep + 3));
    if (scheme != "http") scheme = "https";
  } else {
    // scp-like "[user@]host:path" (git-clone(1) "GIT URLS"): no slash before the first colon.
    size_t colon = url.find(':');
    if (colon == std::string_view::npos || url.substr(0, colon).find('/') != std::string_view::npos)
      return "";  // a local path
    std::string_view path = url.substr(colon + 1);
    if (path.empty() || path.front() == '~') return "";
    hp = host_and_path(std::string(url.substr(0, colon)) + "/" +
                       std::string(path.front() == '/' ? path.substr(1) : path));
    scheme = "https";
  }
  if (!hp || hp->second.size() < 2) return "";
  std::string out = scheme + "://" + hp->first + tidy_path(hp->second);
  return publishable(out) ? out : "";
}

}  // namespace pare::vcs
