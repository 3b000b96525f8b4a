#include "rootfs/assemble.h"

#include <algorithm>
#include <map>
#include <set>

#include "rootfs/usrmerge.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::rootfs {

namespace {

struct Item {
  oci::TarHeader header;
  std::string_view data;
  const UnpackedPackage* mapped_from = nullptr;  // data lies in this package's mapping
  const UnpackedEntry* entry = nullptr;          // ... as this entry of it
};

using Tree = std::map<std::string, Item>;
using Links = std::map<std::string, std::string>;  // image path -> symlink target

void put(Tree& tree, Item item) {
  auto [it, inserted] = tree.try_emplace(item.header.path, item);
  if (inserted) return;
  // A directory already there stays (first package's metadata, like dpkg).
  if (it->second.header.type == oci::EntryType::dir && item.header.type == oci::EntryType::dir)
    return;
  it->second = std::move(item);
}

// Hardlink groups: in sorted order the first member carries the data and the
// others link to it, whichever of them was the original target in the package.
Result<void> repoint_hardlinks(Tree& tree) {
  std::map<std::string, std::vector<std::string>> groups;  // original target -> links
  for (auto& [path, item] : tree)
    if (item.header.type == oci::EntryType::hardlink) groups[item.header.link].push_back(path);
  for (auto& [target, links] : groups) {
    auto t = tree.find(target);
    if (t == tree.end() || t->second.header.type != oci::EntryType::file) {
      for (const auto& l : links) tree.erase(l);  // the target was filtered out
      continue;
    }
    std::vector<std::string> members = links;
    members.push_back(target);
    std::sort(members.begin(), members.end());
    Item file = t->second;
    const std::string& first = members.front();
    for (const auto& m : members) {
      Item& it = tree[m];
      if (m == first) {
        it = file;
        it.header.path = m;
      } else {
        it.header = file.header;
        it.header.path = m;
        it.header.type = oci::EntryType::hardlink;
        it.header.link = first;
        it.header.size = 0;
        it.data = {};
      }
    }
  }
  return {};
}

}  // namespace

// Where `path` is stored when some of its parent directories are symlinks
// (base-files' var/run -> /run): through the links, as dpkg follows a
// symlinked directory on disk. Else a directory entry in an upper layer
// would replace the lower layer's link in the image. A loop of links leaves
// the path as it is.
std::string path_through_links(const Links& links, const std::string& path) {
  if (links.empty()) return path;
  std::string out = path;
  for (int hop = 0; hop < 32; ++hop) {
    size_t slash = out.find('/');
    Links::const_iterator link = links.end();
    for (; slash != std::string::npos; slash = out.find('/', slash + 1))
      if ((link = links.find(out.substr(0, slash))) != links.end()) break;
    if (slash == std::string::npos) return out;
    std::string dir = resolve_link_target(link->first, link->second);
    out = dir.empty() ? out.substr(slash + 1) : dir + out.substr(slash);
  }
  return path;
}

// A link that itself lies under a symlinked directory is stored through it
// (var/run/app -> /srv is stored as run/app); its target text is unchanged,
// read from where it is stored as the kernel reads it.
Links links_as_stored(Links links) {
  for (int pass = 0; pass < 8; ++pass) {
    Links moved;
    for (const auto& [path, target] : links) moved[path_through_links(links, path)] = target;
    if (moved == links) break;
    links = std::move(moved);
  }
  return links;
}

oci::TarHeader stored_header(const oci::TarHeader& h, bool merged_usr) {
  if (!merged_usr) return h;
  oci::TarHeader out = h;
  out.path = merged_usr_path(h.path);
  if (h.type == oci::EntryType::hardlink) out.link = merged_usr_path(h.link);
  if (h.type == oci::EntryType::symlink) out.link = merged_usr_link_target(h.path, h.link);
  return out;
}

