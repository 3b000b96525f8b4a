#include "rootfs/usrmerge.h"

#include <algorithm>
#include <array>
#include <set>

namespace pare::rootfs {

namespace {

// Debian's usrmerge aliases (usrmerge's convert-usrmerge and DEP 17).
constexpr std::array<std::string_view, 6> kAliases = {"bin",   "lib",    "lib32",
                                                      "lib64", "libx32", "sbin"};
constexpr std::array<std::string_view, 3> kOptionalLibdirs = {"lib32", "lib64", "libx32"};

bool is_alias_name(std::string_view name) {
  return std::find(kAliases.begin(), kAliases.end(), name) != kAliases.end();
}

// Splits a path into the prefix to keep ("", "/" or "./") and the rest.
std::pair<std::string_view, std::string_view> split_prefix(std::string_view path) {
  if (path.substr(0, 2) == "./") return {path.substr(0, 2), path.substr(2)};
  if (!path.empty() && path.front() == '/') return {path.substr(0, 1), path.substr(1)};
  return {{}, path};
}

using Segments = std::vector<std::string>;

// Lexical resolution of `path` (split on '/') onto `base`: "." is dropped,
// ".." pops (and stays at the root, like the kernel), empty segments vanish.
Segments resolve_onto(Segments base, std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(start, slash - start);
    if (seg == "..") {
      if (!base.empty()) base.pop_back();
    } else if (!seg.empty() && seg != ".") {
      base.emplace_back(seg);
    }
    start = slash + 1;
  }
  return base;
}

Segments merged(Segments s) {
  if (!s.empty() && is_alias_name(s.front())) s.insert(s.begin(), "usr");
  return s;
}

std::string join(const Segments& s, size_t from = 0) {
  std::string out;
  for (size_t i = from; i < s.size(); ++i) {
    if (i > from) out += '/';
    out += s[i];
  }
  return out;
}

// The relative path from directory `from` to `to`.
std::string relative(const Segments& from, const Segments& to) {
  size_t common = 0;
  while (common < from.size() && common < to.size() && from[common] == to[common]) ++common;
  std::string out;
  for (size_t i = common; i < from.size(); ++i) out += out.empty() ? ".." : "/..";
  std::string rest = join(to, common);
  if (!rest.empty()) out += (out.empty() ? "" : "/") + rest;
  return out.empty() ? "." : out;
}

std::string with_trailing_slash_of(std::string s, std::string_view original) {
  if (!original.empty() && original.back() == '/' && (s.empty() || s.back() != '/')) s += '/';
  return s;
}

std::string_view strip_all(std::string_view path) {
  while (!path.empty() && (path.front() == '/' || path.substr(0, 2) == "./")) {
    path.remove_prefix(path.front() == '/' ? 1 : 2);
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return path;
}

}  // namespace

std::string merged_usr_path(std::string_view path) {
  auto [prefix, rest] = split_prefix(path);
  std::string_view first = rest.substr(0, rest.find('/'));
  if (!is_alias_name(first)) return std::string(path);
  return std::string(prefix) + "usr/" + std::string(rest);
}

std::string resolve_link_target(std::string_view link_path, std::string_view target) {
  Segments link = resolve_onto({}, link_path);
  Segments dir(link.begin(), link.end() - (link.empty() ? 0 : 1));
  if (!target.empty() && target.front() == '/') dir.clear();
  return join(resolve_onto(dir, target));
}

bool is_merged_usr_alias(std::string_view path) {
  return is_alias_name(strip_all(path));
}

std::string merged_usr_link_target(std::string_view original_path, std::string_view target) {
  if (target.empty()) return std::string(target);
  if (target.front() == '/') {
    Segments resolved = resolve_onto({}, target);
    Segments moved = merged(resolved);
    if (moved == resolved) return std::string(target);
    return with_trailing_slash_of("/" + join(moved), target);
  }
  Segments link = resolve_onto({}, original_path);
  Segments old_dir(link.begin(), link.end() - (link.empty() ? 0 : 1));
  Segments moved = merged(resolve_onto(old_dir, target));
  Segments new_link = merged(link);
  Segments new_dir(new_link.begin(), new_link.end() - (new_link.empty() ? 0 : 1));
  // The text still works when, read from the new directory, it reaches the
  // moved target through real directories only. (Passing through an alias
  // is avoided: ".." after a symlinked directory is not lexical.)
  if (resolve_onto(new_dir, target) == moved) return std::string(target);
  return with_trailing_slash_of(relative(new_dir, moved), target);
}

std::vector<std::pair<std::string, std::string>> merged_usr_links(
    const std::vector<std::string>& libdirs_present) {
  std::set<std::string> names = {"bin", "lib", "sbin"};
  for (const auto& entry : libdirs_present) {
    std::string_view name = strip_all(entry);
    if (name.substr(0, 4) == "usr/") name.remove_prefix(4);
    if (std::find(kOptionalLibdirs.begin(), kOptionalLibdirs.end(), name) !=
        kOptionalLibdirs.end()) {
      names.emplace(name);
    }
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& n : names) out.emplace_back(n, "usr/" + n);
  return out;
}

}  // namespace pare::rootfs
