// The links update-alternatives would make, read from the data packages ship.
// Debian's JVMs describe theirs in /usr/lib/jvm/.<name>.jinfo (the file
// update-java-alternatives reads): "name=", "priority=" headers, then lines
// "<kind> <tool> <path>" (kinds hl, jre, jdkhl, jdk; headless and full). Each
// tool becomes /usr/bin/<tool> -> <path> when <path> is in the image.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::rootfs {

struct AlternativeLink {
  std::string link;    // "usr/bin/java" (relative to the root)
  std::string target;  // "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"
  int priority = 0;
};

bool is_jinfo_path(std::string_view path);  // usr/lib/jvm/.*.jinfo

// `exists(path)` says whether an absolute path is in the image.
Result<std::vector<AlternativeLink>> jinfo_links(
    std::string_view jinfo, std::string_view name,
    const std::function<bool(std::string_view)>& exists);

}  // namespace pare::rootfs
