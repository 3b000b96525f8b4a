// Every validation error is Errc::invalid and names the line and column of the offending text.
#include <gtest/gtest.h>

#include "spec/spec.h"
#include "spec_test_util.h"

namespace pare::spec {
namespace {

using testing::load_text;

struct ErrorCase {
  const char* label;
  const char* yaml;
  int line, column;
  const char* says;  // a piece of the message
};

void PrintTo(const ErrorCase& c, std::ostream* os) {
  *os << c.label;
}

class SpecError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(SpecError, NamesLineAndColumn) {
  const ErrorCase& c = GetParam();
  auto r = load_text(c.yaml);
  ASSERT_FALSE(r.ok()) << "accepted: " << c.yaml;
  EXPECT_EQ(r.error().code(), Errc::invalid);
  std::string prefix =
      "/t/spec.yaml:" + std::to_string(c.line) + ":" + std::to_string(c.column) + ": ";
  EXPECT_EQ(r.error().message().rfind(prefix, 0), 0u)
      << "message: " << r.error().message() << "\nwanted prefix: " << prefix;
  EXPECT_NE(r.error().message().find(c.says), std::string::npos) << r.error().message();
}

#define CASE(label, body, line, col, says) \
  ErrorCase {                              \
    label, body, line, col, says           \
  }

const ErrorCase kCases[] = {
    CASE("healthcheck_shell_form", "source: {suite: bookworm}\nhealthcheck: {test: curl -f x}\n", 2,
         21, "expected a list"),
    CASE("healthcheck_relative", "source: {suite: bookworm}\nhealthcheck: {test: [app]}\n", 2, 21,
         "absolute program path"),
    CASE("healthcheck_no_test", "source: {suite: bookworm}\nhealthcheck: {interval: 5s}\n", 2, 14,
         "needs test:"),
    CASE("healthcheck_duration",
         "source: {suite: bookworm}\nhealthcheck: {test: [/a], interval: 5 seconds}\n", 2, 37,
         "expected a duration"),
    CASE("healthcheck_retries",
         "source: {suite: bookworm}\nhealthcheck: {test: [/a], retries: 0}\n", 2, 36,
         "retries: expected a number"),
    CASE("auto_deps_not_bool", "source: {suite: bookworm}\nauto-deps: please\n", 2, 12,
         "auto-deps"),
    CASE("unknown_top_key", "source: {suite: bookworm}\npakages: [libc6]\n", 2, 1,
         "unknown key 'pakages' (did you mean 'packages'?)"),
    CASE("unknown_key_no_guess", "source: {suite: bookworm}\nzzzzzz: 1\n", 2, 1,
         "unknown key 'zzzzzz'; allowed keys:"),
    CASE("unknown_source_key", "source:\n  suite: bookworm\n  mirorr: http://x/\n", 3, 3,
         "did you mean 'mirror'?"),
    CASE("long_key_guess", "source:\n  suite: bookworm\n  securitymirrors: http://x/\n", 3, 3,
         "did you mean 'security-mirror'?"),
    CASE("duplicate_key", "source: {suite: bookworm}\nuser: a\nuser: b\n", 3, 1,
         "duplicate key 'user' (first at /t/spec.yaml:2:1)"),
    CASE("not_a_mapping", "- a\n- b\n", 1, 1, "expected a mapping, got a list"),
    CASE("yaml_syntax", "source: {suite: bookworm\n", 2, 1, "YAML syntax"),
    CASE("packages_not_list", "source: {suite: bookworm}\npackages: libc6\n", 2, 11,
         "expected a list, got a string"),
    CASE("package_item_list", "source: {suite: bookworm}\npackages:\n  - [a, b]\n", 3, 5,
         "packages[0]: expected a package name or a mapping"),
    CASE("bad_package_name", "source: {suite: bookworm}\npackages: [libc6, Foo_Bar]\n", 2, 19,
         "'Foo_Bar' is not a Debian package name"),
    CASE("bad_version", "source: {suite: bookworm}\npackages:\n  - libc6=abc\n", 3, 5,
         "bad version 'abc': the upstream version must start with a digit"),
    CASE("bad_map_version",
         "source: {suite: bookworm}\npackages:\n  - {name: libc6, version: 1.0-}\n", 3, 28,
         "bad version '1.0-'"),
    CASE("duplicate_package",
         "source: {suite: bookworm}\npackages:\n  - libc6\n  - tzdata\n  - libc6\n", 5, 5,
         "duplicate package 'libc6' (first at /t/spec.yaml:3:5)"),
    CASE("duplicate_package_overlapping_suites",
         "source: {suite: bookworm}\npackages:\n  - {name: a1, suites: [trixie]}\n  - a1\n", 4, 5,
         "duplicate package 'a1'"),
    CASE("exclude_with_version", "source: {suite: bookworm}\nexclude: [dpkg=1.0]\n", 2, 11,
         "exclude takes package names, not versions"),
    CASE("unknown_filter_suite",
         "source: {suite: bookworm}\npackages:\n  - {name: a1, suites: [sid]}\n", 3, 25,
         "unknown suite 'sid'"),
    CASE("unknown_suite", "source:\n  suite: buster\n", 2, 10,
         "unknown suite 'buster'; supported: bookworm (12), trixie (13)"),
    CASE("suite_not_string", "source:\n  suite: [bookworm]\n", 2, 10,
         "expected a string, got a list"),
    CASE("bad_bool", "source:\n  suite: bookworm\n  updates: yes\n", 3, 12,
         "expected true or false, got 'yes'"),
    CASE("bad_mirror", "source:\n  suite: bookworm\n  mirror: ftp://x/\n", 3, 11,
         "an http://, https:// or file:/ URL"),
    CASE("unknown_arch", "source: {suite: bookworm}\narchs: [amd64, x86_64]\n", 2, 16,
         "unknown architecture 'x86_64'"),
    CASE("duplicate_arch", "source: {suite: bookworm}\narchs: [amd64, amd64]\n", 2, 16,
         "'amd64' is listed twice"),
    CASE("arch_not_in_suite", "source: {suite: bookworm}\narchs:\n  - amd64\n  - riscv64\n", 4, 5,
         "architecture 'riscv64' is not in bookworm"),
    CASE("mode_not_octal",
         "source: {suite: bookworm}\nfiles:\n  - {src: a, dest: /a, mode: \"0789\"}\n", 3, 30,
         "expected an octal mode"),
    CASE("mode_too_big",
         "source: {suite: bookworm}\npaths:\n  - {type: directory, path: /d, mode: 17777}\n", 3, 39,
         "expected an octal mode"),
    CASE("uid_not_number", "source: {suite: bookworm}\nfiles:\n  - {src: a, dest: /a, uid: abc}\n",
         3, 29, "expected a number from 0 to 4294967294, got 'abc'"),
    CASE("gid_negative",
         "source: {suite: bookworm}\npaths:\n  - type: directory\n    path: /d\n    gid: -1\n", 5,
         10, "expected a number"),
    CASE("relative_dest", "source: {suite: bookworm}\nfiles:\n  - src: app\n    dest: app\n", 4, 11,
         "expected an absolute path without '..', got 'app'"),
    CASE("dotdot_dest", "source: {suite: bookworm}\nfiles:\n  - {src: app, dest: /x/../../etc}\n",
         3, 22, "without '..'"),
    CASE("missing_src", "source: {suite: bookworm}\nfiles:\n  - {dest: /app}\n", 3, 5,
         "files[0]: missing 'src'"),
    CASE("symlink_without_target",
         "source: {suite: bookworm}\npaths:\n  - type: symlink\n    path: /x\n", 3, 5,
         "a symlink needs 'target'"),
    CASE("target_on_directory",
         "source: {suite: bookworm}\npaths:\n  - {type: directory, path: /x, target: /y}\n", 3, 33,
         "'target' is only for type symlink"),
    CASE("unknown_path_type",
         "source: {suite: bookworm}\npaths:\n  - {type: dir3ctory, path: /x}\n", 3, 12,
         "unknown path type 'dir3ctory' (did you mean 'directory'?)"),
    CASE("permissions_without_change",
         "source: {suite: bookworm}\npaths:\n  - {type: permissions, path: /x}\n", 3, 5,
         "needs 'mode', 'uid' or 'gid'"),
    CASE(
        "symlink_with_mode",
        "source: {suite: bookworm}\npaths:\n  - {type: symlink, path: /x, target: y, mode: 0644}\n",
        3, 42, "a symlink has no mode"),
    CASE("only_relative",
         "source: {suite: bookworm}\npackages:\n  - {name: libc-bin, only: [usr/x]}\n", 3, 29,
         "only: expected an absolute path or glob without '..', got 'usr/x'"),
    CASE("only_empty", "source: {suite: bookworm}\npackages:\n  - {name: libc-bin, only: []}\n", 3,
         28, "only: list at least one path"),
    CASE("only_in_exclude", "source: {suite: bookworm}\nexclude:\n  - {name: dpkg, only: [/x]}\n",
         3, 18, "unknown key 'only'"),
    CASE("bad_user_name", "source: {suite: bookworm}\naccounts:\n  users: [{name: Bad, uid: 1}]\n",
         3, 18, "'Bad' is not a valid account name"),
    CASE("user_without_uid", "source: {suite: bookworm}\naccounts:\n  users: [{name: app}]\n", 3,
         11, "users[0]: missing 'uid'"),
    CASE("duplicate_user",
         "source: {suite: bookworm}\naccounts:\n  users:\n    - {name: a, uid: 1}\n    - {name: a, "
         "uid: 2}\n",
         5, 7, "duplicate name 'a'"),
    CASE("bad_member",
         "source: {suite: bookworm}\naccounts:\n  groups: [{name: g, gid: 1, members: [x y]}]\n", 3,
         40, "'x y' is not a valid account name"),
    CASE("unknown_account_key", "source: {suite: bookworm}\naccounts:\n  user: []\n", 3, 3,
         "did you mean 'users'?"),
    CASE("bad_workdir", "source: {suite: bookworm}\nworkdir: srv\n", 2, 10,
         "expected an absolute path"),
    CASE("entrypoint_string", "source: {suite: bookworm}\nentrypoint: /app\n", 2, 13,
         "expected a list of strings, got a string"),
    CASE("entrypoint_item_map", "source: {suite: bookworm}\nentrypoint: [/app, {a: b}]\n", 2, 20,
         "entrypoint[1]: expected a string, got a mapping"),
    CASE("bad_env_name", "source: {suite: bookworm}\nenv:\n  OK: 1\n  1BAD: x\n", 4, 3,
         "expected a variable name"),
    CASE("env_value_list", "source: {suite: bookworm}\nenv:\n  A: [x]\n", 3, 6,
         "env.A: expected a string, got a list"),
    CASE("env_not_map", "source: {suite: bookworm}\nenv: [A=b]\n", 2, 6, "env: expected a mapping"),
    CASE("bad_port", "source: {suite: bookworm}\nports: [\"80/tcp\", \"99999\"]\n", 2, 19,
         "expected a port such as"),
    CASE("bad_port_proto", "source: {suite: bookworm}\nports: [80/icmp]\n", 2, 9,
         "expected a port"),
    CASE("bad_signal", "source: {suite: bookworm}\nstop-signal: TERM\n", 2, 14,
         "expected a signal such as SIGTERM"),
    CASE("bad_variant", "source: {suite: bookworm}\nvariants: [latest, slim]\n", 2, 20,
         "expected one of latest, nonroot, debug, debug-nonroot, got 'slim'"),
    CASE("bad_name", "source: {suite: bookworm}\nname: My_App\n", 2, 7,
         "expected a lowercase image name"),
    CASE("excluded_and_wanted", "source: {suite: bookworm}\npackages: [dpkg]\nexclude: [dpkg]\n", 2,
         12, "package 'dpkg' is also excluded (at /t/spec.yaml:3:11)"),
    CASE("version_bad_text", "source: {suite: bookworm}\nversion: \"1 2\"\n", 2, 10,
         "version: expected a version such as 1.2.3"),
    CASE("version_bad_key", "source: {suite: bookworm}\nversion: {pkg: x}\n", 2, 11,
         "unknown key 'pkg'"),
    CASE("version_no_package", "source: {suite: bookworm}\nversion: {env: V}\n", 2, 10,
         "version: expected a version string or {package: NAME, env: VAR}"),
    CASE("version_bad_package", "source: {suite: bookworm}\nversion: {package: [Bad]}\n", 2, 21,
         "package: expected a package name, got 'Bad'"),
    CASE("version_bad_env", "source: {suite: bookworm}\nversion: {package: a1, env: 1V}\n", 2, 29,
         "env: expected a variable name"),
    CASE("null_value", "source: {suite: bookworm}\nuser:\n", 2, 1,
         "user: expected a string, got nothing"),
    CASE("empty_source", "archs: [amd64]\nsource:\n", 2, 1,
         "source: expected a mapping, got nothing"),
    CASE("empty_env", "source: {suite: bookworm}\nenv:\nuser: a\n", 2, 1,
         "env: expected a mapping"),
    CASE("empty_packages", "source: {suite: bookworm}\npackages:\n", 2, 1,
         "packages: expected a list"),
    CASE("stray_comma", ",\n", 1, 1, "YAML syntax"),
    CASE("control_character", "source: {suite: bookworm}\nuser: \"a\x01z\"\n", 2, 9,
         "control character 0x01 is not allowed"),
    CASE("two_documents", "source: {suite: bookworm}\n---\nuser: a\n", 2, 1, "one YAML document"),
    // Conflicts that used to be accepted silently (the last one won).
    CASE("two_files_one_dest",
         "source: {suite: bookworm}\nfiles:\n  - {src: a, dest: /app}\n  - {src: b, dest: /app}\n",
         4, 5, "a second file for dest /app (the first is at /t/spec.yaml:3:5)"),
    CASE("same_path_twice",
         "source: {suite: bookworm}\npaths:\n  - {type: directory, path: /d}\n"
         "  - {type: symlink, path: /d, target: /x}\n",
         4, 5, "/d is given twice"),
    CASE("member_no_user",
         "source: {suite: bookworm}\naccounts:\n  groups: [{name: g, gid: 7, members: [ghost]}]\n",
         3, 40, "member 'ghost' is no user"),
    CASE("made_up_signal", "source: {suite: bookworm}\nstop-signal: SIGFOO\n", 2, 14,
         "a signal such as SIGTERM"),
    CASE("invalid_utf8_label", "source: {suite: bookworm}\nlabels: {team: \"a\xff\"}\n", 2, 18,
         "invalid UTF-8 (byte 0xff)"),
    CASE("invalid_utf8_env", "source: {suite: bookworm}\nenv:\n  X: \xc3\x28\n", 3, 6,
         "invalid UTF-8"),
    CASE("overlong_utf8_entrypoint", "source: {suite: bookworm}\nentrypoint: [\xc0\xaf]\n", 2, 14,
         "invalid UTF-8"),
};

INSTANTIATE_TEST_SUITE_P(Validation, SpecError, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.label); });

TEST(SpecErrors, RealSignalsAndValidUtf8AreAccepted) {
  for (const char* sig : {"SIGTERM", "SIGRTMIN+3", "SIGWINCH", "15"}) {
    auto r = load_text(std::string("source: {suite: bookworm}\nstop-signal: ") + sig + "\n");
    EXPECT_TRUE(r.ok()) << sig << ": " << r.error().message();
  }
  auto r = load_text(
      "source: {suite: bookworm}\nlabels: {team: \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3\"}\n"
      "accounts:\n  users: [{name: app, uid: 1000}]\n  groups: [{name: g, gid: 7, members: [app, "
      "nonroot]}]\n");
  EXPECT_TRUE(r.ok()) << r.error().message();
}

TEST(SpecErrors, NulByteIsPlacedByCharacters) {
  // Columns count characters: the two bytes of "é" are one column.
  const std::string text("source: {suite: bookworm}\nname: \"\xc3\xa9\"\0\n", 38);
  auto r = load_text(text);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "/t/spec.yaml:2:10: control character 0x00 is not allowed in YAML");
}

}  // namespace
}  // namespace pare::spec
