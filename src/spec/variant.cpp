// Variants: the same package set with the image config adjusted, as distroless publishes them.
#include <algorithm>

#include "spec/spec.h"

namespace pare::spec {

const std::vector<std::string>& variant_names() {
  static const std::vector<std::string> names = {"latest", "nonroot", "debug", "debug-nonroot"};
  return names;
}

namespace {
// The account every image carries for this purpose (DESIGN.md: nonroot, uid/gid 65532).
constexpr const char* kNonrootUser = "65532";
constexpr const char* kNonrootHome = "/home/nonroot";
constexpr const char* kDebugShell = "/busybox/sh";

void make_nonroot(ImageSettings& image) {
  image.user = kNonrootUser;
  if (!image.workdir || *image.workdir == "/") image.workdir = kNonrootHome;
}
}  // namespace

Result<VariantSettings> apply_variant(const Spec& spec, std::string_view variant) {
  const auto& names = variant_names();
  if (std::find(names.begin(), names.end(), variant) == names.end())
    return Error(Errc::invalid, "unknown variant '" + std::string(variant) +
                                    "'; valid: latest, nonroot, debug, debug-nonroot");
  VariantSettings out{std::string(variant), spec.image, false};
  if (variant == "nonroot" || variant == "debug-nonroot") make_nonroot(out.image);
  if (variant.starts_with("debug")) {
    out.debug = true;
    // An image that says nothing about what to run gets the debug shell, as distroless does.
    if (!out.image.entrypoint && !out.image.cmd)
      out.image.entrypoint = std::vector<std::string>{kDebugShell};
  }
  return out;
}

}  // namespace pare::spec
