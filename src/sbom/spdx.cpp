// SPDX 2.3 JSON (document.h says what goes where and why), written by JsonWriter with each
// object's keys in ascending order (the form nlohmann::json would give the same value).
#include <nlohmann/json.hpp>
#include <set>

#include "oci/image.h"
#include "sbom/document.h"
#include "util/json_writer.h"
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

// What an SPDX package says; what pare does not know is NOASSERTION.
struct Package {
  std::string id, name, version, purpose;
  std::string download = "NOASSERTION", licence = "NOASSERTION", supplier = "NOASSERTION";
  std::string sha256;       // checksums: SHA256 ("" = none)
  std::string purl;         // externalRefs: PACKAGE-MANAGER purl ("" = none)
  std::string comment;      // ("" = none)
  std::string source_info;  // ("" = none)
};

Package package(std::string id, std::string name, std::string version, const char* purpose) {
  Package p;
  p.id = std::move(id);
  p.name = std::move(name);
  p.version = std::move(version);
  p.purpose = purpose;
  return p;
}

struct Relationship {
  std::string from;
  const char* type;
  std::string to;
};

void write_checksum(JsonWriter& w, const std::string& sha256) {
  w.key("checksums").begin_array().begin_object();
  w.member("algorithm", "SHA256").member("checksumValue", sha256).end().end();
}

void write_package(JsonWriter& w, const Package& p) {
  w.begin_object().member("SPDXID", p.id);
  if (!p.sha256.empty()) write_checksum(w, p.sha256);
  if (!p.comment.empty()) w.member("comment", p.comment);
  w.member("copyrightText", "NOASSERTION").member("downloadLocation", p.download);
  if (!p.purl.empty()) {
    w.key("externalRefs").begin_array().begin_object();
    w.member("referenceCategory", "PACKAGE-MANAGER").member("referenceLocator", p.purl);
    w.member("referenceType", "purl").end().end();
  }
  w.key("filesAnalyzed").boolean(false);
  w.member("licenseConcluded", "NOASSERTION").member("licenseDeclared", p.licence);
  w.member("name", p.name).member("primaryPackagePurpose", p.purpose);
  if (!p.source_info.empty()) w.member("sourceInfo", p.source_info);
  w.member("supplier", p.supplier).member("versionInfo", p.version).end();
}

Package deb_package(const PackageRecord& p, const OsInfo& os, std::set<std::string>& refs) {
  Package out;
  out.purl = package_purl(p, os);
  out.id = spdx_id("Package", p.name, out.purl);
  out.name = p.name;
  out.version = p.version;
  out.purpose = "LIBRARY";
  out.supplier = supplier(p.maintainer);
  if (!p.download_location.empty()) out.download = p.download_location;
  out.licence = licence_of(p, refs);
  // Trivy reads the source package from exactly this sentence.
  if (!p.source.empty())
    out.source_info = "built package from: " + p.source + " " +
                      (p.source_version.empty() ? p.version : p.source_version);
  out.sha256 = p.sha256;
  if (!p.slice.empty()) {
    std::string kept;
    for (const auto& g : p.slice) kept += (kept.empty() ? "" : ", ") + g;
    out.comment = "a slice of the package: only " + kept + " (and its copyright and status)";
  }
  return out;
}

// An image or an index: a CONTAINER package with its pkg:oci purl.
Package container_package(const std::string& id, const std::string& name, const std::string& digest,
                          const std::string& arch) {
  Package p = package(id, name, digest, "CONTAINER");
  p.purl = oci_purl(name, digest, arch);
  return p;
}

// The whole document; its namespace is derived from everything else: equal documents, equal
// bytes (document.h, fill_derived_field).
struct Document {
  std::string name;
  int64_t created = 0;
  std::vector<Package> packages;
  std::vector<Relationship> relationships;
  const std::vector<AddedFile>* files = nullptr;
  std::vector<std::string> file_ids;  // one per file
  std::set<std::string> licence_refs;
};

void write_files(JsonWriter& w, const Document& d) {
  w.key("files").begin_array();
  for (size_t i = 0; i < d.files->size(); ++i) {
    const AddedFile& f = (*d.files)[i];
    w.begin_object().member("SPDXID", d.file_ids[i]);
    write_checksum(w, f.sha256);
    if (!f.comment.empty()) w.member("comment", f.comment);
    w.member("copyrightText", "NOASSERTION");
    w.member("fileName", "." + f.path);  // SPDX 2.3 section 8.1: relative, "./" first
    w.member("licenseConcluded", "NOASSERTION").end();
  }
  w.end();
}

