// `pare compare IMAGE...`: the guide's comparison table measured from the real images (#13):
// compressed and uncompressed size, layers, packages, a shell, a package manager, running as
// root, setuid files (inspect/audit.h) and, with a feed, open vulnerabilities by urgency
// (match.h). Rendered as Markdown or as one self-contained HTML page with the table and a
// chart (size against open vulnerabilities) drawn as inline SVG: no external scripts or fonts.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oci/image_files_on_disk.h"
#include "scan/tracker.h"

namespace pare::scan {

struct CompareRow {
  std::string image;
  uint64_t compressed = 0;    // config + layers as stored
  uint64_t uncompressed = 0;  // the bytes of the flattened filesystem's regular files
  size_t layers = 0, packages = 0;
  bool shell = false, package_manager = false, runs_as_root = false;
  size_t setuid = 0;
  std::string release;                                           // what the feed was matched for
  std::optional<std::map<std::string, size_t>> open_by_urgency;  // with a feed
  size_t open() const;
};

// The feed for a release codename (the image's own, from its os-release), read when first
// asked for; nullptr: no feed for that release.
using FeedFor = std::function<Result<const Feed*>(const std::string& release)>;

// The image's layers are read once (its summaries) for every column. `feed_for` null: no scan.
Result<CompareRow> compare_row(const oci::ImageOnDisk& image, const std::string& name,
                               const FeedFor* feed_for);

std::string compare_table(const std::vector<CompareRow>& rows);  // aligned, for a terminal
std::string compare_markdown(const std::vector<CompareRow>& rows);
std::string compare_html(const std::vector<CompareRow>& rows);

}  // namespace pare::scan
