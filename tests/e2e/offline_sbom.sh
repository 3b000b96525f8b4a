# labels: offline registry
# `pare sbom IMAGE` on the fixture's image, from a layout, a docker-archive and the registry:
# the packages are exactly those the image's status.d records (names and versions), the OS
# comes from its os-release and debian_version, purls carry distro=debian-<point release>,
# both formats are deterministic (same bytes twice), and every transport gives the same
# package list; `pare build` writes both documents per image beside its output (OUT.sbom/) with
# the .deb's SHA-256 and download location, --no-sbom writes none, and a directory of other
# files there is refused before anything is built. (#12: the SBOM in the image, referrers on
# push, SPDX schema validation and the scanners' verdict are still to come.)
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
source "$(dirname "${BASH_SOURCE[0]}")/registry.bash"
need_cmd jq tar
offline_init
write_chain "$T/spec"
run_pare out rc build "$T/spec/app.yaml" -o "$T/app" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build ($out)"
run_pare out rc build "$T/spec/app.yaml" -o "$T/app.tar" --format docker-archive \
  --variant latest --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build a docker-archive ($out)"

# What the image's own records say: name=version per status.d file.
listing="$(layers_listing "$T/app" app:latest)"
want="$(for d in $(layer_digests "$T/app" app:latest); do
  tar -xOf "$(blob_path "$T/app" "$d")" --wildcards 'var/lib/dpkg/status.d/*' \
    --exclude='*.md5sums' 2>/dev/null || true
done | awk '/^Package:/ { p = $2 } /^Version:/ { print p "=" $2 }' | sort -u)"
[[ -n "$want" ]] || fail "no status.d records in the image: $listing"

spdx_packages() { jq -r '.packages[] | select(.primaryPackagePurpose == "LIBRARY") | "\(.name)=\(.versionInfo)"' | sort; }
cdx_packages() { jq -r '.components[] | select(.type == "library") | "\(.name)=\(.version)"' | sort; }

run_pare spdx rc sbom "oci:$T/app:app:latest"
assert_eq 0 "$rc" "pare sbom (spdx)"
assert_eq "$want" "$(spdx_packages <<<"$spdx")" "SPDX packages = status.d records"
assert_eq "$spdx" "$("$PARE" sbom "oci:$T/app:app:latest")" "SPDX is deterministic"
os="$(jq -r '.packages[] | select(.primaryPackagePurpose == "OPERATING_SYSTEM") | "\(.name) \(.versionInfo)"' <<<"$spdx")"
debian_version="$(for d in $(layer_digests "$T/app" app:latest); do
  tar -xOf "$(blob_path "$T/app" "$d")" etc/debian_version 2>/dev/null || true
done | tail -n1)"
assert_eq "debian $debian_version" "$os" "the OS element"
purl="$(jq -r '.packages[] | select(.name == "hello") | .externalRefs[0].referenceLocator' <<<"$spdx")"
assert_contains "$purl" "pkg:deb/debian/hello@" "hello's purl"
assert_contains "$purl" "distro=debian-$debian_version" "the purl's distro qualifier"
assert_eq "built package from: hello" "$(jq -r '.packages[] | select(.name == "hello") | .sourceInfo' <<<"$spdx" |
  awk '{ print $1, $2, $3, $4 }')" "sourceInfo for Trivy"

# -o into a stream writes into it and leaves it what it was (a rename once put a regular file
# where /dev/null was).
mkfifo "$T/fifo"
cat "$T/fifo" >"$T/from-fifo" &
reader=$!
run_pare out rc sbom "oci:$T/app:app:latest" -o "$T/fifo"
wait "$reader"
assert_eq 0 "$rc" "sbom -o a FIFO ($out)"
[[ -p "$T/fifo" ]] || fail "the FIFO was replaced"
assert_eq "$spdx" "$(cat "$T/from-fifo")" "the document went through the FIFO"
run_pare cdx rc sbom "oci:$T/app:app:latest" --format cyclonedx
assert_eq 0 "$rc" "pare sbom (cyclonedx)"
assert_eq "$want" "$(cdx_packages <<<"$cdx")" "CycloneDX components = status.d records"
assert_eq "1.6" "$(jq -r .specVersion <<<"$cdx")" "CycloneDX 1.6"
assert_eq "$cdx" "$("$PARE" sbom "oci:$T/app:app:latest" --format cyclonedx)" "CycloneDX is deterministic"

