// Commands for applications: `pare deps FILE...` (which Debian packages an application's ELF
// files need, build/app_deps.h) and `pare init` (a first spec, init/init.h).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace pare::cli {

std::function<int()> setup_deps(CLI::App* cmd);  // pare deps
std::function<int()> setup_init(CLI::App* cmd);  // pare init [DIR] [--from-dockerfile FILE]

}  // namespace pare::cli
