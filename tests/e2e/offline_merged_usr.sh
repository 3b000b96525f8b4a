# labels: offline podman
# The same from: chain built with --suite trixie: merged /usr. The fixture's packages are
# unmerged (bookworm-style: /bin/hello-old, /lib/<triplet>/libc.so.6, /lib64/ld-linux...), so
# pare must move them into /usr, make bin, sbin, lib and lib64 symlinks, keep the dynamic
# loader's well-known path working, and still run hello. A package entry limited to trixie
# (tzdata-legacy) is installed there and not on bookworm.
# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2119
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
need_cmd podman runc umoci md5sum
offline_init
write_chain "$T/spec" bookworm
# A suite-limited entry, as examples/static.yaml has it.
sed -i 's/^packages: \[base-files, /packages: [{name: tzdata-legacy, suites: [trixie]}, base-files, /' \
  "$T/spec/static.yaml"
assert_contains "$(cat "$T/spec/static.yaml")" "tzdata-legacy"

run_pare out rc build "$T/spec/app.yaml" --suite trixie -o "$T/out" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "trixie build (output: $out)"
img="oci:$T/out:app:latest"

# --- layers: the aliases are symlinks, nothing is stored below them -----------------------------
listing="$(layers_listing "$T/out" app:latest)"
for d in bin sbin lib lib64; do
  entry="$(listing_entry "$listing" "$d")"
  [[ "$entry" == l* ]] || fail "/$d is not stored as a symlink: '$entry'"
  assert_contains "$entry" "$d -> usr/$d" "/$d target"
done
below="$(awk '{ print $6 }' <<<"$listing" | grep -E '^(\./)?(bin|sbin|lib|lib64)/.' || true)"
assert_eq "" "$below" "entries stored below a merged-/usr alias (they would replace the link)"

# --- the unpacked tree ----------------------------------------------------------------------------
unpack_image "$T/out" app:latest "$T/bundle"
R="$T/bundle/rootfs"
for d in bin sbin lib lib64; do
  [[ -L "$R/$d" ]] || fail "/$d is not a symlink"
  assert_eq "usr/$d" "$(readlink "$R/$d")" "/$d -> usr/$d"
  [[ -d "$R/usr/$d" ]] || fail "/usr/$d is missing"
done
assert_file "$R/usr/bin/hello-old" "/bin/hello-old moved to /usr/bin"
[[ -L "$R/usr/bin/hello-old" ]] && fail "/usr/bin/hello-old should be the file, not a link"
assert_file "$R/bin/hello-old" "/bin/hello-old through the bin link"
assert_file "$R/usr/lib/x86_64-linux-gnu/libc.so.6" "libc moved to /usr/lib"
# The loader's PT_INTERP path /lib64/ld-linux-x86-64.so.2 must resolve inside the image.
ld="$(readlink "$R/usr/lib64/ld-linux-x86-64.so.2")" || fail "no loader link in /usr/lib64"
case "$ld" in
  /*) target="$R$ld" ;;
  *) target="$R/usr/lib64/$ld" ;;
esac
assert_file "$target" "the loader link's target ($ld)"
[[ "$(realpath -m "$target")" == "$R"/usr/lib/x86_64-linux-gnu/* ]] ||
  fail "the loader link leaves /usr/lib/x86_64-linux-gnu: $ld"

# md5sums keep the package's paths; each still names a present file with its digest.
while read -r sum path; do
  [[ -e "$R/$path" ]] || fail "hello.md5sums lists $path, which does not resolve"
  assert_eq "$sum" "$(md5sum <"$R/$path" | cut -d' ' -f1)" "digest of $path"
done <"$R/var/lib/dpkg/status.d/hello.md5sums"
assert_contains "$(cat "$R/var/lib/dpkg/status.d/hello.md5sums")" "hello-old"

osr="$(cat "$R/usr/lib/os-release")"
assert_contains "$osr" 'VERSION_ID="13"'
assert_contains "$osr" 'VERSION="Debian GNU/Linux 13 (trixie)"'
assert_eq "Etc/UTC" "$(readlink "$R/usr/share/zoneinfo/Universal")" "tzdata-legacy on trixie"
assert_file "$R/var/lib/dpkg/status.d/tzdata-legacy"
assert_no_file "$R/postinst-ran"
assert_eq "drwx------ 65532/65532" "$(listing_entry "$listing" home/nonroot | awk '{ print $1, $2 }')"

# --- it runs, through the loader's path under /lib64 -> /usr/lib64 ------------------------------
assert_eq "hello from pare fixture" "$(podman_output "$img")" "hello on merged /usr"
assert_eq "hello from pare fixture" "$(podman_output --entrypoint /bin/hello-old "$img")" "/bin/hello-old"
assert_eq "hello from pare fixture" "$(podman_output --entrypoint /usr/bin/hello-old "$img")" \
  "/usr/bin/hello-old"
assert_eq "hello from pare fixture" "$(podman_output --entrypoint /usr/bin/hi "$img")" "/usr/bin/hi"
assert_eq "hello from pare fixture" "$(podman_output "oci:$T/out:app:nonroot")" "nonroot on trixie"

# --- the same spec on bookworm: no merge, no trixie-only package --------------------------------
run_pare out rc build "$T/spec/app.yaml" --suite bookworm -o "$T/out-bw" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "bookworm build (output: $out)"
bw="$(layers_listing "$T/out-bw" app:latest)"
[[ "$(listing_entry "$bw" bin)" == d* ]] || fail "bookworm /bin should be a directory"
assert_contains "$(listing_entry "$bw" bin/hello-old)" "bin/hello-old"
assert_eq "" "$(listing_entry "$bw" usr/share/zoneinfo/Universal)" "tzdata-legacy on bookworm"
assert_ne "$(layout_digest "$T/out" app:latest)" "$(layout_digest "$T/out-bw" app:latest)" \
  "bookworm and trixie images"

echo "offline_merged_usr: ok"
