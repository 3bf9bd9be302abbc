# Shared by lab/up.sh, lab/down.sh, lab/status.sh and lab/endpoints/*.sh.
LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The lab's daemons outlive the script that starts them and keep its working directory: they start
# from /, never from a checkout or a package folder that may be removed while they run (Podman 4.3
# rootless's conmon then fails every container start with "Failed to get working directory", which
# its API answers as 500 "exit status 1"). Every lab script has its own folder absolute before this.
cd /
LAB_RUN=/run/netconform
LAB_LOG=/var/log/netconform
LAB_BRIDGE=ext0
LAB_GATEWAY=198.51.100.1
LAB_OUTSIDE=198.51.100.10
LAB_NETNS=extclient
LAB_HOSTLEG=ext0h
LAB_SUBNET=198.51.100.0/24
# The engines' address pools (Docker: --default-address-pool below; Podman: 10.88/16 default, 10.89/16 new
# networks; podman-netavark: 10.90/16 default, 10.91/16 new networks): the host gets low-priority
# unreachable routes for them. (Not 203.0.113.0/24, the subnet
# scenario's: this machine reaches its package mirror in that range.)
LAB_CONTAINER_POOLS="10.88.0.0/16 10.89.0.0/16 10.90.0.0/16 10.91.0.0/16 172.16.0.0/12"
LAB_DHCP_DNS=198.51.100.2
LAB_DOCKER_RANGE=198.51.100.128/26
LAB_PODMAN_RANGE=198.51.100.192/27
LAB_DHCP_START=198.51.100.50
LAB_DHCP_END=198.51.100.99
# The Debian 12 Docker Engine's TLS listener (target docker-tls) and its certificates (made by lab/up.sh).
LAB_TLS=/etc/netconform/tls
LAB_TLS_CLIENT=$LAB_TLS/client
LAB_TLS_ENDPOINT=tcp://127.0.0.1:2376
# docker-28's VCH reached over ssh (target docker-28-ssh, lab/ssh.sh): its sshd's keys, the client key and
# known_hosts the suite uses, and the user it logs in as.
LAB_SSH=/etc/netconform/ssh
LAB_SSH_CLIENT=$LAB_SSH/client
LAB_SSH_USER=netconform
LAB_SSH_HOME=/var/lib/netconform-ssh
# The DHCP pool's lease, in seconds. Short, because the two engines give leases back differently (measured
# 2026-12-04): Podman 4.3's CNI dhcp daemon sends a DHCPRELEASE that udhcpd honours when a container is
# removed, but netavark's DHCP proxy (podman-5) sends one with ciaddr 0.0.0.0, which udhcpd ignores (RFC 2131
# wants the client's address there), so each removed podman-5 container held its address for a whole lease:
# with an hour's lease, a hundred DHCP containers an hour emptied the fifty addresses. Both engines renew
# the leases of running containers at half the lease, so a short one costs running containers nothing.
# 60 s is udhcpd's least (min_lease).
LAB_DHCP_LEASE=60
declare -A LAB_ENDPOINT=([docker]=unix:///var/run/docker.sock [podman]=unix:///run/podman/podman.sock
  [podman-netavark]=unix:///run/podman-netavark/podman.sock
  [podman-rootless]=unix:///run/netconform/podman-rootless/podman.sock
  [docker-rootless]=unix:///run/netconform/docker-rootless/docker.sock
  [docker-28]=unix:///run/netconform/docker-28/docker.sock
  [podman-5]=unix:///run/netconform/podman-5/podman.sock
  [podman-5-rootless]=unix:///run/netconform/podman-5-rootless/podman.sock
  [docker-28-rootless]=unix:///run/netconform/docker-28-rootless/docker.sock
  [podman-6]=unix:///run/netconform/podman-6/podman.sock
  [podman-6-rootless]=unix:///run/netconform/podman-6-rootless/podman.sock)
# The current engines' VCH-like hosts (lab/vch.sh): each one's public address on the lab segment and
# the range of its container network (lab segment addresses: .1 this host, .2 the DHCP network's DNS,
# .10 the outside client, .11-.15 the VCHs, .16-.47 their container networks, .50-.99 the DHCP pool,
# .100-.111 more VCHs, .112-.127 their container networks, .128-.239 the Debian 12 engines' container networks).
declare -A LAB_VCH_ADDRESS=([docker-28]=198.51.100.11 [podman-5]=198.51.100.12 [podman-5-rootless]=198.51.100.13
  [docker-28-rootless]=198.51.100.14 [podman-6]=198.51.100.15 [podman-6-rootless]=198.51.100.100)
declare -A LAB_VCH_RANGE=([docker-28]=198.51.100.16/28 [podman-5]=198.51.100.32/28 [podman-6]=198.51.100.112/28)
LAB_VCH_DIR=/var/lib/netconform/vch
# The endpoints beyond the first two: each is lab/endpoints/NAME.sh up|down|status, started after
# the rest of the lab; one that cannot run here says why in one line and the others still come up.
LAB_MORE_ENDPOINTS="podman-netavark podman-rootless docker-rootless docker-28 podman-5 podman-5-rootless docker-28-rootless podman-6 podman-6-rootless"
# The unprivileged user the rootless engines run as (subuid/subgid, runtime dir under $LAB_RUN).
LAB_USER=netconform-rootless
LAB_USER_HOME=/var/lib/netconform-rootless

say() { printf 'lab: %s\n' "$*"; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 2; }

# alive PIDFILE: the process named in PIDFILE runs.
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# end_pid PIDFILE LABEL: SIGTERM the process named in PIDFILE and wait up to 10 s for it to exit.
end_pid() {
  local pid deadline
  pid=$(cat "$1")
  kill "$pid"
  deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null; do
    [ $SECONDS -lt $deadline ] || die "$2 (pid $pid) did not exit within 10 s of SIGTERM"
    sleep 0.1
  done
}

# answers ENDPOINT: a Docker API answers there within 5 s.
answers() { DOCKER_HOST="$1" timeout 5 docker version >/dev/null 2>&1; }

# start_in_lab_mountns NAME CMD...: start CMD detached, in a private mount namespace whose
# /etc/resolv.conf names only the lab DNS; its pid goes to $LAB_RUN/NAME.pid. A holder process
# ($LAB_RUN/NAME-holder.pid) keeps that namespace while the engine is stopped (lab/control-plane.sh):
# started again, the engine enters it and finds its containers' mounts where it left them.
start_in_lab_mountns() {
  local name=$1; shift
  local holder=$LAB_RUN/$name-holder.pid
  if alive "$holder"; then
    setsid nsenter --target "$(cat "$holder")" --mount -- "$@" >>"$LAB_LOG/$name.log" 2>&1 </dev/null &
  else
    setsid unshare --mount --propagation slave -- \
      sh -c 'mount --bind "$0" /etc/resolv.conf && { sleep infinity </dev/null >/dev/null 2>&1 & echo $! >"$1"; } &&
        shift && exec "$@"' "$LAB_RUN/resolv.conf" "$holder" "$@" \
      >>"$LAB_LOG/$name.log" 2>&1 </dev/null &
  fi
  echo $! >"$LAB_RUN/$name.pid"
  say "started $name (pid $!, log $LAB_LOG/$name.log)"
}

# stop_holder NAME: ends the holder of NAME's mount namespace (lab down, after the engine).
stop_holder() {
  local holder=$LAB_RUN/$1-holder.pid
  alive "$holder" && kill -TERM "$(cat "$holder")" 2>/dev/null
  rm -f "$holder"
}

# start_docker_engine: the Debian 12 Docker Engine (lab/up.sh, and lab/control-plane.sh docker start).
start_docker_engine() {
  # One address pool of /16s (Docker's first default pool): Docker's stock fallback to /20s of
  # 192.168/16 would make a new bridge's mask depend on how many networks the daemon made since
  # it started (it allocates pools round-robin), and so the subnet verdict on how long it ran
  # (moby/libnetwork#1454).
  # The same engine listens on 127.0.0.1:2376 too, with mutual TLS (loopback only).
  # At Docker's defaults (no live-restore); LAB_DOCKER_LIVE_RESTORE=1 starts it with --live-restore, for the
  # comparison of the control-plane scenario with and without it (test/lab/live-restore.test.ts).
  start_in_lab_mountns docker dockerd --host unix:///var/run/docker.sock \
    --host "$LAB_TLS_ENDPOINT" --tlsverify --tlscacert "$LAB_TLS/ca.pem" \
    --tlscert "$LAB_TLS/server-cert.pem" --tlskey "$LAB_TLS/server-key.pem" \
    --default-address-pool base=172.16.0.0/12,size=16 ${LAB_DOCKER_LIVE_RESTORE:+--live-restore}
  wait_for unix:///var/run/docker.sock "Docker Engine" "$LAB_LOG/docker.log"
  DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$LAB_TLS_CLIENT wait_for "$LAB_TLS_ENDPOINT" "Docker Engine (TLS)" "$LAB_LOG/docker.log"
}

# start_podman_engine: the Debian 12 Podman's Docker API service, CNI backend (lab/up.sh, lab/control-plane.sh).
start_podman_engine() {
  mkdir -p /run/podman
  start_in_lab_mountns podman podman system service --time=0 unix:///run/podman/podman.sock
  wait_for unix:///run/podman/podman.sock "Podman" "$LAB_LOG/podman.log"
}

# release_stale_cni_addresses ENGINE NETWORK: CNI's host-local IPAM keeps a file per address it handed
# out (/var/lib/cni/networks/NETWORK/ADDRESS, the container's id on its first line). A container that
# went away without CNI's DEL (its engine stopped while removing it) leaves its file, and the address
# is refused to every later container ("requested IP address … is not available in range set"), so a
# static-IP scenario that picks it is not run. Removes the files of containers the engine no longer
# has, on the lab's own network only (measured: a reservation left at 00:26 made
# static-ip.taken-address-refused not run at 06:15, its address picked at random from 23).
release_stale_cni_addresses() {
  local engine=$1 net=$2 dir=/var/lib/cni/networks/$2 f id
  [ -d "$dir" ] || return 0
  for f in "$dir"/*.*.*.*; do
    [ -f "$f" ] || continue
    id=$(head -n 1 "$f")
    [ -n "$id" ] && DOCKER_HOST=${LAB_ENDPOINT[$engine]} docker inspect --type container "$id" >/dev/null 2>&1 && continue
    rm -f "$f"
    say "released ${f##*/} on $net ($engine): the container that had it ($id) is gone"
  done
}

