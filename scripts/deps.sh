#!/usr/bin/env bash
# deps.sh — install every Debian package that pare's build, tests and benchmarks need.
#
# Idempotent and fast when nothing is missing (one dpkg-query). Otherwise refreshes the apt
# lists when they are absent or older than a day, then installs only what is missing.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config clang
  libsolv-dev libsolvext-dev librnp-dev libcurl4-openssl-dev libarchive-dev libssl-dev
  zlib1g-dev libdeflate-dev libisal-dev libzstd-dev liblzma-dev libyaml-cpp-dev
  nlohmann-json3-dev libcli11-dev libelf-dev
  # unit tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # fixture repository and e2e tests
  dpkg-dev apt-utils gnupg gpgv python3 curl xz-utils zstd openssl ca-certificates tzdata
  busybox-static util-linux git jq clang-format
  # SBOM schema validation (the schemas come from an npm package; npm itself below)
  python3-jsonschema
  # pare compare --html is opened in a real browser by the tests
  chromium
  # the java runtime test compiles its classes on the host
  openjdk-17-jdk-headless
  # the application examples (examples/apps): Go services, a C++ program on libsqlite3
  golang-go libsqlite3-dev
  # running and reading images, registries, comparison
  podman runc uidmap skopeo umoci docker-registry apache2-utils mmdebstrap debian-archive-keyring
  # pare debug: docker (a private daemon per test), an interactive session driven through tmux
  docker.io tmux
  # builds through an apt cache (network_apt_cache.sh)
  apt-cacher-ng
  qemu-user-static binfmt-support
)

# npm from Debian unless one is already there (a nodejs package of another origin ships its
# own npm and conflicts with Debian's).
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing_packages() { # one dpkg-query for all: it exits non-zero when some are unknown
  local installed
  installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null |
    awk '$2 == "installed" { print $1 }' || true)"
  printf '%s\n' "${PACKAGES[@]}" | grep -vxF -f <(printf '%s\n' "$installed") || true
}

mapfile -t missing < <(missing_packages)
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps.sh: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "deps.sh: installing ${missing[*]}"

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "deps.sh: need root or sudo to install packages" >&2; exit 1; }
  SUDO=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive

lists_fresh() {
  [[ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 -print -quit 2>/dev/null)" ]]
}
apt_install() {
  "${SUDO[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
}

updated=0
if ! lists_fresh; then
  "${SUDO[@]}" apt-get update
  updated=1
fi
if ! apt_install; then
  # Stale lists give 404s for superseded versions: refresh once and retry.
  [[ $updated -eq 0 ]] || exit 1
  "${SUDO[@]}" apt-get update
  apt_install
fi

mapfile -t still_missing < <(missing_packages)
if [[ ${#still_missing[@]} -ne 0 ]]; then
  echo "deps.sh: still missing after install: ${still_missing[*]}" >&2
  exit 1
fi
echo "deps.sh: done"
