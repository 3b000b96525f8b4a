// What an image says about itself: the OCI pre-defined annotations pare writes on every
// manifest (and on the index of a multi-arch tag), image-spec annotations.md:
//
//   org.opencontainers.image.created    SOURCE_DATE_EPOCH as RFC 3339
//   org.opencontainers.image.title      the spec's image name
//   org.opencontainers.image.version    the spec's `version:` (a literal, or the upstream
//                                       version of the package it names: the JRE's, Python's)
//   org.opencontainers.image.source     the git checkout's origin, made public (vcs/git.h)
//   org.opencontainers.image.url        the same URL
//   org.opencontainers.image.revision   the commit HEAD names
//
// source/url/revision come from the checkout the spec file lives in, unless turned off
// (--no-git-annotations: two clones with different remotes then build the same bytes). The
// spec's own `annotations:` are applied last and win over every one of these. base.name /
// base.digest belong to images built on another image, which specs do not do yet (a from:
// chain is built whole, so its layers are this image's own); licenses come with the SBOM.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "build/plan.h"
#include "spec/spec.h"
#include "vcs/git.h"

namespace pare::build {

inline constexpr const char* kAnnotationPrefix = "org.opencontainers.image.";

// The image's version for one architecture's plan: "" when the spec sets no `version:`;
// Errc::invalid at the version's location when it names packages none of which is installed.
Result<std::string> image_version(const spec::ImageSettings& image, const ArchPlan& plan);

// Debian version -> upstream: "1:17.0.21+7-1~deb12u1" -> "17.0.21+7" (Policy 5.6.12).
std::string upstream_version(const std::string& debian_version);

struct ImageFacts {
  int64_t created = 0;
  std::string title, version;
  std::optional<vcs::GitInfo> git;
};
std::map<std::string, std::string> image_annotations(const ImageFacts& facts,
                                                     const spec::ImageSettings& image);

}  // namespace pare::build
