# labels: offline
# Lockfiles: `pare lock` writes <spec>.lock.json beside the spec (wherever pare runs from) with
# exact versions, SHA-256s, sizes, levels, repos and URLs per architecture; `build --lockfile`
# builds the same image without resolving. The lock only selects: the bytes come from the
# verified index of the configured mirror, a lock whose hash, size or URL was edited fails naming
# the package (nothing is fetched from the URL it names), and a spec whose package set changed is
# refused. Version pins are honoured, and a dependency's
# version constraint pulls the newer version.
# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2119
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
need_cmd sha256sum stat
T0="$(tmpdir)"
offline_init --log "$T0/requests.log"
write_chain "$T/spec"
app="$T/spec/app.yaml"
lock="$T/spec/app.lock.json"
ARCHS=amd64,arm64

# --- pare lock, run from another directory: the lockfile lands beside the spec ------------------
mkdir -p "$T/elsewhere"
rc=0
out="$(cd "$T/elsewhere" && "$PARE" lock "$app" --arch "$ARCHS" --cache-dir "$T/cache" 2>&1)" || rc=$?
assert_eq 0 "$rc" "pare lock (output: $out)"
assert_file "$lock" "lockfile beside the spec"
assert_eq "" "$(ls -A "$T/elsewhere")" "nothing written in the working directory"
jq -e . "$lock" >/dev/null || fail "the lockfile is not JSON"
# One InRelease per suite, fetched and verified once, serves both architectures.
inreleases="$(grep -o '/dists/[^ ]*/InRelease' "$T0/requests.log" | sort)"
[[ -n "$inreleases" ]] || fail "pare lock fetched no InRelease"
assert_eq "" "$(uniq -d <<<"$inreleases")" "an InRelease fetched twice for two architectures"

assert_eq 1 "$(jq .version "$lock")" "lockfile version"
assert_eq bookworm "$(jq -r .suite "$lock")" "lockfile suite"
[[ "$(jq -r .fingerprint "$lock")" =~ ^sha256:[0-9a-f]{64}$ ]] || fail "fingerprint: $(jq -r .fingerprint "$lock")"
assert_eq "amd64 arm64" "$(jq -r '.packages | keys | join(" ")' "$lock")" "architectures locked"
# Levels 0-2 are the spec's files; a lock always also holds the debug variants' level (3, a
# static busybox) so one lockfile serves every variant.
expected="base-files:0 ca-certificates:0 gcc-12-base:1 hello:2 libc6:1 libgcc-s1:1 media-types:0 netbase:0 tzdata:0"
for arch in amd64 arm64; do
  assert_eq "$expected" \
    "$(jq -r --arg a "$arch" '[.packages[$a][] | select(.level < 3) | "\(.name):\(.level)"] | sort | join(" ")' "$lock")" \
    "$arch: packages and their levels"
  assert_eq "busybox-static:3" \
    "$(jq -r --arg a "$arch" '[.packages[$a][] | select(.level >= 3) | "\(.name):\(.level)"] | sort | join(" ")' "$lock")" \
    "$arch: the debug level"
  v() { jq -r --arg a "$arch" --arg n "$1" '.packages[$a][] | select(.name == $n) | .version' "$lock"; }
  assert_eq 2.10-3+deb12u1 "$(v hello)" "$arch: hello from -updates"
  assert_eq 2.36-9+deb12u10 "$(v libc6)" "$arch: libc6"
  assert_eq 12.2.0-14 "$(v libgcc-s1)" "$arch: libgcc-s1"
  # Every entry's URL, SHA-256 and size describe the real pool file.
  n=0
  while IFS=$'\t' read -r name parch filename sha size url; do
    n=$((n + 1))
    file="$PARE_TEST_REPO/$filename"
    assert_file "$file" "$arch/$name: locked filename"
    assert_eq "$PARE_TEST_MIRROR/$filename" "$url" "$arch/$name: url"
    assert_eq "$(sha256sum "$file" | cut -d' ' -f1)" "$sha" "$arch/$name: sha256"
    assert_eq "$(stat -c %s "$file")" "$size" "$arch/$name: size"
    if [[ "$parch" == all ]]; then
      assert_contains "$filename" "_all.deb" "$arch/$name: filename"
    else
      assert_eq "$arch" "$parch" "$arch/$name: arch"
      assert_contains "$filename" "_$arch.deb" "$arch/$name: filename"
    fi
  done < <(jq -r --arg a "$arch" '.packages[$a][] | [.name, .arch, .filename, .sha256, .size, .url] | @tsv' "$lock")
  assert_eq 10 "$n" "$arch: entries checked"
