#include "inspect/files.h"

#include <algorithm>
#include "sbom/layer_summary.h"

namespace pare::inspect {

namespace {

using Type = sbom::FileEntry::Type;

std::string relative(const std::string& path) {
  std::string p = path;
  while (!p.empty() && p.front() == '/') p.erase(0, 1);
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p;
}

bool is_dir_at(const Entries& entries, const std::string& rel) {
  if (rel.empty()) return true;
  auto it = entries.find(rel);
  if (it != entries.end()) return it->second.type == Type::dir;
  auto below = entries.lower_bound(rel + "/");  // implied by what lies below it
  return below != entries.end() && below->first.rfind(rel + "/", 0) == 0;
}

ListedEntry listed(const std::string& rel, const Entries& entries) {
  auto it = entries.find(rel);
  if (it != entries.end()) return {"/" + rel, it->second, false};
  sbom::FileEntry dir;
  dir.type = Type::dir;
  dir.mode = 0755;
  return {"/" + rel, dir, true};
}

}  // namespace

Result<Entries> read_entries(const oci::ImageOnDisk& image) {
  PARE_TRY(sbom::FlatImage flat,
           sbom::read_flat_summaries(sbom::layer_refs(image), image.derived_cache));
  return std::move(flat.entries);
}

Result<std::vector<ListedEntry>> list_entries(const Entries& entries, const std::string& path,
                                              bool recursive) {
  std::string rel = relative(path);
  // Links in the directories above the entry are followed, as a shell's `ls` follows them
  // (/bin/prog under a merged /usr is /usr/bin/prog); the entry itself is handled below.
  if (size_t slash = rel.rfind('/'); slash != std::string::npos) {
    std::string parent = sbom::resolve_path(entries, rel.substr(0, slash));
    if (!parent.empty()) rel = parent + rel.substr(slash);
  }
  std::string where = rel;
  if (!rel.empty() && !entries.count(rel) && !is_dir_at(entries, rel))
    return Error(Errc::not_found, "/" + rel + ": no such file or directory in the image");
  // A symlink to a directory lists the directory, as `ls /lib/` would.
  if (auto it = entries.find(rel); it != entries.end() && it->second.type == Type::symlink) {
    std::string target = sbom::resolve_path(entries, rel);
    if (!target.empty() && is_dir_at(entries, target)) where = target;
  }
  std::vector<ListedEntry> out;
  if (!is_dir_at(entries, where)) {
    out.push_back(listed(rel, entries));
    return out;
  }
  std::string prefix = where.empty() ? "" : where + "/";
  std::vector<std::string> names;
  for (auto it = entries.lower_bound(prefix);
       it != entries.end() && it->first.rfind(prefix, 0) == 0; ++it) {
    std::string rest = it->first.substr(prefix.size());
    if (recursive) {
      // Directories only implied by deeper paths are listed too.
      for (size_t slash = rest.find('/'); slash != std::string::npos;
           slash = rest.find('/', slash + 1))
        names.push_back(prefix + rest.substr(0, slash));
      names.push_back(it->first);
    } else {
      names.push_back(prefix + rest.substr(0, rest.find('/')));
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  for (const auto& n : names) out.push_back(listed(n, entries));
  return out;
}

namespace {

// The bytes of `name` as layer `layer` wrote them.
Result<std::string> read_from_layer(const oci::ImageOnDisk& image, size_t layer,
                                    const std::string& name, const std::string& shown,
                                    uint64_t limit) {
  if (layer >= image.layer_files.size()) return Error(Errc::internal, "layer index out of range");
  sbom::ReadOptions options;
  options.content = [&](const std::string& p) { return p == name; };
  options.max_file_bytes = limit;
  options.max_total_bytes = limit;
  PARE_TRY(sbom::LayerFiles files,
           sbom::read_layer(sbom::layer_refs(image)[layer], options, layer));
  auto found = files.files.find(name);
  if (found == files.files.end())
    return Error(Errc::invalid, shown + " is larger than " + std::to_string(limit) +
                                    " bytes or missing from its layer: not read");
  return std::move(found->second);
}

}  // namespace

Result<std::string> read_image_file(const oci::ImageOnDisk& image, const Entries& entries,
                                    const std::string& path, uint64_t limit) {
  std::string rel = relative(path), cur = rel;
  for (int hops = 0; hops <= 40; ++hops) {
    std::string at = sbom::resolve_path(entries, cur, false);
    auto it = at.empty() ? entries.end() : entries.find(at);
    if (it == entries.end()) {
      if (!at.empty() && is_dir_at(entries, at))
        return Error(Errc::invalid, "/" + rel + " is a directory (pare ls lists it)");
      return Error(Errc::not_found, "/" + rel + ": no such file in the image");
    }
    const sbom::FileEntry& e = it->second;
    switch (e.type) {
      case Type::symlink:
        cur =
            !e.link.empty() && e.link.front() == '/'
                ? e.link
                : at.substr(0, at.rfind('/') == std::string::npos ? 0 : at.rfind('/') + 1) + e.link;
        continue;
      case Type::hardlink:
        // A hardlink is the file its layer linked it to, as that layer had it: a later layer
        // that rewrites or removes the target does not change it (a runtime keeps the inode).
        return read_from_layer(image, e.layer, e.link, "/" + rel, limit);
      case Type::dir:
        return Error(Errc::invalid, "/" + rel + " is a directory (pare ls lists it)");
      case Type::other:
        return Error(Errc::invalid,
                     "/" + rel + " is not a regular file (pare ls shows what it is)");
      case Type::file:
        if (e.size > limit)
          return Error(Errc::invalid,
                       "/" + rel + " is larger than " + std::to_string(limit) + " bytes: not read");
        // Only the layer that put the file there needs reading.
        return read_from_layer(image, e.layer, at, "/" + rel, limit);
    }
  }
  return Error(Errc::invalid, "/" + rel + ": too many levels of symbolic links");
}

std::vector<ListedEntry> largest_files(const Entries& entries, size_t count) {
  std::vector<ListedEntry> files;
  for (const auto& [path, e] : entries)
    if (e.type == Type::file) files.push_back({"/" + path, e, false});
  auto bigger = [](const ListedEntry& a, const ListedEntry& b) {
    return a.entry.size != b.entry.size ? a.entry.size > b.entry.size : a.path < b.path;
  };
  size_t n = std::min(count, files.size());
  std::partial_sort(files.begin(), files.begin() + static_cast<long>(n), files.end(), bigger);
  files.resize(n);
  return files;
}

std::string mode_string(const sbom::FileEntry& e) {
  std::string s = "----------";
  switch (e.type) {
    case Type::dir:
      s[0] = 'd';
      break;
    case Type::symlink:
      s[0] = 'l';
      break;
    case Type::hardlink:
      s[0] = 'h';
      break;
    case Type::other:
      s[0] = '?';
      break;
    case Type::file:
      break;
  }
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i)
    if (e.mode & (0400u >> i)) s[static_cast<size_t>(i + 1)] = rwx[i];
  auto special = [&](uint32_t bit, size_t pos, char with_x, char without_x) {
    if (e.mode & bit) s[pos] = s[pos] == '-' ? without_x : with_x;
  };
  special(04000, 3, 's', 'S');
  special(02000, 6, 's', 'S');
  special(01000, 9, 't', 'T');
  return s;
}

}  // namespace pare::inspect
