// Running docker-credential-* helpers (docker-credential-helpers' protocol: the action as
// the only argument, the server on stdin, JSON or an error text on stdout).
#include <cstdlib>

#include "registry/credentials.h"
#include "util/process.h"

namespace pare::registry {

namespace {

constexpr size_t kMaxHelperOutput = 64 << 10;

bool valid_helper_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

Result<std::string> run_helper(const std::string& helper, const std::string& action,
                               const std::string& input) {
  // The name comes from a config file: it must not become a path or an option.
  if (!valid_helper_name(helper))
    return Error(Errc::invalid, "credential helper name '" + helper + "' is not a plain name");
  std::string program = "docker-credential-" + helper;
  PARE_TRY(process::Captured c,
           process::system_runner(kMaxHelperOutput)->capture({program, action}, input));
  const std::string& answer = c.out;
  if (c.exit_code == 0) return answer;
  if (answer.find("credentials not found") != std::string::npos)
    return Error(Errc::not_found, "no credentials");
  // The helper's text is not shown: a broken helper might echo what it was given.
  return Error(Errc::invalid, program + " " + action + " failed");
}

}  // namespace

CredentialEnv system_credential_env() {
  CredentialEnv env;
  env.getenv = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v ? v : "");
  };
  env.run_helper = run_helper;
  return env;
}

}  // namespace pare::registry
