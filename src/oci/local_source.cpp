// ImageSource for local images: an OCI layout directory and an OCI archive (image-spec
// image-layout.md: oci-layout, index.json, blobs/<alg>/<hex>), and a docker-archive
// (`docker save`: manifest.json listing Config, RepoTags and Layers per image), for which
// an OCI manifest is made up from the files it lists. Every file is reached through a
// FileRange (a file, or a member of a tar read in place from a mapping), bounded and hashed
// while read: the bytes are whoever's, and a digest is a claim until checked.
#include <map>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include "oci/source.h"
#include "oci/tar.h"
#include "util/sha256.h"

namespace pare::oci {

namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

constexpr const char* kRefName = "org.opencontainers.image.ref.name";
constexpr uint64_t kMaxIndexJson = uint64_t{16} << 20;

// Relative path -> bytes on disk.
class Files {
 public:
  virtual ~Files() = default;
  virtual Result<http::FileRange> find(const std::string& rel) = 0;
  virtual std::string where(const std::string& rel) const = 0;
};

class DirFiles : public Files {
 public:
  explicit DirFiles(stdfs::path dir) : dir_(std::move(dir)) {}
  Result<http::FileRange> find(const std::string& rel) override {
    stdfs::path p = dir_ / rel;
    struct stat st {};
    // lstat: a blob that is a symlink could name any file on the machine.
    if (::lstat(p.c_str(), &st) != 0) return Error(Errc::not_found, "no " + where(rel));
    if (!S_ISREG(st.st_mode))
      return Error(Errc::invalid,
                   where(rel) + " is " + fs::file_kind(st.st_mode) + ", not a regular file");
    return http::FileRange{p, 0, static_cast<uint64_t>(st.st_size)};
  }
  std::string where(const std::string& rel) const override { return (dir_ / rel).string(); }

 private:
  stdfs::path dir_;
};

// A tar's members, found once by reading its headers through a mapping (the data pages
// are not touched), then read in place by offset.
class TarFiles : public Files {
 public:
  static Result<std::unique_ptr<TarFiles>> open(const stdfs::path& file) {
    PARE_TRY(auto mapped, fs::MappedFile::open(file));
    auto files = std::unique_ptr<TarFiles>(new TarFiles(file));
    const char* base = mapped.bytes().data();
    auto r =
        read_tar(mapped.bytes(), [&](const TarHeader& h, std::string_view data) -> Result<void> {
          if (h.type == EntryType::file)
            files->members_[h.path] =
                http::FileRange{file, static_cast<uint64_t>(data.data() - base), data.size()};
          return {};
        });
    if (!r.ok()) return r.error().context(file.string());
    return files;
  }
  Result<http::FileRange> find(const std::string& rel) override {
    auto it = members_.find(rel);
    if (it == members_.end()) return Error(Errc::not_found, "no " + where(rel));
    return it->second;
  }
  std::string where(const std::string& rel) const override { return file_.string() + ":" + rel; }

 private:
  explicit TarFiles(stdfs::path file) : file_(std::move(file)) {}
  stdfs::path file_;
  std::map<std::string, http::FileRange> members_;
};

Result<std::string> blob_path(const std::string& digest) {
  if (digest.rfind("sha256:", 0) != 0 || !is_sha256_hex(std::string_view(digest).substr(7)))
    return Error(Errc::invalid, "unsupported digest '" + digest + "' (pare reads sha256)");
  return "blobs/sha256/" + digest.substr(7);
}

Result<std::string> read_small(Files& files, const std::string& rel, uint64_t limit) {
  PARE_TRY(http::FileRange range, files.find(rel));
  if (range.length > limit)
    return Error(Errc::invalid,
                 files.where(rel) + " is larger than " + std::to_string(limit >> 20) + " MiB");
  Descriptor any;  // no digest to check: index.json and manifest.json name others' digests
  return read_verified(range, any, limit);
}

class LayoutSource : public ImageSource {
 public:
  LayoutSource(std::string name, std::unique_ptr<Files> files)
      : name_(std::move(name)), files_(std::move(files)) {}

