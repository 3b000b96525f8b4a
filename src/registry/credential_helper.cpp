// Running docker-credential-* helpers (docker-credential-helpers' protocol: the action as
// the only argument, the server on stdin, JSON or an error text on stdout).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "registry/credentials.h"

extern char** environ;

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
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return Error(Errc::io, "pipe");
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return Error(Errc::io, "pipe");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  char* argv[] = {program.data(), const_cast<char*>(action.c_str()), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    return Error(Errc::not_found, program + " is not on PATH");
  }
  (void)!::write(in[1], input.data(), input.size());
  ::close(in[1]);
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = ::read(out[0], buf, sizeof buf)) > 0;) {
    if (answer.size() + static_cast<size_t>(n) > kMaxHelperOutput) break;
    answer.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return answer;
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
