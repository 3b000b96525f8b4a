// Reading manifests and indexes written by anyone (image-spec v1.1 descriptor.md,
// manifest.md, image-index.md; Docker's Image Manifest V2 Schema 2 and manifest list,
// which have the same shape under other media types). The bytes come from registries and
// archives: the caller bounds them (kMaxManifestBytes) before they are parsed here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/image.h"
#include "util/result.h"

namespace pare::oci {

namespace media {
inline constexpr const char* kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kOciConfig = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* kDockerManifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* kDockerList =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* kDockerConfig = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* kDockerLayerGzip = "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr const char* kOciEmpty = "application/vnd.oci.empty.v1+json";
// Schema 1 (signed JSON web signature manifests): refused, with this in the message.
inline constexpr const char* kDockerSchema1 =
    "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr const char* kDockerSchema1Signed =
    "application/vnd.docker.distribution.manifest.v1+prettyjws";
}  // namespace media

// The Accept header a client sends for a manifest: every type pare reads.
std::string manifest_accept_header();

// The distribution spec lets registries refuse manifests above 4 MiB; pare refuses to read
// larger ones from anywhere.
inline constexpr uint64_t kMaxManifestBytes = uint64_t{4} << 20;

bool is_index_media_type(std::string_view media_type);
bool is_manifest_media_type(std::string_view media_type);

struct Descriptor {
  std::string media_type;
  std::string digest;  // "sha256:<hex>" (other algorithms are refused by the readers)
  uint64_t size = 0;
  std::optional<Platform> platform;
  std::string artifact_type;
  std::map<std::string, std::string> annotations;
};

struct Manifest {
  std::string media_type;
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  std::map<std::string, std::string> annotations;
};

// The media type of a manifest document: its mediaType field, else (for OCI documents that
// omit it) guessed from the shape. Schema 1 is Errc::unsupported with a clear message.
Result<std::string> document_media_type(std::string_view bytes,
                                        std::string_view declared_media_type = {});
Result<Manifest> parse_manifest(std::string_view bytes);
Result<Index> parse_index(std::string_view bytes);

// Compact JSON with sorted keys (equal documents, equal digests), for documents pare makes
// from descriptors it read: indexes of referrers, artifact manifests, layout entries.
std::string serialize_descriptor(const Descriptor& d);
std::string serialize_index(const Index& index);
std::string serialize_manifest(const Manifest& m);

// Platforms (used when pare writes an index of other people's manifests).
std::string platform_string(const Platform& p);  // "linux/arm64/v8"
Result<Platform> parse_platform(std::string_view text);
bool platform_matches(const Platform& wanted, const Platform& have);

}  // namespace pare::oci
