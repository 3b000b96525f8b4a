// The pare image spec: one YAML file (plus the files it builds on through `from:`) that says
// which Debian packages, files and settings make up an image. docs/spec.md is the full
// reference with an example per key; this is the summary.
//
//   from: base.yaml        another spec file (relative to this one) whose image this one builds
//                          on, or "scratch" (the default): nothing below.
//   name: cc               image name used for tags (default: the file name without .yaml);
//                          lowercase [a-z0-9] words joined by '.', '_' or '-'.
//   source:                where packages come from; merged down the chain key by key.
//     suite: bookworm      a supported codename (see suites.h); --suite overrides.
//     components: [main]   archive areas (default [main]).
//     mirror: URL          default: the host's apt sources or PARE_MIRROR.
//     security-mirror: URL default: the host's apt sources or PARE_SECURITY_MIRROR.
//     keyring: PATH        OpenPGP keyring for Release files (relative to the spec file).
//     updates: true        also use <suite>-updates (default true).
//     security: true       also use <suite>-security (default true).
//   archs: [amd64, arm64]  Debian architecture names (default: the host's); --arch overrides.
//   packages:              "name", "name=version", or {name, version, suites: [...]} where
//                          suites limits the entry to those suites.
//   exclude:               package names never installed (a dependency on one is treated as
//                          met); same forms as packages but without versions. Applies to this
//                          file and every file built on it.
//   files:                 {src, dest, mode, uid, gid}: local files/directories copied in.
//   paths:                 {type, path, target, mode, uid, gid} with type one of directory,
//                          symlink (needs target), empty-file, permissions.
//   accounts:              users: [{name, uid, gid, home, shell, gecos}],
//                          groups: [{name, gid, members}].
//   certificates:          extra PEM CA certificates added to the CA bundle.
//   auto-deps: true        add the packages shipping the libraries this file's ELF files need.
//   slim: true             ... as slices holding only those libraries.
//   healthcheck:           {test: [/prog, args], interval, timeout, start-period, retries}, or
//                          none: Docker's HEALTHCHECK in the image config.
//   user, workdir, entrypoint, cmd, env, labels, annotations, ports, volumes, stop-signal:
//                          the OCI image config. Scalars and lists replace the parent's value;
//                          env, labels and annotations merge key by key.
//   version:               the image's version (annotation org.opencontainers.image.version):
//                          "1.2.3", or {package: [names], env: VAR}: the upstream version of the
//                          first named package the image installs, also set as env VAR.
//   variants:              which of latest, nonroot, debug, debug-nonroot `build` makes by
//                          default (default [latest]); the nearest file that sets it wins.
//
// Every error about a spec file is Errc::invalid and its message starts "file:line:column: ".
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace pare::spec {

// A place in a spec file. line and column are 1-based; line 0 means "the file as a whole".
struct Location {
  std::string file;
  int line = 0, column = 0;
  std::string str() const;  // "file:line:col", or just "file" when line is 0
};

struct PackageRef {
  std::string name;
  std::string version;  // "" = any version
  // A slice: install only the paths matching these globs (absolute image
  // paths, rootfs::FilterOptions::only); empty = the whole package.
  std::vector<std::string> only;
  Location loc;
};

struct FileItem {
  // absolute, resolved against the spec file's directory; its last component may be a glob
  // ("dist/*.js": every match, each copied into dest as a directory)
  std::filesystem::path src;
  std::string dest;  // absolute path in the image
  std::optional<uint32_t> mode;
  uint32_t uid = 0, gid = 0;
  // .dockerignore-style patterns, relative to src (a directory): a match leaves the path and
  // everything below it out; "!PATTERN" takes a path back; the last matching pattern wins.
  std::vector<std::string> exclude;
  // extract: true — src is a tarball (tar, optionally gzip-, xz- or zstd-compressed) whose
  // entries go below dest (paths with "..", devices and FIFOs are refused).
  bool extract = false;
  Location loc;
};

struct PathItem {
  enum class Type { directory, symlink, empty_file, permissions } type = Type::directory;
  std::string path;    // absolute path in the image
  std::string target;  // symlink only
  std::optional<uint32_t> mode;
  std::optional<uint32_t> uid, gid;
  Location loc;
};
const char* path_type_name(PathItem::Type type);  // "directory", "symlink", "empty-file", ...

struct User {
  std::string name;
  uint32_t uid = 0, gid = 0;                         // gid defaults to uid
  std::string home, shell = "/sbin/nologin", gecos;  // home defaults to /home/<name>
};

struct Group {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
  std::vector<Location> member_locs;  // parallel to members
};

struct SourceSpec {
  std::string suite;
  std::vector<std::string> components{"main"};
  std::string mirror, security_mirror, keyring;  // keyring: absolute when set
  bool updates = true, security = true;
};

// One file of the from: chain.
struct Level {
  std::filesystem::path file;        // absolute, lexically normal
  std::string name;                  // its `name:` or its file stem
  std::vector<PackageRef> packages;  // already filtered for the selected suite
  std::vector<std::string> exclude;  // already filtered for the selected suite
  std::vector<FileItem> files;
  std::vector<PathItem> paths;
  std::vector<User> users;
  std::vector<Group> groups;
  std::vector<std::filesystem::path> certificates;  // absolute
  // auto-deps: true — the packages that ship the libraries this level's ELF files need are
  // added to `packages` (build/app_deps.h) before resolving.
  bool auto_deps = false;
  Location auto_deps_loc;
  // slim: true (with auto-deps) — the packages auto-deps adds are installed as slices of the
  // libraries the application needs (each found path and the files its name begins, the
  // copyright, a status.d entry listing only those); their own dependencies stay whole.
  bool slim = false;
  // The second level of a file that has both packages and files: (load.cpp): its files: and
  // paths: only, in a layer of their own; the level before it is the same file's packages.
  bool files_only = false;
};

// `version:`: a literal, or taken from the first of `packages` that the image installs (its
// upstream version: no epoch, no Debian revision); `env` names a variable also set to it.
struct VersionSetting {
  std::string literal;
  std::vector<std::string> packages;
  std::string env;  // "" = none
  Location loc;
};

// healthcheck: Docker's HEALTHCHECK in exec form (test starts with "CMD"), or test ["NONE"]
// to turn off the base image's; durations in nanoseconds, 0 = the engine's default.
struct Healthcheck {
  std::vector<std::string> test;
  int64_t interval = 0, timeout = 0, start_period = 0;
  int retries = 0;
};

struct ImageSettings {
  std::optional<std::string> user, workdir;
  std::optional<std::vector<std::string>> entrypoint, cmd;
  std::vector<std::pair<std::string, std::string>> env;  // in order of first appearance
  std::map<std::string, std::string> labels, annotations;
  std::vector<std::string> ports, volumes;
  std::string stop_signal;                 // "" = unset
  std::optional<VersionSetting> version;   // the nearest file that sets it wins
  std::optional<Healthcheck> healthcheck;  // the nearest file that sets it wins
};

// `from:` an image rather than a spec file (the root of the chain): a reference with its
// transport, "docker://REGISTRY/REPO:TAG", "oci:DIR:TAG", "oci-archive:FILE:TAG" or
// "docker-archive:FILE" (a local path made absolute against the spec's directory).
struct ImageBase {
  std::string reference;
  Location loc;
};
// Whether a from: value names an image (has a transport prefix) rather than a spec file.
bool is_image_reference(std::string_view from);

struct Spec {
  std::optional<ImageBase> base;      // the image the root level builds on, if any
  std::vector<Level> levels;          // root of the from: chain first, the file given last
  SourceSpec source;                  // merged down the chain (a child's keys override)
  std::vector<std::string> archs;     // default: the host's architecture
  ImageSettings image;                // merged down the chain (env/labels/annotations by key)
  std::vector<std::string> variants;  // default [latest]
  // `sbom: false`: no SBOM layer in the image (the documents beside the output are still
  // written); the nearest file that sets it wins.
  bool sbom = true;
  std::string name;           // the given file's image name
  std::string suite_version;  // "12" / "13"; the codename is source.suite
  // --context: a directory every level may take local files from, besides its
  // own spec file's directory tree (absolute, lexically normal).
  std::optional<std::filesystem::path> context;
};

struct LoadOptions {
  std::optional<std::string> suite;              // overrides source.suite (--suite)
  std::vector<std::string> archs;                // overrides archs when not empty (--arch)
  std::optional<std::filesystem::path> context;  // --context (see Spec::context)
};

// Reads a spec file and the files it builds on from disk.
Result<Spec> load_spec(const std::filesystem::path& path, const LoadOptions& options);

// The same, reading every file through `loader` (tests and the fuzzer never touch the disk).
// Paths handed to the loader are absolute and lexically normal.
using FileLoader = std::function<Result<std::string>(const std::filesystem::path&)>;
Result<Spec> load_spec_with(const std::filesystem::path& path, const LoadOptions& options,
                            const FileLoader& loader);

// Variants. latest: the settings as written. nonroot: user "65532" and workdir /home/nonroot
// (when workdir is unset or "/"). debug / debug-nonroot: the same user rules plus debug = true
// (the build adds a static busybox under /busybox); when the spec sets neither entrypoint nor
// cmd, the entrypoint becomes [/busybox/sh]. Unknown names are Errc::invalid listing the valid.
struct VariantSettings {
  std::string name;
  ImageSettings image;
  bool debug = false;
};
Result<VariantSettings> apply_variant(const Spec& spec, std::string_view variant);
const std::vector<std::string>& variant_names();  // latest, nonroot, debug, debug-nonroot

// A stable hash ("sha256:<hex>") of everything that decides the package set: suite, components,
// updates/security, archs, and each level's packages and excludes (order within a list does not
// matter). Mirrors and keyrings are left out: the same set can come from any mirror.
std::string package_set_fingerprint(const Spec& spec);

// The architecture dpkg --print-architecture gives for this build of pare ("amd64", "arm64", ...).
std::string host_arch();

}  // namespace pare::spec
