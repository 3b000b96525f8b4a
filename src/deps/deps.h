// Which Debian packages an application's ELF files need (`pare deps`, `auto-deps: true`).
//
// For every ELF file the application adds, pare looks for each DT_NEEDED library, and for the
// program interpreter (PT_INTERP), where the dynamic loader would (ld.so(8)): the file's
// DT_RPATH when it has no DT_RUNPATH, then DT_RUNPATH ($ORIGIN is the file's own directory in
// the image), then the loader's default directories for the architecture
// (rootfs::default_library_dirs: lib/<triplet>, usr/lib/<triplet>, lib, usr/lib). A library
// that one of the application's own files provides at such a path, or under that SONAME (the
// loader reuses a library already loaded, e.g. by dlopen), needs no package; otherwise
// the archive's Contents index (deb/contents.h) says which package ships the path. Only the
// application's direct needs are looked up: what those libraries need in turn, their
// packages' Depends bring (Debian policy 8.6: shared library dependencies come from shlibs).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "deb/contents.h"
#include "rootfs/elf.h"
#include "util/result.h"

namespace pare::deps {

struct ElfFile {
  std::string path;  // absolute, where it is (or will be) in the image
  rootfs::ElfInfo elf;
};

// One library one file needs, and what provides it.
struct Need {
  std::string file;                       // ElfFile::path
  std::string library;                    // DT_NEEDED name or interpreter path
  std::string found_at;                   // the absolute path that satisfies it
  std::string package;                    // "" when one of the application's own files provides it
  std::vector<std::string> alternatives;  // other packages shipping found_at
};

struct Analysis {
  std::string arch;
  std::vector<Need> needs;            // in file order, then DT_NEEDED order
  std::vector<std::string> packages;  // the packages needed, sorted, unique
};

// The Debian architecture an ELF file runs on ("amd64" for x86-64, "armhf" for 32-bit ARM
// hard-float, ...); Errc::unsupported for a machine pare does not know.
Result<std::string> debian_arch_of(const rootfs::ElfInfo& elf);

// The directories the loader searches for `file`'s libraries, in order.
std::vector<std::string> search_dirs(const ElfFile& file, const std::string& arch);

// Analyses `files` (all of one architecture, `arch`). `own_paths` are every path the
// application adds (its ELF files and the rest; symlinks too). A library found nowhere is
// Errc::not_found naming every such library and the file that needs it.
Result<Analysis> analyse(const std::vector<ElfFile>& files,
                         const std::vector<std::string>& own_paths, const deb::LibraryIndex& index,
                         const std::string& arch,
                         const std::string& where);  // "bookworm/amd64", for messages

}  // namespace pare::deps
