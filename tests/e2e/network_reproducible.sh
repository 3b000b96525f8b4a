# labels: network podman
# shellcheck shell=bash
# Reproducibility against the real Debian archive (bookworm's cc image, latest and nonroot):
#   - two cold builds (each with its own EMPTY cache; the second with one worker thread, umask 077,
#     another working directory, time zone and locale) and a warm one give byte-identical layouts;
#   - `pare lock` then `build --lockfile` (also --offline) gives the same manifests;
#   - an application layer on top of cc: changing its file changes only the top layer (the lower
#     layers keep their digests and are reported cached), touching the file changes nothing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_network
need_pare
need_cmd python3 cmp skopeo
unset SOURCE_DATE_EPOCH
SUITE=bookworm
SPEC="$PARE_SOURCE_DIR/examples/cc.yaml"
CACHE="${PARE_BUILD_DIR}/network-cache"
T="$(tmpdir)"

json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); $2" "$1"; }
# manifests LAYOUT: "ref digest" per image, sorted.
manifests() { json "$1/index.json" 'print("\n".join(sorted(m["annotations"]["org.opencontainers.image.ref.name"] + " " + m["digest"] for m in j["manifests"])))'; }
# same_layout A B WHAT: the same images and byte-identical files (blobs, index.json, oci-layout).
same_layout() {
  assert_eq "$(manifests "$1")" "$(manifests "$2")" "$3: manifest digests"
  assert_eq "$(cd "$1" && find . -type f | sort)" "$(cd "$2" && find . -type f | sort)" "$3: the files of the layouts"
  local f
  while read -r f; do cmp -s "$1/$f" "$2/$f" || fail "$3: $f differs"; done < <(cd "$1" && find . -type f)
}

# --- cold, cold (another environment), warm -----------------------------------------------------
SECONDS=0
"$PARE" build "$SPEC" --suite "$SUITE" --cache-dir "$T/cold1" -o "$T/out-cold1" --json >"$T/cold1.json" ||
  fail "cold build 1 failed"
echo "cold build 1: ${SECONDS}s, $(json "$T/cold1.json" 'print(j["packages_downloaded"])') packages downloaded"
SECONDS=0
mkdir "$T/elsewhere"
(
  cd "$T/elsewhere" && umask 077 &&
    TZ=Pacific/Auckland LC_ALL=C.UTF-8 "$PARE" build "$SPEC" --suite "$SUITE" --cache-dir "$T/cold2" \
      -j 1 -o "$T/out-cold2" --json >"$T/cold2.json"
) || fail "cold build 2 failed"
echo "cold build 2 (-j 1, umask 077): ${SECONDS}s"
for n in 1 2; do
  [[ "$(json "$T/cold$n.json" 'print(j["packages_downloaded"])')" -gt 0 ]] ||
    fail "cold build $n downloaded nothing: its cache was not empty?"
done
"$PARE" build "$SPEC" --suite "$SUITE" --cache-dir "$T/cold1" -o "$T/out-warm" --json >"$T/warm.json" ||
  fail "warm build failed"
assert_eq 0 "$(json "$T/warm.json" 'print(j["packages_downloaded"])')" "the warm build downloads no package"
assert_eq 0 "$(json "$T/warm.json" 'print(j["layers_built"])')" "the warm build builds no layer"
echo "manifests:"
manifests "$T/out-cold1" | sed 's/^/  /'
[[ "$(manifests "$T/out-cold1" | wc -l)" -ge 2 ]] || fail "expected cc:latest and cc:nonroot"
same_layout "$T/out-cold1" "$T/out-cold2" "two cold builds"
same_layout "$T/out-cold1" "$T/out-warm" "cold and warm builds"

