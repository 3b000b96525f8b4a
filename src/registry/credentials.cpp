#include "registry/credentials.h"

#include <nlohmann/json.hpp>

#include "registry/auth.h"
#include "util/fs.h"

namespace pare::registry {

namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

constexpr uint64_t kMaxAuthFile = 1 << 20;
constexpr size_t kMaxHelperAnswer = 64 << 10;

struct AuthFile {
  stdfs::path path;
  std::string shown;  // for messages
};

std::vector<AuthFile> auth_files(const CredentialEnv& env) {
  std::vector<AuthFile> out;
  if (std::string f = env.getenv("REGISTRY_AUTH_FILE"); !f.empty())
    out.push_back({f, "$REGISTRY_AUTH_FILE (" + f + ")"});
  else if (std::string x = env.getenv("XDG_RUNTIME_DIR"); !x.empty())
    out.push_back({stdfs::path(x) / "containers/auth.json", x + "/containers/auth.json"});
  if (std::string d = env.getenv("DOCKER_CONFIG"); !d.empty())
    out.push_back({stdfs::path(d) / "config.json", "$DOCKER_CONFIG/config.json (" + d + ")"});
  else if (std::string h = env.getenv("HOME"); !h.empty())
    out.push_back({stdfs::path(h) / ".docker/config.json", "~/.docker/config.json"});
  return out;
}

// The auths key names a host, with or without a scheme and a path ("https://host/v1/").
std::string key_host(std::string_view key) {
  if (auto p = key.find("://"); p != std::string_view::npos) key.remove_prefix(p + 3);
  if (auto p = key.find('/'); p != std::string_view::npos) key = key.substr(0, p);
  return std::string(key);
}

Result<std::optional<Credential>> from_helper(const std::string& helper, const std::string& host,
                                              const CredentialEnv& env, const std::string& shown) {
  if (!env.run_helper) return std::optional<Credential>();
  auto out = env.run_helper(helper, "get", host);
  if (!out.ok()) {
    // "credentials not found" is how helpers say they have nothing for this host.
    if (out.error().code() == Errc::not_found) return std::optional<Credential>();
    return out.error().context("credential helper docker-credential-" + helper);
  }
  if (out.value().size() > kMaxHelperAnswer)
    return Error(Errc::invalid, "docker-credential-" + helper + " answered more than 64 KiB");
  json j = json::parse(out.value(), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("Secret") || !j["Secret"].is_string())
    return Error(Errc::invalid, "docker-credential-" + helper +
                                    " did not answer with JSON "
                                    "holding a Secret");
  Credential c;
  if (j.contains("Username") && j["Username"].is_string()) c.username = j["Username"];
  c.secret = j["Secret"];
  c.source = "docker-credential-" + helper + " (named by " + shown + ")";
  return std::optional<Credential>(std::move(c));
}

Result<json> read_auth_json(const stdfs::path& path) {
  if (!fs::exists(path)) return json::object();
  PARE_TRY(std::string text, fs::read_file(path, kMaxAuthFile));
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return Error(Errc::invalid, path.string() + " is not a JSON object");
  return j;
}

}  // namespace

Result<std::optional<Credential>> credential_from_config(std::string_view text,
                                                         const std::string& host,
                                                         std::string* helper_out) {
  if (text.size() > kMaxAuthFile) return Error(Errc::invalid, "larger than 1 MiB");
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Error(Errc::invalid, "not a JSON object");
  if (auto h = j.find("credHelpers"); h != j.end() && h->is_object())
    for (const auto& [k, v] : h->items())
      if (key_host(k) == host && v.is_string()) {
        *helper_out = v.get<std::string>();
        return std::optional<Credential>();
      }
  if (auto a = j.find("auths"); a != j.end() && a->is_object())
    for (const auto& [k, v] : a->items()) {
      if (key_host(k) != host || !v.is_object()) continue;
      auto auth = v.find("auth");
      if (auth == v.end() || !auth->is_string() || auth->get<std::string>().empty()) continue;
      auto decoded = base64_decode(auth->get<std::string>());
      if (!decoded.ok()) return Error(Errc::invalid, "auths[\"" + k + "\"].auth is not base64");
      auto colon = decoded.value().find(':');
      if (colon == std::string::npos)
        return Error(Errc::invalid, "auths[\"" + k + "\"].auth is not \"user:password\"");
      return std::optional<Credential>(
          Credential{decoded.value().substr(0, colon), decoded.value().substr(colon + 1), ""});
    }
  if (auto s = j.find("credsStore");
      s != j.end() && s->is_string() && !s->get<std::string>().empty())
    *helper_out = s->get<std::string>();
  return std::optional<Credential>();
}

