# labels: network podman
# shellcheck shell=bash
# The distroless families for Debian 13 "trixie": see network_families.sh.
exec bash "$(dirname "${BASH_SOURCE[0]}")/network_families.sh" trixie