  Result<void> load() {
    PARE_TRY(std::string bytes, read_small(*files_, "index.json", kMaxIndexJson));
    auto index = parse_index_json(bytes);
    if (!index.ok()) return index.error().context(files_->where("index.json"));
    index_ = std::move(index.value());
    return {};
  }

  std::string name() const override { return name_; }

  Result<std::vector<std::string>> tags() override {
    std::vector<std::string> out;
    for (const auto& d : index_.manifests)
      if (auto it = d.annotations.find(kRefName); it != d.annotations.end())
        out.push_back(it->second);
    return out;
  }

  Result<Descriptor> resolve(std::string_view ref) override {
    for (const auto& d : index_.manifests) {
      auto it = d.annotations.find(kRefName);
      if ((it != d.annotations.end() && it->second == ref) || d.digest == ref) return d;
    }
    if (ref.empty() && index_.manifests.size() == 1) return index_.manifests.front();
    PARE_TRY(auto all, tags());
    std::string list;
    for (const auto& t : all) list += (list.empty() ? "" : ", ") + t;
    return Error(Errc::not_found, name_ + " has no tag '" + std::string(ref) +
                                      "' (it has: " + (list.empty() ? "none" : list) + ")");
  }

  Result<std::string> read_manifest(const Descriptor& d) override {
    PARE_TRY(std::string rel, blob_path(d.digest));
    PARE_TRY(http::FileRange range, files_->find(rel));
    auto bytes = read_verified(range, d, kMaxManifestBytes);
    if (!bytes.ok()) return bytes.error().context(files_->where(rel));
    return bytes;
  }

  Result<void> read_blob(const Descriptor& d, fs::ByteSink& sink) override {
    PARE_TRY(std::string rel, blob_path(d.digest));
    PARE_TRY(http::FileRange range, files_->find(rel));
    auto r = stream_verified(range, d, sink);
    if (!r.ok()) return r.error().context(files_->where(rel));
    return {};
  }

  std::optional<http::FileRange> local_blob(const Descriptor& d) override {
    auto rel = blob_path(d.digest);
    if (!rel.ok()) return std::nullopt;
    auto range = files_->find(rel.value());
    if (!range.ok()) return std::nullopt;
    return range.value();
  }

 private:
  // index.json is an image index without a media type requirement on old writers.
  static Result<Index> parse_index_json(const std::string& bytes) {
    json j = json::parse(bytes, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Error(Errc::invalid, "not a JSON object");
    if (!j.contains("mediaType")) j["mediaType"] = media::kOciIndex;
    return parse_index(j.dump());
  }

  std::string name_;
  std::unique_ptr<Files> files_;
  Index index_;
};

// docker-archive: a made-up OCI manifest per image, its blobs the archive's files.
class DockerArchiveSource : public ImageSource {
 public:
  DockerArchiveSource(std::string name, std::unique_ptr<Files> files)
      : name_(std::move(name)), files_(std::move(files)) {}

  Result<void> load() {
    PARE_TRY(std::string bytes, read_small(*files_, "manifest.json", kMaxIndexJson));
    json j = json::parse(bytes, nullptr, false);
    if (j.is_discarded() || !j.is_array())
      return Error(Errc::invalid, files_->where("manifest.json") + " is not a JSON array");
    for (size_t i = 0; i < j.size(); ++i) {
      auto r = load_image(j[i]);
      if (!r.ok())
        return r.error().context(files_->where("manifest.json") + " [" + std::to_string(i) + "]");
    }
    return {};
  }

