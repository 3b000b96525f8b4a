#include "sbom/image_sbom.h"

#include "oci/copy.h"
#include "sbom/image_files.h"
#include "util/fs.h"

namespace pare::sbom {

namespace {

namespace stdfs = std::filesystem;

class FileSink : public fs::ByteSink {
 public:
  explicit FileSink(fs::AtomicFile f) : file(std::move(f)) {}
  Result<void> write(std::string_view bytes) override { return file.write(bytes); }
  fs::AtomicFile file;
};

}  // namespace

Result<SbomImage> image_sbom(oci::ImageSource& source, const oci::Descriptor& root,
                             const ImageSbomOptions& options) {
  oci::Platform wanted = options.platform.value_or(oci::Platform{"linux", "amd64", ""});
  PARE_TRY(oci::Descriptor d, oci::select_platform(source, root, wanted, false));
  PARE_TRY(std::string bytes, source.read_manifest(d));
  PARE_TRY(oci::Manifest m, oci::parse_manifest(bytes));
  // Layers a source does not hold on disk are fetched (verified) into a temporary directory.
  const char* tmp = std::getenv("TMPDIR");
  PARE_TRY(fs::TempDir scratch, fs::TempDir::create(tmp && *tmp ? tmp : "/tmp", ".pare-sbom"));
  std::vector<stdfs::path> files;
  for (const auto& layer : m.layers) {
    if (auto local = source.local_blob(layer); local && local->offset == 0) {
      files.push_back(local->path);
      continue;
    }
    stdfs::path file = scratch.path() / layer.digest.substr(7);
    PARE_TRY(fs::AtomicFile out, fs::AtomicFile::create(file));
    FileSink sink(std::move(out));
    PARE_CHECK(source.read_blob(layer, sink));
    PARE_CHECK(sink.file.commit());
    files.push_back(file);
  }
  PARE_TRY(auto found, read_image_files(files, is_metadata_path));
  PARE_TRY(ImageContents contents, describe_files(found));
  SbomImage out;
  out.name = options.name;
  out.arch = wanted.architecture;
  out.manifest_digest = d.digest;
  out.os = contents.os;
  out.packages = std::move(contents.packages);
  for (const auto& layer : m.layers)
    out.layers.push_back({layer.digest, "", layer.media_type, layer.size});
  return out;
}

}  // namespace pare::sbom
