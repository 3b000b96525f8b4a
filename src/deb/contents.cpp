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

// Calls f on each item of a comma-separated list.
template <typename F>
void for_each_item(std::string_view list, F&& f) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    f(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// "libs/zlib1g,contrib/x/foo" -> "zlib1g,foo": the package is what follows the last '/'.
std::string package_names(std::string_view list) {
  std::string out;
  for_each_item(list, [&](std::string_view item) {
    size_t slash = item.rfind('/');
    if (slash != std::string_view::npos) item.remove_prefix(slash + 1);
    if (!item.empty()) out += (out.empty() ? "" : ",") + std::string(item);
  });
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
  std::vector<std::string> lines;
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
    lines.push_back("/" + std::string(path) + "\t" + packages + "\n");
    return {};
  }));
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l;
  return out;
}

namespace {

std::string_view path_of(std::string_view line) {
  return line.substr(0, line.find('\t'));
}

}  // namespace

Result<LibraryIndex> LibraryIndex::parse(std::string cached) {
  Table t;
  t.text = std::make_shared<const std::string>(std::move(cached));
  PARE_CHECK(for_each_line(*t.text, [&](std::string_view line, size_t number) -> Result<void> {
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0 || line.front() != '/' || tab > kMaxPath + 1 ||
        tab + 1 == line.size())
      return bad_line(number, "not '/PATH<TAB>PACKAGES'");
    std::string_view list = line.substr(tab + 1);
    if (list.front() == ',' || list.back() == ',' || list.find(",,") != std::string_view::npos)
      return bad_line(number, "empty package name");
    t.lines.push_back(line);
    return {};
  }));
  auto by_path = [](std::string_view a, std::string_view b) { return path_of(a) < path_of(b); };
  if (!std::is_sorted(t.lines.begin(), t.lines.end(), by_path))
    std::stable_sort(t.lines.begin(), t.lines.end(), by_path);
  LibraryIndex index;
  index.tables_.push_back(std::move(t));
  return index;
}

std::vector<std::string> LibraryIndex::packages_of(const std::string& path) const {
  std::vector<std::string> out;
  for (const auto& t : tables_) {
    auto it = std::lower_bound(
        t.lines.begin(), t.lines.end(), std::string_view(path),
        [](std::string_view line, std::string_view p) { return path_of(line) < p; });
    for (; it != t.lines.end() && path_of(*it) == path; ++it) {
      for_each_item(it->substr(it->find('\t') + 1), [&](std::string_view name) {
        if (std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
      });
    }
  }
  return out;
}

size_t LibraryIndex::size() const {
  size_t n = 0;
  for (const auto& t : tables_) n += t.lines.size();
  return n;
}

void LibraryIndex::merge(LibraryIndex other) {
  for (auto& t : other.tables_) tables_.push_back(std::move(t));
}

}  // namespace pare::deb
