# labels: network podman
# The distroless families against the real Debian archive (mirror from the host's apt sources
# or PARE_MIRROR), for the suite given as $1 (default: bookworm; network_core_trixie.sh passes
# trixie): static, base-nossl, base and cc, latest and nonroot, run in podman and checked for
# what users rely on; cold and warm builds agree; every output format is readable by skopeo
# and umoci.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_pare
need_network
need_cmd podman skopeo umoci gcc g++ python3
SUITE="${1:-bookworm}"
case "$SUITE" in bookworm) VERSION_ID=12 ;; trixie) VERSION_ID=13 ;; *) fail "unknown suite $SUITE" ;; esac
CACHE="${PARE_BUILD_DIR}/network-cache"
T="$(tmpdir)"
EX="$PARE_SOURCE_DIR/examples"

# Programs the images must run (compiled on this Debian 12 host; glibc is backward compatible).
cat >"$T/probe.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(void) {
  const char* f = getenv("SSL_CERT_FILE");
  int certs = 0;
  char line[4096];
  FILE* in = f ? fopen(f, "r") : NULL;
  while (in && fgets(line, sizeof line, in))
    if (strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0) certs++;
  char cwd[4096];
  printf("uid=%d gid=%d cwd=%s certs=%d\n", (int)getuid(), (int)getgid(), getcwd(cwd, sizeof cwd), certs);
  return 0;
}
EOF
cat >"$T/hello.cpp" <<'EOF'
#include <iostream>
#include <string>
#include <vector>
int main() { std::vector<std::string> v{"hello", "from", "cc"}; for (auto& s : v) std::cout << s << ' '; std::cout << '\n'; }
EOF
gcc -O2 -o "$T/probe" "$T/probe.c"
gcc -O2 -static -o "$T/probe-static" "$T/probe.c"
g++ -O2 -o "$T/hello" "$T/hello.cpp"

app() { # app NAME FROM PROGRAM -> spec path
  cat >"$T/$1.yaml" <<EOF
from: $2
name: $1
files: [{src: $3, dest: /app/prog, mode: "0755"}]
entrypoint: [/app/prog]
EOF
  echo "$T/$1.yaml"
}
build() { "$PARE" build "$@" --suite "$SUITE" --cache-dir "$CACHE" -q; }
run_in() { pare_podman_run "oci:$1" | tail -n1; }

build "$(app s-app "$EX/static.yaml" "$T/probe-static")" -o "$T/s"
build "$(app b-app "$EX/base.yaml" "$T/probe")" -o "$T/b"
build "$(app cc-app "$EX/cc.yaml" "$T/hello")" -o "$T/cc"
build "$(app ccp-app "$EX/cc.yaml" "$T/probe")" -o "$T/ccp"
build "$EX/base-nossl.yaml" -o "$T/bn"

# --- programs run, as root and as nonroot --------------------------------------------------------
out="$(run_in "$T/s:s-app:latest")"
assert_contains "$out" "uid=0 gid=0 cwd=/ " "static runs a static program as root"
certs="$(sed -n 's/.*certs=\([0-9]*\).*/\1/p' <<<"$out")"
[[ "$certs" -gt 100 ]] || fail "the CA bundle at \$SSL_CERT_FILE has only $certs certificates"
assert_contains "$(run_in "$T/s:s-app:nonroot")" "uid=65532 gid=65532 cwd=/home/nonroot" "nonroot"
assert_contains "$(run_in "$T/b:b-app:latest")" "uid=0" "base runs a libc program"
assert_eq "hello from cc " "$(run_in "$T/cc:cc-app:latest")" "cc runs a C++ program"
assert_eq "hello from cc " "$(run_in "$T/cc:cc-app:nonroot")" "cc nonroot runs a C++ program"
assert_contains "$(run_in "$T/ccp:ccp-app:nonroot")" "uid=65532 gid=65532 cwd=/home/nonroot" "cc nonroot ids"

# --- the file tree ---------------------------------------------------------------------------------
for img in "s:s-app" "bn:base-nossl" "b:b-app" "cc:cc-app"; do
  dir="${img%%:*}"
  umoci unpack --image "$T/$dir:${img#*:}:latest" "$T/u-$dir" >/dev/null
  R="$T/u-$dir/rootfs"
  assert_eq "root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin" "$(cat "$R/etc/passwd")" "$img /etc/passwd"
  assert_eq "root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:" "$(cat "$R/etc/group")" "$img /etc/group"
  for p in bin/sh usr/bin/sh bin/bash usr/bin/dpkg usr/bin/perl usr/bin/apt; do
    assert_no_file "$R/$p" "$img must not contain /$p"
  done
  assert_file "$R/etc/debian_version"
  assert_contains "$(cat "$R/etc/os-release")" "VERSION_ID=\"$VERSION_ID\""
  assert_contains "$(cat "$R/etc/os-release")" 'PRETTY_NAME="Distroless"'
  # The Mozilla roots: the host's copy of one well-known root is in the bundle.
  root_pem="$(grep -v '^$' /usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt 2>/dev/null || true)"
  [[ -z "$root_pem" ]] || assert_contains "$(cat "$R/etc/ssl/certs/ca-certificates.crt")" "$root_pem" "ISRG Root X1"
  if [[ "$SUITE" == trixie ]]; then
    assert_eq "usr/bin" "$(readlink "$R/bin")" "$img: merged /usr"
  fi
done
for dir in b cc; do
  assert_contains "$(cat "$T/u-$dir/rootfs/var/lib/dpkg/status.d/libc6")" "Package: libc6"
done

# --- sizes (uncompressed rootfs), against distroless's published ones ------------------------------
s_size="$(du -sb "$T/u-s/rootfs" | cut -f1)"
b_size="$(du -sb "$T/u-b/rootfs" | cut -f1)"
cc_size="$(du -sb "$T/u-cc/rootfs" | cut -f1)"
echo "sizes ($SUITE): static $s_size, base $b_size, cc $cc_size bytes"
[[ "$s_size" -lt 5000000 ]] || fail "static is $s_size bytes"
[[ "$b_size" -lt 35000000 ]] || fail "base is $b_size bytes"
[[ "$cc_size" -lt 40000000 ]] || fail "cc is $cc_size bytes"

# --- formats and reproducibility ----------------------------------------------------------------
skopeo inspect "oci:$T/cc:cc-app:latest" >/dev/null
build "$T/cc-app.yaml" --format oci-archive -o "$T/cc.oci.tar"
skopeo inspect "oci-archive:$T/cc.oci.tar:cc-app:latest" >/dev/null
build "$T/cc-app.yaml" --format docker-archive --variant nonroot -o "$T/cc.docker.tar"
skopeo inspect "docker-archive:$T/cc.docker.tar" >/dev/null
pare_podman load -q -i "$T/cc.docker.tar" >/dev/null
assert_eq "hello from cc " "$(pare_podman_run cc-app:nonroot | tail -n1)" "docker-archive runs"

digest() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]+"/index.json"))["manifests"][0]["digest"])' "$1"; }
"$PARE" build "$T/cc-app.yaml" --suite "$SUITE" --cache-dir "$T/cold" -q -o "$T/cold-out"
assert_eq "$(digest "$T/cc")" "$(digest "$T/cold-out")" "cold and warm builds give the same digest"

echo "network_core ($SUITE): all checks passed"
