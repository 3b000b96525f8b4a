# labels: network podman
# The language runtime images against the real archive, for the suite $1 (default bookworm;
# network_runtimes_trixie.sh passes trixie): python3, nodejs and java run real programs in
# podman; each makes an HTTPS request to a local TLS server whose certificate chains to a test
# CA added through the spec's `certificates:` option (and fails without it); debug variants have
# a shell and the others none; cc builds for arm64 too, runs under qemu-user when available.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_pare
need_network
need_cmd podman skopeo umoci openssl python3 javac file
SUITE="${1:-bookworm}"
CACHE="${PARE_BUILD_DIR}/network-cache"
T="$(tmpdir)"
EX="$PARE_SOURCE_DIR/examples"
build() { "$PARE" build "$@" --suite "$SUITE" --cache-dir "$CACHE" -q; }
run_host() { pare_podman run --rm --network=host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@"; }

# --- a test CA and a TLS server on 127.0.0.1 signed by it ----------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=pare test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
  -keyout "$T/ca.key" -out "$T/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$T/srv.key" -out "$T/srv.csr" 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
  -extfile "$T/ext" -out "$T/srv.crt" 2>/dev/null
cat >"$T/server.py" <<'EOF'
import http.server, ssl, sys
srv = http.server.HTTPServer(("127.0.0.1", 0), type("H", (http.server.BaseHTTPRequestHandler,), {
    "do_GET": lambda self: (self.send_response(200), self.end_headers(), self.wfile.write(b"tls-ok")),
    "log_message": lambda *a: None}))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
open(sys.argv[3], "w").write(str(srv.server_address[1]))
srv.serve_forever()
EOF
/usr/bin/python3 "$T/server.py" "$T/srv.crt" "$T/srv.key" "$T/port" &
on_exit "kill $!"
for _ in $(seq 50); do [[ -s "$T/port" ]] && break; sleep 0.1; done
PORT="$(cat "$T/port")"
URL="https://localhost:$PORT/"

spec() { # spec NAME FROM [extra yaml...] -> path
  local name="$1" from="$2"
  shift 2
  { echo "from: $from"; echo "name: $name"; printf '%s\n' "$@"; } >"$T/$name.yaml"
  echo "$T/$name.yaml"
}

# --- python3 ------------------------------------------------------------------------------------
cat >"$T/app.py" <<EOF
import sys, ssl, sqlite3, ctypes, zlib, lzma, bz2, hashlib, uuid, decimal, venv, json, subprocess, urllib.request
assert sys.getfilesystemencoding() == "utf-8", sys.getfilesystemencoding()
open("/tmp/h\u00e9llo-\u00f1.txt", "w").write("x")
assert open("/tmp/h\u00e9llo-\u00f1.txt").read() == "x"
try:
    subprocess.run("echo hi", shell=True, check=True)
    print("SHELL-WORKED")
except OSError:
    pass
try:
    print(urllib.request.urlopen("$URL").read().decode())
except Exception as e:
    print("tls-failed", type(e).__name__)
print("python-ok", sys.version_info[:2])
EOF
py="$(spec py "$EX/python3.yaml" "files: [{src: $T/app.py, dest: /app/app.py}]" "cmd: [/app/app.py]" \
  "certificates: [$T/ca.crt]" "variants: [latest, nonroot, debug, debug-nonroot]")"
build "$py" -o "$T/py"
out="$(run_host "oci:$T/py:py:latest" 2>&1 | tail -n3)"
assert_contains "$out" "python-ok"
assert_contains "$out" "tls-ok" "python https with the added CA"
assert_not_contains "$out" "SHELL-WORKED" "no shell for subprocess(shell=True)"
cfg="$(skopeo inspect --config "oci:$T/py:py:latest")"
assert_contains "$cfg" "LANG=C.UTF-8"
assert_contains "$cfg" '"/usr/bin/python3"'
umoci unpack --image "$T/py:py:latest" "$T/u-py" >/dev/null
assert_file "$T/u-py/rootfs/usr/bin/python3"
[[ -L "$T/u-py/rootfs/usr/bin/python" ]] || fail "/usr/bin/python missing"
res="$("$PARE" resolve "$py" --suite "$SUITE" --cache-dir "$CACHE" --json)"
for bad in '"dpkg"' '"debconf"' '"perl-base"' '"tar"' '"bash"' '"dash"' '"coreutils"'; do
  assert_not_contains "$(python3 -c 'import json,sys; print([p["name"] for p in json.load(sys.stdin)["archs"][0]["packages"]])' <<<"$res" | tr "'" '"')" "$bad" "python3 set has no $bad"
done
assert_contains "$res" '"excluded"'

# --- debug variants: a shell there, none elsewhere ----------------------------------------------
assert_eq "ok" "$(pare_podman_run --entrypoint /busybox/sh "oci:$T/py:py:debug" -c 'echo ok' | tail -n1)" "debug shell"
assert_eq "65532" "$(pare_podman_run --entrypoint /busybox/sh "oci:$T/py:py:debug-nonroot" -c 'id -u' | tail -n1)" "debug-nonroot uid"
for p in bin/sh usr/bin/sh busybox; do assert_no_file "$T/u-py/rootfs/$p" "latest must not have /$p"; done

# --- nodejs -------------------------------------------------------------------------------------
cat >"$T/app.js" <<EOF
const https = require('https');
console.log('node', process.versions.node, 'openssl', process.versions.openssl);
https.get('$URL', res => { let b = ''; res.on('data', d => b += d); res.on('end', () => console.log(b)); })
  .on('error', e => console.log('tls-failed', e.code));
EOF
node_with="$(spec nodeca "$EX/nodejs.yaml" "files: [{src: $T/app.js, dest: /app/app.js}]" "cmd: [/app/app.js]" "certificates: [$T/ca.crt]")"
node_without="$(spec nodeplain "$EX/nodejs.yaml" "files: [{src: $T/app.js, dest: /app/app.js}]" "cmd: [/app/app.js]")"
build "$node_with" -o "$T/nodeca"
build "$node_without" -o "$T/nodeplain"
out="$(run_host "oci:$T/nodeca:nodeca:latest" 2>&1 | tail -n2)"
assert_contains "$out" "node "
assert_contains "$out" "tls-ok" "node https with the added CA"
assert_contains "$(run_host "oci:$T/nodeplain:nodeplain:latest" 2>&1 | tail -n1)" "tls-failed" "node without the CA"

# --- java ----------------------------------------------------------------------------------------
cat >"$T/Hello.java" <<EOF
import java.net.URL;
import java.io.InputStream;
public class Hello {
  public static void main(String[] a) throws Exception {
    System.out.println("java " + System.getProperty("java.version") + " lang=" + System.getenv("LANG"));
    try (InputStream in = new URL("$URL").openStream()) { System.out.println(new String(in.readAllBytes())); }
    catch (Exception e) { System.out.println("tls-failed " + e.getClass().getSimpleName()); }
  }
}
EOF
(cd "$T" && javac --release 17 Hello.java)
java_spec="$(spec japp "$EX/java.yaml" "files: [{src: $T/Hello.class, dest: /app/Hello.class}]" \
  "entrypoint: [java, -cp, /app, Hello]" "certificates: [$T/ca.crt]")"
build "$java_spec" -o "$T/java"
out="$(run_host "oci:$T/java:japp:latest" 2>&1 | tail -n2)"
assert_contains "$out" "lang=C.UTF-8"
assert_contains "$out" "tls-ok" "java https through the generated trust store"

# --- multi-arch: cc for amd64 and arm64 -----------------------------------------------------------
build "$EX/cc.yaml" --arch amd64,arm64 --variant latest,debug -o "$T/ccm"
raw="$(skopeo inspect --raw "oci:$T/ccm:cc:latest")"
assert_contains "$raw" '"architecture":"amd64"'
assert_contains "$raw" '"architecture":"arm64"'
umoci unpack --image "$T/ccm:cc:latest-arm64" "$T/u-arm" >/dev/null
libc="$(find "$T/u-arm/rootfs" -name libc.so.6 -path '*aarch64-linux-gnu*' | head -n1)"
[[ -n "$libc" ]] || fail "no aarch64 libc.so.6 in the arm64 image"
assert_contains "$(file -L "$libc")" "ARM aarch64"
if mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null; then
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
fi
if [[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
  assert_eq "aarch64" "$(pare_podman_run --arch arm64 --entrypoint /busybox/uname "oci:$T/ccm:cc:debug-arm64" -m | tail -n1)" "arm64 under qemu"
else
  echo "note: qemu-user for aarch64 is not available here; arm64 images checked statically only"
fi

echo "network_runtimes ($SUITE): all checks passed"
