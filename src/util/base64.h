// Standard base64 (RFC 4648 section 4): PEM bodies, HTTP Basic credentials, docker's
// config.json "auth" field.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace pare {

std::string base64_encode(std::string_view bytes);
// Padding required, no whitespace; Errc::invalid on anything else.
Result<std::string> base64_decode(std::string_view text);
// 0..63 for base64 alphabet characters, -1 otherwise.
int base64_value(char c);

}  // namespace pare
