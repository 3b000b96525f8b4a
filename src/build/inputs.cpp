#include "build/inputs.h"

#include "rootfs/filter.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/fs.h"

namespace pare::build {

namespace {

namespace stdfs = std::filesystem;

// Whether `path` (absolute, lexically normal) lies in `dir` or is `dir`.
bool inside(const stdfs::path& path, const stdfs::path& dir) {
  auto rel = path.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

bool inside_any(const stdfs::path& path, const std::vector<stdfs::path>& dirs) {
  return std::any_of(dirs.begin(), dirs.end(), [&](const auto& d) { return inside(path, d); });
}

std::string contexts_text(const std::vector<stdfs::path>& contexts) {
  std::string out;
  for (const auto& c : contexts) out += (out.empty() ? "" : " or ") + c.string();
  return out;
}

// The real (symlink-free) form of each context, for comparing real paths.
std::vector<stdfs::path> real_contexts(const std::vector<stdfs::path>& contexts) {
  std::vector<stdfs::path> out;
  for (const auto& c : contexts) {
    std::error_code ec;
    auto real = stdfs::weakly_canonical(c, ec);
    out.push_back(ec ? c : real);
  }
  return out;
}

Result<LocalEntry> describe(const stdfs::path& path, std::string rel, bool follow,
                            const std::string& where) {
  struct stat st;
  int rc = follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
  if (rc != 0) {
    if (errno == ENOENT)
      return Error(Errc::not_found, where + ": " + path.string() + " does not exist");
    if (errno == ELOOP)
      return Error(Errc::invalid, where + ": " + path.string() + ": a symbolic link loop");
    return Error(Errc::invalid,
                 where + ": cannot read " + path.string() + ": " + std::strerror(errno));
  }
  LocalEntry e;
  e.path = path;
  e.rel = std::move(rel);
  e.mode = st.st_mode & 07777;
  if (S_ISREG(st.st_mode)) {
    e.kind = LocalEntry::Kind::file;
    e.size = static_cast<uint64_t>(st.st_size);
    if (e.size > kMaxLocalFile)
      return Error(Errc::invalid, where + ": " + path.string() + " is " + std::to_string(e.size) +
                                      " bytes, more than the " + std::to_string(kMaxLocalFile) +
                                      " a local file may be");
  } else if (S_ISDIR(st.st_mode)) {
    e.kind = LocalEntry::Kind::dir;
  } else if (S_ISLNK(st.st_mode)) {
    e.kind = LocalEntry::Kind::symlink;
    std::error_code ec;
    e.link = stdfs::read_symlink(path, ec).string();
    if (ec) return Error(Errc::invalid, where + ": cannot read the link " + path.string());
  } else {
    return Error(Errc::invalid, where + ": " + path.string() + " is " + fs::file_kind(st.st_mode) +
                                    ": only files, directories and symlinks are copied");
  }
  return e;
}

}  // namespace

std::vector<stdfs::path> contexts_for(const spec::Spec& spec, const spec::Level& level) {
  std::vector<stdfs::path> out{level.file.parent_path()};
  if (spec.context) out.push_back(*spec.context);
  return out;
}

Result<std::vector<LocalEntry>> list_local(const stdfs::path& src,
                                           const std::vector<stdfs::path>& contexts,
                                           const std::string& where) {
  // Lexically first (`..`, absolute paths), then as the filesystem resolves
  // it (a symlink on the way, or the source itself, pointing out).
  if (!inside_any(src, contexts))
    return Error(Errc::invalid, where + ": " + src.string() + " is outside the build context (" +
                                    contexts_text(contexts) +
                                    "); move it there or pass --context DIR");
  std::error_code ec;
  stdfs::path real = stdfs::weakly_canonical(src, ec);
  if (!ec && !inside_any(real, real_contexts(contexts)))
    return Error(Errc::invalid, where + ": " + src.string() + " resolves to " + real.string() +
                                    ", outside the build context (" + contexts_text(contexts) +
                                    "); pass --context DIR to allow it");
  PARE_TRY(LocalEntry top, describe(src, "", true, where));
  std::vector<LocalEntry> out{top};
  if (top.kind != LocalEntry::Kind::dir) return out;
  std::vector<stdfs::path> children;
  for (auto it = stdfs::recursive_directory_iterator(src, ec); !ec && it != stdfs::end(it);
       it.increment(ec))
    children.push_back(it->path());
  if (ec)
    return Error(Errc::invalid, where + ": cannot list " + src.string() + ": " + ec.message());
  std::sort(children.begin(), children.end());
  for (const auto& c : children) {
    // Lexically: stdfs::relative() resolves symlinks, which put a link at its target's path.
    PARE_TRY(LocalEntry e, describe(c, c.lexically_relative(src).string(), false, where));
    out.push_back(std::move(e));
  }
  return out;
}

bool excluded(const std::vector<std::string>& patterns, std::string_view rel) {
  bool out = false;
  for (std::string_view p : patterns) {
    bool negated = !p.empty() && p.front() == '!';
    if (negated) p.remove_prefix(1);
    while (p.substr(0, 2) == "./") p.remove_prefix(2);
    while (!p.empty() && p.front() == '/') p.remove_prefix(1);
    while (p.size() > 1 && p.back() == '/') p.remove_suffix(1);
    // A pattern matching a directory leaves out everything below it.
    bool match = false;
    for (size_t end = rel.find('/'); !match; end = rel.find('/', end + 1)) {
      match = rootfs::glob_match(p, rel.substr(0, end));
      if (end == std::string_view::npos) break;
    }
    if (match) out = !negated;
  }
  return out;
}

Result<std::vector<LocalEntry>> list_item(const spec::FileItem& item,
                                          const std::vector<stdfs::path>& contexts) {
  const std::string where = item.loc.str();
  std::string name = item.src.filename().string();
  std::vector<LocalEntry> entries;
  if (name.find_first_of("*?[") == std::string::npos) {
    PARE_TRY(entries, list_local(item.src, contexts, where));
  } else {
    PARE_TRY(auto all, list_local(item.src.parent_path(), contexts, where));
    if (all.front().kind != LocalEntry::Kind::dir)
      return Error(Errc::invalid,
                   where + ": " + item.src.parent_path().string() + " is not a directory");
    entries.push_back(all.front());
    for (size_t i = 1; i < all.size(); ++i)
      if (rootfs::glob_match(name, all[i].rel.substr(0, all[i].rel.find('/'))))
        entries.push_back(std::move(all[i]));
    if (entries.size() == 1)
      return Error(Errc::not_found, where + ": " + item.src.string() + " matches nothing");
  }
  if (item.exclude.empty()) return entries;
  std::vector<LocalEntry> kept{entries.front()};
  for (size_t i = 1; i < entries.size(); ++i)
    if (!excluded(item.exclude, entries[i].rel)) kept.push_back(std::move(entries[i]));
  return kept;
}

Result<std::string> read_local(const LocalEntry& entry, const std::string& where, uint64_t limit) {
  auto bytes = fs::read_file(entry.path, limit);
  if (!bytes.ok()) return bytes.error().context(where);
  return bytes;
}

Result<void> check_local_inputs(const spec::Spec& spec) {
  for (const auto& level : spec.levels) {
    auto contexts = contexts_for(spec, level);
    for (const auto& f : level.files) {
      auto listed = list_item(f, contexts);
      if (!listed.ok()) return listed.error();
    }
    for (const auto& c : level.certificates) {
      std::string where = level.file.string() + ": certificates";
      PARE_TRY(auto entries, list_local(c, contexts, where));
      if (entries.front().kind != LocalEntry::Kind::file)
        return Error(Errc::invalid, where + ": " + c.string() + " is not a file");
      if (entries.front().size > kMaxCertificateFile)
        return Error(Errc::invalid, where + ": " + c.string() + " is larger than " +
                                        std::to_string(kMaxCertificateFile) + " bytes");
    }
  }
  if (!spec.source.keyring.empty()) {
    struct stat st;
    if (::stat(spec.source.keyring.c_str(), &st) != 0)
      return Error(Errc::not_found, "source.keyring: " + spec.source.keyring + " does not exist");
    if (!S_ISREG(st.st_mode))
      return Error(Errc::invalid, "source.keyring: " + spec.source.keyring + " is " +
                                      fs::file_kind(st.st_mode) + ", not a file");
  }
  return {};
}

}  // namespace pare::build
