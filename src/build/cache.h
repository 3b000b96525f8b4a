// The cache directory as a whole: `pare cache dir|verify|prune`, and the sweep
// of what killed builds left behind. Layout (each part's owner says more):
//
//   blobs/sha256/<hex>        .debs and layer blobs (util/cas.h), named by their digest
//   unpacked/<sha>-<filter>/  unpacked packages with a checked digests record (rootfs/unpack.h)
//   layers/<key>.json         layer records, resolutions/<key>.json resolutions (checked records)
//   indexes/, stanzas/        Packages files, InRelease copies and markers, stanza indexes
//
// Every entry is verified when used; `verify` checks them all at once (and
// removes what is damaged, which the next build makes again).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "util/result.h"

namespace pare::build {

struct CacheReport {
  size_t checked = 0;                // entries examined
  std::vector<std::string> removed;  // damaged (verify), old (prune) or stale temporaries
  uint64_t bytes_removed = 0;
};

// Marks `cache_dir` as pare's cache (a CACHEDIR.TAG, bford.info/cachedir, so
// backup tools skip it), creating it if needed. Every command that uses a
// cache calls it; verify and prune act only on a directory so marked, so a
// mistyped --cache-dir (a home directory) is never pruned.
Result<void> open_cache(const std::filesystem::path& cache_dir);

// Hashes every blob against its name, every unpacked package against its
// digests, every checked record against its own digest; removes the damaged.
Result<CacheReport> verify_cache(const std::filesystem::path& cache_dir);

// Removes entries not used for `older_than_seconds` (their mtime: a cache hit
// renews it), and temporaries; the cache stays consistent for running builds.
Result<CacheReport> prune_cache(const std::filesystem::path& cache_dir, int64_t older_than_seconds);

// Temporary files and directories left by killed builds (older than an hour,
// so no running build's are touched). Run at the start of every build.
CacheReport sweep_stale_temporaries(const std::filesystem::path& cache_dir);

}  // namespace pare::build
