#!/usr/bin/env bash
# netconform lab: real Docker-compatible endpoints on this machine, and an outside segment of the
# lab's own. Idempotent: what already runs is left as it is. The first two are set up here;
# lab/endpoints/NAME.sh starts the others ($LAB_MORE_ENDPOINTS in lib.sh: Debian 12's podman-netavark,
# podman-rootless, docker-rootless, the current engines docker-28, podman-5, podman-5-rootless,
# docker-28-rootless, and the next ones, podman-6 and podman-6-rootless (Debian experimental's Podman 6.1),
# each on a VCH-like host of its own, lab/vch.sh), each on its own socket with its own storage.
# Debian, as root. Every command here is from ../shared/LAB-NOTES.md (measured).
#
#   Docker Engine   unix:///var/run/docker.sock, and tcp://127.0.0.1:2376 with mutual TLS (lab CA
#                   and certificates in /etc/netconform/tls, the client's in /etc/netconform/tls/client)
#   Podman (CNI)    unix:///run/podman/podman.sock
#   lab segment     bridge ext0, 198.51.100.0/24 (a documentation range: nothing real lives there);
#                   the host is 198.51.100.1 on its macvlan leg ext0h
#   outside client  netns extclient, 198.51.100.10 on ext0, with udhcpd (pool .50-.99, 60 s leases)
#   networks        netconform-external (macvlan: the "container network") on both engines,
#                   netconform-dhcp (macvlan, DHCP IPAM) on Podman
#   lab DNS         dnsmasq on 198.51.100.1, answers NXDOMAIN to every name
#
# Both engines run in a mount namespace of their own where /etc/resolv.conf names only the
# lab DNS: a name a container cannot resolve never becomes a query beyond this machine.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"

[ "$(id -u)" = 0 ] || die "lab up must run as root (it installs packages and starts engines)"
command -v apt-get >/dev/null || die "lab up needs a Debian machine (apt-get not found)"
mkdir -p "$LAB_RUN" "$LAB_LOG"

# --- packages --------------------------------------------------------------------------
# The Debian 12 endpoints' packages and the sid root's builder in one go (each lab/endpoints/NAME.sh also
# makes sure of its own).
packages=(docker.io iptables busybox-static podman containernetworking-plugins
  golang-github-containernetworking-plugin-dnsname dnsmasq-base udhcpd iproute2 uidmap openssl
  netavark aardvark-dns conmon rootlesskit slirp4netns curl jq mmdebstrap debian-archive-keyring)
ensure_packages "${packages[@]}"
say "packages present"

# --- the lab segment, the host's leg on it, and its outside client -----------------------
# ext0 carries no address: macvlan children cannot reach their parent's own address, so the
# host joins the segment through a macvlan child of its own (ext0h), like every other member.
if ! ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then
  ip link add "$LAB_BRIDGE" type bridge
  say "created bridge $LAB_BRIDGE"
fi
ip link set "$LAB_BRIDGE" up
if ! ip link show "$LAB_HOSTLEG" >/dev/null 2>&1; then
  ip link add "$LAB_HOSTLEG" link "$LAB_BRIDGE" type macvlan mode bridge
  ip addr add "$LAB_GATEWAY/24" dev "$LAB_HOSTLEG"
fi
ip link set "$LAB_HOSTLEG" up
# The DHCP network's DNS server (`--dns dns_server`) has an address of its own, not the engines'
# default nameserver: otherwise resolv.conf would name it whether --dns was applied or not.
ip addr replace "$LAB_DHCP_DNS/24" dev "$LAB_HOSTLEG"
if ! ip netns list | grep -qw "$LAB_NETNS"; then
  ip netns add "$LAB_NETNS"
  say "created network namespace $LAB_NETNS"
fi
if ! ip -n "$LAB_NETNS" link show extc0 >/dev/null 2>&1; then
  ip link add extc0 link "$LAB_BRIDGE" type macvlan mode bridge
  ip link set extc0 netns "$LAB_NETNS"
  ip -n "$LAB_NETNS" addr add "$LAB_OUTSIDE/24" dev extc0
fi
ip -n "$LAB_NETNS" link set lo up
ip -n "$LAB_NETNS" link set extc0 up

