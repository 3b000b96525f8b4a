// Artifacts that refer to an image (image-spec v1.1 manifest "subject" and "artifactType";
// distribution spec "Listing Referrers" and its "Referrers Tag Schema"). A registry with the
// referrers API indexes a pushed manifest's subject itself and says so with an OCI-Subject
// header; for one without (the distribution 2.8 registry), the client keeps an image index
// under the tag "sha256-<hex of the subject>" listing the referrers, as the spec requires.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "oci/manifest.h"
#include "registry/reference.h"
#include "registry/repository.h"

namespace pare::registry {

// After `d` (a manifest or index, `bytes`) was pushed: when it has a subject and the registry
// did not index it (empty `subject_header`), add it to the subject's fallback tag index.
Result<void> index_referrer(Repository& repo, const oci::Descriptor& d,
                            const std::string& media_type, std::string_view bytes,
                            const std::string& subject_header);

// The referrers of a subject: from the referrers API where the registry has it, else from
// the fallback tag; only those of `artifact_type` when it is not empty.
Result<std::vector<oci::Descriptor>> list_referrers(Repository& repo, const std::string& subject,
                                                    const std::string& artifact_type);

struct ArtifactFile {
  std::filesystem::path path;
  std::string media_type;
};
// Pushes an artifact manifest (empty config, the files as its layers, each titled with its
// file name) whose subject is `subject`; returns its descriptor.
Result<oci::Descriptor> push_artifact(Repository& repo, const oci::Descriptor& subject,
                                      const std::string& artifact_type,
                                      const std::vector<ArtifactFile>& files,
                                      const std::map<std::string, std::string>& annotations);

// Files to attach to images already pushed: each becomes an artifact whose subject is the
// manifest `subject_digest` names, in every repository of `repositories` that holds it.
struct Attachment {
  std::string subject_digest;
  std::string artifact_type;
  std::filesystem::path file;
};
// Returns the artifacts pushed ("host/repo@sha256:..."). Pushing the same again is a no-op
// (an artifact is content-addressed and listed once).
Result<std::vector<std::string>> attach_all(RegistryPool& pool,
                                            const std::vector<Reference>& repositories,
                                            const std::vector<Attachment>& attachments);

}  // namespace pare::registry