std::vector<std::string> missing_parents(const std::vector<std::string>& paths) {
  std::set<std::string> have(paths.begin(), paths.end()), need;
  for (const auto& p : paths)
    for (size_t slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1)) {
      std::string parent = p.substr(0, slash);
      if (!have.count(parent)) need.insert(parent);
    }
  return {need.begin(), need.end()};
}

Result<LayerStats> write_layer(const LayerContent& content, oci::TarWriter& tar) {
  auto keep = [&](const UnpackedPackage& pkg, const oci::TarHeader& h) {
    return !(content.merged_usr && is_merged_usr_alias(h.path)) &&
           !(content.drop && content.drop(pkg, h));
  };
  // A spec's "/bin/tool" is stored where merged /usr keeps it (usr/bin/tool);
  // the alias links themselves ("bin" -> "usr/bin") stay where they are.
  auto generated_header = [&](const GeneratedEntry& g) {
    bool move = content.merged_usr && !is_merged_usr_alias(g.header.path);
    return move ? stored_header(g.header, true) : g.header;
  };
  Links links = content.links_below;  // and this layer's own, below
  for (const UnpackedPackage* pkg : content.packages)
    for (const auto& e : pkg->entries)
      if (e.header.type == oci::EntryType::symlink && keep(*pkg, e.header)) {
        oci::TarHeader h = stored_header(e.header, content.merged_usr);
        links[h.path] = h.link;
      }
  for (const auto& g : content.generated)
    if (g.header.type == oci::EntryType::symlink) {
      oci::TarHeader h = generated_header(g);
      links[h.path] = h.link;
    }
  links = links_as_stored(std::move(links));
  // Stores an entry through symlinked parents; a directory where a link is
  // stays the link (dpkg keeps a symlink to a directory that a package ships
  // as a directory). Returns false for an entry left out.
  auto place = [&](Item& item) {
    item.header.path = path_through_links(links, item.header.path);
    if (item.header.type == oci::EntryType::hardlink)
      item.header.link = path_through_links(links, item.header.link);
    return !(item.header.type == oci::EntryType::dir && links.count(item.header.path));
  };

  Tree tree;
  for (const UnpackedPackage* pkg : content.packages) {
    for (const auto& e : pkg->entries) {
      if (!keep(*pkg, e.header)) continue;
      Item item{stored_header(e.header, content.merged_usr), {}, nullptr, nullptr};
      if (item.header.type == oci::EntryType::file) {
        item.data = pkg->bytes(e);
        item.mapped_from = pkg;
        item.entry = &e;
      }
      if (place(item)) put(tree, std::move(item));
    }
  }
  for (const auto& g : content.generated) {
    Item item{generated_header(g), g.content, nullptr, nullptr};
    if (item.header.type == oci::EntryType::file) item.header.size = g.content.size();
    if (place(item)) tree[item.header.path] = item;
  }
  std::vector<std::string> all;
  for (const auto& [p, _] : tree) all.push_back(p);
  for (const auto& parent : missing_parents(all)) {
    oci::TarHeader dir;
    dir.path = parent;
    dir.type = oci::EntryType::dir;
    dir.mode = 0755;
    tree.emplace(parent, Item{dir, {}, nullptr, nullptr});
  }
  PARE_CHECK(repoint_hardlinks(tree));
  LayerStats stats;
  for (auto& [path, item] : tree) {
    item.header.mtime = content.mtime;
    // Checked as it is written, so only this layer's files are hashed.
    if (item.entry && !item.data.empty()) PARE_CHECK(item.mapped_from->check(*item.entry));
    PARE_CHECK(tar.add(item.header, item.data));
    if (content.observe) {
      bool file = item.header.type == oci::EntryType::file;
      std::string sha = !file        ? ""
                        : item.entry ? item.mapped_from->digest_of(*item.entry)
                                     : sha256_hex(item.data);
      if (file && sha.empty()) sha = sha256_hex(item.data);
      content.observe(item.header, item.data, sha);
    }
    if (item.mapped_from) item.mapped_from->release(item.data);
    ++stats.entries;
    stats.file_bytes += item.data.size();
  }
  return stats;
}

}  // namespace pare::rootfs
