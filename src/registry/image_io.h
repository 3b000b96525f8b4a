// Registry repositories as oci::ImageSource and oci::ImageDestination, and the one parser of
// image references with a transport prefix that every command uses:
//   oci:DIR[:TAG]  oci-archive:FILE[:TAG]  docker-archive:FILE  docker://REFERENCE
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "oci/source.h"
#include "registry/reference.h"
#include "registry/repository.h"

namespace pare::registry {

struct ImageRef {
  std::optional<oci::LocalRef> local;
  std::optional<Reference> remote;
  std::string text;  // as the user wrote it
};
// Errc::invalid naming the reference and what is wrong with it (a missing transport
// prefix says which prefixes there are).
Result<ImageRef> parse_image_ref(std::string_view text, const ShortNames& short_names);

Result<std::unique_ptr<oci::ImageSource>> open_source(RegistryPool& pool, const ImageRef& ref);

struct PushOptions {
  UploadOptions upload;
  Progress* progress = nullptr;
  // Every repository at once, the first included: for images whose layers another repository
  // of the registry already holds (a registry layer cache), so none must go first.
  bool layers_elsewhere = false;
};
// A destination repository (ref's tag and digest are ignored: tags are passed to copy).
std::unique_ptr<oci::ImageDestination> open_registry_destination(RegistryPool& pool,
                                                                 const Reference& repository,
                                                                 const PushOptions& options);

}  // namespace pare::registry
