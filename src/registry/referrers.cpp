#include "registry/referrers.h"

#include <set>

#include "util/log.h"
#include "util/sha256.h"

namespace pare::registry {

namespace {

constexpr const char* kTitle = "org.opencontainers.image.title";

// The subject and artifact type of a pushed document, if it has a subject.
Result<std::optional<std::pair<oci::Descriptor, std::string>>> subject_of(
    const std::string& media_type, std::string_view bytes) {
  using Out = std::optional<std::pair<oci::Descriptor, std::string>>;
  if (oci::is_index_media_type(media_type)) {
    PARE_TRY(oci::Index index, oci::parse_index(bytes));
    if (!index.subject) return Out();
    return Out(std::make_pair(*index.subject, std::string()));
  }
  PARE_TRY(oci::Manifest m, oci::parse_manifest(bytes));
  if (!m.subject) return Out();
  // image-spec: artifactType, else the config's media type, names what the artifact is.
  return Out(
      std::make_pair(*m.subject, m.artifact_type.empty() ? m.config.media_type : m.artifact_type));
}

Result<oci::Index> fallback_index(Repository& repo, const std::string& subject) {
  PARE_TRY(auto current, repo.head_manifest(referrers_tag(subject)));
  if (!current) return oci::Index{oci::media::kOciIndex, {}, std::nullopt, {}};
  PARE_TRY(auto got, repo.get_manifest(referrers_tag(subject)));
  return oci::parse_index(got.second);
}

}  // namespace

Result<void> index_referrer(Repository& repo, const oci::Descriptor& d,
                            const std::string& media_type, std::string_view bytes,
                            const std::string& subject_header) {
  PARE_TRY(auto subject, subject_of(media_type, bytes));
  if (!subject || !subject_header.empty()) return {};
  PARE_TRY(oci::Index index, fallback_index(repo, subject->first.digest));
  for (const auto& m : index.manifests)
    if (m.digest == d.digest) return {};  // listed already
  oci::Descriptor entry{media_type, d.digest, bytes.size(), std::nullopt, subject->second, {}};
  if (!oci::is_index_media_type(media_type)) {
    PARE_TRY(oci::Manifest m, oci::parse_manifest(bytes));
    entry.annotations = m.annotations;
  }
  index.manifests.push_back(std::move(entry));
  std::string doc = oci::serialize_index(index);
  PARE_LOG(info) << "registry has no referrers API: listing " << d.digest << " under tag "
                 << referrers_tag(subject->first.digest);
  PARE_TRY(std::string ignored,
           repo.put_manifest(referrers_tag(subject->first.digest), oci::media::kOciIndex, doc));
  return {};
}

Result<std::vector<oci::Descriptor>> list_referrers(Repository& repo, const std::string& subject,
                                                    const std::string& artifact_type) {
  PARE_TRY(auto api, repo.referrers_api(subject));
  oci::Index index;
  if (api) {
    PARE_TRY(index, oci::parse_index(*api));
  } else {
    PARE_TRY(index, fallback_index(repo, subject));
  }
  std::vector<oci::Descriptor> out;
  for (auto& d : index.manifests)
    if (artifact_type.empty() || d.artifact_type == artifact_type) out.push_back(std::move(d));
  return out;
}

Result<oci::Descriptor> push_artifact(Repository& repo, const oci::Descriptor& subject,
                                      const std::string& artifact_type,
                                      const std::vector<ArtifactFile>& files,
                                      const std::map<std::string, std::string>& annotations) {
  oci::Manifest m;
  m.media_type = oci::media::kOciManifest;
  m.artifact_type = artifact_type;
  m.subject = subject;
  m.subject->platform.reset();
  m.subject->annotations.clear();
  m.annotations = annotations;
  UploadOptions upload;
  PARE_TRY(m.config, repo.put_empty_config());
  for (const auto& f : files) {
    PARE_TRY(std::string hex, sha256_file_hex(f.path));
    std::error_code ec;
    uint64_t size = std::filesystem::file_size(f.path, ec);
    if (ec) return fs::errno_error("reading", f.path);
    oci::Descriptor layer{f.media_type, "sha256:" + hex,
                          size,         std::nullopt,
                          "",           {{kTitle, f.path.filename().string()}}};
    PARE_TRY(bool has, repo.has_blob(layer.digest));
    if (!has)
      PARE_CHECK(repo.upload_blob(layer, http::FileRange{f.path, 0, size}, upload, nullptr));
    m.layers.push_back(std::move(layer));
  }
  std::string doc = oci::serialize_manifest(m);
  oci::Descriptor d{oci::media::kOciManifest,
                    "sha256:" + sha256_hex(doc),
                    doc.size(),
                    std::nullopt,
                    artifact_type,
                    {}};
  PARE_TRY(std::string subject_header, repo.put_manifest(d.digest, d.media_type, doc));
  PARE_CHECK(index_referrer(repo, d, d.media_type, doc, subject_header));
  return d;
}

Result<std::vector<std::string>> attach_all(RegistryPool& pool,
                                            const std::vector<Reference>& repositories,
                                            const std::vector<Attachment>& attachments) {
  std::vector<std::string> out;
  std::set<std::string> seen_repos;
  for (const auto& r : repositories) {
    if (!seen_repos.insert(r.registry + "/" + r.repository).second) continue;
    Repository repo(pool.get(r.registry), r.repository);
    for (const auto& a : attachments) {
      PARE_TRY(auto subject, repo.head_manifest(a.subject_digest));
      if (!subject) continue;  // that image is not in this repository
      subject->digest = a.subject_digest;
      PARE_TRY(oci::Descriptor d,
               push_artifact(repo, *subject, a.artifact_type, {{a.file, a.artifact_type}}, {}));
      out.push_back(r.registry + "/" + r.repository + "@" + d.digest);
    }
  }
  return out;
}

}  // namespace pare::registry
