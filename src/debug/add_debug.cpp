#include "debug/add_debug.h"

#include <nlohmann/json.hpp>

#include "debug/toolbox.h"
#include "oci/copy.h"
#include "oci/manifest.h"

namespace pare::debug {

namespace {

namespace stdfs = std::filesystem;
using json = nlohmann::json;

// PATH gains /busybox (last, so the image's own programs still come first), the entrypoint
// becomes the shell, and Cmd goes (it was the arguments of the old entrypoint).
void debug_settings(json& config) {
  if (!config.is_object()) config = json::object();
  json& env = config["Env"];
  if (!env.is_array()) env = json::array();
  bool has_path = false;
  for (auto& e : env) {
    if (!e.is_string() || e.get<std::string>().rfind("PATH=", 0) != 0) continue;
    has_path = true;
    std::string path = e.get<std::string>();
    if (path.find("/busybox") == std::string::npos)
      e = path + (path.size() > 5 ? ":" : "") + "/busybox";
  }
  if (!has_path) env.push_back(std::string("PATH=") + oci::kDefaultPath + ":/busybox");
  config["Entrypoint"] = json::array({"/busybox/sh"});
  config.erase("Cmd");
}

Result<std::string> rewritten_config(const std::string& bytes, const oci::LayerBlob& busybox,
                                     int64_t created) {
  json c = json::parse(bytes, nullptr, false);
  if (c.is_discarded() || !c.is_object())
    return Error(Errc::invalid, "the image config is not a JSON object");
  json& rootfs = c["rootfs"];
  if (!rootfs.is_object() || !rootfs["diff_ids"].is_array())
    return Error(Errc::invalid, "the image config has no rootfs.diff_ids");
  rootfs["diff_ids"].push_back(busybox.diff_id);
  if (auto h = c.find("history"); h != c.end() && h->is_array())
    h->push_back({{"created", oci::rfc3339_utc(created)},
                  {"created_by", kDebugHistory},
                  {"comment", "busybox-static, from pare's toolbox"}});
  debug_settings(c["config"]);
  return c.dump();
}

Result<std::string> rewritten_manifest(const oci::PlatformImage& image,
                                       const std::string& config_digest, uint64_t config_size,
                                       const oci::LayerBlob& busybox) {
  json m = json::parse(image.manifest.bytes, nullptr, false);
  if (m.is_discarded() || !m.is_object() || !m["layers"].is_array() || !m["config"].is_object())
    return Error(Errc::invalid, "the manifest has no config or layers");
  bool docker = image.manifest.media_type == oci::media::kDockerManifest;
  m["config"]["digest"] = config_digest;
  m["config"]["size"] = config_size;
  m["layers"].push_back({{"mediaType", docker ? oci::media::kDockerLayerGzip : busybox.media_type},
                         {"digest", busybox.digest},
                         {"size", busybox.size}});
  if (!docker) {
    m["annotations"]["org.opencontainers.image.base.digest"] = image.manifest.digest();
    m["annotations"].erase("org.opencontainers.image.ref.name");
  }
  return m.dump();
}

// The platform images of a layout's tag: one, or each entry of an index that names a real
// platform (BuildKit's attestation manifests say unknown/unknown).
Result<std::vector<oci::PlatformImage>> platform_images(oci::ImageSource& layout,
                                                        const oci::Descriptor& root) {
  PARE_TRY(std::string bytes, layout.read_manifest(root));
  PARE_TRY(std::string type, oci::document_media_type(bytes, root.media_type));
  std::vector<oci::PlatformImage> out;
  if (!oci::is_index_media_type(type)) {
    PARE_TRY(oci::PlatformImage image, oci::local_platform_image(layout, root));
    out.push_back(std::move(image));
    return out;
  }
  PARE_TRY(oci::Index index, oci::parse_index(bytes));
  for (const auto& d : index.manifests) {
    if (d.platform && (d.platform->os == "unknown" || d.platform->architecture == "unknown"))
      continue;
    PARE_TRY(oci::PlatformImage image, oci::local_platform_image(layout, d));
    out.push_back(std::move(image));
  }
  if (out.empty()) return Error(Errc::invalid, "the index names no platform image");
  return out;
}

}  // namespace

Result<oci::PlatformImage> with_debug_layer(const oci::PlatformImage& image,
                                            const oci::LayerBlob& busybox, int64_t created) {
  for (const auto& l : image.layers)
    if (l.digest == busybox.digest)
      return Error(Errc::invalid, "the image already has pare's busybox layer (" +
                                      busybox.digest.substr(0, 19) + ")");
  oci::PlatformImage out = image;
  PARE_TRY(out.config.bytes, rewritten_config(image.config.bytes, busybox, created));
  PARE_TRY(out.manifest.bytes,
           rewritten_manifest(image, out.config.digest(), out.config.bytes.size(), busybox));
  oci::LayerBlob top = busybox;
  if (image.manifest.media_type == oci::media::kDockerManifest)
    top.media_type = oci::media::kDockerLayerGzip;
  out.layers.push_back(top);
  return out;
}

Result<DebugImages> make_debug_images(const build::Environment& env, oci::ImageSource& source,
                                      const oci::Descriptor& root, const AddDebugOptions& options,
                                      const stdfs::path& work_parent) {
  PARE_TRY(fs::TempDir work, fs::TempDir::create(work_parent, ".pare-tmp-add-debug"));
  {  // a verified copy, whatever the transport, so every layer is a local file
    PARE_TRY(auto dest, oci::open_layout_destination(work.path() / "in"));
    oci::CopyOptions copy;
    copy.platform = options.platform;
    copy.progress = env.progress;
    PARE_CHECK(oci::copy_image(source, root, *dest, {"in"}, copy));
    PARE_CHECK(dest->commit());
  }
  PARE_TRY(auto layout,
           oci::open_local_source({oci::LocalRef::Kind::layout, work.path() / "in", ""}));
  PARE_TRY(oci::Descriptor copied, layout->resolve("in"));
  PARE_TRY(auto originals, platform_images(*layout, copied));
  std::vector<std::string> archs;
  for (const auto& image : originals) {
    PARE_TRY(std::string arch, debian_arch_for(image.platform));
    archs.push_back(arch);
  }
  PARE_TRY(Toolbox toolbox, open_toolbox(env, options.suite, archs));
  DebugImages out{std::move(work), {}};
  for (const auto& image : originals) {
    PARE_TRY(oci::LayerBlob busybox, toolbox_busybox_layer(toolbox, image.platform));
    PARE_TRY(oci::PlatformImage debug, with_debug_layer(image, busybox, options.created));
    out.images.push_back(std::move(debug));
  }
  return out;
}

}  // namespace pare::debug
