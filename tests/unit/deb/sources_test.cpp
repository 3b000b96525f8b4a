#include "deb/sources.h"

#include <gtest/gtest.h>

#include <map>

#include "test_helpers.h"

using namespace pare;
using namespace pare::deb;
using pare::testing::ScratchDir;
using pare::testing::write_bytes;

namespace {

using Strings = std::vector<std::string>;

TEST(OneLineSources, TypesOptionsAndComments) {
  const char* text =
      "# a comment line\n"
      "deb http://mirror.example/debian bookworm main contrib # trailing comment\n"
      "\n"
      "deb-src [ arch=amd64,arm64 signed-by=/usr/share/keyrings/k.gpg ] http://m.example/d "
      "bookworm-security main\n"
      "deb [trusted=yes] file:/srv/repo ./\n"
      "   # indented comment\n";
  auto r = parse_one_line_sources(text, "/etc/apt/sources.list");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 3u);
  const AptSource& a = (*r)[0];
  EXPECT_EQ(a.types, Strings{"deb"});
  EXPECT_EQ(a.uris, Strings{"http://mirror.example/debian"});
  EXPECT_EQ(a.suites, Strings{"bookworm"});
  EXPECT_EQ(a.components, (Strings{"main", "contrib"}));
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.origin, "/etc/apt/sources.list:2");
  const AptSource& b = (*r)[1];
  EXPECT_EQ(b.types, Strings{"deb-src"});
  EXPECT_EQ(b.signed_by, "/usr/share/keyrings/k.gpg");
  EXPECT_EQ(b.architectures, (Strings{"amd64", "arm64"}));
  EXPECT_EQ(b.suites, Strings{"bookworm-security"});
  EXPECT_EQ(b.origin, "/etc/apt/sources.list:4");
  EXPECT_EQ((*r)[2].suites, Strings{"./"});
  EXPECT_TRUE((*r)[2].components.empty());
}

TEST(OneLineSources, Errors) {
  for (const char* bad : {"rpm http://x/ y main\n", "deb [arch=amd64 http://x/ y main\n",
                          "deb http://x/\n", "deb [arch] http://x/ y main\n"}) {
    auto r = parse_one_line_sources(std::string("\n") + bad, "f.list");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code(), Errc::invalid);
    EXPECT_EQ(r.error().message().rfind("f.list:2: ", 0), 0u) << r.error().message();
  }
}

TEST(Deb822Sources, FieldsEnabledAndComments) {
  const char* text =
      "Types: deb deb-src\n"
      "# URIs: http://commented.example/\n"
      "URIs: http://mirror.example/debian/\n"
      "Suites: bookworm bookworm-updates\n"
      "Components: main\n"
      "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
      "\n"
      "Types: deb\n"
      "URIs: http://other.example/\n"
      "Suites: stable\n"
      "Components: main\n"
      "Architectures: amd64\n"
      "Enabled: no\n";
  auto r = parse_deb822_sources(text, "debian.sources");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  const AptSource& a = (*r)[0];
  EXPECT_EQ(a.types, (Strings{"deb", "deb-src"}));
  EXPECT_EQ(a.uris, Strings{"http://mirror.example/debian/"});
  EXPECT_EQ(a.suites, (Strings{"bookworm", "bookworm-updates"}));
  EXPECT_EQ(a.signed_by, "/usr/share/keyrings/debian-archive-keyring.gpg");
  EXPECT_TRUE(a.enabled);
  EXPECT_EQ(a.origin, "debian.sources:1");
  EXPECT_FALSE((*r)[1].enabled);
  EXPECT_EQ((*r)[1].architectures, Strings{"amd64"});
  EXPECT_EQ((*r)[1].origin, "debian.sources:8");
}

