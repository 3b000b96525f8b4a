#include "init/spec_writer.h"

#include <nlohmann/json.hpp>

namespace pare::init {

namespace {

std::string q(const std::string& s) {
  return nlohmann::json(s).dump();
}

std::string list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + q(items[i]);
  return out + "]";
}

}  // namespace

std::string SpecWriter::render() const {
  std::string y;
  if (!header.empty()) y += "# " + header + "\n";
  y += "# Build: pare build pare.yaml   (docs/spec.md lists every key)\n";
  if (family == "scratch" || family.empty())
    y += "from: scratch\n";
  else
    y += "from: " + q(families + "/" + family + ".yaml") + "\n";
  if (!name.empty()) y += "name: " + q(name) + "\n";
  y += "source: {suite: " + suite + "}\n";
  if (!packages.empty()) y += "packages: " + list(packages) + "\n";
  if (auto_deps)
    y += "auto-deps: true" + (auto_deps_comment.empty() ? "" : "   # " + auto_deps_comment) + "\n";
  if (!files.empty()) {
    y += "files:\n";
    for (const auto& f : files) {
      y += "  - {src: " + q(f.src) + ", dest: " + q(f.dest);
      if (!f.mode.empty()) y += ", mode: " + q(f.mode);
      if (!f.uid.empty()) y += ", uid: " + f.uid;
      if (!f.gid.empty()) y += ", gid: " + f.gid;
      y += "}";
      if (!f.comment.empty()) y += "   # " + f.comment;
      y += "\n";
    }
  }
  if (!env.empty()) {
    y += "env:\n";
    for (const auto& [k, v] : env) y += "  " + k + ": " + q(v) + "\n";
  }
  if (!labels.empty()) {
    y += "labels:\n";
    for (const auto& [k, v] : labels) y += "  " + q(k) + ": " + q(v) + "\n";
  }
  if (!workdir.empty()) y += "workdir: " + q(workdir) + "\n";
  if (!user.empty()) y += "user: " + q(user) + "\n";
  if (!ports.empty()) y += "ports: " + list(ports) + "\n";
  if (!volumes.empty()) y += "volumes: " + list(volumes) + "\n";
  if (has_entrypoint) y += "entrypoint: " + list(entrypoint) + "\n";
  if (has_cmd) y += "cmd: " + list(cmd) + "\n";
  if (!stop_signal.empty()) y += "stop-signal: " + q(stop_signal) + "\n";
  if (healthcheck_none) {
    y += "healthcheck: none\n";
  } else if (!healthcheck.empty()) {
    y += "healthcheck:\n  test: " + list(healthcheck) + "\n";
    for (const auto& [k, v] : healthcheck_options) y += "  " + k + ": " + q(v) + "\n";
  }
  if (!comment_user.empty()) y += "# " + comment_user + "\n";
  y += "variants: [" + (variant.empty() ? std::string("nonroot") : variant) + "]\n";
  for (const auto& c : trailing_comments) y += "# " + c + "\n";
  return y;
}

}  // namespace pare::init
