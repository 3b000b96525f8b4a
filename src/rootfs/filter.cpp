#include "rootfs/filter.h"

#include <algorithm>
#include <optional>
#include <set>

namespace pare::rootfs {

namespace {

// Bump when the built-in rules change, so cached unpacked trees are rebuilt.
constexpr const char* kFilterRulesVersion = "filter/v1";

std::string_view normalise(std::string_view path) {
  while (true) {
    if (path.substr(0, 2) == "./") {
      path.remove_prefix(2);
    } else if (!path.empty() && path.front() == '/') {
      path.remove_prefix(1);
    } else {
      break;
    }
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path == ".") return {};
  return path;
}

std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// ---- glob ----------------------------------------------------------------

// Matches a bracket expression starting at pat[p] == '[' against c. Returns
// the index after the closing ']' on a match, npos on a mismatch, and nullopt
// when the bracket is unterminated (then '[' is an ordinary character).
std::optional<size_t> match_bracket(std::string_view pat, size_t p, char c) {
  size_t i = p + 1;
  bool negate = i < pat.size() && (pat[i] == '!' || pat[i] == '^');
  if (negate) ++i;
  size_t first = i;
  bool matched = false;
  while (i < pat.size() && (pat[i] != ']' || i == first)) {
    char lo = pat[i];
    if (lo == '\\' && i + 1 < pat.size()) lo = pat[++i];
    char hi = lo;
    if (i + 2 < pat.size() && pat[i + 1] == '-' && pat[i + 2] != ']') {
      hi = pat[i + 2];
      if (hi == '\\' && i + 3 < pat.size()) hi = pat[++i + 2];
      i += 2;
    }
    auto uc = static_cast<unsigned char>(c);
    if (uc >= static_cast<unsigned char>(lo) && uc <= static_cast<unsigned char>(hi)) {
      matched = true;
    }
    ++i;
  }
  if (i >= pat.size()) return std::nullopt;
  return matched != negate ? i + 1 : std::string_view::npos;
}

// Matches one non-'*' atom at pat[p] against c; returns the index after the
// atom, or npos.
size_t match_atom(std::string_view pat, size_t p, char c) {
  char literal = pat[p];
  if (literal == '?') return p + 1;
  if (literal == '[') {
    if (auto r = match_bracket(pat, p, c)) return *r;
  }
  if (literal == '\\' && p + 1 < pat.size())
    return pat[p + 1] == c ? p + 2 : std::string_view::npos;
  return literal == c ? p + 1 : std::string_view::npos;
}

// fnmatch-style match of one segment. '*' backtracks to the last star only
// (sufficient because every other atom matches exactly one character), which
// keeps it O(|pat| * |text|).
bool segment_match(std::string_view pat, std::string_view text) {
  constexpr size_t npos = std::string_view::npos;
  size_t p = 0, t = 0, star_p = npos, star_t = 0;
  while (t < text.size()) {
    if (p < pat.size() && pat[p] == '*') {
      while (p < pat.size() && pat[p] == '*') ++p;
      star_p = p;
      star_t = t;
      continue;
    }
    if (p < pat.size()) {
      size_t next = match_atom(pat, p, text[t]);
      if (next != npos) {
        p = next;
        ++t;
        continue;
      }
    }
    if (star_p == npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

bool segments_match(const std::vector<std::string_view>& pat,
                    const std::vector<std::string_view>& path) {
  // memo[i * (S + 1) + j]: 0 unknown, 1 no, 2 yes. Memoised so several "**"
  // stay polynomial.
  const size_t P = pat.size(), S = path.size();
  std::vector<char> memo((P + 1) * (S + 1), 0);
  auto rec = [&](auto&& self, size_t i, size_t j) -> bool {
    char& m = memo[i * (S + 1) + j];
    if (m) return m == 2;
    bool r;
    if (i == P) {
      r = j == S;
    } else if (pat[i] == "**") {
      r = self(self, i + 1, j) || (j < S && self(self, i, j + 1));
    } else {
      r = j < S && segment_match(pat[i], path[j]) && self(self, i + 1, j + 1);
    }
    m = r ? 2 : 1;
    return r;
  };
  return rec(rec, 0, 0);
}

// ---- built-in rules ----------------------------------------------------------

// The usr/share/<name> trees dropped wholesale, given the options.
bool dropped_share_tree(std::string_view name, const FilterOptions& o) {
  if (name == "man") return !o.keep_man;
  if (name == "info") return !o.keep_info;
  if (name == "locale") return !o.keep_locales;
  return name == "lintian" || name == "linda" || name == "bug";
}

bool under_usr_share(const std::vector<std::string_view>& s) {
  return s.size() >= 3 && s[0] == "usr" && s[1] == "share";
}

// usr/share/doc/<pkg>/copyright and its parents survive; the rest of doc goes.
bool builtin_dropped(const std::vector<std::string_view>& s, const FilterOptions& o) {
  if (!under_usr_share(s)) return false;
  if (s[2] == "doc") {
    if (o.keep_docs || s.size() <= 4) return false;
    return !(s.size() == 5 && s[4] == "copyright");
  }
  return dropped_share_tree(s[2], o);
}

bool builtin_dir_filtered(const std::vector<std::string_view>& s, const FilterOptions& o) {
  if (!under_usr_share(s)) return false;
  if (s[2] == "doc") return !o.keep_docs && s.size() >= 5;
  return dropped_share_tree(s[2], o);
}

// ---- extra excludes -------------------------------------------------------

// True when the pattern matches `path` or one of its ancestors.
bool matches_self_or_ancestor(const std::vector<std::string_view>& pat,
                              std::vector<std::string_view> path) {
  while (!path.empty()) {
    if (segments_match(pat, path)) return true;
    path.pop_back();
  }
  return false;
}

bool excluded_by(std::string_view pattern, const std::vector<std::string_view>& path) {
  return matches_self_or_ancestor(split_segments(normalise(pattern)), path);
}

// Every path beneath `dir` matches: the pattern matches dir or an ancestor, or
// it is "<prefix>/**" and prefix matches dir or an ancestor.
bool excludes_all_beneath(std::string_view pattern, const std::vector<std::string_view>& dir) {
  auto pat = split_segments(normalise(pattern));
  if (matches_self_or_ancestor(pat, dir)) return true;
  if (pat.empty() || pat.back() != "**") return false;
  pat.pop_back();
  return pat.empty() || matches_self_or_ancestor(pat, dir);
}

// ---- slices (`only`) ------------------------------------------------------

bool is_usr_alias(std::string_view seg) {
  return seg == "bin" || seg == "sbin" || seg == "lib" || seg == "lib32" || seg == "lib64" ||
         seg == "libx32";
}

// The same path under the other /usr layout: "sbin/x" <-> "usr/sbin/x"; empty when there is none.
std::vector<std::string_view> other_layout(std::vector<std::string_view> s) {
  if (!s.empty() && is_usr_alias(s[0])) {
    s.insert(s.begin(), "usr");
    return s;
  }
  if (s.size() >= 2 && s[0] == "usr" && is_usr_alias(s[1])) {
    s.erase(s.begin());
    return s;
  }
  return {};
}

// `dir` leads to what the pattern can match: its segments match the
// pattern's first ones (a "**" matches from there on).
bool leads_to(const std::vector<std::string_view>& pat, const std::vector<std::string_view>& dir) {
  for (size_t i = 0; i < dir.size(); ++i) {
    if (i >= pat.size()) return false;
    if (pat[i] == "**") return true;
    if (!segment_match(pat[i], dir[i])) return false;
  }
  return true;
}

bool in_slice_one_layout(const std::vector<std::string_view>& path,
                         const std::vector<std::string>& only) {
  return std::any_of(only.begin(), only.end(), [&](const std::string& p) {
    auto pat = split_segments(normalise(p));
    return matches_self_or_ancestor(pat, path) || leads_to(pat, path);
  });
}

// The copyright file and the directories holding it stay in every slice.
bool is_copyright_or_parent(const std::vector<std::string_view>& s) {
  if (s.size() <= 2) return s.empty() || (s[0] == "usr" && (s.size() == 1 || s[1] == "share"));
  if (s[0] != "usr" || s[1] != "share" || s[2] != "doc") return false;
  return s.size() <= 4 || (s.size() == 5 && s[4] == "copyright");
}

bool in_slice(const std::vector<std::string_view>& path, const std::vector<std::string>& only) {
  if (only.empty() || is_copyright_or_parent(path) || in_slice_one_layout(path, only)) return true;
  auto other = other_layout(path);
  return !other.empty() && in_slice_one_layout(other, only);
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
  return segments_match(split_segments(normalise(pattern)), split_segments(normalise(path)));
}

bool keep_path(std::string_view path, const FilterOptions& options) {
  auto segs = split_segments(normalise(path));
  if (segs.empty()) return true;
  if (builtin_dropped(segs, options) || !in_slice(segs, options.only)) return false;
  return std::none_of(options.extra_excludes.begin(), options.extra_excludes.end(),
                      [&](const std::string& p) { return excluded_by(p, segs); });
}

bool is_filtered_dir(std::string_view path, const FilterOptions& options) {
  auto segs = split_segments(normalise(path));
  if (builtin_dir_filtered(segs, options)) return true;
  return std::any_of(options.extra_excludes.begin(), options.extra_excludes.end(),
                     [&](const std::string& p) { return excludes_all_beneath(p, segs); });
}

std::string filter_fingerprint(const FilterOptions& options) {
  std::string out = kFilterRulesVersion;
  out += options.keep_docs ? " docs=1" : " docs=0";
  out += options.keep_man ? " man=1" : " man=0";
  out += options.keep_info ? " info=1" : " info=0";
  out += options.keep_locales ? " locales=1" : " locales=0";
  // Length-prefixed so no pattern text can imitate a separator.
  std::set<std::string> excludes;
  for (const auto& e : options.extra_excludes) excludes.emplace(normalise(e));
  out += " exclude=";
  for (const auto& e : excludes) out += std::to_string(e.size()) + ":" + e + ";";
  if (!options.only.empty()) {
    std::set<std::string> only;
    for (const auto& o : options.only) only.emplace(normalise(o));
    out += " only=";
    for (const auto& o : only) out += std::to_string(o.size()) + ":" + o + ";";
  }
  return out;
}

}  // namespace pare::rootfs
