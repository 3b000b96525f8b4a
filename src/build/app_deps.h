// `auto-deps: true` and `pare deps`: an application's ELF files, and the Debian packages that
// ship the libraries they need (deps/deps.h), found in the suite's signed Contents index.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "build/plan.h"
#include "deb/contents.h"
#include "deps/deps.h"
#include "spec/spec.h"

namespace pare::build {

// The shared objects of the spec's suite (its main suite, every component) for `arch`, from
// the verified Contents-ARCH files (deb::IndexFetcher::library_index).
Result<deb::LibraryIndex> library_index(const spec::Spec& spec, const std::string& arch,
                                        const Environment& env);

struct AppFiles {
  std::vector<deps::ElfFile> elf;       // in the order given / listed
  std::vector<std::string> elf_sha256;  // parallel to elf: each file's bytes
  std::vector<std::string> all_paths;   // every path added, ELF or not (image paths)
};

// Files named on the command line (`pare deps`): each at its own absolute path, a directory
// with everything below it; ELF files are read (bounded), the rest only listed. A file that
// starts like ELF but is malformed is Errc::invalid naming it.
Result<AppFiles> host_app_files(const std::vector<std::filesystem::path>& paths);

// What a level's files: put in the image, at their image paths.
Result<AppFiles> level_app_files(const spec::Spec& spec, const spec::Level& level);

// One ELF architecture for all of `files` (Errc::invalid naming two files that disagree;
// Errc::not_found when there is no dynamically linked file at all: "" is returned then).
Result<std::string> app_arch(const AppFiles& files);

struct LevelDeps {
  size_t level;
  deps::Analysis analysis;
};

// For every level with auto-deps: the analysis of its files, and its packages extended with
// what they need (a package already named stays as written). The level's ELF files must run
// on every architecture the spec builds (an error at the auto-deps key says which do not).
Result<std::vector<LevelDeps>> add_auto_deps(spec::Spec& spec, const Environment& env);

}  // namespace pare::build
