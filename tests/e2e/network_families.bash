# labels: network podman
# shellcheck shell=bash
# The distroless families (static, base-nossl, base, cc; latest and nonroot) built from the real
# Debian archive for the suite given as $1, run in podman and checked for what users rely on:
# host-compiled C, C++ (exceptions, threads, OpenMP) and static programs run; the CA bundle at
# $SSL_CERT_FILE holds Mozilla's roots; accounts, ids and working directories as in DESIGN.md; no
# shell, dpkg or perl; scanner metadata (status.d, os-release, debian_version); merged /usr on
# trixie; skopeo, umoci and podman read every output format; sizes are recorded and bounded.
#
# The work is shared by network_families_bookworm.sh and network_families_trixie.sh, which pass
# the suite (.bash: ctest registers only tests/e2e/*.sh).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_network
need_pare
SUITE="${1:-}"
[[ -n "$SUITE" ]] || fail "shared script: run network_families_bookworm.sh or network_families_trixie.sh"
need_cmd podman skopeo umoci gcc g++ python3 md5sum
case "$SUITE" in
  bookworm) VERSION_ID=12 ;;
  trixie) VERSION_ID=13 ;;
  *) fail "unknown suite '$SUITE' (bookworm or trixie)" ;;
esac
unset SOURCE_DATE_EPOCH # the images' `created` must be the epoch
CACHE="${PARE_BUILD_DIR}/network-cache"
EX="$PARE_SOURCE_DIR/examples"
T="$(tmpdir)"
L="$T/img" # one OCI layout holds every image of this test
FAMILIES=(static base-nossl base cc)
UMOCI=(umoci unpack)
[[ "$(id -u)" == 0 ]] || UMOCI+=(--rootless)

# --- programs, compiled on this host (glibc is backward compatible, so they run on both suites) ----
# probe_report() prints what a program in the image sees: ids, working directory, how many
# certificates $SSL_CERT_FILE holds, owner and mode of the fixed directories, whether a shell is
# there, and /etc/os-release. One container run checks it all (podman runs are the slow part).
# The C probe needs only libc (statically linked for static); the C++ program prints its own
# line, exercising what cc users rely on (iostream, exceptions through libgcc_s, std::thread,
# OpenMP from libgomp), then the same report.
cat >"$T/probe.h" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
static int count_certs(const char* path) {
  FILE* in = path ? fopen(path, "r") : NULL;
  if (!in) return -1;
  char line[4096];
  int n = 0;
  while (fgets(line, sizeof line, in))
    if (strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0) n++;
  fclose(in);
  return n;
}
static int probe_report(void) {
  char cwd[4096];
  const char* certs = getenv("SSL_CERT_FILE");
  printf("uid=%d gid=%d cwd=%s ssl_cert_file=%s certs=%d\n", (int)getuid(), (int)getgid(),
         getcwd(cwd, sizeof cwd) ? cwd : "?", certs ? certs : "(unset)", count_certs(certs));
  const char* paths[] = {"/root", "/home/nonroot", "/tmp", "/bin/sh", "/usr/bin/sh"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    struct stat st;
    if (stat(paths[i], &st) != 0) printf("stat %s missing\n", paths[i]);
    else printf("stat %s %o %d:%d\n", paths[i], (unsigned)(st.st_mode & 07777), (int)st.st_uid, (int)st.st_gid);
  }
  FILE* in = fopen("/etc/os-release", "r");
  char line[512];
  while (in && fgets(line, sizeof line, in)) printf("os-release %s", line);
  if (in) fclose(in);
  fflush(stdout);
  return 0;
}
C
printf '#include "probe.h"\nint main(void) { return probe_report(); }\n' >"$T/probe.c"
cat >"$T/hello.cpp" <<'CPP'
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include "probe.h"
int main() {
  std::vector<std::string> words{"hello", "from", "cc"};
  std::string caught;
  try { throw std::runtime_error("exceptions"); } catch (const std::exception& e) { caught = e.what(); }
  int from_thread = 0;
  std::thread t([&] { from_thread = 42; });
  t.join();
  long sum = 0;
#pragma omp parallel for reduction(+ : sum)
  for (int i = 1; i <= 1000; i++) sum += i;
  for (const auto& w : words) std::cout << w << ' ';
  std::cout << caught << " thread=" << from_thread << " omp=" << sum << std::endl;
  return probe_report();
}
CPP
gcc -O2 -o "$T/probe" "$T/probe.c"
gcc -O2 -static -o "$T/probe-static" "$T/probe.c"
g++ -O2 -fopenmp -o "$T/hello" "$T/hello.cpp"
HELLO_OUT="hello from cc exceptions thread=42 omp=500500"

