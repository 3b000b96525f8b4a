// Commands for applications: `pare deps FILE...` (which Debian packages an application's ELF
// files need, build/app_deps.h).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace pare::cli {

std::function<int()> setup_deps(CLI::App* cmd);  // pare deps

}  // namespace pare::cli
