# labels: offline podman registry
# pare against the real distribution registry (Debian's docker-registry) on 127.0.0.1, plain
# HTTP, with the fixture repository's images for two architectures:
#   - build --push of every tag, then a re-push that uploads nothing (the registry's own log
#     counts the upload requests), --json listing every reference with its digest;
#   - a copy into another repository mounts the blobs (?mount=) instead of uploading them;
#   - pull by tag, by digest and one platform; skopeo reads what pare pushed and pare reads what
#     skopeo pushed, digests identical; podman runs the image it pulled from the registry;
#   - a blob changed on the registry's disk is refused on pull (exit 5, nothing written);
#   - an artifact that refers to an image is listed through the referrers tag schema (the 2.8
#     registry has no referrers API) and seen by skopeo under the sha256-<hex> tag;
#   - unknown tags and repositories, a registry that is not there, bad references: exit codes.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
source "$(dirname "${BASH_SOURCE[0]}")/registry.bash"
need_cmd skopeo podman runc jq
offline_init
write_chain "$T/spec"
start_registry plain
skopeo_flags=(--src-tls-verify=false --dest-tls-verify=false)

# --- build --push, then a re-push --------------------------------------------------------------
run_pare out rc build "$T/spec/app.yaml" --arch amd64,arm64 -o "$T/app" --cache-dir "$T/cache" \
  --push "$REG/team/app" --json
assert_eq 0 "$rc" "build --push ($out)"
pushed="$(jq -c '[.pushed[] | {reference, digest}]' <<<"$out")"
# Every tag the build made: app:latest and app:nonroot (indexes) and one per architecture.
assert_eq 6 "$(jq length <<<"$pushed")" "six tags pushed"
for v in latest nonroot; do
  want="$(layout_digest "$T/app" "app:$v")"
  got="$(jq -r --arg r "$REG/team/app:$v" '.[] | select(.reference == $r) | .digest' <<<"$pushed")"
  assert_eq "$want" "$got" "--json digest of app:$v"
  assert_eq "$want" "$(skopeo inspect --raw --tls-verify=false "docker://$REG/team/app:$v" |
    sha256sum | sed 's/ .*//; s/^/sha256:/')" "skopeo reads app:$v pushed by pare"
done
assert_eq "application/vnd.oci.image.index.v1+json" \
  "$(skopeo inspect --raw --tls-verify=false "docker://$REG/team/app:latest" | jq -r .mediaType)" \
  "two architectures push as an index"
# The build's SBOMs went along, as referrers of each architecture's image.
run_pare out rc referrers "docker://$REG/team/app:nonroot-arm64" --json
assert_eq 0 "$rc" "referrers of a pushed image ($out)"
assert_eq "application/spdx+json application/vnd.cyclonedx+json" \
  "$(jq -r '[.referrers[].artifact_type] | sort | join(" ")' <<<"$out")" "its SPDX and CycloneDX SBOMs"
sbom_artifact="$(jq -r '.referrers[] | select(.artifact_type == "application/spdx+json") | .digest' <<<"$out")"
run_pare out rc manifest "docker://$REG/team/app@$sbom_artifact"
assert_eq "$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "app:nonroot-arm64") | .digest' "$T/app/index.json")" \
  "$(jq -r .subject.digest <<<"$out")" "the SBOM's subject is that image"
# The index of a multi-architecture tag has SBOMs of its own, beside the output and as referrers.
index_doc="$T/app.sbom/app_latest.spdx.json"
[[ -f "$index_doc" && -f "$T/app.sbom/app_latest.cdx.json" ]] || fail "no index SBOM: $(ls "$T/app.sbom")"
index_digest="$(layout_digest "$T/app" app:latest)"
assert_eq "$index_digest" "$(jq -r '.packages[0].versionInfo' "$index_doc")" "the index SBOM names the index"
assert_eq "$(jq -r '[.manifests[].digest] | sort | join(" ")' "$(blob_path "$T/app" "$index_digest")")" \
  "$(jq -r '[.packages[1:][].versionInfo] | sort | join(" ")' "$index_doc")" "and the images it holds"
assert_eq 2 "$(jq '[.relationships[] | select(.relationshipType == "CONTAINS")] | length' "$index_doc")" \
  "the index CONTAINS both images"
run_pare out rc referrers "docker://$REG/team/app:latest" --json
assert_eq "application/spdx+json application/vnd.cyclonedx+json" \
  "$(jq -r '[.referrers[].artifact_type] | sort | join(" ")' <<<"$out")" "the index's SBOMs as its referrers"
