# labels: network
# Builds through an apt cache (#16): Debian's apt-cacher-ng on 127.0.0.1 in front of the host's
# mirror, used three ways — as the HTTP proxy of the environment (http_proxy), as the proxy
# apt's configuration names (Acquire::http::Proxy, here through $APT_CONFIG as apt reads it),
# and as a mirror URL (PARE_MIRROR=http://CACHE/HOST/PATH). Each build fetches its .debs
# through the cache and gives the same image; a .deb damaged in the cache is refused (the
# signed index's SHA-256 still decides), so the proxy is never trusted.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/apt_cacher.bash"
need_pare
need_network
need_cmd jq python3 apt-cacher-ng
T="$(tmpdir)"
start_apt_cacher >"$T/why" || fail "$(cat "$T/why")"
unset http_proxy HTTP_PROXY PARE_CACHE_DIR
read -r uri _ <<<"$(host_mirror)"
SPEC="$PARE_SOURCE_DIR/examples/static.yaml"
build() { # build NAME [ENV...] — a cold build of static (fresh cache); prints its digest
  local name="$1"
  shift
  env "$@" "$PARE" build "$SPEC" --suite bookworm --cache-dir "$T/cache-$name" -o "$T/out-$name" \
    --no-git-annotations --json -q | jq -r '.images[0].digest'
}

# 1. The environment's proxy.
ref="$(build env "http_proxy=http://$ACNG")" || fail "build through http_proxy"
debs_env="$(acng_debs)"
assert_ne 0 "$debs_env" ".debs went through apt-cacher-ng (http_proxy)"
grep -q 'InRelease' "$ACNG_LOG" || fail "the signed index went through the cache"

# 2. apt's configured proxy.
printf 'Acquire::http::Proxy "http://%s";\n' "$ACNG" >"$T/apt.conf"
got="$(build aptconf "APT_CONFIG=$T/apt.conf")" || fail "build through apt's proxy"
assert_eq "$ref" "$got" "the same image through apt's proxy"
assert_ne "$debs_env" "$(acng_debs)" ".debs went through apt-cacher-ng (Acquire::http::Proxy)"

# 3. The cache as a mirror URL (http://CACHE/HOST/PATH, apt-cacher-ng's own form).
debs_before="$(acng_debs)"
mirror="http://$ACNG/${uri#*://}"
got="$(build mirror "PARE_MIRROR=$mirror")" || fail "build with the cache as mirror"
assert_eq "$ref" "$got" "the same image through the cache as mirror"
assert_ne "$debs_before" "$(acng_debs)" ".debs from the cache as mirror"

# 4. A .deb damaged in the cache is refused, whatever the proxy says.
deb="$(find "$ACNG_DIR" -name 'base-files_*.deb' | head -1)"
[[ -f "$deb" ]] || fail "no base-files .deb in apt-cacher-ng's cache"
printf 'X' | dd of="$deb" bs=1 seek=2000 conv=notrunc 2>/dev/null
out="$(env "PARE_MIRROR=$mirror" "$PARE" build "$SPEC" --suite bookworm --cache-dir "$T/cache-bad" \
  -o "$T/out-bad" -q 2>&1)" && fail "a damaged .deb from the cache was accepted"
assert_contains "$out" "base-files" "the error names the package"
assert_no_file "$T/out-bad/index.json" "nothing written"
echo "network_apt_cache: all checks passed"
