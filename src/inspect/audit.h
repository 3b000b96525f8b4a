// `pare audit IMAGE`: is it really distroless? Each check passes or fails with its evidence
// (the paths or settings that made it fail), read from the flattened filesystem and the
// config without running anything:
//   shell            sh, bash, dash, ash, zsh, busybox... (under /busybox only in a debug
//                    variant, whose PATH names /busybox)
//   package-manager  apt, apt-get, dpkg, apk, rpm, dnf, yum, microdnf, zypper, pip
//   setuid           setuid or setgid files
//   world-writable   writable by everyone, outside /tmp and /var/tmp
//   runs-as-root     the config's user is empty, root or 0
//   secrets          private keys, .env files, cloud and registry credentials
//   unowned-files    regular files no package lists (md5sums, Conffiles, file lists) and the
//                    image's own SBOM does not declare; the conventional generated files
//                    (passwd, group, nsswitch.conf, os-release, the CA bundle, ld.so.cache...) pass
//   package-metadata packages scanners cannot read (a doc directory with no package record,
//                    a record with no version)
//   os-release       /etc/os-release or /usr/lib/os-release is missing
// A finding named in `allowed` still shows, marked allowed, and does not fail the audit.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "oci/image_files_on_disk.h"
#include "sbom/image_files.h"

namespace pare::inspect {

struct Check {
  std::string name;  // "shell", "runs-as-root", ...
  std::string title;
  bool passed = true;
  bool allowed = false;  // failed, but accepted with --allow
  std::vector<std::string> evidence;
  size_t evidence_total = 0;  // evidence may be cut to the first entries
};

struct AuditReport {
  std::vector<Check> checks;
  bool passed() const;  // every check passed or is allowed
};

const std::vector<std::string>& audit_check_names();

// Errc::invalid when `allowed` names no check.
// `debug_busybox_is_shell`: count a debug variant's /busybox too (compare's "shell present").
Result<AuditReport> audit_image(const oci::ImageOnDisk& image, const std::set<std::string>& allowed,
                                bool debug_busybox_is_shell = false);
// The same for an image already flattened from its summaries (sbom/layer_summary.h).
Result<AuditReport> audit_flat(const sbom::FlatImage& flat, const oci::ImageConfig& config,
                               const std::set<std::string>& allowed,
                               bool debug_busybox_is_shell = false);

}  // namespace pare::inspect