uploads="$(upload_requests)"
[[ "$uploads" -gt 0 ]] || fail "the registry logged no uploads for the first push"
run_pare out rc push "oci:$T/app" "$REG/team/app" --json
assert_eq 0 "$rc" "re-push ($out)"
assert_eq 0 "$(jq '[.pushed[].blobs_uploaded] | add' <<<"$out")" "re-push uploads no blob"
assert_eq "$uploads" "$(upload_requests)" "the registry saw no upload request on the re-push"

# --- a mount between repositories ---------------------------------------------------------------
run_pare out rc copy "docker://$REG/team/app:latest" "docker://$REG/other/app:copied" --json
assert_eq 0 "$rc" "copy between repositories ($out)"
[[ "$(mount_requests)" -gt 0 ]] || fail "no ?mount= request for a copy within the registry"
assert_eq "$uploads" "$(upload_requests)" "mounted blobs are not uploaded"
assert_eq "$(layout_digest "$T/app" app:latest)" "$(jq -r '.pushed[0].digest' <<<"$out")" \
  "a copy keeps the digest"

# --- pull: by tag, by digest, one platform ------------------------------------------------------
run_pare out rc pull "docker://$REG/team/app:nonroot" "oci:$T/pulled"
assert_eq 0 "$rc" "pull by tag ($out)"
assert_eq "$(layout_digest "$T/app" app:nonroot)" "$(layout_digest "$T/pulled" app:nonroot)" \
  "pulled index digest"
index="$(layout_digest "$T/app" app:latest)"
arm="$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' \
  "$(blob_path "$T/app" "$index")")"
run_pare out rc pull "docker://$REG/team/app@$index" "oci:$T/pulled:by-digest" --platform linux/arm64
assert_eq 0 "$rc" "pull by digest, one platform ($out)"
assert_eq "$arm" "$(layout_digest "$T/pulled" by-digest)" "--platform linux/arm64 picks arm64"
assert_eq "$(layout_digest "$T/app" app:nonroot)" "$(layout_digest "$T/pulled" app:nonroot)" \
  "pulling into a layout keeps its other tags"
skopeo inspect "oci:$T/pulled:by-digest" >/dev/null || fail "skopeo cannot read what pare pulled"
run_pare out rc pull "docker://$REG/team/app:latest" "oci:$T/x" --platform linux/s390x
assert_eq 2 "$rc" "a platform the index lacks"
assert_contains "$out" "linux/arm64" "the error lists the platforms there are"

# --- skopeo pushes, pare reads ------------------------------------------------------------------
skopeo copy -q "${skopeo_flags[@]}" "oci:$T/app:app:nonroot" "docker://$REG/by-skopeo/app:nonroot"
run_pare out rc copy "docker://$REG/by-skopeo/app:nonroot" "oci:$T/from-skopeo:app"
assert_eq 0 "$rc" "pare reads what skopeo pushed ($out)"
assert_eq "$(skopeo inspect --raw --tls-verify=false "docker://$REG/by-skopeo/app:nonroot" |
  sha256sum | sed 's/ .*//; s/^/sha256:/')" "$(layout_digest "$T/from-skopeo" app)" \
  "the digest skopeo pushed is the digest pare pulled"

# --- archives as destinations and sources -------------------------------------------------------
run_pare out rc copy "docker://$REG/team/app:nonroot" "oci-archive:$T/app.oci.tar:app:nonroot"
assert_eq 0 "$rc" "copy into an OCI archive ($out)"
assert_eq "$(layout_digest "$T/app" app:nonroot)" \
  "$(skopeo inspect --raw "oci-archive:$T/app.oci.tar:app:nonroot" | sha256sum | sed 's/ .*//; s/^/sha256:/')" \
  "the archive keeps the index digest"
run_pare out rc copy "docker://$REG/team/app:nonroot" "docker-archive:$T/app.docker.tar"
assert_eq 2 "$rc" "an index into a docker-archive ($out)"
assert_contains "$out" "--platform" "says how"
[[ ! -e "$T/app.docker.tar" ]] || fail "a refused docker-archive copy left a file"
run_pare out rc copy "docker://$REG/team/app:nonroot" "docker-archive:$T/app.docker.tar:app:v1" \
  --platform linux/amd64
