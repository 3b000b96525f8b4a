# labels: offline
# --offline: with an empty cache it fails (exit 4) naming what is missing and writes nothing;
# with indexes but no packages it lists every missing .deb with its URL; after one online build
# it builds the same image with the mirror gone (server stopped), and resolve/lock work too.
# Without --offline a build needs the mirror (it re-reads InRelease): that fails with exit 4.
# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2119
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
need_cmd curl
offline_init
write_chain "$T/spec"
app="$T/spec/app.yaml"

# --- an empty cache -------------------------------------------------------------------------------------
run_pare out rc build "$app" --offline -o "$T/out-empty" --cache-dir "$T/empty" -q
assert_eq 4 "$rc" "exit code of --offline with an empty cache (output: $out)"
assert_contains "$out" "offline"
assert_contains "$out" "$PARE_TEST_MIRROR/dists/bookworm/InRelease" "the missing index is named"
assert_contains "$out" "without --offline" "the message says how to fill the cache"
assert_no_file "$T/out-empty" "output of a failed --offline build"
assert_eq "" "$(find "$T/empty" -type f 2>/dev/null)" "files written into the empty cache"
run_pare out rc resolve "$app" --offline --cache-dir "$T/empty"
assert_eq 4 "$rc" "resolve --offline with an empty cache (output: $out)"
run_pare out rc lock "$app" --offline --cache-dir "$T/empty" -o "$T/empty.lock.json"
assert_eq 4 "$rc" "lock --offline with an empty cache (output: $out)"
assert_no_file "$T/empty.lock.json"

# --- indexes cached (by resolve), packages not: every missing .deb is listed ------------------------
run_pare out rc resolve "$app" --cache-dir "$T/indexes-only"
assert_eq 0 "$rc" "online resolve (output: $out)"
run_pare out rc build "$app" --offline -o "$T/out-noindex" --cache-dir "$T/indexes-only" -q
assert_eq 4 "$rc" "exit code with indexes but no packages (output: $out)"
for p in base-files=12.4+deb12u10 libc6=2.36-9+deb12u10 hello=2.10-3+deb12u1 tzdata=2024a-0+deb12u1; do
  assert_contains "$out" "$p" "missing package named"
done
assert_contains "$out" "$PARE_TEST_MIRROR/pool/main/h/hello/hello_2.10-3+deb12u1_amd64.deb" "its URL"
assert_no_file "$T/out-noindex"

# --- one online build, then the mirror goes away -------------------------------------------------------
run_pare out rc build "$app" -o "$T/online" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "online build (output: $out)"
run_pare out rc lock "$app" --cache-dir "$T/cache" -o "$T/online.lock.json" -q
assert_eq 0 "$rc" "online lock (output: $out)"

kill "$FIXTURE_PID"
for _ in $(seq 50); do
  curl -s -o /dev/null --max-time 1 "$PARE_TEST_MIRROR/dists/bookworm/InRelease" || break
  sleep 0.1
done
curl -s -o /dev/null --max-time 1 "$PARE_TEST_MIRROR/dists/bookworm/InRelease" &&
  fail "the fixture server is still answering"

run_pare out rc build "$app" --offline -o "$T/offline" --cache-dir "$T/cache" --json
assert_eq 0 "$rc" "--offline build from the cache (output: $out)"
json="$(sed -n '/^{/,$p' <<<"$out")"
assert_eq 0 "$(jq .packages_downloaded <<<"$json")" "nothing downloaded offline"
for tag in app:latest app:nonroot; do
  assert_eq "$(layout_digest "$T/online" "$tag")" "$(layout_digest "$T/offline" "$tag")" "$tag offline vs online"
done

# Not only the layer cache: a level never built before needs the cached .debs themselves.
cat >"$T/spec/tz.yaml" <<EOF
from: libc.yaml
name: tz
packages: [tzdata]
EOF
run_pare out rc build "$T/spec/tz.yaml" --offline -o "$T/tz" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "--offline build of a new layer from cached packages (output: $out)"

run_pare out rc resolve "$app" --offline --cache-dir "$T/cache" --json
assert_eq 0 "$rc" "resolve --offline (output: $out)"
assert_contains "$out" '"hello"'
run_pare out rc lock "$app" --offline --cache-dir "$T/cache" -o "$T/offline.lock.json" -q
assert_eq 0 "$rc" "lock --offline (output: $out)"
cmp -s "$T/online.lock.json" "$T/offline.lock.json" || fail "offline lock differs from the online one"
run_pare out rc build "$app" --offline --lockfile "$T/offline.lock.json" -o "$T/offline-locked" \
  --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "--offline --lockfile (output: $out)"
assert_eq "$(layout_digest "$T/online" app:latest)" "$(layout_digest "$T/offline-locked" app:latest)" \
  "offline lockfile build"

# Something never fetched is still named: trixie's indexes are not in this cache.
run_pare out rc build "$app" --offline --suite trixie -o "$T/trixie" --cache-dir "$T/cache" -q
assert_eq 4 "$rc" "--offline for an uncached suite (output: $out)"
assert_contains "$out" "dists/trixie/InRelease"
assert_no_file "$T/trixie"

# Without --offline, the build wants the mirror: a network error (exit 4), nothing written.
run_pare out rc build "$app" -o "$T/no-mirror" --cache-dir "$T/cache" -q
assert_eq 4 "$rc" "online build with the mirror gone (output: $out)"
assert_contains "$out" "$PARE_TEST_MIRROR"
assert_no_file "$T/no-mirror"

echo "offline_offline: ok"
