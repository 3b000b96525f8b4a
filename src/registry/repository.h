// One repository of a registry and the distribution spec's endpoints on it (spec.md
// "Endpoints": end-2 .. end-12): manifests, blobs (HEAD, GET, uploads, cross-repository
// mounts), tags, referrers. Everything read is bounded and verified against its digest.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "oci/manifest.h"
#include "registry/client.h"
#include "util/progress.h"

namespace pare::registry {

struct UploadOptions {
  // Blobs up to this size go in one PUT; larger ones in PATCH chunks of chunk_size (or the
  // registry's OCI-Chunk-Min-Length, if larger). Both are streamed from disk.
  uint64_t monolithic_max = uint64_t{32} << 20;
  uint64_t chunk_size = uint64_t{16} << 20;
  int restarts = 5;  // a failed upload session started again, or a chunk resumed
};

class Repository {
 public:
  Repository(Registry& registry, std::string name) : registry_(registry), name_(std::move(name)) {}
  Registry& registry() { return registry_; }
  const std::string& name() const { return name_; }

  // The manifest a tag or digest names, or nullopt (404). From the response headers only.
  Result<std::optional<oci::Descriptor>> head_manifest(const std::string& ref);
  // The manifest bytes, verified: by the digest when `ref` is one, else by the
  // Docker-Content-Digest the registry sends (or their own hash when it sends none).
  Result<std::pair<oci::Descriptor, std::string>> get_manifest(const std::string& ref);
  // PUT a manifest or index under a tag or its digest. Returns the OCI-Subject header
  // (set when the registry itself indexed a subject for the referrers API).
  Result<std::string> put_manifest(const std::string& ref, const std::string& media_type,
                                   std::string_view bytes);

  Result<bool> has_blob(const std::string& digest);
  // Streams a blob into `sink`, verifying size and digest (Errc::integrity: the sink got
  // bytes it must discard). Redirects to blob storage are followed.
  Result<void> get_blob(const oci::Descriptor& d, fs::ByteSink& sink);
  // Asks the registry to link a blob `from` another repository holds (201), or says no.
  Result<bool> mount_blob(const std::string& digest, const std::string& from);
  Result<void> upload_blob(const oci::Descriptor& d, const http::FileRange& bytes,
                           const UploadOptions& options, Progress* progress);
  // A small blob held in memory (an empty config, a cache record), unless the repository has
  // it already; sent from a temporary file like any other.
  Result<void> put_small_blob(const oci::Descriptor& d, std::string_view bytes);
  // The OCI 1.1 empty config ("{}", application/vnd.oci.empty.v1+json) of an artifact
  // manifest, put unless present; its descriptor.
  Result<oci::Descriptor> put_empty_config();

  Result<std::vector<std::string>> tags();
  // The referrers API's index for a subject digest, or nullopt when the registry has none
  // (a 404: then clients keep the "sha256-<hex>" tag index themselves).
  Result<std::optional<std::string>> referrers_api(const std::string& digest);

  std::string pull_scope() const { return "repository:" + name_ + ":pull"; }
  std::string push_scope() const { return "repository:" + name_ + ":pull,push"; }

 private:
  std::string path(std::string_view rest) const { return "/v2/" + name_ + "/" + std::string(rest); }
  Result<std::string> start_upload(uint64_t* min_chunk);
  void cancel_upload(const std::string& location);
  Result<void> upload_chunked(const oci::Descriptor& d, const http::FileRange& bytes,
                              std::string location, uint64_t chunk, Progress* progress);

  Registry& registry_;
  std::string name_;
};

// The tag the distribution spec's referrers tag schema uses for a subject: "sha256-<hex>".
std::string referrers_tag(const std::string& digest);

}  // namespace pare::registry
