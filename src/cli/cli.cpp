#include "cli/cli.h"

#include <cstdio>

namespace pare::cli {
int run(int, char**) {
  std::fprintf(stderr, "pare: no commands yet\n");
  return 1;
}
}  // namespace pare::cli
