#include "build/sbom_output.h"

#include <future>
#include <set>

#include "oci/layer.h"
#include "sbom/document.h"
#include "sbom/image_files.h"
#include "sbom/layer_summary.h"
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

// "python3_latest_amd64"; an index's (no arch) "python3_latest".
std::string file_stem(const std::string& tag, const std::string& arch) {
  std::string stem;
  for (char c : tag) stem += (c == ':' || c == '/') ? '_' : c;
  return arch.empty() ? stem : stem + "_" + arch;
}

// Each multi-platform tag's index, with its images' documents named.
std::vector<sbom::SbomIndex> indexes_of(const std::vector<oci::TaggedImage>& images,
                                        int64_t created) {
  std::vector<sbom::SbomIndex> out;
  for (const auto& t : images) {
    if (t.images.size() < 2) continue;
    sbom::SbomIndex index{t.tag, oci::index_blob_for(t).digest(), created, {}};
    for (const auto& img : t.images)
      index.images.push_back({img.platform.architecture, img.manifest.digest(),
                              file_stem(t.tag, img.platform.architecture) + ".spdx.json"});
    out.push_back(std::move(index));
  }
  return out;
}

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

RenderedSboms render_sboms(const std::vector<BuiltSbom>& sboms,
                           const std::vector<oci::TaggedImage>& images, int64_t created,
                           const stdfs::path& dir) {
  RenderedSboms out;
  std::set<std::string> done;
  auto add = [&](const std::string& digest, const std::string& stem, std::string spdx,
                 std::string cyclonedx) {
    out.files.emplace_back(stem + ".spdx.json", std::move(spdx));
    out.files.emplace_back(stem + ".cdx.json", std::move(cyclonedx));
    out.written.push_back({digest, dir / (stem + ".spdx.json"), dir / (stem + ".cdx.json")});
  };
  for (const auto& built : sboms) {
    const std::string& digest = built.doc.manifest_digest;
    if (!done.insert(digest).second) continue;
    add(digest, file_stem(built.tag, built.doc.arch), sbom::spdx_json(built.doc),
        sbom::cyclonedx_json(built.doc));
  }
  for (const auto& index : indexes_of(images, created)) {
    if (!done.insert(index.digest).second) continue;
    add(index.digest, file_stem(index.name, ""), sbom::index_spdx_json(index),
        sbom::index_cyclonedx_json(index));
  }
  return out;
}

Result<std::vector<SbomFiles>> write_sboms(const RenderedSboms& rendered, const stdfs::path& dir) {
  PARE_CHECK(check_sbom_dir_replaceable(dir));
  stdfs::path parent = dir.has_parent_path() ? dir.parent_path() : stdfs::path(".");
  PARE_TRY(fs::TempDir stage, fs::TempDir::create(parent, ".pare-sbom"));
  for (const auto& [name, text] : rendered.files)
    PARE_CHECK(fs::write_file_atomic(stage.path() / name, text));
  stdfs::path staged = stage.release();
  auto published = fs::publish(staged, dir);
  if (!published.ok()) {
    std::error_code ec;
    stdfs::remove_all(staged, ec);
    return published.error();
  }
  return rendered.written;
}

Result<sbom::SbomImage> SbomMaker::describe(const std::string& tag, const std::string& arch,
                                            const std::vector<oci::LayerBlob>& layers,
                                            const std::vector<std::string>& history) {
  sbom::FlatImage flat;
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto& l = layers[i];
    auto it = layers_.find(l.digest);
    if (it == layers_.end()) {
      // The output pass hashes every blob it writes: a cached summary needs no second hash.
      auto read = sbom::layer_summary({l.file, l.digest}, cache_dir_, false);
      if (!read.ok()) {
        // A damaged cache blob goes, as the output pass would drop it: run_build's second
        // pass builds the layer again.
        if (read.error().code() == Errc::integrity) {
          std::error_code ec;
          std::filesystem::remove(l.file, ec);
          dropped_.push_back(l.file);
          return read.error();
        }
        return read.error().context("layer " + l.digest);
      }
      it = layers_.emplace(l.digest, std::move(read.value())).first;
    }
    for (auto& [path, e] : it->second.entries) e.layer = i;  // where it lies in this image
    sbom::apply_layer(it->second, flat);
  }
  PARE_TRY(sbom::ImageContents contents, sbom::describe_files(flat.files));
  sbom::SbomImage doc;
  doc.name = tag;
  doc.arch = arch;
  doc.created = created_;
  doc.os = contents.os;
  doc.packages = std::move(contents.packages);
  for (auto& p : doc.packages) add_facts(p, facts_);
  for (const auto& l : layers) doc.layers.push_back({l.digest, l.diff_id, l.media_type, l.size});
  std::set<std::string> owned = sbom::owned_files(flat);
  for (const auto& [path, e] : flat.entries) {
    if (e.type != sbom::FileEntry::Type::file || owned.count(path) || sbom::is_database_path(path))
      continue;
    std::string made_by = e.layer < history.size() ? history[e.layer] : "";
    doc.files.push_back(
        {"/" + path, e.sha256,
         "no package lists it; layer " + std::to_string(e.layer) + " (" + made_by + ")"});
  }
  return doc;
}

Result<oci::LayerBlob> SbomMaker::layer(const sbom::SbomImage& doc) {
  // The image must come out the same on any machine: nothing that depends on where the build
  // ran goes in (the mirror's URLs), nor its own manifest digest, which cannot be known yet.
  sbom::SbomImage in_image = doc;
  in_image.manifest_digest.clear();
  for (auto& p : in_image.packages) p.download_location.clear();
  // The two documents are independent and, for an app with many files, the larger part of the
  // SBOM's cost: one is made on a second thread.
  auto spdx_text = std::async(std::launch::async, [&] { return sbom::spdx_json(in_image); });
  std::string cyclonedx = sbom::cyclonedx_json(in_image), spdx = spdx_text.get();
  PARE_TRY(auto writer, oci::LayerWriter::create(blob_dir_, compress_));
  auto& tar = writer->tar();
  std::string dir;
  for (std::string_view part : {"var", "lib", "pare", "sbom"}) {
    dir += (dir.empty() ? "" : "/") + std::string(part);
    PARE_CHECK(tar.add({dir, oci::EntryType::dir, 0755, 0, 0, 0, "", created_}));
  }
  for (const auto& [name, bytes] :
       {std::pair{"image.cdx.json", &cyclonedx}, std::pair{"image.spdx.json", &spdx}})
    PARE_CHECK(tar.add(
        {dir + "/" + name, oci::EntryType::file, 0644, 0, 0, bytes->size(), "", created_}, *bytes));
  return writer->finish();
}

}  // namespace pare::build
