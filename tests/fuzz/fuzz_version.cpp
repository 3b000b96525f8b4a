// Fuzz target for Debian version comparison (deb/version.h): the input is two
// versions separated by the first newline. compare_versions must be a
// consistent order on any strings (reflexive, antisymmetric), never crash,
// and is_valid_version must not crash either.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deb/version.h"

namespace {
int sign(int v) {
  return v < 0 ? -1 : (v > 0 ? 1 : 0);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t nl = text.find('\n');
  std::string_view a = text.substr(0, nl);
  std::string_view b = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  using pare::deb::compare_versions;
  if (compare_versions(a, a) != 0 || compare_versions(b, b) != 0) std::abort();
  if (sign(compare_versions(a, b)) != -sign(compare_versions(b, a))) std::abort();
  (void)pare::deb::is_valid_version(a);
  (void)pare::deb::is_valid_version(b);
  return 0;
}
