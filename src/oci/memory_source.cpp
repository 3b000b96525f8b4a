// memory_source (oci/source.h): a build's images read as an ImageSource, so that `build --push`
// can push them with the one push path without writing a layout first.
#include <map>

#include "oci/source.h"

namespace pare::oci {

namespace {

class MemorySource : public ImageSource {
 public:
  MemorySource(std::vector<TaggedImage> images, BlobFetcher missing)
      : images_(std::move(images)), missing_(std::move(missing)) {
    for (const auto& t : images_) {
      Descriptor d;
      if (t.images.size() == 1) {
        const PlatformImage& i = t.images[0];
        d = {i.manifest.media_type,
             i.manifest.digest(),
             i.manifest.bytes.size(),
             std::nullopt,
             "",
             {}};
      } else {
        JsonBlob index = index_blob_for(t);
        d = {index.media_type, index.digest(), index.bytes.size(), std::nullopt, "", {}};
        documents_[d.digest] = index.bytes;
      }
      roots_[t.tag] = d;
      for (const auto& i : t.images) {
        documents_[i.manifest.digest()] = i.manifest.bytes;
        documents_[i.config.digest()] = i.config.bytes;
        for (const auto& l : i.layers) layers_[l.digest] = l.file;
      }
    }
  }

  std::string name() const override { return "the build's images"; }

  Result<std::vector<std::string>> tags() override {
    std::vector<std::string> out;
    for (const auto& t : images_) out.push_back(t.tag);
    return out;
  }

  Result<Descriptor> resolve(std::string_view tag_or_digest) override {
    auto it = roots_.find(std::string(tag_or_digest));
    if (it != roots_.end()) return it->second;
    for (const auto& [tag, d] : roots_)
      if (d.digest == tag_or_digest) return d;
    return Error(Errc::not_found, "no image " + std::string(tag_or_digest) + " was built");
  }

  Result<std::string> read_manifest(const Descriptor& d) override {
    auto it = documents_.find(d.digest);
    if (it == documents_.end()) return Error(Errc::not_found, "no document " + d.digest);
    return it->second;  // made by this process from these bytes: its digest is their hash
  }

  Result<void> read_blob(const Descriptor& d, fs::ByteSink& sink) override {
    if (auto doc = documents_.find(d.digest); doc != documents_.end())
      return sink.write(doc->second);
    if (auto local = local_blob(d)) return stream_verified(*local, d, sink);
    if (layers_.count(d.digest) && missing_) return missing_(d, sink);
    return Error(Errc::not_found, "blob " + d.digest + " is not on this machine");
  }

  std::optional<http::FileRange> local_blob(const Descriptor& d) override {
    auto it = layers_.find(d.digest);
    if (it == layers_.end() || it->second.empty()) return std::nullopt;
    std::error_code ec;
    uint64_t size = std::filesystem::file_size(it->second, ec);
    if (ec) return std::nullopt;
    return http::FileRange{it->second, 0, size};
  }

 private:
  std::vector<TaggedImage> images_;
  BlobFetcher missing_;
  std::map<std::string, Descriptor> roots_;
  std::map<std::string, std::string> documents_;  // manifests, indexes, configs by digest
  std::map<std::string, std::filesystem::path> layers_;
};

}  // namespace

std::unique_ptr<ImageSource> memory_source(std::vector<TaggedImage> images, BlobFetcher missing) {
  return std::make_unique<MemorySource>(std::move(images), std::move(missing));
}

}  // namespace pare::oci
