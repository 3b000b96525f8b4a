#include "build/images.h"

#include <algorithm>

#include "build/annotations.h"
#include "build/base.h"
#include "util/sha256.h"

namespace pare::build {

namespace {

// The variant's settings over the base image's config (when there is one): what the spec
// sets wins, the rest comes from the base; as in a Dockerfile, an entrypoint set here drops
// the base's cmd. Env is merged by name, labels by key, ports and volumes by value.
void apply_base_defaults(const oci::ImageConfig& base, const spec::ImageSettings& s,
                         oci::ImageConfig& c) {
  if (!s.user) c.user = base.user;
  if (!s.workdir) c.working_dir = base.working_dir;
  if (!s.entrypoint) c.entrypoint = base.entrypoint;
  if (!s.cmd && !s.entrypoint) c.cmd = base.cmd;
  if (s.stop_signal.empty()) c.stop_signal = base.stop_signal;
  if (!s.healthcheck) c.healthcheck = base.healthcheck;
  std::vector<std::string> env = base.env;
  for (const auto& var : c.env) {
    std::string name = var.substr(0, var.find('='));
    auto same = [&](const std::string& e) { return e.substr(0, e.find('=')) == name; };
    auto it = std::find_if(env.begin(), env.end(), same);
    if (it != env.end())
      *it = var;
    else
      env.push_back(var);
  }
  c.env = std::move(env);
  for (const auto& [k, v] : base.labels) c.labels.emplace(k, v);
  for (const auto& p : base.exposed_ports)
    if (std::find(c.exposed_ports.begin(), c.exposed_ports.end(), p) == c.exposed_ports.end())
      c.exposed_ports.push_back(p);
  for (const auto& v : base.volumes)
    if (std::find(c.volumes.begin(), c.volumes.end(), v) == c.volumes.end()) c.volumes.push_back(v);
}

oci::ImageConfig config_for(const Plan& plan, const spec::VariantSettings& v,
                            const oci::Platform& platform, const ArchBase* base,
                            const std::vector<oci::LayerBlob>& own_layers, int64_t created,
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
  if (base)
    for (const auto& e : base->config.env) has_path |= e.rfind("PATH=", 0) == 0;
  if (!has_path)
    c.env.push_back(std::string("PATH=") + oci::kDefaultPath + (v.debug ? ":/busybox" : ""));
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
  if (s.healthcheck)
    c.healthcheck =
        oci::Healthcheck{s.healthcheck->test, s.healthcheck->interval, s.healthcheck->timeout,
                         s.healthcheck->start_period, s.healthcheck->retries};
  if (base) {
    apply_base_defaults(base->config, s, c);
    c.diff_ids = base->config.diff_ids;
    c.history = base->config.history;
  }
  for (size_t l = 0; l < own_layers.size(); ++l) {
    c.diff_ids.push_back(own_layers[l].diff_id);
    c.history.push_back("pare: " + plan.spec.levels[l].name +
                        (plan.spec.levels[l].files_only ? " files" : "") + " (" +
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
      const ArchBase* base = plan.base ? plan.base->for_arch(plan.archs[a].arch) : nullptr;
      ImageFacts facts{meta.created, plan.spec.name, "", meta.git};
      PARE_TRY(facts.version, image_version(v.image, plan.archs[a]));
      oci::ImageConfig config =
          config_for(plan, v, platform, base, mine, meta.created, facts.version);
      if (base) mine.insert(mine.begin(), base->layers.begin(), base->layers.end());
      std::optional<sbom::SbomImage> sbom;
      if (meta.sbom) {
        PARE_TRY(sbom,
                 meta.sbom->describe(tagged.tag, platform.architecture, mine, config.history));
        if (plan.spec.sbom) {
          PARE_TRY(oci::LayerBlob layer, meta.sbom->layer(*sbom));
          config.diff_ids.push_back(layer.diff_id);
          config.history.push_back(kSbomLayerHistory);
          // The documents beside the output list every layer, this one too.
          sbom->layers.push_back({layer.digest, layer.diff_id, layer.media_type, layer.size});
          mine.push_back(std::move(layer));
        }
      }
      oci::PlatformImage img;
      img.platform = platform;
      img.config = oci::make_config_blob(config);
      auto annotations = image_annotations(facts, v.image);
      if (base) add_base_annotations(*plan.base, annotations);
      img.manifest = oci::make_manifest_blob(img.config, mine, annotations);
      if (sbom && meta.sboms) {
        sbom->manifest_digest = img.manifest.digest();
        meta.sboms->push_back({tagged.tag, std::move(*sbom)});
      }
      if (a == 0) tagged.index_annotations = std::move(annotations);
      img.layers = std::move(mine);
      tagged.images.push_back(std::move(img));
    }
    out.push_back(std::move(tagged));
  }
  return out;
}

std::vector<ImageSummary> summarize(const Plan& plan, const std::vector<oci::TaggedImage>& images,
                                    bool sbom_layer) {
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
    // One layer per level, bottom up (a non-debug image leaves the debug level out), above
    // the base image's layers, whose packages count too.
    const auto& levels = plan.archs.front().levels;
    size_t own = s.layers - (sbom_layer && s.layers > 0 ? 1 : 0);
    if (const ArchBase* base = plan.base ? plan.base->for_arch(plan.archs.front().arch) : nullptr) {
      own -= std::min(own, base->layers.size());
      s.packages += base->packages.size();
    }
    for (size_t l = 0; l < own && l < levels.size(); ++l)
      s.packages +=
          std::count_if(levels[l].begin(), levels[l].end(), [](const auto& p) { return !p.again; });
    s.digest =
        t.images.size() == 1 ? t.images[0].manifest.digest() : oci::index_blob_for(t).digest();
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace pare::build
