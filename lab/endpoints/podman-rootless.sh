#!/usr/bin/env bash
# lab endpoint podman-rootless: lab/endpoints/podman-rootless.sh up|down|status (called by lab/up.sh, down.sh, status.sh).
# up: idempotent; on failure, exit non-zero with one line on stderr saying why.
#
# Podman 4.3's Docker API service run by the lab's unprivileged user ($LAB_USER, lib.sh), on
# unix:///run/netconform/podman-rootless/podman.sock. Its containers live in that user's user
# namespace (subuids 300000-365535); their networks (netavark bridges, aardvark-dns for names; not
# CNI: see targets/podman-rootless.yaml for what rootless CNI 4.3 does here) live in podman's rootless network namespace behind
# slirp4netns, so the host cannot route to a container's address; published ports are opened on the
# host by podman's rootlessport forwarder, and only from 1024 up (net.ipv4.ip_unprivileged_port_start
# stays as Debian has it). No macvlan: this endpoint offers no container network and no DHCP network.
#
# Measured on this machine's kind (Debian 12, cgroup v1, no systemd, kernel with native rootless
# overlay): the user's containers.conf needs default_ulimits = [] (else "error setting rlimit type 7"),
# cgroupfs and the file events logger (no systemd); /etc/containers/containers.conf (the rootful
# Podman's) applies to rootless users too; the user's own file sets the netavark backend.
# The service runs in the lab's mount namespace (lib.sh start_in_lab_mountns), so the /etc/resolv.conf
# podman and slirp4netns read names only the lab DNS. Rootless podman keeps its user and mount
# namespaces in a "pause" process, which every later podman of the user joins: up makes sure none
# is left from outside the lab's mount namespace before it starts the service.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"

NAME=podman-rootless
ENDPOINT=${LAB_ENDPOINT[$NAME]}
SOCK=${ENDPOINT#unix://}
SOCK_DIR=$(dirname "$SOCK")
PIDFILE=$LAB_RUN/$NAME.pid
LOG=$LAB_LOG/$NAME.log
PACKAGES=(podman slirp4netns uidmap netavark aardvark-dns curl)

# user_conf: the user's own containers.conf and storage.conf (owned by the user, rewritten each up).
user_conf() {
  local dir=$LAB_USER_HOME/.config/containers
  as_lab_user mkdir -p "$dir"
  as_lab_user tee "$dir/containers.conf" >/dev/null <<'EOF'
# written by netconform lab/endpoints/podman-rootless.sh
[containers]
# the default nofile/nproc rlimits are above what an unprivileged user may set
default_ulimits = []
[engine]
# no systemd on the lab machines; cgroup v1 (rootless: no resource limits at all)
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
# netavark + aardvark-dns, as Podman 5 has it (it removes CNI): rootless CNI 4.3 leaves a removed
# network's bridge in the rootless netns while any container runs (see the header)
network_backend = "netavark"
EOF
  # Native overlay in the user namespace (kernel >= 5.13); without this file podman picks vfs.
  as_lab_user tee "$dir/storage.conf" >/dev/null <<'EOF'
# written by netconform lab/endpoints/podman-rootless.sh
[storage]
driver = "overlay"
EOF
}

# leftovers: pids of the lab user's podman processes (the service, its pause process, conmon,
# rootlessport, podman's slirp4netns and dnsname's dnsmasq), never another program's of that user
# (docker-rootless runs as the same user: its slirp4netns is rootlesskit's and names a pid, not a
# netns path). Zombies are left out: nothing can kill them.
leftovers() {
  local uid pid stat exe args
  uid=$(id -u "$LAB_USER" 2>/dev/null) || return 0
  while read -r pid stat; do
    [[ $stat == Z* ]] && continue
    exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
    args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
    case "$exe" in
      /usr/bin/podman | /usr/bin/conmon | /usr/lib/podman/rootlessport | /usr/bin/catatonit) echo "$pid" ;;
      /usr/bin/slirp4netns) [[ $args == *"--netns-type=path $LAB_USER_RUNTIME/netns/"* ]] && echo "$pid" ;;
      /usr/sbin/dnsmasq) [[ $args == *"/containers/cni/dnsname/"* ]] && echo "$pid" ;;
      /usr/lib/podman/aardvark-dns) echo "$pid" ;;
    esac
  done < <(ps -u "$uid" -o pid=,stat= 2>/dev/null)
  return 0
}

# kill_pids SIGNAL PID...: signal each pid; a container's processes (conmon's children) go first.
kill_pids() {
  local sig=$1 pid child; shift
  for pid in "$@"; do
    if [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/bin/conmon ]; then
      for child in $(ps --ppid "$pid" -o pid= 2>/dev/null); do kill "-$sig" "$child" 2>/dev/null || true; done
    fi
    kill "-$sig" "$pid" 2>/dev/null || true
  done
}

