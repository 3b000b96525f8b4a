#include "deps/deps.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "rootfs/ldcache.h"

namespace pare::deps {

namespace {

constexpr uint32_t kEfArmAbiFloatHard = 0x400;  // ARM ELF ABI, e_flags

std::string parent_of(const std::string& path) {
  auto p = std::filesystem::path(path).parent_path().string();
  return p.empty() ? "/" : p;
}

// "/a/./b/../c" -> "/a/c", always absolute.
std::string normal(const std::string& path) {
  auto p = std::filesystem::path("/" + path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

// DT_RUNPATH / DT_RPATH entries, with $ORIGIN (and ${ORIGIN}) replaced by `origin`.
std::vector<std::string> expand_path_list(const std::string& list, const std::string& origin) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t colon = list.find(':', start);
    std::string dir =
        list.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    for (const char* token : {"${ORIGIN}", "$ORIGIN"})
      for (size_t at = dir.find(token); at != std::string::npos; at = dir.find(token))
        dir.replace(at, std::string_view(token).size(), origin);
    if (!dir.empty() && dir.front() == '/' && dir.find('$') == std::string::npos)
      out.push_back(normal(dir));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return out;
}

}  // namespace

Result<std::string> debian_arch_of(const rootfs::ElfInfo& elf) {
  using namespace rootfs;
  switch (elf.machine) {
    case kElfMachineX86_64:
      return std::string(elf.is64 ? "amd64" : "x32");
    case kElfMachine386:
      return std::string("i386");
    case kElfMachineAarch64:
      return std::string("arm64");
    case kElfMachineArm:
      return std::string(elf.flags & kEfArmAbiFloatHard ? "armhf" : "armel");
    case kElfMachinePpc64:
      return std::string(elf.big_endian ? "ppc64" : "ppc64el");
    case kElfMachineS390:
      return std::string("s390x");
    case kElfMachineRiscv:
      if (elf.is64) return std::string("riscv64");
      break;
    case kElfMachineMips:
      if (!elf.big_endian) return std::string(elf.is64 ? "mips64el" : "mipsel");
      break;
    case kElfMachineLoongarch:
      return std::string("loong64");
  }
  return Error(Errc::unsupported, "ELF machine " + std::to_string(elf.machine) +
                                      " is no Debian architecture pare knows");
}

std::vector<std::string> search_dirs(const ElfFile& file, const std::string& arch) {
  std::string origin = parent_of(file.path);
  std::vector<std::string> dirs;
  if (file.elf.runpath.empty()) dirs = expand_path_list(file.elf.rpath, origin);
  for (auto& d : expand_path_list(file.elf.runpath, origin)) dirs.push_back(std::move(d));
  for (const auto& d : rootfs::default_library_dirs(arch)) dirs.push_back("/" + d);
  std::vector<std::string> unique;
  for (auto& d : dirs)
    if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(std::move(d));
  return unique;
}

Result<Analysis> analyse(const std::vector<ElfFile>& files,
                         const std::vector<std::string>& own_paths, const deb::LibraryIndex& index,
                         const std::string& arch, const std::string& where) {
  std::set<std::string> own;
  for (const auto& p : own_paths) own.insert(normal(p));
  // The loader takes a library already loaded under the same SONAME before searching (java
  // dlopen()s lib/server/libjvm.so, which then satisfies libzip.so's "libjvm.so").
  std::map<std::string, std::string> own_sonames;
  for (const auto& f : files)
    if (f.elf.is_shared_object && !f.elf.soname.empty()) own_sonames.emplace(f.elf.soname, f.path);
  Analysis out;
  out.arch = arch;
  std::set<std::string> packages;
  std::string missing;
  auto satisfy = [&](const ElfFile& f, const std::string& library,
                     const std::vector<std::string>& candidates) {
    for (const auto& path : candidates) {
      if (own.count(path)) {
        out.needs.push_back({f.path, library, path, "", {}});
        return;
      }
      const auto shipped = index.packages_of(path);
      if (shipped.empty()) continue;
      out.needs.push_back(
          {f.path, library, path, shipped.front(), {shipped.begin() + 1, shipped.end()}});
      packages.insert(shipped.front());
      return;
    }
    missing += "\n  " + f.path + " needs " + library;
  };
  for (const auto& f : files) {
    if (!f.elf.interpreter.empty()) {
      // The loader's path is absolute; with merged /usr (trixie) its package ships it below /usr.
      std::string interpreter = normal(f.elf.interpreter);
      satisfy(f, f.elf.interpreter, {interpreter, "/usr" + interpreter});
    }
    std::vector<std::string> dirs = search_dirs(f, arch);
    for (const auto& library : f.elf.needed) {
      std::vector<std::string> candidates;
      if (library.find('/') != std::string::npos) {
        candidates.push_back(normal(library));
      } else if (auto it = own_sonames.find(library); it != own_sonames.end()) {
        candidates.push_back(it->second);
      } else {
        for (const auto& d : dirs) candidates.push_back(d + "/" + library);
      }
      satisfy(f, library, candidates);
    }
  }
  if (!missing.empty())
    return Error(Errc::not_found, "no package of " + where + " ships these libraries:" + missing);
  out.packages.assign(packages.begin(), packages.end());
  return out;
}

}  // namespace pare::deps
