# labels: network podman
# pare debug, add-debug and shell against real podman (#15). A python3:nonroot container
# serving HTTP on its own loopback is the target: pare debug joins its namespaces as its user
# and sees its process, files (/proc/1/root) and socket; --chroot gives a shell rooted in its
# filesystem; the target is unchanged afterwards and no toolbox container is left, also when
# the target stops mid-session. add-debug on an image umoci made keeps every original layer byte
# for byte and its busybox layer is the layer of pare's own debug variant; pare shell opens a
# spec's image read-only; an interactive session is driven through tmux; the kubectl debug
# command is printed, pushed for (a real registry on 127.0.0.1) and run (a kubectl stand-in).
# Errors: no such container, a stopped one, no engine. Docker: network_debug_docker.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
source "$(dirname "${BASH_SOURCE[0]}")/debug.bash"
source "$(dirname "${BASH_SOURCE[0]}")/registry.bash"
need_pare
need_network
need_cmd podman skopeo umoci python3 tmux jq
rt_init bookworm

# pare runs whatever `podman` is first on PATH: this one uses the test's own storage.
BIN="$T/bin"
mkdir -p "$BIN"
cat >"$BIN/podman" <<WRAP
#!/bin/bash
flags=(--storage-driver=vfs --cgroup-manager=cgroupfs --runtime runc --root "$PARE_TEST_TMP/p/root"
       --runroot "$PARE_TEST_TMP/p/rr" --tmpdir "$PARE_TEST_TMP/p/tmp")
if [[ "\${1:-}" == run ]]; then
  shift
  exec $(command -v podman) "\${flags[@]}" run --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "\$@"
fi
exec $(command -v podman) "\${flags[@]}" "\$@"
WRAP
chmod +x "$BIN/podman"
export PATH="$BIN:$PATH"
export PARE_CACHE_DIR="$CACHE"
mkdir -p "$PARE_TEST_TMP/p"
on_exit "podman rm -af -t 0"
toolboxes() { podman ps -a --filter name=pare-debug --format '{{.Names}}'; }
dbg() { "$PARE" debug -q "$@" 2>&1; }

rt_build "$EX/python3.yaml" --variant nonroot,debug -o "$T/out"
podman pull -q "oci:$T/out:python3:nonroot" >/dev/null
img="$(podman images --format '{{.Id}}' | head -1)"
start_target() {
  podman run -d --name t --network none "$img" -c '
import http.server, os, socketserver
os.chdir("/tmp"); open("served.txt", "w").write("from-the-target\n")
socketserver.TCPServer(("127.0.0.1", 8080), http.server.SimpleHTTPRequestHandler).serve_forever()' >/dev/null
  for _ in $(seq 50); do
    [[ "$(podman inspect -f '{{.State.Running}}' t)" == true ]] && return 0
    sleep 0.1
  done
  fail "the target did not start"
}
start_target
sleep 1
before_diff="$(podman diff t | sort)"

# Its processes (the toolbox is in its PID namespace), as its user, with its files.
rt_check assert_contains "$(dbg t -- ps)" "http.server" "ps shows the target's python"
rt_check assert_eq "65532" "$(dbg t -- id -u)" "the toolbox runs as the target's user"
rt_check assert_contains "$(dbg t -- cat /proc/1/root/etc/os-release)" "Debian GNU/Linux 12" "the target's files"
rt_check assert_eq "from-the-target" "$(dbg t -- wget -qO- http://127.0.0.1:8080/served.txt)" "the target's socket on its loopback"
rt_check assert_eq "0" "$(dbg --user 0 t -- id -u)" "--user"
# A command's words reach it unchanged (no shell in between), and its exit code comes back.
rt_check assert_eq "a b|\$HOME|'q'" "$(dbg t -- printf '%s|' 'a b' '$HOME' "'q'" | sed 's/|$//')" "argument words"
code=0; dbg t -- sh -c 'exit 7' >/dev/null || code=$?
rt_check assert_eq 7 "$code" "the command's exit code"

