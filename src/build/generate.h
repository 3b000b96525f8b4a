// Files pare generates for a level's layer (what maintainer scripts and
// distroless's Bazel rules would otherwise produce): the base skeleton
// (accounts, os-release, nsswitch.conf, /tmp, homes, merged-/usr links), the
// dpkg status.d entries scanners read, the CA bundle, and the spec's own
// files, paths and accounts.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "build/fetch.h"
#include "build/inputs.h"
#include "rootfs/assemble.h"

namespace pare::build {

struct LevelContext {
  const spec::Spec& spec;
  const ArchPlan& plan;
  size_t level;
  const UnpackedSet& unpacked;
  bool merged_usr;
};

// Packages whose files are consumed by a native generator: only their
// copyright and status.d entry stay in the image (distroless does the same
// for ca-certificates: the bundle is what matters, not update-ca-certificates).
bool is_bundle_only_package(const std::string& name);
// Whether pare leaves this entry of `package` out of the image (all of a
// bundle-only package but its usr/share/doc/).
bool left_out_of_image(const std::string& package, std::string_view path);

Result<std::vector<rootfs::GeneratedEntry>> generated_entries(const LevelContext& ctx);

// The entries an `extract: true` item puts below its dest (paths relative, "app/bin/x"):
// the tarball read (plain, gzip, xz or zstd, at most 4 GiB unpacked), each
// entry a plain relative path, hard links refused. Also what auto-deps reads ELF files from.
Result<void> extract_tarball(const spec::FileItem& item, const LocalEntry& tarball,
                             std::vector<rootfs::GeneratedEntry>& out);

// The mode a local file gets when the spec gives none: 0755 if any execute
// bit is set, else 0644, whatever the checkout's umask made of it (so the
// layer is the same on every machine).
uint32_t local_file_mode(uint32_t mode_on_disk);

// Shared by the generators (generate.cpp, generate_native.cpp, generate_ldcache.cpp):
// a regular file entry;
rootfs::GeneratedEntry generated_file(std::string path, std::string content, uint32_t mode = 0644,
                                      uint32_t uid = 0, uint32_t gid = 0);
// where a package path lies in the image (moved into /usr when merged);
std::string image_path(const LevelContext& ctx, const std::string& path);
// the unpacked packages of one level, and of levels 0..last_level;
std::vector<const rootfs::UnpackedPackage*> packages_of_level(const LevelContext& ctx,
                                                              size_t level);
std::vector<const rootfs::UnpackedPackage*> packages_upto(const LevelContext& ctx,
                                                          size_t last_level);
// every symlink the levels below ctx.level put in the image: image path -> target;
std::map<std::string, std::string> symlinks_below(const LevelContext& ctx);
// every form (slice) of one package installed at or below ctx.level;
std::vector<const rootfs::UnpackedPackage*> forms_upto(const LevelContext& ctx,
                                                       const deb::PackageInfo& package);
// whether this level adds CA certificates (a CA package or spec certificates);
bool bundle_changes_here(const LevelContext& ctx);
// the CA bundle as of this level.
Result<std::string> bundle_upto(const LevelContext& ctx);
// /usr/bin links of the JVMs' .jinfo files (what update-alternatives would make).
Result<void> add_alternatives(const LevelContext& ctx, std::vector<rootfs::GeneratedEntry>& out);
// /etc/ssl/certs/java/cacerts when a package links its JRE's cacerts there.
Result<void> add_java_truststore(const LevelContext& ctx, std::vector<rootfs::GeneratedEntry>& out);

// /etc/ld.so.cache when the level adds to a library directory (see generate_ldcache.cpp).
Result<void> add_ld_so_cache(const LevelContext& ctx, std::vector<rootfs::GeneratedEntry>& out);

// Whether a level changes the accounts / CA bundle (and so regenerates them).
// Without the unpacked packages at hand, the CA bundle counts as changed when
// the level adds spec certificates or the ca-certificates package (the
// generator itself looks for *.crt under usr/share/ca-certificates).
bool level_changes_accounts(const spec::Spec& spec, size_t level);
bool level_changes_ca_bundle(const spec::Spec& spec, const ArchPlan& plan, size_t level);

}  // namespace pare::build
