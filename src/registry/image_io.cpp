#include "registry/image_io.h"

#include <map>
#include <mutex>

#include "registry/referrers.h"
#include "util/sha256.h"

namespace pare::registry {

namespace {

namespace stdfs = std::filesystem;

class RegistrySource : public oci::ImageSource {
 public:
  RegistrySource(Registry& registry, Reference ref)
      : repo_(registry, ref.repository), ref_(std::move(ref)) {}

  std::string name() const override { return "docker://" + ref_.str(); }
  Repository& repository() { return repo_; }

  Result<std::vector<std::string>> tags() override { return repo_.tags(); }

  Result<oci::Descriptor> resolve(std::string_view tag_or_digest) override {
    std::string ref = tag_or_digest.empty() ? ref_.manifest_ref() : std::string(tag_or_digest);
    PARE_TRY(auto got, repo_.get_manifest(ref));
    std::lock_guard lock(mutex_);
    manifests_[got.first.digest] = got.second;
    return got.first;
  }

  Result<std::string> read_manifest(const oci::Descriptor& d) override {
    {
      std::lock_guard lock(mutex_);
      if (auto it = manifests_.find(d.digest); it != manifests_.end()) return it->second;
    }
    PARE_TRY(auto got, repo_.get_manifest(d.digest));
    return std::move(got.second);
  }

  Result<void> read_blob(const oci::Descriptor& d, fs::ByteSink& sink) override {
    PARE_CHECK(repo_.get_blob(d, sink));
    repo_.registry().remember_blob(d.digest, repo_.name());
    return {};
  }

 private:
  Repository repo_;
  Reference ref_;
  std::mutex mutex_;
  std::map<std::string, std::string> manifests_;
};

// A blob downloaded from a remote source to a temporary file, to upload it from disk.
class TempBlob : public fs::ByteSink {
 public:
  static Result<TempBlob> create() {
    const char* tmp = std::getenv("TMPDIR");
    PARE_TRY(fs::TempDir dir, fs::TempDir::create(tmp && *tmp ? tmp : "/tmp", ".pare-blob"));
    PARE_TRY(fs::AtomicFile file, fs::AtomicFile::create(dir.path() / "blob"));
    return TempBlob(std::move(dir), std::move(file));
  }
  Result<void> write(std::string_view bytes) override { return file_.write(bytes); }
  Result<void> finish() { return file_.commit(); }
  stdfs::path path() const { return dir_.path() / "blob"; }

 private:
  TempBlob(fs::TempDir d, fs::AtomicFile f) : dir_(std::move(d)), file_(std::move(f)) {}
  fs::TempDir dir_;
  fs::AtomicFile file_;
};

class RegistryDestination : public oci::ImageDestination {
 public:
  RegistryDestination(Registry& registry, Reference ref, PushOptions options)
      : repo_(registry, ref.repository), ref_(std::move(ref)), options_(options) {}

  std::string name() const override { return "docker://" + ref_.registry + "/" + ref_.repository; }

  Result<bool> has_blob(const oci::Descriptor& d) override {
    if (oci::is_index_media_type(d.media_type) || oci::is_manifest_media_type(d.media_type)) {
      PARE_TRY(auto found, repo_.head_manifest(d.digest));
      return found.has_value();
    }
    if (repo_.registry().blob_known_in(d.digest, repo_.name())) return true;  // seen this run
    PARE_TRY(bool has, repo_.has_blob(d.digest));
    if (has) repo_.registry().remember_blob(d.digest, repo_.name());
    return has;
  }

