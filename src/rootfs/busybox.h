// Busybox's applet names, read from the binary itself: busybox keeps them as
// one NUL-separated, sorted string table ("[\0[[\0acpid\0...") which is what
// `busybox --list` prints. Reading it instead of running the binary works for
// every architecture without emulation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::rootfs {

Result<std::vector<std::string>> busybox_applets(std::string_view binary);

}  // namespace pare::rootfs
