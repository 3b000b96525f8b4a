#include "cli/output.h"

#include "build/base.h"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

namespace pare::cli {

namespace {

std::string human_size(uint64_t n) {
  char buf[32];
  if (n >= 1000 * 1000)
    std::snprintf(buf, sizeof buf, "%.1f MB", n / 1e6);
  else if (n >= 1000)
    std::snprintf(buf, sizeof buf, "%.1f kB", n / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  return buf;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

}  // namespace

std::filesystem::path default_output(const std::filesystem::path& spec_path,
                                     oci::OutputFormat format) {
  std::string stem = spec_path.stem().string();
  if (format == oci::OutputFormat::oci_layout) return std::filesystem::path("out") / stem;
  return std::filesystem::path("out") /
         (stem + (format == oci::OutputFormat::oci_archive ? ".oci.tar" : ".tar"));
}

namespace {
nlohmann::json build_json(const build::BuildResult& r) {
  nlohmann::json j;
  j["output"] = r.output.string();
  if (!r.sbom_dir.empty()) j["sbom_dir"] = r.sbom_dir.string();
  j["layers_built"] = r.layers_built;
  j["layers_cached"] = r.layers_cached;
  j["layers_from_registry_cache"] = r.layers_from_registry;
  // auto-deps: what each level's ELF files needed and the packages that were added for them.
  j["auto_deps"] = nlohmann::json::array();
  for (const auto& d : r.app_deps) {
    nlohmann::json needs = nlohmann::json::array();
    for (const auto& n : d.analysis.needs)
      needs.push_back(
          {{"file", n.file},
           {"library", n.library},
           {"path", n.found_at},
           {"package", n.package.empty() ? nlohmann::json(nullptr) : nlohmann::json(n.package)}});
    j["auto_deps"].push_back(
        {{"arch", d.analysis.arch}, {"packages", d.analysis.packages}, {"needs", needs}});
  }
  j["packages_downloaded"] = r.packages_downloaded;
  for (const auto& img : r.images)
    j["images"].push_back({{"tag", img.tag},
                           {"digest", img.digest},
                           {"archs", img.archs},
                           {"compressed_size", img.compressed_size},
                           {"layers", img.layers},
                           {"packages", img.packages}});
  std::map<std::string, double> timings;  // a stage runs once per spec: sum them
  for (const auto& t : r.times) timings[t.stage] += t.seconds;
  j["timings"] = timings;
  return j;
}
}  // namespace

void print_build(const build::BuildResult& r, bool json, bool quiet) {
  if (json) {
    std::printf(
        "%s\n",
        build_json(r).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  if (quiet) return;
  for (const auto& img : r.images)
    std::printf("%-28s %s  %s, %zu layers, %zu packages, %s\n", img.tag.c_str(),
                img.digest.substr(0, 19).c_str(), join(img.archs, ",").c_str(), img.layers,
                img.packages, human_size(img.compressed_size).c_str());
  double total = 0;
  for (const auto& t : r.times) total += t.seconds;
  std::string cached = std::to_string(r.layers_cached) + " cached";
  if (r.layers_from_registry)
    cached += " (" + std::to_string(r.layers_from_registry) + " from the registry cache)";
  std::printf("%s %s (%zu layers built, %s, %zu packages downloaded) in %.2f s\n",
              r.output.empty() ? "built" : "wrote",
              r.output.empty() ? "the images" : r.output.string().c_str(), r.layers_built,
              cached.c_str(), r.packages_downloaded, total);
}

void print_build_and_push(const build::BuildResult& r, const std::vector<registry::Pushed>& pushed,
                          bool json, bool quiet) {
  if (!json) {
    print_build(r, json, quiet);
    if (quiet) return;
    for (const auto& p : pushed)
      std::printf("pushed %s@%s (%zu blobs uploaded, %zu present)\n", p.reference.c_str(),
                  p.digest.c_str(), p.blobs_uploaded, p.blobs_present);
    return;
  }
  nlohmann::json j = build_json(r);
  j["pushed"] = nlohmann::json::array();
  for (const auto& p : pushed)
    j["pushed"].push_back({{"reference", p.reference},
                           {"digest", p.digest},
                           {"blobs_uploaded", p.blobs_uploaded},
                           {"blobs_present", p.blobs_present},
                           {"blobs_mounted", p.blobs_mounted},
                           {"bytes_uploaded", p.bytes_uploaded}});
  std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
}

void print_plan(const build::Plan& plan, bool json) {
  if (json) {
    nlohmann::json j;
    j["suite"] = plan.spec.source.suite;
    j["mirror"] = plan.mirror;
    j["security_mirror"] = plan.security_mirror;
    if (plan.base) {
      j["base"] = {{"reference", plan.base->reference}, {"digest", plan.base->digest}};
      for (const auto& a : plan.base->archs)
        j["base"]["archs"].push_back({{"arch", a.arch},
                                      {"manifest", a.manifest_digest},
                                      {"layers", a.layers.size()},
                                      {"packages", a.packages.size()}});
    }
    for (const auto& ap : plan.archs) {
      nlohmann::json a;
      a["arch"] = ap.arch;
      for (size_t l = 0; l < ap.levels.size(); ++l)
        for (const auto& p : ap.levels[l]) {
          auto why = ap.why.find(p.name);
          nlohmann::json pj = {
              {"name", p.name},
              {"version", p.version},
              {"arch", p.arch},
              {"level", plan.spec.levels[l].name},
              {"installed_size", p.installed_size},
              {"sha256", p.sha256},
              {"url", p.url()},
              {"repo", p.repo},
              {"why", why == ap.why.end() ? std::vector<std::string>{} : why->second}};
          if (!p.only.empty()) pj["only"] = p.only;
          if (p.again) pj["adds_to_lower_slice"] = true;
          a["packages"].push_back(std::move(pj));
        }
      for (const auto& c : ap.cut)
        a["excluded"].push_back(
            {{"package", c.package}, {"dependency", c.dependency}, {"excluded", c.excluded}});
      j["archs"].push_back(a);
    }
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  if (plan.base)
    std::printf("on %s (%s)\n", plan.base->reference.c_str(), plan.base->digest.c_str());
  for (const auto& ap : plan.archs) {
    std::printf("%s %s:\n", plan.spec.source.suite.c_str(), ap.arch.c_str());
    uint64_t total = 0;
    size_t count = 0;
    for (size_t l = 0; l < ap.levels.size(); ++l) {
      std::printf("  [%s]\n", plan.spec.levels[l].name.c_str());
      for (const auto& p : ap.levels[l]) {
        auto why = ap.why.find(p.name);
        std::string chain =
            why == ap.why.end() || why->second.size() < 2 ? "requested" : join(why->second, " -> ");
        if (p.again) chain = "more of the slice below";
        if (!p.only.empty()) chain += "  [only " + join(p.only, ", ") + "]";
        std::printf("    %-28s %-26s %9s  %s\n", p.name.c_str(), p.version.c_str(),
                    human_size(p.installed_size).c_str(), chain.c_str());
        if (p.again) continue;
        total += p.installed_size;
        ++count;
      }
    }
    std::printf("  %zu packages, %s installed\n", count, human_size(total).c_str());
    if (!ap.cut.empty()) {
      std::printf("  excluded (dependencies treated as met, nothing installed for them):\n");
      for (const auto& c : ap.cut)
        std::printf("    %s: %s  [%s excluded]\n", c.package.c_str(), c.dependency.c_str(),
                    c.excluded.c_str());
    }
  }
}

void print_lock(const std::filesystem::path& path, bool json, bool quiet) {
  if (json) {
    std::printf("%s\n", nlohmann::json{{"lockfile", path.string()}}.dump().c_str());
  } else if (!quiet) {
    std::printf("wrote %s\n", path.string().c_str());
  }
}

void print_cache_report(const char* what, const build::CacheReport& report, bool json, bool quiet) {
  if (json) {
    nlohmann::json j = {{"checked", report.checked},
                        {"removed", report.removed},
                        {"bytes_removed", report.bytes_removed}};
    std::printf("%s\n", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  if (quiet) return;
  for (const auto& r : report.removed) std::printf("removed %s\n", r.c_str());
  std::printf("%s: %zu entries checked, %zu removed (%.1f MB)\n", what, report.checked,
              report.removed.size(), static_cast<double>(report.bytes_removed) / 1e6);
}

std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f || c == '\\') {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace pare::cli
