# labels: offline podman
# Slices (`only:` on a package): the fixture's hello installed as /usr/bin/hello alone (plus its
# copyright and status entry) at one level, extended by a higher level with /bin/hello-old, and
# installed whole by another; status.d md5sums list exactly what each image holds; resolve shows
# the slices; a lockfile build gives the same image; the sliced hello runs in podman.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
offline_init
write_chain "$T/spec"
cat >"$T/spec/slice.yaml" <<EOF
from: libc.yaml
name: slice
packages:
  - {name: hello, only: [/usr/bin/hello]}
entrypoint: [/usr/bin/hello]
EOF
cat >"$T/spec/more.yaml" <<EOF
from: slice.yaml
name: more
packages:
  - {name: hello, only: ["/bin/hello-*"]}
EOF
cat >"$T/spec/whole.yaml" <<EOF
from: slice.yaml
name: whole
packages: [hello]
EOF
cache="$T/cache"

run_pare out rc build "$T/spec/slice.yaml" "$T/spec/more.yaml" "$T/spec/whole.yaml" -o "$T/out" \
  --cache-dir "$cache" -q
assert_eq 0 "$rc" "build of the sliced specs (output: $out)"

# Paths of the top layer of TAG, normalised ("usr/bin/hello").
top_layer_paths() {
  tar -tf "$(blob_path "$T/out" "$(layer_digests "$T/out" "$1" | tail -n1)")" | sed 's|^\./||; s|/$||' | sort
}
md5_paths() { tar -xOf "$(blob_path "$T/out" "$(layer_digests "$T/out" "$1" | tail -n1)")" \
  --wildcards '*var/lib/dpkg/status.d/hello.md5sums' 2>/dev/null | awk '{print $2}' | sort | tr '\n' ' '; }

slice="$(top_layer_paths slice:latest)"
for p in usr/bin/hello usr/share/doc/hello/copyright var/lib/dpkg/status.d/hello; do
  grep -qx "$p" <<<"$slice" || fail "the slice lacks $p"
done
for p in usr/bin/hi usr/bin/hello-hardlink bin/hello-old usr/share/man; do
  grep -qx "$p" <<<"$slice" && fail "the slice has $p, which its only: leaves out"
done
assert_eq "usr/bin/hello usr/share/doc/hello/copyright " "$(md5_paths slice:latest)" "slice md5sums"

more="$(top_layer_paths more:latest)"
grep -qx bin/hello-old <<<"$more" || fail "more's layer lacks bin/hello-old"
grep -qx usr/bin/hello <<<"$more" && fail "more's layer repeats usr/bin/hello from the slice below"
assert_eq "bin/hello-old usr/bin/hello usr/share/doc/hello/copyright " "$(md5_paths more:latest)" \
  "more's md5sums cover both slices"

whole="$(top_layer_paths whole:latest)"
for p in usr/bin/hi usr/bin/hello-hardlink bin/hello-old; do
  grep -qx "$p" <<<"$whole" || fail "whole's layer lacks $p"
done

# The layers below are shared: more and whole start with slice's.
for tag in more:latest whole:latest; do
  assert_eq "$(layer_digests "$T/out" slice:latest)" "$(layer_digests "$T/out" "$tag" | head -n -1)" \
    "$tag is slice's layers plus one"
done

# resolve shows the slice and the extension, and counts hello once.
run_pare res rc resolve "$T/spec/more.yaml" --cache-dir "$cache" --json
assert_eq 0 "$rc" "resolve --json"
assert_eq '["/usr/bin/hello"]' "$(jq -c '.archs[0].packages[] | select(.name == "hello" and .level == "slice") | .only' <<<"$res")"
assert_eq 'true' "$(jq -c '.archs[0].packages[] | select(.name == "hello" and .level == "more") | .adds_to_lower_slice' <<<"$res")"
run_pare text rc resolve "$T/spec/more.yaml" --cache-dir "$cache"
assert_contains "$text" "[only /usr/bin/hello]"
assert_contains "$text" "more of the slice below  [only /bin/hello-*]"

# A lockfile holds hello once and builds the same image.
run_pare out rc lock "$T/spec/more.yaml" --cache-dir "$cache" -o "$T/more.lock.json" -q
assert_eq 0 "$rc" "lock (output: $out)"
assert_eq 1 "$(jq '[.packages.amd64[] | select(.name == "hello")] | length' "$T/more.lock.json")" "hello locked once"
run_pare out rc build "$T/spec/more.yaml" --lockfile "$T/more.lock.json" -o "$T/locked" --cache-dir "$T/cache2" -q
assert_eq 0 "$rc" "lockfile build (output: $out)"
assert_eq "$(layout_digest "$T/out" more:latest)" "$(layout_digest "$T/locked" more:latest)" "lockfile build digest"

# A bad glob is reported with its place in the spec.
printf 'from: libc.yaml\npackages:\n  - {name: hello, only: [usr/bin/hello]}\n' >"$T/spec/bad.yaml"
run_pare out rc build "$T/spec/bad.yaml" -o "$T/bad" --cache-dir "$cache"
assert_ne 0 "$rc" "a relative only: path is refused"
assert_contains "$out" "bad.yaml:3:"
assert_no_file "$T/bad"

if command -v podman >/dev/null; then
  assert_eq "hello from pare fixture" "$(podman_output "oci:$T/out:slice:latest")" "the sliced hello runs"
fi
echo "offline_slices: ok"
