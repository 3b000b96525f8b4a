# labels: network podman
# The python3 runtime checks for trixie (see network_rt_python3.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/network_rt_python3.sh" trixie