# --- a DHCP server on the segment, in the outside client's namespace ------------------------
# Leases of $LAB_DHCP_LEASE s (lib.sh says why). A udhcpd that runs with another configuration (an older
# lab's hour-long lease) is restarted with this one; it writes its leases on SIGTERM and reads them back,
# and a client that asks in between asks again.
udhcpd_conf="start $LAB_DHCP_START
end $LAB_DHCP_END
interface extc0
lease_file $LAB_RUN/udhcpd.leases
option subnet 255.255.255.0
option router $LAB_GATEWAY
option lease $LAB_DHCP_LEASE
min_lease $LAB_DHCP_LEASE"
if alive "$LAB_RUN/udhcpd.pid" && [ "$(cat "$LAB_RUN/udhcpd.conf" 2>/dev/null)" != "$udhcpd_conf" ]; then
  end_pid "$LAB_RUN/udhcpd.pid" udhcpd
  say "stopped udhcpd: its configuration was not this lab's (now leases of $LAB_DHCP_LEASE s)"
fi
if ! alive "$LAB_RUN/udhcpd.pid"; then
  printf '%s\n' "$udhcpd_conf" >"$LAB_RUN/udhcpd.conf"
  touch "$LAB_RUN/udhcpd.leases"
  setsid ip netns exec "$LAB_NETNS" udhcpd -f "$LAB_RUN/udhcpd.conf" >>"$LAB_LOG/udhcpd.log" 2>&1 </dev/null &
  echo $! >"$LAB_RUN/udhcpd.pid"
  say "started udhcpd in $LAB_NETNS (pool $LAB_DHCP_START-$LAB_DHCP_END, leases of $LAB_DHCP_LEASE s)"
fi

# --- lab DNS: every name is NXDOMAIN, nothing is forwarded -------------------------------
printf 'nameserver %s\n' "$LAB_GATEWAY" >"$LAB_RUN/resolv.conf"
if ! alive "$LAB_RUN/dnsmasq.pid"; then
  dnsmasq --no-resolv --no-hosts --no-poll --address=/#/ --listen-address="$LAB_GATEWAY,$LAB_DHCP_DNS" \
    --bind-interfaces --except-interface=lo --pid-file="$LAB_RUN/dnsmasq.pid" \
    --log-facility="$LAB_LOG/dnsmasq.log"
  say "started lab DNS on $LAB_GATEWAY and $LAB_DHCP_DNS"
fi

