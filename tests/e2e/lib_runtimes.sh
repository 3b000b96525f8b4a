# labels: offline
# shellcheck shell=bash
# lib_runtimes.sh — helpers for the runtime e2e tests (network_rt_*.sh). Source it after lib.sh:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
#   rt_init "${1:-bookworm}"
#
# What it gives: the suite, the shared network cache and a build wrapper (rt_init, rt_build,
# rt_spec), a test CA with a server certificate and a TLS server on 127.0.0.1 signed by it
# (rt_tls_server), podman with the host's network for talking to that server (rt_run_host),
# small JSON readers (rt_json) and arm64 emulation (enable_qemu_arm64).
#
# Executed directly (bash tests/e2e/lib_runtimes.sh) it runs an offline self-test, which is why
# it carries a labels line: ctest picks up every tests/e2e/*.sh.

# rt_init SUITE — set SUITE, CACHE (the cache every network test shares), T (a scratch
# directory) and EX (the examples directory).
rt_init() {
  SUITE="$1"
  case "$SUITE" in bookworm | trixie) ;; *) fail "unknown suite '$SUITE' (bookworm or trixie)" ;; esac
  CACHE="${PARE_BUILD_DIR}/network-cache"
  T="$(tmpdir)"
  EX="$PARE_SOURCE_DIR/examples"
}

# rt_build ARGS... — pare build for $SUITE with the shared cache, quietly.
rt_build() { "$PARE" build "$@" --suite "$SUITE" --cache-dir "$CACHE" -q; }

# rt_resolve SPEC [ARGS...] — pare resolve --json for $SUITE with the shared cache.
rt_resolve() { "$PARE" resolve "$@" --suite "$SUITE" --cache-dir "$CACHE" --json; }

# rt_spec NAME FROM [YAML-LINE...] — write $T/NAME.yaml (`from: FROM`, `name: NAME`, the lines)
# and print its path.
rt_spec() {
  local name="$1" from="$2"
  shift 2
  { echo "from: $from"; echo "name: $name"; printf '%s\n' "$@"; } >"$T/$name.yaml"
  echo "$T/$name.yaml"
}

# rt_json EXPR — evaluate a Python expression over the JSON document on stdin (bound to `j`)
# and print the result (lists one item per line).
rt_json() {
  python3 -c '
import json, sys
j = json.load(sys.stdin)
r = eval(sys.argv[1])
if isinstance(r, (list, tuple, set)):
    for x in r: print(x)
else:
    print(r)' "$1"
}

