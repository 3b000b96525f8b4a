// Internal: one spec file as written, before the from: chain is merged. Optional members are
// the keys the file did not set (so a parent's value shows through).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/spec.h"
#include "util/result.h"

namespace pare::spec::detail {

// A packages/exclude entry with the suites it is limited to (empty = every suite).
struct SuiteFiltered {
  PackageRef ref;
  std::vector<std::string> suites;
};

struct SourcePatch {
  std::optional<std::string> suite;
  Location suite_loc;
  std::optional<std::vector<std::string>> components;
  std::optional<std::string> mirror, security_mirror, keyring;
  std::optional<bool> updates, security;
};

struct ImagePatch {
  std::optional<std::string> user, workdir, stop_signal;
  std::optional<std::vector<std::string>> entrypoint, cmd, ports, volumes;
  std::vector<std::pair<std::string, std::string>> env, labels, annotations;
  std::optional<VersionSetting> version;
  std::optional<Healthcheck> healthcheck;
};

struct ParsedFile {
  std::filesystem::path file;  // absolute, lexically normal
  std::string display;         // as shown in messages
  Location root;               // the document itself
  std::optional<std::string> from;
  Location from_loc;
  std::optional<std::string> name;
  SourcePatch source;
  std::optional<std::vector<std::pair<std::string, Location>>> archs;
  std::vector<SuiteFiltered> packages, exclude;
  std::vector<FileItem> files;
  std::vector<PathItem> paths;
  std::vector<User> users;
  std::vector<Group> groups;
  std::vector<std::filesystem::path> certificates;
  ImagePatch image;
  std::optional<std::vector<std::string>> variants;
  std::optional<bool> sbom;
  std::optional<bool> auto_deps, slim;
  Location auto_deps_loc;
};

// Largest spec file accepted (a spec is hand-written; this only bounds hostile input).
inline constexpr size_t kMaxSpecBytes = 1 << 20;

// Parses and validates one spec file's text. `file` is its absolute path (relative src,
// keyring and certificate paths resolve against its directory); `display` names it in messages.
Result<ParsedFile> parse_spec_text(std::string_view text, const std::filesystem::path& file,
                                   const std::string& display);

// Parsers for the list-valued keys (parse_items.cpp).
struct Field;
struct Ctx;
Result<std::vector<SuiteFiltered>> parse_package_list(const Ctx& ctx, const Field& f,
                                                      bool allow_version);
Result<std::vector<FileItem>> parse_files(const Ctx& ctx, const Field& f,
                                          const std::filesystem::path& dir);
Result<std::vector<PathItem>> parse_paths(const Ctx& ctx, const Field& f);
Result<void> parse_accounts(const Ctx& ctx, const Field& f, ParsedFile& out);
// healthcheck: (parse_app.cpp).
Result<Healthcheck> parse_healthcheck(const Ctx& ctx, const Field& f);

}  // namespace pare::spec::detail