done
assert_ne "$(jq -r '.packages.amd64[] | select(.name == "libc6") | .sha256' "$lock")" \
  "$(jq -r '.packages.arm64[] | select(.name == "libc6") | .sha256' "$lock")" "libc6 differs per arch"
# Stable text: locking again gives the same bytes.
cp "$lock" "$T/first.lock.json"
run_pare out rc lock "$app" --arch "$ARCHS" --cache-dir "$T/cache" -o "$T/second.lock.json" -q
assert_eq 0 "$rc" "lock -o (output: $out)"
cmp -s "$T/first.lock.json" "$T/second.lock.json" || fail "locking twice gives different files"

# --- build --lockfile: same image; the lock selects, the verified index gives the bytes ------------
run_pare out rc build "$app" --arch "$ARCHS" -o "$T/resolved" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build by resolving (output: $out)"
: >"$T0/requests.log"
run_pare out rc build "$app" --arch "$ARCHS" --lockfile "$lock" -o "$T/locked" --cache-dir "$T/cold" -q
assert_eq 0 "$rc" "build --lockfile on a cold cache (output: $out)"
for tag in app:latest app:nonroot; do
  assert_eq "$(layout_digest "$T/resolved" "$tag")" "$(layout_digest "$T/locked" "$tag")" "$tag: lockfile build digest"
done
requests="$(cat "$T0/requests.log")"
assert_contains "$requests" "/dists/bookworm/InRelease 200" "a lockfile build verifies the signed index"
assert_eq "" "$(uniq -d <<<"$(grep -o '/dists/[^ ]*/InRelease' <<<"$requests" | sort)")" \
  "each InRelease once"
# Architecture "all" packages are one file for both architectures; without a debug variant the
# debug level's busybox is not needed.
unique="$(jq -r '[.packages[][] | select(.level < 3) | .sha256] | unique | length' "$lock")"
assert_eq 14 "$unique" "distinct .debs the spec's levels need"
assert_eq "$unique" "$(grep -c '\.deb 200$' <<<"$requests")" "a lockfile build downloads each needed .deb once"

# A lock for two architectures serves a build for one of them; the image is that arch's image of
# the two-arch build.
run_pare out rc build "$app" --arch amd64 --lockfile "$lock" -o "$T/one-arch" --cache-dir "$T/cold" -q
assert_eq 0 "$rc" "build --arch amd64 with the amd64+arm64 lock (output: $out)"
assert_eq "$(layout_digest "$T/locked" app:latest-amd64)" "$(layout_digest "$T/one-arch" app:latest)" \
  "one-arch build from the two-arch lock"
run_pare out rc build "$app" --arch i386 --lockfile "$lock" -o "$T/no-arch" --cache-dir "$T/cold" -q
assert_ne 0 "$rc" "an architecture the lock lacks"
assert_contains "$out" "no packages locked for i386"

# --- the spec changed: a clear refusal, nothing written --------------------------------------------
sed -i 's/^packages: \[hello\]$/packages: [hello, pinme]/' "$app"
assert_contains "$(cat "$app")" "[hello, pinme]"
run_pare out rc build "$app" --arch "$ARCHS" --lockfile "$lock" -o "$T/stale" --cache-dir "$T/cache" -q
assert_eq 2 "$rc" "exit code for a stale lockfile (output: $out)"
assert_contains "$out" "app.lock.json"
assert_contains "$out" "changed since it was locked"
assert_contains "$out" "pare lock"
assert_no_file "$T/stale" "output of a refused build"
sed -i 's/^packages: \[hello, pinme\]$/packages: [hello]/' "$app"

# --- a locked SHA-256 is enforced: a lockfile naming other bytes fails ----------------------------
jq '(.packages.amd64[] | select(.name == "hello") | .sha256) |= ("0" * 64)' "$lock" >"$T/bad-sha.lock.json"
run_pare out rc build "$app" --arch "$ARCHS" --lockfile "$T/bad-sha.lock.json" -o "$T/badsha" \
  --cache-dir "$T/cold2" -q
