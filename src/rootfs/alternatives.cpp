#include "rootfs/alternatives.h"

#include <charconv>

namespace pare::rootfs {

bool is_jinfo_path(std::string_view path) {
  static constexpr std::string_view kDir = "usr/lib/jvm/.";
  return path.size() > kDir.size() + 6 && path.substr(0, kDir.size()) == kDir &&
         path.find('/', kDir.size()) == std::string_view::npos && path.ends_with(".jinfo");
}

Result<std::vector<AlternativeLink>> jinfo_links(
    std::string_view jinfo, std::string_view name,
    const std::function<bool(std::string_view)>& exists) {
  std::vector<AlternativeLink> out;
  int priority = 0;
  size_t pos = 0, line_no = 0;
  while (pos < jinfo.size()) {
    size_t nl = jinfo.find('\n', pos);
    if (nl == std::string_view::npos) nl = jinfo.size();
    std::string_view line = jinfo.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    if (line.starts_with("priority=")) {
      auto v = line.substr(9);
      if (std::from_chars(v.data(), v.data() + v.size(), priority).ec != std::errc())
        return Error(Errc::invalid,
                     std::string(name) + ":" + std::to_string(line_no) + ": bad priority");
      continue;
    }
    if (line.find('=') != std::string_view::npos) continue;  // other headers
    size_t a = line.find(' ');
    size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
    if (b == std::string_view::npos)
      return Error(Errc::invalid, std::string(name) + ":" + std::to_string(line_no) +
                                      ": expected '<kind> <tool> <path>'");
    std::string_view kind = line.substr(0, a), tool = line.substr(a + 1, b - a - 1),
                     path = line.substr(b + 1);
    if (kind != "hl" && kind != "jre" && kind != "jdkhl" && kind != "jdk") continue;
    if (tool.empty() || tool.find('/') != std::string_view::npos || tool == "." || tool == ".." ||
        path.empty() || path[0] != '/')
      return Error(Errc::invalid,
                   std::string(name) + ":" + std::to_string(line_no) + ": bad tool or path");
    if (!exists(path)) continue;
    out.push_back({"usr/bin/" + std::string(tool), std::string(path), priority});
  }
  return out;
}

}  // namespace pare::rootfs
