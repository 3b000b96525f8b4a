# shellcheck shell=bash
# dockerd.bash — a private Docker daemon for one e2e test (Debian's docker.io): its own data
# and exec roots under the test's directory, a socket there, no iptables rules and no bridge
# (containers use --network none or another container's network), vfs storage. Stopped, and
# its containerd with it, when the test exits. Source after lib.sh.
#
#   start_dockerd   sets and exports DOCKER_HOST; returns 1, printing why, when it cannot run

start_dockerd() {
  command -v dockerd >/dev/null || { echo "dockerd.bash: no dockerd (Debian package docker.io)"; return 1; }
  command -v docker >/dev/null || { echo "dockerd.bash: no docker client"; return 1; }
  DOCKERD_DIR="$PARE_TEST_TMP/dockerd"
  mkdir -p "$DOCKERD_DIR"
  dockerd --data-root "$DOCKERD_DIR/root" --exec-root "$DOCKERD_DIR/exec" \
    --host "unix://$DOCKERD_DIR/docker.sock" --pidfile "$DOCKERD_DIR/docker.pid" \
    --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
    >"$DOCKERD_DIR/log" 2>&1 &
  DOCKERD_PID=$!
  on_exit stop_dockerd
  export DOCKER_HOST="unix://$DOCKERD_DIR/docker.sock"
  local _
  for _ in $(seq 150); do
    docker version >/dev/null 2>&1 && return 0
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.2
  done
  echo "dockerd.bash: the daemon did not start:"
  tail -5 "$DOCKERD_DIR/log"
  return 1
}

stop_dockerd() {
  [[ -n "${DOCKERD_PID:-}" ]] || return 0
  docker ps -aq 2>/dev/null | xargs -r docker rm -f >/dev/null 2>&1 || true
  kill "$DOCKERD_PID" 2>/dev/null || true
  local _
  for _ in $(seq 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$DOCKERD_PID" 2>/dev/null || true
  DOCKERD_PID=
}
