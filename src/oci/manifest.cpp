// Manifest and index reader. Every field is type-checked before use: a document from a
// registry may be anything, and a wrong shape is Errc::invalid naming the field.
#include "oci/manifest.h"

#include <nlohmann/json.hpp>

#include "util/sha256.h"

namespace pare::oci {

namespace {

using nlohmann::json;

Result<json> parse_json(std::string_view bytes) {
  if (bytes.size() > kMaxManifestBytes) return Error(Errc::invalid, "manifest larger than 4 MiB");
  json j = json::parse(bytes, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error(Errc::invalid, "manifest is not valid JSON");
  if (!j.is_object()) return Error(Errc::invalid, "manifest is not a JSON object");
  return j;
}

Result<std::string> get_string(const json& j, const char* key, bool required) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) return Error(Errc::invalid, std::string("missing \"") + key + "\"");
    return std::string();
  }
  if (!it->is_string()) return Error(Errc::invalid, std::string("\"") + key + "\" is not a string");
  return it->get<std::string>();
}

Result<std::map<std::string, std::string>> get_annotations(const json& j) {
  std::map<std::string, std::string> out;
  auto it = j.find("annotations");
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) return Error(Errc::invalid, "\"annotations\" is not an object");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) return Error(Errc::invalid, "annotation \"" + k + "\" is not a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

Result<Platform> get_platform(const json& j) {
  if (!j.is_object()) return Error(Errc::invalid, "\"platform\" is not an object");
  Platform p;
  PARE_TRY(p.os, get_string(j, "os", true));
  PARE_TRY(p.architecture, get_string(j, "architecture", true));
  PARE_TRY(p.variant, get_string(j, "variant", false));
  return p;
}

Result<Descriptor> get_descriptor(const json& j, const std::string& where) {
  auto fail = [&](const Error& e) { return e.context(where); };
  if (!j.is_object()) return Error(Errc::invalid, where + ": not an object");
  Descriptor d;
  auto media = get_string(j, "mediaType", true);
  if (!media.ok()) return fail(media.error());
  d.media_type = media.value();
  auto digest = get_string(j, "digest", true);
  if (!digest.ok()) return fail(digest.error());
  d.digest = digest.value();
  if (d.digest.rfind("sha256:", 0) != 0 || !is_sha256_hex(std::string_view(d.digest).substr(7)))
    return Error(Errc::invalid, where + ": digest '" + d.digest + "' is not sha256:<64 hex>");
  auto size = j.find("size");
  if (size == j.end() || !size->is_number_unsigned())
    return Error(Errc::invalid, where + ": \"size\" is missing or not a non-negative integer");
  d.size = size->get<uint64_t>();
  auto artifact = get_string(j, "artifactType", false);
  if (!artifact.ok()) return fail(artifact.error());
  d.artifact_type = artifact.value();
  if (auto p = j.find("platform"); p != j.end()) {
    auto platform = get_platform(*p);
    if (!platform.ok()) return fail(platform.error());
    d.platform = platform.value();
  }
  auto annotations = get_annotations(j);
  if (!annotations.ok()) return fail(annotations.error());
  d.annotations = annotations.value();
  return d;
}

Result<std::optional<Descriptor>> get_subject(const json& j) {
  auto it = j.find("subject");
  if (it == j.end() || it->is_null()) return std::optional<Descriptor>();
  PARE_TRY(Descriptor d, get_descriptor(*it, "subject"));
  return std::optional<Descriptor>(std::move(d));
}

Error schema1_error() {
  return Error(Errc::unsupported,
               "the registry offers only an image manifest of schema 1, which pare does not read "
               "(deprecated since 2017; push the image again with a current client)");
}

json descriptor_to_json(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest}, {"size", d.size}};
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  if (d.platform) {
    j["platform"] = {{"os", d.platform->os}, {"architecture", d.platform->architecture}};
    if (!d.platform->variant.empty()) j["platform"]["variant"] = d.platform->variant;
  }
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  return j;
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string serialize_descriptor(const Descriptor& d) {
  return dump(descriptor_to_json(d));
}

std::string serialize_index(const Index& index) {
  json list = json::array();
  for (const auto& d : index.manifests) list.push_back(descriptor_to_json(d));
  json j = {{"schemaVersion", 2},
            {"mediaType", index.media_type.empty() ? media::kOciIndex : index.media_type},
            {"manifests", list}};
  if (index.subject) j["subject"] = descriptor_to_json(*index.subject);
  if (!index.annotations.empty()) j["annotations"] = index.annotations;
  return dump(j);
}