assert_eq 5 "$rc" "exit code for a .deb that does not match the lockfile (output: $out)"
assert_contains "$out" "hello_2.10-3+deb12u1_amd64.deb"
assert_no_file "$T/badsha"
# A forged lock: one package pointed at a home-made .deb with its hash and size updated, served
# by another server (or a file: URL). The signed index decides, so the build fails naming the
# package, and the forged .deb is never requested.
mkdir -p "$T/evil/pool"
printf 'not hello\n' >"$T/evil/pool/hello.deb"
evil_sha="$(sha256sum "$T/evil/pool/hello.deb" | cut -d' ' -f1)"
evil_size="$(stat -c %s "$T/evil/pool/hello.deb")"
serve_dir "$T/evil" --log "$T/evil.log"
for url in "http://127.0.0.1:$SERVED_PORT/pool/hello.deb" "file://$T/evil/pool/hello.deb"; do
  jq --arg sha "$evil_sha" --argjson size "$evil_size" --arg url "$url" \
    '(.packages.amd64[] | select(.name == "hello")) |= (.sha256 = $sha | .size = $size | .url = $url | .filename = "pool/hello.deb")' \
    "$lock" >"$T/forged.lock.json"
  run_pare out rc build "$app" --arch amd64 --lockfile "$T/forged.lock.json" -o "$T/forged" \
    --cache-dir "$T/cold3" -q
  assert_eq 5 "$rc" "a forged lock ($url) (output: $out)"
  assert_contains "$out" "hello=2.10-3+deb12u1"
  assert_contains "$out" "the signed index"
  assert_no_file "$T/forged" "output of a forged lock"
done
assert_eq "" "$(cat "$T/evil.log" 2>/dev/null)" "the forged .deb was never requested"
# A version no signed index has (the archive dropped it, or it never existed) is named.
jq '(.packages.amd64[] | select(.name == "hello") | .version) |= "9.9-9"' "$lock" >"$T/gone.lock.json"
run_pare out rc build "$app" --arch amd64 --lockfile "$T/gone.lock.json" -o "$T/gone" --cache-dir "$T/cold3" -q
assert_eq 3 "$rc" "a locked version no index has (output: $out)"
assert_contains "$out" "hello=9.9-9:amd64"
# --offline: the cached, verified indexes decide just the same.
run_pare out rc build "$app" --arch amd64 --lockfile "$lock" -o "$T/offline" --cache-dir "$T/cold" --offline -q
assert_eq 0 "$rc" "an offline lockfile build with a warm cache (output: $out)"
run_pare out rc build "$app" --arch amd64 --lockfile "$T/forged.lock.json" -o "$T/forged" \
  --cache-dir "$T/cold" --offline -q
assert_eq 5 "$rc" "a forged lock offline (output: $out)"

# A malformed lockfile names the JSON path.
jq '.packages.amd64[0].sha256 = "xyz"' "$lock" >"$T/malformed.lock.json"
run_pare out rc build "$app" --arch "$ARCHS" --lockfile "$T/malformed.lock.json" -o "$T/malformed" \
  --cache-dir "$T/cache" -q
assert_eq 2 "$rc" "exit code for a malformed lockfile (output: $out)"
assert_contains "$out" "sha256"
assert_contains "$out" "packages.amd64[0]"

# --- pins and versioned dependencies ------------------------------------------------------------------
cat >"$T/spec/pin.yaml" <<EOF
from: libc.yaml
name: pin
packages: [pinme=1.0-1]
EOF
cat >"$T/spec/new.yaml" <<EOF
from: libc.yaml
name: new
packages: [needs-new]
EOF
pinme_in() { # pinme_in SPEC -> "VERSION CONTENT-OF-/usr/share/pinme/VERSION"
  local spec="$T/spec/$1.yaml" l="$T/spec/$1.lock.json" out rc version digest
  run_pare out rc lock "$spec" --cache-dir "$T/cache" -q
  assert_eq 0 "$rc" "lock $1 (output: $out)"
  version="$(jq -r '.packages.amd64[] | select(.name == "pinme") | .version' "$l")"
  run_pare out rc build "$spec" --lockfile "$l" -o "$T/img-$1" --cache-dir "$T/cache" -q
  assert_eq 0 "$rc" "build $1 from its lockfile (output: $out)"
  digest="$(layer_digests "$T/img-$1" "$1:latest" | tail -n1)"
  echo "$version $(tar -xOzf "$(blob_path "$T/img-$1" "$digest")" usr/share/pinme/VERSION)"
}
assert_eq "1.0-1 pinme 1.0-1" "$(pinme_in pin)" "pinme=1.0-1 is honoured"
assert_eq "2.0-1 pinme 2.0-1" "$(pinme_in new)" "needs-new pulls pinme 2.0-1"
assert_eq "needs-new pinme" \
  "$(jq -r '[.packages.amd64[] | select(.level == 2) | .name] | sort | join(" ")' "$T/spec/new.lock.json")" \
  "the app level of new.yaml"

echo "offline_lock: ok"
