// The SBOMs of a build (#12). For every image and architecture an SPDX 2.3 and a CycloneDX 1.6
// document, made before the image's manifest: they describe its content layers, packages and
// added files, and (unless the spec says `sbom: false`) travel inside it as its own small top
// layer at /var/lib/pare/sbom/image.{spdx,cdx}.json; the same bytes are written beside the
// output, OUT.sbom/<name>_<variant>_<arch>.spdx.json and .cdx.json, and pushed as referrers.
//
// The packages are read from the image's own layers by the one package-metadata reader
// (sbom/image_files.h: what scanners will see), then given what only the build knows: the
// .deb's SHA-256 from the signed index, its download location, and a slice's kept paths. Every
// regular file no package database lists (what the spec added: files:, certificates:; what
// pare generated: accounts, the CA bundle, ld.so.cache; a package's conffiles, which
// distroless-style records do not list) is declared with its SHA-256, so `pare audit` can tell
// a declared file from a stray one.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "deb/resolver.h"
#include "oci/layout.h"
#include "sbom/document.h"
#include "sbom/image_files.h"
#include "util/compress.h"

namespace pare::build {

// "name=version:arch" (deb::PackageInfo::key()) -> what the plan says of that package.
using PackageFacts = std::map<std::string, deb::PackageInfo>;

// One image's SBOM, once its manifest exists: `doc.manifest_digest` is set, so the documents
// written beside the output and pushed as referrers name the image by its digest. The copy in
// the image's own SBOM layer is the same document without it (an image cannot hold its own
// manifest digest).
struct BuiltSbom {
  std::string tag;
  sbom::SbomImage doc;
};

// Makes the documents and SBOM layers of every image of a build; each layer is read once
// however many images share it.
class SbomMaker {
 public:
  // Layers are read through their summaries kept in `cache_dir` (sbom/layer_summary.h); the
  // SBOM layers are written into its blobs/sha256.
  SbomMaker(const PackageFacts& facts, int64_t created, std::filesystem::path cache_dir,
            CompressOptions compress)
      : facts_(facts),
        created_(created),
        cache_dir_(std::move(cache_dir)),
        blob_dir_(cache_dir_ / "blobs" / "sha256"),
        compress_(compress) {}
  // `layers` bottom first, `history` the config's created_by per layer (same count). The
  // document has no manifest digest yet.
  Result<sbom::SbomImage> describe(const std::string& tag, const std::string& arch,
                                   const std::vector<oci::LayerBlob>& layers,
                                   const std::vector<std::string>& history);
  // The layer holding the documents (directories var/lib/pare/sbom, files 0644, root-owned,
  // mtime SOURCE_DATE_EPOCH), written into the blob directory.
  Result<oci::LayerBlob> layer(const sbom::SbomImage& doc);
  // Cache blobs found damaged while reading (and removed).
  const std::vector<std::filesystem::path>& dropped() const { return dropped_; }

 private:
  const PackageFacts& facts_;
  int64_t created_;
  std::filesystem::path cache_dir_, blob_dir_;
  CompressOptions compress_;
  std::map<std::string, sbom::LayerFiles> layers_;  // by layer digest
  std::vector<std::filesystem::path> dropped_;
};

inline constexpr const char* kSbomLayerHistory = "pare: SBOM (/var/lib/pare/sbom)";

// OUT.sbom for an output at OUT.
std::filesystem::path sbom_dir_for(const std::filesystem::path& output);
// Whether the SBOM directory may be replaced: absent, empty, or holding only SBOM files.
Result<void> check_sbom_dir_replaceable(const std::filesystem::path& dir);

struct SbomFiles {
  std::string manifest_digest;  // the image the documents describe
  std::filesystem::path spdx, cyclonedx;
};

// Every image's documents, and for each multi-platform tag of `images` its index's, as text:
// OUT.sbom/<name>_<variant>_<arch>.spdx.json and .cdx.json (an index's without the arch).
struct RenderedSboms {
  std::vector<std::pair<std::string, std::string>> files;  // file name -> text
  std::vector<SbomFiles> written;                          // where each document goes in dir
};
// Pure (no I/O): a build renders them while the output is written, and writes them only once
// the output is in place.
RenderedSboms render_sboms(const std::vector<BuiltSbom>& sboms,
                           const std::vector<oci::TaggedImage>& images, int64_t created,
                           const std::filesystem::path& dir);
// Writes the rendered documents into dir, staged and moved into place; returns where each
// image's and index's went.
Result<std::vector<SbomFiles>> write_sboms(const RenderedSboms& rendered,
                                           const std::filesystem::path& dir);

}  // namespace pare::build
