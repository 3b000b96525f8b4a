# labels: offline podman registry
# Building on an image from a registry (`from: docker://...`) and from a local layout:
#   - skopeo pushes the fixture's libc image (two architectures) to the registry on 127.0.0.1;
#   - a spec from: that image adding `hello` installs hello alone (libc6 and the rest are the
#     base's, and what the base went without stays out), keeps the base's layers byte for
#     byte under its own, takes the base's user, workdir and env, sets base.name/base.digest
#     annotations, and runs under podman;
#   - the lockfile pins the base's digest: after the tag moves, a --lockfile build still uses
#     the pinned image while a plain build follows the tag;
#   - --offline builds from the cached base with the registry gone;
#   - from: oci:DIR:TAG (relative to the spec) works the same; accounts over a base are refused.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
source "$(dirname "${BASH_SOURCE[0]}")/registry.bash"
need_cmd skopeo podman runc jq
offline_init
write_chain "$T/spec"
start_registry plain
run_pare out rc build "$T/spec/libc.yaml" --arch amd64,arm64 -o "$T/libc" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build the base ($out)"
skopeo copy -q --all --dest-tls-verify=false "oci:$T/libc:libc:nonroot" "docker://$REG/base/libc:nonroot"
base_index="$(layout_digest "$T/libc" libc:nonroot)"

write_onbase() { # write_onbase FILE FROM [extra yaml]
  cat >"$1" <<EOF
from: $2
source:
  suite: bookworm
  keyring: $PARE_TEST_KEYRING
archs: [amd64, arm64]
name: onbase
packages: [hello]
entrypoint: [/usr/bin/hello]
${3:-}
EOF
}
write_onbase "$T/spec/onbase.yaml" "docker://$REG/base/libc:nonroot"

run_pare out rc resolve "$T/spec/onbase.yaml" --cache-dir "$T/cache" --json
assert_eq 0 "$rc" "resolve over the base ($out)"
assert_eq "hello" "$(jq -r '[.archs[0].packages[].name] | join(",")' <<<"$out")" \
  "only hello is installed over the base"
assert_eq "$base_index" "$(jq -r .base.digest <<<"$out")" "resolve names the base's digest"
[[ "$(jq '.base.archs[0].packages' <<<"$out")" -ge 5 ]] || fail "the base's packages: $out"

run_pare out rc build "$T/spec/onbase.yaml" -o "$T/onbase" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build over the base ($out)"
for arch in amd64 arm64; do
  base_layers="$(all_layer_digests "$T/libc" "libc:nonroot-$arch")"
  ours="$(all_layer_digests "$T/onbase" "onbase:latest-$arch")"
  assert_eq "$base_layers" "$(head -n "$(wc -l <<<"$base_layers")" <<<"$ours")" \
    "the base's layers, byte for byte, at the bottom ($arch)"
  # The base's own SBOM layer stays where it was; ours covers it (same path, higher).
  assert_eq $(($(wc -l <<<"$base_layers") + 2)) "$(wc -l <<<"$ours")" \
    "one layer of ours and its SBOM's ($arch)"
done
# The SBOM covers the registry base's packages as well as the one added over it.
onbase_sbom="$(jq -r '.packages[] | select(.primaryPackagePurpose == "LIBRARY") | .name' \
  "$T/onbase.sbom/onbase_latest_amd64.spdx.json" | sort | tr '\n' ' ')"
assert_contains "$onbase_sbom" "base-files " "the base's packages in the SBOM"
assert_contains "$onbase_sbom" "libc6 " "the base's libc6 in the SBOM"
assert_contains "$onbase_sbom" "hello " "the added package in the SBOM"
config="$(skopeo inspect --config "oci:$T/onbase:onbase:latest-amd64")"
assert_eq 65532 "$(jq -r .config.User <<<"$config")" "the base's user"
assert_eq /home/nonroot "$(jq -r .config.WorkingDir <<<"$config")" "the base's workdir"
assert_contains "$(jq -r '.config.Env[]' <<<"$config")" "SSL_CERT_FILE=" "the base's env"
assert_eq /usr/bin/hello "$(jq -r '.config.Entrypoint[0]' <<<"$config")" "the spec's entrypoint"
annotations="$(manifest_of "$T/onbase" onbase:latest-amd64 | jq -c .annotations)"
assert_eq "$base_index" "$(jq -r '.["org.opencontainers.image.base.digest"]' <<<"$annotations")" \
  "base.digest annotation"
