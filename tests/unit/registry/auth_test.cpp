// registry/auth.h and registry/credentials.h: challenges, token answers, and where
// credentials are found (environment, podman's and docker's files, helpers), in order.
#include <gtest/gtest.h>

#include "registry/auth.h"
#include "registry/credentials.h"
#include "registry_test_util.h"

namespace pare::registry {
namespace {

TEST(Challenge, BearerWithQuotedParamsAndSeveralSchemes) {
  auto c = parse_www_authenticate(
      R"(Bearer realm="https://auth.example/token",service="reg.example",scope="repository:a/b:pull,push", Basic realm="x")");
  ASSERT_TRUE(c.ok()) << c.error().message();
  ASSERT_EQ(c->size(), 2u);
  EXPECT_EQ((*c)[0].scheme, "bearer");
  EXPECT_EQ((*c)[0].params.at("realm"), "https://auth.example/token");
  EXPECT_EQ((*c)[0].params.at("scope"), "repository:a/b:pull,push");
  EXPECT_EQ((*c)[1].scheme, "basic");
  EXPECT_EQ((*c)[1].params.at("realm"), "x");
}

TEST(Challenge, TokensEscapesAndErrors) {
  auto c = parse_www_authenticate(R"(Basic realm=plain, charset="UTF\"8")");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ((*c)[0].params.at("realm"), "plain");
  EXPECT_EQ((*c)[0].params.at("charset"), "UTF\"8");
  EXPECT_FALSE(parse_www_authenticate(R"(Bearer realm="unterminated)").ok());
  EXPECT_FALSE(parse_www_authenticate("\"quoted-scheme\"").ok());
  EXPECT_FALSE(parse_www_authenticate(std::string(5000, 'a')).ok());
  EXPECT_TRUE(parse_www_authenticate("")->empty());
}

TEST(Token, TokenOrAccessTokenAndExpiry) {
  EXPECT_EQ(parse_token_response(R"({"token":"t1","expires_in":600})")->token, "t1");
  EXPECT_EQ(parse_token_response(R"({"token":"t1","expires_in":600})")->expires_in, 600);
  EXPECT_EQ(parse_token_response(R"({"access_token":"t2"})")->token, "t2");
  EXPECT_EQ(parse_token_response(R"({"access_token":"t2"})")->expires_in, 60);
  EXPECT_FALSE(parse_token_response(R"({"token":""})").ok());
  EXPECT_FALSE(parse_token_response("[1]").ok());
  EXPECT_FALSE(parse_token_response("not json").ok());
}

TEST(Base64, RoundTrip) {
  for (std::string s :
       std::vector<std::string>{"", "f", "fo", "foo", "user:pa:ss", std::string("\0\xff", 2)})
    EXPECT_EQ(*base64_decode(base64_encode(s)), s);
  EXPECT_EQ(url_encode("sha256:ab/c d"), "sha256%3Aab%2Fc%20d");
}

// An environment of variables and a fake helper.
struct FakeEnv {
  std::map<std::string, std::string> vars;
  std::map<std::string, std::string> helper_answers;  // "helper host" -> stdout
  std::vector<std::string> helper_calls;
  CredentialEnv env() {
    CredentialEnv e;
    e.getenv = [this](const char* n) {
      auto it = vars.find(n);
      return it == vars.end() ? std::string() : it->second;
    };
    e.run_helper = [this](const std::string& helper, const std::string& action,
                          const std::string& input) -> Result<std::string> {
      helper_calls.push_back(helper + " " + action + " " + input);
      auto it = helper_answers.find(helper + " " + input);
      if (it == helper_answers.end()) return Error(Errc::not_found, "no credentials");
      return it->second;
    };
    return e;
  }
};

TEST(Credentials, OrderEnvThenPodmanThenDocker) {
  testing::TempLayout home;
  FakeEnv f;
  f.vars["HOME"] = home.dir().string();
  f.vars["XDG_RUNTIME_DIR"] = (home.dir() / "run").string();
  std::string docker = R"({"auths":{"https://reg.example/v1/":{"auth":")" +
                       base64_encode("docker-user:docker-pass") + R"("}}})";
  ASSERT_TRUE(fs::ensure_dir(home.dir() / ".docker").ok());
  ASSERT_TRUE(fs::write_file_atomic(home.dir() / ".docker/config.json", docker).ok());
  auto c = find_credential("reg.example", f.env());
  ASSERT_TRUE(c.ok() && c.value());
  EXPECT_EQ(c.value()->username, "docker-user");
  EXPECT_EQ(c.value()->source, "~/.docker/config.json");

