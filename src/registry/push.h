// Pushing every tag of an image source to a registry (`pare push`, `pare build --push`).
// Where each tag goes: a source whose tags all share one image name ("python3:latest",
// "python3:nonroot") goes to DEST:latest, DEST:nonroot; a source of several images
// ("base:latest", "python3:nonroot") goes to DEST/base:latest, DEST/python3:nonroot; a tag
// without a name ("latest") to DEST:latest. A destination with a tag takes exactly one image.
#pragma once

#include <string>
#include <vector>

#include "oci/copy.h"
#include "registry/image_io.h"

namespace pare::registry {

struct TagTarget {
  std::string source_tag;
  Reference target;  // registry, repository, tag
};
Result<std::vector<TagTarget>> map_tags(const std::vector<std::string>& source_tags,
                                        const Reference& destination);

struct Pushed {
  std::string reference;  // "host/repo:tag"
  std::string digest;
  std::string media_type;
  size_t blobs_uploaded = 0;
  size_t blobs_present = 0;
  size_t blobs_mounted = 0;
  uint64_t bytes_uploaded = 0;
};
// `tags` empty = every tag of the source.
Result<std::vector<Pushed>> push_tags(oci::ImageSource& source,
                                      const std::vector<std::string>& tags,
                                      const Reference& destination, RegistryPool& pool,
                                      const PushOptions& options);

}  // namespace pare::registry