assert_eq "$REG/base/libc:nonroot" "$(jq -r '.["org.opencontainers.image.base.name"]' <<<"$annotations")" \
  "base.name annotation"
assert_eq "hello from pare fixture" "$(podman_output "oci:$T/onbase:onbase:latest-amd64")" "it runs"
listing="$(layers_listing "$T/onbase" onbase:latest-amd64)"
assert_contains "$(listing_entry "$listing" var/lib/dpkg/status.d/hello)" "status.d/hello" \
  "hello's status.d entry"

# --- the lockfile pins the base ------------------------------------------------------------------
run_pare out rc lock "$T/spec/onbase.yaml" --cache-dir "$T/cache"
assert_eq 0 "$rc" "lock ($out)"
assert_eq "$base_index" "$(jq -r .base.digest "$T/spec/onbase.lock.json")" "the lock pins the base"
# The tag moves to another image (the libc image's latest variant).
skopeo copy -q --all --dest-tls-verify=false "oci:$T/libc:libc:latest" "docker://$REG/base/libc:nonroot"
run_pare out rc build "$T/spec/onbase.yaml" --lockfile "$T/spec/onbase.lock.json" -o "$T/locked" \
  --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "--lockfile build ($out)"
assert_eq "$base_index" "$(manifest_of "$T/locked" onbase:latest-amd64 |
  jq -r '.annotations["org.opencontainers.image.base.digest"]')" "a locked build uses the pinned base"
run_pare out rc build "$T/spec/onbase.yaml" -o "$T/moved" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "build after the tag moved ($out)"
assert_eq "$(layout_digest "$T/libc" libc:latest)" "$(manifest_of "$T/moved" onbase:latest-amd64 |
  jq -r '.annotations["org.opencontainers.image.base.digest"]')" "a plain build follows the tag"
assert_eq root "$(skopeo inspect --config "oci:$T/moved:onbase:latest-amd64" |
  jq -r '.config.User // "root" | if . == "" then "root" else . end')" "and takes that base's user"

# --- offline, from the cache ---------------------------------------------------------------------
stop_registry
run_pare out rc build "$T/spec/onbase.yaml" -o "$T/offline" --cache-dir "$T/cache" --offline -q
assert_eq 0 "$rc" "--offline build from the cached base ($out)"
run_pare out rc build "$T/spec/onbase.yaml" -o "$T/offline2" --cache-dir "$T/empty-cache" --offline -q
assert_eq 4 "$rc" "--offline without the base cached ($out)"
assert_contains "$out" "not in the cache" "says what is missing"

# --- a local layout as the base; what is refused --------------------------------------------------
write_onbase "$T/spec/local.yaml" "oci:../libc:libc:nonroot"
sed -i 's/^name: onbase/name: local/' "$T/spec/local.yaml"
run_pare out rc build "$T/spec/local.yaml" -o "$T/local" --cache-dir "$T/cache" -q
assert_eq 0 "$rc" "from: oci:DIR:TAG ($out)"
assert_eq "$(layer_digests "$T/onbase" onbase:latest-amd64)" "$(layer_digests "$T/local" local:latest-amd64)" \
  "the same layers from a layout as from the registry"
write_onbase "$T/spec/users.yaml" "oci:../libc:libc:nonroot" "accounts:
  users: [{name: app, uid: 1000}]"
run_pare out rc build "$T/spec/users.yaml" -o "$T/users" --cache-dir "$T/cache" -q
[[ "$rc" -ne 0 ]] || fail "accounts over an image base were accepted"
assert_contains "$out" "over an image base" "says why"
echo "PASS"
