#!/usr/bin/env bash
# lab endpoint podman-5: lab/endpoints/podman-5.sh up|down|status (called by lab/up.sh, down.sh, status.sh).
# up: idempotent; on failure, exit non-zero with one line on stderr saying why.
#
# Podman 5 (Debian sid's, netavark + aardvark-dns, runc) as a Docker API service on a VCH-like host
# of its own (lab/vch.sh): network namespace vch-podman-5 with eth0 at 198.51.100.12 on the lab
# segment; the container network netconform-external is a macvlan on that eth0 (198.51.100.32/28), and
# netconform-dhcp a macvlan whose addresses come from the lab's DHCP server (udhcpd in extclient)
# through netavark's own DHCP proxy, which runs in the VCH beside the service.
#   socket   unix:///run/netconform/podman-5/podman.sock     storage  /var/lib/netconform/vch/podman-5/storage
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
# shellcheck source=lab/vch.sh
. "$here/vch.sh"
vch_endpoint podman-5

up() {
  vch_prepare
  vch_podman_conf "$VCH_DIR/upper"
  PODMAN_IGNORE_CGROUPSV1_WARNING=1 vch_up_engine "Podman 5 (VCH $ADDRESS)" vch_start "$NAME" /var/lib/containers \
    podman system service --time=0 unix:///run/netconform-api/podman.sock
  vch_podman_networks
}

endpoint_main "$@"
