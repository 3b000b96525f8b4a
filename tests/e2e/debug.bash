# shellcheck shell=bash
# debug.bash — checks shared by the pare debug e2e tests (podman: network_debug.sh, docker:
# network_debug_docker.sh). Source after lib.sh and lib_runtimes.sh; the caller defines
# `dbg ARGS...` (pare debug with its engine) and `toolboxes` (the names of pare-debug-*
# containers left in the engine).

# debug_stop_mid_session ENGINE TARGET — a session runs `sleep 300` in TARGET's toolbox; the
# engine stops TARGET meanwhile: pare returns, no toolbox is left, and a new session is refused
# with "is not running".
debug_stop_mid_session() {
  local engine="$1" target="$2" session _
  "$PARE" debug -q --engine "$engine" "$target" -- sleep 300 >/dev/null 2>&1 &
  session=$!
  for _ in $(seq 100); do [[ -n "$(toolboxes)" ]] && break; sleep 0.1; done
  rt_check assert_ne "" "$(toolboxes)" "the toolbox runs"
  "$engine" stop -t 1 "$target" >/dev/null
  for _ in $(seq 150); do kill -0 "$session" 2>/dev/null || break; sleep 0.1; done
  rt_check assert_eq "gone" "$(kill -0 "$session" 2>/dev/null && echo running || echo gone)" "pare ends with the target"
  wait "$session" 2>/dev/null || true
  rt_check assert_eq "" "$(toolboxes)" "toolbox left after the target stopped"
  rt_check assert_contains "$(dbg "$target" -- true || true)" "is not running (exited)" "a stopped container"
}
