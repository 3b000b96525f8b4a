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

#include <memory>
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

// The cached form, searched in place: its lines sorted by path, found by binary search (no
// map is built: opening bookworm's index costs a read and one pass over 3 MB).
class LibraryIndex {
 public:
  // Reads the cached form (Errc::invalid naming the line when malformed; lines out of order
  // are sorted).
  static Result<LibraryIndex> parse(std::string cached);
  // Packages shipping exactly this absolute path (empty when none), from every merged index
  // in order, each once.
  std::vector<std::string> packages_of(const std::string& path) const;
  size_t size() const;
  // Adds another index (a later component): its packages come after ours.
  void merge(LibraryIndex other);

 private:
  struct Table {
    std::shared_ptr<const std::string> text;  // on the heap: `lines` point into it
    std::vector<std::string_view> lines;      // sorted by their path
  };
  std::vector<Table> tables_;
};

}  // namespace pare::deb
