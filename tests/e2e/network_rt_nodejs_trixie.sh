# labels: network podman
# The nodejs runtime checks for trixie (see network_rt_nodejs.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/network_rt_nodejs.sh" trixie
