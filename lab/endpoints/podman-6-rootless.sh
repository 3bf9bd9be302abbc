#!/usr/bin/env bash
# lab endpoint podman-6-rootless: lab/endpoints/podman-6-rootless.sh up|down|status (called by lab/up.sh,
# down.sh, status.sh). up: idempotent; on failure, exit non-zero with one line on stderr saying why.
#
# Podman 6 rootless (Debian experimental's podman 6.1, netavark 2.0 + aardvark-dns in the rootless network
# namespace, pasta: Podman 6 has no slirp4netns), run by the lab's user on a VCH-like host of its own over
# the next root, with the cgroup v2 hierarchy alone (vch_endpoint ... next): network namespace
# vch-podman-6-rootless with eth0 at 198.51.100.100, where pasta opens the ports published with -p.
# No container network: an unprivileged engine cannot put a macvlan on eth0.
#   socket   unix:///run/netconform/podman-6-rootless/podman.sock (folder owned by the user)
#   storage  /var/lib/netconform/vch/podman-6-rootless/storage (the user's home inside the VCH)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
# shellcheck source=lab/vch.sh
. "$here/vch.sh"
vch_endpoint podman-6-rootless next

up() {
  vch_prepare rootless
  vch_podman_conf "$VCH_DIR/upper"
  vch_up_engine "Podman 6 rootless (as $LAB_USER, VCH $ADDRESS)" vch_start_rootless \
    podman system service --time=0 unix:///run/netconform-api/podman.sock
}

endpoint_main "$@"
