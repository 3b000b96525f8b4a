#!/usr/bin/env bash
# test.sh [ctest options...] — THE test command: install dependencies, build, run every test.
#
# Unit, fuzz-replay and e2e tests all run through ctest. PARE_OFFLINE=1 skips the tests that
# need the real Debian archive (they exit 77, which ctest reports as skipped). Extra
# arguments go to ctest, e.g. `scripts/test.sh -L offline` or `-R e2e.fixture_repo`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/deps.sh
bash scripts/build.sh "$root/build"

# ctest prints its summary ("N% tests passed, M tests failed out of K") and exits non-zero
# when a test failed; keep that exit status.
rc=0
ctest --test-dir "$root/build" --output-on-failure -j "${PARE_JOBS:-2}" "$@" || rc=$?
exit "$rc"
