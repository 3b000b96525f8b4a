// Known vulnerabilities from OSV records (the OSV schema, ossf/osv-schema: "id", "aliases",
// "affected": [{"package": {"ecosystem": "Debian:12", "name": SOURCE},
//               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": V}, {"fixed": V}]}]}]),
// as Debian publishes them for its releases: `Debian:12`, `Debian:13`. Each record affecting the
// wanted ecosystem becomes the same Advisory a tracker record does (tracker.h): resolved with
// its first "fixed" event, open when there is none. OSV gives no urgency.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "scan/tracker.h"

namespace pare::scan {

// Whether a JSON document looks like an OSV record (an object with "id" and "affected").
bool looks_like_osv(std::string_view text);

// Adds the record's advisories for `ecosystem` ("Debian:12") to `feed`. Errc::invalid naming
// `name` when the text is not an OSV record.
Result<void> add_osv_record(std::string_view text, const std::string& name,
                            const std::string& ecosystem, Feed& feed);

// Every *.json entry of a zip of OSV records (as OSV publishes an ecosystem: all.zip), each
// bounded, read with libarchive without unpacking anything.
Result<void> add_osv_zip(const std::filesystem::path& zip, const std::string& ecosystem,
                         Feed& feed);

}  // namespace pare::scan
