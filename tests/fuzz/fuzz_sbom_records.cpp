// Fuzz target for the package databases and copyright files read out of images
// (sbom/packages.h): dpkg status records, the apk installed database, DEP-5 copyright files
// and licence expressions. Any bytes parse or give an error; what parses writes both SBOMs.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sbom/document.h"
#include "sbom/packages.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pare::sbom;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  SbomImage image;
  image.name = "fuzz:latest";
  image.os.version_id = "12";
  if (auto r = parse_dpkg_records(text, "status"); r.ok()) image.packages = *r;
  if (auto r = parse_apk_installed(text, "installed"); r.ok())
    image.packages.insert(image.packages.end(), r->begin(), r->end());
  if (auto l = dep5_licenses(text))
    for (auto& p : image.packages) p.licenses = *l;
  (void)spdx_expression(text);
  if (spdx_json(image).empty() || cyclonedx_json(image).empty()) std::abort();
  return 0;
}
