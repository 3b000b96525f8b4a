// The one setting of the host's apt configuration pare follows: the HTTP proxy apt uses
// (Acquire::http::Proxy), so that a host whose apt goes through a caching proxy
// (apt-cacher-ng, squid) has pare go through it too. apt.conf(5) syntax: "//" and "#"
// comments, `Name "value";` with `::`-separated names, and the nested form
// `Acquire { http { Proxy "value"; }; };`. Files in apt's order: $APT_CONFIG, then
// etc/apt/apt.conf.d/* in name order (apt's rule for file names), then etc/apt/apt.conf; the
// last setting wins, as in apt. The nested `Acquire::http::Proxy::HOST` form is not read.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pare::deb {

// Acquire::http::Proxy in one file's text: nullopt when the file does not set it, "" when it
// sets DIRECT, false or anything but an http(s) URL. Bounded and fuzzed.
std::optional<std::string> http_proxy_in_apt_conf(std::string_view text);

// The proxy the host's apt configuration under `root` sets for http ("" = none).
std::string host_apt_http_proxy(const std::filesystem::path& root = "/");

}  // namespace pare::deb
