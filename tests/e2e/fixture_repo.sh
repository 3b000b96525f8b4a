# labels: offline
# shellcheck shell=bash source-path=SCRIPTDIR
# fixture_repo.sh — the generated fixture repository is a valid, signed Debian repository:
# apt itself accepts it (signatures, by-hash, Valid-Until), sees the updates and security
# versions, and resolves the dependency shapes pare's tests rely on. Also checks the HTTP
# server's failure injection and that the amd64 hello really runs on the fixture's libc.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_cmd apt-get apt-cache gpgv dpkg-deb curl

T="$(tmpdir)"
fixture_repo --log "$T/requests.log"
repo="$PARE_TEST_REPO"

# --- signatures: the right key verifies, another key and a changed byte do not ----------------
for suite_dir in "$repo"/dists/{bookworm,bookworm-updates,trixie,trixie-updates} \
  "$repo"/security/dists/{bookworm,trixie}-security; do
  gpgv --keyring "$PARE_TEST_KEYRING" "$suite_dir/InRelease" 2>/dev/null ||
    fail "InRelease in $suite_dir does not verify with keyring.gpg"
  gpgv --keyring "$PARE_TEST_KEYRING" "$suite_dir/Release.gpg" "$suite_dir/Release" 2>/dev/null ||
    fail "Release.gpg in $suite_dir does not verify"
done
assert_fails gpgv --keyring "$repo/other-keyring.gpg" "$repo/dists/bookworm/InRelease" >/dev/null
sed 's/^Version: 12$/Version: 13/' "$repo/dists/bookworm/InRelease" >"$T/tampered"
assert_ne "$(cat "$repo/dists/bookworm/InRelease")" "$(cat "$T/tampered")" "tampering changed nothing"
assert_fails gpgv --keyring "$PARE_TEST_KEYRING" "$T/tampered" >/dev/null
# A tampered copy re-signed with the fixture key verifies again (for tests behind the signature).
fixture_repo_copy "$T/copy"
sed -i 's/^Version: 12$/Version: 13/' "$T/copy/dists/bookworm/Release"
fixture_sign "$T/copy/dists/bookworm"
gpgv --keyring "$PARE_TEST_KEYRING" "$T/copy/dists/bookworm/InRelease" 2>/dev/null ||
  fail "fixture_sign produced a bad signature"
assert_contains "$(cat "$T/copy/dists/bookworm/InRelease")" "Version: 13"

# --- Release fields: real codenames and versions, the same packages in both releases -------------
check_release() { # check_release DIR CODENAME VERSION SUITE-ALIAS
  local release sha
  release="$(cat "$1/Release")"
  assert_contains "$release" "Codename: $2"$'\n' "$1/Release"
  assert_contains "$release" "Version: $3"$'\n' "$1/Release"
  assert_contains "$release" "Suite: $4"$'\n' "$1/Release"
  assert_contains "$release" "Acquire-By-Hash: yes"
  assert_contains "$release" "Valid-Until: "
  sha="$(sha256sum "$1/main/binary-amd64/Packages.xz" | cut -d' ' -f1)"
  assert_contains "$release" "$sha"
  cmp -s "$1/main/binary-amd64/Packages.xz" "$1/main/binary-amd64/by-hash/SHA256/$sha" ||
    fail "$1: by-hash copy missing or different"
}
check_release "$repo/dists/bookworm" bookworm 12 oldstable
check_release "$repo/dists/bookworm-updates" bookworm-updates 12 oldstable-updates
check_release "$repo/security/dists/bookworm-security" bookworm-security 12 oldstable-security
check_release "$repo/dists/trixie" trixie 13 stable
check_release "$repo/dists/trixie-updates" trixie-updates 13 stable-updates
check_release "$repo/security/dists/trixie-security" trixie-security 13 stable-security
assert_no_file "$repo/dists/fixture" "the old fixture suite"
# trixie = bookworm's packages (same pool files) plus tzdata-legacy.
for arch in amd64 arm64; do
  bw="$(grep -v '^$' "$repo/dists/bookworm/main/binary-$arch/Packages" | sort)"
  tx="$(grep -v '^$' "$repo/dists/trixie/main/binary-$arch/Packages" | sort)"
  extra="$(comm -13 <(echo "$bw") <(echo "$tx") | grep '^Package: ')"
  assert_eq "Package: tzdata-legacy" "$extra" "trixie-only packages ($arch)"
  assert_eq "" "$(comm -23 <(echo "$bw") <(echo "$tx"))" "bookworm lines missing from trixie ($arch)"
done
for s in updates security; do
  d=dists
  [[ $s == security ]] && d=security/dists
  cmp -s "$repo/$d/bookworm-$s/main/binary-amd64/Packages" "$repo/$d/trixie-$s/main/binary-amd64/Packages" ||
    fail "bookworm-$s and trixie-$s list different packages"
done

# --- apt accepts the repository ---------------------------------------------------------------
mkdir -p "$T/state/lists/partial" "$T/cache/archives/partial" "$T/etc/sources.list.d" \
  "$T/etc/preferences.d" "$T/etc/apt.conf.d" "$T/etc/trusted.gpg.d"
