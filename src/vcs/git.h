// What a git checkout says about where a spec came from: the commit HEAD names and the
// origin remote's URL, read straight from the .git directory (no git binary, no libgit2).
// They become the image annotations org.opencontainers.image.revision / .source / .url
// (image-spec annotations.md).
//
// Formats followed (git's documentation: gitrepository-layout(5), git-config(1),
// gitglossary "symref"):
//   HEAD          "ref: refs/heads/NAME\n" or a detached commit id (40 or 64 hex digits)
//   refs/...      a loose ref: one commit id and a newline
//   packed-refs   "# pack-refs with: ..." header, "ID REFNAME" lines, "^ID" peeled lines
//   config        INI-like: [section "subsection"] then "key = value"; # and ; comments;
//                 values may be quoted, with \" \\ \n \t escapes
//   .git file     "gitdir: PATH" (worktrees, submodules); the git dir's "commondir" file
//                 names where refs and config live, relative to it
// Every file is read with a size limit; anything malformed means "no information", never a
// failure of the build: a spec outside a usable checkout simply gets no source annotations.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace pare::vcs {

struct GitInfo {
  std::string revision;    // the commit id HEAD resolves to (lowercase hex)
  std::string source_url;  // origin's URL made public (public_source_url); "" if none
};

// --- parsers over bytes already read (fuzz target: tests/fuzz/fuzz_git.cpp) ---------------

// HEAD's content: a symbolic ref ("refs/heads/main") or a commit id.
struct Head {
  std::string ref;     // set for "ref: ..."
  std::string commit;  // set for a detached HEAD
};
std::optional<Head> parse_head(std::string_view text);

// A loose ref file: the commit id it holds.
std::optional<std::string> parse_loose_ref(std::string_view text);

// The commit id packed-refs gives for `ref`.
std::optional<std::string> find_packed_ref(std::string_view packed_refs, std::string_view ref);

// The value of remote.<remote>.url in a git config file (the last one wins, as in git).
std::optional<std::string> remote_url(std::string_view config, std::string_view remote);

// A URL fit to publish in an image: credentials removed; ssh, scp-like and git:// forms
// become https:// on the same host and path; a trailing ".git" is dropped. Local paths and
// file: URLs give "" (they mean nothing outside this machine).
std::string public_source_url(std::string_view url);

bool is_commit_id(std::string_view s);  // 40 (SHA-1) or 64 (SHA-256) lowercase hex digits

// --- the checkout on disk ------------------------------------------------------------------

// Reads a file of at most `limit` bytes; not_found when it does not exist.
using FileReader =
    std::function<Result<std::string>(const std::filesystem::path& path, uint64_t limit)>;
FileReader disk_reader();  // util/fs read_file

// The checkout holding `dir` (searched upward to the filesystem root), or nullopt when there
// is none or it cannot be read.
std::optional<GitInfo> find_git_info(const std::filesystem::path& dir, const FileReader& read);

}  // namespace pare::vcs
