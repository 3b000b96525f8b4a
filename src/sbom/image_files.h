// The files of an image that say what is in it, read from its layers as the runtime would
// see them (OCI image-spec layer.md: layers applied bottom up, `.wh.NAME` removes NAME,
// `.wh..wh..opq` empties a directory of what lower layers put there), streaming each layer
// through libarchive (gzip, zstd or plain tar) and keeping only the paths asked for: memory
// stays flat whatever the layers' size, nothing is unpacked to disk and nothing runs.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sbom/document.h"
#include "sbom/packages.h"

namespace pare::sbom {

// Which paths to keep (relative, no leading '/'): `wanted(path)`; each kept file is bounded.
using PathFilter = std::function<bool(const std::string& path)>;

// One layer's part: the wanted files it holds, and what it hides below it (whiteouts, opaque
// directories, and paths it replaces with something unwanted). Reading a layer once serves
// every image that shares it.
struct LayerFiles {
  std::map<std::string, std::string> files;
  std::vector<std::string> removed;      // this path and everything under it
  std::vector<std::string> replaced;     // directories: a file of that name below is gone
  std::vector<std::string> opaque_dirs;  // with their trailing '/'
};
Result<LayerFiles> read_layer_files(const std::filesystem::path& layer, const PathFilter& wanted,
                                    uint64_t max_file_bytes = uint64_t{64} << 20);
void apply_layer_files(const LayerFiles& layer, std::map<std::string, std::string>& files);

// path -> content of the wanted regular files of the flattened layer stack.
Result<std::map<std::string, std::string>> read_image_files(
    const std::vector<std::filesystem::path>& layer_files, const PathFilter& wanted,
    uint64_t max_file_bytes = uint64_t{64} << 20);

// The metadata paths: status.d entries (not their .md5sums), /var/lib/dpkg/status, apk's
// installed database, Debian copyright files, os-release and debian_version.
bool is_metadata_path(const std::string& path);

// What the metadata files say: every package with its licence (DEP-5 copyright files), and
// the OS (os-release ID / VERSION_ID; the point release from /etc/debian_version).
struct ImageContents {
  OsInfo os;
  bool os_known = false;  // an os-release was found
  std::vector<PackageRecord> packages;
};
Result<ImageContents> describe_files(const std::map<std::string, std::string>& files);

}  // namespace pare::sbom
