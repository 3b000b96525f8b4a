#include "oci/image_files_on_disk.h"

#include <cstdlib>

#include "oci/copy.h"

namespace pare::oci {

namespace {

class FileSink : public fs::ByteSink {
 public:
  explicit FileSink(fs::AtomicFile f) : file(std::move(f)) {}
  Result<void> write(std::string_view bytes) override { return file.write(bytes); }
  fs::AtomicFile file;
};

}  // namespace

Result<ImageOnDisk> open_image_on_disk(ImageSource& source, const Descriptor& root,
                                       const Platform& wanted) {
  ImageOnDisk out;
  PARE_TRY(out.descriptor, select_platform(source, root, wanted, false));
  PARE_TRY(std::string bytes, source.read_manifest(out.descriptor));
  PARE_TRY(out.manifest, parse_manifest(bytes));
  PARE_TRY(std::string config, read_config(source, out.manifest.config));
  PARE_TRY(out.config, parse_config(config));
  for (const auto& layer : out.manifest.layers) {
    if (auto local = source.local_blob(layer); local && local->offset == 0) {
      out.layer_files.push_back(local->path);
      continue;
    }
    if (!out.scratch) {
      const char* tmp = std::getenv("TMPDIR");
      PARE_TRY(fs::TempDir dir, fs::TempDir::create(tmp && *tmp ? tmp : "/tmp", ".pare-layers"));
      out.scratch = std::make_unique<fs::TempDir>(std::move(dir));
    }
    std::filesystem::path file = out.scratch->path() / layer.digest.substr(7);
    PARE_TRY(fs::AtomicFile f, fs::AtomicFile::create(file));
    FileSink sink(std::move(f));
    PARE_CHECK(source.read_blob(layer, sink));
    PARE_CHECK(sink.file.commit());
    out.layer_files.push_back(file);
  }
  return out;
}

}  // namespace pare::oci
