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

NAME=docker-28-rootless
ENDPOINT=${LAB_ENDPOINT[$NAME]}
ADDRESS=${LAB_VCH_ADDRESS[$NAME]}
HOME_IN_VCH=/home/$LAB_USER
POOL=base=172.16.0.0/12,size=16

up() {
  [ "$(id -u)" = 0 ] || die "$NAME up must run as root"
  mkdir -p "$LAB_RUN" "$LAB_LOG"
  [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] \
    || die "user namespaces are off (/proc/sys/user/max_user_namespaces is 0): rootless Docker cannot run"
  [ -c /dev/net/tun ] || die "/dev/net/tun is missing: slirp4netns cannot give rootless Docker a network"
  vch_check_kernel
  ensure_sid_root
  ensure_lab_user
  vch_network "$NAME" "$ADDRESS"
  vch_vars "$NAME"
  vch_lab_user "$VCH_DIR/upper" "$HOME_IN_VCH"
  mkdir -p "$VCH_DIR/storage" "$LAB_RUN/$NAME"
  chown "$LAB_USER:" "$VCH_DIR/storage" "$LAB_RUN/$NAME"
  chmod 755 "$LAB_RUN/$NAME"
  if answers "$ENDPOINT"; then
    say "$NAME already answers on $ENDPOINT"
    return 0
  fi
  alive "$LAB_RUN/$NAME.pid" || vch_start "$NAME" "$HOME_IN_VCH" bash -c '
      uid=$(id -u "$1"); mkdir -p "/run/user/$uid"; chown "$1:" "/run/user/$uid"; chmod 700 "/run/user/$uid"
      exec runuser -u "$1" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$2" USER="$1" \
        XDG_RUNTIME_DIR="/run/user/$uid" DOCKERD_ROOTLESS_ROOTLESSKIT_NET=slirp4netns \
        DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=builtin \
        /usr/share/docker.io/contrib/dockerd-rootless.sh --host unix:///run/netconform-api/docker.sock \
        --data-root "$2/data" --default-address-pool "$3"' bash "$LAB_USER" "$HOME_IN_VCH" "$POOL"
  vch_wait "$NAME" "$ENDPOINT" "Docker Engine 28 rootless (as $LAB_USER, VCH $ADDRESS)"
}

down() {
  [ "$(id -u)" = 0 ] || die "$NAME down must run as root"
  vch_stop "$NAME" "$ENDPOINT"
}

status() { vch_status "$NAME" "$ENDPOINT" "$ADDRESS"; }

endpoint_main "$@"
