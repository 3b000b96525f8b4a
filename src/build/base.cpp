#include "build/base.h"

#include <archive.h>
#include <archive_entry.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "deb/deb822.h"
#include "oci/copy.h"
#include "oci/manifest.h"
#include "oci/source.h"
#include "registry/image_io.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::build {

namespace {

namespace stdfs = std::filesystem;

constexpr const char* kStatusDir = "var/lib/dpkg/status.d/";
constexpr const char* kStatusFile = "var/lib/dpkg/status";

// Where the base of this reference lives in the cache: an OCI layout, one tag per
// architecture, and beside it DIR.json recording what the reference resolved to.
stdfs::path base_dir(const Environment& env, const std::string& reference) {
  return env.cache_dir / "bases" / sha256_hex(reference).substr(0, 32);
}

// What the reference resolved to, beside its layout (which holds only layout files).
stdfs::path record_path(const stdfs::path& dir) {
  return stdfs::path(dir.string() + ".json");
}

registry::ShortNames short_names(const Environment& env) {
  return {env.getenv ? env.getenv("PARE_DEFAULT_REGISTRY") : "",
          env.getenv ? env.getenv("PARE_DEFAULT_REGISTRY_PREFIX") : ""};
}

Result<oci::Platform> platform_of(const std::string& arch) {
  return oci::platform_for_debian_arch(arch);
}

// Online: resolve the reference (or the pinned digest) and copy each architecture's image
// into the cache layout. Returns the digest the reference resolved to.
Result<std::string> fetch_into_cache(const spec::Spec& spec, const std::string& pinned,
                                     const Environment& env, const stdfs::path& dir) {
  const std::string& text = spec.base->reference;
  auto parsed = registry::parse_image_ref(text, short_names(env));
  if (!parsed.ok()) return parsed.error().context(spec.base->loc.str() + ": from");
  if (parsed->remote && !env.registries)
    return Error(Errc::internal, "no registry client for a from: image");
  PARE_TRY(auto source, registry::open_source(*env.registries, parsed.value()));
  std::string ref = pinned;
  if (ref.empty()) ref = parsed->local ? parsed->local->tag : parsed->remote->manifest_ref();
  auto root = source->resolve(ref);
  if (!root.ok()) return root.error().context(spec.base->loc.str() + ": from " + text);
  PARE_TRY(auto destination, oci::open_layout_destination(dir));
  for (const auto& arch : spec.archs) {
    oci::CopyOptions copy;
    PARE_TRY(copy.platform, platform_of(arch));
    auto r = oci::copy_image(*source, *root, *destination, {arch}, copy);
    if (!r.ok())
      return r.error().context(spec.base->loc.str() + ": from " + text + " (" + arch + ")");
  }
  PARE_CHECK(destination->commit());
  nlohmann::json record = {{"reference", text}, {"digest", root->digest}};
  PARE_CHECK(fs::write_file_atomic(record_path(dir), record.dump()));
  return root->digest;
}

Result<std::string> cached_digest(const spec::Spec& spec, const stdfs::path& dir) {
  auto text = fs::read_file(record_path(dir), 1 << 16);
  auto j = text.ok() ? nlohmann::json::parse(*text, nullptr, false) : nlohmann::json();
  if (!text.ok() || !j.is_object() || !j.contains("digest") || !j["digest"].is_string())
    return Error(Errc::offline, spec.base->loc.str() + ": from " + spec.base->reference +
                                    ": not in the cache (build once without --offline)");
  return j["digest"].get<std::string>();
}

Result<ArchBase> read_arch(oci::ImageSource& cache, const std::string& arch) {
  ArchBase out;
  out.arch = arch;
  PARE_TRY(oci::Descriptor d, cache.resolve(arch));
  PARE_TRY(oci::PlatformImage image, oci::local_platform_image(cache, d));
  out.manifest_digest = d.digest;
  PARE_TRY(out.config, oci::parse_config(image.config.bytes));
  out.layers = std::move(image.layers);
  PARE_TRY(out.packages, installed_packages(out.layers));
  return out;
}

// status.d/<package> (distroless writes status.d/<package>.md5sums beside it: not a record).
bool is_status_d_entry(std::string_view path) {
  std::string_view dir = kStatusDir;
  if (path.rfind(dir, 0) != 0 || path.size() == dir.size()) return false;
  std::string_view name = path.substr(dir.size());
  return name.find('/') == std::string_view::npos &&
         !(name.size() > 8 && name.substr(name.size() - 8) == ".md5sums");
}

// A layer read as a stream (gzip, zstd or plain tar, by libarchive): only the package records
// are kept, so memory stays flat whatever the layer's size.
constexpr uint64_t kMaxRecordBytes = uint64_t{64} << 20;

class ArchiveReader {
 public:
  explicit ArchiveReader(struct archive* a) : a_(a) {}
  bool is_file() const { return is_file_; }
  Result<std::string> read(uint64_t limit) {
    std::string out;
    char buf[1 << 16];
    for (la_ssize_t n; (n = archive_read_data(a_, buf, sizeof buf)) != 0;) {
      if (n < 0) return Error(Errc::invalid, error_text(a_));
      if (out.size() + static_cast<uint64_t>(n) > limit)
        return Error(Errc::invalid, "a package record larger than 64 MiB");
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  static std::string error_text(struct archive* a) {
    return archive_error_string(a) ? archive_error_string(a) : "unreadable";
  }
  bool is_file_ = false;

 private:
  struct archive* a_;
};

Result<void> scan_layer(const stdfs::path& file,
                        const std::function<Result<void>(const std::string&, ArchiveReader&)>& fn) {
  struct archive* a = archive_read_new();
  std::unique_ptr<struct archive, decltype(&archive_read_free)> guard(a, archive_read_free);
  archive_read_support_filter_all(a);
  archive_read_support_format_tar(a);
  if (archive_read_open_filename(a, file.c_str(), 1 << 16) != ARCHIVE_OK)
    return Error(Errc::invalid, "cannot read the layer: " + ArchiveReader::error_text(a));
  ArchiveReader reader(a);
  for (;;) {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a, &entry);
    if (rc == ARCHIVE_EOF) return {};
    if (rc < ARCHIVE_WARN)
      return Error(Errc::invalid, "not a readable tar layer: " + ArchiveReader::error_text(a));
    std::string path = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
    while (path.rfind("./", 0) == 0) path.erase(0, 2);
    while (!path.empty() && path.front() == '/') path.erase(0, 1);
    while (!path.empty() && path.back() == '/') path.pop_back();
    reader.is_file_ = archive_entry_filetype(entry) == AE_IFREG;
    PARE_CHECK(fn(path, reader));
  }
}

// A status.d file or the status database: its package paragraphs.
Result<void> add_paragraphs(std::string_view text, const std::string& where,
                            std::map<std::string, deb::PackageInfo>& into) {
  PARE_TRY(auto paragraphs, deb::parse_deb822(text, where));
  for (const auto& p : paragraphs) {
    std::string name = p.get("Package"), status = p.get("Status", "install ok installed");
    if (name.empty() || status.find("not-installed") != std::string::npos ||
        status.find("config-files") != std::string::npos)
      continue;
    deb::PackageInfo info;
    info.name = name;
    info.version = p.get("Version");
    info.arch = p.get("Architecture");
    info.source = p.get("Source");
    into[name] = std::move(info);
  }
  return {};
}

}  // namespace

const ArchBase* BaseImage::for_arch(const std::string& arch) const {
  for (const auto& a : archs)
    if (a.arch == arch) return &a;
  return nullptr;
}

Result<std::vector<deb::PackageInfo>> installed_packages(
    const std::vector<oci::LayerBlob>& layers) {
  // path -> content of the package records, the stack applied bottom up (whiteouts remove).
  std::map<std::string, std::string> records;
  for (const auto& layer : layers) {
    auto r =
        scan_layer(layer.file, [&](const std::string& path, ArchiveReader& entry) -> Result<void> {
          std::string dir = path.substr(0, path.rfind('/') + 1);
          std::string base = path.substr(dir.size());
          if (base == ".wh..wh..opq") {  // opaque directory: what lower layers put there is gone
            for (auto it = records.lower_bound(dir);
                 it != records.end() && it->first.rfind(dir, 0) == 0;)
              it = records.erase(it);
          } else if (base.rfind(".wh.", 0) == 0) {
            records.erase(dir + base.substr(4));
          } else if (entry.is_file() && (is_status_d_entry(path) || path == kStatusFile)) {
            PARE_TRY(records[path], entry.read(kMaxRecordBytes));
          }
          return {};
        });
    if (!r.ok()) return r.error().context("base layer " + layer.digest);
  }
  std::map<std::string, deb::PackageInfo> packages;
  for (const auto& [path, text] : records) PARE_CHECK(add_paragraphs(text, path, packages));
  std::vector<deb::PackageInfo> out;
  for (auto& [name, info] : packages) out.push_back(std::move(info));
  return out;
}

void add_base_annotations(const BaseImage& base, std::map<std::string, std::string>& annotations) {
  annotations.emplace("org.opencontainers.image.base.digest", base.digest);
  constexpr std::string_view docker = "docker://";
  if (base.reference.rfind(docker, 0) == 0)
    annotations.emplace("org.opencontainers.image.base.name", base.reference.substr(docker.size()));
}

Result<void> check_image_base_spec(const spec::Spec& spec) {
  if (!spec.base) return {};
  for (const auto& level : spec.levels) {
    auto refuse = [&](const char* what) {
      return Error(Errc::unsupported,
                   level.file.string() + ": " + what +
                       " over an image base (from: " + spec.base->reference +
                       ") is not supported yet: pare would have to merge the base's own files");
    };
    if (!level.users.empty() || !level.groups.empty()) return refuse("accounts (users, groups)");
    if (!level.certificates.empty()) return refuse("certificates:");
  }
  return {};
}

Result<BaseImage> pull_base(const spec::Spec& spec, const std::string& pinned,
                            const Environment& env) {
  BaseImage out;
  out.reference = spec.base->reference;
  stdfs::path dir = base_dir(env, out.reference);
  if (env.offline) {
    PARE_TRY(out.digest, cached_digest(spec, dir));
    if (!pinned.empty() && pinned != out.digest)
      return Error(Errc::offline, spec.base->loc.str() + ": the lockfile pins " + pinned +
                                      " but the cache holds " + out.digest);
  } else {
    PARE_CHECK(fs::ensure_dir(dir.parent_path()));
    PARE_TRY(out.digest, fetch_into_cache(spec, pinned, env, dir));
  }
  PARE_TRY(auto cache, oci::open_local_source(oci::LocalRef{oci::LocalRef::Kind::layout, dir, ""}));
  for (const auto& arch : spec.archs) {
    auto a = read_arch(*cache, arch);
    if (!a.ok()) {
      if (env.offline && a.error().code() == Errc::not_found)
        return Error(Errc::offline, spec.base->loc.str() + ": from " + out.reference + " for " +
                                        arch + " is not in the cache");
      return a.error().context(spec.base->loc.str() + ": from " + out.reference + " (" + arch +
                               ")");
    }
    PARE_LOG(info) << "base " << out.reference << " (" << arch << "): " << a->layers.size()
                   << " layers, " << a->packages.size() << " packages";
    out.archs.push_back(std::move(a.value()));
  }
  return out;
}

}  // namespace pare::build
