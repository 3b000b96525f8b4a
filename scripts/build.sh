#!/usr/bin/env bash
# build.sh [BUILD_DIR] — configure (once) and build pare with warnings as errors.
# BUILD_DIR defaults to build/ in the repository. PARE_JOBS sets ninja's parallelism
# (default 2); PARE_CMAKE_ARGS adds cmake options (e.g. -DPARE_SANITIZE=ON).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"

# libdeflate built from Debian's source (scripts/libdeflate.sh says why), once per build
# directory; without it (offline, or PARE_SYSTEM_LIBDEFLATE=1) the system's is linked.
libdeflate="$build/deps/libdeflate"
if [[ ! -f "$libdeflate/lib/libdeflate.a" && -z "${PARE_SYSTEM_LIBDEFLATE:-}" ]]; then
  bash "$root/scripts/libdeflate.sh" "$libdeflate" ||
    echo "build.sh: linking the system's libdeflate (layer compression 15-25 % slower)" >&2
fi
[[ -z "${PARE_SYSTEM_LIBDEFLATE:-}" ]] || libdeflate=""

# shellcheck disable=SC2086 # PARE_CMAKE_ARGS is a list of words on purpose
cmake -S "$root" -B "$build" -G Ninja -DPARE_WERROR=ON -DPARE_LIBDEFLATE_ROOT="$libdeflate" \
  ${PARE_CMAKE_ARGS:-}
ninja -C "$build" -j "${PARE_JOBS:-2}"
