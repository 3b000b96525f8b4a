# labels: network podman
# shellcheck shell=bash
# `pare resolve` against the real Debian archive, bookworm and trixie: the cc example resolves to
# the packages distroless ships (libc6, libstdc++6, libgcc-s1, gcc-N-base, libssl3 / libssl3t64,
# ...), each in the layer of the spec that asked for it; nothing that runs (dpkg, debconf, perl,
# an awk, a shell) is in the set; the excluded dependencies are reported; static needs no libc;
# the mirror is the one from the host's apt sources; the answer is deterministic.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need_network
need_pare
need_cmd python3
CACHE="${PARE_BUILD_DIR}/network-cache"
EX="$PARE_SOURCE_DIR/examples"
T="$(tmpdir)"
read -r HOST_URI _ <<<"$(host_mirror)"

resolve() { # resolve SPEC SUITE -> JSON file path
  local out
  out="$T/$(basename "$1" .yaml)-$2.json"
  "$PARE" resolve "$1" --suite "$2" --cache-dir "$CACHE" --json >"$out" || fail "pare resolve $1 --suite $2 failed"
  echo "$out"
}
# q FILE PYTHON: evaluate PYTHON with j = the resolve JSON, a = its first architecture, names = a
# set of the names of packages installed whole, sliced = {name: only globs}, pkg = {name: package}.
q() {
  python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
a = j["archs"][0]
names = {p["name"] for p in a["packages"] if not p.get("only")}  # slices are not the package
sliced = {p["name"]: p["only"] for p in a["packages"] if p.get("only")}
pkg = {p["name"]: p for p in a["packages"]}
'"$2" "$1"
}
# Nothing that runs or installs: package managers, their configuration, perl, awks, shells.
NEVER=(dpkg debconf cdebconf perl-base perl mawk gawk original-awk busybox dash bash coreutils tar
  openssl libc-bin debianutils)

check_cc() { # check_cc SUITE GCC_BASE SSL LIBC_VERSION_PREFIX [EXTRA_EXPECTED...]
  local suite="$1" gcc_base="$2" ssl="$3" libc_prefix="$4" r name
  shift 4
  r="$(resolve "$EX/cc.yaml" "$suite")"
  echo "$suite cc: $(q "$r" 'print(" ".join(sorted(names)))')"
  assert_eq "$suite" "$(q "$r" 'print(j["suite"])')" "resolved suite"
  assert_eq "${HOST_URI%/}" "$(q "$r" 'print(j["mirror"].rstrip("/"))')" "the mirror comes from the host's apt sources"
  for name in base-files netbase tzdata media-types ca-certificates libc6 libgcc-s1 libstdc++6 libgomp1 \
    "$gcc_base" "$ssl" "$@"; do
    assert_eq True "$(q "$r" "print('$name' in names)")" "$suite: $name in the cc set"
  done
  for name in "${NEVER[@]}"; do
    assert_eq False "$(q "$r" "print('$name' in names)")" "$suite: $name must not be in the cc set"
  done
  # Of libc-bin, only the C.UTF-8 locale (no ldconfig, locale, iconv...).
  assert_eq "['/usr/lib/locale/C.utf8/**']" "$(q "$r" "print(sliced.get('libc-bin'))")" "$suite: libc-bin's slice"
  # The other suite's names must not leak in.
  local other_gcc other_ssl
  [[ $gcc_base == gcc-12-base ]] && other_gcc=gcc-14-base || other_gcc=gcc-12-base
  [[ $ssl == libssl3 ]] && other_ssl=libssl3t64 || other_ssl=libssl3
  assert_eq "False False" "$(q "$r" "print('$other_gcc' in names, '$other_ssl' in names)")" "$suite: other suite's packages"
  # Each package sits in the layer of the spec that brings it.
  for pair in base-files:static ca-certificates:static libc6:base-nossl "$ssl":base libstdc++6:cc libgomp1:cc; do
    assert_eq "${pair#*:}" "$(q "$r" "print(pkg['${pair%:*}']['level'])")" "$suite: layer of ${pair%:*}"
  done
  # gcc-N-base comes in as a dependency, and resolve says through what.
  assert_eq "$gcc_base" "$(q "$r" "print(pkg['$gcc_base']['why'][-1])")" "$suite: why $gcc_base"
  [[ "$(q "$r" "print(len(pkg['$gcc_base']['why']))")" -ge 2 ]] || fail "$suite: $gcc_base is not explained by a chain"
  [[ "$(q "$r" "print(pkg['libc6']['version'])")" == "$libc_prefix"* ]] ||
    fail "$suite: libc6 $(q "$r" "print(pkg['libc6']['version'])") is not glibc $libc_prefix"
  # Every package can be fetched and verified: a pool URL on the suite's mirrors, a SHA-256, a repo
  # of this suite (or its -updates / -security).
  bad="$(q "$r" '
import re
mirrors = (j["mirror"].rstrip("/") + "/", j["security_mirror"].rstrip("/") + "/")
for p in a["packages"]:
    ok = (re.fullmatch("[0-9a-f]{64}", p["sha256"]) and p["url"].startswith(mirrors) and "/pool/" in p["url"]
          and p["url"].endswith(".deb") and p["version"] and p["arch"] in (a["arch"], "all")
          and p["repo"].split("/")[0] in (j["suite"], j["suite"] + "-updates", j["suite"] + "-security"))
    if not ok: print(p)')"
  assert_eq "" "$bad" "$suite: packages with a bad url, sha256, arch or repo"
  # The cut dependencies are reported with who wanted them.
  cuts="$(q "$r" 'print("\n".join(sorted(c["package"] + ":" + c["excluded"] for c in a.get("excluded", []))))')"
  for c in base-files:mawk ca-certificates:openssl ca-certificates:debconf tzdata:debconf; do
    assert_contains "$cuts" "$c" "$suite: excluded dependency $c reported"
  done
  # The text form reports them too.
  text="$("$PARE" resolve "$EX/cc.yaml" --suite "$suite" --cache-dir "$CACHE")" || fail "pare resolve (text) failed"
  assert_contains "$text" "excluded" "$suite: text output lists the excluded dependencies"
  assert_contains "$text" "[mawk excluded]" "$suite: text output names mawk"

  # static needs no C library (ca-certificates' dependency on openssl is cut); base-nossl no libssl.
  r="$(resolve "$EX/static.yaml" "$suite")"
  assert_eq "False False" "$(q "$r" "print('libc6' in names, 'libssl3' in names or 'libssl3t64' in names)")" \
    "$suite: static has neither libc6 nor libssl"
  [[ "$suite" != trixie ]] || assert_eq True "$(q "$r" "print('tzdata-legacy' in names)")" "trixie static has tzdata-legacy"
  r="$(resolve "$EX/base-nossl.yaml" "$suite")"
  assert_eq "True False" "$(q "$r" "print('libc6' in names, '$ssl' in names)")" "$suite: base-nossl has libc6, no libssl"
}

check_cc bookworm gcc-12-base libssl3 2.36
check_cc trixie gcc-14-base libssl3t64 2.41 libzstd1 zlib1g tzdata-legacy

# Deterministic: the same question gives the same answer, byte for byte.
first="$(cat "$T/cc-bookworm.json")"
again="$(cat "$(resolve "$EX/cc.yaml" bookworm)")"
assert_eq "$first" "$again" "resolving twice"

echo "network_resolve: all checks passed"
