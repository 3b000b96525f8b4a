// SPDX 2.3 JSON (document.h says what goes where and why).
#include <nlohmann/json.hpp>
#include <set>

#include "oci/image.h"
#include "sbom/document.h"
#include "util/sha256.h"

namespace pare::sbom {

namespace {

using nlohmann::json;

// "Name <mail>" -> "Person: Name (mail)" (SPDX 2.3 section 7.5).
std::string supplier(const std::string& maintainer) {
  if (maintainer.empty()) return "NOASSERTION";
  auto lt = maintainer.find('<');
  auto gt = maintainer.find('>', lt == std::string::npos ? 0 : lt);
  if (lt == std::string::npos || gt == std::string::npos) return "Person: " + maintainer;
  std::string name = maintainer.substr(0, lt);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  std::string mail = maintainer.substr(lt + 1, gt - lt - 1);
  // A mailing list or a team is an organisation to SPDX; Debian does not say which: Person.
  return "Person: " + name + " (" + mail + ")";
}

std::string licence_of(const PackageRecord& p, std::set<std::string>& refs) {
  if (p.licenses.empty()) return "NOASSERTION";
  std::string expr;
  for (const auto& l : p.licenses) {
    std::string one = p.kind == PackageKind::deb ? spdx_expression(l) : l;
    if (one.empty()) continue;
    bool compound = one.find(' ') != std::string::npos;
    expr +=
        (expr.empty() ? "" : " AND ") + (compound && p.licenses.size() > 1 ? "(" + one + ")" : one);
    for (size_t at = one.find("LicenseRef-"); at != std::string::npos;
         at = one.find("LicenseRef-", at + 1))
      refs.insert(one.substr(at, one.find(' ', at) - at));
  }
  return expr.empty() ? "NOASSERTION" : expr;
}

json package_json(const PackageRecord& p, const OsInfo& os, std::set<std::string>& refs) {
  std::string purl = package_purl(p, os);
  json j = {{"SPDXID", spdx_id("Package", p.name, purl)},
            {"name", p.name},
            {"versionInfo", p.version},
            {"supplier", supplier(p.maintainer)},
            {"downloadLocation", p.download_location.empty() ? "NOASSERTION" : p.download_location},
            {"filesAnalyzed", false},
            {"licenseConcluded", "NOASSERTION"},
            {"licenseDeclared", licence_of(p, refs)},
            {"copyrightText", "NOASSERTION"},
            {"primaryPackagePurpose", "LIBRARY"},
            {"externalRefs", json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                           {"referenceType", "purl"},
                                           {"referenceLocator", purl}}})}};
  // Trivy reads the source package from exactly this sentence.
  if (!p.source.empty())
    j["sourceInfo"] = "built package from: " + p.source + " " +
                      (p.source_version.empty() ? p.version : p.source_version);
  if (!p.sha256.empty())
    j["checksums"] = json::array({{{"algorithm", "SHA256"}, {"checksumValue", p.sha256}}});
  if (!p.slice.empty()) {
    std::string kept;
    for (const auto& g : p.slice) kept += (kept.empty() ? "" : ", ") + g;
    j["comment"] = "a slice of the package: only " + kept + " (and its copyright and status)";
  }
  return j;
}

// The fields every SPDX package has, for the ones pare knows little of (image, OS, layer).
json bare_package(const std::string& id, const std::string& name, const std::string& version,
                  const char* purpose) {
  return {{"SPDXID", id},
          {"name", name},
          {"versionInfo", version},
          {"downloadLocation", "NOASSERTION"},
          {"filesAnalyzed", false},
          {"licenseConcluded", "NOASSERTION"},
          {"licenseDeclared", "NOASSERTION"},
          {"copyrightText", "NOASSERTION"},
          {"supplier", "NOASSERTION"},
          {"primaryPackagePurpose", purpose}};
}

json relationship(const std::string& a, const char* type, const std::string& b) {
  return {{"spdxElementId", a}, {"relationshipType", type}, {"relatedSpdxElement", b}};
}

// An image or an index: a CONTAINER package with its pkg:oci purl.
json container_package(const std::string& id, const std::string& name, const std::string& digest,
                       const std::string& arch) {
  json p = bare_package(id, name, digest, "CONTAINER");
  p["externalRefs"] = json::array({{{"referenceCategory", "PACKAGE-MANAGER"},
                                    {"referenceType", "purl"},
                                    {"referenceLocator", oci_purl(name, digest, arch)}}});
  return p;
}

// The document's head; its extra members (files, licences) are added before finished().
json spdx_document(const std::string& name, int64_t created, json packages, json relationships) {
  return {
      {"spdxVersion", "SPDX-2.3"},
      {"dataLicense", "CC0-1.0"},
      {"SPDXID", "SPDXRef-DOCUMENT"},
      {"name", name},
      {"creationInfo",
       {{"created", oci::rfc3339_utc(created)}, {"creators", json::array({"Tool: pare-0.1.0"})}}},
      {"packages", std::move(packages)},
      {"relationships", std::move(relationships)}};
}

