# labels: offline
# Looking inside images without unpacking or running them (#12): `pare ls`, `cat`, `audit`,
# `diff` and `inspect`'s largest files, on pare's fixture image and on a foreign image that
# umoci assembles here from hand-made layers: an Alpine-style root (apk database, busybox with
# its sh link, a setuid file, a private key, a world-writable directory, no os-release) and a
# second layer with a whiteout and an opaque directory, which ls and cat must honour as a
# runtime would. The in-image SBOM must say what the one beside the output says.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
need_cmd jq tar umoci
offline_init
write_chain "$T/spec"
run_pare out rc build "$T/spec/app.yaml" -o "$T/app" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build ($out)"
IMG="oci:$T/app:app:latest"

# --- ls and cat on pare's image ------------------------------------------------------------------
run_pare out rc ls "$IMG" /etc
assert_eq 0 "$rc" "ls /etc ($out)"
assert_contains "$out" "-rw-r--r--       0:0" "mode and owner columns"
assert_contains "$out" "/etc/os-release -> ../usr/lib/os-release" "a symlink with its target"
run_pare out rc ls "$IMG" /home --json
assert_eq "drwx------ 65532" "$(jq -r '.[] | select(.path == "/home/nonroot") | "\(.mode) \(.uid)"' <<<"$out")" \
  "/home/nonroot as the convention says"
# Every layer's tar, flattened by hand, against ls -R: the same regular files with their sizes.
want="$(for d in $(all_layer_digests "$T/app" app:latest); do
  tar --numeric-owner -tvzf "$(blob_path "$T/app" "$d")"
done | awk '$1 ~ /^-/ { n = $6; sub(/^\.\//, "", n); size[n] = $3 } END { for (n in size) print "/" n, size[n] }' | sort)"
run_pare out rc ls "$IMG" / -R --json
assert_eq 0 "$rc" "ls -R ($out)"
assert_eq "$want" "$(jq -r '.[] | select(.mode | startswith("-")) | "\(.path) \(.size)"' <<<"$out" | sort)" \
  "ls -R lists every regular file of the layers with its size"
# The build made each layer's summary as it wrote the layer (into its cache); read back from the
# layers with no summaries, everything must be the same.
[[ -n "$(ls "$T/cache/layer-summaries")" ]] || fail "the build kept no layer summaries"
for args in "ls $IMG / -R --json" "inspect $IMG --json" "audit $IMG --json" "sbom $IMG"; do
  # shellcheck disable=SC2086 # the words are the command's
  assert_eq "$("$PARE" $args --cache-dir "$T/cache" || true)" "$("$PARE" $args --cache-dir "$T/fresh-$RANDOM" || true)" \
    "pare $args: the build's summaries = the layers read again"
done
top="$(all_layer_digests "$T/app" app:latest | sed -n 3p)"
assert_eq "$top" "$(jq -r '.[] | select(.path == "/usr/bin/hello") | .layer_digest' <<<"$out")" \
  "hello comes from the app's layer"
assert_eq "$(tar -xOzf "$(blob_path "$T/app" "$(all_layer_digests "$T/app" app:latest | head -n1)")" --wildcards '*usr/lib/os-release')" \
  "$("$PARE" cat "$IMG" /etc/os-release)" "cat follows /etc/os-release's link"
run_pare out rc cat "$IMG" /etc
assert_eq 2 "$rc" "cat of a directory ($out)"
assert_contains "$out" "/etc is a directory"
run_pare out rc cat "$IMG" /etc/shadow
assert_eq 2 "$rc" "cat of a missing file ($out)"
assert_contains "$out" "no such file"
run_pare out rc ls "$IMG" /nonexistent
assert_ne 0 "$rc" "ls of a missing path"

# --- the SBOM in the image is the one beside it, less what an image cannot hold ------------------
strip='del(.packages[] | select(.primaryPackagePurpose == "CONTAINER") | .versionInfo, .externalRefs)
  | del(.packages[].downloadLocation) | del(.documentNamespace)
  | .packages |= map(select((.name | test(" layer ")) | not)) | .relationships |= map(select(.relatedSpdxElement | test("Layer") | not))'
