# labels: network podman registry
# pare as a container image, built by pare (#16): examples/pare.yaml (cc + the libraries pare
# links, resolved from Debian) around the pare just built; the image then builds an image of
# the fixture repository and pushes it to a distribution registry on 127.0.0.1 from inside an
# unprivileged podman container: uid 65532, no daemon, no capabilities, a read-only root,
# no mount but a work directory. The image it pushed is the one pare builds on the host.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
source "$(dirname "${BASH_SOURCE[0]}")/registry.bash"
need_pare
need_network
need_cmd podman skopeo jq
rt_init bookworm
"$PARE" build "$EX/pare.yaml" --context "$PARE_SOURCE_DIR/build/.." --variant nonroot --suite bookworm \
  --cache-dir "$CACHE" -o "$T/pare-image" -q --no-sbom --no-git-annotations || fail "building pare's image"
PARE_CONTEXT_OK=1
[[ "$(readlink -f "$PARE")" == "$(readlink -f "$PARE_SOURCE_DIR/build/pare")" ]] || PARE_CONTEXT_OK=0
((PARE_CONTEXT_OK)) || skip "examples/pare.yaml takes build/pare of the source tree; this run's pare is elsewhere"
assert_eq "65532" "$(skopeo inspect --config "oci:$T/pare-image:pare:nonroot" | jq -r .config.User | cut -d: -f1)" "nonroot"

# A work directory with a spec for the fixture repository and its keyring.
fixture_repo
W="$T/work"
mkdir -p "$W"
chmod 0777 "$W"
cp "$PARE_TEST_KEYRING" "$W/keyring.gpg"
chmod 0644 "$W/keyring.gpg"
cat >"$W/app.yaml" <<YAML
source:
  suite: bookworm
  keyring: /work/keyring.gpg
archs: [amd64]
packages: [base-files, hello]
exclude: [debconf, perl-base]
entrypoint: [/usr/bin/hello]
variants: [nonroot]
name: app
YAML
start_registry plain
pare_podman run -q --rm --network host --user 65532:65532 --cap-drop all --read-only \
  --security-opt no-new-privileges --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  -e PARE_MIRROR="$PARE_TEST_MIRROR" -e PARE_SECURITY_MIRROR="$PARE_TEST_SECURITY_MIRROR" \
  -e PARE_CACHE_DIR=/work/cache -e SOURCE_DATE_EPOCH=0 -v "$W:/work" \
  "oci:$T/pare-image:pare:nonroot" build /work/app.yaml -o /work/out --push "$REG/team/app" \
  --no-git-annotations --json >"$T/inside.json" 2>"$T/inside.err" ||
  fail "pare in its own image: $(cat "$T/inside.err")"
inside="$(jq -r '.pushed[] | select(.reference | endswith("app:nonroot")) | .digest' "$T/inside.json")"
[[ "$inside" == sha256:* ]] || fail "no pushed digest in: $(cat "$T/inside.json")"
rt_check assert_eq "$inside" "$(skopeo inspect --raw --tls-verify=false "docker://$REG/team/app:nonroot" | sha256sum | sed 's/ .*//; s/^/sha256:/')" \
  "the registry has what pare pushed from its image"
mkdir -p "$T/host"
sed "s|/work/keyring.gpg|$W/keyring.gpg|" "$W/app.yaml" >"$T/host/app.yaml"
host="$(SOURCE_DATE_EPOCH=0 PARE_MIRROR="$PARE_TEST_MIRROR" PARE_SECURITY_MIRROR="$PARE_TEST_SECURITY_MIRROR" \
  "$PARE" build "$T/host/app.yaml" -o "$T/host-out" --cache-dir "$T/host-cache" --no-git-annotations --json -q |
  jq -r '.images[0].digest')" || fail "the same build on the host"
rt_check assert_eq "$host" "$inside" "the same image as pare on the host"
rt_done "network_pare_image"
