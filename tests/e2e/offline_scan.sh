# labels: offline
# `pare scan IMAGE --feed FILE` (#13, begun) on the fixture image, offline: a feed in the
# security tracker's JSON shape, written here from the image's own SBOM, names hello's source
# with a fix above the installed version (open, high), libc6's source fixed below it (not
# listed), an unimportant and a never-affected record; --json, --fail-on, a directory of OSV
# records, and a broken feed.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
offline_init
write_chain "$T/spec"
run_pare out rc build "$T/spec/app.yaml" -o "$T/app" --cache-dir "$T/cache" -q --variant latest
assert_eq 0 "$rc" "build ($out)"
IMG="oci:$T/app:app:latest"
spdx="$("$PARE" sbom "$IMG")"
source_of() { jq -r --arg n "$1" '.packages[] | select(.name == $n) | .sourceInfo | split(" ")[3]' <<<"$spdx"; }
version_of() { jq -r --arg n "$1" '.packages[] | select(.name == $n) | .sourceInfo | split(" ")[4]' <<<"$spdx"; }
hello_src="$(source_of hello)" hello_ver="$(version_of hello)"
libc_src="$(source_of libc6)"
[[ -n "$hello_src" && -n "$hello_ver" && -n "$libc_src" ]] || fail "sources from the SBOM: $hello_src $hello_ver $libc_src"
jq -n --arg h "$hello_src" --arg hv "$hello_ver" --arg l "$libc_src" '{
  ($h): {
    "CVE-2099-0001": {"description": "fixed above", "releases": {
      "bookworm": {"status": "resolved", "fixed_version": ($hv + "+fix1"), "urgency": "high"},
      "trixie": {"status": "open", "urgency": "high"}}},
    "CVE-2099-0002": {"releases": {"bookworm": {"status": "open", "urgency": "unimportant"}}},
    "CVE-2099-0003": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "0",
                                                "urgency": "not yet assigned"}}}},
  ($l): {
    "CVE-2099-0010": {"releases": {"bookworm": {"status": "resolved", "fixed_version": "0.1-1",
                                                "urgency": "medium"}}}}
}' >"$T/feed.json"
# "$hello_ver+fix1" sorts above "$hello_ver": "+" sorts after the end of a version.

run_pare out rc scan "$IMG" --feed "$T/feed.json" --json
assert_eq 0 "$rc" "scan ($out)"
assert_eq bookworm "$(jq -r .release <<<"$out")" "the release from the image's os-release"
assert_eq "CVE-2099-0001 hello open high" \
  "$(jq -r '.findings[] | select(.state == "open") | "\(.id) \(.package) \(.state) \(.urgency)"' <<<"$out")" \
  "hello is open, fixed above its version"
assert_eq "$hello_ver+fix1" "$(jq -r '.findings[] | select(.id == "CVE-2099-0001") | .fixed_version' <<<"$out")" \
  "the fixed version"
assert_eq unimportant "$(jq -r '.findings[] | select(.id == "CVE-2099-0002") | .state' <<<"$out")" "unimportant apart"
assert_eq not-affected "$(jq -r '.findings[] | select(.id == "CVE-2099-0003") | .state' <<<"$out")" "not affected apart"
assert_eq "" "$(jq -r '.findings[] | select(.id == "CVE-2099-0010") | .id' <<<"$out")" "libc6 is fixed"
assert_eq 1 "$(jq -r '.counts.open' <<<"$out")" "one open"

run_pare out rc scan "$IMG" --feed "$T/feed.json"
assert_contains "$out" "CVE-2099-0001" "the table"
assert_contains "$out" "1 open: 1 high" "the summary"
run_pare out rc scan "$IMG" --feed "$T/feed.json" --fail-on high
assert_eq 6 "$rc" "--fail-on high with a high finding ($out)"
run_pare out rc scan "$IMG" --feed "$T/feed.json" --fail-on high --release trixie
assert_eq 6 "$rc" "trixie's record is open, no fix ($out)"
jq 'del(.[] | .["CVE-2099-0001"])' "$T/feed.json" >"$T/low.json"
run_pare out rc scan "$IMG" --feed "$T/low.json" --fail-on low
assert_eq 0 "$rc" "unimportant and not-affected never fail ($out)"

# The same finding from a directory of OSV records (Debian:12), and a record for Debian:13 only.
mkdir -p "$T/osv"
jq -n --arg h "$hello_src" --arg f "$hello_ver+fix1" '{id: "DSA-9999-1", upstream: ["CVE-2099-0001"],
  affected: [{package: {ecosystem: "Debian:12", name: $h},
              ranges: [{type: "ECOSYSTEM", events: [{introduced: "0"}, {fixed: $f}]}]}]}' >"$T/osv/DSA-9999-1.json"
jq -n --arg h "$hello_src" '{id: "DEBIAN-CVE-2099-0009", affected: [{package: {ecosystem: "Debian:13", name: $h},
  ranges: [{type: "ECOSYSTEM", events: [{introduced: "0"}]}]}]}' >"$T/osv/DEBIAN-CVE-2099-0009.json"
run_pare out rc scan "$IMG" --feed "$T/osv" --json
assert_eq 0 "$rc" "scan with OSV records ($out)"
assert_eq "CVE-2099-0001 hello $hello_ver+fix1" \
  "$(jq -r '.findings[] | "\(.id) \(.package) \(.fixed_version)"' <<<"$out")" "the OSV record's finding, Debian:12 only"

printf '{"hello": {"CVE-1": ' >"$T/broken.json"
run_pare out rc scan "$IMG" --feed "$T/broken.json"
assert_eq 2 "$rc" "a broken feed ($out)"
assert_contains "$out" "broken.json: not JSON at byte"
echo "PASS"