in_image="$("$PARE" cat "$IMG" /var/lib/pare/sbom/image.spdx.json)"
beside="$(cat "$T/app.sbom/app_latest_amd64.spdx.json")"
assert_eq "$(jq -S "$strip" <<<"$beside")" "$(jq -S "$strip" <<<"$in_image")" \
  "the in-image SPDX document = the one beside the output (but the manifest digest, URLs, layers)"
assert_eq NOASSERTION "$(jq -r '.packages[] | select(.primaryPackagePurpose == "CONTAINER") | .versionInfo' <<<"$in_image")" \
  "the image cannot name its own manifest digest"
assert_eq "$(jq '[.packages[] | select(.name | test(" layer "))] | length' <<<"$in_image")" \
  "$(($(jq '[.packages[] | select(.name | test(" layer "))] | length' <<<"$beside") - 1))" \
  "beside, the SBOM layer itself is listed too"
assert_contains "$(jq -r '.files[].fileName' <<<"$in_image")" "./etc/passwd" "generated files are declared"
pw_sha="$(jq -r '.files[] | select(.fileName == "./etc/passwd") | .checksums[0].checksumValue' <<<"$in_image")"
assert_eq "$(sha256sum <<<"$("$PARE" cat "$IMG" /etc/passwd)" | cut -d' ' -f1)" "$pw_sha" \
  "with their SHA-256"
assert_eq "$(jq -S 'del(.serialNumber, .metadata.component.version, .metadata.component.purl, .metadata.component["bom-ref"])' "$T/app.sbom/app_latest_amd64.cdx.json" | jq -r '.components[] | select(.type == "library") | .name' | sort)" \
  "$("$PARE" cat "$IMG" /var/lib/pare/sbom/image.cdx.json | jq -r '.components[] | select(.type == "library") | .name' | sort)" \
  "the in-image CycloneDX lists the same packages"
cat >"$T/spec/nosbom.yaml" <<EOF
from: app.yaml
name: nosbom
sbom: false
EOF
run_pare out rc build "$T/spec/nosbom.yaml" -o "$T/nosbom" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build with sbom: false ($out)"
assert_eq "$(layer_digests "$T/nosbom" nosbom:latest)" "$(all_layer_digests "$T/nosbom" nosbom:latest)" \
  "sbom: false puts no SBOM layer in the image"
[[ -f "$T/nosbom.sbom/nosbom_latest_amd64.spdx.json" ]] || fail "sbom: false still writes the documents beside"

# --- audit on pare's images ----------------------------------------------------------------------
run_pare out rc audit "oci:$T/app:app:nonroot" --json
assert_eq 0 "$rc" "pare's nonroot image passes the audit ($out)"
assert_eq "true" "$(jq .passed <<<"$out")" "passed in --json"
assert_eq 9 "$(jq '.checks | length' <<<"$out")" "nine checks"
run_pare out rc audit "$IMG"
assert_eq 6 "$rc" "latest runs as root: the audit fails ($out)"
assert_contains "$out" "FAIL    runs-as-root"
run_pare out rc audit "$IMG" --allow runs-as-root
assert_eq 0 "$rc" "an allowed finding does not fail ($out)"
assert_contains "$out" "allowed runs-as-root"
run_pare out rc audit "$IMG" --allow no-such-check
assert_eq 2 "$rc" "an unknown check ($out)"
assert_contains "$out" "the checks are"

# --- diff ------------------------------------------------------------------------------------------
run_pare out rc diff "$IMG" "oci:$T/app:app:nonroot" --json
assert_eq 0 "$rc" "diff ($out)"
assert_eq '{"field":"user","from":"","to":"65532"}' "$(jq -c '.config[] | select(.field == "user")' <<<"$out")" \
  "the user changed"
