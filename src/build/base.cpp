#include "build/base.h"

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "oci/copy.h"
#include "oci/manifest.h"
#include "oci/source.h"
#include "registry/image_io.h"
#include "sbom/image_files.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/sha256.h"

namespace pare::build {

namespace {

namespace stdfs = std::filesystem;

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

}  // namespace

const ArchBase* BaseImage::for_arch(const std::string& arch) const {
  for (const auto& a : archs)
    if (a.arch == arch) return &a;
  return nullptr;
}

Result<std::vector<deb::PackageInfo>> installed_packages(
    const std::vector<oci::LayerBlob>& layers) {
  // The one package-metadata reader (sbom/image_files.h), the dpkg records only.
  std::vector<sbom::LayerRef> files;
  for (const auto& l : layers) files.push_back({l.file, l.digest});
  auto wanted = [](const std::string& path) {
    return path.rfind("var/lib/dpkg/status", 0) == 0 && sbom::is_metadata_path(path);
  };
  PARE_TRY(auto found, sbom::read_image_files(files, wanted));
  PARE_TRY(sbom::ImageContents contents, sbom::describe_files(found));
  std::vector<deb::PackageInfo> out;
  for (const auto& r : contents.packages) {
    if (r.kind != sbom::PackageKind::deb) continue;
    deb::PackageInfo info;
    info.name = r.name;
    info.version = r.version;
    info.arch = r.arch;
    info.source = r.source;
    out.push_back(std::move(info));
  }
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
