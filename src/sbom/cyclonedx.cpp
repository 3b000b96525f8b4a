// CycloneDX 1.6 JSON (document.h says what goes where and why), written by JsonWriter with
// each object's keys in ascending order (the form nlohmann::json would give the same value).
#include <algorithm>
#include <functional>
#include <tuple>

#include "oci/image.h"
#include "sbom/document.h"
#include "util/json_writer.h"
#include "util/sha256.h"

namespace pare::sbom {

namespace {

using Components = std::function<void(JsonWriter&)>;

struct Dependency {
  std::string ref;
  std::vector<std::string> depends_on;
};

void write_hash(JsonWriter& w, const std::string& sha256) {
  w.key("hashes").begin_array().begin_object();
  w.member("alg", "SHA-256").member("content", sha256).end().end();
}

void write_properties(JsonWriter& w,
                      const std::vector<std::pair<std::string, std::string>>& properties) {
  if (properties.empty()) return;
  w.key("properties").begin_array();
  for (const auto& [name, value] : properties)
    w.begin_object().member("name", name).member("value", value).end();
  w.end();
}

// The whole BOM around its subject (metadata.component, written by `component`), components
// and dependencies; the serial number follows from the rest: equal documents, equal bytes.
std::string finished_bom(int64_t created, const Components& component, const Components& components,
                         const std::vector<Dependency>& deps) {
  JsonWriter w;
  w.begin_object().member("bomFormat", "CycloneDX");
  w.key("components").begin_array();
  components(w);
  w.end().key("dependencies").begin_array();
  for (const auto& d : deps) {
    w.begin_object().key("dependsOn").begin_array();
    for (const auto& on : d.depends_on) w.string(on);
    w.end().member("ref", d.ref).end();
  }
  w.end().key("metadata").begin_object().key("component");
  component(w);
  w.member("timestamp", oci::rfc3339_utc(created));
  w.key("tools").begin_object().key("components").begin_array().begin_object();
  w.member("name", "pare").member("type", "application").member("version", "0.1.0");
  w.end().end().end().end();
  w.member("serialNumber", "urn:uuid:" + std::string(kDerivedPlaceholder));
  w.member("specVersion", "1.6").key("version").number(1).end();
  std::string text = w.take() + "\n";
  return fill_derived_field(text, "serialNumber", "urn:uuid:", name_based_uuid(text));
}

void write_licences(JsonWriter& w, const PackageRecord& p) {
  std::string expr;
  for (const auto& l : p.licenses) {
    std::string one = p.kind == PackageKind::deb ? spdx_expression(l) : l;
    if (!one.empty()) expr += (expr.empty() ? "" : " AND ") + one;
  }
  if (expr.empty()) return;
  w.key("licenses").begin_array().begin_object();
  bool single = expr.find(' ') == std::string::npos && expr.rfind("LicenseRef-", 0) != 0;
  if (single)
    w.key("license").begin_object().member("id", expr).end();
  else if (expr.find(' ') == std::string::npos)
    w.key("license").begin_object().member("name", expr).end();
  else
    w.member("expression", expr);
  w.end().end();
}

void write_library(JsonWriter& w, const PackageRecord& p, const std::string& purl) {
  w.begin_object().member("bom-ref", purl);
  if (!p.download_location.empty()) {
    w.key("externalReferences").begin_array().begin_object();
    w.member("type", "distribution").member("url", p.download_location).end().end();
  }
  if (!p.sha256.empty()) write_hash(w, p.sha256);
  write_licences(w, p);
  w.member("name", p.name);
  std::vector<std::pair<std::string, std::string>> props;
  if (!p.source.empty()) {
    props.emplace_back("pare:package:source", p.source);
    props.emplace_back("pare:package:source_version",
                       p.source_version.empty() ? p.version : p.source_version);
  }
  for (const auto& g : p.slice) props.emplace_back("pare:slice:path", g);
  write_properties(w, props);
  w.member("purl", purl);
  if (!p.maintainer.empty()) w.key("supplier").begin_object().member("name", p.maintainer).end();
  w.member("type", "library").member("version", p.version).end();
}

}  // namespace

std::string cyclonedx_json(const SbomImage& image) {
  std::string os_version = image.os.version.empty() ? image.os.version_id : image.os.version;
  std::string os_ref = "os:" + image.os.id + "@" + os_version;
  std::vector<const PackageRecord*> sorted;
  for (const auto& p : image.packages) sorted.push_back(&p);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) {
    return std::tie(a->name, a->version, a->arch) < std::tie(b->name, b->version, b->arch);
  });
  std::string image_ref = image.manifest_digest.empty()
                              ? "image:" + image.name
                              : oci_purl(image.name, image.manifest_digest, image.arch);
  Dependency image_deps{image_ref, {}}, os_deps{os_ref, {}};
  for (const auto& l : image.layers) image_deps.depends_on.push_back("layer:" + l.digest);
  image_deps.depends_on.push_back(os_ref);
  for (const auto* p : sorted) os_deps.depends_on.push_back(package_purl(*p, image.os));

  auto components = [&](JsonWriter& w) {
    w.begin_object().member("bom-ref", os_ref).member("description", image.os.name);
    w.member("name", image.os.id).member("type", "operating-system");
    w.member("version", os_version).end();
    for (size_t i = 0; i < sorted.size(); ++i) write_library(w, *sorted[i], os_deps.depends_on[i]);
    for (size_t i = 0; i < image.layers.size(); ++i) {
      const LayerInfo& l = image.layers[i];
      w.begin_object().member("bom-ref", "layer:" + l.digest);
      write_hash(w, l.digest.substr(7));
      w.member("name", "layer " + std::to_string(i));
      write_properties(w, {{"oci:layer:mediaType", l.media_type}, {"oci:layer:diffID", l.diff_id}});
      w.member("type", "file").member("version", l.digest).end();
    }
    for (const auto& f : image.files) {
      w.begin_object().member("bom-ref", "file:" + f.path);
      if (!f.comment.empty()) w.member("description", f.comment);
      write_hash(w, f.sha256);
      w.member("name", f.path).member("type", "file").end();
    }
  };
  auto component = [&](JsonWriter& w) {
    w.begin_object().member("bom-ref", image_ref).member("name", image.name);
    if (!image.manifest_digest.empty()) w.member("purl", image_ref);
    w.member("type", "container");
    if (!image.manifest_digest.empty()) w.member("version", image.manifest_digest);
    w.end();
  };
  return finished_bom(image.created, component, components, {image_deps, os_deps});
}

// The index of a multi-platform tag (document.h, SbomIndex).
std::string index_cyclonedx_json(const SbomIndex& index) {
  std::string index_ref = oci_purl(index.name, index.digest, "");
  Dependency deps{index_ref, {}};
  for (const auto& image : index.images)
    deps.depends_on.push_back(oci_purl(index.name, image.manifest_digest, image.arch));
  auto components = [&](JsonWriter& w) {
    for (size_t i = 0; i < index.images.size(); ++i) {
      const auto& image = index.images[i];
      const std::string& ref = deps.depends_on[i];
      w.begin_object().member("bom-ref", ref);
      if (!image.document.empty()) w.member("description", "its packages: " + image.document);
      w.member("name", index.name);
      write_properties(w, {{"oci:platform:architecture", image.arch}});
      w.member("purl", ref).member("type", "container").member("version", image.manifest_digest);
      w.end();
    }
  };
  auto component = [&](JsonWriter& w) {
    w.begin_object().member("bom-ref", index_ref).member("name", index.name);
    w.member("purl", index_ref).member("type", "container").member("version", index.digest);
    w.end();
  };
  return finished_bom(index.created, component, components, {deps});
}

}  // namespace pare::sbom
