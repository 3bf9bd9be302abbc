#!/usr/bin/env bash
# lab endpoint docker-28-rootless: lab/endpoints/docker-28-rootless.sh up|down|status (called by lab/up.sh,
# down.sh, status.sh). up: idempotent; on failure, exit non-zero with one line on stderr saying why.
#
# Docker Engine 28 rootless (sid's contrib/dockerd-rootless.sh: rootlesskit 2, slirp4netns, the
# builtin port driver), run by the lab's user ($LAB_USER) on a VCH-like host of its own (lab/vch.sh):
# network namespace vch-docker-28-rootless with eth0 at 198.51.100.14, where rootlesskit opens the
# ports published with -p. No container network: an unprivileged engine cannot put a macvlan on eth0.
#   socket   unix:///run/netconform/docker-28-rootless/docker.sock (folder owned by the user)
#   storage  /var/lib/netconform/vch/docker-28-rootless/storage (the user's home inside the VCH)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
# shellcheck source=lab/vch.sh
. "$here/vch.sh"
vch_endpoint docker-28-rootless

up() {
  vch_prepare rootless
  vch_up_engine "Docker Engine 28 rootless (as $LAB_USER, VCH $ADDRESS)" vch_start_rootless \
    DOCKERD_ROOTLESS_ROOTLESSKIT_NET=slirp4netns DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=builtin \
    /usr/share/docker.io/contrib/dockerd-rootless.sh --host unix:///run/netconform-api/docker.sock \
    --data-root "$HOME_IN_VCH/data" --default-address-pool base=172.16.0.0/12,size=16
}

endpoint_main "$@"
