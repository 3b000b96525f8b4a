// Known vulnerabilities from the Debian security tracker's JSON export (#13), read from a file:
// no network at scan time. The export's shape (security-tracker "data/json"):
//
//   { "<source package>": { "<CVE id>": { "description": ..., "scope": ...,
//       "releases": { "<codename>": { "status": "resolved" | "open" | "undetermined",
//                                     "fixed_version": "<source version>" (resolved only;
//                                                      "0": the release was never affected),
//                                     "urgency": "low" | "medium" | "high" | "unimportant" |
//                                                "end-of-life" | "not yet assigned" ...,
//                                     "repositories": { "<suite>": "<version>" } } } } } }
//
// Only one release's records are kept (the others and the descriptions are dropped while the
// text is parsed, so a full export of tens of megabytes stays small in memory).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::scan {

struct Advisory {
  std::string id;             // "CVE-2024-1234"
  std::string source;         // source package
  std::string status;         // resolved, open, undetermined
  std::string fixed_version;  // source version ("" when none; "0": never affected)
  std::string urgency;        // as the tracker writes it, trailing '*' dropped
};

// source package -> its advisories for `release` ("bookworm").
using Feed = std::map<std::string, std::vector<Advisory>>;

// The largest feed file read (the full export is tens of megabytes).
inline constexpr uint64_t kMaxFeedBytes = uint64_t{512} << 20;

// Errc::invalid naming `name` and the byte offset where the JSON breaks or has the wrong shape.
Result<Feed> parse_tracker_json(std::string_view text, const std::string& name,
                                const std::string& release);

}  // namespace pare::scan
