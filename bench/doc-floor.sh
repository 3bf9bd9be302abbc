#!/usr/bin/env bash
# The document floor: each section's documented commands run ONCE, with the docker CLI only, and
# one minimal probe per stated result (exec ping / nc / nslookup, an outside connection), no
# harness and no polling beyond a container's first answer. It is the physical limit of this job
# on an endpoint, whatever the suite's design. Prints the wall time in seconds as its last line.
#
#   DOCKER_HOST=unix:///var/run/docker.sock bash bench/doc-floor.sh
#
# The lab's names by default: CNET (the container network), NETNS (the outside client) and OUTSIDE
# (its address), PUBLIC (where published ports answer), IMAGE (the probe image), DHCPNET (absent on
# Docker: skipped), RANGE_IP (an address in the container network's range), CONTROL_STOP and
# CONTROL_START (the profile's control plane; absent: not stopped). bench/lab.ts sets them from a profile.
# Before the total it prints one line per part, "doc-floor-part: SECONDS NAME", NAME the comment it starts at.
# Everything it makes carries the label io.netconform.run=docfloor-<random> and is removed by
# that label at the end, whatever happens. Traffic only to the lab's own addresses.
#
# Each section starts with a comment naming its heading (a Feature's name), and each result the
# features state is here under its scenario id: a `probe` that checks it (ID/what for a control or
# one of several probes), or `shown`, the command whose output states it, run and left unread.
# test/unit/features.test.ts names a section or an id that is missing here, or an id no feature has.
set -uo pipefail
CNET=${CNET:-netconform-external}
NETNS=${NETNS:-extclient}
OUTSIDE=${OUTSIDE:-198.51.100.10}
PUBLIC=${PUBLIC:-198.51.100.1}
IMAGE=${IMAGE:-netconform-probe:1}
DHCPNET=${DHCPNET:-netconform-dhcp}
DHCPDNS=${DHCPDNS:-198.51.100.2}
RUN="docfloor-$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
L=(--label "io.netconform.run=$RUN")
P="nc-${RUN#docfloor-}"
failed=0

cleanup() {
  ids=$(docker ps -aq --filter "label=io.netconform.run=$RUN")
  [ -n "$ids" ] && docker rm -f $ids >/dev/null 2>&1
  nets=$(docker network ls -q --filter "label=io.netconform.run=$RUN")
  [ -n "$nets" ] && docker network rm $nets >/dev/null 2>&1
  return 0
}
trap cleanup EXIT