std::vector<std::string> credential_places(const CredentialEnv& env) {
  std::vector<std::string> out{
      "$PARE_REGISTRY_USERNAME/$PARE_REGISTRY_PASSWORD (for the hosts $PARE_REGISTRY_HOST names)"};
  for (const auto& f : auth_files(env)) out.push_back(f.shown);
  return out;
}

Result<std::optional<Credential>> find_credential(const std::string& host,
                                                  const CredentialEnv& env) {
  std::string user = env.getenv("PARE_REGISTRY_USERNAME");
  std::string pass = env.getenv("PARE_REGISTRY_PASSWORD");
  // Only for the registries PARE_REGISTRY_HOST names (comma-separated): a CI password must
  // not go to whatever registry a `from:` line or a token realm points at.
  std::string hosts = env.getenv("PARE_REGISTRY_HOST");
  bool named = false;
  for (size_t start = 0; start <= hosts.size();) {
    size_t comma = hosts.find(',', start);
    if (hosts.substr(start, comma - start) == host) named = true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (!pass.empty() && named)
    return std::optional<Credential>(
        Credential{user, pass, "$PARE_REGISTRY_USERNAME/$PARE_REGISTRY_PASSWORD"});
  for (const auto& file : auth_files(env)) {
    if (!fs::exists(file.path)) continue;
    PARE_TRY(std::string text, fs::read_file(file.path, kMaxAuthFile));
    std::string helper;
    auto found = credential_from_config(text, host, &helper);
    if (!found.ok()) return found.error().context(file.shown);
    if (found.value()) {
      found.value()->source = file.shown;
      return found;
    }
    if (!helper.empty()) {
      PARE_TRY(auto c, from_helper(helper, host, env, file.shown));
      if (c) return c;
    }
  }
  return std::optional<Credential>();
}

Result<stdfs::path> store_login(const std::string& host, const std::string& username,
                                const std::string& password, const CredentialEnv& env) {
  auto files = auth_files(env);
  if (files.empty())
    return Error(Errc::invalid,
                 "no place to store credentials: set HOME, DOCKER_CONFIG or "
                 "REGISTRY_AUTH_FILE");
  // The file login writes: podman's when REGISTRY_AUTH_FILE says so, else docker's.
  const AuthFile& target = env.getenv("REGISTRY_AUTH_FILE").empty() ? files.back() : files.front();
  PARE_TRY(json j, read_auth_json(target.path));
  if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = json::object();
  for (auto it = j["auths"].begin(); it != j["auths"].end();)
    it = key_host(it.key()) == host ? j["auths"].erase(it) : std::next(it);
  j["auths"][host] = {{"auth", base64_encode(username + ":" + password)}};
  PARE_CHECK(fs::ensure_dir(target.path.parent_path()));
  PARE_CHECK(fs::write_file_atomic(target.path, j.dump(1, '\t') + "\n", 0600));
  return target.path;
}

Result<bool> remove_login(const std::string& host, const CredentialEnv& env) {
  bool removed = false;
  for (const auto& file : auth_files(env)) {
    if (!fs::exists(file.path)) continue;
    PARE_TRY(json j, read_auth_json(file.path));
    if (!j.contains("auths") || !j["auths"].is_object()) continue;
    bool here = false;
    for (auto it = j["auths"].begin(); it != j["auths"].end();) {
      if (key_host(it.key()) == host) {
        it = j["auths"].erase(it);
        here = true;
      } else {
        ++it;
      }
    }
    if (!here) continue;
    PARE_CHECK(fs::write_file_atomic(file.path, j.dump(1, '\t') + "\n", 0600));
    removed = true;
  }
  return removed;
}

}  // namespace pare::registry
