// Parsing valid specs: every key lands in the right place, defaults apply.
#include <gtest/gtest.h>

#include "spec/spec.h"
#include "spec/suites.h"
#include "spec_test_util.h"

namespace pare::spec {
namespace {

using testing::load_text;

constexpr const char* kFull = R"(name: myapp
source:
  suite: bookworm
  components: [main, contrib]
  mirror: http://mirror.example/debian
  security-mirror: https://security.example/debian-security
  keyring: keys/archive.gpg
  updates: false
  security: true
archs: [amd64, arm64]
packages:
  - libc6
  - tzdata=2024a-0+deb12u1
  - name: libssl3t64
    suites: [trixie]
  - {name: libssl3, suites: [bookworm]}
  - {name: zlib1g, version: "1:1.2.13.dfsg-1"}
exclude: [dpkg, {name: perl-base, suites: [trixie]}]
files:
  - {src: ./app, dest: /app, mode: "0755", uid: 0, gid: 0}
  - {src: /abs/conf, dest: /etc/app.conf}
paths:
  - {type: directory, path: /data, mode: "0750", uid: 65532, gid: 65532}
  - {type: symlink, path: /usr/bin/app, target: /app}
  - {type: empty-file, path: /etc/app.conf, mode: 0644}
  - {type: permissions, path: /data, mode: 0o700}
accounts:
  users: [{name: app, uid: 1000, gid: 1001, home: /srv/app, shell: /bin/false, gecos: App}]
  groups: [{name: app, gid: 1001, members: [app]}]
certificates: [./my-ca.crt]
user: "1000:1001"
workdir: /srv
entrypoint: [/app, --serve]
cmd: []
env: {LANG: C.UTF-8, TZ: UTC}
labels: {a: b}
annotations: {org.opencontainers.image.source: "https://example.org/app"}
ports: ["8080/tcp", "53/udp", "9000"]
volumes: [/data]
stop-signal: SIGTERM
variants: [latest, nonroot, debug]
)";

TEST(SpecParse, FullSpecLandsInEveryField) {
  auto r = load_text(kFull);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const Spec& s = *r;
  EXPECT_EQ(s.name, "myapp");
  EXPECT_EQ(s.source.suite, "bookworm");
  EXPECT_EQ(s.suite_version, "12");
  EXPECT_EQ(s.source.components, (std::vector<std::string>{"main", "contrib"}));
  EXPECT_EQ(s.source.mirror, "http://mirror.example/debian");
  EXPECT_EQ(s.source.security_mirror, "https://security.example/debian-security");
  EXPECT_EQ(s.source.keyring, "/t/keys/archive.gpg");
  EXPECT_FALSE(s.source.updates);
  EXPECT_TRUE(s.source.security);
  EXPECT_EQ(s.archs, (std::vector<std::string>{"amd64", "arm64"}));
  ASSERT_EQ(s.levels.size(), 2u);  // its packages, then its files and paths (a layer each)
  const Level& l = s.levels[0];
  const Level& app = s.levels[1];
  EXPECT_TRUE(app.files_only);
  EXPECT_TRUE(l.files.empty());
  EXPECT_TRUE(l.paths.empty());
  EXPECT_TRUE(app.packages.empty());
  EXPECT_EQ(app.name, "myapp");
  EXPECT_EQ(l.file, "/t/spec.yaml");
  EXPECT_EQ(l.name, "myapp");
  ASSERT_EQ(l.packages.size(), 4u);  // libssl3t64 is for trixie only
  EXPECT_EQ(l.packages[0].name, "libc6");
  EXPECT_EQ(l.packages[0].version, "");
  EXPECT_EQ(l.packages[0].loc.str(), "/t/spec.yaml:12:5");
  EXPECT_EQ(l.packages[1].name, "tzdata");
  EXPECT_EQ(l.packages[1].version, "2024a-0+deb12u1");
  EXPECT_EQ(l.packages[2].name, "libssl3");
  EXPECT_EQ(l.packages[3].name, "zlib1g");
  EXPECT_EQ(l.packages[3].version, "1:1.2.13.dfsg-1");
  EXPECT_EQ(l.exclude, (std::vector<std::string>{"dpkg"}));
  ASSERT_EQ(app.files.size(), 2u);
  EXPECT_EQ(app.files[0].src, "/t/app");
  EXPECT_EQ(app.files[0].dest, "/app");
  EXPECT_EQ(app.files[0].mode, 0755u);
  EXPECT_EQ(app.files[1].src, "/abs/conf");
  EXPECT_FALSE(app.files[1].mode.has_value());
  ASSERT_EQ(app.paths.size(), 4u);
  EXPECT_EQ(app.paths[0].type, PathItem::Type::directory);
  EXPECT_EQ(app.paths[0].mode, 0750u);
  EXPECT_EQ(app.paths[0].uid, 65532u);
  EXPECT_EQ(app.paths[1].type, PathItem::Type::symlink);
  EXPECT_EQ(app.paths[1].target, "/app");
  EXPECT_EQ(app.paths[2].type, PathItem::Type::empty_file);
  EXPECT_EQ(app.paths[2].mode, 0644u);
  EXPECT_EQ(app.paths[3].type, PathItem::Type::permissions);
  EXPECT_EQ(app.paths[3].mode, 0700u);
  EXPECT_FALSE(app.paths[3].uid.has_value());
  ASSERT_EQ(l.users.size(), 1u);
  EXPECT_EQ(l.users[0].name, "app");
  EXPECT_EQ(l.users[0].uid, 1000u);
  EXPECT_EQ(l.users[0].gid, 1001u);
  EXPECT_EQ(l.users[0].home, "/srv/app");
  EXPECT_EQ(l.users[0].shell, "/bin/false");
  EXPECT_EQ(l.users[0].gecos, "App");
  ASSERT_EQ(l.groups.size(), 1u);
  EXPECT_EQ(l.groups[0].members, (std::vector<std::string>{"app"}));
  EXPECT_EQ(l.certificates, (std::vector<std::filesystem::path>{"/t/my-ca.crt"}));
  EXPECT_EQ(s.image.user, "1000:1001");
  EXPECT_EQ(s.image.workdir, "/srv");
  EXPECT_EQ(s.image.entrypoint, (std::vector<std::string>{"/app", "--serve"}));
  ASSERT_TRUE(s.image.cmd.has_value());
  EXPECT_TRUE(s.image.cmd->empty());
  ASSERT_EQ(s.image.env.size(), 2u);
  EXPECT_EQ(s.image.env[0], (std::pair<std::string, std::string>{"LANG", "C.UTF-8"}));
  EXPECT_EQ(s.image.env[1], (std::pair<std::string, std::string>{"TZ", "UTC"}));
  EXPECT_EQ(s.image.labels.at("a"), "b");
  EXPECT_EQ(s.image.annotations.at("org.opencontainers.image.source"), "https://example.org/app");
  EXPECT_EQ(s.image.ports, (std::vector<std::string>{"8080/tcp", "53/udp", "9000"}));
  EXPECT_EQ(s.image.volumes, (std::vector<std::string>{"/data"}));
  EXPECT_EQ(s.image.stop_signal, "SIGTERM");
  EXPECT_EQ(s.variants, (std::vector<std::string>{"latest", "nonroot", "debug"}));
}

TEST(SpecParse, SuiteFilterSelectsPerSuite) {
  LoadOptions trixie;
  trixie.suite = "trixie";
  auto r = load_text(kFull, trixie);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->source.suite, "trixie");
  EXPECT_EQ(r->suite_version, "13");
  std::vector<std::string> names;
  for (const auto& p : r->levels[0].packages) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{"libc6", "tzdata", "libssl3t64", "zlib1g"}));
  EXPECT_EQ(r->levels[0].exclude, (std::vector<std::string>{"dpkg", "perl-base"}));
}

