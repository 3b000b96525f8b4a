# labels: network podman
# The multi-stage workflow README documents (#10), built by podman itself from
# examples/containerfile/Containerfile: the build stage runs on python3:debug through busybox's
# shell and makes a virtual environment, the final stage is python3:nonroot and runs it as
# uid 65532 with no shell in it. The two things the docs say are needed are shown to be:
# without SHELL, or without --format docker, the build fails at its first RUN.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
need_pare
need_network
need_cmd podman
rt_init "${1:-bookworm}"
CF="$PARE_SOURCE_DIR/examples/containerfile"
rt_build "$EX/python3.yaml" --variant debug,nonroot -o "$T/python3"

podman_build() { # podman_build CONTAINERFILE TAG [ARGS...]
  local file="$1" tag="$2"
  shift 2
  pare_podman build --network=none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
    --build-arg "BASE=oci:$T/python3:python3" -f "$file" -t "$tag" "$@" "$CF"
}

podman_build "$CF/Containerfile" localhost/pare-cf:ok --format docker >"$T/build.log" 2>&1 ||
  { cat "$T/build.log"; fail "podman build of examples/containerfile failed"; }
out="$(pare_podman_run localhost/pare-cf:ok 2>&1)" || true
rt_check assert_eq "hello from /opt/venv as uid 65532" "$out" "the final stage runs the app as nonroot"
out="$(pare_podman_run --entrypoint /busybox/sh localhost/pare-cf:ok -c true 2>&1)" && rt_check fail "the final image has a shell"
rt_check assert_contains "$out" "/busybox/sh" "the final image has no /busybox/sh (podman: $out)"
user="$(pare_podman image inspect localhost/pare-cf:ok --format '{{.Config.User}}')"
rt_check assert_eq "65532" "$user" "the final image keeps nonroot's user"

# Without --format docker: podman warns that OCI has no SHELL and RUN looks for /bin/sh.
if podman_build "$CF/Containerfile" localhost/pare-cf:oci >"$T/oci.log" 2>&1; then
  rt_check fail "the build succeeded in the OCI format; README says it needs --format docker"
else
  rt_check assert_contains "$(cat "$T/oci.log")" "/bin/sh" "OCI format: RUN fails for want of /bin/sh"
fi
# Without SHELL: the same failure even with --format docker.
grep -v '^SHELL ' "$CF/Containerfile" >"$T/NoShell"
if podman_build "$T/NoShell" localhost/pare-cf:noshell --format docker >"$T/noshell.log" 2>&1; then
  rt_check fail "the build succeeded without SHELL"
else
  rt_check assert_contains "$(cat "$T/noshell.log")" "/bin/sh" "no SHELL: RUN fails for want of /bin/sh"
fi
rt_done "network_containerfile ($SUITE)"
