# labels: offline podman
# A three-level from: chain (static-like, libc, app with hello) built from the signed fixture
# repository: the program runs in podman (binary, symlink, hard link), and the file tree
# follows the distroless conventions of DESIGN.md — accounts, status.d + md5sums, no shell,
# docs dropped but copyrights kept, no maintainer script run, the CA bundle made of exactly
# the fixture's CAs, directory modes and owners, and the nonroot variant's config.
# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2119
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
need_cmd podman runc skopeo umoci openssl md5sum
offline_init
write_chain "$T/spec"

run_pare out rc build "$T/spec/app.yaml" -o "$T/out" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build exit code (output: $out)"
assert_file "$T/out/index.json"
assert_eq "app:latest app:nonroot" \
  "$(jq -r '[.manifests[].annotations["org.opencontainers.image.ref.name"]] | sort | join(" ")' "$T/out/index.json")" \
  "tags in the layout"
assert_eq 3 "$(layer_digests "$T/out" app:latest | wc -l)" "one layer per from: level"

# --- it runs: the fixture's own libc and loader, through a symlink and a hard link ------------
img="oci:$T/out:app:latest"
assert_eq "hello from pare fixture" "$(podman_output "$img")" "entrypoint /usr/bin/hello"
assert_eq "hello from pare fixture" "$(podman_output --entrypoint /usr/bin/hi "$img")" "/usr/bin/hi symlink"
assert_eq "hello from pare fixture" "$(podman_output --entrypoint /usr/bin/hello-hardlink "$img")" \
  "/usr/bin/hello-hardlink"
assert_eq "hello 2.10-3+deb12u1" "$(podman_output "$img" --version)" "hello comes from bookworm-updates"
assert_eq "hello from pare fixture" "$(podman_output "oci:$T/out:app:nonroot")" "nonroot variant runs"
# No shell: asking for one must fail.
assert_fails pare_podman_run --entrypoint /bin/sh "$img" -c true >/dev/null

# --- the stored tree: hard link kept as a link, owners and modes -------------------------------
listing="$(layers_listing "$T/out" app:latest)"
assert_contains "$listing" "usr/bin/hello-hardlink link to usr/bin/hello" "hard link stored as a link"
assert_contains "$(listing_entry "$listing" usr/bin/hi)" "-> hello" "/usr/bin/hi symlink"
entry() { listing_entry "$listing" "$1" | awk '{ print $1, $2 }'; }
assert_eq "drwxrwxrwt 0/0" "$(entry tmp)" "/tmp mode and owner"
assert_eq "drwx------ 0/0" "$(entry root)" "/root mode and owner"
assert_eq "drwx------ 65532/65532" "$(entry home/nonroot)" "/home/nonroot mode and owner"
while read -r line; do
  [[ -z "$line" ]] && continue
  mtime="$(awk '{ print $4 }' <<<"$line")"
  assert_eq 1970-01-01 "$mtime" "every mtime is SOURCE_DATE_EPOCH (0): $line"
done <<<"$listing"

unpack_image "$T/out" app:latest "$T/bundle"
R="$T/bundle/rootfs"

# --- accounts, exactly as DESIGN.md gives them ------------------------------------------------
assert_distroless_accounts "$R"