# wait_for ENDPOINT LABEL LOG: poll until the endpoint answers, for at most 60 s.
wait_for() {
  local deadline=$((SECONDS + 60))
  until answers "$1"; do
    [ $SECONDS -lt $deadline ] || die "$2 did not answer on $1 within 60 s; last lines of $3: $(tail -n 3 "$3" | tr '\n' ' ')"
    sleep 0.5
  done
  say "$2 answers on $1"
}

# lab_network ENGINE NAME OPTIONS...: create the network on the engine unless it exists.
lab_network() {
  local engine=$1 name=$2; shift 2
  local host=${LAB_ENDPOINT[$engine]}
  if DOCKER_HOST=$host docker network inspect "$name" >/dev/null 2>&1; then return 0; fi
  DOCKER_HOST=$host docker network create --label io.netconform.lab=1 "$@" "$name" >/dev/null \
    || die "could not create network $name on $engine"
  say "created network $name on $engine"
}

# ensure_lab_user: the unprivileged user of the rootless engines, with 65536 subordinate ids and
# a runtime dir of its own (XDG_RUNTIME_DIR); made once, left as it is afterwards.
# Both rootless endpoints call it, maybe at once: a lock serialises the check-then-create.
ensure_lab_user() {
  mkdir -p "$LAB_RUN"
  local lock
  exec {lock}>"$LAB_RUN/lab-user.lock"
  flock -w 60 "$lock" || die "could not lock $LAB_RUN/lab-user.lock within 60 s to set up the user $LAB_USER"
  if ! id -u "$LAB_USER" >/dev/null 2>&1; then
    useradd --system --home-dir "$LAB_USER_HOME" --create-home --shell /usr/sbin/nologin "$LAB_USER" \
      || die "could not create the user $LAB_USER"
    say "created user $LAB_USER"
  fi
  local f
  for f in /etc/subuid /etc/subgid; do
    touch "$f"
    grep -q "^$LAB_USER:" "$f" || echo "$LAB_USER:300000:65536" >>"$f"
  done
  exec {lock}>&-
  LAB_USER_UID=$(id -u "$LAB_USER")
  LAB_USER_RUNTIME=/run/user/$LAB_USER_UID
  mkdir -p "$LAB_USER_RUNTIME"
  chown "$LAB_USER:" "$LAB_USER_RUNTIME"
  chmod 700 "$LAB_USER_RUNTIME"
}

