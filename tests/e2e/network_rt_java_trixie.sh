# labels: network podman
# The java runtime checks for trixie (see network_rt_java.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/network_rt_java.sh" trixie
