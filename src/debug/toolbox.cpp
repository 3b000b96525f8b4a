#include "debug/toolbox.h"

#include <algorithm>

#include "build/build.h"
#include "oci/copy.h"
#include "util/fs.h"
#include "util/log.h"

namespace pare::debug {

namespace {

namespace stdfs = std::filesystem;

constexpr const char* kToolboxTag = "pare-toolbox:debug";

// What the toolbox is: no package but the debug level's busybox-static (build/plan.h), which
// every debug variant of the same suite gets byte for byte.
std::string toolbox_spec(const std::string& suite, const std::vector<std::string>& archs) {
  std::string list;
  for (const auto& a : archs) list += (list.empty() ? "" : ", ") + a;
  return "# pare's toolbox (pare debug, add-debug, shell): busybox-static under /busybox\n"
         "name: pare-toolbox\n"
         "source:\n  suite: " +
         suite + "\n  components: [main]\narchs: [" + list + "]\npackages: []\nvariants: [debug]\n";
}

class NullSink : public fs::ByteSink {
 public:
  Result<void> write(std::string_view) override { return {}; }
};

// Every manifest, config and layer of the toolbox, read and hashed (it is small).
Result<void> verify_toolbox(Toolbox& t) {
  PARE_TRY(t.root, t.source->resolve(kToolboxTag));
  PARE_TRY(std::string bytes, t.source->read_manifest(t.root));
  PARE_TRY(std::string type, oci::document_media_type(bytes, t.root.media_type));
  std::vector<oci::Descriptor> manifests{t.root};
  if (oci::is_index_media_type(type)) {
    PARE_TRY(oci::Index index, oci::parse_index(bytes));
    manifests = index.manifests;
  }
  for (const auto& d : manifests) {
    PARE_TRY(std::string mbytes, t.source->read_manifest(d));
    PARE_TRY(oci::Manifest m, oci::parse_manifest(mbytes));
    NullSink sink;
    PARE_CHECK(t.source->read_blob(m.config, sink));
    for (const auto& layer : m.layers) PARE_CHECK(t.source->read_blob(layer, sink));
  }
  return {};
}

Result<void> build_toolbox(const build::Environment& env, const std::string& suite,
                           const std::vector<std::string>& archs, const stdfs::path& dir) {
  PARE_LOG(info) << "building pare's toolbox for " << suite << " (busybox-static)";
  PARE_TRY(fs::TempDir work, fs::TempDir::create(dir.parent_path(), ".pare-tmp-toolbox"));
  stdfs::path spec = work.path() / "pare-toolbox.yaml";
  PARE_CHECK(fs::write_file_atomic(spec, toolbox_spec(suite, archs)));
  build::BuildOptions options;
  options.spec_paths = {spec};
  options.variants = {"debug"};
  options.output = dir;
  options.format = oci::OutputFormat::oci_layout;
  options.git_annotations = false;
  options.sbom = false;
  options.layer.compress.kind = Compression::gzip;
  auto built = build::run_build(options, env);
  if (!built)
    return built.error().context("building pare's toolbox (busybox-static, " + suite + ")");
  return {};
}

Result<Toolbox> open_built(const stdfs::path& dir) {
  Toolbox t;
  t.dir = dir;
  PARE_TRY(t.source, oci::open_local_source({oci::LocalRef::Kind::layout, dir, ""}));
  PARE_CHECK(verify_toolbox(t));
  return t;
}

}  // namespace

Result<std::string> debian_arch_for(const oci::Platform& platform) {
  if (platform.architecture == "arm")
    return std::string(platform.variant == "v5" || platform.variant == "v6" ? "armel" : "armhf");
  for (const char* arch : {"amd64", "arm64", "i386", "ppc64el", "s390x", "riscv64", "mips64el"}) {
    auto p = oci::platform_for_debian_arch(arch);
    if (p && p->architecture == platform.architecture) return std::string(arch);
  }
  return Error(Errc::unsupported,
               "no Debian architecture for platform " + oci::platform_string(platform));
}

Result<Toolbox> open_toolbox(const build::Environment& env, const std::string& suite,
                             std::vector<std::string> const& debian_archs) {
  std::vector<std::string> archs = debian_archs;
  std::sort(archs.begin(), archs.end());
  archs.erase(std::unique(archs.begin(), archs.end()), archs.end());
  std::string key = suite;
  for (const auto& a : archs) key += "-" + a;
  stdfs::path base = env.cache_dir / "toolbox";
  PARE_CHECK(fs::ensure_dir(base));
  // One builder at a time; the others then find it built.
  PARE_TRY(fs::FileLock lock, fs::FileLock::acquire(base / (key + ".lock")));
  stdfs::path dir = base / key;
  if (fs::exists(dir)) {
    auto t = open_built(dir);
    if (t) return t;
    PARE_LOG(warn) << "the cached toolbox " << dir.string() << " is damaged ("
                   << t.error().message() << "): building it again";
    std::error_code ec;
    stdfs::remove_all(dir, ec);
  }
  PARE_CHECK(build_toolbox(env, suite, archs, dir));
  return open_built(dir);
}

Result<oci::LayerBlob> toolbox_busybox_layer(Toolbox& toolbox, const oci::Platform& platform) {
  PARE_TRY(oci::Descriptor d, oci::select_platform(*toolbox.source, toolbox.root, platform, true));
  PARE_TRY(oci::PlatformImage image, oci::local_platform_image(*toolbox.source, d));
  PARE_TRY(oci::ImageConfig config, oci::parse_config(image.config.bytes));
  for (size_t i = 0; i < config.history.size() && i < image.layers.size(); ++i)
    if (config.history[i].rfind("pare: debug", 0) == 0) return image.layers[i];
  return Error(Errc::internal, "the toolbox image has no busybox layer");
}

Result<void> load_image(Engine& engine, const oci::PlatformImage& image, const std::string& name,
                        const stdfs::path& dir) {
  PARE_TRY(fs::TempDir work, fs::TempDir::create(dir, ".pare-tmp-load"));
  stdfs::path archive = work.path() / "image.tar";
  PARE_CHECK(oci::write_output(oci::OutputFormat::docker_archive, archive,
                               {oci::TaggedImage(name, {image})}));
  return engine.load(archive);
}

Result<std::string> load_toolbox(Engine& engine, Toolbox& toolbox, const oci::Platform& platform) {
  PARE_TRY(oci::Descriptor d, oci::select_platform(*toolbox.source, toolbox.root, platform, true));
  std::string name = "pare-toolbox:" + d.digest.substr(7, 12);
  PARE_TRY(bool present, engine.has_image(name));
  if (present) return name;
  PARE_TRY(oci::PlatformImage image, oci::local_platform_image(*toolbox.source, d));
  PARE_LOG(info) << "loading pare's toolbox into " << engine.name() << " as " << name;
  PARE_CHECK(load_image(engine, image, name, toolbox.dir.parent_path()));
  return name;
}

}  // namespace pare::debug
