#include "deb/contents.h"

#include <algorithm>

namespace pare::deb {

namespace {

constexpr size_t kMaxPath = 4096;

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

Error bad_line(size_t number, const std::string& why) {
  return Error(Errc::invalid, "Contents line " + std::to_string(number) + ": " + why);
}

// "PATH<blanks>LIST" -> PATH (leading '/' removed) and LIST; false when there is no LIST.
bool split_line(std::string_view line, std::string_view& path, std::string_view& list) {
  while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
  size_t end = line.size();
  while (end > 0 && !is_blank(line[end - 1])) --end;
  if (end == 0) return false;
  list = line.substr(end);
  size_t path_end = end;
  while (path_end > 0 && is_blank(line[path_end - 1])) --path_end;
  path = line.substr(0, path_end);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return !list.empty();
}

// "libs/zlib1g,contrib/x/foo" -> "zlib1g,foo": the package is what follows the last '/'.
std::string package_names(std::string_view list) {
  std::string out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    size_t slash = item.rfind('/');
    if (slash != std::string_view::npos) item.remove_prefix(slash + 1);
    if (!item.empty()) out += (out.empty() ? "" : ",") + std::string(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return out;
}

template <typename F>
Result<void> for_each_line(std::string_view text, F&& f) {
  size_t number = 0;
  while (!text.empty()) {
    ++number;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    PARE_CHECK(f(line, number));
  }
  return {};
}

}  // namespace

bool is_shared_object_name(std::string_view name) {
  for (size_t at = name.find(".so"); at != std::string_view::npos; at = name.find(".so", at + 1)) {
    std::string_view rest = name.substr(at + 3);  // "" or a version: ".1", ".1.2.13"
    if (at > 0 &&
        (rest.empty() || (rest.front() == '.' && rest.size() > 1 &&
                          rest.find_first_not_of("0123456789.") == std::string_view::npos)))
      return true;
  }
  return false;
}

Result<std::string> shared_objects_of_contents(std::string_view contents) {
  std::string out;
  PARE_CHECK(for_each_line(contents, [&](std::string_view line, size_t number) -> Result<void> {
    // Cheap test first: most of the 1.4 million lines are not shared objects.
    if (line.find(".so") == std::string_view::npos) return {};
    std::string_view path, list;
    if (!split_line(line, path, list)) return bad_line(number, "no package field");
    if (path.empty()) return bad_line(number, "empty path");
    if (path.size() > kMaxPath) return bad_line(number, "path longer than 4096 bytes");
    size_t slash = path.rfind('/');
    if (!is_shared_object_name(slash == std::string_view::npos ? path : path.substr(slash + 1)))
      return {};
    std::string packages = package_names(list);
    if (packages.empty()) return bad_line(number, "no package names");
    out += '/';
    out.append(path);
    out += '\t';
    out += packages;
    out += '\n';
    return {};
  }));
  return out;
}

Result<LibraryIndex> LibraryIndex::parse(std::string_view cached) {
  LibraryIndex index;
  PARE_CHECK(for_each_line(cached, [&](std::string_view line, size_t number) -> Result<void> {
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0 || line.front() != '/' || tab > kMaxPath + 1 ||
        tab + 1 == line.size())
      return bad_line(number, "not '/PATH<TAB>PACKAGES'");
    auto& packages = index.by_path_[std::string(line.substr(0, tab))];
    std::string_view list = line.substr(tab + 1);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view name = list.substr(0, comma);
      if (name.empty()) return bad_line(number, "empty package name");
      packages.emplace_back(name);
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
    return {};
  }));
  return index;
}

const std::vector<std::string>& LibraryIndex::packages_of(const std::string& path) const {
  static const std::vector<std::string> none;
  auto it = by_path_.find(path);
  return it == by_path_.end() ? none : it->second;
}

void LibraryIndex::merge(const LibraryIndex& other) {
  for (const auto& [path, packages] : other.by_path_) {
    auto& ours = by_path_[path];
    for (const auto& p : packages)
      if (std::find(ours.begin(), ours.end(), p) == ours.end()) ours.push_back(p);
  }
}

}  // namespace pare::deb
