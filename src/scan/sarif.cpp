#include "scan/sarif.h"

#include <map>
#include <nlohmann/json.hpp>

namespace pare::scan {

namespace {

using nlohmann::json;

const char* level_for(const std::string& urgency) {
  switch (severity_rank(urgency)) {
    case 3:
      return "error";
    case 2:
      return "warning";
    default:
      return "note";
  }
}

}  // namespace

std::string sarif_json(const std::vector<Finding>& findings, const std::string& image,
                       const std::string& release) {
  std::map<std::string, json> rules;
  json results = json::array();
  for (const auto& f : findings) {
    if (f.state != State::open) continue;
    rules.emplace(f.id, json{{"id", f.id},
                             {"shortDescription",
                              {{"text", f.id + " in the " + f.source + " source package"}}}});
    std::string fix =
        f.fixed.empty() ? "no fix in " + release + " yet" : "fixed in " + f.source + " " + f.fixed;
    results.push_back(
        {{"ruleId", f.id},
         {"level", level_for(f.urgency)},
         {"message",
          {{"text", f.package + " " + f.version + " in " + image + " is affected by " + f.id +
                        " (" + fix + "; urgency " + (f.urgency.empty() ? "unknown" : f.urgency) +
                        ")"}}},
         {"locations",
          json::array({{{"logicalLocations",
                         json::array({{{"name", f.package},
                                       {"fullyQualifiedName", f.package + "@" + f.version},
                                       {"kind", "module"}}})}}})},
         {"properties",
          {{"package", f.package},
           {"installed", f.version},
           {"source", f.source},
           {"fixed", f.fixed},
           {"urgency", f.urgency}}}});
  }
  json rule_list = json::array();
  for (auto& [id, rule] : rules) rule_list.push_back(std::move(rule));
  json doc = {
      {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
      {"version", "2.1.0"},
      {"runs",
       json::array(
           {{{"tool", {{"driver", {{"name", "pare"}, {"version", "0.1.0"}, {"rules", rule_list}}}}},
             {"results", results}}})}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace pare::scan
