# labels: offline podman
# The core pipeline end to end against the generated, signed fixture repository served on
# 127.0.0.1: build a from: chain, run its program in podman, check the distroless conventions,
# reproducibility (cold vs warm), the lockfile, --offline, and that tampering is caught with
# nothing half-written.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_pare
need_cmd podman skopeo umoci python3
fixture_repo
FIXTURE_PID="$SERVED_PID"
export PARE_MIRROR="$PARE_TEST_MIRROR" PARE_SECURITY_MIRROR="$PARE_TEST_SECURITY_MIRROR"
T="$(tmpdir)"

# --- a three-level chain: static-like, libc, app ---------------------------------------------
cat >"$T/static.yaml" <<EOF
source: {suite: bookworm, keyring: $PARE_TEST_KEYRING}
archs: [amd64]
packages: [base-files, netbase, tzdata, media-types, ca-certificates]
exclude: [debconf, perl-base, openssl]
env: {SSL_CERT_FILE: /etc/ssl/certs/ca-certificates.crt}
variants: [latest, nonroot]
EOF
cat >"$T/libc.yaml" <<EOF
from: static.yaml
packages: [libc6]
EOF
cat >"$T/app.yaml" <<EOF
from: libc.yaml
name: app
packages: [hello]
entrypoint: [/usr/bin/hello]
EOF

build() { "$PARE" build "$@" -q; }
digest_of() { # digest_of LAYOUT TAG
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1]+"/index.json"))
print([m["digest"] for m in d["manifests"] if m["annotations"]["org.opencontainers.image.ref.name"]==sys.argv[2]][0])' "$1" "$2"
}

build "$T/app.yaml" -o "$T/out" --cache-dir "$T/cache1"
assert_eq "hello from pare fixture" "$(pare_podman_run "oci:$T/out:app:latest" | tail -n1)" "hello runs"
assert_eq "hello from pare fixture" "$(pare_podman_run --entrypoint /usr/bin/hi "oci:$T/out:app:latest" | tail -n1)" "symlink hi"
assert_eq "hello from pare fixture" "$(pare_podman_run --entrypoint /usr/bin/hello-hardlink "oci:$T/out:app:latest" | tail -n1)" "hardlink"

# --- the file tree: conventions scanners and users rely on -----------------------------------
umoci unpack --image "$T/out:app:latest" "$T/bundle" >/dev/null
R="$T/bundle/rootfs"
assert_distroless_accounts "$R"
assert_file "$R/var/lib/dpkg/status.d/libc6"
assert_contains "$(cat "$R/var/lib/dpkg/status.d/libc6")" "Package: libc6"
assert_file "$R/var/lib/dpkg/status.d/libc6.md5sums"
assert_not_contains "$(cat "$R/var/lib/dpkg/status.d/libc6.md5sums")" "LC_MESSAGES" "md5sums lists only present files"
assert_no_file "$R/usr/share/locale/de/LC_MESSAGES/libc.mo" "translations dropped"
assert_file "$R/usr/share/doc/libc6/copyright"
assert_no_file "$R/usr/share/doc/base-files/changelog.gz" "docs dropped"
assert_no_file "$R/postinst-ran" "no maintainer script ran"
assert_no_file "$R/bin/sh"
assert_no_file "$R/usr/bin/perl" "excluded perl-base"
assert_no_file "$R/usr/sbin/update-ca-certificates" "ca-certificates keeps only its bundle"
assert_eq "1777" "$(stat -c %a "$R/tmp")" "/tmp mode"
assert_eq "700 65532" "$(stat -c '%a %u' "$R/home/nonroot")" "/home/nonroot"
assert_eq "700" "$(stat -c %a "$R/root")" "/root mode"
assert_contains "$(cat "$R/etc/os-release")" 'PRETTY_NAME="Distroless"'
# The CA bundle holds exactly the fixture's three test CAs, in path order.
expected="$(cat "$PARE_TEST_REPO"/test-ca/ca-{1,2,3}.crt | grep -v '^$')"
assert_eq "$expected" "$(grep -v '^$' "$R/etc/ssl/certs/ca-certificates.crt")" "CA bundle"

