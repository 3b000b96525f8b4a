# labels: offline
# `pare resolve` against the fixture: why-chains, excluded dependencies, virtual packages,
# alternatives (Debian's rule: the first satisfiable one), updates winning over the release,
# and the failures a user meets: an unsatisfiable set (exit 3, libsolv's explanation naming
# both packages), an unknown package ("not in the index", did-you-mean), and spec errors
# (exit 2, file:line:column).
# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2119
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
offline_init
write_chain "$T/spec"
S="$T/spec"

resolve_json() { # resolve_json SPEC [args] -> the JSON document
  local out rc
  run_pare out rc resolve "$1" --cache-dir "$T/cache" --json "${@:2}"
  assert_eq 0 "$rc" "resolve $(basename "$1") (output: $out)"
  sed -n '/^{/,$p' <<<"$out"
}
# pkgs JSON [LEVEL] — "name=version" of the first arch's packages (of LEVEL), sorted.
pkgs() {
  jq -r --arg l "${2:-}" '[.archs[0].packages[] | select($l == "" or .level == $l) | "\(.name)=\(.version)"]
    | sort | join(" ")' <<<"$1"
}
why() { jq -r --arg n "$2" '.archs[0].packages[] | select(.name == $n) | .why | join(" -> ")' <<<"$1"; }
level_spec() { # level_spec NAME PACKAGES... — a spec on top of libc.yaml
  local name="$1"
  shift
  local list
  list="$(printf '%s, ' "$@")"
  printf 'from: libc.yaml\nname: %s\npackages: [%s]\n' "$name" "${list%, }" >"$S/$name.yaml"
  echo "$S/$name.yaml"
}

# --- the chain: levels, versions, why, excluded ---------------------------------------------------------
j="$(resolve_json "$S/app.yaml")"
assert_eq bookworm "$(jq -r .suite <<<"$j")"
assert_eq "$PARE_TEST_MIRROR" "$(jq -r .mirror <<<"$j")" "mirror from PARE_MIRROR"
assert_eq "$PARE_TEST_SECURITY_MIRROR" "$(jq -r .security_mirror <<<"$j")"
assert_eq amd64 "$(jq -r '.archs[0].arch' <<<"$j")"
assert_eq "base-files=12.4+deb12u10 ca-certificates=20230311 media-types=10.0.0 netbase=6.4 tzdata=2024a-0+deb12u1" \
  "$(pkgs "$j" static)" "static level"
assert_eq "gcc-12-base=12.2.0-14 libc6=2.36-9+deb12u10 libgcc-s1=12.2.0-14" "$(pkgs "$j" libc)" "libc level"
assert_eq "hello=2.10-3+deb12u1" "$(pkgs "$j" app)" "app level: hello from -updates"
assert_eq "bookworm-updates/main/amd64" \
  "$(jq -r '.archs[0].packages[] | select(.name == "hello") | .repo' <<<"$j")" "hello's repository"
assert_eq "libc6 -> libgcc-s1" "$(why "$j" libgcc-s1)" "libgcc-s1 is pulled by libc6"
assert_eq "libc6 -> libgcc-s1 -> gcc-12-base" "$(why "$j" gcc-12-base)" "gcc-12-base's chain"
assert_eq "hello" "$(why "$j" hello)" "a requested package's chain"
assert_eq '[{"dependency":"debconf >= 0.5 | debconf-2.0","excluded":"debconf","package":"ca-certificates"},{"dependency":"openssl >= 1.1.1","excluded":"openssl","package":"ca-certificates"},{"dependency":"debconf >= 0.5 | debconf-2.0","excluded":"debconf","package":"tzdata"}]' \
  "$(jq -c '.archs[0].excluded | map(.dependency |= gsub("[()]"; "")) | sort_by(.package, .excluded)' <<<"$j")" \
  "excluded dependencies reported (parentheses of Debian's syntax ignored)"
for p in debconf perl-base openssl libssl3; do
  assert_eq "" "$(jq -r --arg n "$p" '.archs[0].packages[] | select(.name == $n) | .name' <<<"$j")" "$p installed"
done
# Each package's sha256/url are those of the pool file.
url="$(jq -r '.archs[0].packages[] | select(.name == "libc6") | .url' <<<"$j")"
assert_eq "$PARE_TEST_MIRROR/pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb" "$url"
assert_eq "$(sha256sum "$PARE_TEST_REPO/pool/main/g/glibc/libc6_2.36-9+deb12u10_amd64.deb" | cut -d' ' -f1)" \
  "$(jq -r '.archs[0].packages[] | select(.name == "libc6") | .sha256' <<<"$j")" "libc6 sha256"
# The text form says the same.
text="" # set by run_pare
run_pare text rc resolve "$S/app.yaml" --cache-dir "$T/cache"
assert_eq 0 "$rc"
assert_contains "$text" "libc6 -> libgcc-s1"
assert_contains "$text" "[debconf excluded]"

# Without the excludes, the chain pulls debconf (the first alternative) and perl-base through it.
sed '/^exclude:/d' "$S/static.yaml" >"$S/noexcl-static.yaml"
printf 'from: noexcl-static.yaml\nname: noexcl\npackages: [hello]\n' >"$S/noexcl.yaml"
j="$(resolve_json "$S/noexcl.yaml")"
assert_eq "tzdata -> debconf -> perl-base" "$(why "$j" perl-base)" "perl-base's chain without excludes"
assert_contains "$(pkgs "$j")" "openssl=3.0.16-1~deb12u1" "openssl from -security"
assert_eq "bookworm-security/main/amd64" \
  "$(jq -r '.archs[0].packages[] | select(.name == "openssl") | .repo' <<<"$j")" "openssl's repository"