std::string written(const Document& d) {
  const char* prefix = "https://pare.invalid/spdx/";
  JsonWriter w;
  w.begin_object().member("SPDXID", "SPDXRef-DOCUMENT");
  w.key("creationInfo").begin_object().member("created", oci::rfc3339_utc(d.created));
  w.key("creators").begin_array().string("Tool: pare-0.1.0").end().end();
  w.member("dataLicense", "CC0-1.0");
  w.member("documentNamespace", prefix + std::string(kDerivedPlaceholder));
  if (d.files && !d.files->empty()) write_files(w, d);
  if (!d.licence_refs.empty()) {
    w.key("hasExtractedLicensingInfos").begin_array();
    for (const auto& r : d.licence_refs) {
      w.begin_object();
      w.member("extractedText",
               "The licence the package's Debian copyright file calls '" + r.substr(11) + "'.");
      w.member("licenseId", r).member("name", r.substr(11)).end();
    }
    w.end();
  }
  w.member("name", d.name);
  w.key("packages").begin_array();
  for (const auto& p : d.packages) write_package(w, p);
  w.end().key("relationships").begin_array();
  for (const auto& r : d.relationships) {
    w.begin_object().member("relatedSpdxElement", r.to).member("relationshipType", r.type);
    w.member("spdxElementId", r.from).end();
  }
  w.end().member("spdxVersion", "SPDX-2.3").end();
  std::string text = w.take() + "\n";
  return fill_derived_field(text, "documentNamespace", prefix, sha256_hex(text));
}

}  // namespace

std::string spdx_json(const SbomImage& image) {
  Document d;
  d.name = image.name + (image.arch.empty() ? "" : " (" + image.arch + ")");
  d.created = image.created;
  std::string image_id =
      spdx_id("Image", image.name, image.name + image.arch);  // the same in and beside the image
  Package image_pkg =
      package(image_id, image.name,
              image.manifest_digest.empty() ? "NOASSERTION" : image.manifest_digest, "CONTAINER");
  if (!image.manifest_digest.empty())
    image_pkg.purl = oci_purl(image.name, image.manifest_digest, image.arch);
  d.packages.push_back(image_pkg);
  d.relationships.push_back({"SPDXRef-DOCUMENT", "DESCRIBES", image_id});

  std::string os_version = image.os.version.empty() ? image.os.version_id : image.os.version;
  std::string os_id = spdx_id("OperatingSystem", image.os.id, image.os.id + os_version);
  d.packages.push_back(package(os_id, image.os.id, os_version, "OPERATING_SYSTEM"));
  d.relationships.push_back({image_id, "CONTAINS", os_id});

  std::vector<const PackageRecord*> sorted;
  for (const auto& p : image.packages) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
    return std::tie(a->name, a->version, a->arch) < std::tie(b->name, b->version, b->arch);
  });
  for (const auto* p : sorted) {
    d.packages.push_back(deb_package(*p, image.os, d.licence_refs));
    d.relationships.push_back({os_id, "CONTAINS", d.packages.back().id});
  }
  for (size_t i = 0; i < image.layers.size(); ++i) {
    const LayerInfo& l = image.layers[i];
    std::string id = spdx_id("Layer", std::to_string(i), l.digest);
    Package layer =
        package(id, image.name.substr(0, image.name.find(':')) + " layer " + std::to_string(i),
                l.digest, "FILE");
    layer.sha256 = l.digest.substr(7);
    layer.comment = "layer " + l.media_type + ", diff_id " + l.diff_id;
    d.packages.push_back(std::move(layer));
    d.relationships.push_back({image_id, "CONTAINS", id});
  }
  d.files = &image.files;
  for (const auto& f : image.files) {
    d.file_ids.push_back(spdx_id("File", f.path, f.path + f.sha256));
    d.relationships.push_back({image_id, "CONTAINS", d.file_ids.back()});
  }
  return written(d);
}

// The index of a multi-platform tag (document.h, SbomIndex).
std::string index_spdx_json(const SbomIndex& index) {
  Document d;
  d.name = index.name + " (index)";
  d.created = index.created;
  std::string index_id = spdx_id("Index", index.name, index.name + index.digest);
  d.packages.push_back(container_package(index_id, index.name, index.digest, ""));
  d.relationships.push_back({"SPDXRef-DOCUMENT", "DESCRIBES", index_id});
  for (const auto& image : index.images) {
    std::string id = spdx_id("Image", index.name + "-" + image.arch, image.manifest_digest);
    Package p = container_package(id, index.name, image.manifest_digest, image.arch);
    if (!image.document.empty())
      p.comment = "the " + image.arch + " image; its packages: " + image.document;
    d.packages.push_back(std::move(p));
    d.relationships.push_back({index_id, "CONTAINS", id});
  }
  return written(d);
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