# --- config and variants ---------------------------------------------------------------------
cfg="$(skopeo inspect --config "oci:$T/out:app:nonroot")"
assert_contains "$cfg" '"User": "65532"'
assert_contains "$cfg" '"WorkingDir": "/home/nonroot"'
assert_contains "$cfg" 'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'
assert_contains "$(pare_podman_run --user 65532 --entrypoint /usr/bin/hello "oci:$T/out:app:nonroot" | tail -n1)" "hello"

# --- reproducible: a second cold build and a warm rebuild give the same digests ---------------
d1="$(digest_of "$T/out" app:latest)"
build "$T/app.yaml" -o "$T/out2" --cache-dir "$T/cache2"
assert_eq "$d1" "$(digest_of "$T/out2" app:latest)" "cold builds agree"
json="$("$PARE" build "$T/app.yaml" -o "$T/out3" --cache-dir "$T/cache1" --json)"
assert_contains "$json" '"layers_built": 0'
assert_eq "$d1" "$(digest_of "$T/out3" app:latest)" "warm build agrees"
SOURCE_DATE_EPOCH=1700000000 build "$T/app.yaml" -o "$T/out4" --cache-dir "$T/cache1"
assert_ne "$d1" "$(digest_of "$T/out4" app:latest)" "SOURCE_DATE_EPOCH changes the image"

# --- lockfile ---------------------------------------------------------------------------------
"$PARE" lock "$T/app.yaml" --cache-dir "$T/cache1" -q
assert_file "$T/app.lock.json"
assert_contains "$(cat "$T/app.lock.json")" '"sha256"'
build "$T/app.yaml" --lockfile "$T/app.lock.json" -o "$T/out5" --cache-dir "$T/cache1"
assert_eq "$d1" "$(digest_of "$T/out5" app:latest)" "lockfile build agrees"
sed -i 's/packages: \[hello\]/packages: [hello, pinme]/' "$T/app.yaml"
out="$("$PARE" build "$T/app.yaml" --lockfile "$T/app.lock.json" -o "$T/out6" --cache-dir "$T/cache1" 2>&1 || true)"
assert_contains "$out" "changed since it was locked"
assert_no_file "$T/out6" "no output after a failed build"
sed -i 's/packages: \[hello, pinme\]/packages: [hello]/' "$T/app.yaml"

# --- offline ------------------------------------------------------------------------------------
rc=0
out="$("$PARE" build "$T/app.yaml" -o "$T/out7" --cache-dir "$T/empty" --offline 2>&1)" || rc=$?
assert_eq 4 "$rc" "offline with an empty cache exits 4"
assert_contains "$out" "offline"
assert_no_file "$T/out7"

# --- merged /usr (trixie-like suite) ------------------------------------------------------------
build "$T/app.yaml" --suite trixie -o "$T/outx" --cache-dir "$T/cache1"
umoci unpack --image "$T/outx:app:latest" "$T/bx" >/dev/null
assert_eq "usr/bin" "$(readlink "$T/bx/rootfs/bin")" "bin -> usr/bin"
assert_eq "usr/lib64" "$(readlink "$T/bx/rootfs/lib64")" "lib64 -> usr/lib64"
assert_file "$T/bx/rootfs/usr/bin/hello-old" "/bin/hello-old moved into /usr"
assert_eq "hello from pare fixture" "$(pare_podman_run "oci:$T/outx:app:latest" | tail -n1)" "runs on merged /usr"