# --chroot: the target's filesystem as / (no /busybox there), the toolbox's programs, as root.
rt_check assert_contains "$(dbg --chroot t -- cat /etc/os-release)" "Debian GNU/Linux 12" "--chroot reads the target's /etc"
rt_check assert_eq "no-busybox" "$(dbg --chroot t -- sh -c '[ -e /busybox ] || echo no-busybox')" "--chroot root is the target's"
rt_check assert_eq "/usr/bin/python3" "$(dbg --chroot t -- sh -c 'ls /usr/bin/python3')" "--chroot sees the target's programs"
rt_check assert_contains "$(dbg --chroot --user 1000 t -- true || true)" "--chroot runs as root" "--chroot with another user"
# The helper process --chroot starts does not outlive the session (it is in the target's PIDs).
rt_check assert_not_contains "$(dbg t -- ps)" "2147483647" "--chroot's helper process is gone"

# The target is as it was; no toolbox container is left.
rt_check assert_eq true "$(podman inspect -f '{{.State.Running}}' t)" "the target still runs"
rt_check assert_eq "$img" "$(podman inspect -f '{{.Image}}' t)" "the target's image"
rt_check assert_eq "$before_diff" "$(podman diff t | sort)" "the target's filesystem changes"
rt_check assert_eq "" "$(toolboxes)" "toolbox containers left"

# An interactive session through a terminal (tmux): a prompt, a command, exit.
tmux kill-session -t pare-debug-e2e 2>/dev/null || true
on_exit "tmux kill-session -t pare-debug-e2e"
tmux new-session -d -s pare-debug-e2e -x 120 -y 30 \
  "PATH='$PATH' PARE_CACHE_DIR='$CACHE' '$PARE' debug -q t; echo session-ended; sleep 30"
pane() { tmux capture-pane -p -t pare-debug-e2e; }
wait_pane() { # wait_pane TEXT — until the pane shows TEXT (30 s)
  for _ in $(seq 300); do pane | grep -qF -- "$1" && return 0; sleep 0.1; done
  pane >&2
  return 1
}
rt_check wait_pane '/ $'  # busybox's prompt for a non-root user (trailing space trimmed)
tmux send-keys -t pare-debug-e2e 'echo sum-$((6*7)); ls /proc/1/root/tmp' Enter
rt_check wait_pane "sum-42"
rt_check wait_pane "served.txt"
tmux send-keys -t pare-debug-e2e 'exit' Enter
rt_check wait_pane "session-ended"
rt_check assert_eq "" "$(toolboxes)" "toolbox left after the interactive session"
# Ctrl-C in a session reaches the command in the toolbox; pare returns and removes it.
tmux kill-session -t pare-debug-e2e
tmux new-session -d -s pare-debug-e2e -x 120 -y 30 \
  "PATH='$PATH' PARE_CACHE_DIR='$CACHE' '$PARE' debug -q t -- sleep 300; echo ctrl-c-ended; sleep 30"
for _ in $(seq 100); do [[ -n "$(toolboxes)" ]] && break; sleep 0.1; done
sleep 1
tmux send-keys -t pare-debug-e2e C-c
rt_check wait_pane "ctrl-c-ended"
rt_check assert_eq "" "$(toolboxes)" "toolbox left after Ctrl-C"
tmux kill-session -t pare-debug-e2e

# The image's shell: any image with busybox added, run; the spec's image, read-only.
rt_check assert_contains "$("$PARE" debug -q --image "oci:$T/out:python3:nonroot" -- python3 -c 'print("py-in-debug")' 2>&1)" \
  "py-in-debug" "debug --image runs the image's own programs"
rt_check assert_contains "$("$PARE" shell -q "$EX/base.yaml" -- ls / 2>&1)" "busybox" "pare shell lists /"
rt_check assert_contains "$("$PARE" shell -q "$EX/base.yaml" -- touch /x 2>&1 || true)" "Read-only file system" "pare shell is read-only"
rt_check assert_eq "" "$(podman images --format '{{.Repository}}' | grep -E 'pare-debug-image' || true)" "shell images removed"

