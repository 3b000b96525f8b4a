// parse_config (image.h): the reading side of config_json, for configs of images pare builds
// on (a `from:` base) and inspects. Every field is optional except rootfs.diff_ids.
#include <nlohmann/json.hpp>

#include "oci/image.h"

namespace pare::oci {

namespace {

using nlohmann::json;

Error bad(const std::string& field, const std::string& what) {
  return Error(Errc::invalid, "image config: " + field + " " + what);
}

Result<std::string> opt_string(const json& j, const char* key, const std::string& where) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::string();
  if (!it->is_string()) return bad(where + key, "is not a string");
  return it->get<std::string>();
}

Result<std::vector<std::string>> opt_strings(const json& j, const char* key,
                                             const std::string& where) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return bad(where + key, "is not an array");
  for (const auto& v : *it) {
    if (!v.is_string()) return bad(where + key, "holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

// ExposedPorts and Volumes are objects whose keys are the values ({"8080/tcp": {}}).
Result<std::vector<std::string>> opt_keys(const json& j, const char* key,
                                          const std::string& where) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) return bad(where + key, "is not an object");
  for (const auto& [k, v] : it->items()) out.push_back(k);
  return out;
}

// Docker's config.Healthcheck (image.h).
Result<void> read_healthcheck(const json& c, ImageConfig& out) {
  auto h = c.find("Healthcheck");
  if (h == c.end() || h->is_null()) return {};
  if (!h->is_object()) return bad("config.Healthcheck", "is not an object");
  Healthcheck hc;
  PARE_TRY(hc.test, opt_strings(*h, "Test", "config.Healthcheck."));
  for (auto [key, field] : {std::pair{"Interval", &hc.interval}, std::pair{"Timeout", &hc.timeout},
                            std::pair{"StartPeriod", &hc.start_period}}) {
    auto v = h->find(key);
    if (v == h->end() || v->is_null()) continue;
    if (!v->is_number_integer())
      return bad(std::string("config.Healthcheck.") + key, "is not an integer");
    *field = v->get<int64_t>();
  }
  if (auto r = h->find("Retries"); r != h->end() && !r->is_null()) {
    if (!r->is_number_integer() || r->get<int64_t>() < 0 || r->get<int64_t>() > 1000000)
      return bad("config.Healthcheck.Retries", "is not a small non-negative integer");
    hc.retries = static_cast<int>(r->get<int64_t>());
  }
  out.healthcheck = std::move(hc);
  return {};
}

Result<void> read_execution(const json& c, ImageConfig& out) {
  if (!c.is_object()) return bad("config", "is not an object");
  PARE_TRY(out.user, opt_string(c, "User", "config."));
  PARE_TRY(out.working_dir, opt_string(c, "WorkingDir", "config."));
  PARE_TRY(out.entrypoint, opt_strings(c, "Entrypoint", "config."));
  PARE_TRY(out.cmd, opt_strings(c, "Cmd", "config."));
  PARE_TRY(out.env, opt_strings(c, "Env", "config."));
  PARE_TRY(out.exposed_ports, opt_keys(c, "ExposedPorts", "config."));
  PARE_TRY(out.volumes, opt_keys(c, "Volumes", "config."));
  PARE_TRY(out.stop_signal, opt_string(c, "StopSignal", "config."));
  PARE_CHECK(read_healthcheck(c, out));
  if (auto l = c.find("Labels"); l != c.end() && !l->is_null()) {
    if (!l->is_object()) return bad("config.Labels", "is not an object");
    for (const auto& [k, v] : l->items()) {
      if (!v.is_string()) return bad("config.Labels." + k, "is not a string");
      out.labels[k] = v.get<std::string>();
    }
  }
  return {};
}

}  // namespace

Result<ImageConfig> parse_config(std::string_view bytes) {
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return bad("document", "is not a JSON object");
  ImageConfig out;
  PARE_TRY(out.platform.architecture, opt_string(j, "architecture", ""));
  PARE_TRY(out.platform.os, opt_string(j, "os", ""));
  PARE_TRY(out.platform.variant, opt_string(j, "variant", ""));
  if (auto c = j.find("config"); c != j.end() && !c->is_null()) PARE_CHECK(read_execution(*c, out));
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object()) return bad("rootfs", "is missing");
  PARE_TRY(out.diff_ids, opt_strings(*rootfs, "diff_ids", "rootfs."));
  if (auto h = j.find("history"); h != j.end() && h->is_array())
    for (const auto& entry : *h) {
      if (!entry.is_object()) return bad("history", "holds a non-object");
      auto empty = entry.find("empty_layer");
      if (empty != entry.end() && empty->is_boolean() && empty->get<bool>()) continue;
      PARE_TRY(std::string by, opt_string(entry, "created_by", "history[]."));
      out.history.push_back(std::move(by));
    }
  out.history.resize(out.diff_ids.size());
  return out;
}

}  // namespace pare::oci
