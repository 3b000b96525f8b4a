// What a registry's answers say about authentication, parsed from untrusted bytes:
// - WWW-Authenticate challenges (RFC 7235 section 4.1: auth-scheme, then auth-params
//   `name=token` or `name="quoted string"`, comma separated), as the distribution spec's
//   token authentication (docker "token" spec) and Basic (RFC 7617) use them;
// - a token server's JSON answer ({"token"|"access_token", "expires_in"}).
// Neither ever holds a credential of the user's; a token is one, and is never logged.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/base64.h"
#include "util/result.h"

namespace pare::registry {

struct Challenge {
  std::string scheme;                         // lower-cased: "basic", "bearer"
  std::map<std::string, std::string> params;  // names lower-cased: realm, service, scope, error
};

// Every challenge in the header value (a header may carry several). Errc::invalid on a
// malformed value; at most 4 KiB is read.
Result<std::vector<Challenge>> parse_www_authenticate(std::string_view value);

struct Token {
  std::string token;
  int64_t expires_in = 60;  // seconds; the token spec's default
};
Result<Token> parse_token_response(std::string_view body);

// Percent-encoding of a query value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);

}  // namespace pare::registry
