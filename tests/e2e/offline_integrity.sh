# labels: offline
# Integrity: every byte pare uses is tied to the signed InRelease. Against tampered private
# copies of the fixture repository (fixture_repo_copy; fixture_sign where the change must pass
# the signature to reach the next check):
#   - one byte of InRelease changed             -> signature failure, exit 5
#   - an unrelated keyring                      -> signature failure, exit 5
#   - a re-signed Release that has expired      -> refused (Valid-Until), exit 5
#   - a Packages file not matching the Release  -> integrity failure, exit 5, names the index
#   - a .deb in the pool replaced               -> integrity failure, exit 5, names the .deb URL
# In every case nothing is written at the output path, and an output left by an earlier good
# build (layout directory or archive file) is untouched.
# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2119
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
need_cmd xz gzip sha256sum gpg
offline_init
write_chain "$T/spec"
app="$T/spec/app.yaml"
OUTS="$T/outs"
mkdir -p "$OUTS"

# Earlier good outputs that failed builds must leave alone.
run_pare out rc build "$app" -o "$OUTS/keep" --cache-dir "$T/cache-good" -q
assert_eq 0 "$rc" "good build (output: $out)"
run_pare out rc build "$app" --format oci-archive -o "$OUTS/keep.tar" --cache-dir "$T/cache-good" -q
assert_eq 0 "$rc" "good archive build (output: $out)"
snapshot() { (cd "$OUTS" && find . -printf '%p %y %s %m\n' | sort && find . -type f -exec sha256sum {} + | sort); }
before="$(snapshot)"

# tampered_copy NAME — a private copy of the repository in $T/NAME (served later by expect_failure).
tampered_copy() { fixture_repo_copy "$T/$1"; }

# expect_failure NAME CODE NEEDLE... — build from the served copy $T/NAME with a cold cache:
# exit CODE, every NEEDLE in the output, no output written, the earlier outputs unchanged.
expect_failure() {
  local name="$1" code="$2" out rc needle mirror
  shift 2
  serve_dir "$T/$name"
  mirror="http://127.0.0.1:$SERVED_PORT"
  for format in oci oci-archive; do
    rc=0
    out="$(PARE_MIRROR="$mirror" PARE_SECURITY_MIRROR="$mirror/security" "$PARE" build "$app" \
      --format "$format" -o "$OUTS/new-$name" --cache-dir "$T/cache-$name-$format" -q 2>&1)" || rc=$?
    assert_eq "$code" "$rc" "$name ($format): exit code (output: $out)"
    [[ "${PARE_TEST_VERBOSE:-0}" == 1 ]] && echo "$name ($format): $out" >&2
    for needle in "$@"; do
      needle="${needle//@MIRROR@/$mirror}"
      assert_contains "$out" "$needle" "$name ($format): message"
    done
    # -q: pare's one error line and nothing from the libraries under it (librnp prints its
    # own diagnostics on a bad signature unless silenced).
    assert_eq 1 "$(wc -l <<<"$out")" "$name ($format): one line of output, got: $out"
    assert_no_file "$OUTS/new-$name" "$name ($format): output of a failed build"
    # The same failure aimed at the earlier outputs leaves them as they were.
    rc=0
    PARE_MIRROR="$mirror" PARE_SECURITY_MIRROR="$mirror/security" "$PARE" build "$app" \
      --format "$format" -o "$OUTS/keep$([[ $format == oci-archive ]] && echo .tar)" \
      --cache-dir "$T/cache-$name-$format" -q >/dev/null 2>&1 || rc=$?
    assert_eq "$code" "$rc" "$name ($format): exit code over an existing output"
    assert_eq "$before" "$(snapshot)" "$name ($format): earlier outputs (and nothing else) in $OUTS"
  done
  echo "ok: $name" >&2
}

# --- one byte of InRelease -----------------------------------------------------------------------------
tampered_copy inrelease
f="$T/inrelease/dists/bookworm/InRelease"
orig="$(sha256sum <"$f")"
sed -i '0,/Pare test fixture/s//Pare test fixturE/' "$f"
assert_ne "$orig" "$(sha256sum <"$f")" "the InRelease edit"
assert_eq "$(stat -c %s "$PARE_TEST_REPO/dists/bookworm/InRelease")" "$(stat -c %s "$f")" \
  "a one-byte change keeps the size"