# as_lab_user CMD...: CMD as $LAB_USER, with its HOME and XDG_RUNTIME_DIR (call ensure_lab_user first).
as_lab_user() {
  runuser -u "$LAB_USER" -- env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME="$LAB_USER_HOME" USER="$LAB_USER" XDG_RUNTIME_DIR="$LAB_USER_RUNTIME" "$@"
}

# ensure_packages PKG...: installs the Debian packages that are missing (one apt-get update first);
# waits up to 300 s for a dpkg lock another installer holds.
ensure_packages() {
  local p missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -gt 0 ] || return 0
  say "installing ${missing[*]}"
  apt-get -o DPkg::Lock::Timeout=300 update -qq >>"$LAB_LOG/apt.log" 2>&1 \
    || die "apt-get update failed (for ${missing[*]}): see $LAB_LOG/apt.log"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    "${missing[@]}" >>"$LAB_LOG/apt.log" 2>&1 || die "apt-get install ${missing[*]} failed: see $LAB_LOG/apt.log"
}

# endpoint_main ACTION: an endpoint script's entry point (lab/endpoints/NAME.sh up|down|status
# defines the three functions, then calls this with its first argument).
endpoint_main() {
  case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    *) die "usage: $0 up|down|status" ;;
  esac
}

# dhcp_leases: the lab DHCP pool's leases not yet expired (whoever holds them; an address udhcpd found taken by
# someone else too), one "MAC IP" a line, from udhcpd's lease file, which udhcpd writes on SIGUSR1: waits up to
# 5 s for the file to change. Fails (no output) when udhcpd does not run or does not write it.
dhcp_leases() {
  local file=$LAB_RUN/udhcpd.leases before deadline=$((SECONDS + 5))
  alive "$LAB_RUN/udhcpd.pid" || return 1
  before=$(stat -c %.9Y "$file" 2>/dev/null || echo none)
  kill -USR1 "$(cat "$LAB_RUN/udhcpd.pid")" 2>/dev/null || return 1
  until [ "$(stat -c %.9Y "$file" 2>/dev/null || echo none)" != "$before" ]; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.1
  done
  # dumpleases: a header line, then MAC, IP, [host name,] and the time left or "expired".
  dumpleases -f "$file" | awk 'NR > 1 && $NF != "expired" { print $1, $2 }'
}

# dhcp_pool: "FREE USED" of the lab's DHCP pool (dhcp_leases says what is used). Fails when dhcp_leases does.
dhcp_pool() {
  local leases size used
  leases=$(dhcp_leases) || return 1
  size=$((${LAB_DHCP_END##*.} - ${LAB_DHCP_START##*.} + 1))
  used=$(printf '%s' "$leases" | grep -c . || true)
  echo "$((size - used)) $used"
}