  std::string name() const override { return name_; }
  Result<std::vector<std::string>> tags() override {
    std::vector<std::string> out;
    for (const auto& image : images_) out.push_back(image.tag);
    return out;
  }
  Result<Descriptor> resolve(std::string_view ref) override {
    for (const auto& image : images_)
      if (image.tag == ref || image.manifest.digest == ref || (ref.empty() && images_.size() == 1))
        return image.manifest;
    return Error(Errc::not_found, name_ + " has no image '" + std::string(ref) + "'");
  }
  Result<std::string> read_manifest(const Descriptor& d) override {
    for (const auto& image : images_)
      if (image.manifest.digest == d.digest) return image.manifest_bytes;
    return Error(Errc::not_found, name_ + " has no manifest " + d.digest);
  }
  Result<void> read_blob(const Descriptor& d, fs::ByteSink& sink) override {
    auto it = blobs_.find(d.digest);
    if (it == blobs_.end()) return Error(Errc::not_found, name_ + " has no blob " + d.digest);
    return stream_verified(it->second, d, sink);
  }
  std::optional<http::FileRange> local_blob(const Descriptor& d) override {
    auto it = blobs_.find(d.digest);
    if (it == blobs_.end()) return std::nullopt;
    return it->second;
  }

 private:
  struct Image {
    std::string tag;
    Descriptor manifest;
    std::string manifest_bytes;
  };

  // The digest a file claims by its name (pare and docker 25+ name blobs by digest) is
  // checked when the blob is read; other names are hashed now.
  Result<Descriptor> describe_file(const std::string& rel, const std::string& media_type) {
    PARE_TRY(http::FileRange range, files_->find(rel));
    Descriptor d;
    d.size = range.length;
    std::string stem = stdfs::path(rel).filename().string().substr(0, 64);
    if (is_sha256_hex(stem)) {
      d.digest = "sha256:" + stem;
    } else {
      Descriptor any;
      Sha256 hash;
      struct HashSink : fs::ByteSink {
        Sha256* h;
        Result<void> write(std::string_view b) override {
          h->update(b);
          return {};
        }
      } sink;
      sink.h = &hash;
      PARE_CHECK(stream_verified(range, any, sink));
      d.digest = "sha256:" + hash.hex_digest();
    }
    d.media_type = media_type.empty() ? layer_type(range) : media_type;
    blobs_[d.digest] = range;
    return d;
  }

  static std::string layer_type(const http::FileRange& range) {
    Descriptor any;
    auto head = read_verified(
        http::FileRange{range.path, range.offset, std::min<uint64_t>(range.length, 4)}, any, 4);
    std::string h = head.ok() ? head.value() : "";
    if (h.size() >= 2 && h[0] == '\x1f' && h[1] == '\x8b')
      return "application/vnd.oci.image.layer.v1.tar+gzip";
    if (h == std::string("\x28\xb5\x2f\xfd", 4))
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    return "application/vnd.oci.image.layer.v1.tar";
  }

