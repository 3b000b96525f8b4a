#include "rootfs/generated.h"

#include <algorithm>
#include <optional>

namespace pare::rootfs {

namespace {

constexpr const char* kNologin = "/sbin/nologin";

Account user(std::string name, uint32_t id, std::string home) {
  std::string gecos = name;
  return Account{std::move(name), id, id, std::move(gecos), std::move(home), kNologin};
}

std::string describe(const Account& a) {
  return "user \"" + a.name + "\" (uid " + std::to_string(a.uid) + ", gid " +
         std::to_string(a.gid) + ")";
}

std::string describe(const GroupEntry& g) {
  return "group \"" + g.name + "\" (gid " + std::to_string(g.gid) + ")";
}

// passwd(5) and group(5) are ':'-separated lines; group members are
// ','-separated. A field holding a separator or a line break would silently
// create or corrupt entries, so it is refused.
Result<void> check_field(const std::string& owner, std::string_view field, std::string_view value,
                         bool may_be_empty, std::string_view forbidden) {
  if (value.empty() && !may_be_empty) {
    return make_error(Errc::invalid, owner + ": " + std::string(field) + " is empty");
  }
  for (char c : value) {
    bool control = static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    if (control || forbidden.find(c) != std::string_view::npos) {
      return make_error(Errc::invalid, owner + ": " + std::string(field) + " \"" +
                                           std::string(value) +
                                           "\" contains a character passwd/group files cannot "
                                           "hold (':', ',', or a control character)");
    }
  }
  return {};
}

Result<void> check_account(const Account& a) {
  std::string owner = "user \"" + a.name + "\"";
  PARE_CHECK(check_field(owner, "name", a.name, false, ":,"));
  PARE_CHECK(check_field(owner, "gecos", a.gecos, true, ":"));
  PARE_CHECK(check_field(owner, "home", a.home, true, ":"));
  PARE_CHECK(check_field(owner, "shell", a.shell, true, ":"));
  return {};
}

Result<void> check_group(const GroupEntry& g) {
  std::string owner = "group \"" + g.name + "\"";
  PARE_CHECK(check_field(owner, "name", g.name, false, ":,"));
  for (const auto& m : g.members) PARE_CHECK(check_field(owner, "member", m, false, ":,"));
  return {};
}

template <class T, class Pred>
std::optional<size_t> find_index(const std::vector<T>& v, Pred pred) {
  auto it = std::find_if(v.begin(), v.end(), pred);
  if (it == v.end()) return std::nullopt;
  return static_cast<size_t>(it - v.begin());
}

Result<void> add_user(std::vector<Account>& users, const Account& u) {
  PARE_CHECK(check_account(u));
  auto by_name = find_index(users, [&](const Account& a) { return a.name == u.name; });
  if (by_name) {
    Account& existing = users[*by_name];
    if (existing.uid != u.uid || existing.gid != u.gid) {
      return make_error(Errc::invalid, describe(u) + " conflicts with " + describe(existing) +
                                           ": same name, different ids");
    }
    existing = u;
    return {};
  }
  auto by_uid = find_index(users, [&](const Account& a) { return a.uid == u.uid; });
  if (by_uid) {
    return make_error(Errc::invalid, describe(u) + " conflicts with " + describe(users[*by_uid]) +
                                         ": same uid, different name");
  }
  users.push_back(u);
  return {};
}

Result<void> add_group(std::vector<GroupEntry>& groups, const GroupEntry& g) {
  PARE_CHECK(check_group(g));
  auto by_name = find_index(groups, [&](const GroupEntry& e) { return e.name == g.name; });
  if (by_name) {
    GroupEntry& existing = groups[*by_name];
    if (existing.gid != g.gid) {
      return make_error(Errc::invalid, describe(g) + " conflicts with " + describe(existing) +
                                           ": same name, different gid");
    }
    for (const auto& m : g.members) {
      if (std::find(existing.members.begin(), existing.members.end(), m) ==
          existing.members.end()) {
        existing.members.push_back(m);
      }
    }
    return {};
  }
  auto by_gid = find_index(groups, [&](const GroupEntry& e) { return e.gid == g.gid; });
  if (by_gid) {
    return make_error(Errc::invalid, describe(g) + " conflicts with " + describe(groups[*by_gid]) +
                                         ": same gid, different name");
  }
  groups.push_back(g);
  return {};
}

// os-release(5): values are shell-style strings; inside double quotes '"',
// '\\', '$' and '`' must be escaped with a backslash.
std::string quoted(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '\n') continue;  // a value is one line
    if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

void append_os_line(std::string& out, std::string_view key, std::string_view value) {
  out.append(key).append("=").append(quoted(value)).append("\n");
}

// Strips one trailing '\r' (CRLF input) from a line.
std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

// Calls fn(line) for every line of text (without its '\n' or '\r\n').
template <class Fn>
void for_each_line(std::string_view text, Fn fn) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    fn(without_cr(line));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::string_view relative_path(std::string_view path) {
  if (path.substr(0, 2) == "./") path.remove_prefix(2);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return path;
}

}  // namespace

Accounts default_accounts() {
  Accounts a;
  a.users = {
      user("root", kRootId, "/root"),
      user("nobody", kNobodyId, "/nonexistent"),
      user("nonroot", kNonrootId, "/home/nonroot"),
  };
  a.groups = {
      {"root", kRootId, {}}, {"nobody", kNobodyId, {}},   {"tty", 5, {}},
      {"staff", 50, {}},     {"nonroot", kNonrootId, {}},
  };
  return a;
}

Result<Accounts> merge_accounts(Accounts base, const std::vector<Account>& users,
                                const std::vector<GroupEntry>& groups) {
  for (const auto& u : users) PARE_CHECK(add_user(base.users, u));
  for (const auto& g : groups) PARE_CHECK(add_group(base.groups, g));
  return base;
}

std::string passwd_file(const Accounts& accounts) {
  std::string out;
  for (const auto& u : accounts.users) {
    out += u.name + ":x:" + std::to_string(u.uid) + ":" + std::to_string(u.gid) + ":" + u.gecos +
           ":" + u.home + ":" + u.shell + "\n";
  }
  return out;
}

std::string group_file(const Accounts& accounts) {
  std::string out;
  for (const auto& g : accounts.groups) {
    out += g.name + ":x:" + std::to_string(g.gid) + ":";
    for (size_t i = 0; i < g.members.size(); ++i) {
      if (i > 0) out += ',';
      out += g.members[i];
    }
    out += '\n';
  }
  return out;
}

std::string os_release(const OsInfo& info) {
  std::string out;
  append_os_line(out, "PRETTY_NAME", info.pretty_name);
  append_os_line(out, "NAME", "Debian GNU/Linux");
  append_os_line(out, "ID", "debian");
  append_os_line(out, "VERSION_ID", info.version_id);
  append_os_line(out, "VERSION",
                 "Debian GNU/Linux " + info.version_id + " (" + info.codename + ")");
  if (!info.home_url.empty()) append_os_line(out, "HOME_URL", info.home_url);
  if (!info.support_url.empty()) append_os_line(out, "SUPPORT_URL", info.support_url);
  if (!info.bug_report_url.empty()) append_os_line(out, "BUG_REPORT_URL", info.bug_report_url);
  return out;
}

std::string nsswitch_conf() {
  return "# /etc/nsswitch.conf\n"
         "#\n"
         "# Example configuration of GNU Name Service Switch functionality.\n"
         "# If you have the `glibc-doc-reference' and `info' packages installed, try:\n"
         "# `info libc \"Name Service Switch\"' for information about this file.\n"
         "\n"
         "passwd:         compat\n"
         "group:          compat\n"
         "shadow:         compat\n"
         "gshadow:        files\n"
         "\n"
         "hosts:          files dns\n"
         "networks:       files\n"
         "\n"
         "protocols:      db files\n"
         "services:       db files\n"
         "ethers:         db files\n"
         "rpc:            db files\n"
         "\n"
         "netgroup:       nis\n";
}

std::string status_d_entry(std::string_view control_file) {
  std::string out;
  out.reserve(control_file.size() + 1);
  for_each_line(control_file, [&](std::string_view line) {
    if (is_blank(line)) return;
    out.append(line).append("\n");
  });
  return out;
}

// dpkg writes md5sums as md5sum(1) does: "<32 hex>  <path>". Some packages
// built by other tools use one space or md5sum's " *" binary marker; both are
// accepted. The path is everything after the separator (it may hold spaces).
std::string filtered_md5sums(std::string_view md5sums,
                             const std::function<bool(std::string_view path)>& present) {
  std::string out;
  for_each_line(md5sums, [&](std::string_view line) {
    size_t sep = line.find_first_of(" \t");
    if (sep == 0 || sep == std::string_view::npos) return;
    std::string_view hash = line.substr(0, sep);
    std::string_view rest = line.substr(sep);
    size_t start = rest.find_first_not_of(" \t");
    if (start == std::string_view::npos) return;
    rest.remove_prefix(start);
    if (!rest.empty() && rest.front() == '*') rest.remove_prefix(1);
    std::string_view path = relative_path(rest);
    if (path.empty() || !present(path)) return;
    out.append(hash).append("  ").append(path).append("\n");
  });
  return out;
}

}  // namespace pare::rootfs
