#!/usr/bin/env bash
# setup.sh — quick start: install dependencies, build pare, build the example "base" image
# and show that it is a real OCI image with distroless conventions.
#
#   bash scripts/setup.sh            # needs the host's Debian mirror (from its apt sources)
#
# Prints each step. The image lands in out/base (an OCI layout, tags "base:latest" and "base:nonroot").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

step() { printf '\n==> %s\n' "$*"; }

step "installing build and test dependencies (scripts/deps.sh)"
bash scripts/deps.sh

step "building pare (scripts/build.sh)"
bash scripts/build.sh "$root/build"

# ---------------------------------------------------------------------------------------------
# Image build and check. Written against the planned CLI:
#   pare build SPEC -o OUT      -> OCI image layout in OUT, tagged "<name>:<variant>"
# The base image has no shell, so it is checked from the outside: skopeo reads the layout,
# umoci unpacks it, and the passwd file must carry distroless' users.
# ---------------------------------------------------------------------------------------------
image="out/base"
tag="${PARE_SETUP_TAG:-base:latest}"

step "building examples/base.yaml into $image"
rm -rf "$image"
mkdir -p out
./build/pare build examples/base.yaml -o "$image"

step "inspecting oci:$image:$tag with skopeo"
skopeo inspect --config "oci:$image:$tag" | head -n 40

step "unpacking with umoci and reading /etc/passwd"
unpacked="$(mktemp -d)"
trap 'rm -rf "$unpacked"' EXIT
umoci unpack --image "$image:$tag" "$unpacked/bundle" >/dev/null
cat "$unpacked/bundle/rootfs/etc/passwd"
grep -q '^nonroot:x:65532:65532:' "$unpacked/bundle/rootfs/etc/passwd" ||
  { echo "setup.sh: the image has no nonroot user" >&2; exit 1; }

step "done: $image is an OCI layout; run a program image with"
echo "  podman --storage-driver=vfs --cgroup-manager=cgroupfs --runtime runc run --rm oci:$image:$tag"
