// Local inputs: the files a spec copies into an image (`files:` and
// `certificates:`), read by one walker so that the layer key, the early check
// and the layer itself see exactly the same things.
//
// The rule is Docker's build context: a level's local files come from its own
// spec file's directory tree, or from the --context directory the command line
// names (spec::Spec::context). A source reached through `..`, an absolute
// path, or a symlink that resolves outside every allowed context is refused;
// inside a copied directory a symlink is copied as a link, never followed.
// Only regular files, directories and symlinks are copied: a FIFO, device or
// socket is an error naming it, and every file is bounded before it is read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "spec/spec.h"
#include "util/result.h"

namespace pare::build {

// The most one local file may weigh (it is held in memory while its layer is written).
inline constexpr uint64_t kMaxLocalFile = uint64_t{1} << 30;
// The most a certificates: file may weigh.
inline constexpr uint64_t kMaxCertificateFile = uint64_t{4} << 20;

struct LocalEntry {
  enum class Kind { file, dir, symlink } kind = Kind::file;
  std::filesystem::path path;  // on the host
  std::string rel;             // "" for the source itself, else "a/b" below it
  std::string link;            // symlink target, as written
  uint32_t mode = 0;           // permission bits on the host
  uint64_t size = 0;           // files
};

// The directories local files of `level` may come from.
std::vector<std::filesystem::path> contexts_for(const spec::Spec& spec, const spec::Level& level);

// `src` and, when it is a directory, everything below it (sorted by path),
// after the context rule. Errors are Errc::invalid or Errc::not_found and
// start with `where` (the spec item's file:line:column).
Result<std::vector<LocalEntry>> list_local(const std::filesystem::path& src,
                                           const std::vector<std::filesystem::path>& contexts,
                                           const std::string& where);

// What a files: item copies: list_local of its src, or when src's last component is a glob,
// every match of it in its directory (with what is below each) as the children of a
// directory (rel names start at the match); minus what its exclude patterns leave out. A glob
// that matches nothing is Errc::not_found.
Result<std::vector<LocalEntry>> list_item(const spec::FileItem& item,
                                          const std::vector<std::filesystem::path>& contexts);

// Whether .dockerignore-style `patterns` leave `rel` out (see spec::FileItem::exclude).
bool excluded(const std::vector<std::string>& patterns, std::string_view rel);

// A file's bytes, bounded (a FIFO or device swapped in after listing is still refused).
Result<std::string> read_local(const LocalEntry& entry, const std::string& where,
                               uint64_t limit = kMaxLocalFile);

// Every local input of every level (files:, certificates:, a spec keyring)
// checked before anything is fetched, so a missing or refused file is
// reported at once rather than after the downloads.
Result<void> check_local_inputs(const spec::Spec& spec);

}  // namespace pare::build
