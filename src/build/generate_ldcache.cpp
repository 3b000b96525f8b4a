// /etc/ld.so.cache, as libc-bin's trigger (`ldconfig`) would have written it
// after the packages of each level were installed. Without it the loader still
// finds libraries in its default directories, but ctypes.util.find_library,
// `ldconfig -p` and anything else that reads the cache come up empty.
//
// A level writes the cache when it adds anything to a library directory and
// the image has a C library (a level's layer replaces the lower cache, so the
// cache always describes the whole image). The directories are ldconfig's
// built-in ones for the architecture (Debian's images carry no
// /etc/ld.so.conf: that belongs to libc-bin, which pare does not install);
// their contents are read from the unpacked packages, symlinks followed
// within the image, as ldconfig would see the assembled root.
#include <map>
#include <set>

#include "build/generate.h"
#include "rootfs/elf.h"
#include "rootfs/ldcache.h"
#include "rootfs/usrmerge.h"

namespace pare::build {

namespace {

// The image's files as ldconfig would see them: image path -> entry.
using ImageFiles =
    std::map<std::string, std::pair<const rootfs::UnpackedPackage*, const rootfs::UnpackedEntry*>>;

std::string parent_of(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

// The regular file a path names, following up to 16 symlinks; null if none.
const ImageFiles::mapped_type* follow(const LevelContext& ctx, const ImageFiles& files,
                                      std::string path) {
  for (int hops = 0; hops < 16; ++hops) {
    auto it = files.find(path);
    if (it == files.end()) return nullptr;
    const oci::TarHeader& h = it->second.second->header;
    if (h.type == oci::EntryType::file) return &it->second;
    if (h.type != oci::EntryType::symlink) return nullptr;
    path = image_path(ctx, rootfs::resolve_link_target(path, h.link));
  }
  return nullptr;
}

bool looks_like_library(std::string_view name) {
  return name.rfind("lib", 0) == 0 || name.rfind("ld", 0) == 0;
}

std::string libc_version(const LevelContext& ctx) {
  for (size_t l = 0; l <= ctx.level && l < ctx.plan.levels.size(); ++l)
    for (const auto& p : ctx.plan.levels[l])
      if (p.name == "libc6") return p.version;
  return "";
}

}  // namespace

Result<void> add_ld_so_cache(const LevelContext& ctx, std::vector<rootfs::GeneratedEntry>& out) {
  std::vector<std::string> dirs = rootfs::default_library_dirs(ctx.plan.arch);
  std::string glibc = libc_version(ctx);
  if (dirs.empty() || glibc.empty()) return {};
  std::set<std::string> image_dirs;
  for (const auto& d : dirs) image_dirs.insert(image_path(ctx, d));
  bool changes = false;
  for (const auto* pkg : packages_of_level(ctx, ctx.level))
    for (const auto& e : pkg->entries)
      changes |= e.header.type != oci::EntryType::dir &&
                 image_dirs.count(parent_of(image_path(ctx, e.header.path))) > 0;
  if (!changes) return {};

  ImageFiles files;
  for (const auto* pkg : packages_upto(ctx, ctx.level))
    for (const auto& e : pkg->entries) files[image_path(ctx, e.header.path)] = {pkg, &e};

  std::vector<rootfs::CacheLib> libs;
  std::set<std::string> scanned;  // a directory is scanned once, under its first name
  for (const auto& dir : dirs) {
    std::string image_dir = image_path(ctx, dir);
    if (!scanned.insert(image_dir).second) continue;
    std::vector<rootfs::LibraryDirEntry> entries;
    for (auto it = files.lower_bound(image_dir + "/");
         it != files.end() && it->first.rfind(image_dir + "/", 0) == 0; ++it) {
      std::string name = it->first.substr(image_dir.size() + 1);
      if (name.find('/') != std::string::npos || !looks_like_library(name)) continue;
      const auto* target = follow(ctx, files, it->first);
      if (!target) continue;  // dangling, or not a file
      PARE_TRY(std::string_view bytes, target->first->checked_bytes(*target->second));
      auto elf = rootfs::read_elf(bytes);
      if (!elf.ok()) continue;  // a linker script (libc.so) or not ELF: ldconfig skips it too
      entries.push_back(
          {name, it->second.second->header.type == oci::EntryType::symlink, std::move(*elf)});
    }
    for (auto& lib : rootfs::ldconfig_scan_dir("/" + dir, entries, ctx.plan.arch))
      libs.push_back(std::move(lib));
  }
  PARE_TRY(std::string cache,
           rootfs::ld_so_cache(libs, ctx.plan.arch, rootfs::ldconfig_generator(glibc)));
  out.push_back(generated_file("etc/ld.so.cache", std::move(cache)));
  return {};
}

}  // namespace pare::build
