# labels: offline
# Retries: a mirror whose first 3 answers are 503 still gives the same image, both when the
# failures hit the index (InRelease) and when they hit the parallel .deb downloads (with error
# pages larger than the .debs). A mirror that keeps failing gives up
# in bounded time with exit 4 naming the URL, and a 404 is not retried.
# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2119
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
offline_init
write_chain "$T/spec"
app="$T/spec/app.yaml"

run_pare out rc build "$app" -o "$T/reference" --cache-dir "$T/cache-ref" -q
assert_eq 0 "$rc" "reference build (output: $out)"
want="$(layout_digest "$T/reference" app:latest)"

# flaky NAME N [more server options] — serve the fixture repository with the first N requests
# failing; sets MIRROR and LOG.
flaky() {
  LOG="$T/$1.log"
  : >"$LOG"
  serve_dir "$PARE_TEST_REPO" --fail-first "$2" --log "$LOG" "${@:3}"
  MIRROR="http://127.0.0.1:$SERVED_PORT"
}
build_via() { # build_via MIRROR ARGS... -> sets out, rc
  rc=0
  out="$(PARE_MIRROR="$1" PARE_SECURITY_MIRROR="$1/security" "$PARE" build "$app" -q "${@:2}" 2>&1)" || rc=$?
}

# --- 503s on the index ------------------------------------------------------------------------------------
flaky index 3
build_via "$MIRROR" -o "$T/index" --cache-dir "$T/cache-index"
assert_eq 0 "$rc" "build through three 503s (output: $out)"
assert_eq "$want" "$(layout_digest "$T/index" app:latest)" "same image through 503s"
# The suites' InRelease files are fetched concurrently, so the three 503s fall on whichever
# came first: each failed one must come again, with 200.
assert_eq 3 "$(grep -c ' 503$' "$LOG")" "503 answers in the log"
assert_eq 3 "$(head -n3 "$LOG" | grep -c '/InRelease 503$')" "the first requests are the InReleases"
while read -r _ p _; do
  grep -qxF "GET $p 200" "$LOG" || fail "$p failed with 503 and was not fetched again"
done < <(grep ' 503$' "$LOG")

# --- 503s on the .deb downloads (a lockfile build) ------------------------------------------
run_pare out rc lock "$app" --cache-dir "$T/cache-ref" -o "$T/app.lock.json" -q
assert_eq 0 "$rc" "lock (output: $out)"
# Error pages larger than any fixture .deb: their bytes are not the file (neither a size
# mismatch nor progress), and the 503 still means "try again".
flaky debs 3 --fail-body-size 4000000 --fail-only .deb
# The lockfile records absolute URLs; point them at the flaky server (URLs are not part of
# what the lock's fingerprint covers).
sed "s#$PARE_TEST_MIRROR/#$MIRROR/#g" "$T/app.lock.json" >"$T/flaky.lock.json"
assert_contains "$(cat "$T/flaky.lock.json")" "$MIRROR/pool/"
build_via "$MIRROR" --lockfile "$T/flaky.lock.json" -o "$T/debs" --cache-dir "$T/cache-debs"
assert_eq 0 "$rc" "lockfile build through three 503s on .debs (output: $out)"
assert_eq "$want" "$(layout_digest "$T/debs" app:latest)" "same image through .deb 503s"
assert_contains "$(cat "$LOG")" "/dists/bookworm/InRelease 200" "a lockfile build verifies the signed index"
assert_eq 3 "$(grep -c '\.deb 503$' "$LOG")" "the three 503s fell on .debs"
assert_eq 3 "$(grep -c '\.deb 503$' "$LOG")" ".deb requests answered 503"
while read -r _ p _; do
  grep -qxF "GET $p 200" "$LOG" || fail "$p failed with 503 and was not fetched again"
done < <(grep '\.deb 503$' "$LOG")

# --- a mirror that keeps failing: give up, in bounded time, naming the URL ----------------------------------
flaky down 100000
start=$SECONDS
build_via "$MIRROR" -o "$T/down" --cache-dir "$T/cache-down"
elapsed=$((SECONDS - start))
assert_eq 4 "$rc" "exit code when the mirror keeps failing (output: $out)"
assert_contains "$out" "503"
assert_contains "$out" "$MIRROR/dists/bookworm/InRelease"
assert_no_file "$T/down"
((elapsed < 60)) || fail "giving up took ${elapsed}s"
attempts="$(grep -c '^GET /dists/bookworm/InRelease 503$' "$LOG")"
((attempts >= 2 && attempts <= 10)) || fail "$attempts attempts at a failing URL"

# --- a missing file is not retried ---------------------------------------------------------------------------
fixture_repo_copy "$T/gone"
rm "$T/gone/pool/main/h/hello/hello_2.10-3+deb12u1_amd64.deb"
LOG="$T/gone.log"
serve_dir "$T/gone" --log "$LOG"
MIRROR="http://127.0.0.1:$SERVED_PORT"
build_via "$MIRROR" -o "$T/gone-out" --cache-dir "$T/cache-gone"
assert_eq 4 "$rc" "a .deb the index lists but the mirror lacks: exit 4, like other mirror failures"
assert_contains "$out" "$MIRROR/pool/main/h/hello/hello_2.10-3+deb12u1_amd64.deb"
assert_contains "$out" "does not serve a package its index lists"
assert_contains "$out" "404"
assert_eq 1 "$(grep -c 'hello_2.10-3+deb12u1_amd64.deb 404$' "$LOG")" "a 404 is asked once"
assert_no_file "$T/gone-out"

echo "offline_retry: ok"
