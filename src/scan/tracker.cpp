#include "scan/tracker.h"

#include <nlohmann/json.hpp>

namespace pare::scan {

namespace {

using nlohmann::json;

// Keeps, of each CVE record, only "releases" -> the wanted release (nlohmann's parser callback:
// depth 1 = source packages, 2 = CVE ids, 3 = a CVE's fields, 4 = release codenames).
json::parser_callback_t keep_release(const std::string& release) {
  return [release](int depth, json::parse_event_t event, json& parsed) {
    if (event != json::parse_event_t::key) return true;
    if (depth == 3) return parsed == "releases";
    if (depth == 4) return parsed == release;
    return true;
  };
}

std::string text_field(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Result<Feed> parse_tracker_json(std::string_view text, const std::string& name,
                                const std::string& release) {
  if (text.size() > kMaxFeedBytes)
    return Error(Errc::invalid,
                 name + ": larger than " + std::to_string(kMaxFeedBytes >> 20) + " MiB");
  json doc;
  try {
    doc = json::parse(text, keep_release(release));
  } catch (const json::parse_error& e) {
    return Error(Errc::invalid, name + ": not JSON at byte " + std::to_string(e.byte) +
                                    " (the security tracker's JSON export is expected)");
  }
  if (!doc.is_object())
    return Error(Errc::invalid, name +
                                    ": not the security tracker's JSON export (the top "
                                    "level must map source packages to their CVEs)");
  Feed feed;
  for (const auto& [source, cves] : doc.items()) {
    if (!cves.is_object())
      return Error(Errc::invalid, name + ": \"" + source + "\": a map of CVE ids was expected");
    for (const auto& [id, record] : cves.items()) {
      if (!record.is_object())
        return Error(Errc::invalid, name + ": \"" + source + "\" / \"" + id + "\": not an object");
      auto releases = record.find("releases");
      if (releases == record.end() || !releases->is_object()) continue;
      auto r = releases->find(release);
      if (r == releases->end()) continue;
      if (!r->is_object())
        return Error(Errc::invalid, name + ": \"" + source + "\" / \"" + id + "\" / releases / \"" +
                                        release + "\": not an object");
      Advisory a{id, source, text_field(*r, "status"), text_field(*r, "fixed_version"),
                 text_field(*r, "urgency")};
      while (!a.urgency.empty() && a.urgency.back() == '*') a.urgency.pop_back();
      if (a.status.empty())
        return Error(Errc::invalid, name + ": \"" + source + "\" / \"" + id + "\" / releases / \"" +
                                        release + "\": no status");
      feed[source].push_back(std::move(a));
    }
  }
  return feed;
}

}  // namespace pare::scan
