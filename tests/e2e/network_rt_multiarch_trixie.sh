# labels: network podman
# The multi-arch checks for trixie (see network_rt_multiarch.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/network_rt_multiarch.sh" trixie