  std::string podman = R"({"auths":{"reg.example":{"auth":")" + base64_encode("pod:pw") + R"("}}})";
  ASSERT_TRUE(fs::ensure_dir(home.dir() / "run/containers").ok());
  ASSERT_TRUE(fs::write_file_atomic(home.dir() / "run/containers/auth.json", podman).ok());
  EXPECT_EQ(find_credential("reg.example", f.env()).value()->username, "pod");

  f.vars["PARE_REGISTRY_USERNAME"] = "ci";
  f.vars["PARE_REGISTRY_PASSWORD"] = "ci-pass";
  // Without PARE_REGISTRY_HOST the CI password goes to no registry.
  EXPECT_EQ(find_credential("reg.example", f.env()).value()->username, "pod");
  f.vars["PARE_REGISTRY_HOST"] = "other.example";
  EXPECT_EQ(find_credential("reg.example", f.env()).value()->username, "pod");
  f.vars["PARE_REGISTRY_HOST"] = "other.example,reg.example";
  EXPECT_EQ(find_credential("reg.example", f.env()).value()->username, "ci");
  EXPECT_FALSE(find_credential("evil.example", f.env()).value());
  EXPECT_FALSE(find_credential("nobody.example", f.env()).value().has_value());
}

TEST(Credentials, HelpersPerHostAndStore) {
  FakeEnv f;
  std::string helper_json = R"({"ServerURL":"reg.example","Username":"h","Secret":"s"})";
  f.helper_answers["pass reg.example"] = helper_json;
  std::string helper;
  auto c = credential_from_config(
      R"({"credHelpers":{"reg.example":"pass"},"credsStore":"desktop"})", "reg.example", &helper);
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c.value());
  EXPECT_EQ(helper, "pass");
  helper.clear();
  ASSERT_TRUE(credential_from_config(R"({"credsStore":"desktop"})", "x.example", &helper).ok());
  EXPECT_EQ(helper, "desktop");

  testing::TempLayout home;
  f.vars["DOCKER_CONFIG"] = home.dir().string();
  ASSERT_TRUE(
      fs::write_file_atomic(home.dir() / "config.json", R"({"credHelpers":{"reg.example":"pass"}})")
          .ok());
  auto found = find_credential("reg.example", f.env());
  ASSERT_TRUE(found.ok() && found.value()) << (found.ok() ? "none" : found.error().message());
  EXPECT_EQ(found.value()->secret, "s");
  EXPECT_NE(found.value()->source.find("docker-credential-pass"), std::string::npos);
  EXPECT_EQ(f.helper_calls.back(), "pass get reg.example");
}

TEST(Credentials, MalformedFilesAreErrorsNamingTheFile) {
  std::string helper;
  EXPECT_FALSE(credential_from_config("[", "h", &helper).ok());
  auto bad = credential_from_config(R"({"auths":{"h":{"auth":"!!!"}}})", "h", &helper);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("base64"), std::string::npos);
  auto no_colon = credential_from_config(
      R"({"auths":{"h":{"auth":")" + base64_encode("nocolon") + R"("}}})", "h", &helper);
  ASSERT_FALSE(no_colon.ok());
  EXPECT_EQ(no_colon.error().message().find("nocolon"), std::string::npos);  // not echoed
}

TEST(Credentials, LoginWritesPrivateFileAndLogoutRemoves) {
  testing::TempLayout home;
  FakeEnv f;
  f.vars["HOME"] = home.dir().string();
  ASSERT_TRUE(fs::ensure_dir(home.dir() / ".docker").ok());
  ASSERT_TRUE(fs::write_file_atomic(home.dir() / ".docker/config.json",
                                    R"({"auths":{"keep.example":{"auth":"eDp5"}},"other":1})")
                  .ok());
  auto path = store_login("reg.example", "me", "pw", f.env());
  ASSERT_TRUE(path.ok()) << path.error().message();
  EXPECT_EQ(*path, home.dir() / ".docker/config.json");
  auto perms = std::filesystem::status(*path).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::group_read, std::filesystem::perms::none);
  EXPECT_EQ(find_credential("reg.example", f.env()).value()->secret, "pw");
  EXPECT_EQ(find_credential("keep.example", f.env()).value()->username, "x");
  EXPECT_TRUE(*remove_login("reg.example", f.env()));
  EXPECT_FALSE(find_credential("reg.example", f.env()).value());
  EXPECT_FALSE(*remove_login("reg.example", f.env()));
  EXPECT_NE(fs::read_file(*path)->find("\"other\""), std::string::npos);
}

}  // namespace
}  // namespace pare::registry
