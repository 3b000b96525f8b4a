// The files of an image that say what is in it, read from its layers as the runtime would
// see them (OCI image-spec layer.md: layers applied bottom up, `.wh.NAME` removes NAME,
// `.wh..wh..opq` empties a directory of what lower layers put there), streaming each layer
// through libarchive (gzip, zstd or plain tar) and keeping only the paths asked for: memory
// stays flat whatever the layers' size, nothing is unpacked to disk and nothing runs.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "oci/image_files_on_disk.h"

#include "sbom/document.h"
#include "sbom/packages.h"

namespace pare::sbom {

// Which paths to keep (relative, no leading '/'): `wanted(path)`; each kept file is bounded.
using PathFilter = std::function<bool(const std::string& path)>;

// One entry of the flattened filesystem, as the layer that put it there describes it.
struct FileEntry {
  enum class Type { file, dir, symlink, hardlink, other } type = Type::file;
  uint32_t mode = 0;  // permission bits with setuid/setgid/sticky, no type bits
  uint32_t uid = 0, gid = 0;
  uint64_t size = 0;   // regular files (a hardlink: 0; its target has the size)
  std::string link;    // symlink target as written; hardlink: the path it names
  size_t layer = 0;    // index of the layer, bottom first
  std::string sha256;  // hex, for files ReadOptions::digest asked for
};

struct ReadOptions {
  PathFilter content;                            // keep these regular files' bytes (each bounded)
  PathFilter digest;                             // hash these regular files (any size: streamed)
  bool entries = false;                          // record every entry's metadata (ls, audit, diff)
  uint64_t max_file_bytes = uint64_t{64} << 20;  // a larger file's bytes are not kept (warned)
  uint64_t max_total_bytes = uint64_t{256} << 20;  // kept in all, else Errc::invalid
};

// One layer's part: the wanted files it holds, and what it hides below it (whiteouts, opaque
// directories, and paths it replaces with something unwanted). Reading a layer once serves
// every image that shares it.
struct LayerFiles {
  std::map<std::string, std::string> files;
  std::map<std::string, FileEntry> entries;  // ReadOptions::entries
  std::vector<std::string> removed;          // this path and everything under it
  std::vector<std::string> replaced;         // directories: a file of that name below is gone
  std::vector<std::string> opaque_dirs;      // with their trailing '/'
};
// A layer blob on disk and the digest its bytes must have ("sha256:...": checked while it is
// read, Errc::integrity when they differ; "" only for a blob pare has just written itself).
struct LayerRef {
  std::filesystem::path file;
  std::string digest;
};
// One entry of a layer into `out`, by the OCI layer rules: a whiteout or an opaque marker
// hides what lies below; a file is kept (`content`, when `wanted`) or hides a wanted one
// below; a directory merges; a link replaces. The tar reader and a layer's writer share it.
void add_layer_entry(LayerFiles& out, const std::string& path, FileEntry entry, bool wanted,
                     const std::string* content, bool keep_entry);
Result<LayerFiles> read_layer(const LayerRef& layer, const ReadOptions& options,
                              size_t layer_index = 0);
// The blob hashed whole against its digest (what read_layer checks while reading).
Result<void> check_layer_blob(const LayerRef& layer);
Result<LayerFiles> read_layer_files(const LayerRef& layer, const PathFilter& wanted,
                                    uint64_t max_file_bytes = uint64_t{64} << 20);

// The layer stack flattened: wanted contents and (when asked) every entry.
struct FlatImage {
  std::map<std::string, std::string> files;
  std::map<std::string, FileEntry> entries;
};
void apply_layer(const LayerFiles& layer, FlatImage& image);
void apply_layer_files(const LayerFiles& layer, std::map<std::string, std::string>& files);

Result<FlatImage> read_flat_image(const std::vector<LayerRef>& layers, const ReadOptions& options);
// An opened image's layers with the digests its manifest gives them.
std::vector<LayerRef> layer_refs(const oci::ImageOnDisk& image);
// path -> content of the wanted regular files of the flattened layer stack.
Result<std::map<std::string, std::string>> read_image_files(const std::vector<LayerRef>& layers,
                                                            const PathFilter& wanted,
                                                            uint64_t max_file_bytes = uint64_t{64}
                                                                                      << 20);

// Where `path` leads in the flattened tree: symlinks in it and at its end followed (relative
// ones against their directory, absolute ones against the image root, at most 40 of them),
// hardlinks to their target (the last symlink or hardlink only with `follow_last`). "" when it
// leads nowhere (missing, a loop, out of the tree).
std::string resolve_path(const std::map<std::string, FileEntry>& entries, const std::string& path,
                         bool follow_last = true);

// The metadata paths: status.d entries (not their .md5sums), /var/lib/dpkg/status, apk's
// installed database, Debian copyright files, os-release and debian_version.
bool is_metadata_path(const std::string& path);

// Files that may hold a private key (*.pem, *.key, *.crt, *.p8): their first 64 KiB are kept
// for a scan, whatever their size.
bool is_key_candidate(const std::string& path);

// The file lists of package databases: status.d/NAME.md5sums (distroless style),
// var/lib/dpkg/info/*.list and *.md5sums (dpkg), apk's installed database (F:/R: lines).
bool is_ownership_path(const std::string& path);
// Every path (relative, as the database wrote it) some package says it installed.
std::set<std::string> owned_paths(const std::map<std::string, std::string>& files);
// A path as the flattened tree stores it: its directories resolved through links ("bin/x" a
// package lists is "usr/bin/x" under a merged /usr); unchanged when they lead nowhere.
std::string stored_path(const std::map<std::string, FileEntry>& entries, const std::string& path);
// owned_paths as the tree stores them (stored_path).
std::set<std::string> owned_files(const FlatImage& image);
// The package databases and the image's own SBOM (var/lib/dpkg/, lib/apk/db/,
// var/lib/pare/sbom/): what no package lists and nobody adds as a file of the image.
bool is_database_path(const std::string& path);

// What the metadata files say: every package with its licence (DEP-5 copyright files), and
// the OS (os-release ID / VERSION_ID; the point release from /etc/debian_version).
struct ImageContents {
  OsInfo os;
  bool os_known = false;  // an os-release was found
  std::vector<PackageRecord> packages;
};
Result<ImageContents> describe_files(const std::map<std::string, std::string>& files);

}  // namespace pare::sbom