# --- package metadata for scanners --------------------------------------------------------------
status="$(cat "$R/var/lib/dpkg/status.d/libc6" 2>/dev/null)" || fail "status.d/libc6 missing"
assert_contains "$status" "Package: libc6"$'\n'
assert_contains "$status" "Version: 2.36-9+deb12u10"
assert_contains "$status" "Architecture: amd64"
md5s="$(cat "$R/var/lib/dpkg/status.d/libc6.md5sums" 2>/dev/null)" || fail "status.d/libc6.md5sums missing"
assert_contains "$md5s" "lib/x86_64-linux-gnu/libc.so.6"
assert_not_contains "$md5s" ".mo" "md5sums must not list the dropped translation"
assert_no_file "$R/usr/share/locale/de/LC_MESSAGES/libc.mo" "translations are dropped"
# Every md5sums file lists only files that are present, with the package's digests. The one
# file pare replaces is base-files' /usr/lib/os-release (generated, PRETTY_NAME="Distroless"):
# its line keeps the package's digest, as `dpkg --verify` would see a locally changed file.
installed=()
for f in "$R"/var/lib/dpkg/status.d/*; do
  name="$(basename "$f")"
  if [[ "$name" == *.md5sums ]]; then
    while read -r sum path; do
      [[ -e "$R/$path" || -L "$R/$path" ]] || fail "$name lists $path, which is not in the image"
      [[ "$path" == usr/lib/os-release ]] && continue
      assert_eq "$sum" "$(md5sum <"$R/$path" | cut -d' ' -f1)" "$name: digest of $path"
    done <"$f"
  else
    installed+=("$name")
  fi
done
assert_eq "base-files ca-certificates gcc-12-base hello libc6 libgcc-s1 media-types netbase tzdata" \
  "${installed[*]}" "status.d entries (the excluded debconf/perl-base/openssl are absent)"

# --- what must not be there ---------------------------------------------------------------------
assert_no_file "$R/bin/sh" "a shell"
assert_no_file "$R/usr/bin/sh" "a shell"
assert_no_file "$R/postinst-ran" "a maintainer script ran"
assert_no_file "$R/usr/bin/perl" "excluded perl-base"
assert_no_file "$R/usr/bin/debconf" "excluded debconf"
assert_no_file "$R/etc/ssl/openssl.cnf" "excluded openssl"
assert_no_file "$R/usr/sbin/update-ca-certificates" "ca-certificates keeps only its bundle"
assert_no_file "$R/usr/share/man" "man pages are dropped"
assert_no_file "$R/usr/share/info" "info pages are dropped"
left="$(cd "$R/usr/share/doc" && find . -mindepth 2 ! -name copyright | sort)"
assert_eq "" "$left" "docs other than copyright"
# ... but every installed package's copyright is kept (libgcc-s1's through its doc symlink).
for p in "${installed[@]}"; do
  assert_file "$R/usr/share/doc/$p/copyright" "copyright of $p"
done
assert_eq gcc-12-base "$(readlink "$R/usr/share/doc/libgcc-s1")" "libgcc-s1 doc symlink"

# --- generated files ---------------------------------------------------------------------------
osr="$(cat "$R/etc/os-release")"
assert_contains "$osr" 'PRETTY_NAME="Distroless"'
assert_contains "$osr" 'VERSION_ID="12"'
assert_contains "$osr" 'VERSION="Debian GNU/Linux 12 (bookworm)"'
assert_eq ../usr/lib/os-release "$(readlink "$R/etc/os-release")" "/etc/os-release link"
assert_file "$R/etc/debian_version"
assert_file "$R/etc/nsswitch.conf"
assert_file "$R/etc/services"
assert_file "$R/etc/mime.types"
assert_file "$R/usr/share/zoneinfo/Etc/UTC"

# The CA bundle holds exactly the three test CAs (compared as normalized PEM, as a set).
pem_set() { # pem_set FILE... — each certificate re-encoded by openssl, one fingerprint a line
  local f
  for f in "$@"; do
    awk -v dir="$T/pem" -v base="$(basename "$f")" '
      /-----BEGIN CERTIFICATE-----/ { n++; out = dir "/" base "." n }
      out { print > out }
      /-----END CERTIFICATE-----/ { close(out); out = "" }' "$f"
  done
  for f in "$T"/pem/*; do openssl x509 -in "$f" -noout -fingerprint -sha256; done | sort
  rm -rf "$T/pem"
}
mkdir -p "$T/pem"
bundle="$R/etc/ssl/certs/ca-certificates.crt"
assert_file "$bundle"
assert_eq 3 "$(grep -c -- '-----BEGIN CERTIFICATE-----' "$bundle")" "certificates in the bundle"
got="$(pem_set "$bundle")"
mkdir -p "$T/pem"
want="$(pem_set "$PARE_TEST_REPO"/test-ca/ca-{1,2,3}.crt)"
assert_eq "$want" "$got" "the CA bundle is exactly the fixture's test CAs"

# --- image config per variant --------------------------------------------------------------------
cfg="$(skopeo inspect --config "oci:$T/out:app:nonroot")"
assert_eq 65532 "$(jq -r .config.User <<<"$cfg")" "nonroot User"
assert_eq /home/nonroot "$(jq -r .config.WorkingDir <<<"$cfg")" "nonroot WorkingDir"
assert_eq '["/usr/bin/hello"]' "$(jq -c .config.Entrypoint <<<"$cfg")" "nonroot Entrypoint"
cfg="$(skopeo inspect --config "oci:$T/out:app:latest")"
user="$(jq -r '.config.User // ""' <<<"$cfg")"
[[ "$user" == "" || "$user" == 0 || "$user" == root ]] || fail "latest runs as '$user', not root"
env="$(jq -r '.config.Env[]' <<<"$cfg")"
assert_contains "$env" "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
assert_contains "$env" "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"
assert_eq "1970-01-01T00:00:00Z" "$(jq -r .created <<<"$cfg")" "created defaults to epoch 0"
assert_eq amd64 "$(jq -r .architecture <<<"$cfg")"

echo "offline_build: ok"
