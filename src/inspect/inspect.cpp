#include "inspect/inspect.h"

#include "sbom/image_sbom.h"

namespace pare::inspect {

Result<ImageSummary> inspect_image(oci::ImageSource& source, const oci::Descriptor& root,
                                   const std::string& reference,
                                   const std::optional<oci::Platform>& platform) {
  ImageSummary out;
  out.reference = reference;
  out.digest = root.digest;
  PARE_TRY(std::string bytes, source.read_manifest(root));
  PARE_TRY(out.media_type, oci::document_media_type(bytes, root.media_type));
  oci::Descriptor manifest = root;
  oci::Platform wanted = platform.value_or(oci::Platform{"linux", "amd64", ""});
  if (oci::is_index_media_type(out.media_type)) {
    PARE_TRY(oci::Index index, oci::parse_index(bytes));
    bool found = false;
    for (const auto& m : index.manifests) {
      if (!m.platform) continue;
      out.platforms.push_back(*m.platform);
      if (!found && oci::platform_matches(wanted, *m.platform)) {
        manifest = m;
        found = true;
      }
    }
    if (!found && !index.manifests.empty() && !platform)
      manifest = index.manifests.front();
    else if (!found)
      return Error(Errc::not_found,
                   reference + " has no image for " + oci::platform_string(wanted));
    PARE_TRY(bytes, source.read_manifest(manifest));
  }
  out.manifest_digest = manifest.digest;
  PARE_TRY(oci::Manifest m, oci::parse_manifest(bytes));
  PARE_TRY(std::string config, oci::read_config(source, m.config));
  PARE_TRY(out.config, oci::parse_config(config));
  if (out.platforms.empty()) out.platforms.push_back(out.config.platform);
  out.compressed_size = m.config.size;
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const auto& l = m.layers[i];
    out.layers.push_back({l.digest, l.media_type,
                          i < out.config.history.size() ? out.config.history[i] : "", l.size});
    out.compressed_size += l.size;
  }
  sbom::ImageSbomOptions options;
  options.name = reference;
  options.platform = out.config.platform;
  if (options.platform->architecture.empty()) options.platform = wanted;
  PARE_TRY(sbom::SbomImage doc, sbom::image_sbom(source, manifest, options));
  out.packages = doc.packages.size();
  if (!doc.os.id.empty())
    out.os = doc.os.id + " " + (doc.os.version.empty() ? doc.os.version_id : doc.os.version);
  return out;
}

}  // namespace pare::inspect
