// `pare ls` and `pare cat`: an image's flattened filesystem (sbom/image_files.h: layers applied
// bottom up, whiteouts and opaque directories honoured), read from its layers without
// unpacking anything to disk and without running anything; and the largest files for inspect.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "oci/image_files_on_disk.h"
#include "sbom/image_files.h"

namespace pare::inspect {

using Entries = std::map<std::string, sbom::FileEntry>;

struct ListedEntry {
  std::string path;  // absolute ("/usr/bin/python3")
  sbom::FileEntry entry;
  bool implicit = false;  // a directory the layers imply but never list
};

// Every entry of the flattened image (no contents).
Result<Entries> read_entries(const oci::ImageOnDisk& image);

// What `ls PATH` shows: a directory's children (with `recursive`, everything below it, in
// path order), or the entry itself when PATH is not a directory. A symlink to a directory is
// listed as that directory. Errc::not_found when nothing is there.
Result<std::vector<ListedEntry>> list_entries(const Entries& entries, const std::string& path,
                                              bool recursive);

// The bytes of the regular file PATH leads to (symlinks and hardlinks followed), at most
// `limit`. Errc::not_found when absent; Errc::invalid when it is a directory or special file.
Result<std::string> read_image_file(const oci::ImageOnDisk& image, const Entries& entries,
                                    const std::string& path, uint64_t limit);

// The `count` largest regular files, largest first.
std::vector<ListedEntry> largest_files(const Entries& entries, size_t count);

// "drwxr-xr-x", "-rwsr-xr-x", "lrwxrwxrwx" (ls -l's first column).
std::string mode_string(const sbom::FileEntry& entry);

}  // namespace pare::inspect