# add-debug: an image pare did not make (umoci), every original layer kept byte for byte.
U="$T/umoci"
umoci init --layout "$U"
umoci new --image "$U:app"
umoci unpack --image "$U:app" "$T/bundle" >/dev/null
echo "made-by-umoci" >"$T/bundle/rootfs/hello.txt"
umoci repack --image "$U:app" "$T/bundle"
umoci config --image "$U:app" --config.entrypoint /nonexistent --config.env PATH=/usr/bin
"$PARE" add-debug -q "oci:$U:app" -o "$T/dbg" --json >"$T/add.json" || fail "add-debug"
orig="$(skopeo inspect "oci:$U:app" | jq -c .Layers)"
rt_check assert_eq "$orig" "$(skopeo inspect "oci:$T/dbg:app-debug" | jq -c '.Layers[:-1]')" "add-debug keeps the layers"
rt_check assert_eq "$(jq -r '.images[0].busybox_layer' "$T/add.json")" \
  "$(skopeo inspect "oci:$T/dbg:app-debug" | jq -r '.Layers[-1]')" "--json names the busybox layer"
rt_check assert_eq "made-by-umoci" "$(pare_podman_run -q "oci:$T/dbg:app-debug" -c 'cat /hello.txt' 2>&1)" "add-debug's shell runs"
rt_check assert_eq "PATH=/usr/bin:/busybox" "$(skopeo inspect --config "oci:$T/dbg:app-debug" | jq -r '.config.Env[0]')" "add-debug PATH"
umoci unpack --image "$T/dbg:app-debug" "$T/unpacked" >/dev/null || fail "umoci unpacks add-debug's output"
assert_file "$T/unpacked/rootfs/busybox/sh"
# Its busybox layer is the one pare's own debug variant of the same suite has.
debug_layers="$(skopeo inspect "oci:$T/out:python3:debug" | jq -r '.Layers[]')"
rt_check assert_contains "$debug_layers" "$(jq -r '.images[0].busybox_layer' "$T/add.json")" "the same busybox layer"
rt_check assert_contains "$("$PARE" add-debug "oci:$T/dbg:app-debug" -o "$T/dbg2" 2>&1 || true)" "already has" "add-debug twice"
# A docker-archive with Docker's media types: its new layer gets Docker's type too.
skopeo copy -q --format v2s2 "oci:$U:app" "docker-archive:$T/app.tar:app:1" >/dev/null
"$PARE" add-debug -q "docker-archive:$T/app.tar" -o "$T/app-debug.tar" --format docker-archive || fail "add-debug docker-archive"
rt_check assert_eq "made-by-umoci" "$(pare_podman_run -q "docker-archive:$T/app-debug.tar" -c 'cat /hello.txt' 2>&1)" "docker-archive add-debug runs"

# kubectl: the command printed, the toolbox pushed for the cluster, and run (a stand-in kubectl).
start_registry plain
out="$("$PARE" debug --kubectl web-1 -c app -n shop --push "$REG/tools/pare-toolbox" -q)" || fail "kubectl --push"
ref="$(grep -o -- "--image=[^ ]*" <<<"$out" | cut -d= -f2)"
rt_check assert_contains "$out" "kubectl debug -n shop -it web-1 --image=$REG/tools/pare-toolbox@sha256:" "the kubectl command"
rt_check assert_contains "$out" "--target=app --profile=general -- sh" "the kubectl command's target"
rt_check assert_contains "$(skopeo inspect --tls-verify=false --config "docker://$ref" | jq -c .config.Entrypoint)" '"/busybox/sh"' "the pushed toolbox"
cat >"$BIN/kubectl" <<'K'
#!/bin/sh
printf '%s\n' "$@" >"$KUBECTL_LOG"
K
chmod +x "$BIN/kubectl"
KUBECTL_LOG="$T/kubectl.log" "$PARE" debug --kubectl web-1 -c app --toolbox "$ref" --run -q -- ls /proc/1/root ||
  fail "kubectl --run"
rt_check assert_eq "$(printf '%s\n' debug -i web-1 "--image=$ref" --target=app --profile=general -- sh -c 'exec "$@"' sh ls /proc/1/root)" \
  "$(cat "$T/kubectl.log")" "kubectl --run's arguments"

# Errors say what is wrong.
rt_check assert_contains "$(dbg nope -- true || true)" "no container 'nope'" "no such container"
code=0; dbg nope -- true >/dev/null || code=$?
rt_check assert_ne 0 "$code" "no such container exits non-zero"
rt_check assert_contains "$(PATH=/usr/bin/nonexistent "$PARE" debug -q t 2>&1 || true)" "neither podman nor docker" "no engine"

# The target stops in the middle of a session: pare returns and removes its toolbox.
debug_stop_mid_session podman t

rt_done "network_debug"
