#include "scan/osv.h"

#include <nlohmann/json.hpp>

namespace pare::scan {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The first "fixed" event of the record's ECOSYSTEM ranges ("" when none: no fix yet).
std::string fixed_version(const json& affected) {
  auto ranges = affected.find("ranges");
  if (ranges == affected.end() || !ranges->is_array()) return "";
  for (const auto& r : *ranges) {
    if (!r.is_object() || str(r, "type") != "ECOSYSTEM") continue;
    auto events = r.find("events");
    if (events == r.end() || !events->is_array()) continue;
    for (const auto& e : *events)
      if (e.is_object() && e.contains("fixed") && e["fixed"].is_string())
        return e["fixed"].get<std::string>();
  }
  return "";
}

}  // namespace

bool looks_like_osv(std::string_view text) {
  json doc = json::parse(text, nullptr, false);
  return doc.is_object() && doc.contains("id") && doc.contains("affected");
}

Result<void> add_osv_record(std::string_view text, const std::string& name,
                            const std::string& ecosystem, Feed& feed) {
  if (text.size() > kMaxFeedBytes)
    return Error(Errc::invalid, name + ": too large for an OSV record");
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    return Error(Errc::invalid, name + ": not JSON at byte " + std::to_string(e.byte));
  }
  if (!doc.is_object() || !doc.contains("id") || !doc["id"].is_string() ||
      !doc.contains("affected") || !doc["affected"].is_array())
    return Error(Errc::invalid, name + ": not an OSV record (\"id\" and \"affected\" expected)");
  std::string id = doc["id"].get<std::string>();
  // A Debian advisory (DSA/DLA/DEBIAN-CVE) usually names the CVE it fixes in "aliases" or
  // "upstream": report the CVE, as the tracker does.
  for (const char* key : {"upstream", "aliases"})
    if (auto a = doc.find(key); a != doc.end() && a->is_array())
      for (const auto& alias : *a)
        if (alias.is_string() && alias.get<std::string>().rfind("CVE-", 0) == 0) {
          id = alias.get<std::string>();
          break;
        }
  for (const auto& affected : doc["affected"]) {
    if (!affected.is_object() || !affected.contains("package") || !affected["package"].is_object())
      continue;
    const json& package = affected["package"];
    std::string source = str(package, "name");
    if (str(package, "ecosystem") != ecosystem || source.empty()) continue;
    std::string fixed = fixed_version(affected);
    feed[source].push_back({id, source, fixed.empty() ? "open" : "resolved", fixed, ""});
  }
  return {};
}

}  // namespace pare::scan
