# labels: network podman
# The whole family in one `pare build`, against the real archive, for the suite $1 (default
# bookworm; network_rt_family_trixie.sh passes trixie): static, base-nossl, base, cc, python3,
# nodejs, java-nofonts and java, all four variants, amd64 and arm64 (PARE_RT_FAMILY_ARCHS=amd64 for one), into
# one layout.
#   - every tag exists: <name>:<variant> (an index) and <name>:<variant>-<arch>;
#   - layers are shared: each image's layers start with its parent's (cc's with base's ...),
#     latest and nonroot have the same layers, every debug image ends with the same busybox layer,
#     and the layout holds one blob per level and arch;
#   - each package is downloaded once: with an empty package cache, `--json`'s
#     packages_downloaded is the number of distinct .debs `pare resolve` lists for the family,
#     and a second build downloads and builds nothing;
#   - each image's `packages` count is that of its own resolved set;
#   - the amd64 images run (a shell in debug, nothing else needed).
# The cache is private to this test, not the shared network cache: counting downloads needs one
# that starts empty.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
need_pare
need_network
need_cmd podman skopeo python3
rt_init "${1:-bookworm}"
ARCHS="${PARE_RT_FAMILY_ARCHS:-amd64,arm64}"
FAMILIES=(static base-nossl base cc python3 nodejs java-nofonts java)
VARIANTS=(latest nonroot debug debug-nonroot)
COLD="$T/cache"
specs=()
for f in "${FAMILIES[@]}"; do specs+=("$EX/$f.yaml"); done
started=$SECONDS

# --- what should be downloaded: the distinct .debs of every family's resolved set, debug included --
: >"$T/resolved"
for f in "${FAMILIES[@]}"; do
  printf 'from: %s\nvariants: [latest, debug]\n' "$EX/$f.yaml" >"$T/resolve-$f.yaml"
  "$PARE" resolve "$T/resolve-$f.yaml" --suite "$SUITE" --arch "$ARCHS" --cache-dir "$COLD" --json >"$T/resolve-$f.json" ||
    fail "pare resolve $f failed"
  rt_json '[p["sha256"] for a in j["archs"] for p in a["packages"]]' <"$T/resolve-$f.json" >>"$T/resolved"
done
distinct="$(sort -u "$T/resolved" | wc -l)"
((distinct > 50)) || fail "resolve listed only $distinct distinct packages for the family"

# --- one build of everything, cold, then again warm ------------------------------------------------
build_json() { "$PARE" build "${specs[@]}" --suite "$SUITE" --arch "$ARCHS" --variant "$(IFS=,; echo "${VARIANTS[*]}")" \
  --cache-dir "$COLD" --json -o "$1"; }
build_json "$T/family" >"$T/cold.json" || fail "family build failed"
echo "cold build: $(rt_json '{k: v for k, v in j.items() if k != "images"}' <"$T/cold.json")"
rt_check assert_eq "$distinct" "$(rt_json 'j["packages_downloaded"]' <"$T/cold.json")" \
  "packages downloaded = distinct packages of the family (each downloaded once)"
build_json "$T/family2" >"$T/warm.json" || fail "second family build failed"
rt_check assert_eq "0" "$(rt_json 'j["packages_downloaded"]' <"$T/warm.json")" "second build downloads nothing"
rt_check assert_eq "0" "$(rt_json 'j["layers_built"]' <"$T/warm.json")" "second build builds no layer"
rt_check assert_eq "$(rt_json '[(i["tag"], i["digest"]) for i in j["images"]]' <"$T/cold.json")" \
  "$(rt_json '[(i["tag"], i["digest"]) for i in j["images"]]' <"$T/warm.json")" "warm build gives the same digests"

