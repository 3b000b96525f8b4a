// Commands that read an image's files without unpacking or running it (inspect/*.h):
// `pare ls IMAGE [PATH]`, `pare cat IMAGE PATH`, `pare audit IMAGE`, `pare diff A B`.
// Exit 6 is a check that failed: audit's findings, diff --exit-code's differences.
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>
#include "cli/output.h"
#include "cli/registry_commands.h"
#include "inspect/audit.h"
#include "inspect/diff.h"
#include "inspect/files.h"

namespace pare::cli {

namespace {

using nlohmann::json;
constexpr int kCheckFailed = 6;
constexpr uint64_t kMaxCat = uint64_t{1} << 30;

struct ImageArgs {
  CommonOptions o;
  RegistryOptions ro;
  std::string platform;
};

void add_image_options(CLI::App* cmd, ImageArgs& a) {
  cmd->add_option("--platform", a.platform, "which image of an index (default linux/amd64)");
  add_summary_cache_option(cmd, a.o);
  add_output_options(cmd, a.o);
  add_registry_options(cmd, a.ro);
}

std::string owner_of(const sbom::FileEntry& e) {
  return std::to_string(e.uid) + ":" + std::to_string(e.gid);
}

void print_listing(const std::vector<inspect::ListedEntry>& listing, const oci::ImageOnDisk& image,
                   bool as_json) {
  using Type = sbom::FileEntry::Type;
  auto layer_digest = [&](const inspect::ListedEntry& l) -> std::string {
    if (l.implicit || l.entry.layer >= image.manifest.layers.size()) return "";
    return image.manifest.layers[l.entry.layer].digest;
  };
  if (as_json) {
    json out = json::array();
    for (const auto& l : listing) {
      json j = {{"path", l.path},
                {"mode", inspect::mode_string(l.entry)},
                {"uid", l.entry.uid},
                {"gid", l.entry.gid},
                {"size", l.entry.size},
                {"layer", l.implicit ? json(nullptr) : json(l.entry.layer)},
                {"layer_digest", layer_digest(l)}};
      if (l.entry.type == Type::symlink || l.entry.type == Type::hardlink)
        j["link"] = (l.entry.type == Type::hardlink ? "/" : "") + l.entry.link;
      out.push_back(j);
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  for (const auto& l : listing) {
    std::string link;
    if (l.entry.type == Type::symlink) link = " -> " + printable(l.entry.link);
    if (l.entry.type == Type::hardlink) link = " => /" + printable(l.entry.link);
    std::string layer = l.implicit ? "-" : std::to_string(l.entry.layer);
    std::printf("%s %9s %12llu  L%-2s %s%s\n", inspect::mode_string(l.entry).c_str(),
                owner_of(l.entry).c_str(), static_cast<unsigned long long>(l.entry.size),
                layer.c_str(), printable(l.path).c_str(), link.c_str());
  }
}

}  // namespace

std::function<int()> setup_ls(CLI::App* cmd) {
  auto a = std::make_shared<ImageArgs>();
  auto image = std::make_shared<std::string>();
  auto path = std::make_shared<std::string>("/");
  auto recursive = std::make_shared<bool>(false);
  cmd->add_option("image", *image, kImageArgHelp)->required();
  cmd->add_option("path", *path, "a directory (its entries) or a file (default /)");
  cmd->add_flag("-R,--recursive", *recursive, "everything below the directory");
  add_image_options(cmd, *a);
  cmd->footer(
      "Columns: mode, uid:gid, size, the layer that put the entry there (L0 = bottom), path. "
      "The filesystem is the layers flattened as a runtime sees it: whiteouts and opaque "
      "directories honoured. Nothing is unpacked to disk.");
  return [=] {
    Session session(a->o);
    OpenedImage opened;
    oci::ImageOnDisk img = open_image_files(session, a->ro, *image, a->platform, opened);
    inspect::Entries entries = inspect::read_entries(img).value();
    print_listing(inspect::list_entries(entries, *path, *recursive).value(), img, a->o.json);
    return 0;
  };
}

std::function<int()> setup_cat(CLI::App* cmd) {
  auto a = std::make_shared<ImageArgs>();
  auto image = std::make_shared<std::string>();
  auto path = std::make_shared<std::string>();
  cmd->add_option("image", *image, kImageArgHelp)->required();
  cmd->add_option("path", *path, "the file (symlinks followed inside the image)")->required();
  add_image_options(cmd, *a);
  return [=] {
    Session session(a->o);
    OpenedImage opened;
    oci::ImageOnDisk img = open_image_files(session, a->ro, *image, a->platform, opened);
    inspect::Entries entries = inspect::read_entries(img).value();
    std::string bytes = inspect::read_image_file(img, entries, *path, kMaxCat).value();
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return 0;
  };
}

std::function<int()> setup_audit(CLI::App* cmd) {
  auto a = std::make_shared<ImageArgs>();
  auto image = std::make_shared<std::string>();
  auto allow = std::make_shared<std::vector<std::string>>();
  cmd->add_option("image", *image, kImageArgHelp)->required();
  cmd->add_option("--allow", *allow, "accept this check's findings (repeatable, or a,b)")
      ->delimiter(',');
  add_image_options(cmd, *a);
  std::string names;
  for (const auto& n : inspect::audit_check_names()) names += (names.empty() ? "" : ", ") + n;
  cmd->footer("Checks: " + names +
              ". Exit 0 when every check passes or is allowed, 6 when one fails.");
  return [=] {
    Session session(a->o);
    OpenedImage opened;
    oci::ImageOnDisk img = open_image_files(session, a->ro, *image, a->platform, opened);
    std::set<std::string> allowed(allow->begin(), allow->end());
    inspect::AuditReport report = inspect::audit_image(img, allowed).value();
    if (a->o.json) {
      json checks = json::array();
      for (const auto& c : report.checks)
        checks.push_back({{"check", c.name},
                          {"title", c.title},
                          {"result", c.passed    ? "pass"
                                     : c.allowed ? "allowed"
                                                 : "fail"},
                          {"evidence", c.evidence},
                          {"evidence_total", c.evidence_total}});
      json out = {{"image", *image},
                  {"manifest", img.descriptor.digest},
                  {"passed", report.passed()},
                  {"checks", checks}};
      std::printf("%s\n",
                  out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      for (const auto& c : report.checks) {
        const char* mark = c.passed ? "pass   " : c.allowed ? "allowed" : "FAIL   ";
        std::printf("%s %-17s %s\n", mark, c.name.c_str(), c.title.c_str());
        for (const auto& e : c.evidence) std::printf("          %s\n", printable(e).c_str());
        if (c.evidence_total > c.evidence.size())
          std::printf("          ... and %zu more (--json lists the first %zu too)\n",
                      c.evidence_total - c.evidence.size(), c.evidence.size());
      }
      if (!a->o.quiet)
        std::printf("%s: %s\n", image->c_str(),
                    report.passed() ? "distroless (every check passed or allowed)"
                                    : "not distroless: checks failed");
    }
    return report.passed() ? 0 : kCheckFailed;
  };
}

std::function<int()> setup_diff(CLI::App* cmd) {
  auto a = std::make_shared<ImageArgs>();
  auto first = std::make_shared<std::string>();
  auto second = std::make_shared<std::string>();
  auto exit_code = std::make_shared<bool>(false);
  cmd->add_option("a", *first, "the image before (" + std::string(kImageArgHelp) + ")")->required();
  cmd->add_option("b", *second, "the image after")->required();
  cmd->add_flag("--exit-code", *exit_code, "exit 6 when the images differ");
  add_image_options(cmd, *a);
  return [=] {
    Session session(a->o);
    OpenedImage oa, ob;
    oci::ImageOnDisk x = open_image_files(session, a->ro, *first, a->platform, oa);
    oci::ImageOnDisk y = open_image_files(session, a->ro, *second, a->platform, ob);
    inspect::ImageDiff d = inspect::diff_images(x, y).value();
    if (a->o.json) {
      json packages = json::array(), files = json::array(), config = json::array();
      for (const auto& p : d.packages)
        packages.push_back({{"name", p.name},
                            {"change", p.from.empty() ? "added"
                                       : p.to.empty() ? "removed"
                                                      : "changed"},
                            {"from", p.from},
                            {"to", p.to}});
      for (const auto& f : d.files)
        files.push_back({{"path", f.path},
                         {"change", f.kind == 'A'   ? "added"
                                    : f.kind == 'D' ? "removed"
                                                    : "changed"},
                         {"from_size", f.from_size},
                         {"to_size", f.to_size},
                         {"what", f.what}});
      for (const auto& c : d.config)
        config.push_back({{"field", c.field}, {"from", c.from}, {"to", c.to}});
      json out = {{"a", *first},
                  {"b", *second},
                  {"packages", packages},
                  {"files", files},
                  {"config", config}};
      std::printf("%s\n",
                  out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
      std::printf("packages (%zu changed):\n", d.packages.size());
      for (const auto& p : d.packages)
        std::printf("  %s %s %s%s%s\n",
                    p.from.empty() ? "+"
                    : p.to.empty() ? "-"
                                   : "~",
                    p.name.c_str(), p.from.c_str(), p.from.empty() || p.to.empty() ? "" : " -> ",
                    p.to.c_str());
      std::printf("files (%zu changed):\n", d.files.size());
      for (const auto& f : d.files) {
        if (f.kind == 'A')
          std::printf("  + %s (%llu bytes)\n", printable(f.path).c_str(),
                      static_cast<unsigned long long>(f.to_size));
        else if (f.kind == 'D')
          std::printf("  - %s (%llu bytes)\n", printable(f.path).c_str(),
                      static_cast<unsigned long long>(f.from_size));
        else
          std::printf("  ~ %s %s (%llu -> %llu bytes)\n", printable(f.path).c_str(),
                      printable(f.what).c_str(), static_cast<unsigned long long>(f.from_size),
                      static_cast<unsigned long long>(f.to_size));
      }
      std::printf("config (%zu changed):\n", d.config.size());
      for (const auto& c : d.config)
        std::printf("  ~ %s: \"%s\" -> \"%s\"\n", printable(c.field).c_str(),
                    printable(c.from).c_str(), printable(c.to).c_str());
    }
    return *exit_code && !d.empty() ? kCheckFailed : 0;
  };
}

}  // namespace pare::cli
