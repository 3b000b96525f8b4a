# labels: network docker
# pare debug against a real Docker daemon (a private dockerd, tests/e2e/dockerd.bash): the same
# attach as under podman (network_debug.sh) through docker's CLI. A python3:nonroot container
# is the target: the toolbox sees its process, its files and its loopback as its user;
# --chroot reads its /etc; nothing is left behind, also when the target stops mid-session;
# `debug --image` runs an image with busybox added. Skipped (77) where dockerd cannot run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
source "$(dirname "${BASH_SOURCE[0]}")/debug.bash"
source "$(dirname "${BASH_SOURCE[0]}")/dockerd.bash"
need_pare
need_network
need_cmd python3 dockerd docker
rt_init bookworm
start_dockerd >"$T/dockerd-why" || skip "no Docker daemon here: $(cat "$T/dockerd-why")"
export PARE_CACHE_DIR="$CACHE"
dbg() { "$PARE" debug -q --engine docker "$@" 2>&1; }
toolboxes() { docker ps -a --filter name=pare-debug --format '{{.Names}}'; }

rt_build "$EX/python3.yaml" --variant nonroot --format docker-archive -o "$T/py.tar"
docker load -q -i "$T/py.tar" >/dev/null
start_target() {
  docker run -d --name target --network none python3:nonroot -c '
import http.server, os, socketserver
os.chdir("/tmp"); open("served.txt", "w").write("from-the-target\n")
socketserver.TCPServer(("127.0.0.1", 8080), http.server.SimpleHTTPRequestHandler).serve_forever()' >/dev/null
  sleep 1
}
start_target
image_before="$(docker inspect -f '{{.Image}}' target)"
diff_before="$(docker diff target | sort)"

rt_check assert_contains "$(dbg target -- ps)" "http.server" "ps shows the target's python"
rt_check assert_eq "65532" "$(dbg target -- id -u)" "the target's user"
rt_check assert_contains "$(dbg target -- cat /proc/1/root/etc/os-release)" "Debian GNU/Linux 12" "the target's files"
rt_check assert_eq "from-the-target" "$(dbg target -- wget -qO- http://127.0.0.1:8080/served.txt)" "the target's loopback"
rt_check assert_contains "$(dbg --chroot target -- cat /etc/os-release)" "Debian GNU/Linux 12" "--chroot"
rt_check assert_eq "no-busybox" "$(dbg --chroot target -- sh -c '[ -e /busybox ] || echo no-busybox')" "--chroot root"
code=0; dbg target -- sh -c 'exit 5' >/dev/null || code=$?
rt_check assert_eq 5 "$code" "the command's exit code"
rt_check assert_eq "$image_before" "$(docker inspect -f '{{.Image}}' target)" "the target's image"
rt_check assert_eq "$diff_before" "$(docker diff target | sort)" "the target's filesystem changes"
rt_check assert_eq "" "$(toolboxes)" "toolbox containers left"
rt_check assert_contains "$("$PARE" debug -q --engine docker --image "docker-archive:$T/py.tar" -- python3 -c 'print("py-in-debug")' 2>&1)" \
  "py-in-debug" "debug --image"
rt_check assert_eq "" "$(docker images --format '{{.Repository}}' | grep pare-debug-image || true)" "--image's image removed"
rt_check assert_contains "$(dbg nope -- true || true)" "no container 'nope' in docker" "no such container"

debug_stop_mid_session docker target

rt_done "network_debug_docker"
