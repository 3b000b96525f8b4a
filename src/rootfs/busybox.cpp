#include "rootfs/busybox.h"

namespace pare::rootfs {

namespace {

bool is_applet_name(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
          c == '['))
      return false;
  return true;
}

// The names from `at` on, up to the first empty or implausible one.
std::vector<std::string> names_from(std::string_view binary, size_t pos) {
  std::vector<std::string> out;
  while (pos < binary.size()) {
    size_t end = binary.find('\0', pos);
    if (end == std::string_view::npos) break;
    std::string_view name = binary.substr(pos, end - pos);
    if (!is_applet_name(name)) break;
    out.emplace_back(name);
    pos = end + 1;
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> busybox_applets(std::string_view binary) {
  // The table starts with the applets "[" and "[[" (test's other names); the
  // byte before it is not always a NUL (1.37 places it right after other data).
  static constexpr std::string_view kStart("[\0[[\0", 5);
  for (size_t at = binary.find(kStart); at != std::string_view::npos;
       at = binary.find(kStart, at + 1)) {
    std::vector<std::string> names = names_from(binary, at);
    if (names.size() >= 20) return names;
  }
  return Error(Errc::invalid,
               "no applet table found: not a busybox binary with the standard applets");
}

}  // namespace pare::rootfs