# A server container, run or only created: run|create NAME PORT [options…]; it answers "Hello world! from <its name>".
server_as() {
  local how=$1 name=$2 port=$3; shift 3
  local detach=(); [ "$how" = run ] && detach=(-d)
  docker "$how" "${detach[@]}" "${L[@]}" --name "$P-$name" "$@" "$IMAGE" \
    nc -ll -p "$port" -e sh -c "read -r r; printf 'Hello world! from $P-$name'" >/dev/null \
    || failed=$((failed + 1))
}
server() { server_as run "$@"; }
shell() {
  local name=$1; shift
  docker run -d "${L[@]}" --name "$P-$name" "$@" "$IMAGE" sleep 600 >/dev/null || failed=$((failed + 1))
}
net() { docker network create "${L[@]}" "$@" >/dev/null || failed=$((failed + 1)); }
ip_of() { docker inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$P-$1"; }
in_c() { docker exec "$P-$1" sh -c "$2" >/dev/null 2>&1; }
# probe EXPECTATION(yes|no) DESCRIPTION COMMAND…: counts a probe that does not show what the document says.
probe() {
  local want=$1 what=$2; shift 2
  if "$@"; then got=yes; else got=no; fi
  [ "$got" = "$want" ] || echo "doc-floor: $what: not as documented"
}
# shown ID COMMAND…: the command whose output states the result ID, run once; the floor reads nothing of it.
shown() { shift; "$@" >/dev/null 2>&1; }
# docker network connect --ip $1 $2 $3, then docker start $3 if it was accepted (the address may be refused at either).
connect_then_start() { docker network connect --ip "$1" "$2" "$3" && docker start "$3"; }
ask() { printf 'GET /\r\n' | timeout 3 busybox nc -w 2 "$1" "$2" 2>/dev/null | grep -q 'Hello world!'; }
ask_in() { in_c "$1" "printf 'GET /\r\n' | timeout 3 nc -w 2 $2 $3 | grep -q 'Hello world!'"; }
ask_out() {
  ip netns exec "$NETNS" busybox sh -c "printf 'GET /\r\n' | timeout 3 nc -w 2 $1 $2 | grep -q 'Hello world!'"
}
# From container $1, the outside client on port 9: no "Hello" may come back.
ask_external() { in_c "$1" "printf 'GET /\r\n' | timeout 3 nc -w 2 $OUTSIDE 9 | grep -q Hello"; }
# From container $1, a one-shot listener of the outside client: its answer comes back.
ask_out_listener() {
  ip netns exec "$NETNS" busybox timeout 3 busybox nc -l -p 9099 -e sh -c "echo 'Hello world!'" &
  sleep 0.2
  in_c "$1" "timeout 3 nc -w 2 $OUTSIDE 9099 | grep -q Hello"
}
# From the outside client, a peer service in container $1 (busybox httpd, started here) answers.
ask_peer_in() {
  printf '#!/bin/sh\necho\necho "$REMOTE_ADDR"\n' | docker exec -i "$P-$1" sh -c \
    'mkdir -p /tmp/p/cgi-bin && cat >/tmp/p/cgi-bin/peer && chmod +x /tmp/p/cgi-bin/peer && httpd -p 7071 -h /tmp/p'
  ip netns exec "$NETNS" busybox sh -c "printf 'GET /cgi-bin/peer HTTP/1.0\r\n\r\n' |
    timeout 3 nc -w 2 $(ip_of "$1" "$CNET") 7071 | grep -qF $OUTSIDE"
}
# From the outside client, container $2's address on network $3, routed through container $1's on the container
# network: an answer means the container network reaches into the bridge.
routed_via() {
  local t rc
  t=$(ip_of "$2" "$3")
  ip -n "$NETNS" route replace "$t/32" via "$(ip_of "$1" "$CNET")" || return 1
  ask_out "$t" 80
  rc=$?
  ip -n "$NETNS" route del "$t/32"
  return $rc
}
# Networks $1… have subnets (the default bridge's too); their overlap is judged by the suite, not here.
subnets_of() { for n in "$@"; do docker network inspect -f '{{json .IPAM.Config}}' "$n" >/dev/null || return 1; done; }
# The endpoint's control plane stopped (CONTROL_STOP), kept down CONTROL_DOWN s, and started (CONTROL_START): the
# outside client's connection to container $1's port $2 answers meanwhile. Without the commands, nothing is stopped.
control_plane_down() {
  [ -n "${CONTROL_STOP:-}" ] && [ -n "${CONTROL_START:-}" ] || return 0
  local ip ok=0
  ip=$(ip_of "$1" "$CNET")
  sh -c "$CONTROL_STOP" >/dev/null 2>&1 || return 1
  sleep "${CONTROL_DOWN:-10}"
  ask_out "$ip" "$2" || ok=1
  sh -c "$CONTROL_START" >/dev/null 2>&1 || ok=1
  return $ok
}
# A server answers once its process listens: its first answer is awaited, at most a second.
ready() { for _ in $(seq 1 20); do "$@" && return 0; sleep 0.05; done; return 1; }
# The part that ends here and the one that starts (mark NAME; mark alone ends the last): its seconds.
part="" part_at=""
mark() {
  local now; now=$(date +%s.%N)
  [ -n "$part" ] && echo "doc-floor-part: $(echo "$now - $part_at" | bc) $part"
  part=${1:-} part_at=$now
}

start=$(date +%s.%N)
cnet=no; docker network inspect "$CNET" >/dev/null 2>&1 && cnet=yes

if [ $cnet = yes ]; then
  # Container Networking with vSphere Integrated Containers Engine: the NOTE on the trust level —
  mark "Container Networking with vSphere Integrated Containers Engine"
  # a published port reachable, an unpublished one not
  server web1 80 -p 80 --net "$CNET"; server web2 80 --net "$CNET"
  probe yes trust.published-port-reachable ready ask_out "$(ip_of web1 "$CNET")" 80
  probe yes trust.unpublished-port-closed/control ready ask_in web2 "$(ip_of web2 "$CNET")" 80
  probe no trust.unpublished-port-closed ask_out "$(ip_of web2 "$CNET")" 80
  server_as create web3 80 -p 80 --net "$CNET"; docker start "$P-web3" >/dev/null
  probe yes trust.create-published-port-reachable ready ask_out "$(ip_of web3 "$CNET")" 80
  # Container VM Port Forwarding
  mark "Container VM Port Forwarding"
  server tomcat 8080 --net "$CNET" -p 80:8080
  probe yes port-forwarding.port-80-on-container-network ready ask_out "$(ip_of tomcat "$CNET")" 80
fi

# Publish a Container Port
mark "Publish a Container Port"
server test1 80 -p 8080:80
probe yes publish.port-8080-on-public-interface ready ask "$PUBLIC" 8080
docker rm -f "$P-test1" >/dev/null

# Add Containers to a New Bridge Network
mark "Add Containers to a New Bridge Network"
net -d bridge "$P-my-bridge-network"; shown new-bridge.network-listed docker network ls
server server 5000 --net "$P-my-bridge-network"; shell client --net "$P-my-bridge-network"
probe yes new-bridge.ping-by-name.client-to-server in_c client "ping -c 3 $P-server"
probe yes new-bridge.ping-by-name.server-to-client in_c server "ping -c 3 $P-client"
server server2 5000; shell client2
probe yes new-bridge.default-bridge-no-names/control ready ask_in client2 "$(ip_of server2 bridge)" 5000
probe no new-bridge.default-bridge-no-names/nslookup in_c client2 "nslookup $P-server2"
probe no new-bridge.default-bridge-no-names/ping in_c client2 "ping -c 1 $P-server2"

# Bridged Containers with an Exposed Port
mark "Bridged Containers with an Exposed Port"
net -d bridge "$P-my-bridge-network-2"; shown exposed-port.network-listed docker network ls
server xserver 5000 -p 5000:5000 --net "$P-my-bridge-network-2"; shell xclient --net "$P-my-bridge-network-2"
probe yes exposed-port.ping-by-name.client-to-server in_c xclient "ping -c 3 $P-xserver"
probe yes exposed-port.ping-by-name.server-to-client in_c xserver "ping -c 3 $P-xclient"
probe yes exposed-port.client-to-server-5000 ready ask_in xclient "$P-xserver" 5000
probe yes exposed-port.public-5000 ready ask "$PUBLIC" 5000

# Deploy Containers on Multiple Bridge Networks
mark "Deploy Containers on Multiple Bridge Networks"
net --internal "$P-bridge-db"; net "$P-bridge-web"
server db 80 --net "$P-bridge-db"
server_as create model 80 --net "$P-bridge-db"
docker network connect "$P-bridge-web" "$P-model"; docker start "$P-model" >/dev/null
server view 80 -p 8080:80 --net "$P-bridge-web"
probe yes multi-bridge.model-reaches-both.model-to-db ready ask_in model "$P-db" 80
probe yes multi-bridge.model-reaches-both.model-to-view ready ask_in model "$P-view" 80
probe no multi-bridge.db-and-view-isolated.db-to-view ask_in db "$(ip_of view "$P-bridge-web")" 80
probe no multi-bridge.db-and-view-isolated.view-to-db ask_in view "$(ip_of db "$P-bridge-db")" 80
probe yes multi-bridge.view-on-public-8080 ready ask "$PUBLIC" 8080
probe yes multi-bridge.connect-when-created ready ask_in view "$(ip_of model "$P-bridge-web")" 80
shown multi-bridge.multiple-net-refused docker run -d "${L[@]}" --net "$P-bridge-db" --net "$P-bridge-web" "$IMAGE"
shown multi-bridge.multiple-net-refused-create \
  docker create "${L[@]}" --net "$P-bridge-db" --net "$P-bridge-web" "$IMAGE"
shown multi-bridge.connect-only-when-created docker network connect "$P-bridge-web" "$P-db"
shown multi-bridge.one-interface-several-addresses in_c model 'ip addr'

if [ $cnet = yes ]; then
  # Deploy Containers That Combine Bridge Networks with a Container Network
  mark "Deploy Containers That Combine Bridge Networks with a Container Network"
  net --internal "$P-cbridge-db"
  server cdb 80 --net "$P-cbridge-db"; server cmodel 80 --net "$P-cbridge-db"
  server_as create cview 80 -p 80 --net "$P-cbridge-db"
  docker network connect "$CNET" "$P-cview"; docker start "$P-cview" >/dev/null
  shown combine.container-network-listed docker network ls
  shown combine.container-network-driver-external docker network ls
  shown combine.default-bridge-listed docker network ls
  probe yes combine.all-communicate.db-to-model ready ask_in cdb "$P-cmodel" 80
  probe yes combine.all-communicate.db-to-view ready ask_in cdb "$P-cview" 80
  probe yes combine.all-communicate.model-to-db ready ask_in cmodel "$P-cdb" 80
  probe yes combine.all-communicate.model-to-view ready ask_in cmodel "$P-cview" 80
  probe yes combine.all-communicate.view-to-db ready ask_in cview "$P-cdb" 80
  probe yes combine.all-communicate.view-to-model ready ask_in cview "$P-cmodel" 80
  probe no combine.db-and-model-no-external.db ask_external cdb
  probe no combine.db-and-model-no-external.model ask_external cmodel
  probe yes combine.view-external-ip-port-80 ready ask_out "$(ip_of cview "$CNET")" 80
  shown combine.container-network-own-interface in_c cview 'ip addr'
  # Deploy Containers That Combine Bridge Networks with a Container Network: its advantages and NOTE on isolation
  mark "Combine: its advantages and NOTE on isolation"
  net "$P-cbridge-web"
  probe yes combine.bridges-segregated-by-ipam subnets_of "$P-cbridge-db" "$P-cbridge-web" bridge
  probe yes combine.no-nat.outbound-source-is-own-address ask_out_listener cview
  probe yes combine.no-nat.inbound-peer-is-client ask_peer_in cview
  probe yes combine.control-plane-down.connectivity-kept control_plane_down cview 80
  server cweb 80 --net "$P-cbridge-web"
  server_as create cgate 80 --net "$P-cbridge-web"
  docker network connect "$CNET" "$P-cgate"; docker start "$P-cgate" >/dev/null
  probe no combine.container-network-isolated routed_via cgate cweb "$P-cbridge-web"
  # Deploy Containers That Combine Bridge Networks with a Container Network: the port-mapping example
  mark "Combine: the port-mapping example"
  server_as create mtomcat 8080 -p 80:8080 --net "$CNET"
  # called by a prefix of its id, as the document calls it 50
  mid=$(docker inspect -f '{{.Id}}' "$P-mtomcat" | cut -c1-12)
  docker network connect bridge "$mid"; docker start "$mid" >/dev/null
  shown combine.container-addressed-by-id-prefix docker inspect "$mid"
  docker ps --filter "label=io.netconform.run=$RUN" >/dev/null
  probe yes combine.mapping-on-create-network-only.applies-to-create-network ready ask_out "$(ip_of mtomcat "$CNET")" 80
  server control 5000 -p 5080:5000
  probe yes combine.mapping-on-create-network-only.not-to-connected-networks/control ready ask "$PUBLIC" 5080
  probe no combine.mapping-on-create-network-only.not-to-connected-networks ask "$PUBLIC" 80
fi

# Create a Bridge Network with Non-Default Subnet Mask
mark "Create a Bridge Network with Non-Default Subnet Mask"
net --subnet 203.0.113.0/24 "$P-my-subnet-network"; shell sclient --net "$P-my-subnet-network"
shown subnet.non-default-mask-honoured docker network inspect "$P-my-subnet-network"
shown subnet.non-default-mask-honoured in_c sclient 'ip addr'
net -d bridge "$P-my-bridge-network-3"; shell dclient --net "$P-my-bridge-network-3"
shown subnet.default-mask-16 docker network inspect "$P-my-bridge-network-3"
shown subnet.default-mask-16 in_c dclient 'ip addr'

if [ $cnet = yes ]; then
  # Deploy a Container with a Static IP Address (lab: the profile's range .128/26 on Docker, .192/27 on Podman)
  mark "Deploy a Container with a Static IP Address"
  RANGE_IP=${RANGE_IP:-198.51.100.150}
  docker create "${L[@]}" -it --name "$P-container1" "$IMAGE" sleep 600 >/dev/null
  docker network connect --ip "$RANGE_IP" "$CNET" "$P-container1"; docker start "$P-container1" >/dev/null
  shown static-ip.connect-with-ip in_c container1 'ip addr'
  probe yes static-ip.connect-with-ip/ping ip netns exec "$NETNS" busybox ping -c 1 -W 2 "$RANGE_IP"
  docker create "${L[@]}" -it --name "$P-container2" "$IMAGE" sleep 600 >/dev/null
  docker network connect "$CNET" "$P-container2"; docker start "$P-container2" >/dev/null
  shown static-ip.assigned-from-range in_c container2 'ip addr'
  docker create "${L[@]}" -it --name "$P-container3" "$IMAGE" sleep 600 >/dev/null
  shown static-ip.outside-range-refused connect_then_start 198.51.100.20 "$CNET" "$P-container3"
  docker create "${L[@]}" -it --name "$P-container4" "$IMAGE" sleep 600 >/dev/null
  shown static-ip.taken-address-refused connect_then_start "$RANGE_IP" "$CNET" "$P-container4"
  # Without a range: a second network on the container network's interface (Docker 20.10 refuses to make it)
  mark "Without a range"
  parent=$(docker network inspect -f '{{index .Options "parent"}}' "$CNET" 2>/dev/null)
  docker network create "${L[@]}" -d macvlan --subnet 192.0.2.0/24 -o parent="${parent:-eth0}" \
    "$P-rangeless-net" >/dev/null 2>&1
  docker create "${L[@]}" -it --name "$P-container5" "$IMAGE" sleep 600 >/dev/null
  shown static-ip.rangeless-network-refuses-ip docker network connect --ip 192.0.2.9 "$P-rangeless-net" "$P-container5"
fi

if docker network inspect "$DHCPNET" >/dev/null 2>&1; then
  # Deploy a Network Container that supports DHCP
  mark "Deploy a Network Container that supports DHCP"
  shell dhcp1 --net "$DHCPNET" --dns "$DHCPDNS"; shown dhcp.lease-and-dns in_c dhcp1 'ip addr; cat /etc/resolv.conf'
  shown dhcp.without-dns-times-out docker run -d "${L[@]}" --name "$P-dhcp2" --net "$DHCPNET" "$IMAGE" sleep 600
fi

mark
end=$(date +%s.%N)
cleanup
[ $failed -eq 0 ] || echo "doc-floor: $failed documented commands failed"
echo "$end - $start" | bc
