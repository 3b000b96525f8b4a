// login, logout (credentials.h says where they are stored), attach and referrers (artifacts
// that refer to an image: registry/referrers.h).
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/registry_commands.h"
#include "registry/credentials.h"
#include "registry/image_io.h"
#include "registry/referrers.h"

namespace pare::cli {

namespace {

using nlohmann::json;

// "REGISTRY" as login takes it: a host[:port], or a URL whose host is taken.
std::string login_host(std::string text) {
  if (auto p = text.find("://"); p != std::string::npos) text = text.substr(p + 3);
  if (auto s = text.find('/'); s != std::string::npos) text.resize(s);
  if (text.empty()) throw Error(Errc::invalid, "login needs a registry HOST[:PORT]");
  return text;
}

std::string read_password_stdin() {
  std::string password;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, stdin)) > 0;) {
    password.append(buf, n);
    if (password.size() > 64 * 1024)
      throw Error(Errc::invalid, "password on stdin longer than 64 KiB");
  }
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
    password.pop_back();
  if (password.empty()) throw Error(Errc::invalid, "--password-stdin: nothing on stdin");
  return password;
}

// The image an artifact refers to: its repository and its manifest's descriptor.
struct Subject {
  registry::Reference ref;
  std::unique_ptr<registry::Repository> repo;
  oci::Descriptor descriptor;
};
Subject find_subject(Session& session, const RegistryOptions& ro, const std::string& text) {
  auto parsed = registry::parse_image_ref(text, short_names_from_env()).value();
  if (!parsed.remote)
    throw Error(Errc::invalid, "'" + text + "' is not a registry reference (docker://REF)");
  Subject s{*parsed.remote, nullptr, {}};
  s.repo = std::make_unique<registry::Repository>(session.registries(ro).get(s.ref.registry),
                                                  s.ref.repository);
  s.descriptor = s.repo->get_manifest(s.ref.manifest_ref()).value().first;
  return s;
}

}  // namespace

std::function<int()> setup_login(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto host = std::make_shared<std::string>();
  auto user = std::make_shared<std::string>();
  auto from_stdin = std::make_shared<bool>(false);
  cmd->add_option("registry", *host, "HOST[:PORT]")->required();
  cmd->add_option("-u,--username", *user, "user name")->required();
  cmd->add_flag("--password-stdin", *from_stdin, "read the password from stdin")->required();
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  cmd->footer(
      "Checks the credentials against the registry, then stores them in "
      "$REGISTRY_AUTH_FILE when set, else $DOCKER_CONFIG/config.json or "
      "~/.docker/config.json (mode 0600).");
  return [=] {
    Session session(*o);
    // (The flag must be named here: the runner then holds the variable CLI11 writes to.)
    if (!*from_stdin) throw Error(Errc::invalid, "login reads the password from stdin only");
    std::string h = login_host(*host);
    std::string password = read_password_stdin();
    // Check first, against a registry client that sees only these credentials.
    auto env = registry::system_credential_env();
    std::string u = *user;
    env.getenv = [u, password, h](const char* name) -> std::string {
      std::string n = name;
      if (n == "PARE_REGISTRY_USERNAME") return u;
      if (n == "PARE_REGISTRY_PASSWORD") return password;
      if (n == "PARE_REGISTRY_HOST") return h;
      return "";
    };
    auto transport = http::make_curl_transport();
    registry::ClientOptions options;
    options.insecure_registries = ro->insecure;
    options.ca_file = ro->ca_file;
    registry::Registry check(h, *transport, env, options);
    // A token for an empty scope set proves the password where the registry uses tokens;
    // /v2/ itself answers 401 to wrong Basic credentials.
    auto r =
        check
            .send(registry::Call{
                "GET", "/v2/", {}, "", std::nullopt, nullptr, 64 << 10, {}, true, false, nullptr})
            .value();
    if (r.status == 401) throw Error(Errc::invalid, h + " refused the username or password");
    if (r.status != 200) throw check.status_error(r, "login to " + h);
    if (!check.asks_for_credentials())
      std::fprintf(stderr, "warning: %s asks for no credentials; they are stored anyway\n",
                   h.c_str());
    auto path =
        registry::store_login(h, *user, password, registry::system_credential_env()).value();
    if (o->json)
      std::printf("%s\n", json{{"registry", h}, {"stored_in", path.string()}}
                              .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                              .c_str());
    else if (!o->quiet)
      std::printf("logged in to %s (credentials in %s)\n", h.c_str(), path.c_str());
    return 0;
  };
}

std::function<int()> setup_logout(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto host = std::make_shared<std::string>();
  cmd->add_option("registry", *host, "HOST[:PORT]")->required();
  add_output_options(cmd, *o);
  return [=] {
    Session session(*o);
    std::string h = login_host(*host);
    bool removed = registry::remove_login(h, registry::system_credential_env()).value();
    if (o->json)
      std::printf("%s\n", json{{"registry", h}, {"removed", removed}}
                              .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                              .c_str());
    else if (!o->quiet)
      std::printf(removed ? "removed the credentials for %s\n" : "no stored credentials for %s\n",
                  h.c_str());
    return 0;
  };
}

std::function<int()> setup_attach(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto image = std::make_shared<std::string>();
  auto type = std::make_shared<std::string>();
  auto media = std::make_shared<std::string>();
  auto files = std::make_shared<std::vector<std::string>>();
  cmd->add_option("image", *image, "docker://REF of the image the artifact refers to")->required();
  cmd->add_option("files", *files, "the artifact's files (its layers)")->required();
  cmd->add_option("--artifact-type", *type, "what the artifact is (application/spdx+json, ...)")
      ->required();
  cmd->add_option("--media-type", *media, "media type of the files (default: the artifact type)");
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  return [=] {
    Session session(*o);
    Subject s = find_subject(session, *ro, *image);
    const oci::Descriptor& subject = s.descriptor;
    std::vector<registry::ArtifactFile> list;
    for (const auto& f : *files) list.push_back({f, media->empty() ? *type : *media});
    auto d = registry::push_artifact(*s.repo, subject, *type, list, {}).value();
    std::string at = s.ref.registry + "/" + s.ref.repository + "@" + d.digest;
    if (o->json)
      std::printf("%s\n", json{{"artifact", at},
                               {"digest", d.digest},
                               {"subject", subject.digest},
                               {"artifact_type", *type}}
                              .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                              .c_str());
    else if (!o->quiet)
      std::printf("%s  (refers to %s)\n", at.c_str(), subject.digest.c_str());
    return 0;
  };
}

std::function<int()> setup_referrers(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto image = std::make_shared<std::string>();
  auto type = std::make_shared<std::string>();
  cmd->add_option("image", *image, "docker://REF")->required();
  cmd->add_option("--artifact-type", *type, "only artifacts of this type");
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  return [=] {
    Session session(*o);
    Subject s = find_subject(session, *ro, *image);
    const oci::Descriptor& subject = s.descriptor;
    auto list = registry::list_referrers(*s.repo, subject.digest, *type).value();
    if (o->json) {
      json j = json::array();
      for (const auto& d : list)
        j.push_back({{"digest", d.digest},
                     {"artifact_type", d.artifact_type},
                     {"media_type", d.media_type},
                     {"size", d.size},
                     {"annotations", d.annotations}});
      std::printf("%s\n", json{{"subject", subject.digest}, {"referrers", j}}
                              .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                              .c_str());
    } else {
      for (const auto& d : list) std::printf("%s  %s\n", d.digest.c_str(), d.artifact_type.c_str());
    }
    return 0;
  };
}

}  // namespace pare::cli
