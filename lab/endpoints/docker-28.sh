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

NAME=docker-28
ENDPOINT=${LAB_ENDPOINT[$NAME]}
ADDRESS=${LAB_VCH_ADDRESS[$NAME]}
# One address pool of /16s, as the Debian 12 engine has (lab/up.sh says why); inside the VCH's own
# namespace, so its bridges collide with nothing of this host's.
POOL=base=172.16.0.0/12,size=16

up() {
  [ "$(id -u)" = 0 ] || die "$NAME up must run as root"
  mkdir -p "$LAB_RUN" "$LAB_LOG"
  vch_check_kernel
  ensure_sid_root
  vch_network "$NAME" "$ADDRESS"
  if answers "$ENDPOINT"; then
    say "$NAME already answers on $ENDPOINT"
  else
    alive "$LAB_RUN/$NAME.pid" || vch_start "$NAME" /var/lib/docker \
      dockerd --host unix:///run/netconform-api/docker.sock --default-address-pool "$POOL"
    vch_wait "$NAME" "$ENDPOINT" "Docker Engine 28 (VCH $ADDRESS)"
  fi
  lab_network "$NAME" netconform-external -d macvlan --subnet "$LAB_SUBNET" --ip-range "${LAB_VCH_RANGE[$NAME]}" \
    --gateway "$LAB_GATEWAY" -o parent=eth0
}

down() {
  [ "$(id -u)" = 0 ] || die "$NAME down must run as root"
  vch_stop "$NAME" "$ENDPOINT"
}

status() { vch_status "$NAME" "$ENDPOINT" "$ADDRESS"; }

endpoint_main "$@"
