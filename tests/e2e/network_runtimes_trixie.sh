# labels: network podman
# The runtime images for trixie (see network_runtimes.sh).
exec bash "$(dirname "${BASH_SOURCE[0]}")/network_runtimes.sh" trixie
