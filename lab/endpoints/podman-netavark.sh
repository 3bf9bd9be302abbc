#!/usr/bin/env bash
# lab endpoint podman-netavark: lab/endpoints/podman-netavark.sh up|down|status (called by lab/up.sh, down.sh, status.sh).
# up: idempotent; on failure, exit non-zero with one line on stderr saying why.
#
# A second Podman 4.3 Docker API service, root, with the netavark network backend and aardvark-dns,
# beside the lab's CNI Podman and never sharing its state: its own storage (--root, --runroot), its
# own containers.conf (CONTAINERS_CONF, which Podman then reads instead of /usr/share/containers and
# /etc/containers), its own tmp_dir, network_config_dir and file locks (not the SHM lock segment
# /dev/shm/libpod_lock that every root Podman with lock_type "shm" shares), and address pools of
# its own (10.90.0.0/16 default network, /24s of 10.91.0.0/16 for new ones; lab/lib.sh
# LAB_CONTAINER_POOLS). Like the other engines it runs in a mount namespace whose
# /etc/resolv.conf names only the lab DNS (aardvark-dns forwards to what that file names).
# Debian's netavark 1.4 has no DHCP proxy (no `netavark dhcp-proxy`), so this endpoint has no
# DHCP network.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"

NAME=podman-netavark
ENDPOINT=${LAB_ENDPOINT[$NAME]}
SOCK=${ENDPOINT#unix://}
RUN_DIR=$(dirname "$SOCK")                  # /run/podman-netavark
ROOT=/var/lib/netconform/$NAME              # --root (graphroot); the libpod database lives in it too
RUNROOT=$RUN_DIR/storage                    # --runroot
TMP_DIR=$RUN_DIR/libpod                     # exits, events, file locks, the "alive" sentinel
NET_DIR=$ROOT/networks                      # netavark's network configs (rootful default: /etc/containers/networks)
CONF_DIR=/etc/netconform/$NAME
CONF=$CONF_DIR/containers.conf
PIDFILE=$LAB_RUN/$NAME.pid
LOG=$LAB_LOG/$NAME.log
DEFAULT_SUBNET=10.90.0.0/16
SUBNET_POOL=10.91.0.0/16
RANGE=198.51.100.224/28                     # on the lab segment; Docker has .128/26, the CNI Podman .192/27
# Rootful netavark keeps its IPAM database and aardvark-dns's config here (fixed in Podman 4.3).
AARDVARK_PIDFILE=/run/containers/networks/aardvark-dns/aardvark.pid

# backend: the network backend the service on $ENDPOINT reports (libpod API), or nothing.
backend() {
  curl -s --max-time 5 --unix-socket "$SOCK" http://d/v4.0.0/libpod/info 2>/dev/null \
    | jq -r '.host.networkBackend // empty' 2>/dev/null || true
}

write_conf() {
  mkdir -p "$CONF_DIR"
  cat >"$CONF.tmp" <<EOF
# written by netconform lab/endpoints/$NAME.sh: the containers.conf of the lab's netavark Podman only
# (CONTAINERS_CONF). Podman reads this file instead of /usr/share/containers/containers.conf and
# /etc/containers/containers.conf, so Debian's defaults from the former are repeated here
# (capabilities without NET_RAW, ping_group_range "0 0"): the same container defaults as the lab's
# CNI Podman, only the network backend differs.
[containers]
default_ulimits = []
default_capabilities = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT"
]
default_sysctls = [
  "net.ipv4.ping_group_range=0 0",
]
[network]
network_backend = "netavark"
network_config_dir = "$NET_DIR"
default_subnet = "$DEFAULT_SUBNET"
default_subnet_pools = [
  {"base" = "$SUBNET_POOL", "size" = 24},
]
[engine]
tmp_dir = "$TMP_DIR"
lock_type = "file"
EOF
  mv "$CONF.tmp" "$CONF"
}

