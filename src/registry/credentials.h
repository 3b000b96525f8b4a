// Where registry credentials come from, in this order (the first that has the registry wins):
//   1. the environment, for CI: PARE_REGISTRY_USERNAME and PARE_REGISTRY_PASSWORD, for the
//      registries PARE_REGISTRY_HOST names (comma-separated; never for any other host);
//   2. podman's auth file: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json;
//   3. docker's: $DOCKER_CONFIG/config.json, else ~/.docker/config.json.
// In each file: credHelpers[host], then auths[host].auth (base64 "user:password"), then
// credsStore; a helper is the program docker-credential-NAME, spoken to over its
// stdin/stdout protocol ("get", server on stdin, {"Username","Secret"} JSON on stdout).
// `pare login` writes auths[host] of the file podman would read when REGISTRY_AUTH_FILE is
// set, else docker's. Credentials are returned to the registry client and go nowhere else:
// errors name where credentials were looked for, never what they are.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace pare::registry {

struct Credential {
  std::string username;
  std::string secret;
  std::string source;  // where it was found, for messages ("~/.docker/config.json")
};

struct CredentialEnv {
  std::function<std::string(const char*)> getenv;
  // Runs `docker-credential-<helper> <action>` with `input` on its stdin; its stdout.
  std::function<Result<std::string>(const std::string& helper, const std::string& action,
                                    const std::string& input)>
      run_helper;
};
// The process environment and real helper programs.
CredentialEnv system_credential_env();

// The places searched for `host`'s credentials, in order (for error messages).
std::vector<std::string> credential_places(const CredentialEnv& env);

Result<std::optional<Credential>> find_credential(const std::string& host,
                                                  const CredentialEnv& env);

// Parses a docker config.json / podman auth.json document and looks `host` up in it (fuzzed).
// `helper_out` is set when the file delegates the host to a helper.
Result<std::optional<Credential>> credential_from_config(std::string_view json_text,
                                                         const std::string& host,
                                                         std::string* helper_out);

// Writes (login) or removes (logout) auths[host] in the file login uses; returns its path.
Result<std::filesystem::path> store_login(const std::string& host, const std::string& username,
                                          const std::string& password, const CredentialEnv& env);
// Removes the host from every auth file pare reads; whether any held it.
Result<bool> remove_login(const std::string& host, const CredentialEnv& env);

}  // namespace pare::registry
