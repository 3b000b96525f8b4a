// Parsers for the list-valued spec keys: packages/exclude, files, paths, accounts.
#include <algorithm>
#include <string>

#include "spec/parsed.h"
#include "spec/suites.h"
#include "spec/yaml_util.h"

namespace pare::spec::detail {

namespace {

std::string item_name(const Field& list, size_t index) {
  return list.key + "[" + std::to_string(index) + "]";
}

Result<const Field*> require(const Ctx& ctx, const Fields& fields, std::string_view key,
                             const std::string& what) {
  if (const Field* f = fields.find(key)) return f;
  return ctx.error(fields.loc, what + ": missing '" + std::string(key) + "'");
}

Result<void> expect_list(const Ctx& ctx, const Field& f) {
  if (f.value.IsSequence()) return {};
  return ctx.error(value_loc(ctx, f), f.key + ": expected a list, got " + describe(f.value));
}

// Debian's adduser NAME_REGEX, widened to allow the leading '_' of system accounts.
bool is_valid_account_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  if (name.back() == '$') name.remove_suffix(1);
  if (name.empty() || !((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// "name" or "name=version" (the apt-get install syntax).
Result<PackageRef> parse_package_string(const Ctx& ctx, const YAML::Node& node, bool allow_version,
                                        const std::string& what) {
  std::string text = node.Scalar();
  PackageRef ref;
  ref.loc = ctx.loc(node);
  if (auto eq = text.find('='); eq != std::string::npos) {
    if (!allow_version)
      return ctx.error(node, what + ": exclude takes package names, not versions: '" + text + "'");
    ref.name = text.substr(0, eq);
    ref.version = text.substr(eq + 1);
  } else {
    ref.name = text;
  }
  if (!is_valid_package_name(ref.name))
    return ctx.error(node, what + ": '" + ref.name +
                               "' is not a Debian package name (two or more of a-z 0-9 + - ., "
                               "starting with a letter or digit)");
  std::string why;
  if (allow_version && (text.find('=') != std::string::npos) &&
      !is_valid_version(ref.version, &why))
    return ctx.error(node, what + ": bad version '" + ref.version + "': " + why);
  return ref;
}

Result<std::vector<std::string>> parse_suite_filter(const Ctx& ctx, const Field& f) {
  PARE_TRY(auto suites, get_located_strings(ctx, f));
  std::vector<std::string> out;
  for (auto& [suite, loc] : suites) {
    if (!find_suite(suite))
      return ctx.error(
          loc, "suites: unknown suite '" + suite + "'; supported: " + supported_suites_text());
    out.push_back(suite);
  }
  if (out.empty()) return ctx.error(f.value, "suites: must name at least one suite");
  return out;
}

Result<SuiteFiltered> parse_package_map(const Ctx& ctx, const YAML::Node& node, bool allow_version,
                                        const std::string& what) {
  auto fields_r = allow_version
                      ? read_fields(ctx, node, what, {"name", "version", "suites", "only"})
                      : read_fields(ctx, node, what, {"name", "suites"});
  PARE_TRY(Fields fields, std::move(fields_r));
  PARE_TRY(const Field* name_field, require(ctx, fields, "name", what));
  PARE_TRY(std::string name, get_string(ctx, *name_field));
  if (name.find('=') != std::string::npos)
    return ctx.error(name_field->value, what + ": write the version as 'version:', not in 'name:'");
  PARE_TRY(PackageRef ref, parse_package_string(ctx, name_field->value, false, what));
  ref.loc = fields.loc;
  SuiteFiltered out{std::move(ref), {}};
  if (const Field* v = fields.find("version")) {
    PARE_TRY(out.ref.version, get_string(ctx, *v));
    std::string why;
    if (!is_valid_version(out.ref.version, &why))
      return ctx.error(v->value, what + ": bad version '" + out.ref.version + "': " + why);
  }
  if (const Field* s = fields.find("suites")) {
    PARE_TRY(out.suites, parse_suite_filter(ctx, *s));
  }
  if (const Field* o = fields.find("only")) {
    PARE_TRY(auto globs, get_located_strings(ctx, *o));
    if (globs.empty())
      return ctx.error(o->value, what + ": only: list at least one path (or leave 'only' out)");
    for (auto& [glob, loc] : globs) {
      if (!is_image_path(glob))
        return ctx.error(
            loc,
            what + ": only: expected an absolute path or glob without '..', got '" + glob + "'");
      out.ref.only.push_back(std::move(glob));
    }
  }
  return out;
}

bool suites_overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return true;
  return std::any_of(a.begin(), a.end(),
                     [&](const auto& s) { return std::find(b.begin(), b.end(), s) != b.end(); });
}

}  // namespace

Result<std::vector<SuiteFiltered>> parse_package_list(const Ctx& ctx, const Field& f,
                                                      bool allow_version) {
  PARE_CHECK(expect_list(ctx, f));
  std::vector<SuiteFiltered> out;
  size_t index = 0;
  for (auto it = f.value.begin(); it != f.value.end(); ++it, ++index) {
    const YAML::Node item = *it;
    std::string what = item_name(f, index);
    SuiteFiltered entry;
    if (item.IsScalar()) {
      PARE_TRY(entry.ref, parse_package_string(ctx, item, allow_version, what));
    } else if (item.IsMap()) {
      PARE_TRY(entry, parse_package_map(ctx, item, allow_version, what));
    } else {
      return ctx.error(ctx.loc(item, ctx.loc(f.value)),
                       what + ": expected a package name or a mapping, got " + describe(item));
    }
    for (const auto& prev : out)
      if (prev.ref.name == entry.ref.name && suites_overlap(prev.suites, entry.suites))
        return ctx.error(entry.ref.loc, what + ": duplicate package '" + entry.ref.name +
                                            "' (first at " + prev.ref.loc.str() + ")");
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::vector<FileItem>> parse_files(const Ctx& ctx, const Field& f,
                                          const std::filesystem::path& dir) {
  PARE_CHECK(expect_list(ctx, f));
  std::vector<FileItem> out;
  size_t index = 0;
  for (auto it = f.value.begin(); it != f.value.end(); ++it, ++index) {
    std::string what = item_name(f, index);
    PARE_TRY(
        Fields fields,
        read_fields(ctx, *it, what, {"src", "dest", "mode", "uid", "gid", "exclude", "extract"}));
    FileItem item;
    item.loc = fields.loc;
    PARE_TRY(const Field* src, require(ctx, fields, "src", what));
    PARE_TRY(std::string src_text, get_nonempty_string(ctx, *src));
    if (src_text.find('\0') != std::string::npos)
      return ctx.error(src->value, "src: must not contain a NUL byte");
    item.src = (dir / src_text).lexically_normal();
    PARE_TRY(const Field* dest, require(ctx, fields, "dest", what));
    PARE_TRY(item.dest, get_image_path(ctx, *dest));
    if (const Field* m = fields.find("mode")) {
      PARE_TRY(item.mode, get_mode(ctx, *m));
    }
    if (const Field* u = fields.find("uid")) {
      PARE_TRY(item.uid, get_id(ctx, *u));
    }
    if (const Field* g = fields.find("gid")) {
      PARE_TRY(item.gid, get_id(ctx, *g));
    }
    if (const Field* x = fields.find("exclude")) {
      PARE_TRY(item.exclude, get_string_list(ctx, *x));
      for (const auto& p : item.exclude)
        if (p.empty() || p == "!" || p.find('\0') != std::string::npos)
          return ctx.error(x->value, "exclude: patterns must be non-empty, without NUL bytes");
    }
    if (const Field* x = fields.find("extract")) {
      PARE_TRY(item.extract, get_bool(ctx, *x));
    }
    out.push_back(std::move(item));
  }
  return out;
}

namespace {
Result<PathItem::Type> parse_path_type(const Ctx& ctx, const Field& f) {
  PARE_TRY(std::string type, get_string(ctx, f));
  static const PathItem::Type types[] = {PathItem::Type::directory, PathItem::Type::symlink,
                                         PathItem::Type::empty_file, PathItem::Type::permissions};
  std::vector<std::string_view> names;
  for (auto t : types) {
    if (type == path_type_name(t)) return t;
    names.push_back(path_type_name(t));
  }
  std::string msg = "type: unknown path type '" + type + "'";
  if (auto guess = closest(type, names); !guess.empty()) msg += " (did you mean '" + guess + "'?)";
  return ctx.error(f.value, msg + "; valid: directory, symlink, empty-file, permissions");
}

Result<PathItem> parse_path_item(const Ctx& ctx, const YAML::Node& node, const std::string& what) {
  PARE_TRY(Fields fields,
           read_fields(ctx, node, what, {"type", "path", "target", "mode", "uid", "gid"}));
  PathItem item;
  item.loc = fields.loc;
  PARE_TRY(const Field* type, require(ctx, fields, "type", what));
  PARE_TRY(item.type, parse_path_type(ctx, *type));
  PARE_TRY(const Field* path, require(ctx, fields, "path", what));
  PARE_TRY(item.path, get_image_path(ctx, *path));
  const Field* target = fields.find("target");
  if (item.type == PathItem::Type::symlink) {
    if (!target) return ctx.error(fields.loc, what + ": a symlink needs 'target'");
    PARE_TRY(item.target, get_nonempty_string(ctx, *target));
  } else if (target) {
    return ctx.error(target->key_node, what + ": 'target' is only for type symlink");
  }
  if (const Field* m = fields.find("mode")) {
    if (item.type == PathItem::Type::symlink)
      return ctx.error(m->key_node, what + ": a symlink has no mode of its own");
    PARE_TRY(item.mode, get_mode(ctx, *m));
  }
  if (const Field* u = fields.find("uid")) {
    PARE_TRY(item.uid, get_id(ctx, *u));
  }
  if (const Field* g = fields.find("gid")) {
    PARE_TRY(item.gid, get_id(ctx, *g));
  }
  if (item.type == PathItem::Type::permissions && !item.mode && !item.uid && !item.gid)
    return ctx.error(fields.loc, what + ": type permissions needs 'mode', 'uid' or 'gid'");
  return item;
}
}  // namespace

Result<std::vector<PathItem>> parse_paths(const Ctx& ctx, const Field& f) {
  PARE_CHECK(expect_list(ctx, f));
  std::vector<PathItem> out;
  size_t index = 0;
  for (auto it = f.value.begin(); it != f.value.end(); ++it, ++index) {
    PARE_TRY(PathItem item, parse_path_item(ctx, *it, item_name(f, index)));
    out.push_back(std::move(item));
  }
  return out;
}

namespace {
Result<std::string> get_account_name(const Ctx& ctx, const Field& f) {
  PARE_TRY(std::string name, get_string(ctx, f));
  if (!is_valid_account_name(name))
    return ctx.error(f.value, f.key + ": '" + name +
                                  "' is not a valid account name (a-z, 0-9, _ and -, starting "
                                  "with a letter or _, at most 32 characters)");
  return name;
}

Result<User> parse_user(const Ctx& ctx, const YAML::Node& node, const std::string& what) {
  PARE_TRY(Fields fields,
           read_fields(ctx, node, what, {"name", "uid", "gid", "home", "shell", "gecos"}));
  User user;
  PARE_TRY(const Field* name, require(ctx, fields, "name", what));
  PARE_TRY(user.name, get_account_name(ctx, *name));
  PARE_TRY(const Field* uid, require(ctx, fields, "uid", what));
  PARE_TRY(user.uid, get_id(ctx, *uid));
  user.gid = user.uid;
  if (const Field* g = fields.find("gid")) {
    PARE_TRY(user.gid, get_id(ctx, *g));
  }
  user.home = "/home/" + user.name;
  if (const Field* h = fields.find("home")) {
    PARE_TRY(user.home, get_image_path(ctx, *h));
  }
  if (const Field* s = fields.find("shell")) {
    PARE_TRY(user.shell, get_image_path(ctx, *s));
  }
  if (const Field* g = fields.find("gecos")) {
    PARE_TRY(user.gecos, get_string(ctx, *g));
    // passwd(5) is ':'-separated, one entry per line.
    if (user.gecos.find_first_of(":\n") != std::string::npos)
      return ctx.error(g->value, "gecos: must not contain ':' or a line break");
  }
  return user;
}

Result<Group> parse_group(const Ctx& ctx, const YAML::Node& node, const std::string& what) {
  PARE_TRY(Fields fields, read_fields(ctx, node, what, {"name", "gid", "members"}));
  Group group;
  PARE_TRY(const Field* name, require(ctx, fields, "name", what));
  PARE_TRY(group.name, get_account_name(ctx, *name));
  PARE_TRY(const Field* gid, require(ctx, fields, "gid", what));
  PARE_TRY(group.gid, get_id(ctx, *gid));
  if (const Field* m = fields.find("members")) {
    PARE_TRY(auto members, get_located_strings(ctx, *m));
    for (auto& [member, loc] : members) {
      if (!is_valid_account_name(member))
        return ctx.error(loc, "members: '" + member + "' is not a valid account name");
      group.members.push_back(member);
      group.member_locs.push_back(loc);
    }
  }
  return group;
}

template <class T>
Result<std::vector<T>> parse_account_list(const Ctx& ctx, const Field& f,
                                          Result<T> (*parse_one)(const Ctx&, const YAML::Node&,
                                                                 const std::string&)) {
  PARE_CHECK(expect_list(ctx, f));
  std::vector<T> out;
  std::vector<Location> locs;
  size_t index = 0;
  for (auto it = f.value.begin(); it != f.value.end(); ++it, ++index) {
    PARE_TRY(T item, parse_one(ctx, *it, item_name(f, index)));
    Location loc = ctx.loc(*it);
    for (size_t i = 0; i < out.size(); ++i)
      if (out[i].name == item.name)
        return ctx.error(loc, item_name(f, index) + ": duplicate name '" + item.name +
                                  "' (first at " + locs[i].str() + ")");
    out.push_back(std::move(item));
    locs.push_back(loc);
  }
  return out;
}
}  // namespace

Result<void> parse_accounts(const Ctx& ctx, const Field& f, ParsedFile& out) {
  PARE_TRY(Fields fields,
           read_fields(ctx, f.value, "accounts", {"users", "groups"}, ctx.loc(f.key_node)));
  if (const Field* u = fields.find("users")) {
    PARE_TRY(out.users, parse_account_list<User>(ctx, *u, parse_user));
  }
  if (const Field* g = fields.find("groups")) {
    PARE_TRY(out.groups, parse_account_list<Group>(ctx, *g, parse_group));
  }
  return {};
}

}  // namespace pare::spec::detail
