#include "sbom/image_sbom.h"

#include "oci/image_files_on_disk.h"
#include "sbom/image_files.h"
#include "sbom/layer_summary.h"

namespace pare::sbom {

Result<SbomImage> image_sbom(oci::ImageSource& source, const oci::Descriptor& root,
                             const ImageSbomOptions& options) {
  oci::Platform wanted = options.platform.value_or(oci::Platform{"linux", "amd64", ""});
  PARE_TRY(oci::ImageOnDisk image, oci::open_image_on_disk(source, root, wanted));
  image.derived_cache = options.derived_cache;
  return image_sbom(image, options);
}

Result<SbomImage> image_sbom(const oci::ImageOnDisk& image, const ImageSbomOptions& options) {
  PARE_TRY(FlatImage flat, read_flat_summaries(layer_refs(image), image.derived_cache));
  PARE_TRY(ImageContents contents, describe_files(flat.files));
  SbomImage out;
  out.name = options.name;
  out.arch = image.config.platform.architecture;
  if (out.arch.empty() && options.platform) out.arch = options.platform->architecture;
  out.manifest_digest = image.descriptor.digest;
  out.os = contents.os;
  out.packages = std::move(contents.packages);
  for (const auto& layer : image.manifest.layers)
    out.layers.push_back({layer.digest, "", layer.media_type, layer.size});
  return out;
}

}  // namespace pare::sbom
