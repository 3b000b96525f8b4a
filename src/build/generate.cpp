#include "build/generate.h"

#include <algorithm>
#include <map>
#include <set>
#include <span>

#include "build/inputs.h"
#include "oci/tar.h"
#include "rootfs/busybox.h"
#include "rootfs/cacerts.h"
#include "rootfs/generated.h"
#include "rootfs/usrmerge.h"
#include "spec/suites.h"
#include "util/compress.h"
#include "util/fs.h"

namespace pare::build {

rootfs::GeneratedEntry generated_file(std::string path, std::string content, uint32_t mode,
                                      uint32_t uid, uint32_t gid) {
  rootfs::GeneratedEntry e;
  e.header.path = std::move(path);
  e.header.type = oci::EntryType::file;
  e.header.mode = mode;
  e.header.uid = uid;
  e.header.gid = gid;
  e.header.size = content.size();
  e.content = std::move(content);
  return e;
}

namespace {

using oci::EntryType;
using rootfs::GeneratedEntry;

std::string rel(const std::string& abs) {
  size_t i = 0;
  while (i < abs.size() && abs[i] == '/') ++i;
  std::string out = abs.substr(i);
  while (!out.empty() && out.back() == '/') out.pop_back();
  return out;
}

GeneratedEntry file(std::string path, std::string content, uint32_t mode = 0644, uint32_t uid = 0,
                    uint32_t gid = 0) {
  return generated_file(std::move(path), std::move(content), mode, uid, gid);
}

GeneratedEntry dir(std::string path, uint32_t mode = 0755, uint32_t uid = 0, uint32_t gid = 0) {
  GeneratedEntry e;
  e.header.path = std::move(path);
  e.header.type = EntryType::dir;
  e.header.mode = mode;
  e.header.uid = uid;
  e.header.gid = gid;
  return e;
}

GeneratedEntry symlink(std::string path, std::string target) {
  GeneratedEntry e;
  e.header.path = std::move(path);
  e.header.type = EntryType::symlink;
  e.header.mode = 0777;
  e.header.link = std::move(target);
  return e;
}

// Architectures whose dynamic loader lives in /lib64.
bool has_lib64(const std::string& arch) {
  return arch == "amd64" || arch == "ppc64el";
}

Result<rootfs::Accounts> accounts_upto(const spec::Spec& spec, size_t level) {
  rootfs::Accounts acc = rootfs::default_accounts();
  for (size_t l = 0; l <= level; ++l) {
    std::vector<rootfs::Account> users;
    std::vector<rootfs::GroupEntry> groups;
    for (const auto& u : spec.levels[l].users)
      users.push_back({u.name, u.uid, u.gid, u.gecos.empty() ? u.name : u.gecos, u.home, u.shell});
    for (const auto& g : spec.levels[l].groups) groups.push_back({g.name, g.gid, g.members});
    auto merged = rootfs::merge_accounts(std::move(acc), users, groups);
    if (!merged.ok()) return merged.error().context(spec.levels[l].file.string());
    acc = std::move(merged.value());
  }
  return acc;
}

Result<void> add_skeleton(const LevelContext& ctx, std::vector<GeneratedEntry>& out) {
  const spec::Spec& spec = ctx.spec;
  out.push_back(dir("tmp", 01777));
  out.push_back(dir("root", 0700));
  out.push_back(dir("home", 0755));
  out.push_back(dir("home/nonroot", 0700, rootfs::kNonrootId, rootfs::kNonrootId));
  out.push_back(dir("var/lib/dpkg/status.d", 0755));
  out.push_back(file("etc/nsswitch.conf", rootfs::nsswitch_conf()));
  out.push_back(
      file("usr/lib/os-release", rootfs::os_release({spec.suite_version, spec.source.suite})));
  out.push_back(symlink("etc/os-release", "../usr/lib/os-release"));
  if (ctx.merged_usr) {
    std::vector<std::string> libdirs;
    if (has_lib64(ctx.plan.arch)) libdirs.push_back("lib64");
    for (const auto& [link, target] : rootfs::merged_usr_links(libdirs)) {
      out.push_back(symlink(link, target));
      out.push_back(dir(target, 0755));
    }
  }
  return {};
}

void add_home_dirs(const spec::Level& level, std::vector<GeneratedEntry>& out) {
  for (const auto& u : level.users) {
    std::string home = rel(u.home.empty() ? "/home/" + u.name : u.home);
    if (home.empty() || home == "nonexistent") continue;
    out.push_back(dir(home, 0700, u.uid, u.gid));
  }
}

Result<void> add_accounts(const LevelContext& ctx, std::vector<GeneratedEntry>& out) {
  PARE_TRY(rootfs::Accounts acc, accounts_upto(ctx.spec, ctx.level));
  out.push_back(file("etc/passwd", rootfs::passwd_file(acc)));
  out.push_back(file("etc/group", rootfs::group_file(acc)));
  add_home_dirs(ctx.spec.levels[ctx.level], out);
  return {};
}

Result<void> add_status(const LevelContext& ctx, std::vector<GeneratedEntry>& out) {
  for (const auto& p : ctx.plan.levels[ctx.level]) {
    // The name becomes a path: never trust an index (or a mirror with its own keyring) with that.
    if (!spec::is_valid_package_name(p.name))
      return Error(Errc::invalid, "the index names a package '" + p.name +
                                      "', which is not a Debian package name (Policy 5.6.1)");
    const rootfs::UnpackedPackage* here = find_unpacked(ctx.unpacked, p);
    if (!here) continue;
    const rootfs::UnpackedPackage& pkg = *here;
    // A package sliced below and extended here: its md5sums cover every slice.
    std::set<std::string_view> present;
    for (const auto* form : forms_upto(ctx, p))
      for (const auto& e : form->entries)
        if (!left_out_of_image(pkg.name, e.header.path)) present.insert(e.header.path);
    const std::string base = "var/lib/dpkg/status.d/" + p.name;
    out.push_back(file(base, rootfs::status_d_entry(pkg.control)));
    std::string sums = rootfs::filtered_md5sums(
        pkg.md5sums, [&](std::string_view path) { return present.count(path) > 0; });
    if (!sums.empty()) out.push_back(file(base + ".md5sums", std::move(sums)));
  }
  return {};
}

bool is_ca_cert(const oci::TarHeader& h) {
  return h.type == EntryType::file && h.path.rfind("usr/share/ca-certificates/", 0) == 0 &&
         h.path.size() > 4 && h.path.compare(h.path.size() - 4, 4, ".crt") == 0;
}

Result<void> add_ca_bundle(const LevelContext& ctx, std::vector<GeneratedEntry>& out) {
  if (!bundle_changes_here(ctx)) return {};
  PARE_TRY(std::string bundle, bundle_upto(ctx));
  out.push_back(file("etc/ssl/certs/ca-certificates.crt", std::move(bundle)));
  return {};
}

// The most a tarball given with extract: true may unpack to (a bound against bombs).
constexpr uint64_t kMaxExtracted = uint64_t{4} << 30;

}  // namespace

// extract: true — the tarball's entries below dest; they keep their modes (the item's mode,
// when set, applies to files) and take the item's owner.
Result<void> extract_tarball(const spec::FileItem& item, const LocalEntry& tarball,
                             std::vector<GeneratedEntry>& out) {
  const std::string where = item.loc.str();
  if (tarball.kind != LocalEntry::Kind::file)
    return Error(Errc::invalid, where + ": extract: " + item.src.string() + " is not a file");
  PARE_TRY(std::string bytes, read_local(tarball, where));
  // A plain tar is read as it is.
  Result<std::string> tar = has_compression_magic(bytes) ? decompress_all(bytes, kMaxExtracted)
                                                         : Result<std::string>(std::move(bytes));
  if (!tar.ok()) return tar.error().context(where + ": " + item.src.string());
  const std::string base = rel(item.dest);
  auto read =
      oci::read_tar(*tar, [&](const oci::TarHeader& h, std::string_view data) -> Result<void> {
        std::string path = h.path;
        if (path == ".") return {};
        if (!oci::is_plain_relative_path(path))
          // The read's error gets "file:line:col: SRC: " in front (below).
          return Error(Errc::invalid, "holds '" + path + "': not a plain path below dest");
        std::string dest = base.empty() ? path : base + "/" + path;
        switch (h.type) {
          case EntryType::file:
            out.push_back(file(dest, std::string(data), item.mode ? *item.mode : (h.mode & 07777),
                               item.uid, item.gid));
            break;
          case EntryType::dir:
            out.push_back(dir(dest, h.mode & 07777, item.uid, item.gid));
            break;
          case EntryType::symlink:
            out.push_back(symlink(dest, h.link));
            break;
          case EntryType::hardlink:
            return Error(Errc::unsupported,
                         "holds the hard link '" + path + "'; pare copies files, not hard links");
        }
        return {};
      });
  if (!read.ok()) return read.error().context(where + ": " + item.src.string());
  return {};
}

namespace {

Result<void> add_local_files(const LevelContext& ctx, const spec::FileItem& item,
                             std::vector<GeneratedEntry>& out) {
  const std::string where = item.loc.str();
  PARE_TRY(auto entries, list_item(item, contexts_for(ctx.spec, ctx.spec.levels[ctx.level])));
  auto mode_of = [&](const LocalEntry& e) {
    return item.mode ? *item.mode : local_file_mode(e.mode);
  };
  const std::string base = rel(item.dest);  // "" for dest "/"
  const LocalEntry& top = entries.front();
  if (item.extract) {
    if (!base.empty()) out.push_back(dir(base, 0755, item.uid, item.gid));
    return extract_tarball(item, top, out);
  }
  if (top.kind != LocalEntry::Kind::dir) {
    if (base.empty())
      return Error(Errc::invalid, where + ": dest \"/\" is the root directory; " +
                                      item.src.string() + " is a file: give it a name");
    PARE_TRY(std::string content, read_local(top, where));
    out.push_back(file(base, std::move(content), mode_of(top), item.uid, item.gid));
    return {};
  }
  // A directory copied to "/" merges into the root: no entry for the root itself.
  if (!base.empty()) out.push_back(dir(base, item.mode ? *item.mode : 0755, item.uid, item.gid));
  for (size_t i = 1; i < entries.size(); ++i) {
    const LocalEntry& e = entries[i];
    std::string dest = base.empty() ? e.rel : base + "/" + e.rel;
    switch (e.kind) {
      case LocalEntry::Kind::symlink:
        out.push_back(symlink(dest, e.link));
        break;
      case LocalEntry::Kind::dir:
        out.push_back(dir(dest, 0755, item.uid, item.gid));
        break;
      case LocalEntry::Kind::file: {
        PARE_TRY(std::string content, read_local(e, where));
        out.push_back(file(dest, std::move(content), mode_of(e), item.uid, item.gid));
        break;
      }
    }
  }
  return {};
}

// `permissions` re-emits an existing entry (from this layer or a lower
// package) with new mode/owner.
Result<void> add_permissions(const LevelContext& ctx, const spec::PathItem& item,
                             std::vector<GeneratedEntry>& out) {
  // Under merged /usr, "/bin/sh" names usr/bin/sh (the only place it is stored).
  std::string path = ctx.merged_usr ? rootfs::merged_usr_path(rel(item.path)) : rel(item.path);
  auto apply = [&](GeneratedEntry e) {
    if (item.mode) e.header.mode = *item.mode;
    if (item.uid) e.header.uid = *item.uid;
    if (item.gid) e.header.gid = *item.gid;
    return e;
  };
  for (auto it = out.rbegin(); it != out.rend(); ++it)
    if (it->header.path == path) {
      *it = apply(*it);
      return {};
    }
  // The latest package shipping the path is the one whose entry is in the image.
  std::vector<const rootfs::UnpackedPackage*> pkgs = packages_upto(ctx, ctx.level);
  for (auto pit = pkgs.rbegin(); pit != pkgs.rend(); ++pit)
    for (const auto& e : (*pit)->entries) {
      const rootfs::UnpackedPackage* pkg = *pit;
      std::string p = ctx.merged_usr ? rootfs::merged_usr_path(e.header.path) : e.header.path;
      if (p != path || e.header.type == EntryType::hardlink) continue;
      PARE_TRY(std::string_view bytes, pkg->checked_bytes(e));
      GeneratedEntry g{e.header, std::string(e.header.type == EntryType::file ? bytes : "")};
      g.header.path = path;
      if (ctx.merged_usr && g.header.type == EntryType::symlink)
        g.header.link = rootfs::merged_usr_link_target(e.header.path, e.header.link);
      out.push_back(apply(std::move(g)));
      return {};
    }
  return Error(Errc::invalid,
               item.loc.str() + ": permissions: " + item.path + " is not in the image");
}

Result<void> add_spec_path(const LevelContext& ctx, const spec::PathItem& p,
                           std::vector<GeneratedEntry>& out) {
  using T = spec::PathItem::Type;
  uint32_t uid = p.uid.value_or(0), gid = p.gid.value_or(0);
  switch (p.type) {
    case T::directory:
      out.push_back(dir(rel(p.path), p.mode.value_or(0755), uid, gid));
      break;
    case T::symlink:
      out.push_back(symlink(rel(p.path), p.target));
      break;
    case T::empty_file:
      out.push_back(file(rel(p.path), "", p.mode.value_or(0644), uid, gid));
      break;
    case T::permissions:
      return add_permissions(ctx, p, out);
  }
  return {};
}

// Where write_layer stores a path (merged /usr moves everything but the alias links).
std::string stored_path(const LevelContext& ctx, const std::string& path) {
  bool move = ctx.merged_usr && !rootfs::is_merged_usr_alias(path);
  return move ? rootfs::merged_usr_path(path) : path;
}

// The paths the levels below ctx.level leave as files (not directories or
// links), where write_layer stores them: package files, the skeleton's
// files, spec files and empty files.
std::set<std::string> lower_files(const LevelContext& ctx) {
  std::set<std::string> out;
  auto add = [&](const oci::TarHeader& h) {
    if (h.type == EntryType::file || h.type == EntryType::hardlink)
      out.insert(stored_path(ctx, h.path));
  };
  for (size_t l = 0; l < ctx.level && l < ctx.plan.levels.size(); ++l) {
    for (const auto* pkg : packages_of_level(ctx, l))
      for (const auto& e : pkg->entries)
        if (!left_out_of_image(pkg->name, e.header.path)) add(e.header);
    std::vector<GeneratedEntry> gen;
    if (l == 0 && !ctx.spec.base) (void)add_skeleton(ctx, gen);
    for (const auto& g : gen) add(g.header);
    for (const auto& p : ctx.spec.levels[l].paths)
      if (p.type == spec::PathItem::Type::empty_file) out.insert(stored_path(ctx, rel(p.path)));
    for (const auto& f : ctx.spec.levels[l].files) {
      std::error_code ec;
      if (!std::filesystem::is_directory(f.src, ec)) out.insert(stored_path(ctx, rel(f.dest)));
    }
  }
  return out;
}

// What a spec item adds must not go under a path a lower level has as a file
// (/etc/debian_version/sub, or /etc/os-release/x through the lower link): the
// upper directory would hide the file at run time.
struct LowerFiles {
  std::map<std::string, std::string> links;  // below, as stored
  std::set<std::string> files;
};
Result<void> check_not_under_lower_files(const LevelContext& ctx, const LowerFiles& lower,
                                         std::span<const GeneratedEntry> added,
                                         const spec::Location& where) {
  for (const auto& g : added) {
    std::string stored = rootfs::path_through_links(lower.links, stored_path(ctx, g.header.path));
    for (size_t slash = stored.find('/'); slash != std::string::npos;
         slash = stored.find('/', slash + 1))
      if (lower.files.count(stored.substr(0, slash)))
        return Error(Errc::invalid, where.str() + ": /" + g.header.path + " would be made under /" +
                                        stored.substr(0, slash) +
                                        ", which a lower level has as a file (and hide it)");
  }
  return {};
}

Result<void> add_spec_items(const LevelContext& ctx, std::vector<GeneratedEntry>& out) {
  const spec::Level& level = ctx.spec.levels[ctx.level];
  LowerFiles lower;
  if (ctx.level > 0 && (!level.files.empty() || !level.paths.empty()))
    lower = {rootfs::links_as_stored(symlinks_below(ctx)), lower_files(ctx)};
  // Each item's own entries are checked against the lower files, at its place.
  auto checked = [&](size_t first, const spec::Location& where) -> Result<void> {
    if (lower.files.empty()) return {};
    return check_not_under_lower_files(ctx, lower,
                                       std::span<const GeneratedEntry>(out).subspan(first), where);
  };
  for (const auto& f : level.files) {
    size_t first = out.size();
    PARE_CHECK(add_local_files(ctx, f, out));
    PARE_CHECK(checked(first, f.loc));
  }
  for (const auto& p : level.paths) {
    size_t first = out.size();
    PARE_CHECK(add_spec_path(ctx, p, out));
    PARE_CHECK(checked(first, p.loc));
  }
  return {};
}

// The debug level: busybox at /busybox/busybox with a link per applet, as
// distroless's debug images have it (nothing else of the package but its
// copyright and status entry).
Result<void> add_busybox(const LevelContext& ctx, std::vector<GeneratedEntry>& out) {
  for (const auto& p : ctx.plan.levels[ctx.level]) {
    const rootfs::UnpackedPackage* pkg = find_unpacked(ctx.unpacked, p);
    if (!pkg) continue;
    for (const auto& e : pkg->entries) {
      if (e.header.type != EntryType::file ||
          (e.header.path != "bin/busybox" && e.header.path != "usr/bin/busybox"))
        continue;
      PARE_TRY(std::string_view binary, pkg->checked_bytes(e));
      PARE_TRY(auto applets, rootfs::busybox_applets(binary));
      out.push_back(dir("busybox", 0755));
      out.push_back(file("busybox/busybox", std::string(binary), 0755));
      for (const auto& a : applets)
        if (a != "busybox") out.push_back(symlink("busybox/" + a, "busybox"));
      return {};
    }
  }
  return Error(Errc::not_found,
               std::string(kDebugPackage) + " has no busybox binary for " + ctx.plan.arch);
}

// The directories the levels below ctx.level leave in the image, with their
// metadata: per level the first package's entry, overridden by the skeleton,
// account homes and spec directories generated there; a higher level wins.
std::map<std::string, oci::TarHeader> lower_directories(const LevelContext& ctx) {
  std::map<std::string, oci::TarHeader> dirs;
  for (size_t l = 0; l < ctx.level && l < ctx.plan.levels.size(); ++l) {
    std::map<std::string, oci::TarHeader> level;
    for (const auto* pkg : packages_of_level(ctx, l))
      for (const auto& e : pkg->entries)
        if (e.header.type == EntryType::dir &&
            !(ctx.merged_usr && rootfs::is_merged_usr_alias(e.header.path)))
          level.emplace(stored_path(ctx, e.header.path), e.header);
    std::vector<GeneratedEntry> gen;
    if (l == 0 && !ctx.spec.base) (void)add_skeleton(ctx, gen);
    add_home_dirs(ctx.spec.levels[l], gen);
    for (const auto& p : ctx.spec.levels[l].paths)
      if (p.type == spec::PathItem::Type::directory)
        gen.push_back(
            dir(rel(p.path), p.mode.value_or(0755), p.uid.value_or(0), p.gid.value_or(0)));
    for (const auto& g : gen)
      if (g.header.type == EntryType::dir) level[stored_path(ctx, g.header.path)] = g.header;
    for (const auto& [path, h] : level) dirs[path] = h;
  }
  return dirs;
}

// write_layer gives every path a layer adds its parent directories, inventing
// missing ones as 0755 root:root, and when layers are stacked an upper layer's
// directory entry replaces the lower one's mode and owner. A file a later
// level puts under /tmp, /root, /home/nonroot or a package's 0700 directory
// would so reset that directory: re-state such parents as the levels below have them.
void add_lower_parents(const LevelContext& ctx, std::vector<GeneratedEntry>& out) {
  if (ctx.level == 0) return;
  // Where write_layer will store this level's paths: through the links below.
  std::map<std::string, std::string> links = rootfs::links_as_stored(symlinks_below(ctx));
  auto stored = [&](const std::string& path) {
    return rootfs::path_through_links(links, stored_path(ctx, path));
  };
  std::set<std::string> present;  // in this level's layer anyway
  for (const auto& g : out) present.insert(stored(g.header.path));
  for (const auto* pkg : packages_of_level(ctx, ctx.level))
    for (const auto& e : pkg->entries) present.insert(stored(e.header.path));
  std::map<std::string, oci::TarHeader> lower = lower_directories(ctx);
  for (const auto& parent : rootfs::missing_parents({present.begin(), present.end()})) {
    auto it = lower.find(parent);
    if (it == lower.end()) continue;
    const oci::TarHeader& h = it->second;
    if (h.mode == 0755 && h.uid == 0 && h.gid == 0) continue;  // what write_layer adds anyway
    out.push_back(dir(parent, h.mode, h.uid, h.gid));
  }
}

}  // namespace

bool bundle_changes_here(const LevelContext& ctx) {
  if (!ctx.spec.levels[ctx.level].certificates.empty()) return true;
  for (const auto* pkg : packages_of_level(ctx, ctx.level))
    for (const auto& e : pkg->entries)
      if (is_ca_cert(e.header)) return true;
  return false;
}

Result<std::string> bundle_upto(const LevelContext& ctx) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto* pkg : packages_upto(ctx, ctx.level))
    for (const auto& e : pkg->entries)
      if (is_ca_cert(e.header)) {
        PARE_TRY(std::string_view cert, pkg->checked_bytes(e));
        files.emplace_back(e.header.path, std::string(cert));
      }
  std::sort(files.begin(), files.end());
  for (size_t l = 0; l <= ctx.level; ++l)
    for (const auto& cert : ctx.spec.levels[l].certificates) {
      auto text = fs::read_file(cert, kMaxCertificateFile);
      if (!text.ok())
        return text.error().context(ctx.spec.levels[l].file.string() + ": certificates");
      files.emplace_back(cert.string(), std::move(*text));
    }
  return rootfs::ca_bundle(files);
}

