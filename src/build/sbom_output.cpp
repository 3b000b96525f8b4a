#include "build/sbom_output.h"

#include <set>

#include "sbom/document.h"
#include "sbom/image_files.h"
#include "util/fs.h"

namespace pare::build {

namespace {

namespace stdfs = std::filesystem;

bool is_sbom_file(const std::string& name) {
  auto ends = [&](std::string_view suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends(".spdx.json") || ends(".cdx.json");
}

std::string file_stem(const std::string& tag, const std::string& arch) {
  std::string stem;
  for (char c : tag) stem += (c == ':' || c == '/') ? '_' : c;
  return stem + "_" + arch;
}

// The layers' metadata files, each layer read once however many images share it.
class LayerCache {
 public:
  Result<std::map<std::string, std::string>> files_of(const std::vector<oci::LayerBlob>& layers) {
    std::map<std::string, std::string> files;
    for (const auto& l : layers) {
      auto it = cache_.find(l.digest);
      if (it == cache_.end()) {
        auto read = sbom::read_layer_files(l.file, sbom::is_metadata_path);
        if (!read.ok()) return read.error().context("layer " + l.digest);
        it = cache_.emplace(l.digest, std::move(read.value())).first;
      }
      sbom::apply_layer_files(it->second, files);
    }
    return files;
  }

 private:
  std::map<std::string, sbom::LayerFiles> cache_;
};

void add_facts(sbom::PackageRecord& r, const PackageFacts& facts) {
  auto it = facts.find(r.name + "=" + r.version + ":" + r.arch);
  if (it == facts.end()) return;
  r.sha256 = it->second.sha256;
  r.download_location = it->second.url();
  r.slice = it->second.only;
}

}  // namespace

stdfs::path sbom_dir_for(const stdfs::path& output) {
  stdfs::path p = output;
  while (!p.empty() && p.filename().empty()) p = p.parent_path();  // "out/x/" -> "out/x"
  return stdfs::path(p.string() + ".sbom");
}

Result<void> check_sbom_dir_replaceable(const stdfs::path& dir) {
  std::error_code ec;
  auto st = stdfs::symlink_status(dir, ec);
  if (ec || st.type() == stdfs::file_type::not_found) return {};
  if (st.type() != stdfs::file_type::directory)
    return Error(Errc::invalid, dir.string() +
                                    " exists and is not a directory of SBOMs: not "
                                    "replaced (remove it yourself)");
  for (const auto& e : stdfs::directory_iterator(dir, ec))
    if (!e.is_regular_file() || !is_sbom_file(e.path().filename().string()))
      return Error(Errc::invalid, dir.string() + " holds " + e.path().filename().string() +
                                      ", not only SBOMs: not replaced (remove it yourself)");
  return {};
}

Result<std::vector<SbomFiles>> write_sboms(const std::vector<oci::TaggedImage>& images,
                                           const PackageFacts& facts, int64_t created,
                                           const stdfs::path& dir) {
  PARE_CHECK(check_sbom_dir_replaceable(dir));
  stdfs::path parent = dir.has_parent_path() ? dir.parent_path() : stdfs::path(".");
  PARE_TRY(fs::TempDir stage, fs::TempDir::create(parent, ".pare-sbom"));
  LayerCache layers;
  std::set<std::string> done;
  std::vector<SbomFiles> written;
  for (const auto& tagged : images)
    for (const auto& image : tagged.images) {
      std::string digest = image.manifest.digest();
      if (!done.insert(digest).second) continue;
      PARE_TRY(auto files, layers.files_of(image.layers));
      PARE_TRY(sbom::ImageContents contents, sbom::describe_files(files));
      sbom::SbomImage doc;
      doc.name = tagged.tag;
      doc.arch = image.platform.architecture;
      doc.manifest_digest = digest;
      doc.created = created;
      doc.os = contents.os;
      doc.packages = std::move(contents.packages);
      for (auto& p : doc.packages) add_facts(p, facts);
      for (const auto& l : image.layers)
        doc.layers.push_back({l.digest, l.diff_id, l.media_type, l.size});
      std::string stem = file_stem(tagged.tag, image.platform.architecture);
      PARE_CHECK(fs::write_file_atomic(stage.path() / (stem + ".spdx.json"), sbom::spdx_json(doc)));
      PARE_CHECK(
          fs::write_file_atomic(stage.path() / (stem + ".cdx.json"), sbom::cyclonedx_json(doc)));
      written.push_back({digest, dir / (stem + ".spdx.json"), dir / (stem + ".cdx.json")});
    }
  stdfs::path staged = stage.release();
  auto published = fs::publish(staged, dir);
  if (!published.ok()) {
    std::error_code ec;
    stdfs::remove_all(staged, ec);
    return published.error();
  }
  return written;
}

}  // namespace pare::build
