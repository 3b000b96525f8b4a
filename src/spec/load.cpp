// Loading a spec: follow the from: chain through a loader, then merge it root-first into a Spec.
#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "spec/parsed.h"
#include "spec/suites.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace pare::spec {

std::string Location::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

const char* path_type_name(PathItem::Type type) {
  switch (type) {
    case PathItem::Type::directory:
      return "directory";
    case PathItem::Type::symlink:
      return "symlink";
    case PathItem::Type::empty_file:
      return "empty-file";
    case PathItem::Type::permissions:
      return "permissions";
  }
  return "unknown";
}

std::string host_arch() {
  // dpkg --print-architecture reports the architecture dpkg was built for; so do we.
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__i386__)
  return "i386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64el";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  return "riscv64";
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
  return "armhf";
#elif defined(__arm__)
  return "armel";
#else
  return "amd64";
#endif
}

namespace {

using detail::ParsedFile;

// A from: chain longer than this is surely a mistake (or a symlink loop the lexical cycle
// check cannot see); it also bounds the work for hostile input.
constexpr size_t kMaxChainLength = 16;
// A spec is a few KB of YAML: anything near this is not one.
constexpr uint64_t kMaxSpecFileSize = uint64_t{1} << 20;

Error invalid_at(const Location& at, const std::string& message) {
  return Error(Errc::invalid, at.str() + ": " + message);
}

std::filesystem::path absolute_normal(const std::filesystem::path& p) {
  std::error_code ec;
  auto abs = p.is_absolute() ? p : std::filesystem::absolute(p, ec);
  if (ec) abs = p;
  return abs.lexically_normal();
}

std::string chain_text(const std::vector<ParsedFile>& chain, const std::string& last) {
  std::string out;
  for (const auto& f : chain) out += f.display + " -> ";
  return out + last;
}

// Reads the given file and every file it builds on; returns them leaf first.
Result<std::vector<ParsedFile>> read_chain(const std::filesystem::path& path,
                                           const FileLoader& loader) {
  std::vector<ParsedFile> chain;
  std::filesystem::path file = absolute_normal(path);
  std::string display = path.string();
  for (;;) {
    auto text = loader(file);
    if (!text.ok()) {
      if (chain.empty()) return text.error();
      const ParsedFile& child = chain.back();
      return invalid_at(child.from_loc, "from: cannot read '" + *child.from + "' (" +
                                            file.string() + "): " + text.error().message());
    }
    PARE_TRY(ParsedFile parsed, detail::parse_spec_text(*text, file, display));
    chain.push_back(std::move(parsed));
    const ParsedFile& cur = chain.back();
    if (!cur.from || *cur.from == "scratch" || is_image_reference(*cur.from)) break;
    std::filesystem::path next = (cur.file.parent_path() / *cur.from).lexically_normal();
    std::string next_display =
        (std::filesystem::path(cur.display).parent_path() / *cur.from).lexically_normal().string();
    for (const auto& seen : chain)
      if (seen.file == next)
        return invalid_at(cur.from_loc, "from: cycle: " + chain_text(chain, next_display));
    if (chain.size() >= kMaxChainLength)
      return invalid_at(cur.from_loc, "from: the chain is longer than " +
                                          std::to_string(kMaxChainLength) + " files");
    file = std::move(next);
    display = std::move(next_display);
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

void merge_source(const detail::SourcePatch& p, SourceSpec& s) {
  if (p.suite) s.suite = *p.suite;
  if (p.components) s.components = *p.components;
  if (p.mirror) s.mirror = *p.mirror;
  if (p.security_mirror) s.security_mirror = *p.security_mirror;
  if (p.keyring) s.keyring = *p.keyring;
  if (p.updates) s.updates = *p.updates;
  if (p.security) s.security = *p.security;
}

void merge_image(const detail::ImagePatch& p, ImageSettings& s) {
  if (p.user) s.user = p.user;
  if (p.workdir) s.workdir = p.workdir;
  if (p.entrypoint) s.entrypoint = p.entrypoint;
  if (p.cmd) s.cmd = p.cmd;
  if (p.ports) s.ports = *p.ports;
  if (p.volumes) s.volumes = *p.volumes;
  if (p.stop_signal) s.stop_signal = *p.stop_signal;
  if (p.version) s.version = p.version;
  if (p.healthcheck) s.healthcheck = p.healthcheck;
  for (const auto& var : p.env) {
    auto it = std::find_if(s.env.begin(), s.env.end(),
                           [&](const auto& e) { return e.first == var.first; });
    if (it != s.env.end())
      it->second = var.second;
    else
      s.env.push_back(var);
  }
  for (const auto& [key, value] : p.labels) s.labels[key] = value;
  for (const auto& [key, value] : p.annotations) s.annotations[key] = value;
}

bool applies_to(const detail::SuiteFiltered& entry, const std::string& suite) {
  return entry.suites.empty() ||
         std::find(entry.suites.begin(), entry.suites.end(), suite) != entry.suites.end();
}

std::string file_stem_name(const std::filesystem::path& file) {
  return file.stem().string();
}

Level make_level(const ParsedFile& f, const std::string& suite) {
  Level level;
  level.file = f.file;
  level.name = f.name ? *f.name : file_stem_name(f.file);
  for (const auto& p : f.packages)
    if (applies_to(p, suite)) level.packages.push_back(p.ref);
  for (const auto& e : f.exclude)
    if (applies_to(e, suite)) level.exclude.push_back(e.ref.name);
  level.files = f.files;
  level.paths = f.paths;
  level.users = f.users;
  level.groups = f.groups;
  level.certificates = f.certificates;
  level.auto_deps = f.auto_deps.value_or(false);
  level.slim = f.slim.value_or(false);
  level.auto_deps_loc = f.auto_deps_loc;
  return level;
}

// A file that installs packages and copies files gets two layers: its packages (with its
// accounts and certificates), then its files: and paths:, so that a change to the application
// rewrites only the application's own layer, as the last COPY of a Dockerfile does.
void add_levels(Level level, std::vector<Level>& out) {
  if (level.files.empty() || (level.packages.empty() && !level.auto_deps)) {
    out.push_back(std::move(level));
    return;
  }
  Level files;
  files.file = level.file;
  files.name = level.name;
  files.files_only = true;
  files.files = std::move(level.files);
  files.paths = std::move(level.paths);
  level.files.clear();
  level.paths.clear();
  files.auto_deps = level.auto_deps;  // the files are read there; packages go to `level`
  files.auto_deps_loc = level.auto_deps_loc;
  files.slim = level.slim;
  level.auto_deps = false;
  out.push_back(std::move(level));
  out.push_back(std::move(files));
}

// A file must not both ask for a package and exclude it. A package excluded by a file
// below may be asked for by name: that installs it from this level up (java.yaml adds the
// font libraries java-nofonts.yaml leaves out).
Result<void> check_excludes(const std::vector<ParsedFile>& chain, const std::string& suite) {
  for (size_t i = 0; i < chain.size(); ++i)
    for (const auto& p : chain[i].packages) {
      if (!applies_to(p, suite)) continue;
      for (const auto& e : chain[i].exclude)
        if (applies_to(e, suite) && e.ref.name == p.ref.name)
          return invalid_at(p.ref.loc, "package '" + p.ref.name + "' is also excluded (at " +
                                           e.ref.loc.str() + ")");
    }
  return {};
}

// A group member must be a user: of this file, of a file below it, or one of
// the accounts every image has (generated.h: root, nobody, nonroot).
Result<void> check_group_members(const std::vector<ParsedFile>& chain) {
  std::set<std::string> users{"root", "nobody", "nonroot"};
  for (const auto& f : chain) {
    for (const auto& u : f.users) users.insert(u.name);
    for (const auto& g : f.groups)
      for (size_t i = 0; i < g.members.size(); ++i)
        if (!users.count(g.members[i]))
          return invalid_at(i < g.member_locs.size() ? g.member_locs[i] : f.root,
                            "group " + g.name + ": member '" + g.members[i] +
                                "' is no user (add it to accounts.users)");
  }
  return {};
}

Result<std::string> select_suite(const std::vector<ParsedFile>& chain, const LoadOptions& options,
                                 const SourceSpec& merged) {
  if (options.suite) {
    if (!find_suite(*options.suite))
      return Error(Errc::invalid, "unknown suite '" + *options.suite +
                                      "' (from --suite); supported: " + supported_suites_text());
    return *options.suite;
  }
  if (merged.suite.empty())
    return invalid_at(chain.back().root,
                      "no suite: set source.suite (here or in a file this builds on) or pass "
                      "--suite; supported: " +
                          supported_suites_text());
  return merged.suite;
}

Result<std::vector<std::string>> select_archs(const std::vector<ParsedFile>& chain,
                                              const LoadOptions& options, const SuiteInfo& suite) {
  std::vector<std::pair<std::string, Location>> archs;
  if (!options.archs.empty()) {
    for (const auto& a : options.archs) archs.emplace_back(a, Location{"--arch", 0, 0});
  } else {
    for (const auto& f : chain)
      if (f.archs) archs = *f.archs;
    if (archs.empty()) archs.emplace_back(host_arch(), Location{"the host architecture", 0, 0});
  }
  std::vector<std::string> out;
  for (const auto& [arch, loc] : archs) {
    if (std::find(suite.archs.begin(), suite.archs.end(), arch) == suite.archs.end()) {
      std::string list;
      for (auto a : suite.archs) list += (list.empty() ? "" : ", ") + std::string(a);
      return invalid_at(loc, "architecture '" + arch + "' is not in " +
                                 std::string(suite.codename) + "; it has: " + list);
    }
    if (std::find(out.begin(), out.end(), arch) == out.end()) out.push_back(arch);
  }
  return out;
}

// The root file's `from:` image, its local path (if any) made absolute against that file.
std::optional<ImageBase> image_base(const ParsedFile& root) {
  if (!root.from || !is_image_reference(*root.from)) return std::nullopt;
  std::string ref = *root.from;
  for (std::string_view prefix : {"oci:", "oci-archive:", "docker-archive:"}) {
    if (ref.rfind(prefix, 0) != 0) continue;
    std::string rest = ref.substr(prefix.size());
    if (!rest.empty() && rest.front() != '/')
      ref = std::string(prefix) + (root.file.parent_path() / rest).lexically_normal().string();
  }
  return ImageBase{ref, root.from_loc};
}

Result<Spec> merge_chain(const std::vector<ParsedFile>& chain, const LoadOptions& options) {
  Spec spec;
  spec.base = image_base(chain.front());
  for (const auto& f : chain) {
    merge_source(f.source, spec.source);
    merge_image(f.image, spec.image);
    if (f.variants) spec.variants = *f.variants;
    if (f.sbom) spec.sbom = *f.sbom;
  }
  PARE_TRY(spec.source.suite, select_suite(chain, options, spec.source));
  const SuiteInfo* suite = find_suite(spec.source.suite);
  if (!suite) return Error(Errc::internal, "suite vanished: " + spec.source.suite);
  spec.suite_version = std::string(suite->version);
  PARE_TRY(spec.archs, select_archs(chain, options, *suite));
  PARE_CHECK(check_excludes(chain, spec.source.suite));
  PARE_CHECK(check_group_members(chain));
  for (const auto& f : chain) add_levels(make_level(f, spec.source.suite), spec.levels);
  if (spec.variants.empty()) spec.variants = {"latest"};
  spec.name = spec.levels.back().name;
  if (options.context) spec.context = absolute_normal(*options.context);
  return spec;
}

}  // namespace

Result<Spec> load_spec_with(const std::filesystem::path& path, const LoadOptions& options,
                            const FileLoader& loader) {
  PARE_TRY(auto chain, read_chain(path, loader));
  return merge_chain(chain, options);
}

Result<Spec> load_spec(const std::filesystem::path& path, const LoadOptions& options) {
  return load_spec_with(path, options, [](const std::filesystem::path& p) -> Result<std::string> {
    return fs::read_file(p, kMaxSpecFileSize);
  });
}

bool is_image_reference(std::string_view from) {
  for (std::string_view prefix : {"docker://", "oci:", "oci-archive:", "docker-archive:"})
    if (from.rfind(prefix, 0) == 0) return true;
  return false;
}

std::string package_set_fingerprint(const Spec& spec) {
  // Canonical JSON (sorted keys, sorted lists) of exactly what decides the package set.
  nlohmann::json levels = nlohmann::json::array();
  for (const auto& level : spec.levels) {
    std::vector<std::string> packages, exclude = level.exclude;
    for (const auto& p : level.packages)
      packages.push_back(p.version.empty() ? p.name : p.name + "=" + p.version);
    std::sort(packages.begin(), packages.end());
    std::sort(exclude.begin(), exclude.end());
    levels.push_back({{"packages", packages}, {"exclude", exclude}});
  }
  std::vector<std::string> archs = spec.archs, components = spec.source.components;
  std::sort(archs.begin(), archs.end());
  std::sort(components.begin(), components.end());
  nlohmann::json doc = {{"format", 1},
                        {"suite", spec.source.suite},
                        {"components", components},
                        {"updates", spec.source.updates},
                        {"security", spec.source.security},
                        {"archs", archs},
                        {"levels", levels}};
  // An image base decides what is already installed (the lock pins its digest).
  if (spec.base) doc["base"] = spec.base->reference;
  return "sha256:" + sha256_hex(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace pare::spec