std::vector<const rootfs::UnpackedPackage*> packages_of_level(const LevelContext& ctx,
                                                              size_t level) {
  std::vector<const rootfs::UnpackedPackage*> out;
  if (level >= ctx.plan.levels.size()) return out;
  for (const auto& p : ctx.plan.levels[level])
    if (const auto* pkg = find_unpacked(ctx.unpacked, p)) out.push_back(pkg);
  return out;
}

std::vector<const rootfs::UnpackedPackage*> packages_upto(const LevelContext& ctx,
                                                          size_t last_level) {
  std::vector<const rootfs::UnpackedPackage*> out;
  for (size_t l = 0; l <= last_level && l < ctx.plan.levels.size(); ++l)
    for (const auto* pkg : packages_of_level(ctx, l)) out.push_back(pkg);
  return out;
}

std::map<std::string, std::string> symlinks_below(const LevelContext& ctx) {
  std::map<std::string, std::string> out;
  // Where write_layer stores a link (merged /usr moves all but the aliases).
  auto add = [&](const oci::TarHeader& h) {
    if (ctx.merged_usr && rootfs::is_merged_usr_alias(h.path)) return;
    oci::TarHeader stored = rootfs::stored_header(h, ctx.merged_usr);
    out[stored.path] = stored.link;
  };
  for (size_t l = 0; l < ctx.level && l < ctx.plan.levels.size(); ++l) {
    for (const auto* pkg : packages_of_level(ctx, l))
      for (const auto& e : pkg->entries)
        if (e.header.type == EntryType::symlink && !left_out_of_image(pkg->name, e.header.path))
          add(e.header);
    for (const auto& p : ctx.spec.levels[l].paths)
      if (p.type == spec::PathItem::Type::symlink) add(symlink(rel(p.path), p.target).header);
  }
  return out;
}

