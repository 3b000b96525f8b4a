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

# --- pare compare --------------------------------------------------------------------------------
run_pare out rc build "$T/spec/libc.yaml" -o "$T/libc" --cache-dir "$T/cache" -q --variant nonroot
assert_eq 0 "$rc" "build libc ($out)"
LIBC="oci:$T/libc:libc:nonroot"
run_pare out rc compare "$IMG" "$LIBC" --feed "$T/feed.json" --json --html "$T/compare.html"
assert_eq 0 "$rc" "compare ($out)"
row() { jq -r --arg i "$1" --arg k "$2" '.[] | select(.image == $i) | .[$k]' <<<"$out"; }
assert_eq 1 "$(row "$IMG" open_cves)" "the app has hello's open CVE"
assert_eq 0 "$(row "$LIBC" open_cves)" "libc has none"
assert_eq true "$(row "$IMG" runs_as_root)" "latest runs as root"
assert_eq false "$(row "$LIBC" runs_as_root)" "nonroot does not"
assert_eq false "$(row "$IMG" shell)" "no shell"
assert_eq "$(jq '([.layers[].size] | add) + .config.size' <<<"$(manifest_of "$T/app" app:latest)")" \
  "$(row "$IMG" compressed_bytes)" "compressed size = config + layers"
assert_eq "$(all_layer_digests "$T/app" app:latest | wc -l)" "$(row "$IMG" layers)" "layers"
assert_eq "$(jq '[.packages[] | select(.primaryPackagePurpose == "LIBRARY")] | length' <<<"$spdx")" \
  "$(row "$IMG" packages)" "packages"
run_pare md rc compare "$IMG" "$LIBC" --markdown
assert_contains "$md" "| image | compressed | uncompressed |" "a Markdown table"
[[ -s "$T/compare.html" ]] || fail "no HTML page"
grep -q '<script src=\|<link \|@import\|url(http' "$T/compare.html" && fail "the page loads something from outside"
assert_contains "$(cat "$T/compare.html")" '<svg id="chart"' "an inline SVG chart"

# The page in a real browser (Debian's chromium, headless): the table and the chart render with
# a size, and nothing is logged to the console as an error.
if command -v chromium >/dev/null 2>&1; then
  cp "$T/compare.html" "$T/check.html"
  cat >>"$T/check.html" <<'HTML'
<script>
window.addEventListener("load", () => {
  const size = (id) => { const r = document.getElementById(id).getBoundingClientRect(); return Math.round(r.width) + "x" + Math.round(r.height); };
  document.title = "table=" + size("comparison") + " chart=" + size("chart") + " points=" + document.querySelectorAll("#chart .point").length;
});
</script>
HTML
  chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --user-data-dir="$T/chrome-profile" --window-size=1200,900)
  dom="$(timeout 60 "${chrome[@]}" --dump-dom "file://$T/check.html" 2>"$T/chrome.log")" ||
    fail "chromium could not load the page: $(tail -n 5 "$T/chrome.log")"
  title="$(sed -n 's:.*<title>\(.*\)</title>.*:\1:p' <<<"$dom")"
  [[ "$title" =~ ^table=([0-9]+)x([0-9]+)\ chart=([0-9]+)x([0-9]+)\ points=2$ ]] ||
    fail "the page did not render the table and a two-point chart: '$title'"
  (( BASH_REMATCH[1] > 0 && BASH_REMATCH[2] > 0 && BASH_REMATCH[3] > 0 && BASH_REMATCH[4] > 0 )) ||
    fail "an element has no size: $title"
  if grep -qi "Uncaught\|console.*error" "$T/chrome.log"; then fail "console errors: $(grep -i error "$T/chrome.log" | head -3)"; fi
  timeout 60 "${chrome[@]}" --screenshot="$T/compare.png" "file://$T/compare.html" >/dev/null 2>&1 ||
    fail "no screenshot"
  [[ "$(head -c 8 "$T/compare.png" | od -An -tx1 | tr -d ' \n')" == 89504e470d0a1a0a ]] || fail "the screenshot is no PNG"
  [[ "$(stat -c %s "$T/compare.png")" -gt 10000 ]] || fail "the screenshot is nearly empty"
  [[ -z "${PARE_KEEP_SCREENSHOT:-}" ]] || cp "$T/compare.png" "$PARE_KEEP_SCREENSHOT"
else
  echo "chromium is not installed: the page was not opened in a browser (scripts/deps.sh installs it)"
fi

# The same records as a zip (as OSV publishes an ecosystem).
need_cmd python3
python3 -c 'import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for f in sorted(os.listdir(sys.argv[2])): z.write(os.path.join(sys.argv[2], f), f)' "$T/osv.zip" "$T/osv"
run_pare zipped rc scan "$IMG" --feed "$T/osv.zip" --json
assert_eq 0 "$rc" "scan with a zip of OSV records ($zipped)"
run_pare out rc scan "$IMG" --feed "$T/osv" --json
assert_eq "$(jq -c .findings <<<"$out")" "$(jq -c .findings <<<"$zipped")" "the zip gives what the directory gave"
printf 'not a zip' >"$T/bad.zip"
run_pare out rc scan "$IMG" --feed "$T/bad.zip"
assert_eq 2 "$rc" "a broken zip ($out)"

printf '{"hello": {"CVE-1": ' >"$T/broken.json"
run_pare out rc scan "$IMG" --feed "$T/broken.json"
assert_eq 2 "$rc" "a broken feed ($out)"
assert_contains "$out" "broken.json: not JSON at byte"
echo "PASS"
