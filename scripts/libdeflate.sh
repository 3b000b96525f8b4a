#!/usr/bin/env bash
# libdeflate.sh DEST — build libdeflate 1.14 (Debian 12's version) from Debian's source package
# into DEST (DEST/include/libdeflate.h, DEST/lib/libdeflate.a). build.sh links pare against it
# when it is there, else against the system's libdeflate.
#
# Why: Debian's libdeflate0 binary compresses image layers (binaries, tar headers) 12-20 % slower
# than the same 1.14 source built here with -O2 (bench/README.md, "The compressor's build"), and
# layer compression is most of a cold build's CPU time after xz decoding. (That binary is built
# with profile-guided optimisation; a PGO build following its debian/rules, made here, was not
# slower, so the cause is in that binary rather than the source.) The output is the same bytes
# either way (same source, same level): layer digests do not depend on which is linked.
#
# The tarball is the one in the archive's pool beside the binary package apt would install (so
# the mirror is the host's own: PARE_MIRROR when set, else whatever apt uses), checked against
# the SHA-256 that Debian's signed libdeflate_1.14-1.dsc lists. Exits non-zero, leaving DEST
# untouched, when it cannot fetch, verify or build. build.sh runs it under a lock, so concurrent
# builds into one build directory do not replace the library under each other.
set -euo pipefail

dest="${1:?usage: libdeflate.sh DEST}"
version=1.14
tarball="libdeflate_${version}.orig.tar.gz"
sha256=89e7df898c37c3427b0f39aadcf733731321a278771d20fc553f92da8d4808ac

# Already built from this very tarball: nothing to do.
[[ -f "$dest/lib/libdeflate.a" && "$(cat "$dest/SOURCE" 2>/dev/null)" == "$version $sha256" ]] && exit 0

if [[ -n "${PARE_MIRROR:-}" ]]; then
  pool="${PARE_MIRROR%/}/pool/main/libd/libdeflate"
else
  # apt prints 'URI' NAME SIZE HASH for the binary package; the source is in the same directory.
  uri="$(apt-get download --print-uris libdeflate0 2>/dev/null | head -n 1 | cut -d"'" -f2 || true)"
  [[ "$uri" == */pool/* ]] || { echo "libdeflate.sh: apt knows no libdeflate0 to locate the pool" >&2; exit 1; }
  [[ "$uri" =~ ^https?:// ]] ||
    { echo "libdeflate.sh: apt's mirror ($uri) is not an http(s) URL; set PARE_MIRROR" >&2; exit 1; }
  pool="${uri%/*}"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
curl -sSf --connect-timeout 10 --max-time 120 --retry 2 -o "$work/$tarball" "$pool/$tarball" ||
  { echo "libdeflate.sh: cannot download $pool/$tarball" >&2; exit 1; }
echo "$sha256  $work/$tarball" | sha256sum -c --quiet - ||
  { echo "libdeflate.sh: $tarball does not have the SHA-256 Debian's .dsc lists" >&2; exit 1; }
tar -xzf "$work/$tarball" -C "$work"
src="$work/libdeflate-$version"
make -C "$src" -j "${PARE_JOBS:-2}" libdeflate.a CFLAGS="-fPIC" >"$work/make.log" 2>&1 ||
  { cat "$work/make.log" >&2; echo "libdeflate.sh: build failed" >&2; exit 1; }

# Into place in one rename, so an interrupted run leaves no half-built DEST.
mkdir -p "$(dirname "$dest")"
staged="$(mktemp -d "$(dirname "$dest")/.libdeflate.XXXXXX")"
trap 'rm -rf "$work" "$staged"' EXIT
mkdir -p "$staged/include" "$staged/lib"
cp "$src/libdeflate.h" "$staged/include/"
cp "$src/libdeflate.a" "$staged/lib/"
echo "$version $sha256" >"$staged/SOURCE"
rm -rf "$dest"
mv -T "$staged" "$dest"
echo "libdeflate.sh: libdeflate $version built in $dest"
