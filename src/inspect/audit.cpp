#include "inspect/audit.h"

#include <algorithm>

#include "sbom/document.h"
#include "sbom/image_files.h"
#include "sbom/layer_summary.h"

namespace pare::inspect {

namespace {

using Type = sbom::FileEntry::Type;
using Entries = std::map<std::string, sbom::FileEntry>;

constexpr size_t kEvidenceShown = 20;

std::string base_name(const std::string& path) {
  return path.substr(path.rfind('/') + 1);
}
bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
bool under(const std::string& path, std::string_view dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

// What could be run: a link, or a file with an execute bit (a package's record named
// "busybox" is no shell).
bool is_program(const sbom::FileEntry& e) {
  return e.type == Type::symlink ||
         ((e.type == Type::file || e.type == Type::hardlink) && (e.mode & 0111));
}

bool is_shell_name(const std::string& name) {
  static const std::set<std::string> shells = {"sh",   "bash", "dash", "ash",  "zsh",    "ksh",
                                               "mksh", "csh",  "tcsh", "fish", "busybox"};
  return shells.count(name) > 0;
}

bool is_package_manager_name(const std::string& name) {
  static const std::set<std::string> tools = {"apt",      "apt-get", "aptitude", "dpkg",
                                              "apk",      "rpm",     "dnf",      "yum",
                                              "microdnf", "zypper",  "pip",      "pip3"};
  if (tools.count(name)) return true;
  return name.rfind("pip3.", 0) == 0;  // pip3.11
}

bool in_bin_dir(const std::string& path) {
  for (std::string_view dir :
       {"bin", "sbin", "usr/bin", "usr/sbin", "usr/local/bin", "usr/local/sbin"})
    if (under(path, dir) && path.find('/', dir.size() + 1) == std::string::npos) return true;
  return false;
}

// Names that hold credentials whatever their content.
bool is_secret_name(const std::string& path) {
  std::string name = base_name(path);
  if (name == ".env" || name.rfind(".env.", 0) == 0 || name == ".netrc" ||
      name == ".git-credentials" || name == ".pgpass" || name == ".pypirc" || name == ".npmrc" ||
      ends_with(name, ".p12") || ends_with(name, ".pfx"))
    return true;
  if (ends_with(path, ".aws/credentials") || ends_with(path, ".docker/config.json") ||
      ends_with(path, ".config/gcloud/application_default_credentials.json") ||
      ends_with(path, ".kube/config"))
    return true;
  return name == "id_rsa" || name == "id_dsa" || name == "id_ecdsa" || name == "id_ed25519";
}

// Files whose content decides (a certificate is public, a key is not).
bool may_hold_key(const std::string& path) {
  return sbom::is_key_candidate(path);
}

bool holds_private_key(const std::string& text) {
  return text.find("PRIVATE KEY-----") != std::string::npos;
}

// The config's user as the runtime takes it: a number (however written: "00", "+0") is a uid;
// a name is looked up in the image's /etc/passwd, as runc does. Unset is root.
bool runs_as_root(const std::string& user, const std::map<std::string, std::string>& files) {
  std::string name = user.substr(0, user.find(':'));
  if (name.empty() || name == "root") return true;
  std::string digits = name[0] == '+' ? name.substr(1) : name;
  if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos)
    return digits.find_first_not_of('0') == std::string::npos;
  auto passwd = files.find("etc/passwd");
  if (passwd == files.end()) return false;  // the runtime refuses a name it cannot look up
  std::string_view text = passwd->second;
  for (size_t start = 0; start < text.size();) {
    size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    size_t c1 = line.find(':'), c2 = line.find(':', c1 + 1), c3 = line.find(':', c2 + 1);
    if (c1 == std::string_view::npos || c2 == std::string_view::npos ||
        c3 == std::string_view::npos)
      continue;
    if (line.substr(0, c1) == name) {
      std::string_view uid = line.substr(c2 + 1, c3 - c2 - 1);
      return !uid.empty() && uid.find_first_not_of('0') == std::string_view::npos;
    }
  }
  return false;
}

// A debug variant's PATH names /busybox (spec::apply_variant).
bool debug_path(const oci::ImageConfig& config) {
  for (const auto& e : config.env)
    if (e.rfind("PATH=", 0) == 0 &&
        (":" + e.substr(5) + ":").find(":/busybox:") != std::string::npos)
      return true;
  return false;
}

struct Findings {
  std::map<std::string, Check> checks;
  void add(const std::string& check, const std::string& evidence) {
    Check& c = checks[check];
    c.passed = false;
    ++c.evidence_total;
    if (c.evidence.size() < kEvidenceShown) c.evidence.push_back(evidence);
  }
};

// A hardlink is its target to a runtime: its mode and type are the target's.
const sbom::FileEntry& effective(const Entries& entries, const sbom::FileEntry& e) {
  if (e.type != Type::hardlink) return e;
  auto it = entries.find(e.link);
  return it == entries.end() ? e : it->second;
}

void check_files(const Entries& entries, const oci::ImageConfig& config, bool debug_exempt,
                 Findings& f) {
  bool debug = debug_exempt && debug_path(config);
  for (const auto& [path, linked] : entries) {
    const sbom::FileEntry& e = effective(entries, linked);
    std::string name = base_name(path);
    std::string shown = "/" + path;
    if (is_program(e) && is_shell_name(name) && !(debug && under(path, "busybox")))
      f.add("shell", shown + (linked.type == Type::symlink    ? " -> " + linked.link
                              : linked.type == Type::hardlink ? " => /" + linked.link
                                                              : ""));
    if (is_program(e) && is_package_manager_name(name) && in_bin_dir(path))
      f.add("package-manager", shown);
    if (e.type == Type::file && (e.mode & 06000))
      f.add("setuid", shown + ((e.mode & 04000) ? " (setuid " : " (setgid ") +
                          std::to_string((e.mode & 04000) ? e.uid : e.gid) + ")");
    if (e.type != Type::symlink && (e.mode & 0002) && path != "tmp" && path != "var/tmp" &&
        !under(path, "tmp") && !under(path, "var/tmp"))
      f.add("world-writable", shown);
    if (e.type == Type::file && is_secret_name(path)) f.add("secrets", shown);
  }
}

void check_metadata(const sbom::FlatImage& flat, Findings& f) {
  for (const auto& [path, text] : flat.files)
    if (may_hold_key(path) && holds_private_key(text))
      f.add("secrets", "/" + path + " (a private key)");
  auto contents = sbom::describe_files(flat.files);
  std::set<std::string> recorded;
  if (!contents.ok()) {
    f.add("package-metadata", contents.error().message());
  } else {
    for (const auto& p : contents->packages) {
      recorded.insert(p.name);
      if (p.version.empty()) f.add("package-metadata", p.name + ": no version in its record");
    }
    if (!contents->os_known) f.add("os-release", "neither /etc/os-release nor /usr/lib/os-release");
  }
  std::set<std::string> docs;
  for (const auto& [path, e] : flat.entries)
    if (under(path, "usr/share/doc") && e.type == Type::dir) {
      std::string rest = path.substr(std::string("usr/share/doc/").size());
      if (rest.find('/') == std::string::npos) docs.insert(rest);
    }
  if (contents.ok() && !contents->packages.empty())
    for (const auto& d : docs)
      if (!recorded.count(d) && !recorded.count(d.substr(0, d.find(':'))))
        f.add("package-metadata", "/usr/share/doc/" + d + " has no package record");
}

// Files every distroless-style image generates rather than installs from a package (the
// account databases, name service and OS identification, the CA bundle, the loader's cache):
// expected in an image that declares nothing, as distroless's own images do not.
bool is_conventional_generated(const std::string& path) {
  static const std::set<std::string> files = {"etc/passwd",
                                              "etc/group",
                                              "etc/shadow",
                                              "etc/gshadow",
                                              "etc/nsswitch.conf",
                                              "etc/os-release",
                                              "usr/lib/os-release",
                                              "etc/ld.so.cache",
                                              "etc/hosts",
                                              "etc/hostname",
                                              "etc/resolv.conf",
                                              "etc/machine-id",
                                              "etc/ssl/certs/ca-certificates.crt"};
  return files.count(path) > 0;
}

void check_ownership(const sbom::FlatImage& flat, Findings& f) {
  std::set<std::string> owned = sbom::owned_files(flat);
  for (const auto& [path, text] : flat.files)
    if (under(path, sbom::kImageSbomDir) && ends_with(path, ".spdx.json"))
      for (const auto& p : sbom::spdx_file_names(text))
        owned.insert(sbom::stored_path(flat.entries, p));
  for (const auto& [path, e] : flat.entries)
    if (e.type == Type::file && !owned.count(path) && !sbom::is_database_path(path) &&
        !is_conventional_generated(path))
      f.add("unowned-files", "/" + path);
}

const std::vector<std::pair<std::string, std::string>>& checks_table() {
  static const std::vector<std::pair<std::string, std::string>> table = {
      {"shell", "no shell"},
      {"package-manager", "no package manager"},
      {"setuid", "no setuid or setgid files"},
      {"world-writable", "nothing world-writable outside /tmp"},
      {"runs-as-root", "does not run as root"},
      {"secrets", "no private keys or credentials"},
      {"unowned-files", "every file owned by a package or declared by the image's SBOM"},
      {"package-metadata", "every package readable by scanners"},
      {"os-release", "os-release present"}};
  return table;
}

}  // namespace

bool AuditReport::passed() const {
  return std::all_of(checks.begin(), checks.end(),
                     [](const Check& c) { return c.passed || c.allowed; });
}

const std::vector<std::string>& audit_check_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, title] : checks_table()) out.push_back(name);
    return out;
  }();
  return names;
}

