#!/usr/bin/env bash
# lab/ssh.sh up|down|status: an OpenSSH server on docker-28's VCH-like host (target docker-28-ssh), as a
# user reaches a remote engine with DOCKER_HOST=ssh://user@host: the docker CLI and dockerode run
# `docker system dial-stdio` there over ssh. Called by lab/up.sh after the endpoints (docker-28 first),
# lab/down.sh and lab/status.sh. up: idempotent; one line on stderr and a non-zero exit when it cannot run.
#
#   sshd          Debian 12's OpenSSH server (openssh-server, installed by ensure_packages as the lab's
#                 other packages), in docker-28's network namespace vch-docker-28, listening on its public
#                 address 198.51.100.11, port 22; public keys only, one user
#   user          netconform (shell /bin/sh), in the group of docker-28's API socket, whose sessions have
#                 DOCKER_HOST=unix:///run/netconform/docker-28/docker.sock (sshd's SetEnv): `docker` there
#                 is this host's docker CLI talking to the VCH's engine
#   port 2222     the same server, but its sessions' PATH holds no `docker`: the remote without docker
#                 (test/lab/ssh.test.ts)
#   keys          /etc/netconform/ssh: the server's host key, and in client/ the key the lab made for whoever
#                 runs the suite (id_ed25519) and the known_hosts entry for the server, written from the
#                 host key itself (no scan over the network), which the suite's profile names
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"

VCH=docker-28
ADDRESS=${LAB_VCH_ADDRESS[$VCH]}
SOCKET=${LAB_ENDPOINT[$VCH]}
NETNS=vch-$VCH
PIDFILE=$LAB_RUN/$VCH-ssh.pid
LOG=$LAB_LOG/$VCH-ssh.log
CONFIG=$LAB_SSH/sshd_config

up() {
  [ "$(id -u)" = 0 ] || die "lab/ssh.sh up must run as root"
  ensure_packages openssh-server
  ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF "$NETNS" || die "$VCH's network namespace $NETNS is not there: $VCH is not up"
  [ -S "${SOCKET#unix://}" ] || die "$VCH's API socket ${SOCKET#unix://} is not there: $VCH is not up"
  mkdir -p "$LAB_SSH_CLIENT" "$LAB_SSH/authorized_keys" /run/sshd "$LAB_RUN" "$LAB_LOG"
  chmod 755 "$LAB_SSH" "$LAB_SSH/authorized_keys"
  chmod 700 "$LAB_SSH_CLIENT"
  [ -s "$LAB_SSH/host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C "netconform lab $VCH" -f "$LAB_SSH/host_ed25519_key"
  [ -s "$LAB_SSH_CLIENT/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C 'netconform lab client' -f "$LAB_SSH_CLIENT/id_ed25519"
  # The known_hosts entry, from the host key file: the suite trusts exactly this server at this address.
  printf '%s %s\n' "$ADDRESS" "$(cut -d' ' -f1,2 "$LAB_SSH/host_ed25519_key.pub")" >"$LAB_SSH_CLIENT/known_hosts"
  printf '[%s]:2222 %s\n' "$ADDRESS" "$(cut -d' ' -f1,2 "$LAB_SSH/host_ed25519_key.pub")" >>"$LAB_SSH_CLIENT/known_hosts"
  # The user, and the API socket's group (the sid root's docker group: its number has another name here, or none).
  if ! id -u "$LAB_SSH_USER" >/dev/null 2>&1; then
    useradd --system --home-dir "$LAB_SSH_HOME" --create-home --shell /bin/sh "$LAB_SSH_USER" \
      || die "could not create the user $LAB_SSH_USER"
    say "created user $LAB_SSH_USER"
  fi
  # No password, but not locked ("!"): sshd without PAM refuses a locked account even its keys.
  [ "$(getent shadow "$LAB_SSH_USER" | cut -d: -f2)" = '*' ] || usermod -p '*' "$LAB_SSH_USER"
  local gid
  gid=$(stat -c %g "${SOCKET#unix://}")
  getent group "$gid" >/dev/null || groupadd --system --gid "$gid" "netconform-$VCH" \
    || die "could not make a group for gid $gid (the group of ${SOCKET#unix://})"
  id -G "$LAB_SSH_USER" | tr ' ' '\n' | grep -qxF "$gid" || usermod -a -G "$gid" "$LAB_SSH_USER"
  cp "$LAB_SSH_CLIENT/id_ed25519.pub" "$LAB_SSH/authorized_keys/$LAB_SSH_USER"
  chmod 644 "$LAB_SSH/authorized_keys/$LAB_SSH_USER"
  local config
  config="# written by netconform lab/ssh.sh
ListenAddress $ADDRESS:22
ListenAddress $ADDRESS:2222
HostKey $LAB_SSH/host_ed25519_key
PidFile none
AuthorizedKeysFile $LAB_SSH/authorized_keys/%u
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $LAB_SSH_USER
UsePAM no
PermitTTY no
X11Forwarding no
AllowTcpForwarding no
AllowAgentForwarding no
PrintMotd no
MaxStartups 100:30:200
MaxSessions 100
SetEnv DOCKER_HOST=$SOCKET
Match LocalPort 2222
  SetEnv PATH=/nonexistent DOCKER_HOST=$SOCKET"
  if alive "$PIDFILE" && [ "$(cat "$CONFIG" 2>/dev/null)" = "$config" ]; then
    say "sshd already runs on $ADDRESS:22 in $NETNS (pid $(cat "$PIDFILE"))"
    return 0
  fi
  alive "$PIDFILE" && end_pid "$PIDFILE" "sshd on $ADDRESS"
  printf '%s\n' "$config" >"$CONFIG"
  /usr/sbin/sshd -t -f "$CONFIG" 2>>"$LOG" || die "sshd refuses $CONFIG: see $LOG"
  # -D: stays in the foreground under setsid, so its pid is the one in PIDFILE; -e: its log to LOG.
  setsid nsenter --net="/run/netns/$NETNS" -- /usr/sbin/sshd -D -e -f "$CONFIG" >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local deadline=$((SECONDS + 20))
  until ip netns exec "$NETNS" ss -Hltn "sport = :22" | grep -q .; do
    alive "$PIDFILE" || die "sshd on $ADDRESS ended before it listened; last lines of $LOG: $(tail -n 3 "$LOG" | tr '\n' ' ')"
    [ $SECONDS -lt $deadline ] || die "sshd on $ADDRESS did not listen within 20 s; see $LOG"
    sleep 0.2
  done
  say "started sshd on $ADDRESS:22 in $NETNS (pid $(cat "$PIDFILE"), log $LOG): target docker-28-ssh"
}

down() {
  [ "$(id -u)" = 0 ] || die "lab/ssh.sh down must run as root"
  if alive "$PIDFILE"; then
    end_pid "$PIDFILE" "sshd on $ADDRESS"
    say "stopped sshd on $ADDRESS"
  fi
  rm -f "$PIDFILE"
}

status() {
  if alive "$PIDFILE"; then
    echo "sshd on $ADDRESS:22 (pid $(cat "$PIDFILE")), user $LAB_SSH_USER, key $LAB_SSH_CLIENT/id_ed25519"
  else
    echo "not running (lab up starts it)"
  fi
}

endpoint_main "$@"