TEST(SpecParse, HealthcheckAndAutoDeps) {
  auto r = load_text(
      "source: {suite: bookworm}\nauto-deps: true\nslim: true\nhealthcheck:\n  test: [/app, "
      "--health]\n"
      "  interval: 1m30s\n  timeout: 500ms\n  start-period: 2s\n  retries: 3\n");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_TRUE(r->image.healthcheck.has_value());
  const spec::Healthcheck& h = *r->image.healthcheck;
  EXPECT_EQ(h.test, (std::vector<std::string>{"CMD", "/app", "--health"}));
  EXPECT_EQ(h.interval, int64_t{90} * 1000000000);
  EXPECT_EQ(h.timeout, 500000000);
  EXPECT_EQ(h.start_period, int64_t{2} * 1000000000);
  EXPECT_EQ(h.retries, 3);
  EXPECT_TRUE(r->levels.back().auto_deps);
  EXPECT_TRUE(r->levels.back().slim);
  EXPECT_EQ(r->levels.back().auto_deps_loc.line, 2);
  auto off = load_text("source: {suite: bookworm}\nhealthcheck: none\n");
  ASSERT_TRUE(off.ok()) << off.error().message();
  EXPECT_EQ(off->image.healthcheck->test, (std::vector<std::string>{"NONE"}));
}

