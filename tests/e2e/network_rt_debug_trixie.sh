# labels: network podman
# The debug-variant checks for trixie (see network_rt_debug.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/network_rt_debug.sh" trixie