# stop_leftovers: TERM the lab user's podman processes, KILL what still runs after 10 s; then drop
# podman's runtime state of the user (what a reboot clears: runroot, tmpdir with the pause pid and
# the rootless netns, the netns files), so the next service starts from a clean slate.
stop_leftovers() {
  local pids deadline
  pids=$(leftovers)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill_pids TERM $pids
    deadline=$((SECONDS + 10))
    while [ -n "$(leftovers)" ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    pids=$(leftovers)
    # shellcheck disable=SC2086
    [ -z "$pids" ] || kill_pids KILL $pids
    say "stopped the leftover podman processes of $LAB_USER"
  fi
  if [ -n "${LAB_USER_RUNTIME:-}" ] && [ -d "$LAB_USER_RUNTIME" ]; then
    rm -rf "$LAB_USER_RUNTIME/containers" "$LAB_USER_RUNTIME/libpod" "$LAB_USER_RUNTIME/netns"
  fi
}

# rootless_info: "rootless=true backend=cni driver=overlay" from the service's libpod info.
rootless_info() {
  local json
  json=$(curl -s -m 5 --unix-socket "$SOCK" http://d/v4.0.0/libpod/info) || return 1
  printf 'rootless=%s backend=%s driver=%s' \
    "$(grep -o '"rootless":[a-z]*' <<<"$json" | head -n 1 | cut -d: -f2)" \
    "$(grep -o '"networkBackend":"[a-z]*"' <<<"$json" | head -n 1 | cut -d'"' -f4)" \
    "$(grep -o '"graphDriverName":"[a-z]*"' <<<"$json" | head -n 1 | cut -d'"' -f4)"
}

up() {
  [ "$(id -u)" = 0 ] || die "$NAME up must run as root (it installs packages and starts the service as $LAB_USER)"
  mkdir -p "$LAB_RUN" "$LAB_LOG"
  ensure_packages "${PACKAGES[@]}"
  [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] \
    || die "user namespaces are off (/proc/sys/user/max_user_namespaces is 0): rootless podman cannot run"
  [ -c /dev/net/tun ] || die "/dev/net/tun is missing: slirp4netns cannot give rootless containers a network"
  [ -u /usr/bin/newuidmap ] || [ -n "$(getcap /usr/bin/newuidmap 2>/dev/null)" ] \
    || die "/usr/bin/newuidmap is neither setuid nor has capabilities: the user namespace cannot map the subuids"
  ensure_lab_user

  if answers "$ENDPOINT"; then
    local running_info
    running_info=$(rootless_info || true)
    if [[ $running_info == "rootless=true backend=netavark"* ]]; then
      say "$NAME already answers on $ENDPOINT"
      return 0
    fi
    say "$NAME answers on $ENDPOINT but not as this lab sets it up ($running_info): restarting it"
    down
  fi
  if alive "$PIDFILE"; then
    wait_for "$ENDPOINT" "$NAME" "$LOG"
    return 0
  fi
  # Nothing of ours serves: whatever podman of the user still runs (a pause process from a CLI call
  # outside the lab's mount namespace, a crashed service's conmon) would be joined or get in the way.
  stop_leftovers
  user_conf
  # A store the lab's user made with another network backend (CNI, before) is reset: the user and
  # everything in its store are the lab's own. A marker says which backend the store was made for
  # (asking podman itself from here would leave a pause process outside the lab's mount namespace).
  local marker=$LAB_USER_HOME/.local/share/containers/netconform-network-backend
  if [ "$(cat "$marker" 2>/dev/null)" != netavark ]; then
    (cd / && as_lab_user podman system reset -f) >>"$LOG" 2>&1 || die "could not reset $LAB_USER's podman store for the netavark backend: see $LOG"
    stop_leftovers
    as_lab_user mkdir -p "$(dirname "$marker")"
    echo netavark | as_lab_user tee "$marker" >/dev/null
    say "reset $LAB_USER's podman store for the netavark backend"
  fi
  mkdir -p "$SOCK_DIR"
  chown "$LAB_USER:" "$SOCK_DIR"
  chmod 755 "$SOCK_DIR"
  rm -f "$SOCK"
  # as_lab_user is a function of lib.sh: the command run in the lab's mount namespace sources it.
  start_in_lab_mountns "$NAME" bash -c '. "$1"; shift; ensure_lab_user >/dev/null; as_lab_user "$@"' \
    bash "$here/lib.sh" podman system service --time=0 "$ENDPOINT"
  wait_for "$ENDPOINT" "Podman (rootless, as $LAB_USER)" "$LOG"
  local info
  info=$(rootless_info) || die "$NAME answers on $ENDPOINT but its libpod info does not (curl failed)"
  [[ $info == "rootless=true backend=netavark"* ]] \
    || die "$NAME answers on $ENDPOINT but is not rootless with the netavark backend ($info)"
  say "$NAME: $info"
}

down() {
  [ "$(id -u)" = 0 ] || die "$NAME down must run as root"
  id -u "$LAB_USER" >/dev/null 2>&1 || { rm -f "$PIDFILE"; return 0; }
  LAB_USER_RUNTIME=/run/user/$(id -u "$LAB_USER")
  # Containers first (a run that was interrupted may have left some): stopped by podman itself.
  if answers "$ENDPOINT"; then
    local running
    running=$(DOCKER_HOST=$ENDPOINT timeout 20 docker ps -q 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$running" ] || DOCKER_HOST=$ENDPOINT timeout 60 docker stop -t 2 $running >/dev/null 2>&1 || true
  fi
  if alive "$PIDFILE"; then
    # The pid is the session and process-group leader setsid made: the group is the mount-namespace
    # shell, runuser and the service, and nothing else.
    local pid deadline
    pid=$(cat "$PIDFILE")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 20))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    say "stopped $NAME"
  fi
  rm -f "$PIDFILE" "$SOCK"
  stop_leftovers
}

status() {
  if answers "$ENDPOINT"; then
    echo "answers on $ENDPOINT as $LAB_USER ($(rootless_info 2>/dev/null || echo 'libpod info unavailable'))"
  elif alive "$PIDFILE"; then
    echo "started (pid $(cat "$PIDFILE")) but does not answer on $ENDPOINT; see $LOG"
  else
    echo "not running (lab/endpoints/$NAME.sh up starts it)"
  fi
}

endpoint_main "$@"
