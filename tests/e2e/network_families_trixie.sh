# labels: network podman
# shellcheck shell=bash
# The distroless families for Debian 13 "trixie": see network_families.bash.
exec bash "$(dirname "${BASH_SOURCE[0]}")/network_families.bash" trixie
