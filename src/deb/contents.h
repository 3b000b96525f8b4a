// The archive's Contents indexes, reduced to what finding a library's package needs.
//
// A suite's Release lists, per component and architecture, `Contents-ARCH` (gzip): one line
// per file of every package, "PATH   SECTION/PACKAGE[,SECTION/PACKAGE...]", the path without
// its leading '/', the package list after the last run of blanks (a path may hold spaces).
// Debian documents the format in the wiki's "RepositoryFormat" ("Contents indices").
// bookworm's main/Contents-amd64 is 148 MB of text; pare keeps only shared objects (a base
// name ending in ".so" or ".so.VERSION"): about 60,000 lines and 3 MB, cached as
// "/PATH\tPACKAGE[,PACKAGE...]\n" lines that the same reader reads back.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::deb {

// Whether a file name (no directory) is a shared object's: "libz.so.1", "ld-linux.so.2",
// "libfoo.so"; not "foo.sock", "x.so-old" or "notes.so.txt".
bool is_shared_object_name(std::string_view name);

// The shared-object lines of a Contents file, in the cached form. A line without a package
// field, with an empty path or a path longer than 4096 bytes is Errc::invalid naming its
// line number; other lines are skipped cheaply.
Result<std::string> shared_objects_of_contents(std::string_view contents);

class LibraryIndex {
 public:
  // Reads the cached form (Errc::invalid naming the line when malformed).
  static Result<LibraryIndex> parse(std::string_view cached);
  // Packages shipping exactly this absolute path (empty when none).
  const std::vector<std::string>& packages_of(const std::string& path) const;
  size_t size() const { return by_path_.size(); }
  // Merges another index (a later component or suite): its packages are added after ours.
  void merge(const LibraryIndex& other);

 private:
  std::map<std::string, std::vector<std::string>> by_path_;
};

}  // namespace pare::deb
