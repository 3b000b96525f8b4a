# labels: network podman
# Multi-arch against the real archive, for the suite $1 (default bookworm;
# network_rt_multiarch_trixie.sh passes trixie): cc (latest and debug) for amd64 and arm64 in one
# layout. The tag names an image index listing both platforms, and <tag>-<arch> names each image
# (the same manifests the index lists); the arm64 image holds aarch64 ELF files and arm64 package
# metadata. When qemu-user can be enabled (enable_qemu_arm64), the arm64 images run: busybox's
# uname and the arm64 glibc's dynamic loader.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
need_pare
need_network
need_cmd podman skopeo umoci file python3
rt_init "${1:-bookworm}"

rt_build "$EX/cc.yaml" --arch amd64,arm64 --variant latest,debug -o "$T/cc"
L="$T/cc"

# --- the layout: index, per-arch tags ----------------------------------------------------------
tags="$(rt_json 'sorted(m["annotations"]["org.opencontainers.image.ref.name"] for m in j["manifests"])' <"$L/index.json")"
rt_check assert_eq "$(printf '%s\n' cc:debug cc:debug-amd64 cc:debug-arm64 cc:latest cc:latest-amd64 cc:latest-arm64)" \
  "$tags" "tags in the layout"
for variant in latest debug; do
  raw="$(skopeo inspect --raw "oci:$L:cc:$variant")"
  rt_check assert_eq "application/vnd.oci.image.index.v1+json" "$(rt_json 'j["mediaType"]' <<<"$raw")" "cc:$variant is an index"
  rt_check assert_eq "$(printf '%s\n' linux/amd64 linux/arm64)" \
    "$(rt_json 'sorted(m["platform"]["os"] + "/" + m["platform"]["architecture"] for m in j["manifests"])' <<<"$raw")" \
    "cc:$variant platforms"
  for arch in amd64 arm64; do
    # <tag>-<arch> names the very manifest the index lists for that platform.
    in_index="$(rt_json "[m['digest'] for m in j['manifests'] if m['platform']['architecture'] == '$arch']" <<<"$raw")"
    tagged="$(rt_json "[m['digest'] for m in j['manifests'] if m['annotations']['org.opencontainers.image.ref.name'] == 'cc:$variant-$arch']" <"$L/index.json")"
    rt_check assert_eq "$in_index" "$tagged" "cc:$variant-$arch is the index's $arch manifest"
    cfg="$(skopeo inspect --config "oci:$L:cc:$variant-$arch")"
    rt_check assert_eq "linux/$arch" "$(rt_json 'j["os"] + "/" + j["architecture"]' <<<"$cfg")" "cc:$variant-$arch config platform"
  done
done

# --- the files: aarch64 in the arm64 image, x86-64 in the amd64 one ---------------------------
libdir() { # the directory holding libc.so.6: /usr/lib on trixie (merged /usr), /lib on bookworm
  if [[ "$SUITE" == trixie ]]; then echo "usr/lib/$1"; else echo "lib/$1"; fi
}
for arch in arm64 amd64; do
  case "$arch" in arm64) triplet=aarch64-linux-gnu elf="ARM aarch64" ;; amd64) triplet=x86_64-linux-gnu elf="x86-64" ;; esac
  umoci unpack --image "$L:cc:latest-$arch" "$T/u-$arch" >/dev/null
  root="$T/u-$arch/rootfs"
  for f in "$(libdir "$triplet")/libc.so.6" "usr/lib/$triplet/libstdc++.so.6" "usr/lib/$triplet/libgomp.so.1"; do
    if [[ -e "$root/$f" ]]; then
      rt_check assert_contains "$(file -L "$root/$f")" "ELF 64-bit LSB shared object, $elf" "$arch /$f"
    else
      rt_check fail "$arch image has no /$f"
    fi
  done
  rt_check assert_contains "$(cat "$root/var/lib/dpkg/status.d/libc6" 2>&1)" "Architecture: $arch" "$arch libc6 status.d"
done

# --- run arm64 under qemu-user, when it can be enabled -------------------------------------------
if enable_qemu_arm64; then
  run() { pare_podman_run -q "$@" 2>&1; }
  rt_check assert_eq "aarch64" "$(run --arch arm64 --entrypoint /busybox/uname "oci:$L:cc:debug-arm64" -m)" "uname -m in cc:debug-arm64"
  # Through the index: podman picks the platform asked for.
  rt_check assert_eq "aarch64" "$(run --arch arm64 --entrypoint /busybox/uname "oci:$L:cc:debug" -m)" "cc:debug index, arm64"
  rt_check assert_eq "x86_64" "$(run --arch amd64 --entrypoint /busybox/uname "oci:$L:cc:debug" -m)" "cc:debug index, amd64"
  # The arm64 glibc itself runs (its dynamic loader, started directly).
  out="$(run --arch arm64 --entrypoint /lib/ld-linux-aarch64.so.1 "oci:$L:cc:latest-arm64" --version | head -n1)"
  rt_check assert_contains "$out" "GLIBC" "arm64 dynamic loader runs: '$out'"
else
  echo "note: qemu-user for aarch64 cannot be enabled here: the arm64 images were checked statically only"
fi

rt_done "network_rt_multiarch ($SUITE)"
