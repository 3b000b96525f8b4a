#!/usr/bin/env bash
# build.sh [BUILD_DIR] — configure (once) and build pare with warnings as errors.
# BUILD_DIR defaults to build/ in the repository. PARE_JOBS sets ninja's parallelism
# (default 2); PARE_CMAKE_ARGS adds cmake options (e.g. -DPARE_SANITIZE=ON).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"

# shellcheck disable=SC2086 # PARE_CMAKE_ARGS is a list of words on purpose
cmake -S "$root" -B "$build" -G Ninja -DPARE_WERROR=ON ${PARE_CMAKE_ARGS:-}
ninja -C "$build" -j "${PARE_JOBS:-2}"