run_pare out rc sbom "docker-archive:$T/app.tar"
assert_eq 0 "$rc" "pare sbom of a docker-archive ($out)"
assert_eq "$want" "$(spdx_packages <<<"$out")" "the same packages from a docker-archive"

# --- pare inspect ------------------------------------------------------------------------------
run_pare out rc inspect "oci:$T/app:app:nonroot" --json
assert_eq 0 "$rc" "pare inspect ($out)"
assert_eq "$(wc -l <<<"$want")" "$(jq .packages <<<"$out")" "inspect counts the image's packages"
assert_eq "$(all_layer_digests "$T/app" app:nonroot | wc -l)" "$(jq '.layers | length' <<<"$out")" "its layers"
assert_eq 65532 "$(jq -r .config.user <<<"$out")" "its user"
assert_contains "$(jq -r '.layers[-2].created_by' <<<"$out")" "pare: app" "what made the app's layer"
assert_contains "$(jq -r '.layers[-1].created_by' <<<"$out")" "pare: SBOM" "the SBOM layer on top"
assert_eq "linux/amd64" "$(jq -r '.platforms | join(",")' <<<"$out")" "its platform"

# --- the SBOMs a build writes beside its output ------------------------------------------------
ls "$T/app.sbom" >/dev/null 2>&1 || fail "no SBOM directory beside the output"
built="$T/app.sbom/app_latest_amd64.spdx.json"
[[ -f "$built" && -f "$T/app.sbom/app_nonroot_amd64.cdx.json" ]] ||
  fail "the build wrote: $(ls "$T/app.sbom")"
assert_eq "$want" "$(spdx_packages <"$built")" "the build's SPDX lists the image's packages"
assert_eq "$(layout_digest "$T/app" app:latest)" "$(jq -r '.packages[] | select(.primaryPackagePurpose == "CONTAINER") | .versionInfo' "$built")" \
  "it names the image by its manifest digest"
sha="$(jq -r '.packages[] | select(.name == "hello") | .checksums[0].checksumValue' "$built")"
[[ "$sha" =~ ^[0-9a-f]{64}$ ]] || fail "hello's .deb SHA-256 from the signed index: $sha"
assert_contains "$(jq -r '.packages[] | select(.name == "hello") | .downloadLocation' "$built")" \
  "/pool/main/h/hello/" "hello's download location"
run_pare out rc build "$T/spec/app.yaml" -o "$T/nosbom" --cache-dir "$T/cache" -q --no-sbom
assert_eq 0 "$rc" "--no-sbom ($out)"
[[ ! -e "$T/nosbom.sbom" ]] || fail "--no-sbom wrote SBOMs"
mkdir -p "$T/foreign.sbom" && echo mine >"$T/foreign.sbom/notes.txt"
run_pare out rc build "$T/spec/app.yaml" -o "$T/foreign" --cache-dir "$T/cache" -q
assert_eq 2 "$rc" "a directory of someone else's files where the SBOMs go ($out)"
assert_eq mine "$(cat "$T/foreign.sbom/notes.txt")" "left untouched"
[[ ! -e "$T/foreign" ]] || fail "the build went ahead although its SBOM directory was taken"

start_registry plain
run_pare out rc push "oci:$T/app" "$REG/team/app" -q
assert_eq 0 "$rc" "push ($out)"
run_pare out rc sbom "docker://$REG/team/app:latest" -o "$T/reg.spdx.json"
assert_eq 0 "$rc" "pare sbom of a registry image ($out)"
assert_eq "$want" "$(spdx_packages <"$T/reg.spdx.json")" "the same packages from the registry"
echo "PASS"
