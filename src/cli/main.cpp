// pare's entry point: everything is in the library (src/cli/cli.h).
#include "cli/cli.h"

int main(int argc, char** argv) {
  return pare::cli::run(argc, argv);
}
