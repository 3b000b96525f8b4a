# labels: network podman
# The network core checks for trixie (see network_core.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/network_core.sh" trixie