# --- every expected tag ------------------------------------------------------------------------
IFS=, read -r -a arch_list <<<"$ARCHS"
expected=()
for f in "${FAMILIES[@]}"; do
  for v in "${VARIANTS[@]}"; do
    expected+=("$f:$v")
    ((${#arch_list[@]} > 1)) && for a in "${arch_list[@]}"; do expected+=("$f:$v-$a"); done
  done
done
tags="$(rt_json 'sorted(m["annotations"]["org.opencontainers.image.ref.name"] for m in j["manifests"])' <"$T/family/index.json")"
rt_check assert_eq "$(printf '%s\n' "${expected[@]}" | sort)" "$tags" "tags in the layout"

# --- layers: shared down the chain, across variants and families --------------------------------
cat >"$T/layers.py" <<'EOF'
import json, os, sys
layout, archs = sys.argv[1], sys.argv[2].split(",")
blob = lambda d: json.load(open(os.path.join(layout, "blobs", "sha256", d.split(":")[1])))
index = json.load(open(os.path.join(layout, "index.json")))
tags = {m["annotations"]["org.opencontainers.image.ref.name"]: m["digest"] for m in index["manifests"]}
parent = {"base-nossl": "static", "base": "base-nossl", "cc": "base", "python3": "cc", "nodejs": "cc", "java-nofonts": "base", "java": "java-nofonts"}
def layers(name, variant, arch):
    # the content layers: each image's top layer is its own SBOM (checked below)
    tag = f"{name}:{variant}-{arch}" if len(archs) > 1 else f"{name}:{variant}"
    manifest = blob(tags[tag])
    config = blob(manifest["config"]["digest"])
    if not config["history"][-1].get("created_by", "").startswith("pare: SBOM"):
        bad.append(f"{tag}: no SBOM layer on top")
    return [l["digest"] for l in manifest["layers"][:-1]]
bad = []
for arch in archs:
    debug_tops, all_layers = set(), set()
    for name in ["static"] + list(parent):
        lat, non = layers(name, "latest", arch), layers(name, "nonroot", arch)
        dbg, dbn = layers(name, "debug", arch), layers(name, "debug-nonroot", arch)
        all_layers.update(lat + dbg)
        if lat != non: bad.append(f"{name} {arch}: latest and nonroot layers differ")
        if dbg != dbn: bad.append(f"{name} {arch}: debug and debug-nonroot layers differ")
        if dbg[:-1] != lat: bad.append(f"{name} {arch}: debug is not latest + one layer")
        debug_tops.add(dbg[-1])
        if name in parent:
            up = layers(parent[name], "latest", arch)
            if lat[:len(up)] != up or len(lat) != len(up) + 1:
                bad.append(f"{name} {arch}: layers do not start with {parent[name]}'s ({len(up)} layers)")
    if len(debug_tops) != 1: bad.append(f"{arch}: {len(debug_tops)} different busybox layers")
    # one layer per level (8 families) plus the busybox layer
    if len(all_layers) != 9: bad.append(f"{arch}: {len(all_layers)} distinct layers, expected 9")
print("\n".join(bad) if bad else "layers ok")
EOF
rt_check assert_eq "layers ok" "$(python3 "$T/layers.py" "$T/family" "$ARCHS")" "layer sharing"

# --- package counts per image -------------------------------------------------------------------
for f in "${FAMILIES[@]}"; do
  # A package named again to extend a lower level's slice is one package, listed twice.
  n="$(rt_json '[p for p in j["archs"][0]["packages"] if p["level"] != "debug" and not p.get("adds_to_lower_slice")]' \
    <"$T/resolve-$f.json" | wc -l)"
  got="$(rt_json "[i['packages'] for i in j['images'] if i['tag'] == '$f:latest']" <"$T/cold.json")"
  rt_check assert_eq "$n" "$got" "$f:latest packages in --json = its resolved set without busybox-static"
  got="$(rt_json "[i['packages'] for i in j['images'] if i['tag'] == '$f:debug']" <"$T/cold.json")"
  rt_check assert_eq "$((n + 1))" "$got" "$f:debug packages in --json = its set + busybox-static"
done

# --- the amd64 images start ---------------------------------------------------------------------
tagsfx=""
((${#arch_list[@]} > 1)) && tagsfx="-amd64"
for f in "${FAMILIES[@]}"; do
  out="$(pare_podman_run -q --entrypoint /busybox/sh "oci:$T/family:$f:debug-nonroot$tagsfx" -c 'id -u; ls /etc/os-release' 2>&1)" || true
  rt_check assert_eq "$(printf '65532\n/etc/os-release')" "$out" "$f:debug-nonroot runs"
done
out="$(pare_podman_run -q "oci:$T/family:python3:nonroot$tagsfx" -c 'print("py-ok")' 2>&1)" || true
rt_check assert_eq "py-ok" "$out" "python3:nonroot runs"
out="$(pare_podman_run -q "oci:$T/family:nodejs:nonroot$tagsfx" -e 'console.log("node-ok")' 2>&1)" || true
rt_check assert_eq "node-ok" "$out" "nodejs:nonroot runs"
out="$(pare_podman_run -q --entrypoint java "oci:$T/family:java:nonroot$tagsfx" -version 2>&1)" || true
rt_check assert_contains "$out" "OpenJDK" "java:nonroot runs"

echo "family test took $((SECONDS - started)) s"
((SECONDS - started < 600)) || rt_check fail "the family test took $((SECONDS - started)) s (budget 600 s)"
rt_done "network_rt_family ($SUITE, $ARCHS)"
