// CycloneDX 1.6 JSON (document.h says what goes where and why).
#include <nlohmann/json.hpp>

#include "oci/image.h"
#include "sbom/document.h"
#include "util/sha256.h"

namespace pare::sbom {

namespace {

using nlohmann::json;

// The whole BOM around its subject (metadata.component), components and dependencies; the
// serial number follows from the rest: equal documents, equal bytes.
std::string finished_bom(int64_t created, json component, json components, json dependencies) {
  json bom = {
      {"bomFormat", "CycloneDX"},
      {"specVersion", "1.6"},
      {"version", 1},
      {"metadata",
       {{"timestamp", oci::rfc3339_utc(created)},
        {"tools",
         {{"components",
           json::array({{{"type", "application"}, {"name", "pare"}, {"version", "0.1.0"}}})}}},
        {"component", std::move(component)}}},
      {"components", std::move(components)},
      {"dependencies", std::move(dependencies)}};
  bom["serialNumber"] =
      "urn:uuid:" + name_based_uuid(bom.dump(-1, ' ', false, json::error_handler_t::replace));
  return bom.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

json licences(const PackageRecord& p) {
  json out = json::array();
  std::string expr;
  for (const auto& l : p.licenses) {
    std::string one = p.kind == PackageKind::deb ? spdx_expression(l) : l;
    if (!one.empty()) expr += (expr.empty() ? "" : " AND ") + one;
  }
  if (expr.empty()) return out;
  bool single = expr.find(' ') == std::string::npos && expr.rfind("LicenseRef-", 0) != 0;
  if (single)
    out.push_back({{"license", {{"id", expr}}}});
  else if (expr.find(' ') == std::string::npos)
    out.push_back({{"license", {{"name", expr}}}});
  else
    out.push_back({{"expression", expr}});
  return out;
}

}  // namespace

std::string cyclonedx_json(const SbomImage& image) {
  std::string os_version = image.os.version.empty() ? image.os.version_id : image.os.version;
  std::string os_ref = "os:" + image.os.id + "@" + os_version;
  json components = json::array();
  components.push_back({{"type", "operating-system"},
                        {"bom-ref", os_ref},
                        {"name", image.os.id},
                        {"version", os_version},
                        {"description", image.os.name}});
  std::vector<const PackageRecord*> sorted;
  for (const auto& p : image.packages) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
    return std::tie(a->name, a->version, a->arch) < std::tie(b->name, b->version, b->arch);
  });
  json os_deps = json::array();
  for (const auto* p : sorted) {
    std::string purl = package_purl(*p, image.os);
    json c = {{"type", "library"},
              {"bom-ref", purl},
              {"name", p->name},
              {"version", p->version},
              {"purl", purl}};
    if (!p->maintainer.empty()) c["supplier"] = {{"name", p->maintainer}};
    json l = licences(*p);
    if (!l.empty()) c["licenses"] = l;
    if (!p->sha256.empty())
      c["hashes"] = json::array({{{"alg", "SHA-256"}, {"content", p->sha256}}});
    json props = json::array();
    if (!p->source.empty()) {
      props.push_back({{"name", "pare:package:source"}, {"value", p->source}});
      props.push_back({{"name", "pare:package:source_version"},
                       {"value", p->source_version.empty() ? p->version : p->source_version}});
    }
    if (!p->slice.empty())
      for (const auto& g : p->slice) props.push_back({{"name", "pare:slice:path"}, {"value", g}});
    if (!props.empty()) c["properties"] = props;
    if (!p->download_location.empty())
      c["externalReferences"] =
          json::array({{{"type", "distribution"}, {"url", p->download_location}}});
    os_deps.push_back(purl);
    components.push_back(std::move(c));
  }
  std::string image_ref = image.manifest_digest.empty()
                              ? "image:" + image.name
                              : oci_purl(image.name, image.manifest_digest, image.arch);
  json image_component = {{"type", "container"}, {"bom-ref", image_ref}, {"name", image.name}};
  if (!image.manifest_digest.empty()) {
    image_component["version"] = image.manifest_digest;
    image_component["purl"] = image_ref;
  }
  json layer_refs = json::array();
  for (size_t i = 0; i < image.layers.size(); ++i) {
    const LayerInfo& l = image.layers[i];
    std::string ref = "layer:" + l.digest;
    layer_refs.push_back(ref);
    components.push_back(
        {{"type", "file"},
         {"bom-ref", ref},
         {"name", "layer " + std::to_string(i)},
         {"version", l.digest},
         {"hashes", json::array({{{"alg", "SHA-256"}, {"content", l.digest.substr(7)}}})},
         {"properties", json::array({{{"name", "oci:layer:mediaType"}, {"value", l.media_type}},
                                     {{"name", "oci:layer:diffID"}, {"value", l.diff_id}}})}});
  }
  for (const auto& f : image.files) {
    json c = {{"type", "file"},
              {"bom-ref", "file:" + f.path},
              {"name", f.path},
              {"hashes", json::array({{{"alg", "SHA-256"}, {"content", f.sha256}}})}};
    if (!f.comment.empty()) c["description"] = f.comment;
    components.push_back(std::move(c));
  }
  json image_deps = layer_refs;
  image_deps.push_back(os_ref);
  return finished_bom(image.created, image_component, std::move(components),
                      json::array({{{"ref", image_ref}, {"dependsOn", image_deps}},
                                   {{"ref", os_ref}, {"dependsOn", os_deps}}}));
}

// The index of a multi-platform tag (document.h, SbomIndex).
std::string index_cyclonedx_json(const SbomIndex& index) {
  std::string index_ref = oci_purl(index.name, index.digest, "");
  json components = json::array(), refs = json::array();
  for (const auto& image : index.images) {
    std::string ref = oci_purl(index.name, image.manifest_digest, image.arch);
    json c = {{"type", "container"},
              {"bom-ref", ref},
              {"name", index.name},
              {"version", image.manifest_digest},
              {"purl", ref},
              {"properties",
               json::array({{{"name", "oci:platform:architecture"}, {"value", image.arch}}})}};
    if (!image.document.empty()) c["description"] = "its packages: " + image.document;
    components.push_back(std::move(c));
    refs.push_back(ref);
  }
  json component = {{"type", "container"},
                    {"bom-ref", index_ref},
                    {"name", index.name},
                    {"version", index.digest},
                    {"purl", index_ref}};
  return finished_bom(index.created, std::move(component), std::move(components),
                      json::array({{{"ref", index_ref}, {"dependsOn", refs}}}));
}

}  // namespace pare::sbom
