# labels: offline
# A directory a lower level made a symlink (here /var/run -> /run, as installed Debian systems
# have it) stays a symlink when an upper level puts files under it: the files are stored through the
# link, as dpkg would, so unpacking the image (umoci, OCI layer semantics) keeps the link. And a
# directory copied to `dest: /` merges into the root.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
offline_init
write_chain "$T/spec"
cat >"$T/spec/links.yaml" <<EOF
from: libc.yaml
paths:
  - {type: symlink, path: /var/run, target: /run}
EOF
mkdir -p "$T/spec/state/app" "$T/spec/overlay/etc/app"
echo 42 >"$T/spec/state/app/pid"
echo "key: value" >"$T/spec/overlay/etc/app/app.conf"
cat >"$T/spec/app.yaml" <<EOF
from: links.yaml
name: app
packages: [hello]
files:
  - {src: state, dest: /var/run/}
  - {src: overlay, dest: /}
entrypoint: [/usr/bin/hello]
EOF

run_pare out rc build "$T/spec/app.yaml" -o "$T/out" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build (output: $out)"

top="$(tar -tf "$(blob_path "$T/out" "$(layer_digests "$T/out" app:latest | tail -n1)")" |
  sed 's|^\./||; s|/$||' | sort)"
assert_contains "$top" "run/app/pid"
assert_contains "$top" "etc/app/app.conf"
assert_not_contains "$top" "var/run" "the top layer must not touch the lower level's link"
if grep -qx "" <<<"$top"; then fail "an entry for the root directory"; fi

unpack_image "$T/out" app:latest "$T/unpacked"
root="$T/unpacked/rootfs"
[[ -L "$root/var/run" ]] || fail "/var/run is no longer a symlink in the unpacked image"
assert_eq "/run" "$(readlink "$root/var/run")"
# (The link is absolute: on this host it points outside the unpacked tree, so read its target.)
assert_eq 42 "$(cat "$root/run/app/pid")" "the file, where the link leads"
assert_eq "key: value" "$(cat "$root/etc/app/app.conf")"
echo "ok"
