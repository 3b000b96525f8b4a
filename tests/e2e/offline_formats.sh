# labels: offline podman
# The three output formats, each with both variants (latest, nonroot) of one spec:
#   oci             a layout directory: skopeo inspects it, umoci unpacks it, podman runs it
#   oci-archive     the same layout as a tar: identical blobs and digests
#   docker-archive  what `docker load` / `podman load` read. pare writes BOTH variants into one
#                   archive: manifest.json has one entry per variant, each with exactly one
#                   RepoTag (app:latest, app:nonroot). Readers that expect a single image must
#                   say which one (skopeo: docker-archive:FILE:app:nonroot or FILE:@1);
#                   `podman load` loads both tags. Several architectures cannot go into a
#                   docker-archive: pare refuses that with a message and writes nothing.
# shellcheck shell=bash source-path=SCRIPTDIR disable=SC2119
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
need_cmd podman runc skopeo umoci
offline_init
write_chain "$T/spec"
app="$T/spec/app.yaml"
VARIANTS=(latest nonroot)

build_format() { # build_format FORMAT OUT [args]
  local out rc
  run_pare out rc build "$app" --format "$1" -o "$2" --cache-dir "$T/cache" -q "${@:3}"
  assert_eq 0 "$rc" "--format $1 (output: $out)"
}

# --- oci layout ------------------------------------------------------------------------------------
build_format oci "$T/layout"
declare -A manifest config
for v in "${VARIANTS[@]}"; do
  manifest[$v]="$(layout_digest "$T/layout" "app:$v")"
  insp="$(skopeo inspect "oci:$T/layout:app:$v")" || fail "skopeo cannot read oci:app:$v"
  assert_eq "${manifest[$v]}" "$(jq -r .Digest <<<"$insp")" "skopeo's digest of app:$v"
  assert_eq 4 "$(jq '.Layers | length' <<<"$insp")" "layers of app:$v (three levels, the SBOM's)"
  config[$v]="$(manifest_of "$T/layout" "app:$v" | jq -r .config.digest)"
  unpack_image "$T/layout" "app:$v" "$T/unpack-$v"
  assert_file "$T/unpack-$v/rootfs/usr/bin/hello" "hello in the unpacked app:$v"
done
assert_ne "${manifest[latest]}" "${manifest[nonroot]}" "variants differ"
assert_eq "$(layer_digests "$T/layout" app:latest)" "$(layer_digests "$T/layout" app:nonroot)" \
  "variants share their layers"
assert_eq 65532 "$(skopeo inspect --config "oci:$T/layout:app:nonroot" | jq -r .config.User)" \
  "nonroot user in the layout"
