// Internal: typed, located access to yaml-cpp nodes. Every failure is an Errc::invalid Error
// whose message starts with the node's "file:line:column: ", so spec errors point at the text.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/spec.h"
#include "util/result.h"

namespace pare::spec::detail {

// The file a node came from (as shown in messages) plus a fallback location for nodes without
// a mark (yaml-cpp gives implicit nulls none).
struct Ctx {
  std::string file;
  Location loc(const YAML::Node& node, const Location& fallback = {}) const;
  Error error(const Location& at, const std::string& message) const;
  Error error(const YAML::Node& at, const std::string& message) const;
};

// One key of a mapping with both nodes, so errors can point at the key or the value.
struct Field {
  std::string key;
  YAML::Node key_node, value;
};

// The fields of a mapping, in document order, and where the mapping starts.
struct Fields {
  std::vector<Field> fields;
  Location loc;
  const Field* find(std::string_view key) const;
};

// Reads a mapping. Rejects non-mappings, non-string and duplicate keys, and keys not in
// `allowed` ("did you mean" names the closest allowed key). `empty_at` is where to point when
// the node is empty (its key), as yaml-cpp marks an empty value on the next line.
Result<Fields> read_fields(const Ctx& ctx, const YAML::Node& node, std::string_view what,
                           std::initializer_list<std::string_view> allowed,
                           const Location& empty_at = {});
// The same for a free-form mapping (env, labels): any string key.
Result<Fields> read_any_fields(const Ctx& ctx, const YAML::Node& node, std::string_view what,
                               const Location& empty_at = {});
// Where to point for a bad value: the value, or its key when the value is empty.
Location value_loc(const Ctx& ctx, const Field& f);

// What a node is, for messages: "a string", "a list", "a mapping", "nothing".
std::string describe(const YAML::Node& node);
// The allowed name closest to `word` (edit distance at most 2, or a third of its length).
std::string closest(std::string_view word, const std::vector<std::string_view>& allowed);

Result<std::string> get_string(const Ctx& ctx, const Field& f);
Result<std::string> get_nonempty_string(const Ctx& ctx, const Field& f);
Result<bool> get_bool(const Ctx& ctx, const Field& f);
Result<uint32_t> get_id(const Ctx& ctx, const Field& f);    // uid/gid: decimal 0..4294967294
Result<uint32_t> get_mode(const Ctx& ctx, const Field& f);  // octal "0755", "755", "0o755"
Result<std::vector<std::string>> get_string_list(const Ctx& ctx, const Field& f);
// As get_string_list, plus each item's location.
Result<std::vector<std::pair<std::string, Location>>> get_located_strings(const Ctx& ctx,
                                                                          const Field& f);
// An absolute path inside the image: starts with '/', no ".." component, no NUL.
Result<std::string> get_image_path(const Ctx& ctx, const Field& f);
bool is_image_path(std::string_view path);

}  // namespace pare::spec::detail
