# labels: offline registry
# The registry layer cache (#16) with the fixture repository and a real distribution registry
# on 127.0.0.1. "Runner A" (its own cache dir) builds two architectures with --cache and
# --push; "runner B" (a fresh cache dir, A's removed) builds the same: no .deb fetched from the
# mirror (the fixture server's request log), no layer built (--json), identical digests, and
# with no -o every cached layer is mounted into the destination (no blob upload, no blob GET at
# the registry). A local output pulls the cached blobs it needs. A changed top spec rebuilds
# only its layer; a blob damaged in the registry's storage is a miss and the layer is built;
# --cache-from never writes; an entry of another pare version or key is never used.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
source "$(dirname "${BASH_SOURCE[0]}")/registry.bash"
need_cmd jq skopeo
offline_init --log "$PARE_TEST_TMP/mirror.log"
write_chain "$T/spec"
start_registry plain
CACHE_REF="$REG/ci/pare-cache"
debs() { grep -c '\.deb ' "$PARE_TEST_TMP/mirror.log" || true; }
completed() { grep 'msg="response completed"' "$REG_LOG" || true; }
# registry_requests METHOD URI-PREFIX — answered requests so far
registry_requests() {
  completed | grep "http.request.method=$1 " | grep -c "http.request.uri=\"$2" || true
}
build() { # build CACHE_DIR ARGS... — pare build of app.yaml for two architectures, --json
  local dir="$1"
  shift
  "$PARE" build "$T/spec/app.yaml" --arch amd64,arm64 --cache-dir "$dir" --json "$@"
}

# --- runner A: cold, fills the cache ---------------------------------------------------------
a="$(build "$T/cache-a" --cache "$CACHE_REF" --push "$REG/team/app" 2>"$T/a.err")" || fail "runner A: $a $(cat "$T/a.err")"
assert_eq "" "$(cat "$T/a.err")" "runner A warns of nothing"
assert_ne 0 "$(jq .layers_built <<<"$a")" "runner A builds its layers"
assert_ne 0 "$(debs)" "runner A downloads packages"
tags="$(skopeo list-tags --tls-verify=false "docker://$CACHE_REF" | jq -r '.Tags[]' | sort)"
assert_eq "$(jq .layers_built <<<"$a")" "$(grep -c '^layer-' <<<"$tags")" "one cache entry per layer built"
entry="$(skopeo inspect --raw --tls-verify=false "docker://$CACHE_REF:$(head -1 <<<"$tags")")"
assert_eq "application/vnd.dev.pare.layer-cache.v1" "$(jq -r .artifactType <<<"$entry")" "entries are OCI artifacts"
assert_eq "0.1.0" "$(jq -r '.annotations["dev.pare.cache.pare-version"]' <<<"$entry")" "entries carry pare's version"

# --- runner B: an empty disk ------------------------------------------------------------------
rm -rf "$T/cache-a"
: >"$PARE_TEST_TMP/mirror.log"
mounts_before="$(mount_requests)"
log_lines_before="$(wc -l <"$REG_LOG")"
gets_before="$(registry_requests GET /v2/ci/pare-cache/blobs/sha256)"
b="$(build "$T/cache-b" --cache "$CACHE_REF" --push "$REG/team/app-b")" || fail "runner B: $b"
assert_eq 0 "$(debs)" "runner B fetches no .deb"
assert_eq 0 "$(jq .layers_built <<<"$b")" "runner B builds no layer"
assert_eq "$(jq .layers_cached <<<"$b")" "$(jq .layers_from_registry_cache <<<"$b")" "every layer from the registry cache"
assert_eq "$(jq -c '[.images[] | {tag, digest}]' <<<"$a")" "$(jq -c '[.images[] | {tag, digest}]' <<<"$b")" "identical digests"
assert_eq "$(jq -c '[.pushed[].digest] | sort' <<<"$a")" "$(jq -c '[.pushed[].digest] | sort' <<<"$b")" "identical pushed digests"
# Only the small SBOM layers and configs may go up; no package layer is uploaded or downloaded.
layer_digests="$(skopeo inspect --raw --tls-verify=false "docker://$REG/team/app-b:latest-amd64" | jq -r '.layers[:-1][].digest')"
for d in $layer_digests; do
  completed | grep 'http.request.method=PUT ' | grep 'http.request.uri="/v2/team/app-b/' |
    grep -q "${d:7}" && fail "layer $d was uploaded to team/app-b, not mounted"
  sed -n "$((log_lines_before + 1)),\$p" "$REG_LOG" | grep 'msg="response completed"' |
    grep 'http.request.method=GET ' | grep -q "${d:7}" && fail "layer $d was downloaded by runner B"
done
# What runner B read of the cache: one small summary per layer (what its SBOM is made from).
assert_eq "$(jq .layers_cached <<<"$b")" "$(($(registry_requests GET /v2/ci/pare-cache/blobs/sha256) - gets_before))" \
  "runner B reads one summary per distinct layer"
assert_ne "$mounts_before" "$(mount_requests)" "layers mounted from the cache"
assert_eq "" "$(ls "$T/cache-b/blobs/sha256" 2>/dev/null | while read -r h; do grep -qx "sha256:$h" <<<"$layer_digests" && echo "$h"; done)" \
  "no package layer blob on runner B's disk"