TEST(SpecParse, FilesExcludeAndExtract) {
  auto r = load_text(
      "source: {suite: bookworm}\nfiles:\n  - {src: site, dest: /srv, exclude: [.git, '!keep']}\n"
      "  - {src: root.tar.gz, dest: /, extract: true}\n");
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto& files = r->levels.back().files;
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].exclude, (std::vector<std::string>{".git", "!keep"}));
  EXPECT_FALSE(files[0].extract);
  EXPECT_TRUE(files[1].extract);
  auto bad =
      load_text("source: {suite: bookworm}\nfiles:\n  - {src: a, dest: /a, exclude: ['']}\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("exclude: patterns must be non-empty"), std::string::npos);
}

TEST(SpecParse, DefaultsApply) {
  auto r = load_text("source: {suite: trixie}\n");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->name, "spec");  // the file stem
  EXPECT_EQ(r->levels[0].name, "spec");
  EXPECT_EQ(r->archs, (std::vector<std::string>{host_arch()}));
  EXPECT_EQ(r->variants, (std::vector<std::string>{"latest"}));
  EXPECT_EQ(r->source.components, (std::vector<std::string>{"main"}));
  EXPECT_TRUE(r->source.updates);
  EXPECT_TRUE(r->source.security);
  EXPECT_TRUE(r->source.mirror.empty());
  EXPECT_FALSE(r->image.user.has_value());
  EXPECT_FALSE(r->image.entrypoint.has_value());
}

TEST(SpecParse, UserDefaultsFollowTheName) {
  auto r = load_text("source: {suite: bookworm}\naccounts: {users: [{name: svc, uid: 42}]}\n");
  ASSERT_TRUE(r.ok()) << r.error().message();
  const User& u = r->levels[0].users.at(0);
  EXPECT_EQ(u.gid, 42u);
  EXPECT_EQ(u.home, "/home/svc");
  EXPECT_EQ(u.shell, "/sbin/nologin");
}

TEST(SpecParse, OptionsOverrideSuiteAndArchs) {
  LoadOptions o;
  o.suite = "trixie";
  o.archs = {"riscv64"};
  auto r = load_text("source: {suite: bookworm}\narchs: [amd64]\n", o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->source.suite, "trixie");
  EXPECT_EQ(r->archs, (std::vector<std::string>{"riscv64"}));
}

TEST(SpecParse, EmptyFileNeedsOnlyASuite) {
  LoadOptions o;
  o.suite = "bookworm";
  auto r = load_text("", o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->levels[0].packages.empty());
  auto missing = load_text("");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message().rfind("/t/spec.yaml:1:1: no suite", 0), 0u)
      << missing.error().message();
}

TEST(SpecParse, BadOptionSuiteIsInvalid) {
  LoadOptions o;
  o.suite = "sid";
  auto r = load_text("", o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), Errc::invalid);
  EXPECT_NE(r.error().message().find("bookworm (12), trixie (13)"), std::string::npos);
}

TEST(SpecSuites, TableAndNames) {
  ASSERT_NE(find_suite("bookworm"), nullptr);
  EXPECT_EQ(find_suite("bookworm")->version, "12");
  EXPECT_EQ(find_suite("trixie")->version, "13");
  EXPECT_EQ(find_suite("sid"), nullptr);
  EXPECT_TRUE(is_known_arch("riscv64"));
  EXPECT_FALSE(is_known_arch("x86_64"));
  EXPECT_EQ(oci_platform("armhf")->architecture, "arm");
  EXPECT_EQ(oci_platform("armhf")->variant, "v7");
  EXPECT_EQ(oci_platform("ppc64el")->architecture, "ppc64le");
  EXPECT_FALSE(oci_platform("x86_64").has_value());
  EXPECT_TRUE(is_valid_package_name("libstdc++6"));
  EXPECT_FALSE(is_valid_package_name("a"));
  EXPECT_FALSE(is_valid_package_name("Libc6"));
  EXPECT_FALSE(is_valid_package_name("-x"));
  EXPECT_TRUE(is_valid_version("2.36-9+deb12u4"));
  EXPECT_TRUE(is_valid_version("1:1.2.13.dfsg-1"));
  EXPECT_TRUE(is_valid_version("1:2.0:3-1"));
  EXPECT_TRUE(is_valid_version("3.0~rc1"));
  EXPECT_FALSE(is_valid_version("abc"));
  EXPECT_FALSE(is_valid_version("1.0-"));
  EXPECT_FALSE(is_valid_version("x:1.0"));
  EXPECT_FALSE(is_valid_version("2.0:3"));  // a colon needs an epoch
  EXPECT_FALSE(is_valid_version("1.0-a_b"));
}

}  // namespace
}  // namespace pare::spec
