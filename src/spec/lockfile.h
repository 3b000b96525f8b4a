// The lockfile: the exact packages a spec resolved to, per architecture, so later builds fetch
// the same bytes without resolving again. JSON, written next to the spec (cc.yaml ->
// cc.lock.json):
//
//   {
//     "fingerprint": "sha256:...",      package_set_fingerprint() of the spec it was made for
//     "packages": {
//       "amd64": [ {"arch": "amd64", "filename": "pool/main/g/glibc/libc6_2.36-9_amd64.deb",
//                   "level": 1, "name": "libc6", "sha256": "<64 hex>", "size": 2757936,
//                   "repo": "bookworm/main", "url": "<where it was fetched from>",
//                   "version": "2.36-9"}, ... ] },
//     "suite": "bookworm",
//     "version": 1
//   }
//
// A lockfile whose fingerprint differs from the spec's is stale: the spec's package set changed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::spec {

struct LockedPackage {
  std::string name, version, arch;
  std::string filename;  // pool path, relative to the mirror
  // What the lock selects is name, version, arch and repo; the bytes it names
  // (filename, sha256, size) must match what a verified index says for that
  // selection, and the url is only a record of where they were first fetched.
  std::string sha256, url;
  uint64_t size = 0;
  int level = 0;     // index in Spec::levels where it first appears
  std::string repo;  // "bookworm-updates/main"; "" in locks written before it was recorded
};

// A `from:` image base: the reference as the spec writes it and the digest (of its index or
// manifest) it resolved to; builds from the lock pull that digest, whatever the tag names now.
struct LockedBase {
  std::string reference;
  std::string digest;
};

struct Lockfile {
  int version = 1;
  std::string fingerprint;
  std::string suite;
  std::optional<LockedBase> base;  // "base": {"reference": ..., "digest": ...}
  std::map<std::string /*arch*/, std::vector<LockedPackage>> packages;
};

// Reads and checks a lockfile (types, bounds, hashes, names); errors name the JSON path, e.g.
// "cc.lock.json: $.packages.amd64[3].sha256: expected 64 lowercase hex digits".
Result<Lockfile> read_lockfile(const std::filesystem::path& path);
// The same on text already in memory; `name` is used in messages.
Result<Lockfile> parse_lockfile(std::string_view text, const std::string& name);

// Stable text: packages sorted by name then version, keys sorted, 2-space indent, final newline.
std::string lockfile_json(const Lockfile& lock);
// Writes lockfile_json(lock) atomically.
Result<void> write_lockfile(const std::filesystem::path& path, const Lockfile& lock);

// examples/cc.yaml -> examples/cc.lock.json (any .yaml/.yml extension is replaced).
std::filesystem::path default_lockfile_path(const std::filesystem::path& spec_path);

}  // namespace pare::spec