  Result<bool> put_blob(const oci::Descriptor& d, oci::ImageSource& from) override {
    Registry& registry = repo_.registry();
    std::optional<std::string> home = registry.repository_with_blob(d.digest, repo_.name());
    auto* remote = dynamic_cast<RegistrySource*>(&from);
    if (!home && remote && &remote->repository().registry() == &registry &&
        remote->repository().name() != repo_.name())
      home = remote->repository().name();
    if (home) {
      PARE_TRY(bool mounted, repo_.mount_blob(d.digest, *home));
      if (mounted) {
        registry.remember_blob(d.digest, repo_.name());
        return false;
      }
    }
    if (auto local = from.local_blob(d)) {
      if (local->length != d.size)
        return Error(Errc::integrity, from.name() + ": blob " + d.digest + " has " +
                                          std::to_string(local->length) +
                                          " bytes, its descriptor " + std::to_string(d.size));
      PARE_CHECK(repo_.upload_blob(d, *local, options_.upload, options_.progress));
    } else {
      PARE_TRY(TempBlob temp, download(d, from));  // removed when it goes out of scope
      PARE_CHECK(repo_.upload_blob(d, http::FileRange{temp.path(), 0, d.size}, options_.upload,
                                   options_.progress));
    }
    registry.remember_blob(d.digest, repo_.name());
    return true;
  }

  // A remote blob to a temporary file (verified), for an upload from disk; a download that
  // broke off starts again.
  Result<TempBlob> download(const oci::Descriptor& d, oci::ImageSource& from) {
    for (int attempt = 0;; ++attempt) {
      PARE_TRY(TempBlob temp, TempBlob::create());
      auto r = from.read_blob(d, temp);
      if (r.ok()) {
        PARE_CHECK(temp.finish());
        return temp;
      }
      if (r.error().code() != Errc::network || attempt >= 2) return r.error();
    }
  }

  Result<void> put_manifest(const oci::Descriptor& d, std::string_view bytes) override {
    PARE_TRY(std::string media_type, oci::document_media_type(bytes, d.media_type));
    PARE_TRY(std::string subject_header, repo_.put_manifest(d.digest, media_type, bytes));
    return index_referrer(repo_, d, media_type, bytes, subject_header);
  }

  Result<bool> tag_is(const std::string& tag, const oci::Descriptor& d) override {
    PARE_TRY(auto current, repo_.head_manifest(tag));
    return current && current->digest == d.digest;
  }

  Result<void> tag(const oci::Descriptor& d, std::string_view bytes,
                   const std::string& tag) override {
    PARE_TRY(std::string media_type, oci::document_media_type(bytes, d.media_type));
    PARE_TRY(std::string subject_header, repo_.put_manifest(tag, media_type, bytes));
    return index_referrer(repo_, d, media_type, bytes, subject_header);
  }

  Result<void> commit() override { return {}; }  // every PUT is visible at once

 private:
  Repository repo_;
  Reference ref_;
  PushOptions options_;
};

}  // namespace

Result<ImageRef> parse_image_ref(std::string_view text, const ShortNames& short_names) {
  ImageRef out;
  out.text = std::string(text);
  if (auto local = oci::parse_local_ref(text)) {
    out.local = std::move(*local);
    return out;
  }
  constexpr std::string_view docker = "docker://";
  if (text.rfind(docker, 0) != 0)
    return Error(Errc::invalid, "'" + std::string(text) +
                                    "' has no transport: write oci:DIR[:TAG], "
                                    "oci-archive:FILE[:TAG], docker-archive:FILE or docker://REF");
  PARE_TRY(Reference ref, parse_reference(text.substr(docker.size()), short_names));
  out.remote = std::move(ref);
  return out;
}

Result<std::unique_ptr<oci::ImageSource>> open_source(RegistryPool& pool, const ImageRef& ref) {
  if (ref.local) return oci::open_local_source(*ref.local);
  return std::unique_ptr<oci::ImageSource>(
      std::make_unique<RegistrySource>(pool.get(ref.remote->registry), *ref.remote));
}

std::unique_ptr<oci::ImageDestination> open_registry_destination(RegistryPool& pool,
                                                                 const Reference& repository,
                                                                 const PushOptions& options) {
  return std::make_unique<RegistryDestination>(pool.get(repository.registry), repository, options);
}

}  // namespace pare::registry