std::string serialize_manifest(const Manifest& m) {
  json layers = json::array();
  for (const auto& d : m.layers) layers.push_back(descriptor_to_json(d));
  json j = {{"schemaVersion", 2},
            {"mediaType", m.media_type.empty() ? media::kOciManifest : m.media_type},
            {"config", descriptor_to_json(m.config)},
            {"layers", layers}};
  if (!m.artifact_type.empty()) j["artifactType"] = m.artifact_type;
  if (m.subject) j["subject"] = descriptor_to_json(*m.subject);
  if (!m.annotations.empty()) j["annotations"] = m.annotations;
  return dump(j);
}

std::string manifest_accept_header() {
  return std::string(media::kOciIndex) + ", " + media::kOciManifest + ", " + media::kDockerList +
         ", " + media::kDockerManifest;
}

bool is_index_media_type(std::string_view m) {
  return m == media::kOciIndex || m == media::kDockerList;
}
bool is_manifest_media_type(std::string_view m) {
  return m == media::kOciManifest || m == media::kDockerManifest;
}

namespace {

Result<std::string> media_type_of(const json& j, std::string_view declared) {
  if (declared == media::kDockerSchema1 || declared == media::kDockerSchema1Signed)
    return schema1_error();
  auto version = j.find("schemaVersion");
  if (version != j.end() && version->is_number_integer() && version->get<int64_t>() == 1)
    return schema1_error();
  PARE_TRY(std::string media_type, get_string(j, "mediaType", false));
  if (media_type.empty()) media_type = std::string(declared);
  if (media_type.empty()) {  // OCI allows omitting it: tell by shape
    if (j.contains("manifests"))
      media_type = media::kOciIndex;
    else if (j.contains("config"))
      media_type = media::kOciManifest;
  }
  if (!is_index_media_type(media_type) && !is_manifest_media_type(media_type))
    return Error(Errc::unsupported,
                 "not an image manifest or index: media type '" + media_type + "'");
  return media_type;
}

// The descriptors of an array field ("layers", "manifests"); absent = none unless required.
Result<std::vector<Descriptor>> get_descriptors(const json& j, const char* key, bool required) {
  std::vector<Descriptor> out;
  auto list = j.find(key);
  if (list == j.end() && !required) return out;
  if (list == j.end() || !list->is_array())
    return Error(Errc::invalid, std::string("\"") + key + "\" is missing or not an array");
  for (size_t i = 0; i < list->size(); ++i) {
    PARE_TRY(Descriptor d, get_descriptor((*list)[i], key + ("[" + std::to_string(i) + "]")));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

Result<std::string> document_media_type(std::string_view bytes, std::string_view declared) {
  if (declared == media::kDockerSchema1 || declared == media::kDockerSchema1Signed)
    return schema1_error();
  PARE_TRY(json j, parse_json(bytes));
  return media_type_of(j, declared);
}

Result<Manifest> parse_manifest(std::string_view bytes) {
  PARE_TRY(json j, parse_json(bytes));
  Manifest m;
  PARE_TRY(m.media_type, media_type_of(j, ""));
  if (!is_manifest_media_type(m.media_type))
    return Error(Errc::invalid, "expected an image manifest, found " + m.media_type);
  PARE_TRY(m.artifact_type, get_string(j, "artifactType", false));
  auto config = j.find("config");
  if (config == j.end()) return Error(Errc::invalid, "manifest has no \"config\"");
  PARE_TRY(m.config, get_descriptor(*config, "config"));
  PARE_TRY(m.layers, get_descriptors(j, "layers", false));
  PARE_TRY(m.subject, get_subject(j));
  PARE_TRY(m.annotations, get_annotations(j));
  return m;
}

Result<Index> parse_index(std::string_view bytes) {
  PARE_TRY(json j, parse_json(bytes));
  Index index;
  PARE_TRY(index.media_type, media_type_of(j, ""));
  if (!is_index_media_type(index.media_type))
    return Error(Errc::invalid, "expected an image index, found " + index.media_type);
  PARE_TRY(index.manifests, get_descriptors(j, "manifests", true));
  PARE_TRY(index.subject, get_subject(j));
  PARE_TRY(index.annotations, get_annotations(j));
  return index;
}

std::string platform_string(const Platform& p) {
  std::string s = p.os + "/" + p.architecture;
  if (!p.variant.empty()) s += "/" + p.variant;
  return s;
}

Result<Platform> parse_platform(std::string_view text) {
  Platform p;
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t slash = text.find('/', start);
    parts.emplace_back(text.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    return Error(Errc::invalid,
                 "platform '" + std::string(text) + "' is not OS/ARCH[/VARIANT] (linux/arm64)");
  p.os = parts[0];
  p.architecture = parts[1];
  if (parts.size() == 3) p.variant = parts[2];
  return p;
}

bool platform_matches(const Platform& wanted, const Platform& have) {
  if (wanted.os != have.os || wanted.architecture != have.architecture) return false;
  // linux/arm64 matches linux/arm64/v8: an unspecified variant takes any.
  return wanted.variant.empty() || wanted.variant == have.variant;
}

}  // namespace pare::oci