  Result<void> load_image(const json& entry) {
    if (!entry.is_object() || !entry.contains("Config") || !entry["Config"].is_string() ||
        !entry.contains("Layers") || !entry["Layers"].is_array())
      return Error(Errc::invalid, "an entry needs \"Config\" (string) and \"Layers\" (array)");
    Image image;
    if (auto t = entry.find("RepoTags");
        t != entry.end() && t->is_array() && !t->empty() && (*t)[0].is_string())
      image.tag = (*t)[0].get<std::string>();
    PARE_TRY(Descriptor config,
             describe_file(entry["Config"].get<std::string>(), media::kOciConfig));
    // The config's diff_ids bind the layers (image-spec config.md): an uncompressed layer's
    // digest must be its diff_id, as `docker load` requires; a compressed one is bound when
    // its digest is the one the archive names it by.
    PARE_TRY(std::string config_bytes,
             read_small(*files_, entry["Config"].get<std::string>(), kMaxIndexJson));
    json config_json = json::parse(config_bytes, nullptr, false);
    json diff_ids = config_json.is_object() && config_json.contains("rootfs") &&
                            config_json["rootfs"].is_object() &&
                            config_json["rootfs"].contains("diff_ids")
                        ? config_json["rootfs"]["diff_ids"]
                        : json();
    if (!diff_ids.is_array() || diff_ids.size() != entry["Layers"].size())
      return Error(Errc::invalid, "the config's rootfs.diff_ids do not list one per layer");
    json layers = json::array();
    for (size_t i = 0; i < entry["Layers"].size(); ++i) {
      const json& l = entry["Layers"][i];
      if (!l.is_string()) return Error(Errc::invalid, "a layer name is not a string");
      PARE_TRY(Descriptor layer, describe_file(l.get<std::string>(), ""));
      if (layer.media_type == "application/vnd.oci.image.layer.v1.tar" &&
          (!diff_ids[i].is_string() || diff_ids[i].get<std::string>() != layer.digest))
        return Error(Errc::integrity, l.get<std::string>() + " has digest " + layer.digest +
                                          ", not the config's diff_id for layer " +
                                          std::to_string(i));
      layers.push_back(
          {{"mediaType", layer.media_type}, {"digest", layer.digest}, {"size", layer.size}});
    }
    json m = {
        {"schemaVersion", 2},
        {"mediaType", media::kOciManifest},
        {"config",
         {{"mediaType", config.media_type}, {"digest", config.digest}, {"size", config.size}}},
        {"layers", layers}};
    image.manifest_bytes = m.dump();
    image.manifest = Descriptor{media::kOciManifest,
                                "sha256:" + sha256_hex(image.manifest_bytes),
                                image.manifest_bytes.size(),
                                std::nullopt,
                                "",
                                {}};
    images_.push_back(std::move(image));
    return {};
  }

  std::string name_;
  std::unique_ptr<Files> files_;
  std::vector<Image> images_;
  std::map<std::string, http::FileRange> blobs_;
};

}  // namespace

std::optional<LocalRef> parse_local_ref(std::string_view text) {
  struct Prefix {
    std::string_view name;
    LocalRef::Kind kind;
  };
  for (const Prefix& p :
       {Prefix{"oci:", LocalRef::Kind::layout}, Prefix{"oci-archive:", LocalRef::Kind::oci_archive},
        Prefix{"docker-archive:", LocalRef::Kind::docker_archive}}) {
    if (text.rfind(p.name, 0) != 0) continue;
    std::string_view rest = text.substr(p.name.size());
    size_t colon = rest.find(':');
    LocalRef ref{p.kind, std::string(rest.substr(0, colon)), ""};
    if (colon != std::string_view::npos) ref.tag = std::string(rest.substr(colon + 1));
    return ref;
  }
  return std::nullopt;
}

Result<std::unique_ptr<ImageSource>> open_local_source(const LocalRef& ref) {
  std::string shown = (ref.kind == LocalRef::Kind::layout        ? "oci:"
                       : ref.kind == LocalRef::Kind::oci_archive ? "oci-archive:"
                                                                 : "docker-archive:") +
                      ref.path.string();
  if (ref.path.empty()) return Error(Errc::invalid, "'" + shown + "' names no path");
  std::unique_ptr<Files> files;
  if (ref.kind == LocalRef::Kind::layout) {
    if (!stdfs::is_directory(ref.path))
      return Error(Errc::not_found, shown + ": no such layout directory");
    files = std::make_unique<DirFiles>(ref.path);
  } else {
    PARE_TRY(files, TarFiles::open(ref.path));
  }
  if (ref.kind == LocalRef::Kind::docker_archive) {
    auto source = std::make_unique<DockerArchiveSource>(shown, std::move(files));
    PARE_CHECK(source->load());
    return std::unique_ptr<ImageSource>(std::move(source));
  }
  auto source = std::make_unique<LayoutSource>(shown, std::move(files));
  PARE_CHECK(source->load());
  return std::unique_ptr<ImageSource>(std::move(source));
}

}  // namespace pare::oci
