// OCI image config / manifest / index documents (image-spec v1.1 config.md,
// manifest.md, image-index.md). nlohmann::json objects keep keys sorted, and
// dump() without indent writes no whitespace: equal inputs, equal bytes.
#include "oci/image.h"

#include <ctime>
#include <nlohmann/json.hpp>

#include "util/sha256.h"

namespace pare::oci {

namespace {

using nlohmann::json;

constexpr const char* kConfigMediaType = "application/vnd.oci.image.config.v1+json";
constexpr const char* kManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* kIndexMediaType = "application/vnd.oci.image.index.v1+json";

// Invalid UTF-8 (a label from a hand-written spec) is replaced, never thrown.
std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json platform_json(const Platform& p) {
  json j = {{"architecture", p.architecture}, {"os", p.os}};
  if (!p.variant.empty()) j["variant"] = p.variant;
  return j;
}

json descriptor(const std::string& media_type, const std::string& digest, uint64_t size) {
  return {{"mediaType", media_type}, {"digest", digest}, {"size", size}};
}

// An object with one empty object per key: ExposedPorts and Volumes.
json set_object(const std::vector<std::string>& keys) {
  json j = json::object();
  for (const auto& k : keys) j[k] = json::object();
  return j;
}

// config.md "config": the execution parameters; empty fields are left out.
json execution_config(const ImageConfig& c) {
  json j = json::object();
  if (!c.user.empty()) j["User"] = c.user;
  if (!c.working_dir.empty()) j["WorkingDir"] = c.working_dir;
  if (!c.entrypoint.empty()) j["Entrypoint"] = c.entrypoint;
  if (!c.cmd.empty()) j["Cmd"] = c.cmd;
  if (!c.env.empty()) j["Env"] = c.env;
  if (!c.labels.empty()) j["Labels"] = c.labels;
  if (!c.exposed_ports.empty()) j["ExposedPorts"] = set_object(c.exposed_ports);
  if (!c.volumes.empty()) j["Volumes"] = set_object(c.volumes);
  if (!c.stop_signal.empty()) j["StopSignal"] = c.stop_signal;
  if (c.healthcheck) {
    json h = {{"Test", c.healthcheck->test}};
    if (c.healthcheck->interval) h["Interval"] = c.healthcheck->interval;
    if (c.healthcheck->timeout) h["Timeout"] = c.healthcheck->timeout;
    if (c.healthcheck->start_period) h["StartPeriod"] = c.healthcheck->start_period;
    if (c.healthcheck->retries) h["Retries"] = c.healthcheck->retries;
    j["Healthcheck"] = std::move(h);
  }
  return j;
}

}  // namespace

std::string rfc3339_utc(int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (!::gmtime_r(&t, &tm)) return "1970-01-01T00:00:00Z";
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<Platform> platform_for_debian_arch(const std::string& debian_arch) {
  struct Row {
    const char* debian;
    const char* oci;
    const char* variant;
  };
  // Debian architecture names -> GOARCH names (image-spec image-index.md "platform").
  static const Row rows[] = {
      {"amd64", "amd64", ""}, {"arm64", "arm64", "v8"},   {"armhf", "arm", "v7"},
      {"armel", "arm", "v5"}, {"i386", "386", ""},        {"ppc64el", "ppc64le", ""},
      {"s390x", "s390x", ""}, {"riscv64", "riscv64", ""}, {"mips64el", "mips64le", ""},
  };
  for (const auto& r : rows)
    if (debian_arch == r.debian) return Platform{"linux", r.oci, r.variant};
  return Error(Errc::invalid, "unknown Debian architecture '" + debian_arch + "'");
}

std::string config_json(const ImageConfig& c) {
  std::string created = rfc3339_utc(c.created);
  json j = {
      {"architecture", c.platform.architecture},
      {"os", c.platform.os},
      {"created", created},
      {"config", execution_config(c)},
      {"rootfs", {{"type", "layers"}, {"diff_ids", c.diff_ids}}},
  };
  if (!c.platform.variant.empty()) j["variant"] = c.platform.variant;
  if (!c.history.empty()) {
    json history = json::array();
    for (const auto& by : c.history)
      history.push_back(json{{"created", created}, {"created_by", by}});
    j["history"] = history;
  }
  return dump(j);
}

std::string JsonBlob::digest() const {
  return "sha256:" + sha256_hex(bytes);
}

JsonBlob make_config_blob(const ImageConfig& config) {
  return JsonBlob{kConfigMediaType, config_json(config)};
}

JsonBlob make_manifest_blob(const JsonBlob& config, const std::vector<LayerBlob>& layers,
                            const std::map<std::string, std::string>& annotations) {
  json layer_list = json::array();
  for (const auto& l : layers) layer_list.push_back(descriptor(l.media_type, l.digest, l.size));
  json j = {
      {"schemaVersion", 2},
      {"mediaType", kManifestMediaType},
      {"config", descriptor(config.media_type, config.digest(), config.bytes.size())},
      {"layers", layer_list},
  };
  if (!annotations.empty()) j["annotations"] = annotations;
  return JsonBlob{kManifestMediaType, dump(j)};
}

JsonBlob make_index_blob(const std::vector<IndexEntry>& manifests,
                         const std::map<std::string, std::string>& annotations) {
  json list = json::array();
  for (const auto& m : manifests) {
    json d = descriptor(m.manifest.media_type, m.manifest.digest(), m.manifest.bytes.size());
    if (m.platform) d["platform"] = platform_json(*m.platform);
    if (!m.annotations.empty()) d["annotations"] = m.annotations;
    list.push_back(d);
  }
  json j = {{"schemaVersion", 2}, {"mediaType", kIndexMediaType}, {"manifests", list}};
  if (!annotations.empty()) j["annotations"] = annotations;
  return JsonBlob{kIndexMediaType, dump(j)};
}

}  // namespace pare::oci
