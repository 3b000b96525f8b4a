// Output formats:
//  - OCI image layout directory (image-spec image-layout.md): oci-layout,
//    index.json, blobs/sha256/...; each tag an entry of index.json with
//    annotation org.opencontainers.image.ref.name.
//  - OCI archive: the same layout as a (deterministic) tar file.
//  - docker-archive: `docker save` format (manifest.json + config + layer
//    files) for `docker load` / `podman load`; one platform per tag.
// Every output is staged next to its destination and renamed into place.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "oci/image.h"

namespace pare::oci {

// One platform's image.
struct PlatformImage {
  Platform platform;
  JsonBlob config;
  JsonBlob manifest;
  std::vector<LayerBlob> layers;
};

// A tag ("base:latest", "python3:nonroot") and its platform images. With more
// than one platform, the tag names an image index; with one, the manifest itself.
struct TaggedImage {
  TaggedImage() = default;
  TaggedImage(std::string tag_, std::vector<PlatformImage> images_)
      : tag(std::move(tag_)), images(std::move(images_)) {}
  std::string tag;
  std::vector<PlatformImage> images;
  // With several platforms the tag names an image index; these are its annotations
  // (the manifests carry their own, PlatformImage::manifest).
  std::map<std::string, std::string> index_annotations;
};
// The image index a tag of several platforms names.
JsonBlob index_blob_for(const TaggedImage& tagged);

enum class OutputFormat { oci_layout, oci_archive, docker_archive };
// "oci" (alias "oci-layout"), "oci-archive", "docker-archive": the names of the
// containers/image transports that read them.
Result<OutputFormat> parse_output_format(std::string_view name);
const char* output_format_name(OutputFormat format);

class PreviousBlobs;  // previous_blobs.h

// Writes the output, replacing what is at `dest` only when check_replaceable allows it. An
// OCI layout takes each unchanged blob from the layout it replaces once it hashes to its name;
// `hashed_ahead` (for `dest`) holds those this run hashed already.
Result<void> write_output(OutputFormat format, const std::filesystem::path& dest,
                          const std::vector<TaggedImage>& images,
                          PreviousBlobs* hashed_ahead = nullptr);

// The OCI layout at `layout_dir` as an OCI archive at `dest` (deterministic tar, every blob
// checked against its name while written), under the same replacement rule.
Result<void> archive_layout(const std::filesystem::path& layout_dir,
                            const std::filesystem::path& dest);

// Whether `dest` may be replaced by an output of `format` (replace.cpp): it
// does not exist, is an empty directory or file, or is an output of that same
// format. Otherwise Errc::invalid, naming what is there.
Result<void> check_replaceable(OutputFormat format, const std::filesystem::path& dest);

}  // namespace pare::oci