// The namespace is derived from everything else: equal documents, equal bytes.
std::string finished(json doc) {
  std::string body = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  doc["documentNamespace"] = "https://pare.invalid/spdx/" + sha256_hex(body);
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string spdx_json(const SbomImage& image) {
  std::set<std::string> refs;
  json packages = json::array(), relationships = json::array();
  std::string image_id =
      spdx_id("Image", image.name, image.name + image.arch);  // the same in and beside the image
  json image_pkg = bare_package(
      image_id, image.name, image.manifest_digest.empty() ? "NOASSERTION" : image.manifest_digest,
      "CONTAINER");
  if (!image.manifest_digest.empty())
    image_pkg["externalRefs"] = json::array(
        {{{"referenceCategory", "PACKAGE-MANAGER"},
          {"referenceType", "purl"},
          {"referenceLocator", oci_purl(image.name, image.manifest_digest, image.arch)}}});
  packages.push_back(image_pkg);
  relationships.push_back(relationship("SPDXRef-DOCUMENT", "DESCRIBES", image_id));

  std::string os_version = image.os.version.empty() ? image.os.version_id : image.os.version;
  std::string os_id = spdx_id("OperatingSystem", image.os.id, image.os.id + os_version);
  packages.push_back(bare_package(os_id, image.os.id, os_version, "OPERATING_SYSTEM"));
  relationships.push_back(relationship(image_id, "CONTAINS", os_id));

  std::vector<const PackageRecord*> sorted;
  for (const auto& p : image.packages) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
    return std::tie(a->name, a->version, a->arch) < std::tie(b->name, b->version, b->arch);
  });
  for (const auto* p : sorted) {
    json j = package_json(*p, image.os, refs);
    relationships.push_back(relationship(os_id, "CONTAINS", j["SPDXID"]));
    packages.push_back(std::move(j));
  }
  for (size_t i = 0; i < image.layers.size(); ++i) {
    const LayerInfo& l = image.layers[i];
    std::string id = spdx_id("Layer", std::to_string(i), l.digest);
    json layer =
        bare_package(id, image.name.substr(0, image.name.find(':')) + " layer " + std::to_string(i),
                     l.digest, "FILE");
    layer["checksums"] =
        json::array({{{"algorithm", "SHA256"}, {"checksumValue", l.digest.substr(7)}}});
    layer["comment"] = "layer " + l.media_type + ", diff_id " + l.diff_id;
    packages.push_back(std::move(layer));
    relationships.push_back(relationship(image_id, "CONTAINS", id));
  }
  json files = json::array();
  for (const auto& f : image.files) {
    std::string id = spdx_id("File", f.path, f.path + f.sha256);
    json j = {{"SPDXID", id},
              {"fileName", "." + f.path},  // SPDX 2.3 section 8.1: relative, "./" first
              {"checksums", json::array({{{"algorithm", "SHA256"}, {"checksumValue", f.sha256}}})},
              {"licenseConcluded", "NOASSERTION"},
              {"copyrightText", "NOASSERTION"}};
    if (!f.comment.empty()) j["comment"] = f.comment;
    files.push_back(std::move(j));
    relationships.push_back(relationship(image_id, "CONTAINS", id));
  }
  json doc = spdx_document(image.name + (image.arch.empty() ? "" : " (" + image.arch + ")"),
                           image.created, std::move(packages), std::move(relationships));
  if (!files.empty()) doc["files"] = files;
  if (!refs.empty()) {
    json extracted = json::array();
    for (const auto& r : refs)
      extracted.push_back(
          {{"licenseId", r},
           {"name", r.substr(11)},
           {"extractedText",
            "The licence the package's Debian copyright file calls '" + r.substr(11) + "'."}});
    doc["hasExtractedLicensingInfos"] = extracted;
  }
  return finished(std::move(doc));
}

// The index of a multi-platform tag (document.h, SbomIndex).
std::string index_spdx_json(const SbomIndex& index) {
  std::string index_id = spdx_id("Index", index.name, index.name + index.digest);
  json packages = json::array({container_package(index_id, index.name, index.digest, "")});
  json relationships = json::array({relationship("SPDXRef-DOCUMENT", "DESCRIBES", index_id)});
  for (const auto& image : index.images) {
    std::string id = spdx_id("Image", index.name + "-" + image.arch, image.manifest_digest);
    json p = container_package(id, index.name, image.manifest_digest, image.arch);
    if (!image.document.empty())
      p["comment"] = "the " + image.arch + " image; its packages: " + image.document;
    packages.push_back(std::move(p));
    relationships.push_back(relationship(index_id, "CONTAINS", id));
  }
  return finished(spdx_document(index.name + " (index)", index.created, std::move(packages),
                                std::move(relationships)));
}

std::vector<std::string> spdx_file_names(std::string_view text) {
  std::vector<std::string> out;
  json doc = json::parse(text, nullptr, false);
  if (!doc.is_object() || !doc.contains("files") || !doc["files"].is_array()) return out;
  for (const auto& f : doc["files"]) {
    if (!f.is_object() || !f.contains("fileName") || !f["fileName"].is_string()) continue;
    std::string name = f["fileName"].get<std::string>();
    while (name.rfind("./", 0) == 0 || name.rfind('/', 0) == 0)
      name.erase(0, name[0] == '.' ? 2 : 1);
    if (!name.empty()) out.push_back(name);
  }
  return out;
}

}  // namespace pare::sbom