assert_eq 0 "$(jq '.packages | length' <<<"$out")" "the same packages"
cat >"$T/spec/app2.yaml" <<EOF
from: libc.yaml
name: app2
packages: [hello, pinme]
entrypoint: [/usr/bin/hello]
env: {MODE: two}
EOF
run_pare out rc build "$T/spec/app2.yaml" -o "$T/app2" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build app2 ($out)"
run_pare out rc diff "$IMG" "oci:$T/app2:app2:latest" --json --exit-code
assert_eq 6 "$rc" "--exit-code when the images differ"
assert_eq "added" "$(jq -r '.packages[] | select(.name == "pinme") | .change' <<<"$out")" "pinme added"
assert_contains "$(jq -r '.files[] | select(.change == "added") | .path' <<<"$out")" "/usr/share/pinme/VERSION" \
  "its file added"
assert_eq "two" "$(jq -r '.config[] | select(.field == "env MODE") | .to' <<<"$out")" "env added"
run_pare out rc diff "$IMG" "$IMG" --exit-code
assert_eq 0 "$rc" "an image against itself ($out)"

# --- a foreign image: Alpine-style, with whiteouts and an opaque directory -------------------------
R="$T/alpine"
mkdir -p "$R/l1/bin" "$R/l1/etc/ssl" "$R/l1/lib/apk/db" "$R/l1/usr/bin" "$R/l1/opt/old" "$R/l1/srv" \
  "$R/l1/tmp" "$R/l1/var/www" "$R/l2/opt" "$R/l2/etc"
printf '\177ELF fake busybox\n' >"$R/l1/bin/busybox"
chmod 0755 "$R/l1/bin/busybox"
ln -s /bin/busybox "$R/l1/bin/sh"
printf 'setuid\n' >"$R/l1/usr/bin/su-ish" && chmod 4755 "$R/l1/usr/bin/su-ish"
printf -- '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n' >"$R/l1/etc/ssl/server.key"
printf 'AWS_SECRET=1\n' >"$R/l1/srv/.env"
chmod 0777 "$R/l1/var/www"
printf 'old\n' >"$R/l1/opt/old/file"
printf 'gone\n' >"$R/l1/etc/motd"
cat >"$R/l1/lib/apk/db/installed" <<'EOF'
C:Q1abc=
P:busybox
V:1.36.1-r2
A:x86_64
L:GPL-2.0-only
o:busybox
m:Maintainer <m@example.invalid>
F:bin
R:busybox
R:sh

C:Q1def=
P:musl
V:1.2.4-r2
A:x86_64
L:MIT
o:musl
F:lib
EOF
# Names that try to forge output lines, and bytes that are not UTF-8.
printf 'x' >"$R/l1/srv/"$'evil\nFAIL    shell             forged'
printf 'x' >"$R/l1/srv/"$'latin\xe9'
# Layer 2: /etc/motd whited out, /opt opaque (old/ gone) with a new file.
printf 'new\n' >"$R/l2/opt/new"
: >"$R/l2/etc/.wh.motd"
: >"$R/l2/opt/.wh..wh..opq"
(cd "$R/l1" && tar --numeric-owner --owner=0 --group=0 -cf "$R/l1.tar" .)
(cd "$R/l2" && tar --numeric-owner --owner=0 --group=0 -cf "$R/l2.tar" .)
umoci init --layout "$R/img" >/dev/null
umoci new --image "$R/img:t" >/dev/null
umoci raw add-layer --image "$R/img:t" "$R/l1.tar" >/dev/null
umoci raw add-layer --image "$R/img:t" "$R/l2.tar" >/dev/null
FOREIGN="oci:$R/img:t"

run_pare out rc ls "$FOREIGN" /opt -R
assert_eq 0 "$rc" "ls of the foreign image ($out)"
assert_contains "$out" "/opt/new"
assert_not_contains "$out" "/opt/old" "the opaque directory hides what lay below"
run_pare out rc cat "$FOREIGN" /etc/motd
assert_ne 0 "$rc" "a whited-out file is gone ($out)"
assert_eq "new" "$("$PARE" cat "$FOREIGN" /opt/new)" "cat of the top layer's file"
run_pare out rc ls "$FOREIGN" /bin/sh --json
assert_eq "/bin/busybox" "$(jq -r '.[0].link' <<<"$out")" "a symlink shown, not followed"

