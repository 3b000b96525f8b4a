// Files pare writes into an image instead of running maintainer scripts:
// accounts (/etc/passwd, /etc/group), /usr/lib/os-release, /etc/nsswitch.conf
// and the dpkg metadata scanners read (/var/lib/dpkg/status.d/<pkg>{,.md5sums}).
//
// Everything here is a pure function of its arguments. The text matches what
// distroless ships (GoogleContainerTools/distroless common/BUILD.bazel and
// common/variables.bzl, serialised by rules_distroless' passwd/group/os_release
// rules), so tools and users see the same files they see in distroless.
//
// There is deliberately no /etc/shadow: distroless ships none (no account has a
// password and no login program exists), and nothing in the images reads it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::rootfs {

struct Account {
  std::string name;
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string gecos, home, shell;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

struct Accounts {
  std::vector<Account> users;
  std::vector<GroupEntry> groups;
};

inline constexpr uint32_t kRootId = 0;
inline constexpr uint32_t kNonrootId = 65532;
inline constexpr uint32_t kNobodyId = 65534;

// distroless's accounts, in distroless's order:
//   users:  root(0, /root), nobody(65534, /nonexistent), nonroot(65532, /home/nonroot),
//           gecos = name, shell /sbin/nologin;
//   groups: root 0, nobody 65534, tty 5, staff 50, nonroot 65532 (no members).
Accounts default_accounts();

// Adds `users` and `groups` to `base`, in order, after the existing entries.
// - A user with the same name, uid and gid as an existing one replaces its
//   gecos/home/shell in place (so a spec can change nonroot's home).
// - A group with the same name and gid merges its members (union, order kept).
// - Same name with other ids, or the same uid (gid for groups) under another
//   name: Errc::invalid naming both entries.
// - Names and fields that would corrupt the files (':', ',' in member names,
//   newlines, empty names): Errc::invalid.
// A user's gid need not name a group (as with useradd -N); nothing is invented.
Result<Accounts> merge_accounts(Accounts base, const std::vector<Account>& users,
                                const std::vector<GroupEntry>& groups);

// "name:x:uid:gid:gecos:home:shell\n" per user, in order (passwd(5)).
std::string passwd_file(const Accounts& accounts);
// "name:x:gid:member1,member2\n" per group, in order (group(5)).
std::string group_file(const Accounts& accounts);

struct OsInfo {
  std::string version_id;  // "12"
  std::string codename;    // "bookworm"
  std::string pretty_name = "Distroless";
  // distroless points these at its own project; pare's images are not
  // distroless's, so the defaults are Debian's web site (never the package
  // archive). An empty value leaves the line out.
  std::string home_url = "https://www.debian.org/";
  std::string support_url = "https://www.debian.org/support";
  std::string bug_report_url = "https://bugs.debian.org/";
};

// /usr/lib/os-release (os-release(5)), keys in distroless's order, every value
// double-quoted (as distroless writes them, ID included):
//   PRETTY_NAME="Distroless"
//   NAME="Debian GNU/Linux"
//   ID="debian"
//   VERSION_ID="12"
//   VERSION="Debian GNU/Linux 12 (bookworm)"
//   HOME_URL=... SUPPORT_URL=... BUG_REPORT_URL=...
// distroless writes it mode 0555; base-files' /etc/os-release symlink
// (../usr/lib/os-release) then resolves to it.
std::string os_release(const OsInfo& info);

// distroless's static/nsswitch.conf, byte for byte (glibc's example file with
// "compat" for passwd/group/shadow and "files dns" for hosts).
std::string nsswitch_conf();

// The /var/lib/dpkg/status.d/<pkg> file: the package's control file (./control
// from control.tar) normalised to LF line ends, no blank lines, one trailing
// newline. No "Status:" line is added: Trivy, Grype and Syft read status.d
// entries without one, and distroless writes the control file as shipped.
std::string status_d_entry(std::string_view control_file);

// /var/lib/dpkg/status.d/<pkg>.md5sums: the package's md5sums (dpkg's
// "md5  path" lines, path relative) limited to paths for which present(path)
// is true, in the package's order, each written "md5  path\n" with exactly
// two spaces and no leading "/" or "./". Blank and malformed lines are dropped.
std::string filtered_md5sums(std::string_view md5sums,
                             const std::function<bool(std::string_view path)>& present);

}  // namespace pare::rootfs
