#include "debug/engine.h"

#include <nlohmann/json.hpp>

namespace pare::debug {

namespace {

constexpr size_t kMaxInspectBytes = 4 << 20;

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The first line of what an engine printed to stderr, without its "Error: " prefix.
std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  for (const char* prefix : {"Error: ", "Error response from daemon: "})
    if (line.rfind(prefix, 0) == 0) line.erase(0, std::strlen(prefix));
  return line.size() > 400 ? line.substr(0, 400) + "..." : line;
}

bool mentions(const std::string& text, std::initializer_list<const char*> needles) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* n : needles)
    if (lower.find(n) != std::string::npos) return true;
  return false;
}

std::string string_at(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<EngineChoice> choose_engine(const std::string& chosen,
                                   const std::function<bool(const std::string&)>& on_path) {
  if (!chosen.empty()) {
    if (!on_path(chosen))
      return Error(Errc::not_found, "container engine '" + chosen + "' is not on PATH");
    std::string base = base_name(chosen);
    return EngineChoice{
        chosen, base.find("podman") != std::string::npos ? EngineKind::podman : EngineKind::docker};
  }
  if (on_path("podman")) return EngineChoice{"podman", EngineKind::podman};
  if (on_path("docker")) return EngineChoice{"docker", EngineKind::docker};
  return Error(Errc::not_found,
               "no container engine: neither podman nor docker is on PATH (--engine or "
               "PARE_ENGINE names one)");
}

Result<ContainerInfo> parse_container_inspect(std::string_view text) {
  if (text.size() > kMaxInspectBytes)
    return Error(Errc::invalid, "the engine's inspect output is over 4 MiB");
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded()) return Error(Errc::invalid, "the engine's inspect output is not JSON");
  if (doc.is_array()) {
    if (doc.empty()) return Error(Errc::not_found, "no such container");
    doc = doc[0];
  }
  if (!doc.is_object()) return Error(Errc::invalid, "the engine's inspect output is not an object");
  ContainerInfo c;
  c.id = string_at(doc, "Id");
  c.name = string_at(doc, "Name");
  if (!c.name.empty() && c.name[0] == '/') c.name.erase(0, 1);  // docker's "/name"
  if (auto s = doc.find("State"); s != doc.end() && s->is_object()) {
    c.status = string_at(*s, "Status");
    if (auto r = s->find("Running"); r != s->end() && r->is_boolean()) c.running = r->get<bool>();
  }
  if (auto cfg = doc.find("Config"); cfg != doc.end() && cfg->is_object())
    c.user = string_at(*cfg, "User");
  if (auto h = doc.find("HostConfig"); h != doc.end() && h->is_object())
    c.ipc_mode = string_at(*h, "IpcMode");
  if (c.id.empty() || c.id.size() > 128 ||
      c.id.find_first_not_of("0123456789abcdef") != std::string::npos)
    return Error(Errc::invalid, "the engine's inspect output has no container Id");
  return c;
}

Result<process::Captured> Engine::call(std::vector<std::string> args) {
  args.insert(args.begin(), choice_.program);
  auto c = run_.capture(args);
  if (!c && c.error().code() == Errc::not_found)
    return Error(Errc::not_found, "container engine '" + choice_.program + "' is not on PATH");
  return c;
}

Error Engine::failure(const std::vector<std::string>& args, const process::Captured& c) const {
  std::string what = std::string(name()) + " " + args.at(0);
  std::string said = first_line(c.err.empty() ? c.out : c.err);
  if (mentions(c.err, {"cannot connect to the docker daemon", "is the docker daemon running",
                       "connection refused"}))
    return Error(Errc::unsupported, "cannot reach " + std::string(name()) + ": " + said);
  if (mentions(c.err, {"permission denied", "operation not permitted"}))
    return Error(Errc::unsupported,
                 what + ": not permitted (" + said +
                     "); pare debug needs the rights the engine needs to start a container "
                     "in another's namespaces (root, the docker group, or the container's "
                     "own rootless podman)");
  return Error(Errc::io, what + " failed (exit " + std::to_string(c.exit_code) + "): " + said);
}

Result<ContainerInfo> Engine::container(const std::string& name_or_id) {
  std::vector<std::string> args{"container", "inspect", "--", name_or_id};
  PARE_TRY(auto c, call(args));
  if (c.exit_code != 0) {
    if (mentions(c.err, {"no such container", "no such object"}))
      return Error(Errc::not_found, "no container '" + name_or_id + "' in " + name() + " (`" +
                                        name() + " ps` lists the running ones)");
    return failure(args, c);
  }
  auto info = parse_container_inspect(c.out);
  if (!info && info.error().code() == Errc::not_found)
    return Error(Errc::not_found, "no container '" + name_or_id + "' in " + name());
  return info;
}

Result<bool> Engine::has_image(const std::string& ref) {
  std::vector<std::string> args{"image", "inspect", "--format", "{{.Id}}", "--", ref};
  PARE_TRY(auto c, call(args));
  if (c.exit_code == 0) return true;
  if (mentions(c.err, {"no such image", "image not known", "failed to find image"})) return false;
  return failure(args, c);
}

Result<void> Engine::load(const std::filesystem::path& docker_archive) {
  std::vector<std::string> args{"load", "-q", "-i", docker_archive.string()};
  PARE_TRY(auto c, call(args));
  if (c.exit_code != 0) return failure(args, c);
  return {};
}

Result<void> Engine::remove_image(const std::string& ref) {
  std::vector<std::string> args{"image", "rm", "--", ref};
  PARE_TRY(auto c, call(args));
  if (c.exit_code != 0) return failure(args, c);
  return {};
}

void Engine::remove_container(const std::string& name) {
  (void)call({"rm", "-f", "--", name});
}

Result<int> Engine::run_attached(const std::vector<std::string>& run_args) {
  std::vector<std::string> argv{choice_.program, "run"};
  argv.insert(argv.end(), run_args.begin(), run_args.end());
  return run_.attached(argv);
}

Result<std::string> Engine::run_captured(const std::vector<std::string>& run_args) {
  std::vector<std::string> args{"run"};
  args.insert(args.end(), run_args.begin(), run_args.end());
  PARE_TRY(auto c, call(args));
  if (c.exit_code != 0) return failure(args, c);
  return c.out;
}

}  // namespace pare::debug