TEST(Deb822Sources, EmbeddedSignedByKeyBecomesArmoredText) {
  const char* text =
      "Types: deb\nURIs: http://x.example/\nSuites: s\nComponents: main\n"
      "Signed-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n mQINBF\n =abcd\n"
      " -----END PGP PUBLIC KEY BLOCK-----\n";
  auto r = parse_deb822_sources(text, "x.sources");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ((*r)[0].signed_by,
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF\n=abcd\n"
            "-----END PGP PUBLIC KEY BLOCK-----\n");
}

TEST(Deb822Sources, MissingFieldsAreErrorsUnlessDisabled) {
  auto r = parse_deb822_sources("\nTypes: deb\nURIs: http://x/\nComponents: main\n", "a.sources");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("a.sources:2"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("Suites"), std::string::npos);
  EXPECT_FALSE(parse_deb822_sources("Types: deb\nURIs: http://x/\nSuites: s\n", "a").ok());
  EXPECT_TRUE(parse_deb822_sources("Types: deb\nURIs: http://x/\nSuites: ./\n", "a").ok());
  EXPECT_FALSE(parse_deb822_sources("Types: foo\nURIs: u\nSuites: s\nComponents: c\n", "a").ok());
  EXPECT_FALSE(
      parse_deb822_sources("Types: deb\nURIs: u\nSuites: s\nComponents: c\nEnabled: maybe\n", "a")
          .ok());
  auto disabled = parse_deb822_sources("Types: deb\nEnabled: no\n", "a");
  ASSERT_TRUE(disabled.ok());
  EXPECT_FALSE((*disabled)[0].enabled);
}

// A fake host root with apt sources.
struct HostRoot {
  ScratchDir dir;
  void add(const std::string& rel, const std::string& text) { write_bytes(dir / rel, text); }
};

const char* kDebianSources =
    "Types: deb\n"
    "URIs: http://mirror.example/debian/\n"
    "Suites: bookworm bookworm-updates\n"
    "Components: main\n"
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    "\n"
    "Types: deb\n"
    "URIs: http://security.example/debian-security//\n"
    "Suites: bookworm-security\n"
    "Components: main\n"
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n";

TEST(HostSources, ReadsListAndSourcesFilesInOrderIgnoringOthers) {
  HostRoot host;
  host.add("etc/apt/sources.list", "deb http://list.example/debian bookworm main\n");
  host.add("etc/apt/sources.list.d/b.sources", kDebianSources);
  host.add("etc/apt/sources.list.d/a.list", "deb http://a.example/ x main\n");
  host.add("etc/apt/sources.list.d/c.list.disabled-by-farm", "deb http://c.example/ x main\n");
  host.add("etc/apt/sources.list.d/d.sources.save", "garbage");
  host.add("etc/apt/sources.list.d/bad~name.list", "garbage");
  auto r = read_host_sources(host.dir.path());
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].uris, Strings{"http://list.example/debian"});
  EXPECT_EQ((*r)[1].uris, Strings{"http://a.example/"});
  EXPECT_EQ((*r)[2].uris, Strings{"http://mirror.example/debian/"});
  EXPECT_EQ((*r)[3].origin, (host.dir / "etc/apt/sources.list.d/b.sources").string() + ":7");
}

TEST(HostSources, NoAptDirectoryIsEmptyAndBadFileIsAnError) {
  HostRoot host;
  auto empty = read_host_sources(host.dir.path());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  host.add("etc/apt/sources.list.d/x.sources", "Types: deb\nnonsense\n");
  auto bad = read_host_sources(host.dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("x.sources:2"), std::string::npos) << bad.error().message();
}

std::function<std::string(const char*)> env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) {
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  };
}

TEST(DiscoverMirrors, HostSourcesGiveMirrorAndSecurityMirror) {
  HostRoot host;
  host.add("etc/apt/sources.list.d/debian.sources", kDebianSources);
  auto m = discover_mirrors({}, env_of({}), host.dir.path());
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->mirror, "http://mirror.example/debian");
  EXPECT_EQ(m->security_mirror, "http://security.example/debian-security");
  std::string file = (host.dir / "etc/apt/sources.list.d/debian.sources").string();
  EXPECT_EQ(m->mirror_origin, file + ":1");
  EXPECT_EQ(m->security_origin, file + ":7");
  EXPECT_EQ(m->mirror_signed_by, "/usr/share/keyrings/debian-archive-keyring.gpg");
}