# --- lockfile ----------------------------------------------------------------------------------------
"$PARE" lock "$SPEC" --suite "$SUITE" --cache-dir "$T/cold1" -o "$T/cc.lock.json" -q || fail "pare lock failed"
assert_file "$T/cc.lock.json"
assert_no_file "$PARE_SOURCE_DIR/examples/cc.lock.json" "lock -o must not write beside the spec"
lock="$(cat "$T/cc.lock.json")"
for p in libc6 libstdc++6 libgcc-s1 libssl3 ca-certificates; do
  assert_contains "$lock" "\"$p\"" "the lockfile names $p"
done
"$PARE" build "$SPEC" --suite "$SUITE" --cache-dir "$T/cold1" --lockfile "$T/cc.lock.json" -o "$T/out-lock" -q ||
  fail "build --lockfile failed"
same_layout "$T/out-cold1" "$T/out-lock" "resolved and locked builds"
"$PARE" build "$SPEC" --suite "$SUITE" --cache-dir "$T/cold1" --lockfile "$T/cc.lock.json" --offline \
  -o "$T/out-lock-offline" -q || fail "build --lockfile --offline on a warm cache failed"
same_layout "$T/out-cold1" "$T/out-lock-offline" "resolved and locked offline builds"

# --- an application layer on top ------------------------------------------------------------------
mkdir "$T/a" "$T/b"
# Contents unique to this run: the shared cache must not already hold these app layers.
echo "version one ($T)" >"$T/a/app.txt"
echo "version two ($T)" >"$T/b/app.txt"
for v in a b; do
  printf 'from: %s\nname: app\nfiles: [{src: %s, dest: /app/app.txt}]\n' "$SPEC" "$T/$v/app.txt" >"$T/$v/app.yaml"
done
app_build() { # app_build SPEC OUT -> writes OUT and OUT.json
  "$PARE" build "$1" --suite "$SUITE" --cache-dir "$CACHE" --variant latest -o "$2" --json >"$2.json" ||
    fail "building $1 failed"
}
layers() { skopeo inspect --raw "oci:$1:app:latest" | python3 -c 'import json,sys; print("\n".join(l["digest"] for l in json.load(sys.stdin)["layers"]))'; }
app_build "$T/a/app.yaml" "$T/app-a"
app_build "$T/b/app.yaml" "$T/app-b"
la="$(layers "$T/app-a")"
lb="$(layers "$T/app-b")"
n="$(wc -l <<<"$la")"
[[ "$n" -ge 3 ]] || fail "expected the app layer and the SBOM's on top of cc's layers, got $n layer(s)"
assert_eq "$(head -n $((n - 2)) <<<"$la")" "$(head -n $((n - 2)) <<<"$lb")" "the lower layers are unchanged"
assert_ne "$(sed -n "$((n - 1))p" <<<"$la")" "$(sed -n "$((n - 1))p" <<<"$lb")" "the app layer changes with its file"
assert_eq "$n" "$(wc -l <<<"$lb")" "layer count"
assert_eq 1 "$(json "$T/app-b.json" 'print(j["layers_built"])')" "only the app layer is built"
cached="$(json "$T/app-b.json" 'print(j["layers_cached"])')"
[[ "$cached" -ge $((n - 2)) ]] || fail "layers_cached is $cached, expected the $((n - 2)) lower layers"
# The lower layers are cc's own: an image built on cc shares them with cc.
assert_eq "$(head -n $((n - 2)) <<<"$la")" \
  "$(skopeo inspect --raw "oci:$T/out-cold1:cc:latest" | python3 -c 'import json,sys; print("\n".join(l["digest"] for l in json.load(sys.stdin)["layers"][:-1]))')" \
  "the app's lower layers are cc's layers"
# A file's mtime is not part of the image.
touch -d '2001-02-03 04:05:06' "$T/a/app.txt"
app_build "$T/a/app.yaml" "$T/app-a2"
assert_eq "$(manifests "$T/app-a")" "$(manifests "$T/app-a2")" "touching the app's file changes nothing"

echo "network_reproducible: all checks passed"
