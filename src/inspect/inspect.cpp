#include "inspect/inspect.h"

#include "inspect/files.h"
#include "sbom/layer_summary.h"

namespace pare::inspect {

namespace {

// An index's platforms, and which one to show: the one asked for, else linux/amd64, else the
// first (an index without amd64 is still inspected when no platform was named).
Result<oci::Platform> platforms_of(oci::ImageSource& source, const oci::Descriptor& root,
                                   const std::optional<oci::Platform>& asked, ImageSummary& out) {
  PARE_TRY(std::string bytes, source.read_manifest(root));
  PARE_TRY(out.media_type, oci::document_media_type(bytes, root.media_type));
  oci::Platform wanted = asked.value_or(oci::Platform{"linux", "amd64", ""});
  if (!oci::is_index_media_type(out.media_type)) return wanted;
  PARE_TRY(oci::Index index, oci::parse_index(bytes));
  bool found = false;
  for (const auto& m : index.manifests) {
    if (!m.platform) continue;
    out.platforms.push_back(*m.platform);
    found |= oci::platform_matches(wanted, *m.platform);
  }
  if (!found && !asked && !out.platforms.empty()) return out.platforms.front();
  return wanted;
}

}  // namespace

Result<ImageSummary> inspect_image(oci::ImageSource& source, const oci::Descriptor& root,
                                   const std::string& reference,
                                   const std::optional<oci::Platform>& platform,
                                   const std::filesystem::path& derived_cache) {
  ImageSummary out;
  out.reference = reference;
  out.digest = root.digest;
  PARE_TRY(oci::Platform wanted, platforms_of(source, root, platform, out));
  PARE_TRY(oci::ImageOnDisk image, oci::open_image_on_disk(source, root, wanted));
  image.derived_cache = derived_cache;
  out.manifest_digest = image.descriptor.digest;
  out.config = image.config;
  if (out.platforms.empty()) out.platforms.push_back(out.config.platform);
  out.compressed_size = image.manifest.config.size;
  for (size_t i = 0; i < image.manifest.layers.size(); ++i) {
    const auto& l = image.manifest.layers[i];
    out.layers.push_back({l.digest, l.media_type,
                          i < out.config.history.size() ? out.config.history[i] : "", l.size});
    out.compressed_size += l.size;
  }
  // One pass over the layers: every entry, and the package databases' contents.
  PARE_TRY(sbom::FlatImage flat,
           sbom::read_flat_summaries(sbom::layer_refs(image), image.derived_cache));
  PARE_TRY(sbom::ImageContents contents, sbom::describe_files(flat.files));
  out.packages = contents.packages.size();
  if (contents.os_known || !contents.os.version.empty())
    out.os = contents.os.id + " " +
             (contents.os.version.empty() ? contents.os.version_id : contents.os.version);
  const Entries& entries = flat.entries;
  for (const auto& [path, e] : entries)
    if (e.type == sbom::FileEntry::Type::file) {
      ++out.files;
      out.uncompressed_size += e.size;
    }
  for (auto& l : largest_files(entries, 10)) out.largest.push_back({l.path, l.entry.size});
  return out;
}

}  // namespace pare::inspect
