#!/usr/bin/env bash
# build.sh [BUILD_DIR] — configure (once) and build pare with warnings as errors.
# BUILD_DIR defaults to build/ in the repository. PARE_JOBS sets ninja's parallelism
# (default 2); PARE_CMAKE_ARGS adds cmake options (e.g. -DPARE_SANITIZE=ON).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"

# libdeflate built from Debian's source (scripts/libdeflate.sh says why), once per build
# directory; with PARE_SYSTEM_LIBDEFLATE=1, or when it cannot be built (offline: not tried
# again for a day), the system's is linked.
libdeflate="$build/deps/libdeflate"
if [[ "${PARE_SYSTEM_LIBDEFLATE:-0}" == 1 ]]; then
  libdeflate=""
else
  mkdir -p "$build/deps"
  failed="$build/deps/libdeflate.failed"
  (
    flock 9
    if [[ -n "$(find "$failed" -mmin -1440 2>/dev/null)" ]]; then
      echo "build.sh: libdeflate could not be built today ($failed); linking the system's" >&2
    elif bash "$root/scripts/libdeflate.sh" "$libdeflate"; then
      rm -f "$failed"
    else
      touch "$failed"
      echo "build.sh: linking the system's libdeflate (layer compression 12-20 % slower)" >&2
    fi
  ) 9>"$build/deps/.lock"
fi

# shellcheck disable=SC2086 # PARE_CMAKE_ARGS is a list of words on purpose
cmake -S "$root" -B "$build" -G Ninja -DPARE_WERROR=ON -DPARE_LIBDEFLATE_ROOT="$libdeflate" \
  ${PARE_CMAKE_ARGS:-}
ninja -C "$build" -j "${PARE_JOBS:-2}"
