#include "spec/yaml_util.h"

#include <algorithm>
#include <cstdint>

namespace pare::spec::detail {

Location Ctx::loc(const YAML::Node& node, const Location& fallback) const {
  // yaml-cpp marks are 0-based; implicit nodes (e.g. a missing value) carry no mark.
  if (!node.IsDefined()) return fallback.line ? fallback : Location{file, 0, 0};
  YAML::Mark m = node.Mark();
  if (m.is_null() || m.line < 0) return fallback.line ? fallback : Location{file, 0, 0};
  return Location{file, m.line + 1, m.column + 1};
}

Error Ctx::error(const Location& at, const std::string& message) const {
  return Error(Errc::invalid, at.str() + ": " + message);
}

Error Ctx::error(const YAML::Node& at, const std::string& message) const {
  return error(loc(at), message);
}

std::string describe(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return "nothing";
  if (node.IsScalar()) return "a string";
  if (node.IsSequence()) return "a list";
  if (node.IsMap()) return "a mapping";
  return "an unknown node";
}

namespace {
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::string closest(std::string_view word, const std::vector<std::string_view>& allowed) {
  if (word.size() > 64) return "";  // nothing allowed is that long; keep the work bounded
  std::string best;
  size_t best_distance = SIZE_MAX;
  for (auto candidate : allowed) {
    size_t d = edit_distance(word, candidate);
    size_t limit = std::max<size_t>(2, candidate.size() / 3);
    if (d <= limit && d < best_distance) {
      best = std::string(candidate);
      best_distance = d;
    }
  }
  return best;
}

namespace {
Result<Fields> read_map(const Ctx& ctx, const YAML::Node& node, std::string_view what,
                        const std::vector<std::string_view>* allowed, const Location& empty_at) {
  if (!node.IsMap()) {
    Location at = (node.IsNull() && empty_at.line) ? empty_at : ctx.loc(node, empty_at);
    return ctx.error(at, std::string(what) + ": expected a mapping, got " + describe(node));
  }
  Fields out;
  out.loc = ctx.loc(node);
  for (auto it = node.begin(); it != node.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar())
      return ctx.error(key, std::string(what) + ": a key must be a string, got " + describe(key));
    std::string name = key.Scalar();
    if (const Field* first = out.find(name))
      return ctx.error(key, std::string(what) + ": duplicate key '" + name + "' (first at " +
                                ctx.loc(first->key_node).str() + ")");
    if (allowed && std::find(allowed->begin(), allowed->end(), name) == allowed->end()) {
      std::string msg = std::string(what) + ": unknown key '" + name + "'";
      if (auto guess = closest(name, *allowed); !guess.empty())
        msg += " (did you mean '" + guess + "'?)";
      std::string list;
      for (auto a : *allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return ctx.error(key, msg + "; allowed keys: " + list);
    }
    YAML::Node value = it->second;
    out.fields.push_back(Field{std::move(name), key, value});
  }
  return out;
}

std::string what_of(const Field& f) {
  return f.key;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

const Field* Fields::find(std::string_view key) const {
  for (const auto& f : fields)
    if (f.key == key) return &f;
  return nullptr;
}

Result<Fields> read_fields(const Ctx& ctx, const YAML::Node& node, std::string_view what,
                           std::initializer_list<std::string_view> allowed,
                           const Location& empty_at) {
  std::vector<std::string_view> list(allowed);
  return read_map(ctx, node, what, &list, empty_at);
}

Result<Fields> read_any_fields(const Ctx& ctx, const YAML::Node& node, std::string_view what,
                               const Location& empty_at) {
  return read_map(ctx, node, what, nullptr, empty_at);
}

Location value_loc(const Ctx& ctx, const Field& f) {
  if (!f.value.IsDefined() || f.value.IsNull()) return ctx.loc(f.key_node);
  return ctx.loc(f.value, ctx.loc(f.key_node));
}

Result<std::string> get_string(const Ctx& ctx, const Field& f) {
  if (!f.value.IsScalar())
    return ctx.error(value_loc(ctx, f),
                     what_of(f) + ": expected a string, got " + describe(f.value));
  return f.value.Scalar();
}

Result<std::string> get_nonempty_string(const Ctx& ctx, const Field& f) {
  PARE_TRY(std::string s, get_string(ctx, f));
  if (s.empty()) return ctx.error(f.value, what_of(f) + ": must not be empty");
  return s;
}

Result<bool> get_bool(const Ctx& ctx, const Field& f) {
  // YAML 1.2 core schema booleans only: "yes"/"on" are too easy to write by accident.
  PARE_TRY(std::string s, get_string(ctx, f));
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  return ctx.error(f.value, what_of(f) + ": expected true or false, got '" + s + "'");
}

Result<uint32_t> get_id(const Ctx& ctx, const Field& f) {
  PARE_TRY(std::string s, get_string(ctx, f));
  // 4294967295 is (uid_t)-1, which chown(2) reads as "leave unchanged".
  if (!all_digits(s) || s.size() > 10 || std::stoull(s) > 4294967294ULL)
    return ctx.error(f.value,
                     what_of(f) + ": expected a number from 0 to 4294967294, got '" + s + "'");
  return static_cast<uint32_t>(std::stoull(s));
}

Result<uint32_t> get_mode(const Ctx& ctx, const Field& f) {
  PARE_TRY(std::string s, get_string(ctx, f));
  std::string digits = s;
  if (digits.size() > 2 && digits[0] == '0' && digits[1] == 'o') digits.erase(0, 2);
  bool octal =
      !digits.empty() && digits.size() <= 5 &&
      std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '7'; });
  uint32_t mode = 0;
  for (char c : digits) mode = mode * 8 + static_cast<uint32_t>(c - '0');
  if (!octal || mode > 07777)
    return ctx.error(f.value, what_of(f) +
                                  ": expected an octal mode such as \"0755\" (at most "
                                  "07777), got '" +
                                  s + "'");
  return mode;
}

Result<std::vector<std::pair<std::string, Location>>> get_located_strings(const Ctx& ctx,
                                                                          const Field& f) {
  if (!f.value.IsSequence())
    return ctx.error(value_loc(ctx, f),
                     what_of(f) + ": expected a list of strings, got " + describe(f.value));
  std::vector<std::pair<std::string, Location>> out;
  size_t i = 0;
  for (auto it = f.value.begin(); it != f.value.end(); ++it, ++i) {
    const YAML::Node item = *it;
    if (!item.IsScalar())
      return ctx.error(
          ctx.loc(item, ctx.loc(f.value)),
          what_of(f) + "[" + std::to_string(i) + "]: expected a string, got " + describe(item));
    out.emplace_back(item.Scalar(), ctx.loc(item, ctx.loc(f.value)));
  }
  return out;
}

Result<std::vector<std::string>> get_string_list(const Ctx& ctx, const Field& f) {
  PARE_TRY(auto located, get_located_strings(ctx, f));
  std::vector<std::string> out;
  for (auto& [s, loc] : located) out.push_back(std::move(s));
  return out;
}

bool is_image_path(std::string_view path) {
  if (path.empty() || path[0] != '/' || path.find('\0') != std::string_view::npos) return false;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(pos, end - pos) == "..") return false;
    pos = end + 1;
  }
  return true;
}

Result<std::string> get_image_path(const Ctx& ctx, const Field& f) {
  PARE_TRY(std::string s, get_string(ctx, f));
  if (!is_image_path(s))
    return ctx.error(f.value,
                     what_of(f) + ": expected an absolute path without '..', got '" + s + "'");
  return s;
}

}  // namespace pare::spec::detail