: >"$T/state/status"
cat >"$T/etc/sources.list" <<EOF
deb [signed-by=$PARE_TEST_KEYRING] $PARE_TEST_MIRROR bookworm main
deb [signed-by=$PARE_TEST_KEYRING] $PARE_TEST_MIRROR bookworm-updates main
deb [signed-by=$PARE_TEST_KEYRING] $PARE_TEST_SECURITY_MIRROR bookworm-security main
EOF
APT_OPTS=(-o Dir::Etc="$T/etc" -o Dir::Etc::sourcelist="$T/etc/sources.list"
  -o Dir::Etc::sourceparts="$T/etc/sources.list.d" -o Dir::Etc::parts="$T/etc/apt.conf.d"
  -o Dir::Etc::preferencesparts="$T/etc/preferences.d" -o Dir::State="$T/state"
  -o Dir::State::status="$T/state/status" -o Dir::Cache="$T/cache" -o Debug::NoLocking=1
  -o APT::Sandbox::User=root
  -o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o Acquire::Languages=none
  -o Acquire::By-Hash=force -o Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false)
apt_() { "$1" "${APT_OPTS[@]}" "${@:2}"; }

out="$(apt_ apt-get update 2>&1)" || fail "apt-get update rejected the fixture:"$'\n'"$out"
assert_not_contains "$out" "W:" "apt-get update warned"
assert_not_contains "$out" "E:" "apt-get update failed"
# By-Hash=force: apt must have fetched every index through by-hash paths, none missing (apt
# would silently fall back to the plain name after a 404).
requests="$(cat "$T/requests.log")"
assert_contains "$requests" "/dists/bookworm/main/binary-amd64/by-hash/SHA256/"
assert_contains "$requests" "/security/dists/bookworm-security/main/binary-amd64/by-hash/SHA256/"
assert_not_contains "$requests" " 404" "a by-hash or index file is missing"

policy="$(apt_ apt-cache policy hello libssl3 pinme)"
assert_contains "$(apt_ apt-cache policy hello)" "Candidate: 2.10-3+deb12u1" "hello from bookworm-updates"
assert_contains "$(apt_ apt-cache policy libssl3)" "Candidate: 3.0.16-1~deb12u1" "libssl3 from security"
assert_contains "$policy" "2.0-1"
assert_contains "$policy" "1.0-1"
assert_contains "$(apt_ apt-cache show needs-new)" "Depends: pinme (>= 2.0)"
assert_contains "$(apt_ apt-cache showpkg mail-transport-agent)" "mta-a 1.0-1"
assert_contains "$(apt_ apt-cache showpkg debconf-2.0)" "debconf 1.5.82"

# Resolution as apt sees it (simulated, nothing is installed).
sim="$(apt_ apt-get install -s -y hello 2>&1)" || fail "apt cannot resolve hello:"$'\n'"$sim"
for p in "hello (2.10-3+deb12u1" "libc6 (2.36-9+deb12u10" "libgcc-s1 (12.2.0-14" "gcc-12-base"; do
  assert_contains "$sim" "Inst $p"
done
sim="$(apt_ apt-get install -s -y needs-new 2>&1)" || fail "apt cannot resolve needs-new"
assert_contains "$sim" "Inst pinme (2.0-1"
sim="$(apt_ apt-get install -s -y uses-mta 2>&1)" || fail "apt cannot resolve uses-mta"
assert_contains "$sim" "Inst mta-a"
assert_fails apt_ apt-get install -s -y hello conflicts-hello >/dev/null
assert_fails apt_ apt-get install -s -y 'pinme=1.0-1' needs-new >/dev/null

# --- package contents ---------------------------------------------------------------------------
deb="$repo/pool/main/h/hello/hello_2.10-3_amd64.deb"
listing="$(dpkg-deb -c "$deb")"
assert_contains "$listing" "./usr/bin/hello-hardlink link to ./usr/bin/hello"
assert_contains "$listing" "./usr/bin/hi -> hello"
assert_contains "$listing" "./bin/hello-old"
dpkg-deb -R "$deb" "$T/hello"
(cd "$T/hello" && md5sum --quiet -c DEBIAN/md5sums) || fail "hello's md5sums do not match"
base="$(ls "$repo"/pool/main/b/base-files/base-files_*_amd64.deb)"
assert_contains "$(dpkg-deb -f "$base" Essential)" "yes"
assert_contains "$(dpkg-deb -c "$base")" "./etc/os-release -> ../usr/lib/os-release"
assert_contains "$(dpkg-deb -I "$base" postinst)" "/postinst-ran"
assert_eq 3 "$(dpkg-deb -c "$repo"/pool/main/c/ca-certificates/*.deb | grep -c '\.crt$')" "CA certs"

if [[ "$(dpkg --print-architecture)" == amd64 ]]; then
  root="$T/rootfs"
  for d in "$repo"/pool/main/g/glibc/libc6_*_amd64.deb "$repo"/pool/main/h/hello/hello_2.10-3+deb12u1_amd64.deb; do
    dpkg-deb -x "$d" "$root"
  done
  assert_eq "hello 2.10-3+deb12u1" "$("$root/usr/bin/hello" --version)"
  if command -v podman >/dev/null && command -v runc >/dev/null; then
    # The fixture's own libc and loader run its hello: no host library is involved.
    assert_eq "hello from pare fixture" "$(pare_podman_run --rootfs "$root" /usr/bin/hello)"
  fi
fi

# --- the server's failure injection (for retry tests) ------------------------------------------
serve_dir "$repo" --fail-first 2
url="http://127.0.0.1:$SERVED_PORT/dists/bookworm/InRelease"
codes="$(for _ in 1 2 3; do curl -s -o /dev/null -w '%{http_code} ' "$url"; done)"
assert_eq "503 503 200 " "$codes" "fail-first 2"

echo "fixture repository: ok"