std::vector<const rootfs::UnpackedPackage*> forms_upto(const LevelContext& ctx,
                                                       const deb::PackageInfo& package) {
  std::vector<const rootfs::UnpackedPackage*> out;
  for (size_t l = 0; l <= ctx.level && l < ctx.plan.levels.size(); ++l)
    for (const auto& p : ctx.plan.levels[l])
      if (p.sha256 == package.sha256)
        if (const auto* pkg = find_unpacked(ctx.unpacked, p)) out.push_back(pkg);
  return out;
}

uint32_t local_file_mode(uint32_t mode_on_disk) {
  return (mode_on_disk & 0111) ? 0755 : 0644;
}

bool left_out_of_image(const std::string& package, std::string_view path) {
  return is_bundle_only_package(package) && path.rfind("usr/share/doc/", 0) != 0;
}

bool is_bundle_only_package(const std::string& name) {
  return name == "ca-certificates" || name == kDebugPackage;
}

bool level_changes_ca_bundle(const spec::Spec& spec, const ArchPlan& plan, size_t level) {
  if (!spec.levels[level].certificates.empty()) return true;
  if (level >= plan.levels.size()) return false;
  return std::any_of(plan.levels[level].begin(), plan.levels[level].end(),
                     [](const deb::PackageInfo& p) { return p.name == "ca-certificates"; });
}