# --- checks that report every failure, not just the first ----------------------------------------
# rt_check ASSERTION ARGS... — run an assert_* (or any command) in a subshell; on failure record
# it and go on. rt_done NAME fails the test listing every recorded failure, or prints NAME ok.
RT_FAILURES=()
rt_check() {
  ("$@") || RT_FAILURES+=("${*:1:1} ... ${*: -1}")
}
rt_done() {
  if ((${#RT_FAILURES[@]})); then
    printf 'FAILED CHECK: %s\n' "${RT_FAILURES[@]}" >&2
    fail "$1: ${#RT_FAILURES[@]} check(s) failed (see above)"
  fi
  echo "$1: all checks passed"
}

# --- a test CA and a TLS server signed by it ----------------------------------------------------
# The server's name, mapped to 127.0.0.1 inside containers with --add-host (rt_run_host), so
# a client also goes through /etc/hosts and nsswitch.conf as it would for a real name.
RT_TLS_NAME="pare-tls.test"

# rt_make_ca DIR — DIR/ca.{crt,key} (a CA) and DIR/srv.{crt,key} (a server certificate for
# $RT_TLS_NAME and 127.0.0.1, signed by the CA).
rt_make_ca() {
  local d="$1"
  need_cmd openssl
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pare e2e test CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null || fail "openssl: could not make the test CA"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$RT_TLS_NAME" \
    -keyout "$d/srv.key" -out "$d/srv.csr" 2>/dev/null || fail "openssl: could not make a CSR"
  printf 'subjectAltName=DNS:%s,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' "$RT_TLS_NAME" >"$d/srv.ext"
  openssl x509 -req -in "$d/srv.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/srv.ext" -out "$d/srv.crt" 2>/dev/null || fail "openssl: could not sign the server certificate"
}

# rt_tls_server DIR — make the CA in DIR (rt_make_ca) and serve HTTPS on 127.0.0.1 (a free
# port) until the test exits; every GET answers "tls-ok". Sets RT_TLS_PORT and RT_TLS_URL.
rt_tls_server() {
  local d="$1"
  rt_make_ca "$d"
  cat >"$d/server.py" <<'EOF'
import http.server, ssl, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "6")
        self.end_headers()
        self.wfile.write(b"tls-ok")
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(sys.argv[3] + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os; os.rename(sys.argv[3] + ".tmp", sys.argv[3])
srv.serve_forever()
EOF
  python3 "$d/server.py" "$d/srv.crt" "$d/srv.key" "$d/port" &
  local pid=$!
  on_exit "kill $pid"
  for _ in $(seq 100); do
    [[ -s "$d/port" ]] && break
    kill -0 "$pid" 2>/dev/null || fail "the TLS test server exited"
    sleep 0.1
  done
  [[ -s "$d/port" ]] || fail "the TLS test server did not start"
  RT_TLS_PORT="$(cat "$d/port")"
  RT_TLS_URL="https://$RT_TLS_NAME:$RT_TLS_PORT/"
}

# rt_run_host ARGS... — podman run with the host's network (to reach the TLS server on
# 127.0.0.1) and $RT_TLS_NAME mapped to 127.0.0.1; otherwise lib.sh's flags.
rt_run_host() {
  pare_podman run -q --rm --network=host --add-host "$RT_TLS_NAME:127.0.0.1" \
    --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@"
}

# --- arm64 under emulation -------------------------------------------------------------------------
# enable_qemu_arm64 — make sure the kernel runs aarch64 binaries through qemu-user (binfmt_misc;
# packages qemu-user-static and binfmt-support; needs root). Returns 1, printing why, when it
# cannot: callers skip their arm64 run then, as nothing else depends on it.
enable_qemu_arm64() {
  local bm=/proc/sys/fs/binfmt_misc
  if ! mountpoint -q "$bm" 2>/dev/null; then
    mount -t binfmt_misc binfmt_misc "$bm" 2>/dev/null || {
      echo "note: cannot mount $bm (not root, or no binfmt_misc)" >&2
      return 1
    }
  fi
  if [[ ! -e "$bm/qemu-aarch64" ]] || ! grep -qx enabled "$bm/qemu-aarch64" 2>/dev/null; then
    command -v update-binfmts >/dev/null 2>&1 || {
      echo "note: update-binfmts missing (package binfmt-support)" >&2
      return 1
    }
    update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || {
      echo "note: update-binfmts --enable qemu-aarch64 failed (package qemu-user-static?)" >&2
      return 1
    }
  fi
  grep -qx enabled "$bm/qemu-aarch64" 2>/dev/null || {
    echo "note: qemu-aarch64 is not enabled in $bm" >&2
    return 1
  }
}

# --- self-test (only when executed, not when sourced) -------------------------------------------
_rt_lib_selftest() {
  need_cmd openssl python3 curl
  local d out
  d="$(tmpdir)"
  rt_tls_server "$d"
  [[ "$RT_TLS_PORT" =~ ^[0-9]+$ ]] || fail "RT_TLS_PORT is '$RT_TLS_PORT'"
  openssl verify -CAfile "$d/ca.crt" "$d/srv.crt" >/dev/null || fail "server certificate does not chain to the CA"
  out="$(curl -fsS --max-time 10 --cacert "$d/ca.crt" --resolve "$RT_TLS_NAME:$RT_TLS_PORT:127.0.0.1" "$RT_TLS_URL")"
  assert_eq "tls-ok" "$out" "TLS server answer with the test CA"
  # Without the CA the same request must fail verification: the server is really checked.
  curl -fsS --max-time 10 --resolve "$RT_TLS_NAME:$RT_TLS_PORT:127.0.0.1" "$RT_TLS_URL" >/dev/null 2>&1 &&
    fail "curl trusted the test server without its CA"
  (rt_init sid) 2>/dev/null && fail "rt_init accepted an unknown suite"
  rt_init trixie
  assert_eq trixie "$SUITE"
  [[ -d "$T" ]] || fail "rt_init made no scratch directory"
  local spec
  spec="$(rt_spec app "$EX/cc.yaml" "cmd: [/x]")"
  assert_eq "from: $EX/cc.yaml"$'\n'"name: app"$'\n'"cmd: [/x]" "$(cat "$spec")" "rt_spec output"
  assert_eq $'a\nb' "$(echo '{"x": ["a", "b"]}' | rt_json 'j["x"]')" "rt_json list"
  rt_check assert_eq a b "a deliberate failure" 2>/dev/null
  rt_check assert_eq a a "a check that holds"
  assert_eq 1 "${#RT_FAILURES[@]}" "rt_check records exactly the failed check"
  assert_contains "${RT_FAILURES[0]}" "a deliberate failure" "rt_check's record"
  (rt_done selftest) 2>/dev/null && fail "rt_done passed despite a recorded failure"
  RT_FAILURES=()
  rt_done "rt_done with no failure" >/dev/null
  # enable_qemu_arm64 must answer either way without aborting the test.
  if enable_qemu_arm64 2>/dev/null; then echo "qemu-aarch64: enabled"; else echo "qemu-aarch64: unavailable"; fi
  echo "lib_runtimes.sh self-test: ok"
}
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
  _rt_lib_selftest
fi
