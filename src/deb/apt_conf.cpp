#include "deb/apt_conf.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>

#include "deb/sources.h"
#include "util/fs.h"

namespace pare::deb {

namespace {

constexpr uint64_t kMaxConfBytes = 256 << 10;
constexpr size_t kMaxDepth = 32;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The text without comments ("//" to the end of a line outside quotes, "#" at a line's start,
// and /* ... */), so that the tokenizer only sees names, values and punctuation.
std::string without_comments(std::string_view text) {
  std::string out;
  bool quoted = false, line_start = true;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!quoted && line_start && c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      out += '\n';
      continue;
    }
    if (!quoted && c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
      out += '\n';
      line_start = true;
      continue;
    }
    if (!quoted && c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      size_t end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 1;
      out += ' ';
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (c == '\n')
      line_start = true;
    else if (!std::isspace(static_cast<unsigned char>(c)))
      line_start = false;
    out += c;
  }
  return out;
}

}  // namespace

std::optional<std::string> http_proxy_in_apt_conf(std::string_view input) {
  if (input.size() > kMaxConfBytes) input = input.substr(0, kMaxConfBytes);
  std::string text = without_comments(input);
  std::vector<std::string> scope;  // the names of the enclosing `Name {` blocks
  std::string name, value;
  std::optional<std::string> found;
  bool have_value = false;
  size_t i = 0;
  auto full_name = [&] {
    std::string n;
    for (const auto& s : scope) n += s + "::";
    return lower(n + name);
  };
  while (i < text.size()) {
    char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '"') {
      size_t end = text.find('"', i + 1);
      if (end == std::string::npos) break;
      value = text.substr(i + 1, end - i - 1);
      have_value = true;
      i = end + 1;
    } else if (c == '{') {
      if (scope.size() >= kMaxDepth) break;
      scope.push_back(name);
      name.clear();
      ++i;
    } else if (c == '}') {
      if (!scope.empty()) scope.pop_back();
      name.clear();
      ++i;
    } else if (c == ';') {
      if (have_value && full_name() == "acquire::http::proxy") found = value;
      name.clear();
      have_value = false;
      ++i;
    } else {
      size_t end = i;
      while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end])) &&
             std::string_view("\"{};").find(text[end]) == std::string_view::npos)
        ++end;
      name = text.substr(i, end - i);
      i = end;
    }
  }
  if (!found) return std::nullopt;
  std::string l = lower(*found);
  if (l.rfind("http://", 0) != 0 && l.rfind("https://", 0) != 0) return std::string();
  return found;
}

std::string host_apt_http_proxy(const std::filesystem::path& root) {
  // apt's order (pkgInitConfig): $APT_CONFIG, the parts directory, then apt.conf.
  std::vector<std::filesystem::path> files;
  if (const char* alt = std::getenv("APT_CONFIG"); alt && *alt) files.emplace_back(alt);
  std::vector<std::filesystem::path> parts;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(root / "etc/apt/apt.conf.d", ec)) {
    std::string n = e.path().filename().string();
    bool valid = is_apt_part_name(n) && !n.ends_with(".disabled") && !n.ends_with(".dpkg-old") &&
                 !n.ends_with(".dpkg-dist");
    if (valid && e.is_regular_file(ec)) parts.push_back(e.path());
  }
  std::sort(parts.begin(), parts.end());
  files.insert(files.end(), parts.begin(), parts.end());
  files.push_back(root / "etc/apt/apt.conf");
  std::string proxy;
  for (const auto& f : files) {
    if (!fs::exists(f)) continue;
    auto text = fs::read_file(f, kMaxConfBytes);
    if (!text) continue;  // unreadable: apt would complain; pare goes without it
    if (auto set = http_proxy_in_apt_conf(*text)) proxy = *set;
  }
  return proxy;
}

}  // namespace pare::deb