bool level_changes_accounts(const spec::Spec& spec, size_t level) {
  return level == 0 || !spec.levels[level].users.empty() || !spec.levels[level].groups.empty();
}

Result<std::vector<GeneratedEntry>> generated_entries(const LevelContext& ctx) {
  std::vector<GeneratedEntry> out;
  // Over a `from:` image the skeleton and the accounts are the base's (build/base.h).
  bool own_root = !ctx.spec.base;
  if (ctx.level == 0 && own_root) PARE_CHECK(add_skeleton(ctx, out));
  if (level_changes_accounts(ctx.spec, ctx.level) && own_root) PARE_CHECK(add_accounts(ctx, out));
  PARE_CHECK(add_status(ctx, out));
  PARE_CHECK(add_ca_bundle(ctx, out));
  PARE_CHECK(add_alternatives(ctx, out));
  PARE_CHECK(add_java_truststore(ctx, out));
  PARE_CHECK(add_ld_so_cache(ctx, out));
  PARE_CHECK(add_spec_items(ctx, out));
  if (is_debug_level(ctx.spec.levels[ctx.level])) PARE_CHECK(add_busybox(ctx, out));
  add_lower_parents(ctx, out);
  return out;
}

std::string image_path(const LevelContext& ctx, const std::string& path) {
  return ctx.merged_usr ? rootfs::merged_usr_path(path) : path;
}

}  // namespace pare::build
