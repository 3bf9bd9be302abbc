#!/usr/bin/env bash
# lab endpoint podman-6: lab/endpoints/podman-6.sh up|down|status (called by lab/up.sh, down.sh, status.sh).
# up: idempotent; on failure, exit non-zero with one line on stderr saying why.
#
# Podman 6 (Debian experimental's podman 6.1 with netavark 2.0, runc; aardvark-dns from sid) as a Docker
# API service on a VCH-like host of its own (lab/vch.sh), over the next root: network namespace vch-podman-6
# with eth0 at 198.51.100.15 on the lab segment; the container network netconform-external is a macvlan
# on that eth0 (198.51.100.112/28), and netconform-dhcp a macvlan whose addresses come from the lab's DHCP
# server through netavark's own DHCP proxy, which runs in the VCH beside the service. Podman 6 refuses a
# cgroup v1 or hybrid host: the VCH sees the cgroup v2 hierarchy alone (vch_endpoint ... next).
#   socket   unix:///run/netconform/podman-6/podman.sock     storage  /var/lib/netconform/vch/podman-6/storage
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
# shellcheck source=lab/vch.sh
. "$here/vch.sh"
vch_endpoint podman-6 next

up() {
  vch_prepare
  vch_podman_conf "$VCH_DIR/upper"
  vch_up_engine "Podman 6 (VCH $ADDRESS)" vch_start "$NAME" /var/lib/containers \
    podman system service --time=0 unix:///run/netconform-api/podman.sock
  vch_podman_networks
}

endpoint_main "$@"
