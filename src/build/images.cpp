#include "build/images.h"

#include <algorithm>

#include "build/annotations.h"
#include "util/sha256.h"

namespace pare::build {

namespace {

oci::ImageConfig config_for(const Plan& plan, const spec::VariantSettings& v,
                            const oci::Platform& platform,
                            const std::vector<oci::LayerBlob>& layers, int64_t created,
                            const std::string& version) {
  const spec::ImageSettings& s = v.image;
  oci::ImageConfig c;
  c.platform = platform;
  c.created = created;
  c.user = s.user.value_or("");
  c.working_dir = s.workdir.value_or("");
  c.entrypoint = s.entrypoint.value_or(std::vector<std::string>{});
  c.cmd = s.cmd.value_or(std::vector<std::string>{});
  bool has_path = false;
  for (const auto& [k, val] : s.env) has_path |= (k == "PATH");
  if (!has_path)
    c.env.push_back(std::string("PATH=") + kDefaultPath + (v.debug ? ":/busybox" : ""));
  for (const auto& [k, val] : s.env) c.env.push_back(k + "=" + val);
  // version: {env: VAR} sets VAR (JAVA_VERSION, as distroless's java images do) unless the
  // spec's env sets it itself.
  if (s.version && !s.version->env.empty() && !version.empty() &&
      std::none_of(s.env.begin(), s.env.end(),
                   [&](const auto& e) { return e.first == s.version->env; }))
    c.env.push_back(s.version->env + "=" + version);
  c.labels = s.labels;
  c.exposed_ports = s.ports;
  c.volumes = s.volumes;
  c.stop_signal = s.stop_signal;
  for (size_t l = 0; l < layers.size(); ++l) {
    c.diff_ids.push_back(layers[l].diff_id);
    c.history.push_back("pare: " + plan.spec.levels[l].name + " (" +
                        plan.spec.levels[l].file.filename().string() + ")");
  }
  return c;
}

}  // namespace

Result<std::vector<oci::TaggedImage>> make_images(
    const Plan& plan, const std::vector<std::vector<oci::LayerBlob>>& layers,
    const std::vector<std::string>& variants, const ImageMeta& meta) {
  std::vector<oci::TaggedImage> out;
  for (const auto& variant : variants) {
    PARE_TRY(spec::VariantSettings v, spec::apply_variant(plan.spec, variant));
    if (v.debug && own_levels(plan.spec) == plan.spec.levels.size())
      return Error(Errc::internal, "variant " + variant + " needs the debug level");
    // Debug variants take every layer; the others leave the debug layer out.
    size_t layer_count = v.debug ? plan.spec.levels.size() : own_levels(plan.spec);
    oci::TaggedImage tagged;
    tagged.tag = plan.spec.name + ":" + variant;
    for (size_t a = 0; a < plan.archs.size(); ++a) {
      PARE_TRY(oci::Platform platform, oci::platform_for_debian_arch(plan.archs[a].arch));
      std::vector<oci::LayerBlob> mine(layers[a].begin(),
                                       layers[a].begin() + static_cast<long>(layer_count));
      ImageFacts facts{meta.created, plan.spec.name, "", meta.git};
      PARE_TRY(facts.version, image_version(v.image, plan.archs[a]));
      oci::ImageConfig config = config_for(plan, v, platform, mine, meta.created, facts.version);
      oci::PlatformImage img;
      img.platform = platform;
      img.config = oci::make_config_blob(config);
      auto annotations = image_annotations(facts, v.image);
      img.manifest = oci::make_manifest_blob(img.config, mine, annotations);
      if (a == 0) tagged.index_annotations = std::move(annotations);
      img.layers = std::move(mine);
      tagged.images.push_back(std::move(img));
    }
    out.push_back(std::move(tagged));
  }
  return out;
}

std::vector<ImageSummary> summarize(const Plan& plan, const std::vector<oci::TaggedImage>& images) {
  std::vector<ImageSummary> out;
  for (const auto& t : images) {
    ImageSummary s;
    s.tag = t.tag;
    for (size_t a = 0; a < t.images.size(); ++a) {
      const auto& img = t.images[a];
      s.archs.push_back(plan.archs[a].arch);
      s.compressed_size += img.config.bytes.size();
      for (const auto& l : img.layers) s.compressed_size += l.size;
      s.layers = img.layers.size();
    }
    // One layer per level, bottom up (a non-debug image leaves the debug level out).
    const auto& levels = plan.archs.front().levels;
    for (size_t l = 0; l < s.layers && l < levels.size(); ++l)
      s.packages +=
          std::count_if(levels[l].begin(), levels[l].end(), [](const auto& p) { return !p.again; });
    s.digest =
        t.images.size() == 1 ? t.images[0].manifest.digest() : oci::index_blob_for(t).digest();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace pare::build
