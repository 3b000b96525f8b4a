// Finding the checkout a spec lives in and reading HEAD and origin from it (git.h).
#include <system_error>

#include "util/fs.h"
#include "vcs/git.h"

namespace pare::vcs {

namespace stdfs = std::filesystem;

namespace {

// Limits: HEAD, a loose ref, a .git file and commondir are one line; config is hand-edited;
// packed-refs grows with the number of tags (64 MiB is far beyond any real repository's).
constexpr uint64_t kLineFileLimit = 4096;
constexpr uint64_t kConfigLimit = 1 << 20;
constexpr uint64_t kPackedRefsLimit = 64ull << 20;
constexpr int kMaxSymrefDepth = 5;

struct GitDirs {
  stdfs::path git_dir;  // HEAD lives here
  stdfs::path common;   // refs, packed-refs and config live here (== git_dir but for worktrees)
};

// A one-line git file's value: its trailing CR/LF removed (git strips only those).
std::string without_line_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::optional<std::string> read_if(const FileReader& read, const stdfs::path& p, uint64_t limit) {
  auto r = read(p, limit);
  if (!r.ok()) return std::nullopt;
  return std::move(*r);
}

// dir/.git as a directory, or a "gitdir: PATH" file (worktrees, submodules).
std::optional<GitDirs> git_dirs_at(const stdfs::path& dir, const FileReader& read) {
  stdfs::path dot_git = dir / ".git";
  std::error_code ec;
  stdfs::path git_dir;
  if (stdfs::is_directory(dot_git, ec)) {
    git_dir = dot_git;
  } else if (stdfs::is_regular_file(dot_git, ec)) {
    auto text = read_if(read, dot_git, kLineFileLimit);
    if (!text || text->rfind("gitdir:", 0) != 0) return std::nullopt;
    std::string target = without_line_end(text->substr(7));
    while (!target.empty() && target.front() == ' ') target.erase(0, 1);
    if (target.empty()) return std::nullopt;
    git_dir = (dir / target).lexically_normal();
  } else {
    return std::nullopt;
  }
  GitDirs dirs{git_dir, git_dir};
  if (auto common = read_if(read, git_dir / "commondir", kLineFileLimit)) {
    std::string rel = without_line_end(std::move(*common));
    if (!rel.empty()) dirs.common = (git_dir / rel).lexically_normal();
  }
  return dirs;
}

std::optional<std::string> resolve_ref(const GitDirs& dirs, std::string ref,
                                       const FileReader& read) {
  for (int depth = 0; depth < kMaxSymrefDepth; ++depth) {
    std::optional<std::string> text = read_if(read, dirs.git_dir / ref, kLineFileLimit);
    if (!text && dirs.common != dirs.git_dir)
      text = read_if(read, dirs.common / ref, kLineFileLimit);
    if (!text) {
      auto packed = read_if(read, dirs.common / "packed-refs", kPackedRefsLimit);
      return packed ? find_packed_ref(*packed, ref) : std::nullopt;
    }
    if (auto id = parse_loose_ref(*text)) return id;
    auto head = parse_head(*text);  // a symbolic ref pointing on
    if (!head || head->ref.empty()) return std::nullopt;
    ref = head->ref;
  }
  return std::nullopt;
}

}  // namespace

FileReader disk_reader() {
  return [](const stdfs::path& p, uint64_t limit) { return fs::read_file(p, limit); };
}

std::optional<GitInfo> find_git_info(const stdfs::path& start, const FileReader& read) {
  for (stdfs::path dir = start.lexically_normal();; dir = dir.parent_path()) {
    if (auto dirs = git_dirs_at(dir, read)) {
      auto head_text = read_if(read, dirs->git_dir / "HEAD", kLineFileLimit);
      auto head = head_text ? parse_head(*head_text) : std::nullopt;
      if (!head) return std::nullopt;
      GitInfo info;
      info.revision =
          head->ref.empty() ? head->commit : resolve_ref(*dirs, head->ref, read).value_or("");
      if (auto config = read_if(read, dirs->common / "config", kConfigLimit))
        if (auto url = remote_url(*config, "origin")) info.source_url = public_source_url(*url);
      return info;
    }
    if (dir == dir.parent_path() || dir.empty()) return std::nullopt;
  }
}

}  // namespace pare::vcs
