#!/usr/bin/env bash
# lab endpoint docker-rootless: lab/endpoints/docker-rootless.sh up|down|status (called by lab/up.sh, down.sh, status.sh).
# up: idempotent; on failure, exit non-zero with one line on stderr saying why.
#
# Docker Engine 20.10 run rootless by docker.io's own contrib/dockerd-rootless.sh, as the lab's
# unprivileged user ($LAB_USER, lib.sh): rootlesskit makes the user, mount and network namespaces,
# slirp4netns gives that network namespace its way out (NAT through the host's sockets), and
# rootlesskit's builtin port driver listens on the host for every port published with -p (so
# `-p 8080:80` answers on 198.51.100.1:8080). Bridges, iptables and containers live inside
# rootlesskit's network namespace, so the host has no route to a container's address, and there is
# no container network (no macvlan on ext0: an unprivileged engine cannot make one on the host).
#
#   socket      unix:///run/netconform/docker-rootless/docker.sock (dir made by root, owned by the user)
#   data-root   $LAB_USER_HOME/docker-rootless/data
#   exec-root   /run/user/UID/docker-rootless/exec (pid file and rootlesskit's state dir beside it)
#   pid file    $LAB_RUN/docker-rootless.pid (the start's shell in the lab's mount namespace)
#   log         $LAB_LOG/docker-rootless.log
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"

