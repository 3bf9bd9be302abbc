#!/usr/bin/env bash
# Says what of the lab runs.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
show() { printf '  %-32s %s\n' "$1" "$2"; }
# network_stack ENDPOINT: for a Podman on a unix socket, "; network: netavark V, aardvark-dns V" (or cni),
# from its libpod API's info: GET /version names no network component; nothing for another engine.
network_stack() {
  [ "${1#unix://}" != "$1" ] || return 0
  curl -sf --max-time 5 --unix-socket "${1#unix://}" http://lab/v4.0.0/libpod/info 2>/dev/null \
    | jq -r '.host.networkBackendInfo // empty | "; network: \(.version // .backend)\(if .dns.version then ", " + .dns.version else "" end)"' 2>/dev/null
}
for name in docker podman $LAB_MORE_ENDPOINTS; do
  ep=${LAB_ENDPOINT[$name]}
  if answers "$ep"; then
    # What the engine reports through its API: its version, API version and components (containerd,
    # runc, conmon…), as GET /version gives them.
    show "$name" "answers on $ep: $(DOCKER_HOST=$ep timeout 5 docker version --format \
      '{{.Server.Version}} (API {{.Server.APIVersion}}; {{range $i, $c := .Server.Components}}{{if $i}}, {{end}}{{$c.Name}} {{index (split $c.Version "\n") 0}}{{end}})' 2>/dev/null)$(network_stack "$ep")"
  else
    why=""
    [ -f "$here/endpoints/$name.sh" ] && why=$(bash "$here/endpoints/$name.sh" status 2>&1 | tail -n 1)
    show "$name" "does not answer on $ep${why:+ ($why)}"
  fi
done
# The Docker Engine's TLS listener (target docker-tls), with the lab's client certificate.
tls_client=/etc/netconform/tls/client
tls_ep=tcp://127.0.0.1:2376
if [ ! -s "$tls_client/cert.pem" ]; then
  show "$tls_ep" "no lab client certificate in $tls_client (lab up makes it)"
elif DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$tls_client answers "$tls_ep"; then
  show "$tls_ep" "answers (TLS): $(DOCKER_HOST=$tls_ep DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$tls_client timeout 5 docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null)"
else
  show "$tls_ep" "does not answer (TLS; lab down && lab up restarts Docker with it)"
fi
# docker-28 over ssh (target docker-28-ssh): the sshd on its VCH, and the engine through it with the lab's key.
ssh_ep=ssh://$LAB_SSH_USER@${LAB_VCH_ADDRESS[docker-28]}
if alive "$LAB_RUN/docker-28-ssh.pid"; then
  ssh_wrap=$(mktemp -d)
  printf '#!/bin/sh\nexec %s -i %s -o IdentitiesOnly=yes -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o BatchMode=yes "$@"\n' \
    "$(command -v ssh)" "$LAB_SSH_CLIENT/id_ed25519" "$LAB_SSH_CLIENT/known_hosts" >"$ssh_wrap/ssh"
  chmod +x "$ssh_wrap/ssh"
  if v=$(PATH=$ssh_wrap:$PATH DOCKER_HOST=$ssh_ep timeout 10 docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null); then
    show "$ssh_ep" "answers (ssh): $v"
  else
    show "$ssh_ep" "sshd runs but the engine does not answer through it ($(bash "$here/ssh.sh" status))"
  fi
  rm -rf "$ssh_wrap"
else
  show "$ssh_ep" "does not answer ($(bash "$here/ssh.sh" status))"
fi
if alive "$LAB_RUN/dnsmasq.pid"; then show "lab DNS" "on $LAB_GATEWAY"; else show "lab DNS" "not running"; fi
if ip link show "$LAB_BRIDGE" >/dev/null 2>&1; then show "segment" "$LAB_BRIDGE up"; else show "segment" "absent"; fi
if ip netns list 2>/dev/null | grep -qw "$LAB_NETNS"; then show "outside client" "netns $LAB_NETNS at $LAB_OUTSIDE"; else show "outside client" "absent"; fi
# The DHCP pool: how many of its addresses udhcpd can still give (lab up's leases are short, so an address
# a removed container did not give back is free again within $LAB_DHCP_LEASE s).
if pool=$(dhcp_pool); then
  show "DHCP pool" "$LAB_DHCP_START-${LAB_DHCP_END##*.}: ${pool% *} free, ${pool#* } in use (leases of $(sed -n 's/^option lease //p' "$LAB_RUN/udhcpd.conf") s)"
else
  show "DHCP pool" "unknown (udhcpd does not run, or did not write $LAB_RUN/udhcpd.leases within 5 s)"
fi
