# labels: offline
# Reproducibility: two cold builds (separate caches) and a warm rebuild give byte-identical
# layouts (manifest digests and every blob); a warm rebuild reports every layer cached;
# SOURCE_DATE_EPOCH moves `created` and every mtime, so it changes the digests — and does not
# poison the cache for builds without it.
# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2119
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
offline_init
write_chain "$T/spec"
app="$T/spec/app.yaml"

build_json() { # build_json OUT CACHE [args] -> the --json result
  local out rc
  run_pare out rc build "$app" -o "$1" --cache-dir "$2" --json "${@:3}"
  assert_eq 0 "$rc" "build $1 (output: $out)"
  # stderr may carry warnings; the JSON document is the part from the first '{'.
  sed -n '/^{/,$p' <<<"$out"
}
same_layout() { # same_layout A B WHAT
  local a="$1" b="$2" f
  assert_eq "$(cd "$a" && find . -type f | sort)" "$(cd "$b" && find . -type f | sort)" "$3: file lists"
  for f in $(cd "$a" && find . -type f | sort); do
    cmp -s "$a/$f" "$b/$f" || fail "$3: $f differs"
  done
}

cold1="$(build_json "$T/cold1" "$T/cache1")"
assert_eq 3 "$(jq .layers_built <<<"$cold1")" "cold build: layers built"
assert_eq 0 "$(jq .layers_cached <<<"$cold1")" "cold build: layers cached"
assert_eq 9 "$(jq .packages_downloaded <<<"$cold1")" "cold build: packages downloaded"
cold2="$(build_json "$T/cold2" "$T/cache2")"
assert_eq 3 "$(jq .layers_built <<<"$cold2")" "second cold build: layers built"
warm="$(build_json "$T/warm" "$T/cache1")"
assert_eq 0 "$(jq .layers_built <<<"$warm")" "warm build: layers built"
assert_eq 3 "$(jq .layers_cached <<<"$warm")" "warm build: every layer cached"
assert_eq 0 "$(jq .packages_downloaded <<<"$warm")" "warm build: nothing downloaded"

for v in latest nonroot; do
  d="$(layout_digest "$T/cold1" "app:$v")"
  assert_eq "$d" "$(layout_digest "$T/cold2" "app:$v")" "app:$v digest, cold vs cold"
  assert_eq "$d" "$(layout_digest "$T/warm" "app:$v")" "app:$v digest, cold vs warm"
  assert_eq "$d" "$(jq -r --arg t "app:$v" '.images[] | select(.tag == $t) | .digest' <<<"$cold1")" \
    "app:$v digest reported by --json"
  for layer in $(layer_digests "$T/cold1" "app:$v"); do
    cmp -s "$(blob_path "$T/cold1" "$layer")" "$(blob_path "$T/cold2" "$layer")" ||
      fail "layer $layer differs between the cold builds"
    assert_eq "${layer#sha256:}" "$(sha256sum <"$(blob_path "$T/cold2" "$layer")" | cut -d' ' -f1)" \
      "layer blob content matches its digest"
  done
done
same_layout "$T/cold1" "$T/cold2" "cold vs cold"
same_layout "$T/cold1" "$T/warm" "cold vs warm"

# One worker thread gives the same bytes as many.
run_pare out rc build "$app" -o "$T/j1" --cache-dir "$T/cache3" -j 1 -q
assert_eq 0 "$rc" "-j 1 build (output: $out)"
same_layout "$T/cold1" "$T/j1" "-j 1 vs default"

d_latest="$(layout_digest "$T/cold1" app:latest)"

# --- SOURCE_DATE_EPOCH ----------------------------------------------------------------------------------
sde="$(SOURCE_DATE_EPOCH=1700000000 build_json "$T/sde" "$T/cache1")"
assert_eq 3 "$(jq .layers_built <<<"$sde")" "a new epoch rebuilds the layers (mtimes are in them)"
d_sde="$(layout_digest "$T/sde" app:latest)"
assert_ne "$d_latest" "$d_sde" "SOURCE_DATE_EPOCH changes the manifest digest"
created="$(jq -r .created "$(blob_path "$T/sde" "$(manifest_of "$T/sde" app:latest | jq -r .config.digest)")")"
assert_eq "2023-11-14T22:13:20Z" "$created" "created from SOURCE_DATE_EPOCH"
assert_eq "1970-01-01T00:00:00Z" \
  "$(jq -r .created "$(blob_path "$T/cold1" "$(manifest_of "$T/cold1" app:latest | jq -r .config.digest)")")" \
  "created without SOURCE_DATE_EPOCH"
history="$(jq -r '[.history[].created] | unique | join(" ")' \
  "$(blob_path "$T/sde" "$(manifest_of "$T/sde" app:latest | jq -r .config.digest)")")"
assert_eq "2023-11-14T22:13:20Z" "$history" "history entries carry the epoch"
listing="$(layers_listing "$T/sde" app:latest)"
assert_eq "2023-11-14" "$(awk '{ print $4 }' <<<"$listing" | sort -u)" "every mtime in the layers"
for layer in $(layer_digests "$T/sde" app:latest); do
  if layer_digests "$T/cold1" app:latest | grep -qx "$layer"; then
    fail "layer $layer is the same with and without SOURCE_DATE_EPOCH"
  fi
done
# The same epoch again (other cache) reproduces it; no epoch on the first cache gives the original.
sde2="$(SOURCE_DATE_EPOCH=1700000000 build_json "$T/sde2" "$T/cache2")"
assert_eq "$d_sde" "$(jq -r '.images[] | select(.tag == "app:latest") | .digest' <<<"$sde2")" \
  "SOURCE_DATE_EPOCH builds reproduce"
same_layout "$T/sde" "$T/sde2" "two SOURCE_DATE_EPOCH builds"
back="$(build_json "$T/back" "$T/cache1")"
assert_eq 0 "$(jq .layers_built <<<"$back")" "epoch-0 layers still cached"
assert_eq "$d_latest" "$(layout_digest "$T/back" app:latest)" "epoch-0 build after an SDE build"

# A malformed epoch is refused (exit 2), not silently treated as 0.
rc=0
out="$(SOURCE_DATE_EPOCH=yesterday "$PARE" build "$app" -o "$T/bad" --cache-dir "$T/cache1" -q 2>&1)" || rc=$?
assert_eq 2 "$rc" "exit code for SOURCE_DATE_EPOCH=yesterday (output: $out)"
assert_contains "$out" "SOURCE_DATE_EPOCH"
assert_no_file "$T/bad"

echo "offline_reproducible: ok"
