# labels: offline
# Hostile inputs (issue #9, items 2, 4, 5 and 7), through the real binary:
#  - `-o` replaces only pare's own output of the same format: an unrelated directory, the
#    working directory, the spec itself are refused with exit 2 and left untouched;
#  - devices and FIFOs as a spec, a from: or a files: src are refused at once (no hang, no
#    unbounded read);
#  - files: come from the spec's directory tree (or --context): `..`, absolute paths and
#    symlinks out of it are refused, and a missing src fails before any download;
#  - a package that cannot be met is placed at its spec file:line:column.
# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2119
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
need_cmd mkfifo timeout
T0="$(tmpdir)"
offline_init --log "$T0/requests.log"
write_chain "$T/spec"
app="$T/spec/app.yaml"
C="$T/cache"

refused() { # refused CODE NEEDLE ARGS... — pare must exit CODE (within 20 s) saying NEEDLE
  local code="$1" needle="$2" rc=0 out
  shift 2
  out="$(timeout 20 "$PARE" "$@" --cache-dir "${CACHE:-$C}" 2>&1)" || rc=$?
  assert_eq "$code" "$rc" "exit code of pare $* (output: $out)"
  assert_contains "$out" "$needle"
}

# --- -o: pare removes only what it wrote ----------------------------------------------------------
mkdir -p "$T/home" && echo mine >"$T/home/notes"
refused 2 "without an oci-layout file" build "$app" -o "$T/home"
assert_eq mine "$(cat "$T/home/notes")" "an unrelated directory is untouched"
refused 2 "a file" build "$app" -o "$app"
assert_contains "$(cat "$app")" "name: app" "the spec itself is untouched"
(cd "$T/home" && refused 2 "nothing was changed" build "$app" -o "$T/home")
refused 2 "not a tar archive" build "$app" --format oci-archive -o "$app"
refused 2 "not a pare lockfile" lock "$app" -o "$app"
assert_contains "$(cat "$app")" "name: app" "lock -o does not replace the spec"
run_pare out rc build "$app" -o "$T/layout" --cache-dir "$C" -q
assert_eq 0 "$rc" "a first build (output: $out)"
run_pare out rc build "$app" -o "$T/layout" --cache-dir "$C" -q
assert_eq 0 "$rc" "a layout pare wrote is replaced (output: $out)"
mkdir -p "$T/empty"
run_pare out rc build "$app" -o "$T/empty" --cache-dir "$C" -q
assert_eq 0 "$rc" "an empty directory may be used (output: $out)"

# --- pare cache verify/prune act only on a directory pare marked as its cache ----------------------
mkdir -p "$T/home/layers" && echo mine >"$T/home/layers/map.shp"
touch -d '400 days ago' "$T/home/layers/map.shp"
CACHE="$T/home" refused 2 "is not a pare cache" cache prune --older-than 0
CACHE="$T/home" refused 2 "is not a pare cache" cache verify
assert_eq mine "$(cat "$T/home/layers/map.shp")" "a mistyped --cache-dir is not pruned"
assert_file "$C/CACHEDIR.TAG" "the cache a build used is tagged"
run_pare out rc cache verify --cache-dir "$C" -q
assert_eq 0 "$rc" "verify a tagged cache (output: $out)"

# --- usage errors are invalid input too (exit 2, not CLI11's own codes) ------------------------------
refused 2 "not in range 0" cache prune --older-than -1
refused 2 "--bogus" build "$app" --bogus

# --- devices and FIFOs -------------------------------------------------------------------------------
refused 2 "a character device" build /dev/zero -o "$T/x"
mkfifo "$T/spec/fifo.yaml"
refused 2 "a FIFO" build "$T/spec/fifo.yaml" -o "$T/x"
printf 'from: /dev/zero\nname: z\n' >"$T/spec/fromzero.yaml"
refused 2 "a character device" build "$T/spec/fromzero.yaml" -o "$T/x"
printf 'from: fifo.yaml\nname: f\n' >"$T/spec/fromfifo.yaml"
refused 2 "a FIFO" build "$T/spec/fromfifo.yaml" -o "$T/x"
mkdir -p "$T/spec/tree" && mkfifo "$T/spec/tree/pipe"
printf 'from: libc.yaml\nname: t\nfiles: [{src: tree, dest: /tree}]\n' >"$T/spec/tree.yaml"
refused 2 "a FIFO" build "$T/spec/tree.yaml" -o "$T/x"

# --- the build context ------------------------------------------------------------------------------
mkdir -p "$T/secret" && echo key >"$T/secret/id"
for src in ../secret/id /proc/self/status "$T/secret/id"; do
  printf 'from: libc.yaml\nname: s\nfiles: [{src: %s, dest: /x}]\n' "$src" >"$T/spec/steal.yaml"
  refused 2 "outside the build context" build "$T/spec/steal.yaml" -o "$T/x"
done
ln -s "$T/secret/id" "$T/spec/link-out"
printf 'from: libc.yaml\nname: s\nfiles: [{src: link-out, dest: /x}]\n' >"$T/spec/steal.yaml"
refused 2 "resolves to" build "$T/spec/steal.yaml" -o "$T/x"
printf 'from: libc.yaml\nname: s\nfiles: [{src: %s, dest: /x}]\n' "$T/secret/id" >"$T/spec/steal.yaml"
run_pare out rc build "$T/spec/steal.yaml" --context "$T/secret" -o "$T/widened" --cache-dir "$C" -q
assert_eq 0 "$rc" "--context widens the rule (output: $out)"

# --- a missing src fails at its place, before anything is downloaded -----------------------------------
printf 'from: libc.yaml\nname: m\nfiles:\n  - {src: nope.bin, dest: /x}\n' >"$T/spec/missing.yaml"
: >"$T0/requests.log"
CACHE="$T/cold" refused 2 "missing.yaml:4:5" build "$T/spec/missing.yaml" -o "$T/x"
assert_eq "" "$(cat "$T0/requests.log")" "nothing fetched for a spec with a missing file"

# --- an unmet package is placed at its line -------------------------------------------------------------
printf 'from: libc.yaml\nname: u\npackages:\n  - hello\n  - no-such-package\n' >"$T/spec/unmet.yaml"
refused 3 "unmet.yaml:5:5" resolve "$T/spec/unmet.yaml"
assert_no_file "$T/x" "no output from any refused build"
echo "offline_hostile_inputs: ok"
