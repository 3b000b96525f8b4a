// Which paths of a package's data.tar the unpacker keeps.
//
// Default rules (what distroless-style images and dpkg's usual path-exclude
// configurations for minimal images drop):
//   - usr/share/doc/**: dropped, except usr/share/doc itself,
//     usr/share/doc/<pkg> (a directory, or a symlink to another package's
//     directory) and usr/share/doc/<pkg>/copyright, which are always kept;
//   - usr/share/man/**, usr/share/info/**, usr/share/locale/** (the
//     translations: <lang>/LC_MESSAGES/*.mo): dropped unless keep_man /
//     keep_info / keep_locales;
//   - usr/share/lintian/**, usr/share/linda/**, usr/share/bug/**: dropped
//     (packaging-tool data, useless in an image);
//   - everything else, including usr/share/common-licenses and the C.UTF-8
//     locale under usr/lib/locale, is kept.
// A "tree/**" rule drops the tree's root directory too.
//
// Paths are relative to the image root: "usr/share/doc/libc6/copyright". A
// leading "./" or "/" and a trailing "/" (tar's directory entries) are ignored.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pare::rootfs {

struct FilterOptions {
  bool keep_docs = false;
  bool keep_man = false;
  bool keep_info = false;
  bool keep_locales = false;
  // Glob patterns (see glob_match) of further paths to drop, e.g.
  // "usr/share/lintian/**" or "**/*.a". As in .gitignore, a pattern that
  // matches a directory drops everything beneath it too.
  std::vector<std::string> extra_excludes;
  // A slice of the package (a spec's `only:`): when not empty, only paths
  // matching one of these globs stay (a pattern matching a directory keeps
  // everything beneath it), with the directories leading to them and the
  // package's copyright. A pattern names a path as merged /usr would too:
  // "usr/sbin/ldconfig" also keeps "sbin/ldconfig" and the other way round.
  // The rules above still apply inside the slice.
  std::vector<std::string> only;
};

// True when the entry at `path` stays in the image.
bool keep_path(std::string_view path, const FilterOptions& options);

// True when the directory `path` lies wholly inside a dropped tree, i.e. every
// path beneath it is dropped (usr/share/man, usr/share/man/man1,
// usr/share/doc/libc6/examples), so the assembler can drop the directory
// itself instead of leaving it empty. False for usr/share/doc and
// usr/share/doc/<pkg>, which hold the kept copyright files.
bool is_filtered_dir(std::string_view path, const FilterOptions& options);

// A stable string naming the options' effect, for cache keys: equal for
// options that filter identically (exclude order and duplicates do not
// matter) and versioned so a change of the built-in rules changes it.
std::string filter_fingerprint(const FilterOptions& options);

// Glob matching on '/'-separated paths (both normalised as above):
//   "**" as a whole segment matches zero or more segments ("a/**" matches "a",
//   "a/b", "a/b/c"; "**/x.mo" matches "x.mo" and "a/b/x.mo");
//   "*" matches any run of characters within one segment (leading dots too);
//   "?" one character other than '/'; "[abc]", "[a-z]", "[!a-z]"/"[^a-z]" one
//   character of (not of) the set; "\\c" the character c literally. An
//   unterminated '[' is a literal '['. Runs of "/" are one separator.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace pare::rootfs
