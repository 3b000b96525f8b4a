// Fuzz target for apt sources parsing (deb/sources.h) and apt.conf's proxy (deb/apt_conf.h): both
// formats on arbitrary bytes give sources or Errc::invalid, never a crash; every enabled source
// found has types, URIs and suites and an origin "name:line".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deb/apt_conf.h"
#include "deb/sources.h"

namespace {
void check(const pare::Result<std::vector<pare::deb::AptSource>>& r) {
  if (!r.ok()) {
    if (r.error().code() != pare::Errc::invalid) std::abort();
    return;
  }
  for (const auto& s : *r) {
    if (s.origin.rfind("fuzz:", 0) != 0) std::abort();
    if (s.enabled && (s.types.empty() || s.uris.empty() || s.suites.empty())) std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check(pare::deb::parse_one_line_sources(text, "fuzz"));
  check(pare::deb::parse_deb822_sources(text, "fuzz"));
  // The same bytes as an apt.conf file: a proxy found is an http(s) URL.
  if (auto proxy = pare::deb::http_proxy_in_apt_conf(text);
      proxy && !proxy->empty() && proxy->rfind("http", 0) != 0)
    std::abort();
  return 0;
}