# --- formats ------------------------------------------------------------------------------------
build "$T/app.yaml" --format oci-archive --variant latest -o "$T/app.oci.tar" --cache-dir "$T/cache1"
skopeo inspect "oci-archive:$T/app.oci.tar:app:latest" >/dev/null
build "$T/app.yaml" --format docker-archive --variant latest -o "$T/app.docker.tar" --cache-dir "$T/cache1"
skopeo inspect "docker-archive:$T/app.docker.tar" >/dev/null
pare_podman load -q -i "$T/app.docker.tar" >/dev/null
assert_eq "hello from pare fixture" "$(pare_podman_run app:latest | tail -n1)" "docker-archive loads and runs"

# --- tampering: a changed InRelease, a wrong Packages hash, a replaced .deb ---------------------
tamper() { # tamper NAME -> a served copy of the repo in $T/NAME, mirror in $TAMPERED
  fixture_repo_copy "$T/$1"
  serve_dir "$T/$1"
  TAMPERED="http://127.0.0.1:$SERVED_PORT"
}
expect_failure() { # expect_failure CODE NEEDLE -- build args...
  local code="$1" needle="$2" rc=0 out
  shift 3
  out="$(PARE_MIRROR="$TAMPERED" PARE_SECURITY_MIRROR="$TAMPERED/security" "$PARE" build "$@" 2>&1)" || rc=$?
  assert_eq "$code" "$rc" "exit code for: $needle"
  assert_contains "$out" "$needle"
}
# The previous output: a pare layout (pare replaces nothing else).
cp -r "$T/out" "$T/keep"
keep_index="$(cat "$T/keep/index.json")"

tamper sig
sed -i 's/Pare test fixture/Pare test fixturE/' "$T/sig/dists/bookworm/InRelease"
expect_failure 5 "signature" -- "$T/app.yaml" -o "$T/keep" --cache-dir "$T/c-sig"
assert_eq "$keep_index" "$(cat "$T/keep/index.json")" "a failed build leaves the previous output alone"

tamper pkgs
python3 - "$T/pkgs/dists/bookworm/main/binary-amd64" <<'PY'
import sys, os
d = sys.argv[1]
for name in ("Packages.xz", "Packages.gz", "Packages"):
    p = os.path.join(d, name)
    data = bytearray(open(p, "rb").read())
    data[len(data) // 2] ^= 1
    open(p, "wb").write(bytes(data))
PY
rm -rf "$T/pkgs/dists/bookworm/main/binary-amd64/by-hash"
expect_failure 5 "SHA-256" -- "$T/app.yaml" -o "$T/o-pkgs" --cache-dir "$T/c-pkgs"
assert_no_file "$T/o-pkgs"

tamper deb
deb="$(find "$T/deb/pool" -name 'hello_2.10-3+deb12u1_amd64.deb' | head -n1)"
[[ -n "$deb" ]] || fail "fixture has no hello .deb"
printf 'x' >>"$deb"
expect_failure 5 "hello_2.10-3+deb12u1_amd64.deb" -- "$T/app.yaml" -o "$T/o-deb" --cache-dir "$T/c-deb"
assert_no_file "$T/o-deb"

# --- transient failures are retried: the first 3 requests get 503 -------------------------------
fixture_repo_copy "$T/flaky"
serve_dir "$T/flaky" --fail-first 3
PARE_MIRROR="http://127.0.0.1:$SERVED_PORT" PARE_SECURITY_MIRROR="http://127.0.0.1:$SERVED_PORT/security" \
  build "$T/app.yaml" -o "$T/o-flaky" --cache-dir "$T/c-flaky"
assert_eq "$d1" "$(digest_of "$T/o-flaky" app:latest)" "a build through 503s gives the same image"

# --- offline from a warm cache, with the mirror gone ----------------------------------------------
kill "$FIXTURE_PID"
build "$T/app.yaml" -o "$T/out8" --cache-dir "$T/cache1" --offline
assert_eq "$d1" "$(digest_of "$T/out8" app:latest)" "offline build from the cache agrees"

echo "offline_core: all checks passed"
