# labels: network
# pare's CycloneDX documents validate against the official CycloneDX 1.6 JSON schema, taken
# from the @cyclonedx/cyclonedx-library npm package (packed with npm into the build directory
# once, then reused), judged by python3-jsonschema: the base image built from the real archive,
# and a document broken on purpose, which must fail. (SPDX 2.3's schema has no npm package
# found here yet; #12 still has to validate SPDX.)
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
need_pare
need_network
need_cmd npm python3 jq
python3 -c 'import jsonschema' 2>/dev/null || skip "python3-jsonschema is not installed"
rt_init bookworm
schemas="$PARE_BUILD_DIR/npm-cache/cyclonedx-library/package/res/schema"
if [[ ! -f "$schemas/bom-1.6.SNAPSHOT.schema.json" ]]; then
  mkdir -p "$PARE_BUILD_DIR/npm-cache/cyclonedx-library"
  (cd "$PARE_BUILD_DIR/npm-cache/cyclonedx-library" &&
    npm pack --silent @cyclonedx/cyclonedx-library >/dev/null &&
    tar -xzf cyclonedx-cyclonedx-library-*.tgz) || skip "npm could not fetch @cyclonedx/cyclonedx-library"
fi
rt_build "$EX/base.yaml" --arch amd64 --variant latest -o "$T/base"
"$PARE" sbom "oci:$T/base:base:latest" --format cyclonedx -o "$T/base.cdx.json" -q ||
  fail "pare sbom"
python3 "$PARE_SOURCE_DIR/tests/e2e/sbom/validate.py" "$schemas" bom-1.6.SNAPSHOT.schema.json \
  "$T/base.cdx.json" || fail "pare's CycloneDX does not validate"
jq '.components[1].type = "not-a-type"' "$T/base.cdx.json" >"$T/broken.cdx.json"
if python3 "$PARE_SOURCE_DIR/tests/e2e/sbom/validate.py" "$schemas" bom-1.6.SNAPSHOT.schema.json \
  "$T/broken.cdx.json" >/dev/null; then
  fail "the validator accepted a broken document"
fi
echo "PASS"
