# labels: offline
# shellcheck shell=bash
# lib.sh — shared helpers for pare's e2e tests.
#
# Use from a test:   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# ctest passes PARE (the binary), PARE_SOURCE_DIR and PARE_BUILD_DIR; run by hand they default
# to the source tree and its build/ directory. Exit 77 means "skipped" (ctest SKIP_RETURN_CODE).
# Register cleanups with `on_exit CMD` rather than `trap ... EXIT` (which would replace ours).
#
# Executed directly (bash tests/e2e/lib.sh), it runs a self-test of these helpers; that is
# also why it carries a labels line: ctest picks up every tests/e2e/*.sh.
set -euo pipefail

PARE_SOURCE_DIR="${PARE_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
PARE_BUILD_DIR="${PARE_BUILD_DIR:-$PARE_SOURCE_DIR/build}"
PARE="${PARE:-$PARE_BUILD_DIR/pare}"
export PARE PARE_SOURCE_DIR PARE_BUILD_DIR

# --- cleanup and temporary directories ---------------------------------------------------------
_PARE_CLEANUPS=()
on_exit() { _PARE_CLEANUPS+=("$1"); }
_pare_cleanup() {
  local i
  for ((i = ${#_PARE_CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${_PARE_CLEANUPS[i]}" >/dev/null 2>&1 || true
  done
}
trap _pare_cleanup EXIT

# One private directory per test run; everything tmpdir hands out lives below it.
# PARE_KEEP_TMP=1 keeps it for post-mortem debugging.
# Lowercase names only: podman's oci: transport rejects a layout path with capitals.
_pare_lower_mktemp() { # _pare_lower_mktemp PREFIX -> a new directory PREFIX<random>
  local d
  for _ in 1 2 3 4 5 6 7 8; do
    d="$1$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
    mkdir "$d" 2>/dev/null && { echo "$d"; return 0; }
  done
  return 1
}
PARE_TEST_TMP="$(_pare_lower_mktemp "${TMPDIR:-/tmp}/pare-e2e.$(basename "${0%.sh}" | tr 'A-Z_' 'a-z-').")"
export PARE_TEST_TMP
_pare_remove_test_tmp() {
  if [[ "${PARE_KEEP_TMP:-0}" == 1 ]]; then
    echo "lib.sh: kept $PARE_TEST_TMP" >&2
    return
  fi
  # Anything a container runtime left mounted below the test dir must go before rm -rf.
  local mnt
  awk -v root="$PARE_TEST_TMP" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo |
    sort -r | while read -r mnt; do umount -l "$mnt" 2>/dev/null || true; done
  rm -rf "$PARE_TEST_TMP"
}
on_exit _pare_remove_test_tmp

# tmpdir — print the path of a new empty directory (removed when the test exits).
tmpdir() { _pare_lower_mktemp "$PARE_TEST_TMP/tmp."; }

# --- skipping, failing, asserting ---------------------------------------------------------------
skip() {
  echo "SKIP: $*" >&2
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# need_cmd CMD... — skip the test when a command is not installed.
need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || skip "'$c' is not installed (scripts/deps.sh installs it)"
  done
}
# need_pare — fail (not skip) when the binary under test is missing: that is a build problem.
need_pare() {
  [[ -x "$PARE" ]] || fail "pare binary not found at '$PARE' (set PARE or build first)"
}

assert_eq() { # assert_eq EXPECTED ACTUAL [WHAT]
  [[ "$1" == "$2" ]] || fail "${3:-values differ}: expected '$1', got '$2'"
}
assert_ne() { # assert_ne UNEXPECTED ACTUAL [WHAT]
  [[ "$1" != "$2" ]] || fail "${3:-values equal}: did not expect '$2'"
}
assert_contains() { # assert_contains HAYSTACK NEEDLE [WHAT]
  [[ "$1" == *"$2"* ]] || fail "${3:-missing text}: '$2' not found in:"$'\n'"$1"
}
assert_not_contains() { # assert_not_contains HAYSTACK NEEDLE [WHAT]
  [[ "$1" != *"$2"* ]] || fail "${3:-unexpected text}: '$2' found in:"$'\n'"$1"
}
# assert_distroless_accounts ROOTFS [WHAT] — /etc/passwd and /etc/group exactly as DESIGN.md
# gives them to an image whose spec adds no accounts.
assert_distroless_accounts() {
  assert_eq "root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin" "$(cat "$1/etc/passwd")" "${2:+$2: }/etc/passwd"
  assert_eq "root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:" "$(cat "$1/etc/group")" "${2:+$2: }/etc/group"
}
assert_file() { [[ -f "$1" ]] || fail "${2:-expected file} '$1' does not exist"; }
assert_no_file() { [[ ! -e "$1" && ! -L "$1" ]] || fail "${2:-unexpected path} '$1' exists"; }
# assert_fails CMD... — the command must exit non-zero; its output is printed to stdout.
assert_fails() {
  local rc=0
  "$@" 2>&1 || rc=$?
  [[ $rc -ne 0 ]] || fail "expected failure from: $*"
}

# --- podman (flags in one place; override the whole command with PARE_PODMAN) -------------------
pare_podman() {
  local -a cmd
  read -r -a cmd <<<"${PARE_PODMAN:-podman --storage-driver=vfs --cgroup-manager=cgroupfs --runtime runc}"
  mkdir -p "$PARE_TEST_TMP/p"
  "${cmd[@]}" --root "$PARE_TEST_TMP/p/root" --runroot "$PARE_TEST_TMP/p/rr" \
    --tmpdir "$PARE_TEST_TMP/p/tmp" "$@"
}
pare_podman_run() {
  pare_podman run --rm --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@"
}

# --- the network and the host's mirror ---------------------------------------------------------
# host_apt_sources — print "URI SUITE" for each enabled http(s) `deb` entry in the host's apt
# sources (one-line *.list and deb822 *.sources), in apt's file order.
host_apt_sources() {
  local f files=()
  [[ -f /etc/apt/sources.list ]] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] && files+=("$f")
  done
  for f in "${files[@]}"; do
    if [[ "$f" == *.sources ]]; then
      awk -v RS= -F'\n' '{
          types = ""; uris = ""; suites = ""; enabled = "yes"
          for (i = 1; i <= NF; i++) {
            line = $i; sub(/#.*/, "", line)
            if (line ~ /^[Tt]ypes:/) { sub(/^[^:]*:[ \t]*/, "", line); types = line }
            else if (line ~ /^URIs:/) { sub(/^[^:]*:[ \t]*/, "", line); uris = line }
            else if (line ~ /^Suites:/) { sub(/^[^:]*:[ \t]*/, "", line); suites = line }
            else if (line ~ /^Enabled:/) { sub(/^[^:]*:[ \t]*/, "", line); enabled = line }
          }
          if (enabled == "no" || (" " types " ") !~ / deb /) next
          nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
          for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++)
            if (u[a] ~ /^https?:\/\//) print u[a], s[b]
        }' "$f"
    else
      sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
        awk '$1 == "deb" && $2 ~ /^https?:\/\// { print $2, $3 }'
    fi
  done
}

# host_mirror — print "URI SUITE" of the host's main Debian mirror: the entry whose suite is
# the host's codename, else the first entry. PARE_MIRROR overrides the URI.
host_mirror() {
  local codename="" entries
  entries="$(host_apt_sources)"
  [[ -n "$entries" ]] || return 1
  [[ -r /etc/os-release ]] && codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
  local line uri suite
  line="$(awk -v c="$codename" 'c != "" && $2 == c { print; exit }' <<<"$entries")"
  [[ -n "$line" ]] || line="$(head -n1 <<<"$entries")"
  read -r uri suite <<<"$line"
  uri="${PARE_MIRROR:-$uri}"
  echo "${uri%/} $suite"
}

# need_network — skip unless the host's mirror answers (PARE_OFFLINE=1 always skips). The
# answer is cached for 5 minutes in the build dir so a suite of tests asks only once.
need_network() {
  [[ "${PARE_OFFLINE:-0}" != 1 ]] || skip "PARE_OFFLINE=1"
  local entry uri suite cache="$PARE_BUILD_DIR/.network-check"
  entry="$(host_mirror)" || skip "no http(s) mirror in the host's apt sources"
  read -r uri suite <<<"$entry"
  if [[ -f "$cache" && -n "$(find "$cache" -mmin -5 2>/dev/null)" ]]; then
    [[ "$(cat "$cache")" == ok ]] && return 0
    skip "mirror $uri unreachable (cached result)"
  fi
  mkdir -p "$PARE_BUILD_DIR" 2>/dev/null || true
  if curl -fsS --max-time 15 -o /dev/null "${uri%/}/dists/$suite/InRelease" 2>/dev/null; then
    echo ok >"$cache" 2>/dev/null || true
  else
    echo unreachable >"$cache" 2>/dev/null || true
    skip "mirror $uri unreachable"
  fi
}

# --- the offline fixture repository ------------------------------------------------------------
# fixture_repo_build — build tests/fixtures' signed repository once into
# $PARE_BUILD_DIR/fixture-repo (rebuilt only when the generator changes; safe under ctest -j)
# and export PARE_TEST_REPO (its directory) and PARE_TEST_KEYRING.
fixture_repo_build() {
  local fixtures="$PARE_SOURCE_DIR/tests/fixtures" dir="$PARE_BUILD_DIR/fixture-repo" hash
  need_cmd dpkg-deb apt-ftparchive gpg gcc flock
  hash="$(cat "$fixtures/make-repo.sh" "$fixtures/packages.sh" "$fixtures/src/hello.c" |
    sha256sum | cut -c1-16)"
  mkdir -p "$PARE_BUILD_DIR"
  (
    flock 9
    if [[ "$(cat "$dir/.stamp" 2>/dev/null)" != "$hash" ]]; then
      bash "$fixtures/make-repo.sh" "$dir" >&2
      echo "$hash" >"$dir/.stamp"
    fi
  ) 9>"$PARE_BUILD_DIR/fixture-repo.lock"
  export PARE_TEST_REPO="$dir" PARE_TEST_KEYRING="$dir/keyring.gpg"
}

# serve_dir DIR [http_server.py options] — serve DIR on 127.0.0.1 until the test exits; sets
# SERVED_PORT and SERVED_PID. Options: --fail-first N, --fail-status S, --log FILE.
serve_dir() {
  local dir="$1" out
  shift
  out="$(bash "$PARE_SOURCE_DIR/tests/fixtures/serve-repo.sh" "$dir" --parent-pid $$ "$@")" ||
    fail "could not serve $dir"
  read -r SERVED_PORT SERVED_PID <<<"$out"
  [[ -n "$SERVED_PORT" && -n "$SERVED_PID" ]] || fail "serve-repo.sh printed '$out'"
  on_exit "kill $SERVED_PID"
}

# fixture_repo [http_server.py options] — build the fixture repository and serve it; exports
# PARE_TEST_MIRROR (the archive root), PARE_TEST_SECURITY_MIRROR (the security root),
# PARE_TEST_KEYRING, PARE_TEST_REPO and PARE_TEST_REPO_PORT. Suites: bookworm, bookworm-updates,
# trixie, trixie-updates (on PARE_TEST_MIRROR), bookworm-security and trixie-security (on
# PARE_TEST_SECURITY_MIRROR).
fixture_repo() {
  fixture_repo_build
  serve_dir "$PARE_TEST_REPO" "$@"
  export PARE_TEST_REPO_PORT="$SERVED_PORT"
  export PARE_TEST_MIRROR="http://127.0.0.1:$SERVED_PORT"
  export PARE_TEST_SECURITY_MIRROR="http://127.0.0.1:$SERVED_PORT/security"
}

# fixture_repo_copy DEST — a private copy of the fixture repository to tamper with (serve it
# with serve_dir). Builds the repository first if needed.
fixture_repo_copy() {
  [[ -n "${PARE_TEST_REPO:-}" ]] || fixture_repo_build
  mkdir -p "$1"
  cp -a "$PARE_TEST_REPO/." "$1/"
}

# fixture_sign SUITE_DIR — re-sign SUITE_DIR/Release (InRelease + Release.gpg) with the fixture
# key, e.g. after editing a copy, so a test reaches the checks behind the signature.
fixture_sign() {
  local dir="$1" home="$PARE_TEST_TMP/gnupg" fpr
  [[ -n "${PARE_TEST_REPO:-}" ]] || fixture_repo_build
  if [[ ! -d "$home" ]]; then
    cp -a "$PARE_TEST_REPO/keys" "$home"
    chmod 0700 "$home"
    on_exit "gpgconf --homedir '$home' --kill all"
  fi
  fpr="$(cat "$PARE_TEST_REPO/keyring.fingerprint")"
  local -a gpg=(gpg --homedir "$home" --batch --yes --quiet --trust-model always
    --local-user "$fpr" --digest-algo SHA512)
  "${gpg[@]}" --clearsign -o "$dir/InRelease" "$dir/Release"
  "${gpg[@]}" --armor --detach-sign -o "$dir/Release.gpg" "$dir/Release"
}

# --- self-test (only when executed, not when sourced) -------------------------------------------
_pare_lib_selftest() {
  local d rc out
  assert_eq a a
  assert_contains "hello world" "lo wo"
  assert_not_contains "hello" "bye"
  (assert_eq a b) 2>/dev/null && fail "assert_eq accepted different values"
  (assert_contains "abc" "x") 2>/dev/null && fail "assert_contains accepted a missing needle"
  (fail "x") 2>/dev/null && fail "fail did not fail"
  out="$(assert_fails sh -c 'echo boom; exit 3')"
  assert_eq boom "$out" "assert_fails output"
  (assert_fails true) 2>/dev/null && fail "assert_fails accepted success"
  rc=0
  (need_cmd pare-no-such-command-xyz) 2>/dev/null || rc=$?
  assert_eq 77 "$rc" "need_cmd exit code for a missing command"
  rc=0
  (PARE_OFFLINE=1 need_network) 2>/dev/null || rc=$?
  assert_eq 77 "$rc" "need_network exit code when offline"
  d="$(tmpdir)"
  [[ -d "$d" && "$d" == "$PARE_TEST_TMP"/* ]] || fail "tmpdir gave '$d'"
  on_exit "true"
  echo "lib.sh self-test: ok"
}
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  _pare_lib_selftest
fi
