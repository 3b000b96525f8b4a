#include "spec/lockfile.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "spec/suites.h"
#include "util/fs.h"
#include "util/sha256.h"

namespace pare::spec {

namespace {

using json = nlohmann::json;

// Bounds for hostile input; real lockfiles are far below them.
constexpr size_t kMaxLockBytes = 64u << 20;
constexpr size_t kMaxPackagesPerArch = 100000;
constexpr size_t kMaxStringBytes = 8192;
constexpr uint64_t kMaxLevel = 64;

// Collects the JSON path for messages ("$.packages.amd64[3].sha256").
struct Reader {
  std::string name;
  Error error(const std::string& path, const std::string& message) const {
    return Error(Errc::invalid, name + ": " + path + ": " + message);
  }
};

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// `keys` must all be there; `optional` ones may be; nothing else may.
Result<void> check_keys(const Reader& r, const json& obj, const std::string& path,
                        const std::set<std::string>& keys,
                        const std::set<std::string>& optional = {}) {
  if (!obj.is_object())
    return r.error(path, std::string("expected an object, got ") + obj.type_name());
  for (const auto& [key, value] : obj.items()) {
    if (!keys.count(key) && !optional.count(key)) return r.error(path + "." + key, "unknown key");
  }
  for (const auto& key : keys)
    if (!obj.contains(key)) return r.error(path, "missing key '" + key + "'");
  return {};
}

Result<std::string> get_string(const Reader& r, const json& obj, const std::string& path,
                               const std::string& key) {
  const json& v = obj.at(key);
  std::string where = path + "." + key;
  if (!v.is_string()) return r.error(where, std::string("expected a string, got ") + v.type_name());
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > kMaxStringBytes || has_control_chars(s))
    return r.error(where, "string too long or holds control characters");
  return s;
}

Result<uint64_t> get_unsigned(const Reader& r, const json& obj, const std::string& path,
                              const std::string& key, uint64_t max) {
  const json& v = obj.at(key);
  std::string where = path + "." + key;
  if (!v.is_number_unsigned())
    return r.error(where, std::string("expected a non-negative integer, got ") + v.type_name());
  uint64_t n = v.get<uint64_t>();
  if (n > max) return r.error(where, "value " + std::to_string(n) + " is out of range");
  return n;
}

bool is_pool_path(std::string_view p) {
  if (p.empty() || p.front() == '/') return false;
  size_t pos = 0;
  while (pos <= p.size()) {
    size_t end = p.find('/', pos);
    if (end == std::string_view::npos) end = p.size();
    auto part = p.substr(pos, end - pos);
    if (part.empty() || part == "." || part == "..") return false;
    pos = end + 1;
  }
  return true;
}

Result<LockedPackage> read_package(const Reader& r, const json& obj, const std::string& path,
                                   const std::string& arch) {
  // "repo" (the suite and component it came from) is optional: older locks lack it.
  PARE_CHECK(check_keys(r, obj, path,
                        {"name", "version", "arch", "filename", "sha256", "url", "size", "level"},
                        {"repo"}));
  LockedPackage p;
  PARE_TRY(p.name, get_string(r, obj, path, "name"));
  if (!is_valid_package_name(p.name)) return r.error(path + ".name", "not a Debian package name");
  PARE_TRY(p.version, get_string(r, obj, path, "version"));
  std::string why;
  if (!is_valid_version(p.version, &why)) return r.error(path + ".version", why);
  PARE_TRY(p.arch, get_string(r, obj, path, "arch"));
  // "all" packages are recorded under the architecture they were installed for.
  if (p.arch != arch && p.arch != "all")
    return r.error(path + ".arch", "'" + p.arch + "' under architecture " + arch);
  PARE_TRY(p.filename, get_string(r, obj, path, "filename"));
  if (!is_pool_path(p.filename))
    return r.error(path + ".filename", "expected a relative path without '.' or '..' parts");
  PARE_TRY(p.sha256, get_string(r, obj, path, "sha256"));
  if (!is_sha256_hex(p.sha256))
    return r.error(path + ".sha256", "expected 64 lowercase hex digits");
  PARE_TRY(p.url, get_string(r, obj, path, "url"));
  if (obj.contains("repo")) {
    PARE_TRY(p.repo, get_string(r, obj, path, "repo"));
    if (!p.repo.empty() && !is_pool_path(p.repo))
      return r.error(path + ".repo", "expected SUITE/COMPONENT");
  }
  PARE_TRY(p.size, get_unsigned(r, obj, path, "size", UINT64_MAX));
  PARE_TRY(uint64_t level, get_unsigned(r, obj, path, "level", kMaxLevel));
  p.level = static_cast<int>(level);
  return p;
}

Result<std::vector<LockedPackage>> read_arch(const Reader& r, const json& list,
                                             const std::string& path, const std::string& arch) {
  if (!is_known_arch(arch)) return r.error(path, "unknown architecture '" + arch + "'");
  if (!list.is_array())
    return r.error(path, std::string("expected an array, got ") + list.type_name());
  if (list.size() > kMaxPackagesPerArch) return r.error(path, "too many packages");
  std::vector<LockedPackage> out;
  std::set<std::string> names;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string where = path + "[" + std::to_string(i) + "]";
    PARE_TRY(LockedPackage p, read_package(r, list[i], where, arch));
    if (!names.insert(p.name).second)
      return r.error(where + ".name", "'" + p.name + "' is listed twice");
    out.push_back(std::move(p));
  }
  return out;
}

