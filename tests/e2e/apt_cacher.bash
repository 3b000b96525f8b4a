# shellcheck shell=bash
# apt_cacher.bash — Debian's apt-cacher-ng for one e2e test, on 127.0.0.1 with a private
# configuration, cache and logs under the test's directory; stopped when the test exits.
# Source after lib.sh.
#
#   start_apt_cacher   sets ACNG (127.0.0.1:PORT), ACNG_DIR (its cache) and ACNG_LOG (its
#                      transfer log); its Debian backend is the host's mirror (host_mirror)
#
# apt-cacher-ng keeps its port in a signed 16-bit field: a port above 32767 fails with
# "Error resolving address for binding", so the port is picked below that.

start_apt_cacher() {
  command -v apt-cacher-ng >/dev/null || { echo "apt_cacher.bash: no apt-cacher-ng"; return 1; }
  local d="$PARE_TEST_TMP/acng" uri port
  mkdir -p "$d/cache" "$d/log"
  cp -r /etc/apt-cacher-ng "$d/conf"
  read -r uri _ <<<"$(host_mirror)"
  echo "${uri%/}/" >"$d/conf/backends_debian"
  port="$(python3 -c '
import random, socket
for _ in range(200):
    p = random.randint(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()')"
  apt-cacher-ng -c "$d/conf" ForeGround=1 BindAddress=127.0.0.1 "Port=$port" "CacheDir=$d/cache" \
    "LogDir=$d/log" "PidFile=$d/pid" "SocketPath=$d/socket" >"$d/out" 2>&1 &
  ACNG_PID=$!
  on_exit "kill $ACNG_PID"
  ACNG="127.0.0.1:$port" ACNG_DIR="$d/cache" ACNG_LOG="$d/log/apt-cacher.log"
  local _
  for _ in $(seq 100); do
    (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    kill -0 "$ACNG_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "apt_cacher.bash: apt-cacher-ng did not start: $(cat "$d/out")"
  return 1
}

# acng_debs — how many .deb transfers to clients apt-cacher-ng has logged ("O" lines).
acng_debs() { grep -c '|O|[0-9]*|[^|]*|.*\.deb$' "$ACNG_LOG" 2>/dev/null || true; }
