#include "build/app_deps.h"

#include <algorithm>

#include "build/generate.h"
#include "build/inputs.h"
#include "deb/index.h"
#include "rootfs/elf.h"
#include "util/checked.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sha256.h"

#include <nlohmann/json.hpp>

namespace pare::build {

namespace {

namespace stdfs = std::filesystem;

// Records an ELF file's description (`name` says where it came from in an error).
Result<void> add_elf(const std::string& image_path, const std::string& bytes,
                     const std::string& where, const std::string& name, AppFiles& out) {
  auto elf = rootfs::read_elf(bytes);
  if (!elf.ok())
    return Error(Errc::invalid,
                 where + ": " + name + " is not a readable ELF file: " + elf.error().message());
  out.elf.push_back({image_path, std::move(*elf)});
  out.elf_sha256.push_back(sha256_hex(bytes));
  return {};
}

// Records the path, and when the entry is an ELF file (by its first bytes), its description.
Result<void> add_entry(const LocalEntry& entry, const std::string& image_path,
                       const std::string& where, AppFiles& out) {
  out.all_paths.push_back(image_path);
  if (entry.kind != LocalEntry::Kind::file || !rootfs::file_has_elf_magic(entry.path)) return {};
  PARE_TRY(std::string bytes, read_local(entry, where));
  return add_elf(image_path, bytes, where, entry.path.string(), out);
}

// The files an `extract: true` item unpacks, read as the layer will hold them.
Result<void> add_extracted(const spec::FileItem& item, const LocalEntry& tarball,
                           const std::string& where, AppFiles& out) {
  std::vector<rootfs::GeneratedEntry> entries;
  PARE_CHECK(extract_tarball(item, tarball, entries));
  for (const auto& e : entries) {
    std::string image_path = "/" + e.header.path;
    out.all_paths.push_back(image_path);
    if (e.header.type == oci::EntryType::file && rootfs::has_elf_magic(e.content))
      PARE_CHECK(add_elf(image_path, e.content, where,
                         item.src.string() + " (" + e.header.path + ")", out));
  }
  return {};
}

std::string join_image_path(const std::string& dest, const std::string& rel) {
  if (rel.empty()) return dest;
  return dest == "/" ? "/" + rel : dest + "/" + rel;
}

// An analysis is remembered under a key made of everything it depends on: the files (paths
// and bytes), the suite, architecture and components, and the last verified InRelease of the
// mirror (a new archive state, fetched by any build's index stage, makes a new key). A hit
// skips the Contents index (a request and ~3 MB parsed): an app-only rebuild stays fast.
std::string analysis_key(const spec::Spec& spec, const std::string& arch, const std::string& mirror,
                         const AppFiles& files, const Environment& env) {
  auto inrelease = fs::read_file(
      deb::IndexFetcher::cached_inrelease(env.cache_dir, mirror, spec.source.suite), 16 << 20);
  if (!inrelease.ok()) return "";
  std::string recipe = "auto-deps 1\n" + spec.source.suite + " " + arch + " " + mirror + "\n" +
                       sha256_hex(*inrelease);
  for (const auto& c : spec.source.components) recipe += "\ncomponent " + c;
  for (size_t i = 0; i < files.elf.size(); ++i)
    recipe += "\nelf " + files.elf[i].path + " " + files.elf_sha256[i];
  std::vector<std::string> paths = files.all_paths;
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) recipe += "\npath " + p;
  return sha256_hex(recipe);
}

std::string encode_analysis(const deps::Analysis& a) {
  nlohmann::json needs = nlohmann::json::array();
  for (const auto& n : a.needs)
    needs.push_back({n.file, n.library, n.found_at, n.package, n.alternatives});
  return nlohmann::json{{"arch", a.arch}, {"packages", a.packages}, {"needs", needs}}.dump();
}

std::optional<deps::Analysis> decode_analysis(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  try {
    deps::Analysis a;
    a.arch = j.at("arch").get<std::string>();
    a.packages = j.at("packages").get<std::vector<std::string>>();
    for (const auto& n : j.at("needs"))
      a.needs.push_back({n.at(0).get<std::string>(), n.at(1).get<std::string>(),
                         n.at(2).get<std::string>(), n.at(3).get<std::string>(),
                         n.at(4).get<std::vector<std::string>>()});
    return a;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

Result<std::string> mirror_of(const spec::Spec& spec, const Environment& env) {
  deb::MirrorOverrides overrides{spec.source.mirror, spec.source.security_mirror};
  PARE_TRY(deb::Mirrors mirrors, deb::discover_mirrors(overrides, env.getenv, env.host_root));
  return mirrors.mirror;
}

Result<deb::LibraryIndex> library_index_at(const spec::Spec& spec, const std::string& arch,
                                           const std::string& mirror, const Environment& env) {
  deb::IndexFetcher fetcher(*env.http, env.cache_dir, env.offline);
  deb::IndexRequest req{
      mirror, spec.source.suite, spec.source.components, {arch}, keyring_for(spec)};
  env.progress_or_null().begin("contents", 0, "");
  auto index = fetcher.library_index(req);
  env.progress_or_null().end();
  return index;
}

Result<deps::Analysis> analyse_level(const spec::Spec& spec, const AppFiles& files,
                                     const std::string& arch, const Environment& env) {
  // Static executables need nothing: no index is read for them.
  if (std::none_of(files.elf.begin(), files.elf.end(), [](const deps::ElfFile& f) {
        return !f.elf.interpreter.empty() || !f.elf.needed.empty();
      }))
    return deps::Analysis{arch, {}, {}};
  PARE_TRY(std::string mirror, mirror_of(spec, env));
  std::string key = analysis_key(spec, arch, mirror, files, env);
  if (!key.empty()) {
    // a damaged record is removed
    auto record = fs::read_checked(env.cache_dir / "auto-deps" / key, 16 << 20);
    if (record.state == fs::CheckedState::ok) {
      if (auto a = decode_analysis(record.payload)) return *a;
    }
  }
  PARE_TRY(deb::LibraryIndex index, library_index_at(spec, arch, mirror, env));
  PARE_TRY(deps::Analysis analysis,
           deps::analyse(files.elf, files.all_paths, index, arch, spec.source.suite + "/" + arch));
  key = analysis_key(spec, arch, mirror, files, env);  // the InRelease just verified
  if (!key.empty() && !env.offline) {
    auto r = fs::write_checked(env.cache_dir / "auto-deps" / key, encode_analysis(analysis));
    if (!r) {
      PARE_LOG(warn) << "auto-deps: not remembered: " << r.error().message();
    }
  }
  return analysis;
}

// slim: true — what a package added for the application keeps: each path found in it and the
// files of its directory whose names it begins ("libsqlite3.so.0" also takes the
// libsqlite3.so.0.8.6 it links to).
std::vector<std::string> slim_globs(const deps::Analysis& analysis, const std::string& package) {
  std::vector<std::string> out;
  auto add = [&](std::string g) {
    if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(std::move(g));
  };
  for (const auto& n : analysis.needs) {
    if (n.package != package) continue;
    add(n.found_at + "*");
  }
  return out;
}

}  // namespace

Result<deb::LibraryIndex> library_index(const spec::Spec& spec, const std::string& arch,
                                        const Environment& env) {
  PARE_TRY(std::string mirror, mirror_of(spec, env));
  return library_index_at(spec, arch, mirror, env);
}

Result<AppFiles> host_app_files(const std::vector<stdfs::path>& paths) {
  AppFiles out;
  for (const auto& given : paths) {
    std::error_code ec;
    stdfs::path abs = stdfs::absolute(given, ec).lexically_normal();
    if (ec) return Error(Errc::invalid, given.string() + ": " + ec.message());
    // The file itself may be a symlink (/usr/bin/python3): describe what it names.
    stdfs::path real = stdfs::canonical(abs, ec);
    if (ec) return Error(Errc::not_found, given.string() + ": " + ec.message());
    PARE_TRY(auto entries, list_local(real, {real.parent_path()}, given.string()));
    for (const auto& e : entries)
      PARE_CHECK(add_entry(e, join_image_path(abs.string(), e.rel), given.string(), out));
  }
  return out;
}

Result<AppFiles> level_app_files(const spec::Spec& spec, const spec::Level& level) {
  AppFiles out;
  auto contexts = contexts_for(spec, level);
  for (const auto& item : level.files) {
    const std::string where = item.loc.str();
    PARE_TRY(auto entries, list_item(item, contexts));
    if (item.extract && !entries.empty()) {
      PARE_CHECK(add_extracted(item, entries.front(), where, out));
      continue;
    }
    for (const auto& e : entries)
      PARE_CHECK(add_entry(e, join_image_path(item.dest, e.rel), where, out));
  }
  return out;
}

Result<std::string> app_arch(const AppFiles& files) {
  std::string arch, first;
  for (const auto& f : files.elf) {
    PARE_TRY(std::string a, deps::debian_arch_of(f.elf));
    if (arch.empty()) {
      arch = a;
      first = f.path;
    } else if (a != arch) {
      return Error(Errc::invalid, first + " is built for " + arch + " but " + f.path + " for " + a +
                                      ": one architecture at a time");
    }
  }
  return arch;
}

Result<std::vector<LevelDeps>> add_auto_deps(spec::Spec& spec, const Environment& env) {
  std::vector<LevelDeps> out;
  for (size_t l = 0; l < spec.levels.size(); ++l) {
    spec::Level& level = spec.levels[l];
    if (!level.auto_deps) continue;
    const std::string where = level.auto_deps_loc.str();
    PARE_TRY(AppFiles files, level_app_files(spec, level));
    auto arch = app_arch(files);
    if (!arch.ok()) return arch.error().context(where);
    if (arch->empty()) {
      PARE_LOG(info) << where << ": auto-deps: no ELF file among this file's files:";
      continue;
    }
    for (const auto& a : spec.archs)
      if (a != *arch)
        return Error(Errc::invalid,
                     where + ": auto-deps: the application's ELF files are built for " + *arch +
                         ", but the image is built for " + a + " too (build with --arch " + *arch +
                         ", or set archs: [" + *arch + "])");
    auto analysis = analyse_level(spec, files, *arch, env);
    if (!analysis.ok()) return analysis.error().context(where + ": auto-deps");
    // A files-only level's packages are in the level before it (spec::Level::files_only).
    spec::Level& target = level.files_only && l > 0 ? spec.levels[l - 1] : level;
    for (const auto& name : analysis->packages) {
      bool named = std::any_of(target.packages.begin(), target.packages.end(),
                               [&](const spec::PackageRef& p) { return p.name == name; });
      if (named) continue;
      spec::PackageRef ref{name, "", {}, level.auto_deps_loc};
      if (level.slim) ref.only = slim_globs(*analysis, name);
      target.packages.push_back(std::move(ref));
    }
    out.push_back({l, std::move(*analysis)});
  }
  return out;
}

}  // namespace pare::build
