# shellcheck shell=bash disable=SC2034 # T and FIXTURE_PID are for the sourcing test
# offline_common.bash — shared setup for the offline_*.sh e2e tests. Not a test itself (ctest
# globs tests/e2e/*.sh only). Source it after lib.sh:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#   source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
#   offline_init            # serves the fixture repository, sets T, PARE_MIRROR, ...
#
# Every test gets its own tmpdir ($T) and its caches live below it, so no test sees another's
# cache. Specs are written into $T and name the fixture keyring ($PARE_TEST_KEYRING).

# offline_init [http_server.py options] — build + serve the fixture repository, point pare at it
# and create $T. FIXTURE_PID is the server's pid (kill it to take the mirror away).
offline_init() {
  need_pare
  need_cmd jq tar
  fixture_repo "$@"
  FIXTURE_PID="$SERVED_PID"
  export PARE_MIRROR="$PARE_TEST_MIRROR" PARE_SECURITY_MIRROR="$PARE_TEST_SECURITY_MIRROR"
  # A stray SOURCE_DATE_EPOCH in the caller's environment would change every digest.
  unset SOURCE_DATE_EPOCH PARE_CACHE_DIR
  T="$(tmpdir)"
}

# write_chain DIR [SUITE] — the three-level from: chain most tests build:
#   DIR/static.yaml  static-like: base-files netbase tzdata media-types ca-certificates,
#                    excluding debconf, perl-base and openssl; variants latest + nonroot
#   DIR/libc.yaml    from static: libc6
#   DIR/app.yaml     from libc: hello (name "app", entrypoint /usr/bin/hello)
write_chain() {
  local dir="$1" suite="${2:-bookworm}"
  mkdir -p "$dir"
  cat >"$dir/static.yaml" <<EOF
source:
  suite: $suite
  keyring: $PARE_TEST_KEYRING
archs: [amd64]
packages: [base-files, netbase, tzdata, media-types, ca-certificates]
exclude: [debconf, perl-base, openssl]
env:
  SSL_CERT_FILE: /etc/ssl/certs/ca-certificates.crt
variants: [latest, nonroot]
EOF
  cat >"$dir/libc.yaml" <<EOF
from: static.yaml
packages: [libc6]
EOF
  cat >"$dir/app.yaml" <<EOF
from: libc.yaml
name: app
packages: [hello]
entrypoint: [/usr/bin/hello]
EOF
}

# run_pare OUTVAR RCVAR ARGS... — run pare, keep its combined output and exit code (never exits).
run_pare() {
  local -n _out="$1" _rc="$2"
  shift 2
  _rc=0
  _out="$("$PARE" "$@" 2>&1)" || _rc=$?
}

# layout_digest LAYOUT TAG — the manifest (or index) digest index.json records for TAG.
layout_digest() {
  local d
  d="$(jq -r --arg t "$2" \
    '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
    "$1/index.json")"
  [[ "$d" == sha256:* ]] || fail "no manifest tagged '$2' in $1/index.json"
  echo "$d"
}

# blob_path LAYOUT DIGEST — the file holding DIGEST in an OCI layout.
blob_path() { echo "$1/blobs/${2%%:*}/${2#*:}"; }

# manifest_of LAYOUT TAG — the image manifest JSON for TAG (single-platform images).
manifest_of() { cat "$(blob_path "$1" "$(layout_digest "$1" "$2")")"; }

# all_layer_digests LAYOUT TAG — one layer digest per line, bottom layer first.
all_layer_digests() { manifest_of "$1" "$2" | jq -r '.layers[].digest'; }

# layer_digests LAYOUT TAG — the same without the SBOM layer a build puts on top (its config
# history says "pare: SBOM ..."): the layers the spec's levels made.
layer_digests() {
  local manifest config
  manifest="$(manifest_of "$1" "$2")"
  config="$(blob_path "$1" "$(jq -r .config.digest <<<"$manifest")")"
  if [[ "$(jq -r '[.history[] | select(.empty_layer != true)][-1].created_by // ""' "$config")" == "pare: SBOM"* ]]; then
    jq -r '.layers[:-1][].digest' <<<"$manifest"
  else
    jq -r '.layers[].digest' <<<"$manifest"
  fi
}

# layers_listing LAYOUT TAG — `tar -tv --numeric-owner` of every layer, in order: ownership and
# modes as the image stores them (an unpack by a non-root user cannot show owners).
layers_listing() {
  local digest
  for digest in $(layer_digests "$1" "$2"); do
    tar --numeric-owner -tvf "$(blob_path "$1" "$digest")"
  done
}

# listing_entry LISTING PATH — the listing line for ./PATH or PATH (last layer wins).
listing_entry() {
  awk -v p="$2" '{ n = $6; sub(/^\.\//, "", n); sub(/\/$/, "", n) } n == p { line = $0 } END { print line }' <<<"$1"
}

# unpack_image LAYOUT TAG DEST — unpack with umoci (rootless: no owners) into DEST/rootfs.
unpack_image() {
  need_cmd umoci
  umoci unpack --rootless --image "$1:$2" "$3" >/dev/null 2>&1 ||
    fail "umoci cannot unpack $1:$2"
  [[ -d "$3/rootfs" ]] || fail "umoci left no rootfs in $3"
}

# podman_output ARGS... — pare_podman_run's stdout without podman's pull chatter: the last line.
podman_output() { pare_podman_run "$@" 2>/dev/null | tail -n1; }