Result<AuditReport> audit_image(const oci::ImageOnDisk& image, const std::set<std::string>& allowed,
                                bool debug_busybox_is_shell) {
  // Key-like files, metadata, package file lists and the image's SBOMs are in the summaries.
  PARE_TRY(sbom::FlatImage flat,
           sbom::read_flat_summaries(sbom::layer_refs(image), image.derived_cache));
  return audit_flat(flat, image.config, allowed, debug_busybox_is_shell);
}

Result<AuditReport> audit_flat(const sbom::FlatImage& flat, const oci::ImageConfig& config,
                               const std::set<std::string>& allowed, bool debug_busybox_is_shell) {
  for (const auto& a : allowed)
    if (std::find(audit_check_names().begin(), audit_check_names().end(), a) ==
        audit_check_names().end()) {
      std::string known;
      for (const auto& n : audit_check_names()) known += (known.empty() ? "" : ", ") + n;
      return Error(Errc::invalid, "--allow " + a + ": no such check; the checks are " + known);
    }
  Findings f;
  check_files(flat.entries, config, !debug_busybox_is_shell, f);
  check_metadata(flat, f);
  check_ownership(flat, f);
  if (runs_as_root(config.user, flat.files))
    f.add("runs-as-root",
          "user \"" + config.user + "\"" + (config.user.empty() ? " (unset: root)" : ""));
  AuditReport report;
  for (const auto& [name, title] : checks_table()) {
    Check c = f.checks.count(name) ? f.checks[name] : Check{};
    c.name = name;
    c.title = title;
    c.allowed = !c.passed && allowed.count(name);
    report.checks.push_back(std::move(c));
  }
  return report;
}

}  // namespace pare::inspect
