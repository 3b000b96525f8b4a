# shellcheck shell=bash
# registry.bash — the CNCF distribution registry (Debian's docker-registry) for e2e tests,
# started on 127.0.0.1 on a free port and stopped when the test exits. Source after lib.sh.
#
#   start_registry plain|htpasswd|tls|token   sets REG (host:port), REG_DIR, REG_LOG,
#                                             REG_CA (tls), REG_USER/REG_PASS (auth setups)
#   upload_requests                           how many blob upload requests (POST/PATCH/PUT
#                                             on .../blobs/uploads/) the registry has logged
#   stop_registry
# The token setup also runs tests/e2e/registry/token_server.py (RS256 JWTs signed with a key
# the test makes, certificate in the registry's rootcertbundle); user "reader" only gets pull.

REG_HELPERS="$(dirname "${BASH_SOURCE[0]}")/registry"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT — until something listens on 127.0.0.1:PORT (10 s).
wait_port() {
  local i
  for i in $(seq 1 100); do
    (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

make_ca_and_cert() { # make_ca_and_cert DIR — DIR/ca.crt, DIR/server.crt, DIR/server.key
  local d="$1"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pare test CA" \
    -keyout "$d/ca.key" -out "$d/ca.crt" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$d/server.key" \
    -out "$d/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' >"$d/ext.cnf"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -out "$d/server.crt" -extfile "$d/ext.cnf" 2>/dev/null
}

start_registry() {
  need_cmd docker-registry python3 openssl
  local mode="${1:-plain}" port
  REG_DIR="$(tmpdir)"
  port="$(free_port)"
  REG="127.0.0.1:$port"
  REG_LOG="$REG_DIR/registry.log"
  REG_USER=pare-user
  REG_PASS="s3cret-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  local http_extra="" auth=""
  case "$mode" in
    plain) ;;
    htpasswd)
      need_cmd htpasswd
      htpasswd -Bbn "$REG_USER" "$REG_PASS" >"$REG_DIR/htpasswd" 2>/dev/null
      auth="auth:
  htpasswd:
    realm: pare-test
    path: $REG_DIR/htpasswd" ;;
    tls)
      make_ca_and_cert "$REG_DIR"
      REG_CA="$REG_DIR/ca.crt"
      http_extra="  tls:
    certificate: $REG_DIR/server.crt
    key: $REG_DIR/server.key" ;;
    token)
      local tport
      tport="$(free_port)"
      openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pare token issuer" \
        -keyout "$REG_DIR/token.key" -out "$REG_DIR/token.crt" 2>/dev/null
      python3 "$REG_HELPERS/token_server.py" --port "$tport" --key "$REG_DIR/token.key" \
        --cert "$REG_DIR/token.crt" --user "$REG_USER:$REG_PASS" --user "reader:reader-pass" \
        --log "$REG_DIR/token.log" &
      REG_TOKEN_PID=$!
      on_exit "kill $REG_TOKEN_PID"
      wait_port "$tport" || fail "token server did not start"
      REG_TOKEN_LOG="$REG_DIR/token.log"
      auth="auth:
  token:
    realm: http://127.0.0.1:$tport/token
    service: pare-test
    issuer: pare-test-issuer
    rootcertbundle: $REG_DIR/token.crt" ;;
    *) fail "start_registry: unknown mode $mode" ;;
  esac
  cat >"$REG_DIR/config.yml" <<EOF_CONFIG
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $REG_DIR/data
  delete:
    enabled: true
http:
  addr: $REG
$http_extra
$auth
EOF_CONFIG
  docker-registry serve "$REG_DIR/config.yml" >"$REG_LOG" 2>&1 &
  REG_PID=$!
  on_exit "stop_registry"
  wait_port "$port" || { cat "$REG_LOG" >&2; fail "registry did not start"; }
}

stop_registry() {
  [[ -n "${REG_PID:-}" ]] || return 0
  kill "$REG_PID" 2>/dev/null || true
  wait "$REG_PID" 2>/dev/null || true
  REG_PID=""
}

# upload_requests — requests that carried blob bytes (PATCH chunks and PUTs to an upload
# session) in the registry's log so far: one "response completed" line each.
upload_requests() {
  grep 'msg="response completed"' "$REG_LOG" |
    grep -cE 'http.request.method=(PUT|PATCH) [^"]*"[^"]*" http.request.uri="/v2/[^"]*/blobs/uploads/' ||
    true
}
# mount_requests — answered POSTs with ?mount= (201: mounted).
mount_requests() {
  grep 'msg="response completed"' "$REG_LOG" |
    grep 'http.request.uri="/v2/[^"]*/blobs/uploads/?mount=' | grep -c 'http.response.status=201' ||
    true
}