# --- TLS for the Docker Engine's second listener (target docker-tls) ----------------------
# A lab CA, a server certificate for 127.0.0.1 and a client certificate (clientAuth), each made
# only when missing. The client's files are named as the docker CLI wants them (DOCKER_CERT_PATH).
# answers_tls: the Docker API answers on the TLS listener, with the lab's client certificate.
answers_tls() { DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$LAB_TLS_CLIENT answers "$LAB_TLS_ENDPOINT"; }
# tls_sign NAME SUBJECT EXTENSIONS OUT-CERT OUT-KEY: a key and a certificate signed by the lab CA.
tls_sign() {
  local name=$1 subject=$2 extensions=$3 cert=$4 key=$5
  (umask 077 && openssl req -new -newkey rsa:2048 -nodes -subj "$subject" -keyout "$key" -out "$LAB_TLS/$name.csr") \
    >>"$LAB_LOG/tls.log" 2>&1 || die "openssl could not make the $name key: see $LAB_LOG/tls.log"
  printf '%s\n' "$extensions" >"$LAB_TLS/$name.ext"
  openssl x509 -req -in "$LAB_TLS/$name.csr" -CA "$LAB_TLS/ca.pem" -CAkey "$LAB_TLS/ca-key.pem" -set_serial "0x$(openssl rand -hex 16)" \
    -days 3650 -sha256 -extfile "$LAB_TLS/$name.ext" -out "$cert" >>"$LAB_LOG/tls.log" 2>&1 \
    || die "openssl could not sign the $name certificate: see $LAB_LOG/tls.log"
  rm -f "$LAB_TLS/$name.csr" "$LAB_TLS/$name.ext"
}
mkdir -p "$LAB_TLS_CLIENT"
chmod 700 "$LAB_TLS"
if [ ! -s "$LAB_TLS/ca.pem" ] || [ ! -s "$LAB_TLS/ca-key.pem" ]; then
  (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=netconform lab CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$LAB_TLS/ca-key.pem" -out "$LAB_TLS/ca.pem") >>"$LAB_LOG/tls.log" 2>&1 \
    || die "openssl could not make the lab CA: see $LAB_LOG/tls.log"
  chmod 644 "$LAB_TLS/ca.pem"
  rm -f "$LAB_TLS/server-cert.pem" "$LAB_TLS_CLIENT/cert.pem" # a new CA: new certificates too
  say "made the lab CA in $LAB_TLS"
fi
if [ ! -s "$LAB_TLS/server-cert.pem" ] || [ ! -s "$LAB_TLS/server-key.pem" ]; then
  tls_sign server "/CN=127.0.0.1" "$(printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' 'subjectAltName=IP:127.0.0.1')" \
    "$LAB_TLS/server-cert.pem" "$LAB_TLS/server-key.pem"
  say "made the Docker Engine's TLS certificate for 127.0.0.1 in $LAB_TLS"
fi
if [ ! -s "$LAB_TLS_CLIENT/cert.pem" ] || [ ! -s "$LAB_TLS_CLIENT/key.pem" ]; then
  tls_sign client "/CN=netconform lab client" "$(printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=clientAuth')" \
    "$LAB_TLS_CLIENT/cert.pem" "$LAB_TLS_CLIENT/key.pem"
  say "made the lab's TLS client certificate in $LAB_TLS_CLIENT"
fi
cp "$LAB_TLS/ca.pem" "$LAB_TLS_CLIENT/ca.pem"

# --- Docker Engine ----------------------------------------------------------------------
if answers unix:///var/run/docker.sock; then
  say "Docker Engine already answers on unix:///var/run/docker.sock"
  if answers_tls; then
    say "Docker Engine already answers on $LAB_TLS_ENDPOINT (TLS)"
  elif alive "$LAB_RUN/docker.pid"; then
    say "note: this Docker Engine runs without the TLS listener on $LAB_TLS_ENDPOINT (target docker-tls will not answer); left running: \`netconform lab down && netconform lab up\` restarts it with it"
  else
    say "note: this Docker Engine was not started by lab up and has no TLS listener on $LAB_TLS_ENDPOINT (target docker-tls will not answer); left running"
  fi
else
  start_docker_engine
fi

# --- Podman's Docker API service ----------------------------------------------------------
# Debian's defaults (/usr/share/containers/containers.conf: no NET_RAW, ping_group_range "0 0")
# stay in force; this file only adds what LAB-NOTES.md found necessary on these machines.
conf=/etc/containers/containers.conf
if [ -e "$conf" ] && ! grep -q '^# written by netconform' "$conf"; then
  die "$conf exists and is not netconform's; add to it by hand: [containers] default_ulimits = [], [network] network_backend = \"cni\", cni_plugin_dirs = [\"/usr/lib/cni\"]"
fi
mkdir -p /etc/containers
cat >"$conf" <<EOF
# written by netconform lab/up.sh (LAB-NOTES.md: rlimits fail here; CNI gives dnsname and DHCP)
[containers]
default_ulimits = []
[network]
network_backend = "cni"
cni_plugin_dirs = ["/usr/lib/cni"]
EOF
if answers unix:///run/podman/podman.sock; then
  say "Podman already answers on unix:///run/podman/podman.sock"
else
  backend=$(podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null || true)
  if [ "$backend" != cni ]; then
    if [ -n "$(podman ps -aq 2>/dev/null)" ] || [ -n "$(podman images -q 2>/dev/null)" ]; then
      die "podman uses the '$backend' network backend and holds containers or images; netconform needs CNI and will not reset a podman store it did not create"
    fi
    podman system reset -f >>"$LAB_LOG/podman.log" 2>&1
    say "switched podman's empty store to the CNI backend"
  fi
  start_podman_engine
fi

# --- podman's DHCP: the CNI dhcp daemon, in podman's mount namespace (where its netns live) --
# One left in the namespace of a podman that was stopped and started again (lab/stop-engine.sh, then lab up)
# cannot open the new containers' netns: every DHCP container then fails ("error calling DHCP.Allocate: unknown
# FS magic on /run/netns/…", seen 2026-12-04 after such a restart). It is restarted in the new one.
mntns() { readlink "/proc/$(cat "$1")/ns/mnt" 2>/dev/null; }
if alive "$LAB_RUN/cni-dhcp.pid" && [ "$(mntns "$LAB_RUN/cni-dhcp.pid")" != "$(mntns "$LAB_RUN/podman.pid")" ]; then
  end_pid "$LAB_RUN/cni-dhcp.pid" "the CNI dhcp daemon"
  say "stopped the CNI dhcp daemon: it was not in the mount namespace of the podman that runs now"
fi
if ! alive "$LAB_RUN/cni-dhcp.pid"; then
  rm -f /run/cni/dhcp.sock
  setsid nsenter --mount="/proc/$(cat "$LAB_RUN/podman.pid")/ns/mnt" -- /usr/lib/cni/dhcp daemon \
    >>"$LAB_LOG/cni-dhcp.log" 2>&1 </dev/null &
  echo $! >"$LAB_RUN/cni-dhcp.pid"
  say "started the CNI dhcp daemon (log $LAB_LOG/cni-dhcp.log)"
fi

# --- the networks the target profiles name (labelled io.netconform.lab, never a run's) -------
lab_network docker netconform-external -d macvlan --subnet "$LAB_SUBNET" --ip-range "$LAB_DOCKER_RANGE" \
  --gateway "$LAB_GATEWAY" -o parent="$LAB_BRIDGE"
lab_network podman netconform-external -d macvlan --subnet "$LAB_SUBNET" --ip-range "$LAB_PODMAN_RANGE" \
  --gateway "$LAB_GATEWAY" -o parent="$LAB_BRIDGE"
lab_network podman netconform-dhcp -d macvlan --ipam-driver dhcp -o parent="$LAB_BRIDGE"
release_stale_cni_addresses podman netconform-external

# --- container addresses never leave this machine ------------------------------------------
# A probe to a container address the host has no route for (Podman's --internal networks have no
# gateway on the host) would follow the default route off this machine. Low-priority unreachable
# routes for the engines' pools and the suite's subnet keep such packets here: the prober gets
# "no route", a recognised "no answer", and nothing beyond this machine ever answers for a container.
for prefix in $LAB_CONTAINER_POOLS; do
  ip route replace unreachable "$prefix" metric 4242
done
say "unreachable routes (metric 4242) for the container pools: $LAB_CONTAINER_POOLS"

# --- the other endpoints: each its own socket and storage; one that cannot run says why ---------
for ep in $LAB_MORE_ENDPOINTS; do
  if ! bash "$here/endpoints/$ep.sh" up 2>"$LAB_LOG/$ep.up.err"; then
    say "$ep is not up: $(tail -n 1 "$LAB_LOG/$ep.up.err" | sed 's/^lab: error: //')"
  fi
done

# --- docker-28 over ssh (target docker-28-ssh): an sshd on its VCH-like host (lab/ssh.sh) ----------
if ! bash "$here/ssh.sh" up 2>"$LAB_LOG/docker-28-ssh.up.err"; then
  say "docker-28-ssh is not up: $(tail -n 1 "$LAB_LOG/docker-28-ssh.up.err" | sed 's/^lab: error: //')"
fi

cat <<EOF
netconform lab is up.
  Docker Engine: unix:///var/run/docker.sock     npx --no netconform run --target docker
                 $LAB_TLS_ENDPOINT (TLS)      npx --no netconform run --target docker-tls
                 (client files for DOCKER_CERT_PATH: $LAB_TLS_CLIENT)
  Podman:        unix:///run/podman/podman.sock  npx --no netconform run --target podman
  over ssh:      ssh://$LAB_SSH_USER@${LAB_VCH_ADDRESS[docker-28]}  npx --no netconform run --target docker-28-ssh
                 (key and known_hosts: $LAB_SSH_CLIENT)
  more:          $LAB_MORE_ENDPOINTS
                 (npx --no netconform lab status says which answer, with the versions each reports)
  lab segment:   $LAB_BRIDGE, host $LAB_GATEWAY ($LAB_HOSTLEG), outside client netns $LAB_NETNS at $LAB_OUTSIDE
  DHCP:          udhcpd in $LAB_NETNS, pool $LAB_DHCP_START-$LAB_DHCP_END, leases of $LAB_DHCP_LEASE s
  logs:          $LAB_LOG
EOF