assert_eq "hello from pare fixture" "$(podman_output "oci:$T/layout:app:latest")" "oci latest runs"
assert_eq "hello from pare fixture" "$(podman_output "oci:$T/layout:app:nonroot")" "oci nonroot runs"
# Every blob the manifests name is in the layout with the right digest.
for f in "$T"/layout/blobs/sha256/*; do
  assert_eq "$(basename "$f")" "$(sha256sum "$f" | cut -d' ' -f1)" "blob content matches its name"
done
assert_eq '{"imageLayoutVersion":"1.0.0"}' "$(jq -c . "$T/layout/oci-layout")" "oci-layout file"

# --- oci-archive -------------------------------------------------------------------------------------
build_format oci-archive "$T/app.oci.tar"
for v in "${VARIANTS[@]}"; do
  insp="$(skopeo inspect "oci-archive:$T/app.oci.tar:app:$v")" || fail "skopeo cannot read oci-archive app:$v"
  assert_eq "${manifest[$v]}" "$(jq -r .Digest <<<"$insp")" "oci-archive app:$v has the layout's digest"
done
mkdir -p "$T/extracted"
tar -xf "$T/app.oci.tar" -C "$T/extracted"
assert_eq "$(cd "$T/layout" && find . -type f | sort)" "$(cd "$T/extracted" && find . -type f | sort)" \
  "oci-archive holds the layout's files"
for f in $(cd "$T/layout" && find . -type f); do
  cmp -s "$T/layout/$f" "$T/extracted/$f" || fail "oci-archive's $f differs from the layout's"
done
unpack_image "$T/extracted" app:nonroot "$T/unpack-archive"
assert_file "$T/unpack-archive/rootfs/usr/bin/hello"
assert_eq "hello from pare fixture" "$(podman_output "oci-archive:$T/app.oci.tar:app:nonroot")" \
  "oci-archive nonroot runs"
# An archive is byte-for-byte reproducible.
build_format oci-archive "$T/again.oci.tar"
cmp -s "$T/app.oci.tar" "$T/again.oci.tar" || fail "two oci-archives of one spec differ"

# --- docker-archive: both variants in one archive, one tag each ----------------------------------------
build_format docker-archive "$T/app.docker.tar"
mf="$(tar -xOf "$T/app.docker.tar" manifest.json)" || fail "docker-archive has no manifest.json"
assert_eq 2 "$(jq length <<<"$mf")" "one manifest.json entry per variant"
assert_eq '[["app:latest"],["app:nonroot"]]' "$(jq -c '[.[].RepoTags] | sort' <<<"$mf")" \
  "exactly one RepoTag per image"
for v in "${VARIANTS[@]}"; do
  entry="$(jq -c --arg t "app:$v" '.[] | select(.RepoTags == [$t])' <<<"$mf")"
  assert_eq "${config[$v]#sha256:}.json" "$(jq -r .Config <<<"$entry")" "app:$v config is the OCI config blob"
  cfg="$(skopeo inspect --config "docker-archive:$T/app.docker.tar:app:$v")" ||
    fail "skopeo cannot read docker-archive app:$v"
  assert_eq "$(skopeo inspect --config "oci:$T/layout:app:$v" | jq -c .rootfs)" "$(jq -c .rootfs <<<"$cfg")" \
    "app:$v diff_ids match the OCI image's"
done
assert_eq 65532 "$(skopeo inspect --config "docker-archive:$T/app.docker.tar:app:nonroot" | jq -r .config.User)"
# skopeo's unqualified form needs a single image; pare's two-variant archive is ambiguous to it.
if skopeo inspect "docker-archive:$T/app.docker.tar" >/dev/null 2>&1; then
  echo "note: skopeo accepted an unqualified two-image docker-archive" >&2
fi
load="$(pare_podman load -i "$T/app.docker.tar" 2>&1)" || fail "podman load failed: $load"
assert_contains "$load" "app:latest"
assert_contains "$load" "app:nonroot"
assert_eq "hello from pare fixture" "$(podman_output localhost/app:latest)" "loaded app:latest runs"
assert_eq "hello from pare fixture" "$(podman_output localhost/app:nonroot)" "loaded app:nonroot runs"
assert_eq "65532 /home/nonroot" \
  "$(pare_podman inspect localhost/app:nonroot --format '{{.Config.User}} {{.Config.WorkingDir}}')" \
  "loaded nonroot config"

# One variant: one image in the archive, readable without naming it.
build_format docker-archive "$T/nonroot.docker.tar" --variant nonroot
assert_eq '[["app:nonroot"]]' "$(tar -xOf "$T/nonroot.docker.tar" manifest.json | jq -c '[.[].RepoTags]')"
assert_eq 65532 "$(skopeo inspect --config "docker-archive:$T/nonroot.docker.tar" | jq -r .config.User)"

# Two architectures do not fit a docker-archive: a clear error, exit 2, nothing written.
run_pare out rc build "$app" --format docker-archive --arch amd64,arm64 -o "$T/multi.tar" \
  --cache-dir "$T/cache" -q
assert_eq 2 "$rc" "multi-arch docker-archive exit code (output: $out)"
assert_contains "$out" "docker-archive"
assert_contains "$out" "one platform"
assert_no_file "$T/multi.tar" "a refused docker-archive"
# ... while an OCI layout takes both and indexes them.
build_format oci "$T/multi" --arch amd64,arm64 --variant latest
idx="$(blob_path "$T/multi" "$(layout_digest "$T/multi" app:latest)")"
assert_eq "amd64 arm64" "$(jq -r '[.manifests[].platform.architecture] | sort | join(" ")' "$idx")" \
  "multi-arch index platforms"
skopeo inspect --raw "oci:$T/multi:app:latest" >/dev/null || fail "skopeo cannot read the index"

echo "offline_formats: ok"
