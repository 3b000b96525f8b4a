// Dependency resolution with libsolv in Debian semantics (DISTTYPE_DEB):
// Depends and Pre-Depends, alternatives (the first satisfiable one is favoured,
// as apt does), virtual packages, versioned constraints, explicit pins and
// excludes. Recommends are never installed (distroless images do not).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "util/result.h"

namespace pare::deb {

struct PackageInfo {
  std::string name, version, arch;
  std::string filename;  // pool path from the index ("pool/main/g/glibc/libc6_..._amd64.deb")
  std::string sha256;    // from the signed index
  std::string mirror;    // base URL the index came from
  std::string repo;      // e.g. "bookworm-security/main"
  std::string source, source_version;  // source package (for SBOMs)
  uint64_t size = 0;                   // .deb size in bytes
  uint64_t installed_size = 0;         // bytes (Installed-Size is KiB in the index)
  // Set by the build planner from the spec, never read from an index: the
  // slice to install (globs, spec::PackageRef::only; empty = the whole
  // package), and whether this entry repeats in a higher level a package that
  // a lower level installed as a slice (adding what the higher level asks for).
  std::vector<std::string> only;
  bool again = false;
  std::string url() const;
  std::string key() const { return name + "=" + version + ":" + arch; }
};

// A dependency that was satisfied by an excluded package rather than installed.
struct CutDependency {
  std::string package;     // who depends
  std::string dependency;  // the dependency as written ("debconf (>= 0.5) | debconf-2.0")
  std::string excluded;    // which excluded name satisfied it
};

struct Resolution {
  std::vector<PackageInfo> packages;  // the new packages (not in the base set), sorted by name
  std::map<std::string, std::vector<std::string>> why;  // name -> chain from a requested package
  std::vector<CutDependency> cut;
};

struct ResolveRequest {
  struct Want {
    std::string name;
    std::string version;  // "" = any
  };
  std::vector<Want> packages;
  std::vector<std::string> excludes;
  std::vector<PackageInfo> base;  // installed by lower levels: kept at exactly these versions
};

struct IndexFile {
  std::filesystem::path file;  // a decompressed Packages file
  std::string sha256;          // its SHA-256 (keys the stanza index cache)
  std::string mirror;          // base URL for Filename fields
  std::string label;           // "bookworm/main"
};

class Resolver {
 public:
  // cache_dir: where each index's stanza index is cached ("" = no cache).
  static Result<std::unique_ptr<Resolver>> create(const std::string& arch,
                                                  const std::filesystem::path& cache_dir);
  virtual ~Resolver() = default;
  // Errc::integrity when the file no longer hashes to index.sha256.
  virtual Result<void> add_index(const IndexFile& index) = 0;
  virtual Result<Resolution> resolve(const ResolveRequest& request) = 0;
  // The index's own record of each package named by name, version and arch
  // (and, when `repo` is set, found in the index of that "suite/component"):
  // what a lockfile selects, with the filename, SHA-256 and size the signed
  // index gives. A package that no index lists is Errc::resolve naming it.
  virtual Result<std::vector<PackageInfo>> locate(const std::vector<PackageInfo>& wanted) = 0;
  virtual size_t package_count() const = 0;
};

}  // namespace pare::deb
