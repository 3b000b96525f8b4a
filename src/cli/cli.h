#pragma once
namespace pare::cli {
// Parse arguments, run the command, print results and errors; returns the exit code.
int run(int argc, char** argv);
}  // namespace pare::cli