# --- build: the four examples and an application on three of them, latest and nonroot ------------
app_spec() { # app_spec NAME FROM FILES_YAML ENTRYPOINT -> path of a new spec
  printf 'from: %s\nname: %s\nfiles: %s\nentrypoint: [%s]\n' "$2" "$1" "$3" "$4" >"$T/$1.yaml"
  echo "$T/$1.yaml"
}
exe() { echo "{src: $1, dest: $2, mode: \"0755\"}"; }
S_APP="$(app_spec s-app "$EX/static.yaml" "[$(exe "$T/probe-static" /app/probe)]" /app/probe)"
B_APP="$(app_spec b-app "$EX/base.yaml" "[$(exe "$T/probe" /app/probe)]" /app/probe)"
CC_APP="$(app_spec cc-app "$EX/cc.yaml" "[$(exe "$T/hello" /app/hello)]" /app/hello)"
build() { "$PARE" build "$@" --suite "$SUITE" --cache-dir "$CACHE"; }
specs=()
for f in "${FAMILIES[@]}"; do specs+=("$EX/$f.yaml"); done
SECONDS=0
build "${specs[@]}" "$S_APP" "$B_APP" "$CC_APP" --variant latest,nonroot -o "$L" --json >"$T/build.json" ||
  fail "building the families for $SUITE failed"
echo "built 14 images for $SUITE in ${SECONDS}s"
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); $2" "$1"; }
tags=" $(json "$T/build.json" 'print(" ".join(i["tag"] for i in j["images"]))') "
for f in "${FAMILIES[@]}" s-app b-app cc-app; do
  for v in latest nonroot; do assert_contains "$tags" " $f:$v " "the build lists $f:$v"; done
done

# --- programs run in podman, as root and as nonroot ------------------------------------------------
# expect_report UID CWD IMAGE [FIRST_LINE]: run IMAGE's program and check its report.
expect_report() {
  local uid="$1" cwd="$2" image="$3" first="${4:-}" out certs
  out="$(pare_podman_run --quiet "$image")" || fail "$image: the program failed:"$'\n'"$out"
  echo "${image##*/}: $(grep -m1 '^uid=' <<<"$out")"
  if [[ -n "$first" ]]; then assert_eq "$first" "$(head -n1 <<<"$out")" "$image: the C++ program's line"; fi
  assert_contains "$out" "uid=$uid gid=$uid cwd=$cwd " "$image: ids and working directory"
  assert_contains "$out" "ssl_cert_file=/etc/ssl/certs/ca-certificates.crt " "$image: SSL_CERT_FILE"
  certs="$(sed -n 's/^uid=.* certs=\(-\{0,1\}[0-9]*\)$/\1/p' <<<"$out")"
  [[ "$certs" =~ ^[0-9]+$ && "$certs" -gt 100 ]] ||
    fail "$image: the bundle at \$SSL_CERT_FILE holds '$certs' certificates, expected > 100"
  assert_contains "$out" "stat /root 700 0:0" "$image: /root"
  assert_contains "$out" "stat /home/nonroot 700 65532:65532" "$image: /home/nonroot"
  assert_contains "$out" "stat /tmp 1777 0:0" "$image: /tmp"
  assert_contains "$out" "stat /bin/sh missing" "$image: no /bin/sh"
  assert_contains "$out" "stat /usr/bin/sh missing" "$image: no /usr/bin/sh"
  assert_contains "$out" 'os-release PRETTY_NAME="Distroless"' "$image: /etc/os-release"
  assert_contains "$out" "os-release VERSION_ID=\"$VERSION_ID\"" "$image: /etc/os-release"
  assert_contains "$out" "os-release VERSION=\"Debian GNU/Linux $VERSION_ID ($SUITE)\"" "$image: /etc/os-release"
  grep -Eq '^os-release ID="?debian"?$' <<<"$out" || fail "$image: /etc/os-release has no ID=debian"
}
expect_report 0 / "oci:$L:s-app:latest"
expect_report 65532 /home/nonroot "oci:$L:s-app:nonroot"
expect_report 0 / "oci:$L:b-app:latest"
expect_report 65532 /home/nonroot "oci:$L:b-app:nonroot"
expect_report 0 / "oci:$L:cc-app:latest" "$HELLO_OUT"
expect_report 65532 /home/nonroot "oci:$L:cc-app:nonroot" "$HELLO_OUT"

