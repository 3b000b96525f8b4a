// Assembling one layer's file tree from unpacked packages and generated files,
// and writing it as a deterministic tar: entries sorted by path, one entry per
// path (a directory shipped by several packages appears once; for files the
// later package wins, as dpkg's Replaces would), merged-/usr applied on the
// way, entries under a symlinked directory stored through the link, hardlinks
// re-pointed so the target always precedes its links.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "oci/tar.h"
#include "rootfs/unpack.h"

namespace pare::rootfs {

struct GeneratedEntry {
  oci::TarHeader header;  // path relative ("etc/passwd"); size is set from content
  std::string content;    // files only
};

struct LayerContent {
  std::vector<const UnpackedPackage*> packages;  // applied in this order
  std::vector<GeneratedEntry> generated;         // applied last (they override package files)
  // Every symlink the layers below put in the image (image path -> target):
  // entries under them are stored through them, as dpkg would.
  std::map<std::string, std::string> links_below;
  bool merged_usr = false;
  int64_t mtime = 0;
  // Entries of a package to leave out (consumed by a native generator, e.g. CA certificates).
  std::function<bool(const UnpackedPackage&, const oci::TarHeader&)> drop;
  // Told of every entry as it is written, with a file's bytes and their SHA-256 (hex), so that
  // what describes the layer (its summary, sbom/layer_summary.h) needs no second read of it.
  std::function<void(const oci::TarHeader&, std::string_view data, const std::string& sha256)>
      observe;
};

struct LayerStats {
  uint64_t entries = 0;
  uint64_t file_bytes = 0;
};

Result<LayerStats> write_layer(const LayerContent& content, oci::TarWriter& tar);

// A package entry's header as the layer stores it: under merged /usr, moved
// into /usr with its link target rewritten to match.
oci::TarHeader stored_header(const oci::TarHeader& h, bool merged_usr);

// Symlinks in an image (image path -> target, as the tar stores them):
// where `path` is stored once its symlinked parent directories are followed
// (var/run/x with var/run -> /run: run/x), as dpkg follows them on disk.
std::string path_through_links(const std::map<std::string, std::string>& links,
                               const std::string& path);
// The same links keyed where each is stored (a link under a symlinked
// directory moves with it).
std::map<std::string, std::string> links_as_stored(std::map<std::string, std::string> links);

// Parent directories ("a", "a/b" for "a/b/c") that `paths` need but do not contain.
std::vector<std::string> missing_parents(const std::vector<std::string>& paths);

}  // namespace pare::rootfs
