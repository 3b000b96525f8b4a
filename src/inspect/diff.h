// `pare diff A B`: what changed between two images: packages added, removed and changed
// (versions, from each image's package records), files added, removed and changed (type,
// mode, owner, size, link target or SHA-256 of the content), and config settings changed.
#pragma once

#include <string>
#include <vector>

#include "oci/image_files_on_disk.h"

namespace pare::inspect {

struct PackageChange {
  std::string name;
  std::string from, to;  // versions; "" = not in that image
};

struct FileChange {
  std::string path;  // absolute
  char kind = 'M';   // 'A'dded, 'D'eleted, 'M'odified
  uint64_t from_size = 0, to_size = 0;
  std::string what;  // for 'M': "content", "mode 0755 -> 0700", "link a -> b", ...
};

struct ConfigChange {
  std::string field;  // "user", "env PATH", "entrypoint", ...
  std::string from, to;
};

struct ImageDiff {
  std::vector<PackageChange> packages;
  std::vector<FileChange> files;
  std::vector<ConfigChange> config;
  bool empty() const { return packages.empty() && files.empty() && config.empty(); }
};

Result<ImageDiff> diff_images(const oci::ImageOnDisk& a, const oci::ImageOnDisk& b);

}  // namespace pare::inspect
