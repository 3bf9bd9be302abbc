#!/usr/bin/env bash
# lab endpoint podman-5-rootless: lab/endpoints/podman-5-rootless.sh up|down|status (called by lab/up.sh,
# down.sh, status.sh). up: idempotent; on failure, exit non-zero with one line on stderr saying why.
#
# Podman 5 rootless, as Podman 5 has it by default: netavark + aardvark-dns in the rootless network
# namespace, pasta (passt) as its way out and for published ports. Run by the lab's user ($LAB_USER,
# same uid as on this host, subuids 300000-365535) on a VCH-like host of its own (lab/vch.sh):
# network namespace vch-podman-5-rootless with eth0 at 198.51.100.13, where pasta opens the ports
# published with -p. No container network: an unprivileged engine cannot put a macvlan on eth0.
#   socket   unix:///run/netconform/podman-5-rootless/podman.sock (folder owned by the user)
#   storage  /var/lib/netconform/vch/podman-5-rootless/storage (the user's home inside the VCH)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
# shellcheck source=lab/vch.sh
. "$here/vch.sh"
vch_endpoint podman-5-rootless

up() {
  vch_prepare rootless
  vch_podman_conf "$VCH_DIR/upper"
  vch_up_engine "Podman 5 rootless (as $LAB_USER, VCH $ADDRESS)" vch_start_rootless PODMAN_IGNORE_CGROUPSV1_WARNING=1 \
    podman system service --time=0 unix:///run/netconform-api/podman.sock
}

endpoint_main "$@"
