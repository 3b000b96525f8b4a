// The base stage: a spec whose root `from:` names an image (spec::ImageBase) builds on that
// image's layers. For each architecture the base is pulled (registry, layout or archive,
// through the one image-reader interface) into the cache as an OCI layout, every blob
// verified; its layers are then kept byte for byte under pare's own, its config gives the
// defaults the spec may override, and the packages its status.d (distroless) or
// /var/lib/dpkg/status (Debian, Ubuntu) records count as installed when pare resolves.
//
// What pare does not do over an image base (it would need the base's files, not only its
// package list): generate the skeleton, accounts, the CA bundle or ld.so.cache. A spec that
// asks for users:, groups: or certificates: over an image base is an error saying so.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "build/plan.h"
#include "oci/image.h"
#include "oci/layer.h"

namespace pare::build {

struct ArchBase {
  std::string arch;
  std::string manifest_digest;             // this platform's manifest
  oci::ImageConfig config;                 // defaults: env, user, workdir, entrypoint, ...
  std::vector<oci::LayerBlob> layers;      // in the cache, verified when written out
  std::vector<deb::PackageInfo> packages;  // name, version, arch as the base records them
};

struct BaseImage {
  std::string reference;  // as the spec writes it
  std::string digest;     // what it resolved to (index or manifest): the lock pins this
  std::vector<ArchBase> archs;
  const ArchBase* for_arch(const std::string& arch) const;
};

// Pulls (or, offline, finds in the cache) the spec's base for each of its architectures.
// `pinned` (from a lockfile) is the digest to use instead of what the reference names now.
Result<BaseImage> pull_base(const spec::Spec& spec, const std::string& pinned,
                            const Environment& env);

// Packages recorded in a layer stack, read through the layers' tars with whiteouts applied
// (status.d/<name> files and the dpkg status database; "Status: ... not-installed" entries
// are skipped). Exposed for tests.
Result<std::vector<deb::PackageInfo>> installed_packages(const std::vector<oci::LayerBlob>& layers);

// image-spec annotations.md: org.opencontainers.image.base.digest (what the reference
// resolved to) and, for a registry base, org.opencontainers.image.base.name (the reference
// without its transport). The spec's own annotations are not overridden.
void add_base_annotations(const BaseImage& base, std::map<std::string, std::string>& annotations);

// Errc::unsupported naming the spec line when the spec asks for what pare cannot do over
// an image base (accounts, certificates).
Result<void> check_image_base_spec(const spec::Spec& spec);

}  // namespace pare::build
