# labels: network podman registry
# The whole family against the real archive and the distribution registry on 127.0.0.1:
#   - static, base-nossl, base, cc, python3, nodejs, java, four variants, amd64 + arm64, built
#     into one layout and pushed with `build --push`: every tag (indexes and per-arch tags) is
#     in the registry with the layout's digest; a re-push uploads no blob (the registry's log);
#   - pull of one platform of python3 gives the layout's arm64 manifest;
#   - a spec `from: docker://REG/team/cc:nonroot` adding libsqlite3-0 installs that one package
#     (libc6 and the rest are the base's); one from the pushed python3 image adding libyaml-0-2
#     installs that alone, keeps python3's layers under its own, and runs under podman: the
#     base's python3 loads the added library.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
source "$(dirname "${BASH_SOURCE[0]}")/registry.bash"
need_pare
need_network
need_cmd podman skopeo jq
rt_init bookworm
start_registry plain
family=(static base-nossl base cc python3 nodejs java)
specs=()
for f in "${family[@]}"; do specs+=("$EX/$f.yaml"); done

"$PARE" build "${specs[@]}" --arch amd64,arm64 --variant latest,nonroot,debug,debug-nonroot \
  --suite bookworm --cache-dir "$CACHE" -o "$T/family" --push "$REG/team" --json >"$T/push.json" ||
  fail "build --push of the family"
tags="$(jq -r '.manifests[].annotations["org.opencontainers.image.ref.name"]' "$T/family/index.json")"
assert_eq 84 "$(wc -l <<<"$tags")" "7 images x 4 variants: an index tag and two per-arch tags each"
assert_eq 84 "$(jq ".pushed | length" "$T/push.json")" "every tag pushed"
for tag in python3:nonroot cc:debug-arm64 java:latest; do
  want="$(jq -r --arg t "$tag" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
    "$T/family/index.json")"
  name="${tag%%:*}"
  got="$(skopeo inspect --raw --tls-verify=false "docker://$REG/team/$name:${tag#*:}" | sha256sum |
    sed 's/ .*//; s/^/sha256:/')"
  assert_eq "$want" "$got" "$tag in the registry"
done
uploads="$(upload_requests)"
"$PARE" push "oci:$T/family" "$REG/team" --json >"$T/repush.json" || fail "re-push"
assert_eq 0 "$(jq '[.pushed[].blobs_uploaded] | add' "$T/repush.json")" "the re-push uploads nothing"
assert_eq "$uploads" "$(upload_requests)" "no upload request reached the registry on the re-push"

# --- one platform -----------------------------------------------------------------------------
"$PARE" pull "docker://$REG/team/python3:nonroot" "oci:$T/py-arm64:python3:nonroot" \
  --platform linux/arm64 -q || fail "pull --platform linux/arm64"
arm="$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "python3:nonroot-arm64") | .digest' \
  "$T/family/index.json")"
assert_eq "$arm" "$(jq -r '.manifests[0].digest' "$T/py-arm64/index.json")" "the arm64 manifest"

# --- a package added to registry images -------------------------------------------------------
cat >"$T/yaml.yaml" <<EOF
from: docker://$REG/team/python3:nonroot
name: pyyaml
source: {suite: bookworm}
archs: [amd64]
packages: [libyaml-0-2]
EOF
run_out="$("$PARE" resolve "$T/yaml.yaml" --cache-dir "$CACHE" --json)" || fail "resolve over python3"
added="$(jq -r '[.archs[0].packages[].name] | join(",")' <<<"$run_out")"
[[ "$added" == "libyaml-0-2" ]] || fail "over python3, libyaml-0-2 should come alone, got: $added"
"$PARE" build "$T/yaml.yaml" --cache-dir "$CACHE" -o "$T/pyyaml" -q || fail "build over python3"
base_layers="$(skopeo inspect --tls-verify=false "docker://$REG/team/python3:nonroot-amd64" | jq -c .Layers)"
# under the added layer and its SBOM's
ours="$(skopeo inspect "oci:$T/pyyaml:pyyaml:latest" | jq -c '.Layers[:-2]')"
assert_eq "$base_layers" "$ours" "python3's layers kept under the added one"
probe='import ctypes; f = ctypes.CDLL("libyaml-0.so.2").yaml_get_version_string; f.restype = ctypes.c_char_p; print(f().decode())'
out="$(pare_podman_run "oci:$T/pyyaml:pyyaml:latest" -c "$probe" 2>&1 | tail -n1)" || true
[[ "$out" =~ ^0\.[0-9]+\.[0-9]+$ ]] || fail "the base's python3 could not load the added libyaml: $out"
cat >"$T/cc-sqlite.yaml" <<EOF
from: docker://$REG/team/cc:nonroot
name: cc-sqlite
source: {suite: bookworm}
archs: [amd64]
packages: [libsqlite3-0]
EOF
added="$("$PARE" resolve "$T/cc-sqlite.yaml" --cache-dir "$CACHE" --json | jq -r '[.archs[0].packages[].name] | join(",")')"
[[ "$added" == "libsqlite3-0" ]] || fail "over cc, libsqlite3-0 should come alone (no second libc6), got: $added"
echo "PASS"
