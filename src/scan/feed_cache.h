// A feed file's parsed records for one release, kept in the cache under the file's SHA-256 and
// the release (CACHE/feeds/<sha256>-<release>, a checked record), so that the tracker's export
// (tens of megabytes of JSON) is parsed once and later scans only hash it.
#pragma once

#include <filesystem>
#include <optional>
#include <set>
#include <string>

#include "scan/tracker.h"

namespace pare::scan {

// `text` is the feed file's content, `name` its path for messages; `cache_dir` "" = no cache.
// With `sources`, only those source packages' advisories are returned (the cache keeps all).
Result<Feed> tracker_feed_cached(std::string_view text, const std::string& name,
                                 const std::string& release, const std::filesystem::path& cache_dir,
                                 const std::set<std::string>* sources = nullptr);

// The record's payload for a feed, and back (nullopt for anything else: a fuzz entry point);
// `sources` keeps only those.
std::string encode_feed(const Feed& feed);
std::optional<Feed> decode_feed(std::string_view bytes,
                                const std::set<std::string>* sources = nullptr);

}  // namespace pare::scan
