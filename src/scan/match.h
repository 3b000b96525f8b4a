// An image's packages matched against a feed (tracker.h), per release, the way the tracker
// means its data: by source package, comparing the source version in Debian's order
// (deb/version.h). A package is affected when its source version is below the fixed version,
// or no fix exists; "unimportant" and "end-of-life" findings and releases the tracker marks as
// never affected are reported apart and not counted as open.
#pragma once

#include <string>
#include <vector>

#include "sbom/packages.h"
#include "scan/tracker.h"

namespace pare::scan {

enum class State {
  open,          // affected; counted
  unimportant,   // affected, but the tracker rates it unimportant
  end_of_life,   // affected; the release no longer gets fixes for this package
  not_affected,  // the tracker says this release never had it (fixed_version "0")
};
const char* state_name(State s);

struct Finding {
  std::string id;                // CVE
  std::string package, version;  // the binary package and its version
  std::string source, source_version;
  std::string fixed;    // the fixed source version, "" = no fix yet
  std::string urgency;  // "high", "medium", "low", "not yet assigned"...
  State state = State::open;
};

// Findings sorted by CVE then package; fixed packages are not listed.
std::vector<Finding> match(const std::vector<sbom::PackageRecord>& packages, const Feed& feed);

// The tracker's urgencies in order: unknown (0), low, medium, high (3); "unimportant" is 0.
int severity_rank(const std::string& urgency);

// The release codename for a Debian VERSION_ID ("12" -> "bookworm"); "" when unknown.
std::string release_for(const std::string& version_id);
// And back: "bookworm" -> "12" (for OSV's "Debian:12"); "" when unknown.
std::string version_id_for(const std::string& release);

}  // namespace pare::scan
