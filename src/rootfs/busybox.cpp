#include "rootfs/busybox.h"

namespace pare::rootfs {

namespace {

bool is_applet_name(std::string_view s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '['))
      return false;
  return true;
}

}  // namespace

Result<std::vector<std::string>> busybox_applets(std::string_view binary) {
  // The table starts with the applets "[" and "[[" (test's other names).
  static constexpr std::string_view kStart("\0[\0[[\0", 6);
  size_t at = binary.find(kStart);
  if (at == std::string_view::npos)
    return Error(Errc::invalid, "no applet table found: not a busybox binary with the standard applets");
  std::vector<std::string> out;
  size_t pos = at + 1;
  while (pos < binary.size()) {
    size_t end = binary.find('\0', pos);
    if (end == std::string_view::npos) break;
    std::string_view name = binary.substr(pos, end - pos);
    if (name.empty() || !is_applet_name(name)) break;
    out.emplace_back(name);
    pos = end + 1;
  }
  if (out.size() < 20) return Error(Errc::invalid, "busybox applet table too short (" + std::to_string(out.size()) + " names)");
  return out;
}

}  // namespace pare::rootfs