NAME=docker-rootless
ENDPOINT=${LAB_ENDPOINT[$NAME]}
SOCK=${ENDPOINT#unix://}
SOCK_DIR=$(dirname "$SOCK")
PIDFILE=$LAB_RUN/$NAME.pid
LOG=$LAB_LOG/$NAME.log
CONTRIB=/usr/share/docker.io/contrib/dockerd-rootless.sh
# The same pool as the rootful engine (lab/up.sh): a new bridge is a /16 whatever ran before.
POOL=base=172.16.0.0/12,size=16

# user_dirs: the user's own directories of this engine (after ensure_lab_user).
user_dirs() {
  DATA_ROOT=$LAB_USER_HOME/docker-rootless/data
  RUN_DIR=$LAB_USER_RUNTIME/docker-rootless
  EXEC_ROOT=$RUN_DIR/exec
  DOCKERD_PID=$RUN_DIR/dockerd.pid
  RK_STATE=$RUN_DIR/rootlesskit
}

# lab_user_known: the lab user exists; sets what ensure_lab_user sets, without making anything.
lab_user_known() {
  LAB_USER_UID=$(id -u "$LAB_USER" 2>/dev/null) || return 1
  LAB_USER_RUNTIME=/run/user/$LAB_USER_UID
  user_dirs
}

# descendants PID...: the PIDs and all their descendants that still run.
descendants() {
  local table; table=$(ps -e -o pid=,ppid=)
  local todo=("$@") out=() p c
  while [ ${#todo[@]} -gt 0 ]; do
    p=${todo[0]}; todo=("${todo[@]:1}")
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null || continue
    out+=("$p")
    for c in $(awk -v p="$p" '$2 == p { print $1 }' <<<"$table"); do todo+=("$c"); done
  done
  echo "${out[@]:-}"
}

# engine_pids: every process of this engine: the start's shell, rootlesskit (parent of the child
# whose pid its state dir keeps: dockerd), and what runs under them. Nothing of the user's other
# engines: only descendants of these.
engine_pids() {
  local roots=()
  [ -s "$PIDFILE" ] && roots+=("$(cat "$PIDFILE")")
  if lab_user_known; then
    local kid
    if [ -s "$RK_STATE/child_pid" ]; then
      kid=$(cat "$RK_STATE/child_pid")
      roots+=("$kid" "$(ps -o ppid= -p "$kid" 2>/dev/null | tr -d ' ')")
    fi
    [ -s "$DOCKERD_PID" ] && roots+=("$(cat "$DOCKERD_PID")")
  fi
  # Only processes of the lab user (or of its subordinate ids) and the start's own shell.
  local p u out=()
  for p in $(descendants "${roots[@]:-}"); do
    u=$(ps -o uid= -p "$p" 2>/dev/null | tr -d ' ') || continue
    if [ "$u" = "${LAB_USER_UID:-x}" ] || { [ -n "$u" ] && [ "$u" -ge 300000 ] && [ "$u" -lt 365536 ]; } \
      || [ "$p" = "$(cat "$PIDFILE" 2>/dev/null)" ] || [ "$(ps -o comm= -p "$p")" = runuser ]; then
      out+=("$p")
    fi
  done
  echo "${out[@]:-}"
}

# wait_gone SECONDS PID...: wait until none of the PIDs runs; false if one still does.
wait_gone() {
  local deadline=$((SECONDS + $1)) p; shift
  while [ $SECONDS -lt $deadline ]; do
    local any=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && any=1; done
    [ $any = 0 ] && return 0
    sleep 0.2
  done
  return 1
}

down() {
  [ "$(id -u)" = 0 ] || die "$NAME down must run as root"
  local pids; read -r -a pids <<<"$(engine_pids)"
  if [ ${#pids[@]} -gt 0 ]; then
    # dockerd first (it stops its containers and containerd), then what is left of the tree.
    local dpid=""
    lab_user_known && [ -s "$DOCKERD_PID" ] && dpid=$(cat "$DOCKERD_PID")
    if [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null; then
      kill -TERM "$dpid" 2>/dev/null || true
      wait_gone 30 "$dpid" || true
    fi
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    if ! wait_gone 15 "${pids[@]}"; then
      for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
      wait_gone 5 "${pids[@]}" || true
    fi
    say "stopped $NAME"
  fi
  stop_holder "$NAME"
  rm -f "$PIDFILE" "$SOCK"
  if lab_user_known; then rm -rf "$RK_STATE" "$DOCKERD_PID"; fi
}

status() {
  if answers "$ENDPOINT"; then
    echo "answers on $ENDPOINT: $(DOCKER_HOST=$ENDPOINT timeout 5 docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}}), rootless as '"$LAB_USER" 2>/dev/null)"
  elif alive "$PIDFILE"; then
    echo "started (pid $(cat "$PIDFILE")) but does not answer; see $LOG"
  else
    echo "not running (\`lab/endpoints/$NAME.sh up\` starts it)"
  fi
}

# last_error: the line of this start's log that says best what went wrong (dockerd's fatal, then
# rootlesskit's parent, then any other error line, then the last line), on one line.
last_error() {
  local start lines line="" re
  start=$(grep -n '^--- ' "$LOG" 2>/dev/null | tail -n 1 | cut -d: -f1)
  lines=$(tail -n +"${start:-1}" "$LOG" 2>/dev/null | grep -v '^+ ' || true)
  for re in 'level=fatal' 'rootlesskit:parent\] error' 'level=error|[Ee]rror|failed|denied|not found|needs to be|must be'; do
    line=$(grep -E "$re" <<<"$lines" | tail -n 1 || true)
    [ -z "$line" ] || break
  done
  [ -n "$line" ] || line=$(tail -n 1 <<<"$lines")
  # (rootlesskit prints its driver's Go struct: &{logWriter:… info:<nil>}; it says nothing)
  printf '%s' "$line" | tr -d '\r' | tr '\n' ' ' | sed -E 's/ &\{.*\}: /: /' | cut -c1-400
}

up() {
  [ "$(id -u)" = 0 ] || die "$NAME up must run as root (it installs packages, makes the user and its socket dir)"
  mkdir -p "$LAB_RUN" "$LAB_LOG"
  # One up at a time (the pid file and the user's state dirs are this engine's).
  local lock
  exec {lock}>"$LAB_RUN/$NAME.lock"
  flock -w 120 "$lock" || die "another $NAME up holds $LAB_RUN/$NAME.lock for more than 120 s"
  if answers "$ENDPOINT"; then
    say "$NAME already answers on $ENDPOINT"
    return 0
  fi

  # --- packages (only the missing ones) ---
  ensure_packages docker.io rootlesskit slirp4netns uidmap iptables iproute2

  # --- what rootless needs of this machine ---
  [ -x "$CONTRIB" ] || die "$CONTRIB is missing or not executable (docker.io's contrib script)"
  [ -c /dev/net/tun ] || die "/dev/net/tun is missing: slirp4netns needs it"
  # slirp4netns opens it as the user (measured: mode 0600 here gave "open: Permission denied" from
  # rootlesskit's `ip tuntap add`); 0666 is the kernel's and udev's usual mode for it.
  if [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
    chmod 0666 /dev/net/tun || die "could not chmod 0666 /dev/net/tun (it is $(stat -c %a /dev/net/tun); slirp4netns opens it as $LAB_USER)"
    say "made /dev/net/tun mode 0666 (slirp4netns opens it as $LAB_USER)"
  fi
  [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] \
    || die "user namespaces are off (/proc/sys/user/max_user_namespaces is 0)"
  for p in rootlesskit rootlesskit-docker-proxy slirp4netns newuidmap newgidmap iptables ip dockerd; do
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v "$p" >/dev/null \
      || die "$p is not on the lab user's PATH"
  done
  [ -u "$(command -v newuidmap)" ] || die "$(command -v newuidmap) is not setuid root"
  [ -s "$LAB_RUN/resolv.conf" ] || die "$LAB_RUN/resolv.conf (the lab DNS) is missing: run lab/up.sh first"

  ensure_lab_user
  user_dirs

  # --- a start that runs but does not answer: stop it, start afresh ---
  if alive "$PIDFILE" || [ -s "$RK_STATE/child_pid" ]; then
    say "$NAME was started but does not answer on $ENDPOINT: restarting it"
    down
  fi
  rm -f "$SOCK"
  rm -rf "$RK_STATE"
  mkdir -p "$SOCK_DIR"
  chown "$LAB_USER:" "$SOCK_DIR"
  chmod 755 "$SOCK_DIR"
  as_lab_user mkdir -p "$DATA_ROOT" "$EXEC_ROOT" || die "the lab user could not make $DATA_ROOT and $EXEC_ROOT"

  printf -- '--- %s up %s\n' "$NAME" "$(date -u +%FT%TZ)" >>"$LOG"
  # The start's shell runs as root in the lab's mount namespace, then drops to the user; the user's
  # environment is only as_lab_user's and the dockerd-rootless.sh settings below.
  export LAB_USER_RUNTIME
  start_in_lab_mountns "$NAME" bash -c '. "$0" && as_lab_user "$@"' "$here/lib.sh" \
    DOCKERD_ROOTLESS_ROOTLESSKIT_NET=slirp4netns \
    DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=builtin DOCKERD_ROOTLESS_ROOTLESSKIT_MTU=65520 \
    DOCKERD_ROOTLESS_ROOTLESSKIT_FLAGS="--state-dir=$RK_STATE" \
    "$CONTRIB" --host "$ENDPOINT" --data-root "$DATA_ROOT" --exec-root "$EXEC_ROOT" \
    --pidfile "$DOCKERD_PID" --default-address-pool "$POOL" {lock}>&- # the engine must not hold up's lock

  local deadline=$((SECONDS + 90))
  until answers "$ENDPOINT"; do
    alive "$PIDFILE" || die "$NAME exited before answering on $ENDPOINT: $(last_error)"
    [ $SECONDS -lt $deadline ] || die "$NAME did not answer on $ENDPOINT within 90 s: $(last_error)"
    sleep 0.5
  done
  say "$NAME answers on $ENDPOINT (rootless, as $LAB_USER)"
}

endpoint_main "$@"
