#include "scan/match.h"

#include <algorithm>
#include <tuple>

#include "deb/version.h"

namespace pare::scan {

const char* state_name(State s) {
  switch (s) {
    case State::open:
      return "open";
    case State::unimportant:
      return "unimportant";
    case State::end_of_life:
      return "end-of-life";
    case State::not_affected:
      return "not-affected";
  }
  return "?";
}

int severity_rank(const std::string& urgency) {
  if (urgency == "high") return 3;
  if (urgency == "medium") return 2;
  if (urgency == "low") return 1;
  return 0;
}

namespace {

const std::map<std::string, std::string>& releases() {
  static const std::map<std::string, std::string> table = {
      {"10", "buster"}, {"11", "bullseye"}, {"12", "bookworm"}, {"13", "trixie"}, {"14", "forky"}};
  return table;
}

}  // namespace

std::string release_for(const std::string& version_id) {
  auto it = releases().find(version_id.substr(0, version_id.find('.')));
  return it == releases().end() ? "" : it->second;
}

std::string version_id_for(const std::string& release) {
  for (const auto& [id, name] : releases())
    if (name == release) return id;
  return "";
}

std::vector<Finding> match(const std::vector<sbom::PackageRecord>& packages, const Feed& feed) {
  std::vector<Finding> out;
  for (const auto& p : packages) {
    if (p.kind != sbom::PackageKind::deb) continue;
    std::string source = p.source.empty() ? p.name : p.source;
    // The tracker's versions are source versions; a binNMU (+b1) binary carries its source's.
    std::string source_version = p.source_version.empty() ? p.version : p.source_version;
    auto advisories = feed.find(source);
    if (advisories == feed.end()) continue;
    for (const auto& a : advisories->second) {
      Finding f{a.id, p.name, p.version, source, source_version, "", a.urgency, State::open};
      if (a.status == "resolved") {
        if (a.fixed_version == "0") {
          f.state = State::not_affected;
        } else if (!a.fixed_version.empty() &&
                   deb::compare_versions(source_version, a.fixed_version) >= 0) {
          continue;  // fixed in what the image has
        } else {
          f.fixed = a.fixed_version;
        }
      }
      if (f.state == State::open && a.urgency == "unimportant") f.state = State::unimportant;
      if (f.state == State::open && a.urgency == "end-of-life") f.state = State::end_of_life;
      out.push_back(std::move(f));
    }
  }
  std::sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.id, a.package) < std::tie(b.id, b.package);
  });
  return out;
}

}  // namespace pare::scan
