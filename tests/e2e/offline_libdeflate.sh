# labels: offline
# scripts/libdeflate.sh builds only what it can verify: a tarball whose SHA-256 is not the one
# Debian's .dsc lists, or a mirror that does not answer, fails with a message naming the cause
# and leaves the destination untouched (an existing library there included); a destination
# already built from the pinned tarball is kept without a download.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_cmd curl sha256sum
T="$(tmpdir)"
script="$PARE_SOURCE_DIR/scripts/libdeflate.sh"
pinned="$(sed -n 's/^sha256=//p' "$script")"
[[ "$pinned" =~ ^[0-9a-f]{64}$ ]] || fail "no pinned SHA-256 in $script"

# A mirror serving a forged tarball, logging its requests.
pool="$T/mirror/pool/main/libd/libdeflate"
mkdir -p "$pool"
echo "not libdeflate" | gzip -n >"$pool/libdeflate_1.14.orig.tar.gz"
serve_dir "$T/mirror" --log "$T/requests.log"
mirror="http://127.0.0.1:$SERVED_PORT"

rc=0
out="$(PARE_MIRROR="$mirror" bash "$script" "$T/dest" 2>&1)" || rc=$?
assert_eq 1 "$rc" "a forged tarball (output: $out)"
assert_contains "$out" "does not have the SHA-256"
assert_no_file "$T/dest" "a destination built from a forged tarball"
assert_eq "" "$(find "$T" -maxdepth 1 -name '.libdeflate.*')" "staging left behind"

# An existing library stays when the mirror does not answer.
mkdir -p "$T/old/lib" "$T/old/include"
echo "old library" >"$T/old/lib/libdeflate.a"
rc=0
out="$(PARE_MIRROR="http://127.0.0.1:9" bash "$script" "$T/old" 2>&1)" || rc=$?
assert_eq 1 "$rc" "an unreachable mirror (output: $out)"
assert_contains "$out" "cannot download"
assert_eq "old library" "$(cat "$T/old/lib/libdeflate.a")" "the library already there"

# Built from the pinned tarball already (SOURCE says so): nothing is fetched.
echo "1.14 $pinned" >"$T/old/SOURCE"
: >"$T/requests.log"
rc=0
out="$(PARE_MIRROR="$mirror" bash "$script" "$T/old" 2>&1)" || rc=$?
assert_eq 0 "$rc" "an up-to-date destination (output: $out)"
assert_eq "" "$(cat "$T/requests.log")" "requests for an up-to-date destination"

echo "offline_libdeflate: ok"
