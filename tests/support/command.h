// Running host tools from unit tests (the real ldconfig, keytool, gzip, readelf
// ... that pare's output is checked against).
#pragma once

#include <cstdio>
#include <string>

namespace pare::testing {

// Runs `cmd` through the shell and returns its standard output; *status (when
// given) gets pclose()'s status, or -1 when the command could not be started.
inline std::string run_command(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) {
    if (status) *status = -1;
    return out;
  }
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int rc = ::pclose(p);
  if (status) *status = rc;
  return out;
}

}  // namespace pare::testing
