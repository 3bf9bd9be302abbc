#!/usr/bin/env bash
# lab/control-plane.sh NAME stop|start: stops or starts a rootful lab endpoint's control plane — its
# engine's API process (dockerd, podman system service) — and nothing else. The profiles offer it
# (offers.controlPlane) for the scenario "not dependent on the VCH control plane being up": what
# happens to the running containers meanwhile is the engine's own doing (Docker's live-restore,
# Podman's conmon), which is what the scenario observes.
#   stop   TERM the engine's process, wait until it has ended (up to 60 s: a Docker Engine without
#          live-restore first stops its containers) and its API no longer answers.
#   start  start it again in the same namespaces (the holder of its mount namespace keeps them, see
#          start_in_lab_mountns and vch_start), and wait until its API answers (up to 60 s).
# Exit 0 when done; otherwise one line on stderr and exit 2.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
name=${1:-}
action=${2:-}
[ -n "$name" ] && [ -n "${LAB_ENDPOINT[$name]:-}" ] || die "usage: $0 NAME stop|start (NAME: one of ${!LAB_ENDPOINT[*]})"
[ "$(id -u)" = 0 ] || die "$0 must run as root"
endpoint=${LAB_ENDPOINT[$name]}
case "$name" in
  docker | podman | podman-netavark) pidfile=$LAB_RUN/$name.pid holder=$LAB_RUN/$name-holder.pid ;;
  docker-28 | podman-5 | podman-6) pidfile=$LAB_RUN/$name.pid holder=$LAB_RUN/$name/holder.pid ;;
  *) die "$name has no control plane the lab can stop alone (a rootless engine's containers live in its own namespaces)" ;;
esac

# One stop or start of an endpoint's control plane at a time (a run's After hook and its signal handler
# may both start it).
mkdir -p "$LAB_RUN"
exec {lock}>"$LAB_RUN/control-plane-$name.lock"
flock -w 180 "$lock" || die "could not lock $LAB_RUN/control-plane-$name.lock within 180 s"

stop_engine() {
  alive "$pidfile" || die "$name's engine is not running (no live pid in $pidfile): lab up starts it"
  local pid deadline
  pid=$(cat "$pidfile")
  # Started again, the engine enters the holder's mount namespace: it must be the one the engine runs in
  # now, where its containers' mounts (their network namespaces) are; an engine started otherwise (by an
  # older lab) would come back blind to them.
  mnt() { readlink "/proc/$(cat "$1")/ns/mnt" 2>/dev/null; }
  alive "$holder" && [ "$(mnt "$holder")" = "$(mnt "$pidfile")" ] \
    || die "$name's engine runs outside the mount namespace the lab keeps for it ($holder): lab down, then lab up"
  kill -TERM "$pid"
  deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || die "$name's engine (pid $pid) did not end within 60 s of SIGTERM"
    sleep 0.2
  done
  ! answers "$endpoint" || die "$name's engine ended, but something still answers on $endpoint"
  say "stopped $name's control plane (pid $pid); its API does not answer on $endpoint"
}

start_engine() {
  if answers "$endpoint"; then
    say "$name already answers on $endpoint"
    return 0
  fi
  # An engine still shutting down (a stop cut short) is let finish: a second one would find its pid file.
  local deadline=$((SECONDS + 60))
  while alive "$pidfile"; do
    [ $SECONDS -lt $deadline ] || die "$name's engine (pid $(cat "$pidfile")) neither answers nor ends"
    sleep 0.2
  done
  # The engine must not inherit the lock: it would hold it as long as it runs.
  case "$name" in
    docker) start_docker_engine {lock}>&- ;;
    podman) start_podman_engine {lock}>&- ;;
    *) bash "$here/endpoints/$name.sh" up {lock}>&- ;;
  esac
  answers "$endpoint" || die "$name's engine was started but does not answer on $endpoint"
}

case "$action" in
  stop) stop_engine ;;
  start) start_engine ;;
  *) die "usage: $0 NAME stop|start" ;;
esac
