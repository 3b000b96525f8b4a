// The SBOM of a multi-platform tag's image index (document.h): SPDX 2.3 and CycloneDX 1.6 that
// name the index by its digest and list its per-platform images, each of which has a document
// of its own with the packages. Deterministic like the image documents.
#include <nlohmann/json.hpp>

#include "oci/image.h"
#include "sbom/document.h"
#include "util/sha256.h"

namespace pare::sbom {

namespace {

using nlohmann::json;

json container_package(const std::string& id, const std::string& name, const std::string& digest,
                       const std::string& arch) {
  return {{"SPDXID", id},
          {"name", name},
          {"versionInfo", digest},
          {"downloadLocation", "NOASSERTION"},
          {"filesAnalyzed", false},
          {"licenseConcluded", "NOASSERTION"},
          {"licenseDeclared", "NOASSERTION"},
          {"copyrightText", "NOASSERTION"},
          {"supplier", "NOASSERTION"},
          {"primaryPackagePurpose", "CONTAINER"},
          {"externalRefs", json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                         {"referenceType", "purl"},
                                         {"referenceLocator", oci_purl(name, digest, arch)}}})}};
}

}  // namespace

std::string index_spdx_json(const SbomIndex& index) {
  std::string index_id = spdx_id("Index", index.name, index.name + index.digest);
  json packages = json::array({container_package(index_id, index.name, index.digest, "")});
  json relationships = json::array({{{"spdxElementId", "SPDXRef-DOCUMENT"},
                                     {"relationshipType", "DESCRIBES"},
                                     {"relatedSpdxElement", index_id}}});
  for (const auto& image : index.images) {
    std::string id = spdx_id("Image", index.name + "-" + image.arch, image.manifest_digest);
    json p = container_package(id, index.name, image.manifest_digest, image.arch);
    if (!image.document.empty())
      p["comment"] = "the " + image.arch + " image; its packages: " + image.document;
    packages.push_back(std::move(p));
    relationships.push_back({{"spdxElementId", index_id},
                             {"relationshipType", "CONTAINS"},
                             {"relatedSpdxElement", id}});
  }
  json doc = {{"spdxVersion", "SPDX-2.3"},
              {"dataLicense", "CC0-1.0"},
              {"SPDXID", "SPDXRef-DOCUMENT"},
              {"name", index.name + " (index)"},
              {"creationInfo",
               {{"created", oci::rfc3339_utc(index.created)},
                {"creators", json::array({"Tool: pare-0.1.0"})}}},
              {"packages", packages},
              {"relationships", relationships}};
  doc["documentNamespace"] = "https://pare.invalid/spdx/" +
                             sha256_hex(doc.dump(-1, ' ', false, json::error_handler_t::replace));
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

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
  json bom = {
      {"bomFormat", "CycloneDX"},
      {"specVersion", "1.6"},
      {"version", 1},
      {"metadata",
       {{"timestamp", oci::rfc3339_utc(index.created)},
        {"tools",
         {{"components",
           json::array({{{"type", "application"}, {"name", "pare"}, {"version", "0.1.0"}}})}}},
        {"component",
         {{"type", "container"},
          {"bom-ref", index_ref},
          {"name", index.name},
          {"version", index.digest},
          {"purl", index_ref}}}}},
      {"components", components},
      {"dependencies", json::array({{{"ref", index_ref}, {"dependsOn", refs}}})}};
  bom["serialNumber"] =
      "urn:uuid:" + name_based_uuid(bom.dump(-1, ' ', false, json::error_handler_t::replace));
  return bom.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace pare::sbom
