// Commands that look into any image: `pare sbom IMAGE` (sbom/image_sbom.h: SPDX 2.3 or
// CycloneDX 1.6) and `pare inspect IMAGE` (inspect/inspect.h).
#include <cstdio>

#include <nlohmann/json.hpp>
#include "cli/output.h"
#include "cli/registry_commands.h"
#include "inspect/inspect.h"
#include "registry/image_io.h"
#include "sbom/image_sbom.h"
#include "util/fs.h"

namespace pare::cli {

OpenedImage open_image(Session& session, const RegistryOptions& ro, const std::string& text) {
  OpenedImage out;
  out.ref = registry::parse_image_ref(text, short_names_from_env()).value();
  out.source = registry::open_source(session.registries(ro), out.ref).value();
  out.tag = out.ref.local ? out.ref.local->tag : out.ref.remote->manifest_ref();
  out.root = out.source->resolve(out.tag).value();
  return out;
}

oci::ImageOnDisk open_image_files(Session& session, const RegistryOptions& ro,
                                  const std::string& text, const std::string& platform,
                                  OpenedImage& opened) {
  opened = open_image(session, ro, text);
  oci::Platform wanted{"linux", "amd64", ""};
  if (!platform.empty()) wanted = oci::parse_platform(platform).value();
  oci::ImageOnDisk image = oci::open_image_on_disk(*opened.source, opened.root, wanted).value();
  image.derived_cache = session.env.cache_dir;
  return image;
}

std::function<int()> setup_sbom(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto image = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("spdx");
  auto output = std::make_shared<std::string>();
  auto platform = std::make_shared<std::string>();
  cmd->add_option("image", *image, kImageArgHelp)->required();
  cmd->add_option("--format", *format, "spdx (SPDX 2.3 JSON, default) or cyclonedx (1.6 JSON)")
      ->check(CLI::IsMember({"spdx", "cyclonedx"}));
  cmd->add_option("-o,--output", *output, "write the document here (default: stdout)");
  cmd->add_option("--platform", *platform, "which image of an index (default linux/amd64)");
  add_summary_cache_option(cmd, *o);
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  cmd->footer(
      "Packages come from the image's status.d, /var/lib/dpkg/status or apk database, "
      "licences from its DEP-5 copyright files, the OS from os-release.");
  return [=] {
    Session session(*o);
    OpenedImage opened = open_image(session, *ro, *image);
    auto& [ref, source, tag, root] = opened;
    sbom::ImageSbomOptions options;
    options.name = ref.remote ? ref.remote->str() : (tag.empty() ? *image : tag);
    if (!platform->empty()) options.platform = oci::parse_platform(*platform).value();
    options.derived_cache = session.env.cache_dir;
    sbom::SbomImage doc = sbom::image_sbom(*source, root, options).value();
    std::string text = *format == "spdx" ? sbom::spdx_json(doc) : sbom::cyclonedx_json(doc);
    if (output->empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      fs::write_output_file(*output, text).value();
      if (!o->quiet)
        std::fprintf(stderr, "wrote %s (%zu packages)\n", output->c_str(), doc.packages.size());
    }
    return 0;
  };
}

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

void print_summary(const inspect::ImageSummary& s, bool as_json) {
  using nlohmann::json;
  const auto& c = s.config;
  if (as_json) {
    json platforms = json::array();
    for (const auto& p : s.platforms) platforms.push_back(oci::platform_string(p));
    json layers = json::array();
    for (const auto& l : s.layers)
      layers.push_back({{"digest", l.digest},
                        {"size", l.size},
                        {"media_type", l.media_type},
                        {"created_by", l.created_by}});
    json largest = json::array();
    for (const auto& f : s.largest) largest.push_back({{"path", f.path}, {"size", f.size}});
    json j = {{"reference", s.reference},
              {"digest", s.digest},
              {"media_type", s.media_type},
              {"platforms", platforms},
              {"manifest", s.manifest_digest},
              {"config",
               {{"user", c.user},
                {"working_dir", c.working_dir},
                {"entrypoint", c.entrypoint},
                {"cmd", c.cmd},
                {"env", c.env},
                {"exposed_ports", c.exposed_ports},
                {"labels", c.labels}}},
              {"layers", layers},
              {"compressed_size", s.compressed_size},
              {"packages", s.packages},
              {"os", s.os},
              {"files", s.files},
              {"uncompressed_size", s.uncompressed_size},
              {"largest_files", largest}};
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  std::string platforms;
  for (const auto& p : s.platforms)
    platforms += (platforms.empty() ? "" : ", ") + oci::platform_string(p);
  std::printf("%s\n  digest     %s\n  platforms  %s\n  os         %s\n  packages   %zu\n",
              s.reference.c_str(), s.digest.c_str(), platforms.c_str(),
              s.os.empty() ? "(no os-release)" : printable(s.os).c_str(), s.packages);
  std::printf("  user       %s\n  workdir    %s\n  entrypoint %s\n  cmd        %s\n",
              c.user.empty() ? "(root)" : printable(c.user).c_str(),
              printable(c.working_dir).c_str(), printable(join(c.entrypoint)).c_str(),
              printable(join(c.cmd)).c_str());
  for (const auto& e : c.env) std::printf("  env        %s\n", printable(e).c_str());
  for (const auto& p : c.exposed_ports) std::printf("  port       %s\n", printable(p).c_str());
  std::printf("  layers (%zu, %.1f MB with the config):\n", s.layers.size(),
              s.compressed_size / 1e6);
  for (const auto& l : s.layers)
    std::printf("    %s  %9.1f kB  %s\n", l.digest.substr(7, 12).c_str(), l.size / 1e3,
                printable(l.created_by).c_str());
  std::printf("  files (%zu, %.1f MB), the largest:\n", s.files, s.uncompressed_size / 1e6);
  for (const auto& f : s.largest)
    std::printf("    %9.1f kB  %s\n", f.size / 1e3, printable(f.path).c_str());
}

}  // namespace

std::function<int()> setup_inspect(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto image = std::make_shared<std::string>();
  auto platform = std::make_shared<std::string>();
  cmd->add_option("image", *image, kImageArgHelp)->required();
  cmd->add_option("--platform", *platform, "which image of an index (default linux/amd64)");
  add_summary_cache_option(cmd, *o);
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  return [=] {
    Session session(*o);
    OpenedImage opened = open_image(session, *ro, *image);
    auto& [ref, source, tag, root] = opened;
    std::optional<oci::Platform> p;
    if (!platform->empty()) p = oci::parse_platform(*platform).value();
    print_summary(inspect::inspect_image(*source, root, *image, p, session.env.cache_dir).value(),
                  o->json);
    return 0;
  };
}

}  // namespace pare::cli