TEST(DiscoverMirrors, EnvBeatsHostAndSpecBeatsEnv) {
  HostRoot host;
  host.add("etc/apt/sources.list.d/debian.sources", kDebianSources);
  auto env = env_of({{"PARE_MIRROR", "http://env.example/debian/"},
                     {"PARE_SECURITY_MIRROR", "http://env-sec.example/"}});
  auto m = discover_mirrors({}, env, host.dir.path());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->mirror, "http://env.example/debian");
  EXPECT_EQ(m->mirror_origin, "PARE_MIRROR");
  EXPECT_EQ(m->security_mirror, "http://env-sec.example");
  EXPECT_EQ(m->security_origin, "PARE_SECURITY_MIRROR");

  auto s = discover_mirrors({"http://spec.example/d/", ""}, env, host.dir.path());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->mirror, "http://spec.example/d");
  EXPECT_EQ(s->mirror_origin, "spec");
  EXPECT_EQ(s->security_origin, "PARE_SECURITY_MIRROR");

  // With only the env mirror set, the security mirror still comes from the host.
  auto h = discover_mirrors({}, env_of({{"PARE_MIRROR", "http://env.example"}}), host.dir.path());
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->security_mirror, "http://security.example/debian-security");
}

TEST(DiscoverMirrors, SkipsDisabledSrcAndThirdPartySources) {
  HostRoot host;
  host.add("etc/apt/sources.list",
           "deb-src http://src.example/debian bookworm main\n"
           "deb [signed-by=/usr/share/keyrings/vendor.gpg] https://vendor.example/apt stable main\n"
           "deb cdrom:[Debian]/ bookworm main\n");
  host.add(
      "etc/apt/sources.list.d/off.sources",
      "Types: deb\nURIs: http://off.example/\nSuites: bookworm\nComponents: main\nEnabled: no\n");
  host.add("etc/apt/sources.list.d/z.list", "deb http://mirror.example/debian bookworm main\n");
  auto m = discover_mirrors({}, env_of({}), host.dir.path());
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->mirror, "http://mirror.example/debian");
  EXPECT_TRUE(m->security_mirror.empty());  // allowed; callers warn
  EXPECT_TRUE(m->security_origin.empty());
}

TEST(DiscoverMirrors, ThirdPartySourceIsUsedWhenItIsTheOnlyOne) {
  HostRoot host;
  host.add("etc/apt/sources.list",
           "deb [signed-by=/k.gpg] https://vendor.example/apt stable main\n");
  auto m = discover_mirrors({}, env_of({}), host.dir.path());
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->mirror, "https://vendor.example/apt");
}

TEST(DiscoverMirrors, NothingFoundTellsUserWhatToSet) {
  HostRoot host;
  host.add("etc/apt/sources.list", "# nothing\n");
  auto m = discover_mirrors({}, env_of({}), host.dir.path());
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), Errc::not_found);
  EXPECT_NE(m.error().message().find("PARE_MIRROR"), std::string::npos);
  EXPECT_NE(m.error().message().find("source.mirror"), std::string::npos);
}

TEST(DiscoverMirrors, HostIsNotReadWhenSpecGivesBoth) {
  HostRoot host;
  host.add("etc/apt/sources.list", "this is not a sources.list\n");
  auto m =
      discover_mirrors({"http://a.example/", "http://b.example/"}, env_of({}), host.dir.path());
  ASSERT_TRUE(m.ok()) << m.error().message();
  EXPECT_EQ(m->security_mirror, "http://b.example");
  auto bad = discover_mirrors({}, env_of({}), host.dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), Errc::invalid);
}

}  // namespace