# --- image configs -----------------------------------------------------------------------------------
ARCH="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
# The content layers: every image's top layer is its SBOM, which names the variant.
layers_of() { skopeo inspect --raw "oci:$L:$1" | python3 -c 'import json,sys; print(" ".join(l["digest"] for l in json.load(sys.stdin)["layers"][:-1]))'; }
for f in "${FAMILIES[@]}"; do
  for v in latest nonroot; do
    cfg="$(skopeo inspect --config "oci:$L:$f:$v")" || fail "skopeo cannot read $f:$v"
    read -r user wd created arch envs < <(python3 -c '
import json, sys
c = json.load(sys.stdin)
k = c.get("config", {})
print(k.get("User", "-"), k.get("WorkingDir", "-"), c.get("created"), c.get("architecture"), "|".join(k.get("Env", [])))' <<<"$cfg")
    if [[ $v == latest ]]; then assert_eq "0 /" "$user $wd" "$f:$v User and WorkingDir"; fi
    if [[ $v == nonroot ]]; then assert_eq "65532 /home/nonroot" "$user $wd" "$f:$v User and WorkingDir"; fi
    assert_eq "1970-01-01T00:00:00Z $ARCH" "$created $arch" "$f:$v created and architecture"
    assert_contains "|$envs|" "|$PATH_ENV|" "$f:$v PATH"
    assert_contains "|$envs|" "|SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt|" "$f:$v SSL_CERT_FILE"
  done
  # nonroot differs from latest only in its config: users pull the layers once.
  assert_eq "$(layers_of "$f:latest")" "$(layers_of "$f:nonroot")" "$f: nonroot shares latest's layers"
done

# --- the file trees (unpacked by umoci, an independent reader) -------------------------------------
HOST_ROOT=/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt
[[ -r "$HOST_ROOT" ]] || echo "note: $HOST_ROOT is not on this host; the Mozilla-root comparison is skipped"
declare -A ROOTFS_SIZE
for f in "${FAMILIES[@]}"; do
  "${UMOCI[@]}" --image "$L:$f:latest" "$T/u-$f" >/dev/null || fail "umoci cannot unpack $f:latest"
  R="$T/u-$f/rootfs"
  ROOTFS_SIZE[$f]="$(du -sb "$R" | cut -f1)"
  assert_distroless_accounts "$R" "$f"

  # Nothing that runs: no shell, package manager or perl, anywhere on the usual paths.
  for p in bin/sh usr/bin/sh bin/bash usr/bin/bash bin/dash usr/bin/dash usr/bin/dpkg usr/bin/dpkg-deb \
    usr/bin/perl usr/bin/apt usr/bin/apt-get busybox; do
    assert_no_file "$R/$p" "$f must not contain /$p"
  done
  found="$(find "$R" -not -type d \( -name 'perl*' -o -name 'dpkg*' -o -name '*.pl' -o -name '*.pm' -o -name 'sh' \
    -o -name 'busybox' \) -not -path '*/usr/share/doc/*' -printf '/%P\n' | sort)"
  assert_eq "" "$found" "$f: a shell, dpkg or perl file"
  assert_no_file "$R/var/lib/dpkg/status" "$f: dpkg's database (scanners read status.d)"

  # Scanner metadata.
  assert_file "$R/etc/debian_version"
  [[ "$(cat "$R/etc/debian_version")" == "$VERSION_ID".* ]] ||
    fail "$f: /etc/debian_version is '$(cat "$R/etc/debian_version")', expected $VERSION_ID.x"
  osr_target="$(readlink "$R/etc/os-release")"
  [[ "$osr_target" == /* ]] && osr_file="$R$osr_target" || osr_file="$R/etc/$osr_target"
  [[ -f "$osr_file" ]] || fail "$f: /etc/os-release -> '$osr_target' does not resolve inside the image"
  assert_contains "$(cat "$osr_file")" 'PRETTY_NAME="Distroless"' "$f: os-release"
  assert_contains "$(cat "$osr_file")" "VERSION_ID=\"$VERSION_ID\"" "$f: os-release"
  npkg="$(json "$T/build.json" "print([i['packages'] for i in j['images'] if i['tag'] == '$f:latest'][0])")"
  status_files="$(find "$R/var/lib/dpkg/status.d" -type f -not -name '*.md5sums' -printf '%f\n' | sort)"
  assert_eq "$npkg" "$(wc -l <<<"$status_files")" "$f: one status.d entry per package"
  for pkg in $status_files; do
    assert_eq "Package: $pkg" "$(head -n1 "$R/var/lib/dpkg/status.d/$pkg")" "$f: status.d/$pkg"
    [[ -e "$R/usr/share/doc/$pkg/copyright" ]] || fail "$f: /usr/share/doc/$pkg/copyright is missing"
  done
  # md5sums list files that are present with the package's content. pare rewrites base-files'
  # /usr/lib/os-release on purpose (PRETTY_NAME="Distroless"), so that one line may differ.
  bad="$(cd "$R" && cat var/lib/dpkg/status.d/*.md5sums | md5sum -c --quiet 2>/dev/null |
    grep -v '^usr/lib/os-release: FAILED$' || true)"
  assert_eq "" "$bad" "$f: status.d md5sums against the files present"
  if [[ $f == static ]]; then
    assert_no_file "$R/var/lib/dpkg/status.d/libc6" "static has no libc6"
    assert_eq "" "$(find "$R" -name 'libc.so*' -o -name 'ld-linux*')" "static has no C library"
  else
    assert_contains "$(cat "$R/var/lib/dpkg/status.d/libc6")" "Package: libc6" "$f: status.d/libc6"
  fi

  # The CA bundle: generated from ca-certificates' files, which are not shipped themselves.
  B="$R/etc/ssl/certs/ca-certificates.crt"
  assert_file "$B"
  [[ "$(grep -c 'BEGIN CERTIFICATE' "$B")" -gt 100 ]] || fail "$f: the CA bundle has too few certificates"
  [[ ! -r "$HOST_ROOT" ]] || assert_contains "$(cat "$B")" "$(sed '/^$/d' "$HOST_ROOT")" "$f: ISRG Root X1 in the bundle"
  assert_no_file "$R/usr/share/ca-certificates" "$f: ca-certificates' sources"
  assert_no_file "$R/usr/sbin/update-ca-certificates" "$f: update-ca-certificates"

  # What static-family programs read.
  for p in etc/services etc/protocols etc/mime.types etc/nsswitch.conf usr/share/zoneinfo/UTC \
    usr/share/zoneinfo/Europe/Berlin; do
    [[ -e "$R/$p" ]] || fail "$f: /$p is missing"
  done
  # Legacy zone names (US/Eastern) moved to tzdata-legacy in trixie, which static adds there.
  [[ -e "$R/usr/share/zoneinfo/US/Eastern" ]] || fail "$f: /usr/share/zoneinfo/US/Eastern is missing"
  for p in usr/share/man usr/share/info; do assert_no_file "$R/$p" "$f: docs are dropped: /$p"; done

  if [[ "$SUITE" == trixie ]]; then # merged /usr, as trixie's base-files ships it
    for d in bin sbin lib; do assert_eq "usr/$d" "$(readlink "$R/$d" || true)" "$f: /$d -> usr/$d"; done
    [[ "$ARCH" != amd64 ]] || assert_eq "usr/lib64" "$(readlink "$R/lib64" || true)" "$f: /lib64 -> usr/lib64"
  fi
done

# --- sizes: compressed (layer blobs), uncompressed (layer tars), unpacked rootfs -------------------
echo "sizes ($SUITE, $ARCH, latest; bytes):"
printf '  %-11s %12s %12s %12s\n' image compressed uncompressed rootfs
declare -A UNCOMPRESSED
for f in "${FAMILIES[@]}"; do
  read -r comp uncomp < <(skopeo inspect --raw "oci:$L:$f:latest" | python3 -c '
import gzip, json, sys, zlib
m = json.load(sys.stdin)
comp = uncomp = 0
for layer in m["layers"]:
    comp += layer["size"]
    blob = open(sys.argv[1] + "/blobs/" + layer["digest"].replace(":", "/"), "rb").read()
    if layer["mediaType"].endswith("+gzip"):
        uncomp += len(gzip.decompress(blob))
    elif layer["mediaType"].endswith("+zstd"):
        import subprocess
        uncomp += len(subprocess.run(["zstd", "-dc"], input=blob, capture_output=True, check=True).stdout)
    else:
        uncomp += len(blob)
print(comp, uncomp)' "$L")
  UNCOMPRESSED[$f]="$uncomp"
  printf '  %-11s %12s %12s %12s\n' "$f" "$comp" "$uncomp" "${ROOTFS_SIZE[$f]}"
done
limit() { [[ "${UNCOMPRESSED[$1]}" -lt "$2" ]] || fail "$1 is ${UNCOMPRESSED[$1]} bytes uncompressed, limit $2"; }
limit static 5000000
limit base 35000000
limit cc 40000000
[[ ${UNCOMPRESSED[static]} -lt ${UNCOMPRESSED[base-nossl]} && ${UNCOMPRESSED[base-nossl]} -lt ${UNCOMPRESSED[base]} &&
  ${UNCOMPRESSED[base]} -lt ${UNCOMPRESSED[cc]} ]] || fail "each family must add to the one below it"

# --- other readers and formats ---------------------------------------------------------------------
skopeo inspect "oci:$L:cc:latest" >/dev/null || fail "skopeo inspect cannot read the layout"
skopeo copy -q "oci:$L:cc:nonroot" "oci:$T/copy:cc" >/dev/null || fail "skopeo cannot copy cc:nonroot (blob digests?)"
digest_in_layout() { json "$L/index.json" "print([m['digest'] for m in j['manifests'] if m['annotations']['org.opencontainers.image.ref.name'] == '$1'][0])"; }
build "$CC_APP" --variant latest,nonroot --format oci-archive -o "$T/cc.oci.tar" -q
d="$(skopeo inspect "oci-archive:$T/cc.oci.tar:cc-app:latest" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Digest"])')"
assert_eq "$(digest_in_layout cc-app:latest)" "$d" "oci-archive and layout hold the same cc-app:latest"
build "$CC_APP" --variant latest,nonroot --format docker-archive -o "$T/cc.docker.tar" -q
for v in latest nonroot; do
  skopeo inspect "docker-archive:$T/cc.docker.tar:cc-app:$v" >/dev/null || fail "skopeo cannot read cc-app:$v in the docker-archive"
done
pare_podman load -q -i "$T/cc.docker.tar" >/dev/null || fail "podman cannot load the docker-archive"
expect_report 65532 /home/nonroot localhost/cc-app:nonroot "$HELLO_OUT"

echo "network_families ($SUITE): all checks passed"
