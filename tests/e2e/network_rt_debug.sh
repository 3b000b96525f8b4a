# labels: network podman
# Debug variants against the real archive, for the suite $1 (default bookworm;
# network_rt_debug_trixie.sh passes trixie): base and python3 with all four variants. debug and
# debug-nonroot have a busybox shell (/busybox/sh works, uid 0 / 65532, /busybox on PATH, the
# entrypoint /busybox/sh when the spec sets none, applets by name); latest and nonroot have no
# shell at all (/bin/sh, /usr/bin/sh, /busybox absent, checked in podman and in the file tree).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
need_pare
need_network
need_cmd podman skopeo umoci python3
rt_init "${1:-bookworm}"

rt_build "$EX/base.yaml" "$EX/python3.yaml" --variant latest,nonroot,debug,debug-nonroot -o "$T/out"
run() { pare_podman_run -q "$@" 2>&1; }

for name in base python3; do
  for variant in debug debug-nonroot; do
    img="oci:$T/out:$name:$variant"
    uid=0
    [[ "$variant" == debug-nonroot ]] && uid=65532
    rt_check assert_eq "ok" "$(run --entrypoint /busybox/sh "$img" -c 'echo ok')" "$name:$variant /busybox/sh -c"
    # The uid, and applets by name through PATH, which ends with /busybox.
    # shellcheck disable=SC2016 # $PATH is expanded by the shell in the image
    out="$(run --entrypoint /busybox/sh "$img" -c 'id -u; echo "$PATH"; ls -d /etc; which wget')"
    rt_check assert_eq "$(printf '%s\n' "$uid" '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/busybox' \
      /etc /busybox/wget)" "$out" "$name:$variant uid, PATH and applets"
    env="$(skopeo inspect --config "$img" | rt_json 'j["config"]["Env"]')"
    rt_check assert_contains "$env" ":/busybox" "$name:$variant PATH in the config"
  done
done
# base sets no entrypoint: its debug variants start the shell (arguments go to it).
rt_check assert_eq '["/busybox/sh"]' \
  "$(skopeo inspect --config "oci:$T/out:base:debug" | rt_json 'json.dumps(j["config"]["Entrypoint"])')" "base:debug entrypoint"
rt_check assert_eq "from-entrypoint" "$(run "oci:$T/out:base:debug-nonroot" -c 'echo from-entrypoint')" "base:debug-nonroot default entrypoint"
# python3 keeps its interpreter as the entrypoint in debug.
rt_check assert_eq '["/usr/bin/python3"]' \
  "$(skopeo inspect --config "oci:$T/out:python3:debug" | rt_json 'json.dumps(j["config"]["Entrypoint"])')" "python3:debug entrypoint"
rt_check assert_eq "65532" "$(run "oci:$T/out:python3:debug-nonroot" -c 'import os; print(os.getuid())')" "python3:debug-nonroot runs python as 65532"

for name in base python3; do
  for variant in latest nonroot; do
    img="oci:$T/out:$name:$variant"
    for sh in /bin/sh /busybox/sh; do  # and /usr/bin/sh: absent from the tree, below
      out="$(run --entrypoint "$sh" "$img" -c 'echo shell-ran')" || true
      rt_check assert_not_contains "$out" "shell-ran" "$name:$variant must not run $sh"
    done
    env="$(skopeo inspect --config "$img" | rt_json 'j["config"]["Env"]')"
    rt_check assert_not_contains "$env" "busybox" "$name:$variant PATH"
    umoci unpack --image "$T/out:$name:$variant" "$T/u-$name-$variant" >/dev/null
    root="$T/u-$name-$variant/rootfs"
    for p in bin/sh usr/bin/sh busybox bin/bash usr/bin/bash bin/dash usr/bin/dash bin/busybox usr/bin/busybox; do
      rt_check assert_no_file "$root/$p" "$name:$variant /$p"
    done
    # No shell under any name, anywhere: no file called sh, ash, bash, dash or busybox.
    found="$(find "$root" \( -name sh -o -name ash -o -name bash -o -name dash -o -name busybox \) -print | sed "s|^$root||")"
    rt_check assert_eq "" "$found" "$name:$variant shells in the tree"
  done
done
# python3's nonroot variant really is nonroot.
rt_check assert_eq "65532" "$(run "oci:$T/out:python3:nonroot" -c 'import os; print(os.getuid())')" "python3:nonroot uid"

rt_done "network_rt_debug ($SUITE)"