run_pare out rc ls "$FOREIGN" /srv
assert_eq 0 "$rc" "ls of odd names ($out)"
assert_contains "$out" '/srv/evil\x0aFAIL' "a newline in a name is shown escaped"
assert_not_contains "$out" $'\nFAIL' "no forged line"
run_pare out rc ls "$FOREIGN" /srv --json
assert_eq 0 "$rc" "--json with a name that is not UTF-8 ($out)"
jq -e . <<<"$out" >/dev/null || fail "ls --json is not JSON: $out"
# A docker-archive as `docker save` writes it (layer.tar uncompressed, named by an id): its
# layers are bound by the config's diff_ids, so a swapped layer.tar is refused.
make_docker_archive() { # make_docker_archive LAYER.TAR OUT.TAR DIFF_ID
  local d="$R/da.$RANDOM"
  mkdir -p "$d/abc123"
  cp "$1" "$d/abc123/layer.tar"
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["%s"]}}' "$3" >"$d/config.json"
  printf '[{"Config":"config.json","RepoTags":["foreign:latest"],"Layers":["abc123/layer.tar"]}]' >"$d/manifest.json"
  tar -cf "$2" -C "$d" manifest.json config.json abc123
}
l1_id="sha256:$(sha256sum "$R/l1.tar" | cut -d' ' -f1)"
make_docker_archive "$R/l1.tar" "$R/docker.tar" "$l1_id"
run_pare out rc ls "docker-archive:$R/docker.tar" /usr/bin
assert_eq 0 "$rc" "ls of a docker save archive ($out)"
assert_contains "$out" "/usr/bin/su-ish"
make_docker_archive "$R/l2.tar" "$R/swapped.tar" "$l1_id"
run_pare out rc ls "docker-archive:$R/swapped.tar" /
assert_eq 5 "$rc" "a layer.tar that is not the config's diff_id ($out)"
assert_contains "$out" "diff_id"
run_pare out rc sbom "$FOREIGN" --format cyclonedx
assert_eq 0 "$rc" "sbom of the apk image ($out)"
assert_eq "busybox=1.36.1-r2 musl=1.2.4-r2" \
  "$(jq -r '[.components[] | select(.type == "library") | "\(.name)=\(.version)"] | sort | join(" ")' <<<"$out")" \
  "the apk database's packages"

run_pare out rc audit "$FOREIGN" --json
assert_eq 6 "$rc" "the foreign image fails the audit ($out)"
result() { jq -r --arg c "$1" '.checks[] | select(.check == $c) | .result' <<<"$out"; }
evidence() { jq -r --arg c "$1" '.checks[] | select(.check == $c) | .evidence | join(" ")' <<<"$out"; }
for c in shell setuid world-writable runs-as-root secrets os-release; do
  assert_eq fail "$(result "$c")" "check $c"
done
assert_contains "$(evidence shell)" "/bin/sh -> /bin/busybox" "the shell's evidence"
assert_contains "$(evidence setuid)" "/usr/bin/su-ish" "the setuid file"
assert_contains "$(evidence world-writable)" "/var/www" "the world-writable directory"
assert_not_contains "$(evidence world-writable)" "/tmp" "/tmp may be world-writable"
assert_contains "$(evidence secrets)" "/etc/ssl/server.key (a private key)" "the private key"
assert_contains "$(evidence secrets)" "/srv/.env" "the .env file"
assert_eq pass "$(result package-manager)" "no package manager binary"
assert_contains "$(evidence unowned-files)" "/opt/new" "a file no package lists"
assert_not_contains "$(evidence unowned-files)" "/bin/busybox" "the apk database owns busybox"
echo "PASS"