up() {
  [ "$(id -u)" = 0 ] || die "$NAME: up must run as root"
  mkdir -p "$LAB_RUN" "$LAB_LOG"
  ensure_packages podman netavark aardvark-dns conmon curl jq
  [ -x /usr/lib/podman/netavark ] || die "$NAME: /usr/lib/podman/netavark is missing (package netavark)"
  [ -x /usr/lib/podman/aardvark-dns ] || die "$NAME: /usr/lib/podman/aardvark-dns is missing (package aardvark-dns)"
  [ -s "$LAB_RUN/resolv.conf" ] || die "$NAME: $LAB_RUN/resolv.conf is missing: run lab/up.sh first (the lab DNS and segment)"
  ip link show "$LAB_BRIDGE" >/dev/null 2>&1 || die "$NAME: the lab segment $LAB_BRIDGE is missing: run lab/up.sh first"

  # Packets to this engine's pools never follow the default route off this machine (as lab/up.sh
  # does for every pool in LAB_CONTAINER_POOLS; repeated here for an endpoint started on its own).
  ip route replace unreachable "$DEFAULT_SUBNET" metric 4242
  ip route replace unreachable "$SUBNET_POOL" metric 4242

  write_conf
  if answers "$ENDPOINT"; then
    local b; b=$(backend)
    [ "$b" = netavark ] || die "$NAME: something else answers on $ENDPOINT (network backend '${b:-unknown}', not netavark)"
    say "$NAME already answers on $ENDPOINT"
  else
    if alive "$PIDFILE"; then
      die "$NAME: pid $(cat "$PIDFILE") runs but does not answer on $ENDPOINT; see $LOG (lab/endpoints/$NAME.sh down, then up)"
    fi
    mkdir -p "$ROOT" "$NET_DIR" "$RUNROOT" "$TMP_DIR"
    rm -f "$SOCK"
    start_in_lab_mountns "$NAME" env CONTAINERS_CONF="$CONF" podman \
      --root "$ROOT" --runroot "$RUNROOT" --tmpdir "$TMP_DIR" --network-config-dir "$NET_DIR" \
      --network-backend netavark system service --time=0 "$ENDPOINT"
    wait_for "$ENDPOINT" "$NAME" "$LOG"
    local b; b=$(backend)
    [ "$b" = netavark ] || die "$NAME: the service on $ENDPOINT reports network backend '${b:-unknown}', not netavark"
  fi

  lab_network "$NAME" netconform-external -d macvlan --subnet "$LAB_SUBNET" --ip-range "$RANGE" \
    --gateway "$LAB_GATEWAY" -o parent="$LAB_BRIDGE"
}

down() {
  if alive "$PIDFILE"; then
    local pid mntns apid
    pid=$(cat "$PIDFILE")
    mntns=$(readlink "/proc/$pid/ns/mnt" 2>/dev/null || true)
    kill -TERM "$pid" 2>/dev/null || true
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    say "stopped $NAME"
    # The aardvark-dns this service's netavark started (same mount namespace), if it still runs.
    if [ -n "$mntns" ] && [ -s "$AARDVARK_PIDFILE" ]; then
      apid=$(cat "$AARDVARK_PIDFILE")
      if [ "$(readlink "/proc/$apid/ns/mnt" 2>/dev/null)" = "$mntns" ] \
        && [ "$(cat "/proc/$apid/comm" 2>/dev/null)" = aardvark-dns ]; then
        kill -TERM "$apid" 2>/dev/null && say "stopped $NAME's aardvark-dns"
      fi
    fi
  fi
  rm -f "$PIDFILE"
  stop_holder "$NAME"
}

status() {
  if alive "$PIDFILE"; then
    if answers "$ENDPOINT"; then
      echo "runs (pid $(cat "$PIDFILE")), network backend $(backend), storage $ROOT"
    else
      echo "pid $(cat "$PIDFILE") runs but does not answer on $ENDPOINT; see $LOG"
    fi
  else
    echo "not running (lab/endpoints/$NAME.sh up starts it)"
  fi
}

endpoint_main "$@"
