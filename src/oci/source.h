// The one image-reader interface (DESIGN.md): every command that reads an image (push,
// copy, pull, a `from:` base, and later inspect, sbom, scan) reads it through ImageSource,
// whatever the transport: an OCI layout directory, an OCI archive, a docker-archive
// (here), or a registry repository (src/registry). ImageDestination is the writing side
// (a layout here, a registry repository in src/registry); oci/copy.h moves images between them.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/layout.h"
#include "oci/manifest.h"
#include "util/fs.h"
#include "util/http_transport.h"

namespace pare::oci {

class ImageSource {
 public:
  virtual ~ImageSource() = default;
  // How a user names this source ("oci:out/family", "docker://host/repo").
  virtual std::string name() const = 0;
  // The tags it holds (a layout's ref.name annotations, a registry's tag list).
  virtual Result<std::vector<std::string>> tags() = 0;
  // The manifest or index a tag (or "sha256:..." digest) names. Errc::not_found naming
  // the tags there are when there is no such tag.
  virtual Result<Descriptor> resolve(std::string_view tag_or_digest) = 0;
  // A manifest or index, read whole (at most kMaxManifestBytes) and verified against
  // d.digest and d.size: a mismatch is Errc::integrity.
  virtual Result<std::string> read_manifest(const Descriptor& d) = 0;
  // A blob's bytes into `sink`, verified while they stream (Errc::integrity on mismatch;
  // the sink has then received bytes it must discard).
  virtual Result<void> read_blob(const Descriptor& d, fs::ByteSink& sink) = 0;
  // Where a blob's bytes lie on local disk (a layout's blob file, an archive member), so
  // an upload can stream it from any offset; nullopt for remote sources.
  virtual std::optional<http::FileRange> local_blob(const Descriptor&) { return std::nullopt; }
};

class ImageDestination {
 public:
  virtual ~ImageDestination() = default;
  virtual std::string name() const = 0;
  // Whether it holds the blob (for a manifest or index descriptor: the manifest, which a
  // registry stores only once everything it names is there).
  virtual Result<bool> has_blob(const Descriptor& d) = 0;
  // Copies a blob from `from` (which has it), verified. False when no bytes had to move (a
  // registry mounted it from another repository).
  virtual Result<bool> put_blob(const Descriptor& d, ImageSource& from) = 0;
  // Stores a manifest or index under its digest (children are put before their index).
  virtual Result<void> put_manifest(const Descriptor& d, std::string_view bytes) = 0;
  // Whether `tag` already names `d` (then nothing needs sending for it).
  virtual Result<bool> tag_is(const std::string& tag, const Descriptor& d) {
    (void)tag;
    (void)d;
    return false;
  }
  // Stores a manifest or index (if not stored yet) and names it with a tag.
  virtual Result<void> tag(const Descriptor& d, std::string_view bytes, const std::string& tag) = 0;
  // Makes everything put visible (a layout writes its index.json); nothing before this
  // is visible to readers of the destination, where the destination allows that.
  virtual Result<void> commit() = 0;
};

// "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "docker-archive:FILE" (the containers/image
// transport names; the first ':' after the path ends it, as there).
struct LocalRef {
  enum class Kind { layout, oci_archive, docker_archive } kind;
  std::filesystem::path path;
  std::string tag;  // "" = every tag (push, copy) or the only one
};
// nullopt when `text` has none of these prefixes (it may be docker://).
std::optional<LocalRef> parse_local_ref(std::string_view text);

Result<std::unique_ptr<ImageSource>> open_local_source(const LocalRef& ref);

// A layout directory written as a staging copy beside `dir` and moved into place on
// commit(): an existing layout keeps its other tags (a tag written again is replaced), any
// other existing content is refused (oci/replace.cpp's rule).
Result<std::unique_ptr<ImageDestination>> open_layout_destination(const std::filesystem::path& dir);

// oci-archive:FILE or docker-archive:FILE as a destination (oci/archive_destination.cpp):
// copied into a staged layout, then written as the archive on commit(). A docker-archive
// takes single-platform images only.
Result<std::unique_ptr<ImageDestination>> open_archive_destination(const LocalRef& ref);

// Images held in memory (a build's, pushed without a local copy): manifests, indexes and
// configs from memory, layers from their files. A layer whose file is absent is read through
// `missing` (a registry cache's repository), or is Errc::not_found; local_blob() names only
// files that are there, so a push mounts or downloads the others.
using BlobFetcher = std::function<Result<void>(const Descriptor&, fs::ByteSink&)>;
std::unique_ptr<ImageSource> memory_source(std::vector<TaggedImage> images, BlobFetcher missing);

// A single-platform image of a local source as the writers' PlatformImage: its manifest and
// config bytes as they are (digests kept), its layers where they lie on disk with their
// diff_ids. An index is Errc::invalid.
Result<PlatformImage> local_platform_image(ImageSource& source, const Descriptor& manifest);

// An image config blob of `source`, read whole (at most kMaxManifestBytes) and verified.
Result<std::string> read_config(ImageSource& source, const Descriptor& config);

// Bounded readers shared by the sources: a blob file of at most `limit` bytes, hashed.
Result<std::string> read_verified(const http::FileRange& range, const Descriptor& d,
                                  uint64_t limit);
Result<void> stream_verified(const http::FileRange& range, const Descriptor& d, fs::ByteSink& sink);
Error digest_mismatch(const Descriptor& d, const std::string& where, const std::string& got);

}  // namespace pare::oci
