# labels: offline
# A damaged cache never changes an image (issue #9, item 3): a flipped bit in a cached layer
# blob, in an unpacked package's data, or in a cached .deb, and a truncated cached Packages
# file or verified-InRelease marker, are each detected when used, dropped with a warning, and
# rebuilt or fetched again; the build succeeds with the same digest. Outputs are copies, so
# damage to the cache never reaches an earlier output. Temporaries left by a killed build are
# swept; `pare cache verify` finds and removes damaged entries, `pare cache prune` old ones.
# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2119
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
need_cmd sha256sum touch truncate
offline_init
write_chain "$T/spec"
app="$T/spec/app.yaml"
C="$T/cache"

build() { # build OUT -> out, rc; the build must succeed with the reference digest
  run_pare out rc build "$app" -o "$1" --cache-dir "$C"
  assert_eq 0 "$rc" "build $1 (output: $out)"
  [[ -z "${want:-}" ]] || assert_eq "$want" "$(layout_digest "$1" app:latest)" "$1: same image"
}
flip_byte() { # flip_byte FILE OFFSET — invert one byte in place
  python3 -c 'import sys
p, o = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, "rb").read()); b[o] ^= 0xFF; open(p, "wb").write(b)' "$1" "$2"
}
blobs_match_names() { # every blob of a layout still hashes to its name
  local f
  for f in "$1"/blobs/sha256/*; do
    assert_eq "$(basename "$f")" "$(sha256sum "$f" | cut -d' ' -f1)" "blob $f"
  done
}

want=""
build "$T/ref"
want="$(layout_digest "$T/ref" app:latest)"
top="$(layer_digests "$T/ref" app:latest | tail -n1)"
top_hex="${top#sha256:}"
# Outputs are copies of the cache's blobs, not hard links.
assert_eq 1 "$(stat -c %h "$T/ref/blobs/sha256/$top_hex")" "output blob link count"

# --- a flipped bit in a cached layer blob ------------------------------------------------------
flip_byte "$C/blobs/sha256/$top_hex" 100
build "$T/after-blob"
assert_contains "$out" "layer blob"
assert_contains "$out" "built again"
blobs_match_names "$T/ref"
blobs_match_names "$T/after-blob"
assert_eq "$top_hex" "$(sha256sum "$C/blobs/sha256/$top_hex" | cut -d' ' -f1)" "the cached blob was rebuilt"

# --- a flipped bit in an unpacked package's data (its layer must be built again) ----------------
hello_dir="$(grep -l '^Package: hello$' "$C"/unpacked/*/control | head -n1 | xargs dirname)"
[[ -d "$hello_dir" ]] || fail "no unpacked hello in the cache"
flip_byte "$hello_dir/data" 10
rm -rf "$C/layers"
build "$T/after-unpacked"
assert_contains "$out" "does not match its digest: removed; unpacking again"

# --- a truncated cached Packages file and verified-InRelease marker ----------------------------
for f in "$C"/indexes/*.Packages; do truncate -s 1000 "$f"; done
for f in "$C"/indexes/verified2/*; do truncate -s 50 "$f"; done
rm -rf "$C/resolutions" "$C/layers"
build "$T/after-index"
assert_contains "$out" "does not match its signed hash"
assert_not_contains "$out" "not in the index"

# --- a flipped bit in a cached .deb (unpacked form and layers gone, so it is read) -------------
hello_sha="$(basename "$hello_dir" | cut -d- -f1)"
flip_byte "$C/blobs/sha256/$hello_sha" 200
rm -rf "$C/unpacked" "$C/layers"
build "$T/after-deb"
assert_contains "$out" "downloading it again"
assert_eq "$hello_sha" "$(sha256sum "$C/blobs/sha256/$hello_sha" | cut -d' ' -f1)" "the .deb was fetched again"

# --- temporaries a killed build left behind are swept (only old ones) ---------------------------
echo junk >"$C/blobs/sha256/.dead.tmp-1-2-3"
touch -d '2 hours ago' "$C/blobs/sha256/.dead.tmp-1-2-3"
mkdir -p "$C/unpacked/.pare-tmp-9-9-9" && touch -d '2 hours ago' "$C/unpacked/.pare-tmp-9-9-9"
echo live >"$C/blobs/sha256/.live.tmp-4-5-6"
build "$T/after-sweep"
assert_no_file "$C/blobs/sha256/.dead.tmp-1-2-3" "an old temporary"
assert_no_file "$C/unpacked/.pare-tmp-9-9-9" "an old staging directory"
assert_file "$C/blobs/sha256/.live.tmp-4-5-6" "a running build's temporary"

# --- pare cache dir / verify / prune ---------------------------------------------------------------
run_pare out rc cache dir --cache-dir "$C"
assert_eq "$C" "$out" "cache dir"
run_pare out rc cache verify --cache-dir "$C" --json
assert_eq 0 "$rc" "verify a sound cache (output: $out)"
assert_eq 0 "$(jq '.removed | length' <<<"$out")" "nothing removed from a sound cache"
[[ "$(jq .checked <<<"$out")" -gt 10 ]] || fail "verify checked too little: $out"
flip_byte "$C/blobs/sha256/$top_hex" 5
flip_byte "$(ls -d "$C"/unpacked/*/ | head -n1)data" 0
first_record="$(ls "$C"/layers/*.json | head -n1)"
flip_byte "$first_record" 80
rc=0
out="$("$PARE" cache verify --cache-dir "$C" --json 2>"$T/verify.err")" || rc=$?
assert_eq 0 "$rc" "verify (output: $out $(cat "$T/verify.err"))"
assert_contains "$(cat "$T/verify.err")" "is damaged" "verify warns of a damaged record"
assert_eq 3 "$(jq '.removed | length' <<<"$out")" "the three damaged entries are removed"
assert_contains "$out" "$top_hex"
assert_contains "$out" "$(basename "$first_record")"
build "$T/after-verify"
run_pare out rc cache verify --cache-dir "$C" --json
assert_eq 0 "$(jq '.removed | length' <<<"$out")" "the build made them again"
run_pare out rc cache prune --older-than 1 --cache-dir "$C" --json
assert_eq 0 "$(jq '.removed | length' <<<"$out")" "prune keeps what was used today"
run_pare out rc cache prune --older-than 0 --cache-dir "$C" --json
assert_eq 0 "$rc" "prune (output: $out)"
sleep 1
run_pare out rc cache prune --older-than 0 --cache-dir "$C" -q
build "$T/after-prune"
blobs_match_names "$T/ref"
echo "offline_cache_damage: ok"
