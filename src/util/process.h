// Running other programs (container engines, kubectl, credential helpers): the one place pare
// starts a process.
// Behind a small interface so that what pare asks an engine to do can be tested without one
// (tests/unit/debug records the argument vectors a fake runner is given).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace pare::process {

struct Captured {
  int exit_code = 0;  // 128 + N when killed by signal N
  std::string out;    // stdout, at most the limit given (the rest is read and dropped)
  std::string err;    // stderr, likewise
};

class Runner {
 public:
  virtual ~Runner() = default;
  // Runs argv (argv[0] looked up on PATH) with `input` on its stdin (at most 64 KiB; none:
  // /dev/null), stdout and stderr captured. Errc::not_found when the program is not on PATH.
  virtual Result<Captured> capture(const std::vector<std::string>& argv,
                                   std::string_view input = {}) = 0;
  // Runs argv on pare's own terminal (stdin, stdout, stderr inherited) and returns its exit
  // code. While it runs pare ignores SIGINT and SIGQUIT (the terminal sends them to the
  // child too, as a shell does for a foreground job) and passes SIGTERM and SIGHUP on.
  virtual Result<int> attached(const std::vector<std::string>& argv) = 0;
};

// The real one (posix_spawnp).
std::unique_ptr<Runner> system_runner(size_t capture_limit = 4 << 20);

// Whether `program` is an executable on PATH (or a path to one).
bool on_path(const std::string& program);

// argv as a shell command line, each word quoted only where a POSIX shell needs it (for
// messages and for commands pare prints for the user to run).
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace pare::process
