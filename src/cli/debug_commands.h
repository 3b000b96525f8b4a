// Setup functions of the debugging commands (debug_commands.cpp); cli.cpp's table lists them.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace pare::cli {

std::function<int()> setup_debug(CLI::App* cmd);      // pare debug
std::function<int()> setup_add_debug(CLI::App* cmd);  // pare add-debug
std::function<int()> setup_shell(CLI::App* cmd);      // pare shell

// The words after the first `--` of the command line (a command to run in a container),
// taken off before the options are parsed (cli.cpp).
const std::vector<std::string>& trailing_command();

}  // namespace pare::cli
