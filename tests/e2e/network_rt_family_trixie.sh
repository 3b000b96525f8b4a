# labels: network podman
# The whole-family checks for trixie (see network_rt_family.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/network_rt_family.sh" trixie
