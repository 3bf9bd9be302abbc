#!/usr/bin/env bash
# lab endpoint docker-28: lab/endpoints/docker-28.sh up|down|status (called by lab/up.sh, down.sh, status.sh).
# up: idempotent; on failure, exit non-zero with one line on stderr saying why.
#
# Docker Engine 28 (Debian sid's docker.io, with its containerd 2 and runc) on a VCH-like host of its
# own (lab/vch.sh): network namespace vch-docker-28 with eth0 at 198.51.100.11 on the lab segment, so
# ports published with -p answer there; its iptables/nftables rules are that namespace's; the
# container network netconform-external is a macvlan on that eth0 (range 198.51.100.16/28).
#   socket   unix:///run/netconform/docker-28/docker.sock     storage  /var/lib/netconform/vch/docker-28/storage
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
# shellcheck source=lab/vch.sh
. "$here/vch.sh"
vch_endpoint docker-28

up() {
  vch_prepare
  # One address pool of /16s, as the Debian 12 engine has (lab/up.sh says why); inside the VCH's own
  # namespace, so its bridges collide with nothing of this host's. live-restore: the containers keep
  # running while the engine is stopped or upgraded, as a VCH that promises zero-impact upgrades does
  # (the Debian 12 engine, target docker, runs at Docker's default, without it).
  vch_up_engine "Docker Engine 28 (VCH $ADDRESS)" vch_start "$NAME" /var/lib/docker \
    dockerd --host unix:///run/netconform-api/docker.sock --default-address-pool base=172.16.0.0/12,size=16 \
    --live-restore
  lab_network "$NAME" netconform-external -d macvlan --subnet "$LAB_SUBNET" --ip-range "${LAB_VCH_RANGE[$NAME]}" \
    --gateway "$LAB_GATEWAY" -o parent=eth0
}

endpoint_main "$@"