assert_eq "null" "$(jq -c '.archs[0].excluded' <<<"$j")" "nothing excluded"

# --- virtual packages and alternatives ---------------------------------------------------------------------
j="$(resolve_json "$(level_spec mta uses-mta)")"
assert_eq "mta-a=1.0-1 uses-mta=1.0-1" "$(pkgs "$j" mta)" "uses-mta pulls the provider of mail-transport-agent"
assert_eq "uses-mta -> mta-a" "$(why "$j" mta-a)"
j="$(resolve_json "$(level_spec altfirst alt-first)")"
assert_eq "alt-first=1.0-1 pinme=2.0-1" "$(pkgs "$j" altfirst)" "pinme | mta-a takes pinme (the first)"
j="$(resolve_json "$(level_spec altskip alt-skip)")"
assert_eq "alt-skip=1.0-1 mta-a=1.0-1" "$(pkgs "$j" altskip)" \
  "pinme (>= 3.0) | no-such-package | mta-a | pinme takes mta-a (the first satisfiable)"
assert_eq "alt-skip -> mta-a" "$(why "$j" mta-a)"
# A pin and a versioned dependency.
j="$(resolve_json "$(level_spec pin 'pinme=1.0-1')")"
assert_eq "pinme=1.0-1" "$(pkgs "$j" pin)" "pinme=1.0-1"
j="$(resolve_json "$(level_spec new needs-new)")"
assert_eq "needs-new=1.0-1 pinme=2.0-1" "$(pkgs "$j" new)" "needs-new pulls pinme 2.0-1"

# --- unsatisfiable: exit 3, the solver's explanation names both ------------------------------------------------
run_pare out rc resolve "$(level_spec conflict hello conflicts-hello)" --cache-dir "$T/cache"
assert_eq 3 "$rc" "exit code of an unsatisfiable set (output: $out)"
assert_contains "$out" "conflict.yaml"
assert_contains "$out" "cannot be satisfied"
assert_contains "$out" "conflicts-hello"
assert_contains "$out" "conflicts with hello"
run_pare out rc resolve "$(level_spec pinconflict 'pinme=1.0-1' needs-new)" --cache-dir "$T/cache"
assert_eq 3 "$rc" "pinme=1.0-1 with needs-new (output: $out)"
assert_contains "$out" "needs-new"
assert_contains "$out" "pinme >= 2.0"
# The build refuses the same way, writing nothing.
run_pare out rc build "$S/conflict.yaml" --cache-dir "$T/cache" -o "$T/conflict-out" -q
assert_eq 3 "$rc" "build of an unsatisfiable set"
assert_no_file "$T/conflict-out"

# --- unknown packages ------------------------------------------------------------------------------------------
run_pare out rc resolve "$(level_spec typo helo)" --cache-dir "$T/cache"
assert_eq 3 "$rc" "exit code for an unknown package (output: $out)"
assert_contains "$out" "helo is not in the index"
assert_contains "$out" "did you mean hello?"
run_pare out rc resolve "$(level_spec unknown zzzzqqq)" --cache-dir "$T/cache"
assert_eq 3 "$rc" "exit code for an unknown package (output: $out)"
assert_contains "$out" "zzzzqqq is not in the index"
assert_not_contains "$out" "did you mean" "no suggestion for a name nothing is near"
run_pare out rc resolve "$(level_spec badver 'hello=9.9-9')" --cache-dir "$T/cache"
assert_ne 0 "$rc" "a version the index does not have (output: $out)"
assert_contains "$out" "hello"
assert_contains "$out" "9.9-9"

# --- spec errors: exit 2, file:line:column ------------------------------------------------------------------------
spec_error() { # spec_error NAME TEXT LOCATION NEEDLE
  printf '%s\n' "$2" >"$S/$1.yaml"
  run_pare out rc resolve "$S/$1.yaml" --cache-dir "$T/cache"
  assert_eq 2 "$rc" "$1: exit code (output: $out)"
  assert_contains "$out" "$S/$1.yaml:$3: " "$1: file:line:column"
  assert_contains "$out" "$4" "$1: message"
}
spec_error unknown-key $'from: libc.yaml\npakages: [hello]' 2:1 "unknown key 'pakages' (did you mean 'packages'?)"
spec_error bad-mode $'from: libc.yaml\npackages: [hello]\npaths:\n  - type: directory\n    path: /data\n    mode: rwx' \
  6:11 "octal mode"
spec_error big-mode $'from: libc.yaml\npaths:\n  - {type: directory, path: /data, mode: "0999"}' 3:42 "0999"
spec_error bad-suite $'source: {suite: buster}' 1:17 "unknown suite 'buster'"
spec_error missing-from $'from: nope.yaml' 1:7 "nope.yaml"
spec_error yaml-syntax $'from: libc.yaml\npackages: [hello' 3:1 "YAML"
# Errors in a parent file point into that file.
printf 'from: unknown-key.yaml\npackages: [hello]\n' >"$S/child.yaml"
run_pare out rc resolve "$S/child.yaml" --cache-dir "$T/cache"
assert_eq 2 "$rc" "an error in the parent (output: $out)"
assert_contains "$out" "$S/unknown-key.yaml:2:1: "
# Nothing was fetched for a spec that does not parse: the cache of a fresh dir stays empty.
run_pare out rc resolve "$S/bad-suite.yaml" --cache-dir "$T/untouched"
assert_eq "" "$(find "$T/untouched" -type f 2>/dev/null)" "files cached for an invalid spec"

echo "offline_resolve: ok"
