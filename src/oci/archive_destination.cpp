// ImageDestination for the archive formats: everything is copied, verified, into a layout
// staged beside the archive; commit() writes the archive from it (oci-archive: the layout as
// a tar; docker-archive: `docker save` format, one platform per tag) and removes the stage.
#include "oci/layout.h"
#include "oci/source.h"

namespace pare::oci {

namespace {

namespace stdfs = std::filesystem;

// One single-platform tag of a layout as the writer's TaggedImage (bytes kept, so digests are).
Result<TaggedImage> tagged_image(ImageSource& layout, const std::string& tag) {
  PARE_TRY(Descriptor d, layout.resolve(tag));
  auto image = local_platform_image(layout, d);
  if (!image.ok()) return image.error().context(tag);
  return TaggedImage(tag, {std::move(image.value())});
}

class ArchiveDestination : public ImageDestination {
 public:
  ArchiveDestination(LocalRef::Kind kind, stdfs::path file, fs::TempDir stage,
                     std::unique_ptr<ImageDestination> layout)
      : kind_(kind), file_(std::move(file)), stage_(std::move(stage)), layout_(std::move(layout)) {}

  std::string name() const override {
    return (kind_ == LocalRef::Kind::oci_archive ? "oci-archive:" : "docker-archive:") +
           file_.string();
  }
  Result<bool> has_blob(const Descriptor& d) override { return layout_->has_blob(d); }
  Result<bool> put_blob(const Descriptor& d, ImageSource& from) override {
    return layout_->put_blob(d, from);
  }
  Result<void> put_manifest(const Descriptor& d, std::string_view bytes) override {
    return layout_->put_manifest(d, bytes);
  }
  Result<void> tag(const Descriptor& d, std::string_view bytes, const std::string& tag) override {
    tags_.push_back(tag);
    return layout_->tag(d, bytes, tag);
  }
  Result<void> commit() override {
    PARE_CHECK(layout_->commit());
    stdfs::path dir = stage_.path() / "layout";
    if (kind_ == LocalRef::Kind::oci_archive) return archive_layout(dir, file_);
    PARE_TRY(auto source, open_local_source(LocalRef{LocalRef::Kind::layout, dir, ""}));
    std::vector<TaggedImage> images;
    for (const auto& t : tags_) {
      PARE_TRY(TaggedImage image, tagged_image(*source, t));
      images.push_back(std::move(image));
    }
    return write_output(OutputFormat::docker_archive, file_, images);
  }

 private:
  LocalRef::Kind kind_;
  stdfs::path file_;
  fs::TempDir stage_;
  std::unique_ptr<ImageDestination> layout_;
  std::vector<std::string> tags_;
};

}  // namespace

Result<PlatformImage> local_platform_image(ImageSource& source, const Descriptor& d) {
  PARE_TRY(std::string bytes, source.read_manifest(d));
  PARE_TRY(std::string media_type, document_media_type(bytes, d.media_type));
  if (is_index_media_type(media_type))
    return Error(Errc::invalid,
                 "an index, not one platform's image (a docker-archive holds one "
                 "platform per tag: copy with --platform OS/ARCH)");
  PARE_TRY(Manifest m, parse_manifest(bytes));
  PlatformImage image;
  image.manifest = JsonBlob{media_type, bytes};
  auto config_range = source.local_blob(m.config);
  if (!config_range) return Error(Errc::not_found, "config " + m.config.digest + " is missing");
  PARE_TRY(std::string config, read_verified(*config_range, m.config, kMaxManifestBytes));
  PARE_TRY(ImageConfig parsed, parse_config(config));
  image.platform = parsed.platform;
  image.config = JsonBlob{m.config.media_type, config};
  if (parsed.diff_ids.size() != m.layers.size())
    return Error(Errc::invalid, "the config lists " + std::to_string(parsed.diff_ids.size()) +
                                    " diff_ids for " + std::to_string(m.layers.size()) + " layers");
  for (size_t i = 0; i < m.layers.size(); ++i) {
    auto range = source.local_blob(m.layers[i]);
    if (!range) return Error(Errc::not_found, "layer " + m.layers[i].digest + " is missing");
    LayerBlob blob;
    blob.media_type = m.layers[i].media_type;
    blob.digest = m.layers[i].digest;
    blob.size = m.layers[i].size;
    blob.file = range->path;
    blob.diff_id = parsed.diff_ids[i];
    image.layers.push_back(std::move(blob));
  }
  return image;
}

Result<std::unique_ptr<ImageDestination>> open_archive_destination(const LocalRef& ref) {
  OutputFormat format = ref.kind == LocalRef::Kind::oci_archive ? OutputFormat::oci_archive
                                                                : OutputFormat::docker_archive;
  PARE_CHECK(check_replaceable(format, ref.path));  // refused before anything is copied
  stdfs::path parent = ref.path.has_parent_path() ? ref.path.parent_path() : stdfs::path(".");
  PARE_TRY(fs::TempDir stage, fs::TempDir::create(parent, ".pare-tmp-copy"));
  PARE_TRY(auto layout, open_layout_destination(stage.path() / "layout"));
  return std::unique_ptr<ImageDestination>(std::make_unique<ArchiveDestination>(
      ref.kind, ref.path, std::move(stage), std::move(layout)));
}

}  // namespace pare::oci
