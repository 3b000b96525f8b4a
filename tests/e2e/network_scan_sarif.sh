# labels: network
# `pare scan --sarif` writes SARIF 2.1.0 that validates against the official schema, taken from
# the @microsoft/sarif-multitool-linux npm package (its sarif-2.1.0.json, extracted once into
# the build directory), judged by python3-jsonschema; a document broken on purpose must fail.
# The image is the offline fixture's; the network is the npm registry.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
[[ "${PARE_OFFLINE:-0}" != 1 ]] || skip "PARE_OFFLINE=1"
need_cmd npm python3 jq
python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed"
schemas="$PARE_BUILD_DIR/npm-cache/sarif"
if [[ ! -f "$schemas/sarif-2.1.0.json" ]]; then
  mkdir -p "$schemas"
  (cd "$schemas" && npm pack --silent @microsoft/sarif-multitool-linux >/dev/null &&
    tar -xzf microsoft-sarif-multitool-linux-*.tgz package/sarif-2.1.0.json &&
    mv package/sarif-2.1.0.json . && rm -rf package ./*.tgz) ||
    skip "npm could not fetch @microsoft/sarif-multitool-linux"
fi
offline_init
write_chain "$T/spec"
run_pare out rc build "$T/spec/app.yaml" -o "$T/app" --cache-dir "$T/cache" -q --variant latest
assert_eq 0 "$rc" "build ($out)"
IMG="oci:$T/app:app:latest"
jq -n '{hello: {
  "CVE-2099-0001": {releases: {bookworm: {status: "resolved", fixed_version: "99:1", urgency: "high"}}},
  "CVE-2099-0002": {releases: {bookworm: {status: "open", urgency: "medium"}}},
  "CVE-2099-0003": {releases: {bookworm: {status: "open", urgency: "unimportant"}}}}}' >"$T/feed.json"
run_pare out rc scan "$IMG" --feed "$T/feed.json" --sarif "$T/scan.sarif" -q
assert_eq 0 "$rc" "scan --sarif ($out)"
assert_eq "CVE-2099-0001:error CVE-2099-0002:warning" \
  "$(jq -r '[.runs[0].results[] | "\(.ruleId):\(.level)"] | sort | join(" ")' "$T/scan.sarif")" \
  "open findings only, levels by urgency"
python3 "$PARE_SOURCE_DIR/tests/e2e/sbom/validate.py" "$schemas" sarif-2.1.0.json "$T/scan.sarif" ||
  fail "pare's SARIF does not validate"
jq '.runs[0].results[0].level = "catastrophic"' "$T/scan.sarif" >"$T/broken.sarif"
if python3 "$PARE_SOURCE_DIR/tests/e2e/sbom/validate.py" "$schemas" sarif-2.1.0.json "$T/broken.sarif" >/dev/null; then
  fail "the validator accepted a broken document"
fi
echo "PASS"
