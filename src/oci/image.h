// OCI image config, manifest and index documents (image-spec v1.1: config.md,
// manifest.md, image-index.md). JSON is written with sorted keys and no
// whitespace, so equal inputs give equal bytes and digests.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "oci/layer.h"

namespace pare::oci {

// RFC 3339 in UTC, second precision: "1970-01-01T00:00:00Z" (config and annotation dates).
std::string rfc3339_utc(int64_t seconds);

struct Platform {
  std::string os = "linux";
  std::string architecture;  // OCI/Go names: amd64, arm64, arm, 386, ppc64le, s390x, riscv64
  std::string variant;       // arm64 -> "v8", armhf -> "v7", armel -> "v5"; else empty
};
// Debian architecture name -> OCI platform (amd64, arm64, armhf, armel, i386, ppc64el, s390x,
// riscv64).
Result<Platform> platform_for_debian_arch(const std::string& debian_arch);

// The PATH pare's images have (DESIGN.md, image conventions), as distroless's do.
inline constexpr const char* kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Docker's HEALTHCHECK, as Docker and podman read it from an image config ("Healthcheck";
// the OCI image spec has no such field, and tools that do not know it ignore it). Durations
// are nanoseconds; 0 = the engine's default.
struct Healthcheck {
  std::vector<std::string> test;  // ["CMD", program, args...] or ["NONE"]
  int64_t interval = 0, timeout = 0, start_period = 0;
  int retries = 0;
  bool operator==(const Healthcheck&) const = default;
};

struct ImageConfig {
  Platform platform;
  int64_t created = 0;  // seconds since the epoch (SOURCE_DATE_EPOCH)
  std::string user;
  std::string working_dir;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "KEY=value", in order
  std::map<std::string, std::string> labels;
  std::vector<std::string> exposed_ports;  // "8080/tcp"
  std::vector<std::string> volumes;
  std::string stop_signal;
  std::optional<Healthcheck> healthcheck;
  std::vector<std::string> diff_ids;  // rootfs.diff_ids, bottom layer first
  std::vector<std::string> history;   // created_by per layer (same count as diff_ids)
};

std::string config_json(const ImageConfig& config);
// Reads an image config anyone wrote (image-spec config.md; Docker's has the same fields):
// the execution settings, rootfs.diff_ids, and created_by of the history entries that made a
// layer (empty_layer entries are skipped, so history lines up with diff_ids; a missing one is
// ""). Bounded by the caller; wrong types are Errc::invalid naming the field.
Result<ImageConfig> parse_config(std::string_view bytes);

// A blob held in memory (config, manifest) plus its descriptor.
struct JsonBlob {
  std::string media_type;
  std::string bytes;
  std::string digest() const;  // "sha256:<hex>"
};

JsonBlob make_config_blob(const ImageConfig& config);
JsonBlob make_manifest_blob(const JsonBlob& config, const std::vector<LayerBlob>& layers,
                            const std::map<std::string, std::string>& annotations);

struct IndexEntry {
  JsonBlob manifest;
  std::optional<Platform> platform;
  std::map<std::string, std::string> annotations;  // e.g. org.opencontainers.image.ref.name
};
JsonBlob make_index_blob(const std::vector<IndexEntry>& manifests,
                         const std::map<std::string, std::string>& annotations);

}  // namespace pare::oci