expect_failure inrelease 5 "signature" "@MIRROR@/dists/bookworm/InRelease"

# --- the wrong keyring: a valid signature by a key pare was not told to trust ------------------------
mkdir -p "$T/otherkey"
sed "s#keyring: .*#keyring: $PARE_TEST_REPO/other-keyring.gpg#" "$T/spec/static.yaml" >"$T/otherkey/static.yaml"
cp "$T/spec/libc.yaml" "$T/spec/app.yaml" "$T/otherkey/"
assert_contains "$(cat "$T/otherkey/static.yaml")" "other-keyring.gpg"
run_pare out rc build "$T/otherkey/app.yaml" -o "$OUTS/new-otherkey" --cache-dir "$T/cache-otherkey" -q
assert_eq 5 "$rc" "wrong keyring: exit code (output: $out)"
assert_contains "$out" "other-keyring.gpg" "wrong keyring: the keyring is named"
assert_contains "$out" "not in keyring" "wrong keyring: message"
assert_no_file "$OUTS/new-otherkey"
run_pare out rc build "$T/otherkey/app.yaml" -o "$OUTS/keep" --cache-dir "$T/cache-otherkey" -q
assert_eq 5 "$rc" "wrong keyring over an existing output"
assert_eq "$before" "$(snapshot)" "wrong keyring: earlier outputs"

# --- an expired Release, properly signed ------------------------------------------------------------------
tampered_copy expired
d="$T/expired/dists/bookworm"
sed -i 's/^Valid-Until: .*/Valid-Until: Sat, 01 Jan 2000 00:00:00 UTC/' "$d/Release"
fixture_sign "$d"
gpgv --keyring "$PARE_TEST_KEYRING" "$d/InRelease" 2>/dev/null || fail "fixture_sign made a bad signature"
expect_failure expired 5 "expired" "2000"

# --- a Packages file that does not match the (untouched, signed) Release --------------------------------
tampered_copy packages
d="$T/packages/dists/bookworm/main/binary-amd64"
declare -A orig_sha
for f in Packages Packages.gz Packages.xz; do orig_sha[$f]="$(sha256sum "$d/$f" | cut -d' ' -f1)"; done
sed -i 's/^Description: example package based on GNU hello$/Description: a friendlier hello/' "$d/Packages"
assert_ne "${orig_sha[Packages]}" "$(sha256sum "$d/Packages" | cut -d' ' -f1)" "the Packages edit"
gzip -9n <"$d/Packages" >"$d/Packages.gz"
xz -6 <"$d/Packages" >"$d/Packages.xz"
# by-hash names keep the signed digests, their contents are the tampered index.
for f in Packages Packages.gz Packages.xz; do cp "$d/$f" "$d/by-hash/SHA256/${orig_sha[$f]}"; done
expect_failure packages 5 "SHA-256" "@MIRROR@/dists/bookworm/main/binary-amd64/"

# --- a .deb replaced in the pool -------------------------------------------------------------------------
tampered_copy deb
pool="$T/deb/pool/main/h/hello"
cp "$pool/hello_2.10-3_amd64.deb" "$pool/hello_2.10-3+deb12u1_amd64.deb" # a real .deb, other bytes
expect_failure deb 5 "@MIRROR@/pool/main/h/hello/hello_2.10-3+deb12u1_amd64.deb"
# A .deb of the same size with one byte changed.
tampered_copy deb1
deb="$T/deb1/pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb"
size="$(stat -c %s "$deb")"
printf '\x00' | dd of="$deb" bs=1 seek=$((size - 10)) conv=notrunc status=none
assert_eq "$size" "$(stat -c %s "$deb")" "the one-byte .deb edit keeps the size"
expect_failure deb1 5 "SHA-256" "@MIRROR@/pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb"

# Nothing half-written anywhere next to the outputs (no staging directories or temp files): the
# outputs and their SBOM directories only.
assert_eq "./keep ./keep.sbom ./keep.tar ./keep.tar.sbom" "$(cd "$OUTS" && find . -mindepth 1 -maxdepth 1 | sort | tr '\n' ' ' | sed 's/ $//')" \
  "entries in the output directory"

echo "offline_integrity: ok"
