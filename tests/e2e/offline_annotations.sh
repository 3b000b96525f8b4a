# labels: offline
# The manifest annotations of #10 (build/annotations.h), against the fixture repository, with a
# spec that lives in a real git checkout:
#   - created (SOURCE_DATE_EPOCH), title, and source/url/revision from the checkout: the origin
#     URL made public (its credentials appear nowhere in the output), the commit `git
#     rev-parse HEAD` names; on every manifest and on the index of a multi-arch tag;
#   - the spec's own annotations win; `version:` as a literal and from a package, with env;
#   - a version naming no installed package fails at its line;
#   - --no-git-annotations: two clones with different remotes build the same digests, which
#     differ from the annotated build's.
# shellcheck shell=bash source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/offline_common.bash"
need_cmd git jq
offline_init
export SOURCE_DATE_EPOCH=86400
repo="$T/repo"
[[ -n "$T" && -d "$T" ]] || fail "no test directory"
write_chain "$repo/spec"
cat >"$repo/spec/versioned.yaml" <<EOF
from: app.yaml
name: versioned
archs: [amd64, arm64]
version: {package: hello, env: HELLO_VERSION}
annotations: {org.opencontainers.image.url: "https://docs.example/app", com.example.team: platform}
EOF
printf 'from: app.yaml\nname: literal\nversion: "2.5.0-rc1"\n' >"$repo/spec/literal.yaml"
printf 'from: app.yaml\nname: missing\nversion: {package: [no-such-pkg, nor-this]}\n' >"$repo/spec/missing.yaml"
git_() { git -C "$1" -c user.name=t -c user.email=t@t "${@:2}"; }
git_ "$repo" init -q -b main
git_ "$repo" add -A
git_ "$repo" commit -q -m spec
git_ "$repo" remote add origin "https://ci-user:s3cret-token@git.example/team/app.git"
head="$(git -C "$repo" rev-parse HEAD)"

build() { "$PARE" build "$@" --cache-dir "$T/cache" -q; }
build "$repo/spec/app.yaml" "$repo/spec/versioned.yaml" "$repo/spec/literal.yaml" -o "$T/out" ||
  fail "build in the checkout failed"
ann() { manifest_of "$T/out" "$1" | jq -c '.annotations'; }
a="$(ann app:latest)"
echo "app:latest annotations: $a"
assert_eq "1970-01-02T00:00:00Z" "$(jq -r '.["org.opencontainers.image.created"]' <<<"$a")" "created"
assert_eq "app" "$(jq -r '.["org.opencontainers.image.title"]' <<<"$a")" "title"
assert_eq "https://git.example/team/app" "$(jq -r '.["org.opencontainers.image.source"]' <<<"$a")" "source without credentials"
assert_eq "https://git.example/team/app" "$(jq -r '.["org.opencontainers.image.url"]' <<<"$a")" "url"
assert_eq "$head" "$(jq -r '.["org.opencontainers.image.revision"]' <<<"$a")" "revision = git rev-parse HEAD"
assert_eq "null" "$(jq -r '.["org.opencontainers.image.version"]' <<<"$a")" "no version unless the spec sets one"
if grep -rq "s3cret-token" "$T/out"; then fail "the remote's credentials are in the output"; fi

# versioned: a multi-arch index; version from the package, env, the spec's annotations win.
index="$(cat "$(blob_path "$T/out" "$(layout_digest "$T/out" versioned:latest)")")"
assert_eq "application/vnd.oci.image.index.v1+json" "$(jq -r .mediaType <<<"$index")" "versioned:latest is an index"
assert_eq "$head" "$(jq -r '.annotations["org.opencontainers.image.revision"]' <<<"$index")" "the index carries the annotations"
resolved="$("$PARE" resolve "$repo/spec/versioned.yaml" --cache-dir "$T/cache" --json)"
hello_deb="$(jq -r '.archs[0].packages[] | select(.name == "hello") | .version' <<<"$resolved")"
hello_up="${hello_deb#*:}"
hello_up="${hello_up%-*}"
[[ -n "$hello_up" ]] || fail "resolve gave no version for hello"
for arch in amd64 arm64; do
  m="$(manifest_of "$T/out" "versioned:latest-$arch")"
  assert_eq "$hello_up" "$(jq -r '.annotations["org.opencontainers.image.version"]' <<<"$m")" "versioned ($arch): version = hello's upstream version"
  assert_eq "https://docs.example/app" "$(jq -r '.annotations["org.opencontainers.image.url"]' <<<"$m")" "versioned ($arch): the spec's url wins"
  assert_eq "https://git.example/team/app" "$(jq -r '.annotations["org.opencontainers.image.source"]' <<<"$m")" "versioned ($arch): source from git"
  assert_eq "platform" "$(jq -r '.annotations["com.example.team"]' <<<"$m")" "versioned ($arch): the spec's own key"
  cfg="$(cat "$(blob_path "$T/out" "$(jq -r .config.digest <<<"$m")")")"
  assert_contains "$(jq -r '.config.Env[]' <<<"$cfg")" "HELLO_VERSION=$hello_up" "versioned ($arch): HELLO_VERSION in the config"
done
assert_eq "2.5.0-rc1" "$(ann literal:latest | jq -r '.["org.opencontainers.image.version"]')" "a literal version"

run_pare out rc build "$repo/spec/missing.yaml" -o "$T/missing" --cache-dir "$T/cache" -q
assert_ne 0 "$rc" "a version naming no installed package fails"
assert_contains "$out" "$repo/spec/missing.yaml:3:10: version: the image (amd64) installs none of no-such-pkg, nor-this" "the error names the line"
assert_no_file "$T/missing" "nothing written for the failed build"

# --no-git-annotations: clones with different remotes give the same bytes.
git clone -q "$repo" "$T/clone1"
git clone -q "$repo" "$T/clone2"
git -C "$T/clone2" remote set-url origin "git@git.example:fork/app.git"
build "$T/clone1/spec/app.yaml" -o "$T/c1" --no-git-annotations || fail "clone1 build"
build "$T/clone2/spec/app.yaml" -o "$T/c2" --no-git-annotations || fail "clone2 build"
assert_eq "$(layout_digest "$T/c1" app:latest)" "$(layout_digest "$T/c2" app:latest)" "--no-git-annotations: clones build the same image"
assert_eq "null" "$(manifest_of "$T/c1" app:latest | jq -r '.annotations["org.opencontainers.image.revision"]')" "--no-git-annotations: no revision"
assert_ne "$(layout_digest "$T/c1" app:latest)" "$(layout_digest "$T/out" app:latest)" "the annotated image differs"
build "$T/clone2/spec/app.yaml" -o "$T/c2a" || fail "clone2 annotated build"
assert_eq "https://git.example/fork/app" "$(manifest_of "$T/c2a" app:latest | jq -r '.annotations["org.opencontainers.image.source"]')" "scp-like remote made https"
echo "offline_annotations: ok"