Result<Lockfile> read_root(const Reader& r, const json& doc) {
  PARE_CHECK(check_keys(r, doc, "$", {"version", "fingerprint", "suite", "packages"}, {"base"}));
  Lockfile lock;
  if (!doc.at("version").is_number_integer() || doc.at("version").get<int64_t>() != 1)
    return r.error("$.version", "unsupported lockfile version " + doc.at("version").dump() +
                                    " (this pare reads version 1)");
  PARE_TRY(lock.fingerprint, get_string(r, doc, "$", "fingerprint"));
  if (!lock.fingerprint.starts_with("sha256:") || !is_sha256_hex(lock.fingerprint.substr(7)))
    return r.error("$.fingerprint", "expected sha256: and 64 lowercase hex digits");
  PARE_TRY(lock.suite, get_string(r, doc, "$", "suite"));
  if (!find_suite(lock.suite))
    return r.error("$.suite",
                   "unknown suite '" + lock.suite + "'; supported: " + supported_suites_text());
  if (doc.contains("base")) {
    const json& base = doc.at("base");
    PARE_CHECK(check_keys(r, base, "$.base", {"reference", "digest"}));
    LockedBase b;
    PARE_TRY(b.reference, get_string(r, base, "$.base", "reference"));
    PARE_TRY(b.digest, get_string(r, base, "$.base", "digest"));
    if (!b.digest.starts_with("sha256:") || !is_sha256_hex(b.digest.substr(7)))
      return r.error("$.base.digest", "expected sha256: and 64 lowercase hex digits");
    lock.base = std::move(b);
  }
  const json& packages = doc.at("packages");
  if (!packages.is_object())
    return r.error("$.packages", std::string("expected an object, got ") + packages.type_name());
  for (const auto& [arch, list] : packages.items()) {
    PARE_TRY(lock.packages[arch], read_arch(r, list, "$.packages." + arch, arch));
  }
  return lock;
}

}  // namespace

Result<Lockfile> parse_lockfile(std::string_view text, const std::string& name) {
  Reader r{name};
  if (text.size() > kMaxLockBytes) return Error(Errc::invalid, name + ": larger than 64 MiB");
  json doc;
  try {
    doc = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return Error(Errc::invalid, name + ": not valid JSON: " + e.what());
  }
  return read_root(r, doc);
}

Result<Lockfile> read_lockfile(const std::filesystem::path& path) {
  // A lock of every Debian package for a few architectures is a few MB.
  PARE_TRY(std::string text, fs::read_file(path, uint64_t{64} << 20));
  return parse_lockfile(text, path.string());
}

std::string lockfile_json(const Lockfile& lock) {
  json packages = json::object();
  for (const auto& [arch, list] : lock.packages) {
    std::vector<const LockedPackage*> sorted;
    for (const auto& p : list) sorted.push_back(&p);
    std::sort(sorted.begin(), sorted.end(), [](const LockedPackage* a, const LockedPackage* b) {
      return std::tie(a->name, a->version) < std::tie(b->name, b->version);
    });
    json entries = json::array();
    for (const auto* p : sorted) {
      entries.push_back({{"name", p->name},
                         {"version", p->version},
                         {"arch", p->arch},
                         {"filename", p->filename},
                         {"sha256", p->sha256},
                         {"url", p->url},
                         {"size", p->size},
                         {"level", p->level}});
      if (!p->repo.empty()) entries.back()["repo"] = p->repo;  // older locks have none
    }
    packages[arch] = std::move(entries);
  }
  json doc = {{"version", lock.version},
              {"fingerprint", lock.fingerprint},
              {"suite", lock.suite},
              {"packages", std::move(packages)}};
  if (lock.base) doc["base"] = {{"reference", lock.base->reference}, {"digest", lock.base->digest}};
  // replace: a stray non-UTF-8 byte must not turn into an exception here.
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<void> write_lockfile(const std::filesystem::path& path, const Lockfile& lock) {
  return fs::write_file_atomic(path, lockfile_json(lock));
}

std::filesystem::path default_lockfile_path(const std::filesystem::path& spec_path) {
  std::filesystem::path out = spec_path;
  auto ext = spec_path.extension();
  if (ext == ".yaml" || ext == ".yml") out.replace_extension();
  out += ".lock.json";
  return out;
}

}  // namespace pare::spec