assert_eq 0 "$rc" "one platform into a docker-archive ($out)"
skopeo inspect "docker-archive:$T/app.docker.tar" >/dev/null || fail "skopeo cannot read the docker-archive"
run_pare out rc copy "docker-archive:$T/app.docker.tar" "docker://$REG/from-archive/app:v1" --json
assert_eq 0 "$rc" "a docker-archive to the registry ($out)"

# --- podman runs what the registry holds --------------------------------------------------------
pare_podman pull -q --tls-verify=false "docker://$REG/team/app:latest" >/dev/null ||
  fail "podman cannot pull what pare pushed"
assert_eq "hello from pare fixture" "$(podman_output "$REG/team/app:latest")" "the pushed image runs"

# --- a blob changed on the registry's disk ------------------------------------------------------
layer="$(manifest_of "$T/app" app:nonroot 2>/dev/null | jq -r '.layers[-1].digest' 2>/dev/null ||
  true)"
if [[ -z "$layer" || "$layer" == null ]]; then # an index: take the amd64 manifest's top layer
  amd="$(jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest' \
    "$(blob_path "$T/app" "$(layout_digest "$T/app" app:nonroot)")")"
  layer="$(jq -r '.layers[-1].digest' "$(blob_path "$T/app" "$amd")")"
fi
data="$REG_DIR/data/docker/registry/v2/blobs/sha256/${layer:7:2}/${layer#sha256:}/data"
[[ -f "$data" ]] || fail "no registry blob file at $data"
printf 'X' | dd of="$data" bs=1 seek=100 conv=notrunc status=none
run_pare out rc pull "docker://$REG/team/app:nonroot" "oci:$T/damaged" --platform linux/amd64
assert_eq 5 "$rc" "a changed blob is an integrity error ($out)"
assert_contains "$out" "$layer" "the error names the blob"
[[ ! -e "$T/damaged" ]] || fail "a failed pull left $T/damaged behind"
[[ -z "$(find "$T" -maxdepth 1 -name '.pare-tmp*' -print -quit)" ]] || fail "staging left behind"

# --- an artifact referring to an image ----------------------------------------------------------
echo '{"spdxVersion":"SPDX-2.3"}' >"$T/sbom.spdx.json"
run_pare out rc attach "docker://$REG/team/app:latest" "$T/sbom.spdx.json" \
  --artifact-type application/spdx+json --json
assert_eq 0 "$rc" "attach ($out)"
artifact="$(jq -r .digest <<<"$out")"
run_pare out rc referrers "docker://$REG/team/app:latest" --json
assert_eq 0 "$rc" "referrers ($out)"
assert_contains "$(jq -r '.referrers[].digest' <<<"$out")" "$artifact" "listed through the fallback tag"
assert_eq "application/spdx+json" \
  "$(jq -r --arg d "$artifact" '.referrers[] | select(.digest == $d) | .artifact_type' <<<"$out")" "its type"
fallback="sha256-${index#sha256:}"
assert_contains "$("$PARE" tags "docker://$REG/team/app")" "$fallback" "the tag-schema index"
assert_contains "$(skopeo inspect --raw --tls-verify=false "docker://$REG/team/app:$fallback" |
  jq -r '.manifests[].digest')" "$artifact" "skopeo reads the referrers index"
# Besides the attached document: the build's index SBOMs, one of each type.
run_pare out rc referrers "docker://$REG/team/app:latest" --artifact-type application/vnd.cyclonedx+json --json
assert_eq 1 "$(jq '.referrers | length' <<<"$out")" "--artifact-type filters"
assert_not_contains "$(jq -r '.referrers[].digest' <<<"$out")" "$artifact" "the SPDX one is filtered out"

# --- errors a user can act on -------------------------------------------------------------------
run_pare out rc manifest "docker://$REG/team/app:no-such-tag"
assert_eq 2 "$rc" "unknown tag ($out)"
assert_contains "$out" "no such manifest" "unknown tag message"
run_pare out rc tags "docker://$REG/nobody/here"
assert_eq 2 "$rc" "unknown repository ($out)"
run_pare out rc push "oci:$T/app" "Bad/Name"
assert_eq 2 "$rc" "bad reference ($out)"
assert_contains "$out" "lowercase" "what is wrong in it"
stop_registry
run_pare out rc push "oci:$T/app" "$REG/team/app"
assert_eq 4 "$rc" "registry unreachable ($out)"
assert_contains "$out" "unreachable" "unreachable message"
echo "PASS"
