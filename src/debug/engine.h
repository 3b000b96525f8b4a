// A container engine (podman or docker) driven through its command line: the only way pare
// talks to one, so `pare debug` works with whatever engine and configuration the user has
// (rootless podman, a remote docker context...). Every call goes through process::Runner.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/process.h"
#include "util/result.h"

namespace pare::debug {

enum class EngineKind { podman, docker };

struct EngineChoice {
  std::string program;  // what is run: "podman", "/usr/bin/docker", ...
  EngineKind kind = EngineKind::podman;
};

// `chosen` (--engine, else $PARE_ENGINE) names podman, docker or a path to either (the kind is
// told from the file name; anything else is taken as docker-compatible). Empty: podman, then
// docker, from PATH. Errc::not_found when none is there.
Result<EngineChoice> choose_engine(const std::string& chosen,
                                   const std::function<bool(const std::string&)>& on_path);

// What `ENGINE container inspect` says about a container (both engines print a JSON array
// of one object with these fields).
struct ContainerInfo {
  std::string id;
  std::string name;
  std::string status;  // "running", "exited", "created", ...
  bool running = false;
  std::string user;      // Config.User: "" is root
  std::string ipc_mode;  // HostConfig.IpcMode ("shareable", "private", ...)
};
// The engine's answer parsed (bounded by the runner; untrusted: fuzzed).
Result<ContainerInfo> parse_container_inspect(std::string_view json);

class Engine {
 public:
  Engine(EngineChoice choice, process::Runner& runner) : choice_(std::move(choice)), run_(runner) {}
  const EngineChoice& choice() const { return choice_; }
  const char* name() const { return choice_.kind == EngineKind::podman ? "podman" : "docker"; }

  // Errc::not_found when there is no such container; the engine's own words otherwise.
  Result<ContainerInfo> container(const std::string& name_or_id);
  Result<bool> has_image(const std::string& ref);
  // `ENGINE load -i FILE` of a docker-archive.
  Result<void> load(const std::filesystem::path& docker_archive);
  Result<void> remove_image(const std::string& ref);
  // Removes a container if it is still there (nothing when it is gone).
  void remove_container(const std::string& name);
  // `ENGINE run ARGS...` on pare's terminal; its exit code.
  Result<int> run_attached(const std::vector<std::string>& run_args);
  // `ENGINE run ARGS...` captured (stdout only; stderr goes into the error if it fails).
  Result<std::string> run_captured(const std::vector<std::string>& run_args);

 private:
  Result<process::Captured> call(std::vector<std::string> args);
  Error failure(const std::vector<std::string>& args, const process::Captured& c) const;

  EngineChoice choice_;
  process::Runner& run_;
};

}  // namespace pare::debug
