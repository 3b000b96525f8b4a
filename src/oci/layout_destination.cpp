// ImageDestination writing an OCI layout (image-spec image-layout.md). Blobs and manifests
// are written, verified, into a staging directory beside the layout; commit() moves them in
// and then replaces index.json in one rename. A failure before commit (a blob that does not
// match its digest) leaves the layout as it was: nothing half-written.
#include <nlohmann/json.hpp>
#include <set>

#include "oci/layout.h"
#include "oci/source.h"
#include "util/sha256.h"

namespace pare::oci {

namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

constexpr const char* kRefName = "org.opencontainers.image.ref.name";
constexpr int kBlobAttempts = 3;
constexpr const char* kLayoutMarker = R"({"imageLayoutVersion":"1.0.0"})";

class HashingFile : public fs::ByteSink {
 public:
  explicit HashingFile(fs::AtomicFile file) : file_(std::move(file)) {}
  Result<void> write(std::string_view bytes) override { return file_.write(bytes); }
  fs::AtomicFile& file() { return file_; }

 private:
  fs::AtomicFile file_;
};

json descriptor_json(const Descriptor& d) {
  return json::parse(serialize_descriptor(d));
}

class LayoutDestination : public ImageDestination {
 public:
  LayoutDestination(stdfs::path dir, fs::TempDir staging)
      : dir_(std::move(dir)), staging_(std::move(staging)) {}

  std::string name() const override { return "oci:" + dir_.string(); }

  Result<bool> has_blob(const Descriptor& d) override {
    PARE_TRY(std::string rel, rel_path(d));
    std::error_code ec;
    // A blob already in the layout is trusted only when its size agrees; the digest of a
    // file that is there was checked when it was written (by pare or whoever made it).
    if (stdfs::file_size(dir_ / rel, ec) == d.size && !ec) return true;
    return fs::exists(staging_.path() / rel);
  }

  Result<bool> put_blob(const Descriptor& d, ImageSource& from) override {
    PARE_TRY(std::string rel, rel_path(d));
    // A download that broke off starts again into a fresh file (what it wrote is dropped).
    for (int attempt = 0;; ++attempt) {
      PARE_TRY(auto file, fs::AtomicFile::create(staging_.path() / rel));
      HashingFile sink(std::move(file));
      auto r = from.read_blob(d, sink);  // verified while streamed
      if (r.ok()) {
        PARE_CHECK(sink.file().commit());
        return true;
      }
      if (r.error().code() != Errc::network || attempt >= kBlobAttempts) return r.error();
    }
  }

  Result<void> put_manifest(const Descriptor& d, std::string_view bytes) override {
    if (d.digest != "sha256:" + sha256_hex(bytes) || d.size != bytes.size())
      return digest_mismatch(d, "manifest", sha256_hex(bytes));
    PARE_TRY(std::string rel, rel_path(d));
    return fs::write_file_atomic(staging_.path() / rel, bytes);
  }

  Result<void> tag(const Descriptor& d, std::string_view bytes, const std::string& tag) override {
    PARE_TRY(bool has, has_blob(d));
    if (!has) PARE_CHECK(put_manifest(d, bytes));
    Descriptor entry = d;
    entry.annotations[kRefName] = tag;
    tagged_.push_back(std::move(entry));
    return {};
  }

  Result<void> commit() override {
    PARE_TRY(json index, existing_index());
    json manifests = json::array();
    std::set<std::string> replaced;
    for (const auto& d : tagged_) replaced.insert(d.annotations.at(kRefName));
    for (const auto& m : index["manifests"]) {
      auto a = m.find("annotations");
      bool same_tag = a != m.end() && a->is_object() && a->contains(kRefName) &&
                      (*a)[kRefName].is_string() &&
                      replaced.count((*a)[kRefName].get<std::string>());
      if (!same_tag) manifests.push_back(m);
    }
    for (const auto& d : tagged_) manifests.push_back(descriptor_json(d));
    index["manifests"] = manifests;
    if (!stdfs::exists(dir_)) {  // a new layout: all of it appears with one rename
      PARE_CHECK(fs::write_file_atomic(staging_.path() / "oci-layout", kLayoutMarker));
      PARE_CHECK(fs::write_file_atomic(staging_.path() / "index.json", index.dump()));
      PARE_CHECK(fs::publish(staging_.path(), dir_));
      staging_.release();
      return {};
    }
    // An existing layout: blobs first (content-addressed, invisible until named), then the
    // index that names them.
    PARE_CHECK(fs::ensure_dir(dir_ / "blobs" / "sha256"));
    std::error_code ec;
    if (stdfs::exists(staging_.path() / "blobs" / "sha256"))
      for (const auto& e : stdfs::directory_iterator(staging_.path() / "blobs" / "sha256", ec)) {
        stdfs::rename(e.path(), dir_ / "blobs" / "sha256" / e.path().filename(), ec);
        if (ec) return fs::errno_error("moving a blob into", dir_);
      }
    if (!fs::exists(dir_ / "oci-layout"))
      PARE_CHECK(fs::write_file_atomic(dir_ / "oci-layout", kLayoutMarker));
    return fs::write_file_atomic(dir_ / "index.json", index.dump());
  }

 private:
  static Result<std::string> rel_path(const Descriptor& d) {
    if (d.digest.rfind("sha256:", 0) != 0 || !is_sha256_hex(std::string_view(d.digest).substr(7)))
      return Error(Errc::invalid, "unsupported digest '" + d.digest + "'");
    return "blobs/sha256/" + d.digest.substr(7);
  }

  Result<json> existing_index() {
    json fresh = {
        {"schemaVersion", 2}, {"mediaType", media::kOciIndex}, {"manifests", json::array()}};
    if (!fs::exists(dir_ / "index.json")) return fresh;
    PARE_TRY(std::string bytes, fs::read_file(dir_ / "index.json", uint64_t{16} << 20));
    json j = json::parse(bytes, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("manifests") ||
        !j["manifests"].is_array())
      return Error(Errc::invalid, (dir_ / "index.json").string() + " is not an image index");
    return j;
  }

  stdfs::path dir_;
  fs::TempDir staging_;
  std::vector<Descriptor> tagged_;
};

}  // namespace

Result<std::unique_ptr<ImageDestination>> open_layout_destination(const stdfs::path& dir) {
  PARE_CHECK(check_replaceable(OutputFormat::oci_layout, dir));
  stdfs::path parent = dir.has_parent_path() ? dir.parent_path() : stdfs::path(".");
  PARE_CHECK(fs::ensure_dir(parent));
  PARE_TRY(fs::TempDir staging, fs::TempDir::create(parent, ".pare-tmp-pull"));
  PARE_CHECK(fs::ensure_dir(staging.path() / "blobs" / "sha256"));
  return std::unique_ptr<ImageDestination>(
      std::make_unique<LayoutDestination>(dir, std::move(staging)));
}

}  // namespace pare::oci
