// `pare sbom IMAGE`: the SBOM of any image (sbom/image_sbom.h), SPDX 2.3 or CycloneDX 1.6.
#include <cstdio>

#include "cli/registry_commands.h"
#include "registry/image_io.h"
#include "sbom/image_sbom.h"
#include "util/fs.h"

namespace pare::cli {

std::function<int()> setup_sbom(CLI::App* cmd) {
  auto o = std::make_shared<CommonOptions>();
  auto ro = std::make_shared<RegistryOptions>();
  auto image = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("spdx");
  auto output = std::make_shared<std::string>();
  auto platform = std::make_shared<std::string>();
  cmd->add_option("image", *image,
                  "oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE or docker://REF")
      ->required();
  cmd->add_option("--format", *format, "spdx (SPDX 2.3 JSON, default) or cyclonedx (1.6 JSON)")
      ->check(CLI::IsMember({"spdx", "cyclonedx"}));
  cmd->add_option("-o,--output", *output, "write the document here (default: stdout)");
  cmd->add_option("--platform", *platform, "which image of an index (default linux/amd64)");
  add_output_options(cmd, *o);
  add_registry_options(cmd, *ro);
  cmd->footer(
      "Packages come from the image's status.d, /var/lib/dpkg/status or apk database, "
      "licences from its DEP-5 copyright files, the OS from os-release.");
  return [=] {
    Session session(*o);
    auto ref = registry::parse_image_ref(*image, short_names_from_env()).value();
    auto source = registry::open_source(session.registries(*ro), ref).value();
    std::string tag = ref.local ? ref.local->tag : ref.remote->manifest_ref();
    oci::Descriptor root = source->resolve(tag).value();
    sbom::ImageSbomOptions options;
    options.name = ref.remote ? ref.remote->str() : (tag.empty() ? *image : tag);
    if (!platform->empty()) options.platform = oci::parse_platform(*platform).value();
    sbom::SbomImage doc = sbom::image_sbom(*source, root, options).value();
    std::string text = *format == "spdx" ? sbom::spdx_json(doc) : sbom::cyclonedx_json(doc);
    if (output->empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      fs::write_file_atomic(*output, text).value();
      if (!o->quiet)
        std::fprintf(stderr, "wrote %s (%zu packages)\n", output->c_str(), doc.packages.size());
    }
    return 0;
  };
}

}  // namespace pare::cli
