#include "build/annotations.h"

#include "oci/image.h"

namespace pare::build {

std::string upstream_version(const std::string& debian_version) {
  std::string v = debian_version;
  size_t colon = v.find(':');
  if (colon != std::string::npos) v.erase(0, colon + 1);
  size_t dash = v.rfind('-');
  if (dash != std::string::npos) v.resize(dash);
  return v;
}

Result<std::string> image_version(const spec::ImageSettings& image, const ArchPlan& plan) {
  if (!image.version) return std::string();
  const spec::VersionSetting& v = *image.version;
  if (v.packages.empty()) return v.literal;
  for (const auto& name : v.packages)
    for (const auto& level : plan.levels)
      for (const auto& p : level)
        if (p.name == name) return upstream_version(p.version);
  std::string names;
  for (const auto& n : v.packages) names += (names.empty() ? "" : ", ") + n;
  return Error(Errc::invalid,
               v.loc.str() + ": version: the image (" + plan.arch + ") installs none of " + names);
}

std::map<std::string, std::string> image_annotations(const ImageFacts& facts,
                                                     const spec::ImageSettings& image) {
  const std::string p = kAnnotationPrefix;
  std::map<std::string, std::string> out;
  out[p + "created"] = oci::rfc3339_utc(facts.created);
  if (!facts.title.empty()) out[p + "title"] = facts.title;
  if (!facts.version.empty()) out[p + "version"] = facts.version;
  if (facts.git) {
    if (!facts.git->source_url.empty()) {
      out[p + "source"] = facts.git->source_url;
      out[p + "url"] = facts.git->source_url;
    }
    if (!facts.git->revision.empty()) out[p + "revision"] = facts.git->revision;
  }
  for (const auto& [key, value] : image.annotations) out[key] = value;
  return out;
}

}  // namespace pare::build