# --- a local output pulls what it needs -------------------------------------------------------
c="$(build "$T/cache-c" --cache-from "$CACHE_REF" -o "$T/out-c")" || fail "runner C: $c"
assert_eq 0 "$(jq .layers_built <<<"$c")" "runner C builds no layer"
assert_eq "$(jq -c '[.images[] | {tag, digest}]' <<<"$a")" "$(jq -c '[.images[] | {tag, digest}]' <<<"$c")" "runner C's digests"
skopeo inspect "oci:$T/out-c:app:latest-arm64" >/dev/null || fail "runner C's layout is complete"
"$PARE" cache verify --cache-dir "$T/cache-c" >/dev/null || fail "runner C's cache verifies"

# --- a changed top spec rebuilds only its layer -----------------------------------------------
echo "changed: yes" >"$T/spec/app.txt"
echo 'files: [{src: ./app.txt, dest: /app.txt}]' >>"$T/spec/app.yaml"
d="$(build "$T/cache-d" --cache "$CACHE_REF" -o "$T/out-d")" || fail "changed spec: $d"
assert_eq 2 "$(jq .layers_built <<<"$d")" "only the app layer (two architectures) is built"

# --- --cache-from never writes ----------------------------------------------------------------
echo "changed: again" >"$T/spec/app.txt"
puts_before="$(registry_requests PUT /v2/ci/pare-cache/)"
e="$(build "$T/cache-e" --cache-from "$CACHE_REF" -o "$T/out-e")" || fail "read-only: $e"
assert_eq 2 "$(jq .layers_built <<<"$e")" "read-only: the new layer is built"
assert_eq "$puts_before" "$(registry_requests PUT /v2/ci/pare-cache/)" "--cache-from writes nothing"
PARE_CACHE_FROM="$CACHE_REF" build "$T/cache-e2" -o "$T/out-e2" >"$T/e2.json" || fail "PARE_CACHE_FROM"
assert_ne 0 "$(jq .layers_from_registry_cache "$T/e2.json")" "PARE_CACHE_FROM reads the cache"
assert_eq "$puts_before" "$(registry_requests PUT /v2/ci/pare-cache/)" "PARE_CACHE_FROM writes nothing"

# --- a damaged blob in the registry's storage is a miss, never a wrong image --------------------
echo "changed: yes" >"$T/spec/app.txt"
app_layer="$(jq -r '.layers[-2].digest' "$(blob_path "$T/out-d" "$(jq -r '.manifests[0].digest' "$(blob_path "$T/out-d" "$(layout_digest "$T/out-d" app:latest)")")")")"
data="$(find "$REG_DIR" -path "*/blobs/sha256/${app_layer:7:2}/${app_layer:7}/data")"
[[ -f "$data" ]] || fail "no registry file for $app_layer"
printf 'X' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
f="$(build "$T/cache-f" --cache "$CACHE_REF" -o "$T/out-f" 2>"$T/f.err")" || fail "damaged blob: $f"
assert_ne 0 "$(jq .layers_built <<<"$f")" "the damaged layer is built here"
assert_eq "$(layout_digest "$T/out-d" app:latest)" "$(layout_digest "$T/out-f" app:latest)" "and the image is the right one"
assert_contains "$(cat "$T/f.err")" "registry cache" "the damage is reported"

# --- a registry that is not there: a warning, the build goes on -------------------------------
g="$(build "$T/cache-g" --cache "127.0.0.1:$(free_port)/ci/none" -o "$T/out-g" 2>"$T/g.err")" || fail "no registry: $g"
assert_contains "$(cat "$T/g.err")" "not used for this build" "an unreachable cache is a warning"
# --- 8 builds at once: one local cache, one registry cache ------------------------------------
echo "concurrent: 1" >"$T/spec/app.txt"
pids=()
for i in 1 2 3 4 5 6 7 8; do
  build "$T/cache-shared" --cache "$CACHE_REF" -o "$T/out-p$i" -q >"$T/p$i.json" 2>"$T/p$i.err" &
  pids+=($!)
done
for i in "${!pids[@]}"; do wait "${pids[$i]}" || fail "concurrent build $((i + 1)): $(cat "$T/p$((i + 1)).err")"; done
for i in 2 3 4 5 6 7 8; do
  assert_eq "$(jq -c '[.images[].digest]' "$T/p1.json")" "$(jq -c '[.images[].digest]' "$T/p$i.json")" "concurrent build $i's digests"
done
"$PARE" cache verify --cache-dir "$T/cache-shared" --json >"$T/verify.json" || fail "the shared cache verifies"
assert_eq 0 "$(jq '.removed | length' "$T/verify.json")" "nothing damaged in the shared cache"
c9="$(build "$T/cache-9" --cache-from "$CACHE_REF" -o "$T/out-9")" || fail "after the concurrent builds: $c9"
assert_eq 0 "$(jq .layers_built <<<"$c9")" "the registry cache holds what they built"
assert_eq "$(jq -c '[.images[].digest]' "$T/p1.json")" "$(jq -c '[.images[].digest]' <<<"$c9")" "and gives the same images"

echo "offline_registry_cache: all checks passed"
