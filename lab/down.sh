#!/usr/bin/env bash
# Stops what lab/up.sh started and removes the lab segment. Engines that lab/up.sh did not
# start (no pid file of ours) are left running.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
[ "$(id -u)" = 0 ] || die "lab down must run as root"

stop() { # stop NAME: TERM the process in $LAB_RUN/NAME.pid, wait up to 20 s
  local pidfile="$LAB_RUN/$1.pid"
  if alive "$pidfile"; then
    local pid; pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null
    local deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    say "stopped $1"
  fi
  rm -f "$pidfile"
}
bash "$here/ssh.sh" down || say "docker-28-ssh: down failed"
for ep in $LAB_MORE_ENDPOINTS; do bash "$here/endpoints/$ep.sh" down || say "$ep: down failed"; done
stop cni-dhcp
stop udhcpd
stop podman
stop docker
stop_holder podman
stop_holder docker
stop dnsmasq
for prefix in $LAB_CONTAINER_POOLS; do ip route del unreachable "$prefix" metric 4242 2>/dev/null || true; done
if ip netns list | grep -qw "$LAB_NETNS"; then ip netns del "$LAB_NETNS"; say "removed netns $LAB_NETNS"; fi
if ip link show "$LAB_HOSTLEG" >/dev/null 2>&1; then ip link del "$LAB_HOSTLEG"; fi
if ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then ip link del "$LAB_BRIDGE"; say "removed bridge $LAB_BRIDGE"; fi
say "down"
