#include "build/plan_cache.h"

#include <nlohmann/json.hpp>

#include "util/checked.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace pare::build {

namespace {

constexpr const char* kFormat = "pare-resolution-2";  // 2: checked records

nlohmann::json package_json(const deb::PackageInfo& p) {
  return {{"name", p.name},
          {"version", p.version},
          {"arch", p.arch},
          {"filename", p.filename},
          {"sha256", p.sha256},
          {"mirror", p.mirror},
          {"repo", p.repo},
          {"source", p.source},
          {"source_version", p.source_version},
          {"size", p.size},
          {"installed_size", p.installed_size}};
}

deb::PackageInfo package_from(const nlohmann::json& j) {
  deb::PackageInfo p;
  p.name = j.at("name").get<std::string>();
  p.version = j.at("version").get<std::string>();
  p.arch = j.at("arch").get<std::string>();
  p.filename = j.at("filename").get<std::string>();
  p.sha256 = j.at("sha256").get<std::string>();
  p.mirror = j.at("mirror").get<std::string>();
  p.repo = j.at("repo").get<std::string>();
  p.source = j.at("source").get<std::string>();
  p.source_version = j.at("source_version").get<std::string>();
  p.size = j.at("size").get<uint64_t>();
  p.installed_size = j.at("installed_size").get<uint64_t>();
  return p;
}

std::filesystem::path path_for(const std::filesystem::path& cache_dir, const std::string& key) {
  return cache_dir / "resolutions" / (key + ".json");
}

}  // namespace

std::string resolution_key(const spec::Spec& spec, const std::string& arch,
                           const std::vector<deb::IndexFile>& indexes) {
  std::string recipe =
      std::string(kFormat) + "\n" + spec::package_set_fingerprint(spec) + "\n" + arch;
  for (const auto& idx : indexes) recipe += "\n" + idx.label + " " + idx.mirror + " " + idx.sha256;
  return sha256_hex(recipe);
}

std::optional<ArchPlan> cached_resolution(const std::filesystem::path& cache_dir,
                                          const std::string& key) {
  auto record = fs::read_checked(path_for(cache_dir, key));
  if (record.state != fs::CheckedState::ok) return std::nullopt;
  auto j = nlohmann::json::parse(record.payload, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  try {
    ArchPlan plan;
    plan.arch = j.at("arch").get<std::string>();
    for (const auto& level : j.at("levels")) {
      plan.levels.emplace_back();
      for (const auto& p : level) plan.levels.back().push_back(package_from(p));
    }
    plan.why = j.at("why").get<std::map<std::string, std::vector<std::string>>>();
    for (const auto& c : j.at("cut"))
      plan.cut.push_back(
          {c.at(0).get<std::string>(), c.at(1).get<std::string>(), c.at(2).get<std::string>()});
    return plan;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;  // damaged: resolve again
  }
}

Result<void> remember_resolution(const std::filesystem::path& cache_dir, const std::string& key,
                                 const ArchPlan& plan) {
  nlohmann::json j;
  j["arch"] = plan.arch;
  j["levels"] = nlohmann::json::array();
  for (const auto& level : plan.levels) {
    nlohmann::json l = nlohmann::json::array();
    for (const auto& p : level) l.push_back(package_json(p));
    j["levels"].push_back(l);
  }
  j["why"] = plan.why;
  j["cut"] = nlohmann::json::array();
  for (const auto& c : plan.cut) j["cut"].push_back({c.package, c.dependency, c.excluded});
  return fs::write_checked(path_for(cache_dir, key), j.dump());
}

}  // namespace pare::build
