// `pare scan IMAGE --feed FILE...`: the image's packages (the one package-metadata reader,
// sbom/) matched against vulnerability data read from files (scan/), offline. Exit 6 when
// --fail-on finds an open finding at or above its level.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

#include <nlohmann/json.hpp>
#include "cli/output.h"
#include "cli/registry_commands.h"
#include "sbom/image_sbom.h"
#include "scan/compare.h"
#include "scan/feed_cache.h"
#include "scan/match.h"
#include "scan/osv.h"
#include "scan/sarif.h"
#include "util/fs.h"

namespace pare::cli {

namespace {

using nlohmann::json;
constexpr int kCheckFailed = 6;

void print_findings(const std::vector<scan::Finding>& findings, const std::string& image,
                    const std::string& release, bool as_json) {
  std::map<std::string, size_t> open_by_urgency;
  std::map<std::string, size_t> by_state;
  for (const auto& f : findings) {
    ++by_state[scan::state_name(f.state)];
    if (f.state == scan::State::open) ++open_by_urgency[f.urgency.empty() ? "unknown" : f.urgency];
  }
  if (as_json) {
    json list = json::array();
    for (const auto& f : findings)
      list.push_back({{"id", f.id},
                      {"package", f.package},
                      {"version", f.version},
                      {"source", f.source},
                      {"source_version", f.source_version},
                      {"fixed_version", f.fixed},
                      {"urgency", f.urgency},
                      {"state", scan::state_name(f.state)}});
    json out = {{"image", image},
                {"release", release},
                {"findings", list},
                {"counts", by_state},
                {"open_by_urgency", open_by_urgency}};
    std::printf("%s\n", out.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    return;
  }
  std::printf("%-18s %-24s %-26s %-26s %-17s %s\n", "CVE", "PACKAGE", "INSTALLED", "FIXED",
              "URGENCY", "STATE");
  for (const auto& f : findings)
    std::printf("%-18s %-24s %-26s %-26s %-17s %s\n", printable(f.id).c_str(),
                printable(f.package).c_str(), printable(f.version).c_str(),
                f.fixed.empty() ? "(no fix yet)" : printable(f.fixed).c_str(),
                printable(f.urgency).c_str(), scan::state_name(f.state));
  std::string counts;
  for (const auto& [u, n] : open_by_urgency)
    counts += (counts.empty() ? "" : ", ") + std::to_string(n) + " " + u;
  std::printf("%s (%s): %zu open%s%s; %zu unimportant, %zu end-of-life, %zu not affected\n",
              image.c_str(), release.c_str(), by_state["open"], counts.empty() ? "" : ": ",
              counts.c_str(), by_state["unimportant"], by_state["end-of-life"],
              by_state["not-affected"]);
}

// Every --feed: a tracker export or an OSV record (by its shape), or a directory of OSV
// records (*.json, at most kMaxOsvFiles, each bounded).
Result<scan::Feed> read_feeds(const std::vector<std::string>& paths, const std::string& release,
                              const std::filesystem::path& cache_dir,
                              const std::set<std::string>* sources = nullptr) {
  constexpr size_t kMaxOsvFiles = 500000;
  constexpr uint64_t kMaxOsvBytes = uint64_t{4} << 20;
  std::string ecosystem = "Debian:" + scan::version_id_for(release);
  scan::Feed feed;
  auto add_file = [&](const std::filesystem::path& path, bool osv_only) -> Result<void> {
    PARE_TRY(std::string text, fs::read_file(path, osv_only ? kMaxOsvBytes : scan::kMaxFeedBytes));
    if (osv_only || scan::looks_like_osv(text))
      return scan::add_osv_record(text, path.string(), ecosystem, feed);
    PARE_TRY(scan::Feed one,
             scan::tracker_feed_cached(text, path.string(), release, cache_dir, sources));
    for (auto& [source, advisories] : one) {
      auto& into = feed[source];
      into.insert(into.end(), advisories.begin(), advisories.end());
    }
    return {};
  };
  for (const auto& p : paths) {
    std::error_code ec;
    if (std::filesystem::path(p).extension() == ".zip") {
      PARE_CHECK(scan::add_osv_zip(p, ecosystem, feed));
      continue;
    }
    if (!std::filesystem::is_directory(p, ec)) {
      PARE_CHECK(add_file(p, false));
      continue;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(p, ec))
      if (e.path().extension() == ".json" && e.is_regular_file(ec)) {
        if (files.size() == kMaxOsvFiles)
          return Error(Errc::invalid,
                       p + ": more than " + std::to_string(kMaxOsvFiles) + " records");
        files.push_back(e.path());
      }
    if (ec) return Error(Errc::io, p + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) PARE_CHECK(add_file(f, true));
  }
  return feed;
}

}  // namespace

std::function<int()> setup_scan(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto image = std::make_shared<std::string>();
  auto feeds = std::make_shared<std::vector<std::string>>();
  auto release = std::make_shared<std::string>();
  auto platform = std::make_shared<std::string>();
  auto fail_on = std::make_shared<std::string>();
  auto sarif = std::make_shared<std::string>();
  cmd->add_option("image", *image, kImageArgHelp)->required();
  cmd->add_option("--feed", *feeds,
                  "the Debian security tracker's JSON export, an OSV record, or a directory or "
                  "a .zip of OSV records (repeatable); read from the files, no network")
      ->required()
      ->check(CLI::ExistingPath);
  cmd->add_option("--release", *release,
                  "the tracker's release (default: from the image's os-release, 12 = bookworm)");
  cmd->add_option("--platform", *platform, "which image of an index (default linux/amd64)");
  cmd->add_option("--sarif", *sarif, "also write the open findings as SARIF 2.1.0 to this file");
  cmd->add_option("--fail-on", *fail_on, "exit 6 on an open finding of this urgency or above")
      ->check(CLI::IsMember({"any", "low", "medium", "high"}));
  add_summary_cache_option(cmd, *o);
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  cmd->footer(
      "Packages are matched by source package and source version in Debian's order; a package "
      "is affected below the fixed version, or when no fix exists. Unimportant, end-of-life "
      "and not-affected findings are listed apart and never counted as open.");
  return [=] {
    Session session(*o);
    OpenedImage opened = open_image(session, *ro, *image);
    sbom::ImageSbomOptions options;
    options.name = *image;
    if (!platform->empty()) options.platform = oci::parse_platform(*platform).value();
    options.derived_cache = session.env.cache_dir;
    sbom::SbomImage doc = sbom::image_sbom(*opened.source, opened.root, options).value();
    std::string rel = release->empty() ? scan::release_for(doc.os.version_id) : *release;
    if (rel.empty())
      throw Error(Errc::invalid, *image +
                                     ": its os-release names no Debian release (VERSION_ID \"" +
                                     doc.os.version_id + "\"); give --release");
    std::set<std::string> sources;  // only what the image has is matched
    for (const auto& p : doc.packages) sources.insert(p.source.empty() ? p.name : p.source);
    scan::Feed feed = read_feeds(*feeds, rel, session.env.cache_dir, &sources).value();
    auto findings = scan::match(doc.packages, feed);
    print_findings(findings, *image, rel, o->json);
    if (!sarif->empty())
      fs::write_output_file(*sarif, scan::sarif_json(findings, *image, rel)).value();
    if (fail_on->empty()) return 0;
    int level = *fail_on == "any" ? 0 : scan::severity_rank(*fail_on);
    for (const auto& f : findings)
      if (f.state == scan::State::open && scan::severity_rank(f.urgency) >= level)
        return kCheckFailed;
    return 0;
  };
}

std::function<int()> setup_compare(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto images = std::make_shared<std::vector<std::string>>();
  auto feeds = std::make_shared<std::vector<std::string>>();
  auto platform = std::make_shared<std::string>();
  auto html = std::make_shared<std::string>();
  auto markdown = std::make_shared<bool>(false);
  cmd->add_option("images", *images, std::string(kImageArgHelp) + " (several)")->required();
  cmd->add_option("--feed", *feeds, "vulnerability data as for pare scan (repeatable)")
      ->check(CLI::ExistingPath);
  cmd->add_option("--platform", *platform, "which image of an index (default linux/amd64)");
  cmd->add_option("--html", *html,
                  "also write one self-contained HTML page: the table and a chart");
  cmd->add_flag("--markdown", *markdown, "print the table as Markdown");
  add_summary_cache_option(cmd, *o);
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  return [=] {
    Session session(*o);
    std::map<std::string, scan::Feed> by_release;  // read when an image first needs one
    scan::FeedFor feed_for = [&](const std::string& release) -> Result<const scan::Feed*> {
      if (release.empty()) return nullptr;
      auto it = by_release.find(release);
      if (it == by_release.end()) {
        PARE_TRY(scan::Feed feed, read_feeds(*feeds, release, session.env.cache_dir));
        it = by_release.emplace(release, std::move(feed)).first;
      }
      return &it->second;
    };
    std::vector<scan::CompareRow> rows;
    for (const auto& text : *images) {
      OpenedImage opened;
      oci::ImageOnDisk img = open_image_files(session, *ro, text, *platform, opened);
      rows.push_back(scan::compare_row(img, text, feeds->empty() ? nullptr : &feed_for).value());
    }
    if (!html->empty()) fs::write_output_file(*html, scan::compare_html(rows)).value();
    if (o->json) {
      json list = json::array();
      for (const auto& r : rows) {
        json j = {{"image", r.image},
                  {"compressed_bytes", r.compressed},
                  {"uncompressed_bytes", r.uncompressed},
                  {"layers", r.layers},
                  {"packages", r.packages},
                  {"shell", r.shell},
                  {"package_manager", r.package_manager},
                  {"runs_as_root", r.runs_as_root},
                  {"setuid_files", r.setuid}};
        if (r.open_by_urgency) {
          j["release"] = r.release;
          j["open_cves"] = r.open();
          j["open_by_urgency"] = *r.open_by_urgency;
        }
        list.push_back(j);
      }
      std::printf("%s\n", list.dump(2, ' ', false, json::error_handler_t::replace).c_str());
    } else {
      std::string table = *markdown ? scan::compare_markdown(rows) : scan::compare_table(rows);
      std::fwrite(table.data(), 1, table.size(), stdout);
    }
    return 0;
  };
}

}  // namespace pare::cli
