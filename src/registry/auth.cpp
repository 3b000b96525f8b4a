#include "registry/auth.h"

#include "util/http.h"

#include <cctype>
#include <nlohmann/json.hpp>

namespace pare::registry {

namespace {

constexpr size_t kMaxChallengeBytes = 4096;
constexpr size_t kMaxTokenResponse = 1 << 20;

bool is_token_char(char c) {  // RFC 7230 tchar
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  void skip_space() {
    while (!done() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
  std::string_view token() {
    size_t start = i;
    while (!done() && is_token_char(s[i])) ++i;
    return s.substr(start, i - start);
  }
};

Result<std::string> quoted(Cursor& c) {
  ++c.i;  // opening quote
  std::string out;
  while (!c.done() && c.s[c.i] != '"') {
    if (c.s[c.i] == '\\') {
      if (++c.i >= c.s.size()) break;
    }
    out += c.s[c.i++];
  }
  if (c.done()) return Error(Errc::invalid, "unterminated quoted string in WWW-Authenticate");
  ++c.i;
  return out;
}

}  // namespace

Result<std::vector<Challenge>> parse_www_authenticate(std::string_view value) {
  if (value.size() > kMaxChallengeBytes)
    return Error(Errc::invalid, "WWW-Authenticate header longer than 4 KiB");
  std::vector<Challenge> out;
  Cursor c{value};
  while (true) {
    c.skip_space();
    while (!c.done() && c.s[c.i] == ',') {
      ++c.i;
      c.skip_space();
    }
    if (c.done()) break;
    std::string_view scheme = c.token();
    if (scheme.empty())
      return Error(Errc::invalid,
                   "WWW-Authenticate: expected a scheme at byte " + std::to_string(c.i));
    Challenge ch{lower(scheme), {}};
    // auth-params until the next scheme (a token followed by a space, not '=').
    while (true) {
      c.skip_space();
      size_t mark = c.i;
      std::string_view name = c.token();
      c.skip_space();
      if (name.empty() || c.done() || c.s[c.i] != '=') {
        c.i = mark;
        break;
      }
      ++c.i;
      c.skip_space();
      std::string val;
      if (!c.done() && c.s[c.i] == '"') {
        PARE_TRY(val, quoted(c));
      } else {
        val = std::string(c.token());
      }
      ch.params[lower(name)] = val;
      c.skip_space();
      if (!c.done() && c.s[c.i] == ',') ++c.i;
    }
    out.push_back(std::move(ch));  // each round consumes a scheme or fails: it ends
  }
  return out;
}

Result<Token> parse_token_response(std::string_view body) {
  if (body.size() > kMaxTokenResponse)
    return Error(Errc::invalid, "token answer larger than 1 MiB");
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Error(Errc::invalid, "the token server's answer is not a JSON object");
  Token t;
  for (const char* key : {"token", "access_token"}) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string() && !it->get<std::string>().empty()) {
      t.token = it->get<std::string>();
      break;
    }
  }
  if (t.token.empty()) return Error(Errc::invalid, "the token server's answer holds no token");
  if (auto e = j.find("expires_in");
      e != j.end() && e->is_number_integer() && e->get<int64_t>() > 0)
    t.expires_in = e->get<int64_t>();
  return t;
}

std::string url_encode(std::string_view text) {
  return http::percent_encode(text);
}

}  // namespace pare::registry
