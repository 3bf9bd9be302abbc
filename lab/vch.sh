# VCH-like hosts for the current engines (Debian sid's Docker 28 and Podman 5), sourced by
# lab/endpoints/{docker-28,podman-5,...}.sh after lib.sh.
#
# A VCH (vSphere Integrated Containers' virtual container host) is a machine of its own with a
# public interface on the users' network; ports published with -p answer on that interface and a
# container network is a segment the VCH's containers join with their own addresses. Each current
# engine gets the same here: a network namespace with a veth leg on the lab segment (ext0) and its
# own address in 198.51.100.0/24, its own firewall tables (those of its namespace), no default route
# (nothing it sends can leave the segment: an address off it is unreachable), and a mount namespace
# whose root is the sid root below a writable layer of its own (lab/vch-enter.sh).
#
# The sid root is built once from Debian's archive with mmdebstrap, with the mirror the host's own
# apt sources name, and reused while its package list is the same; the host's packages stay Debian 12's.
# The next root is built the same way, with the next Podman from Debian's experimental (the rest from sid).

LAB_SID_ROOT=/var/lib/netconform/sid-root
# What the sid root holds: both engines, their runtimes and network stacks, and the tools the lab uses.
LAB_SID_PACKAGES="docker.io containerd runc podman netavark aardvark-dns passt conmon catatonit iptables nftables
  busybox-static iproute2 uidmap rootlesskit slirp4netns procps util-linux mount kmod"
# The next root: Podman 6 before it reaches sid (podman-6, podman-6-rootless). Podman 6 needs no iptables,
# slirp4netns nor rootlesskit (nftables and pasta only); aardvark-dns, conmon and passt stay sid's.
LAB_NEXT_ROOT=/var/lib/netconform/next-root
LAB_NEXT_PACKAGES="aardvark-dns passt conmon catatonit nftables busybox-static iproute2 uidmap procps util-linux mount kmod"
# What of the next root comes from experimental (with what of experimental these need).
LAB_NEXT_EXPERIMENTAL="podman netavark runc"

# apt_mirror: the first Debian archive URI of this host's apt sources (deb822 or one-line form).
apt_mirror() {
  local uri
  uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
    /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | head -n 1)
  [ -n "$uri" ] || die "no Debian archive in this host's apt sources: cannot build the sid root"
  echo "$uri"
}

# ensure_sid_root: the sid root exists and holds $LAB_SID_PACKAGES; built (about 50 s, 520 MB) only
# when missing or made for another package list.
ensure_sid_root() { ensure_root "$LAB_SID_ROOT" sid "$LAB_SID_PACKAGES" ""; }

# ensure_next_root: the next root exists and holds $LAB_NEXT_PACKAGES from sid and $LAB_NEXT_EXPERIMENTAL
# from experimental; built only when missing or made for other package lists.
ensure_next_root() { ensure_root "$LAB_NEXT_ROOT" next "$LAB_NEXT_PACKAGES" "$LAB_NEXT_EXPERIMENTAL"; }

# ensure_root ROOT LABEL PACKAGES EXPERIMENTAL: the root ROOT exists and was built for PACKAGES from sid and
# EXPERIMENTAL (may be empty) from experimental; otherwise builds it with mmdebstrap, then starts afresh
# the writable layers of the VCHs made over it. Its marker, ROOT/etc/netconform-NAME (NAME: ROOT's folder
# name), holds the package lists it was built for. Two endpoint scripts at once: a lock.
ensure_root() {
  local root=$1 label=$2 packages experimental marker want lock mirror tmp p
  packages=$(echo $3)
  experimental=$(echo $4)
  marker=$root/etc/netconform-$(basename "$root")
  want=$packages
  [ -z "$experimental" ] || want="$packages experimental: $experimental"
  [ "$(cat "$marker" 2>/dev/null)" = "$want" ] && return 0
  mkdir -p "$(dirname "$root")" "$LAB_LOG"
  exec {lock}>"$root.lock"
  flock -w 600 "$lock" || die "could not lock $root.lock within 600 s to build the $label root"
  if [ "$(cat "$marker" 2>/dev/null)" != "$want" ]; then
    ensure_packages mmdebstrap debian-archive-keyring
    mirror=$(apt_mirror)
    tmp=$root.new
    rm -rf "$tmp"
    local sources=("deb $mirror sid main") include=$packages
    if [ -n "$experimental" ]; then
      # pkg/experimental: apt takes that package from experimental, and from there what it needs newer.
      sources+=("deb $mirror experimental main")
      for p in $experimental; do include="$include $p/experimental"; done
    fi
    say "building the Debian $label root in $root (log $LAB_LOG/$label-root.log)"
    # Check-Valid-Until off: a mirror that serves a snapshot keeps an expired Release date; its
    # signature is still checked against Debian's archive keys.
    mmdebstrap --mode=root --variant=essential --aptopt='Acquire::Check-Valid-Until "false"' \
      --include="$(echo $include | tr ' ' ,)" sid "$tmp" "${sources[@]}" \
      >>"$LAB_LOG/$label-root.log" 2>&1 || die "mmdebstrap could not build the $label root: see $LAB_LOG/$label-root.log"
    echo "$want" >"$tmp/etc/$(basename "$marker")"
    # An engine's layer was made over the old root: start it afresh over the new one.
    local d
    for d in "$LAB_VCH_DIR"/*/upper; do
      [ -d "$d" ] && [ "$(vch_lower "$(dirname "$d")")" = "$root" ] && rm -rf "$d" "$(dirname "$d")/work"
    done
    rm -rf "$root"
    mv "$tmp" "$root"
    say "built the $label root: $(root_versions "$root")"
  fi
  exec {lock}>&-
}

# vch_lower DIR: the root a VCH's writable layer DIR/upper was made over (vch_prepare records it in
# DIR/lower; a VCH of a lab older than that record: the sid root).
vch_lower() { cat "$1/lower" 2>/dev/null || echo "$LAB_SID_ROOT"; }

# root_versions ROOT: the root's engine packages and their versions, on one line.
root_versions() {
  chroot "$1" dpkg-query -W -f '${Package} ${Version}, ' docker.io containerd runc podman netavark \
    aardvark-dns passt 2>/dev/null | sed 's/, $//'
}

# vch_vars NAME: the names one VCH uses (its netns, its veth legs, its folders, its pid file).
vch_vars() {
  VCH_NAME=$1
  VCH_NETNS=vch-$1
  # The host's leg: at most 15 characters; a short hash of the name keeps it unique.
  VCH_LEG=vch$(printf '%s' "$1" | md5sum | cut -c1-8)
  VCH_DIR=$LAB_VCH_DIR/$1
  VCH_PIDFILE=$LAB_RUN/$1.pid
  VCH_LOG=$LAB_LOG/$1.log
}

# vch_network NAME ADDRESS: the VCH's network namespace and its public interface eth0 on the lab
# segment with ADDRESS/24; idempotent.
vch_network() {
  vch_vars "$1"
  local address=$2
  ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF "$VCH_NETNS" || ip netns add "$VCH_NETNS"
  if ! ip -n "$VCH_NETNS" link show eth0 >/dev/null 2>&1; then
    ip link del "$VCH_LEG" 2>/dev/null || true
    ip link add "$VCH_LEG" type veth peer name eth0 netns "$VCH_NETNS"
  fi
  ip link set "$VCH_LEG" master "$LAB_BRIDGE" up
  ip -n "$VCH_NETNS" addr replace "$address/24" dev eth0
  ip -n "$VCH_NETNS" link set lo up
  ip -n "$VCH_NETNS" link set eth0 up
  # No default route: what a container sends to an address off the segment is unreachable here.
  ip -n "$VCH_NETNS" route del default 2>/dev/null || true
}

# vch_start NAME STATE_DIR CMD...: runs CMD as the VCH's engine, detached (setsid: its pid is the
# group's leader), in the VCH's network namespace and a mount namespace of its own (over $VCH_ROOT, with
# $VCH_CGROUP's /sys/fs/cgroup: vch_endpoint sets both; the sid root and the host's cgroups otherwise). When the VCH's
# holder still runs (the engine was stopped alone, lab/control-plane.sh), CMD enters its namespaces
# instead: the containers the engine left running are where it left them.
vch_start() {
  vch_vars "$1"
  local state=$2 holder
  shift 2
  mkdir -p "$LAB_RUN/$VCH_NAME" "$LAB_LOG"
  printf -- '--- %s up %s\n' "$VCH_NAME" "$(date -u +%FT%TZ)" >>"$VCH_LOG"
  holder=$LAB_RUN/$VCH_NAME/holder.pid
  if alive "$holder"; then
    setsid nsenter --target "$(cat "$holder")" --mount --net --root --wd -- "$@" >>"$VCH_LOG" 2>&1 </dev/null &
  else
    VCH_ROOT=${VCH_ROOT:-$LAB_SID_ROOT} VCH_CGROUP=${VCH_CGROUP:-host} \
      setsid nsenter --net="/run/netns/$VCH_NETNS" -- unshare --mount -- \
      bash "$LAB_HERE/vch-enter.sh" "$VCH_NAME" "$state" "$@" >>"$VCH_LOG" 2>&1 </dev/null &
  fi
  echo $! >"$VCH_PIDFILE"
  say "started $VCH_NAME (pid $!, log $VCH_LOG)"
}

# vch_stop NAME ENDPOINT: stops the VCH's containers through its API, then every process in its
# network namespace (the engine, containerd, shims, conmon, proxies), then removes the namespace.
vch_stop() {
  vch_vars "$1"
  local endpoint=$2 running pids deadline
  if answers "$endpoint"; then
    running=$(DOCKER_HOST=$endpoint timeout 20 docker ps -q 2>/dev/null || true)
    # shellcheck disable=SC2086
    [ -z "$running" ] || DOCKER_HOST=$endpoint timeout 60 docker stop -t 2 $running >/dev/null 2>&1 || true
  fi
  if ip netns list 2>/dev/null | awk '{print $1}' | grep -qxF "$VCH_NETNS"; then
    pids=$(ip netns pids "$VCH_NETNS" 2>/dev/null | tr '\n' ' ')
    if [ -n "$pids" ]; then
      # shellcheck disable=SC2086
      kill -TERM $pids 2>/dev/null || true
      deadline=$((SECONDS + 20))
      while [ -n "$(ip netns pids "$VCH_NETNS" 2>/dev/null)" ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
      pids=$(ip netns pids "$VCH_NETNS" 2>/dev/null | tr '\n' ' ')
      # shellcheck disable=SC2086
      [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
      say "stopped $VCH_NAME"
    fi
    ip netns del "$VCH_NETNS"
  fi
  ip link del "$VCH_LEG" 2>/dev/null || true
  rm -f "$VCH_PIDFILE" "$LAB_RUN/$VCH_NAME"/*.sock "$LAB_RUN/$VCH_NAME/holder.pid"
}

# vch_status NAME ENDPOINT ADDRESS: one line.
vch_status() {
  vch_vars "$1"
  local endpoint=$2 address=$3
  if answers "$endpoint"; then
    echo "answers on $endpoint: VCH-like host $VCH_NETNS at $address; $(DOCKER_HOST=$endpoint timeout 5 docker version \
      --format '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null)"
  elif alive "$VCH_PIDFILE"; then
    echo "started (pid $(cat "$VCH_PIDFILE")) but does not answer on $endpoint; see $VCH_LOG"
  else
    echo "not running (lab/endpoints/$VCH_NAME.sh up starts it)"
  fi
}

# vch_wait NAME ENDPOINT LABEL: polls until the endpoint answers, for at most 60 s; stops at once,
# with the log's last lines in the one-line error, when the engine's process has ended.
vch_wait() {
  vch_vars "$1"
  local deadline=$((SECONDS + 60))
  until answers "$2"; do
    alive "$VCH_PIDFILE" || die "$3 ended before it answered on $2; last lines of $VCH_LOG: $(tail -n 3 "$VCH_LOG" | tr '\n' ' ')"
    [ $SECONDS -lt $deadline ] || die "$3 did not answer on $2 within 60 s; last lines of $VCH_LOG: $(tail -n 3 "$VCH_LOG" | tr '\n' ' ')"
    sleep 0.5
  done
  say "$3 answers on $2"
}

# vch_check_kernel: what every VCH needs of this machine.
vch_check_kernel() {
  command -v nsenter >/dev/null && command -v unshare >/dev/null && command -v pivot_root >/dev/null \
    || die "nsenter, unshare and pivot_root (util-linux) are needed to start a VCH-like host"
  grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null || true
  grep -qw overlay /proc/filesystems || die "this kernel has no overlay file system: the VCH's root needs it"
}

# vch_podman_conf DIR: a Podman VCH's containers.conf (its rootless user's too) in the VCH's own layer (rewritten each up).
vch_podman_conf() {
  mkdir -p "$1/etc/containers"
  # One write, into the file that is there: the VCH's overlay may have it open, and a file put in its
  # place in the upper layer (sed -i) stays unseen by a running VCH, which then starts its engine with the old one.
  {
    cat <<'CONF'
# written by netconform lab/vch.sh
[containers]
# the default nofile/nproc rlimits fail on these machines ("error setting rlimit type 7")
default_ulimits = []
CONF
    [ "$VCH_CGROUP" != v2 ] || cat <<'CONF'
# no pids controller on this cgroup v2 hierarchy (a hybrid host keeps it v1), so no pids limit
pids_limit = 0
CONF
    cat <<'CONF'
[engine]
# runc: crun refuses a hybrid cgroup v1/v2 host ("cgroups in hybrid mode not supported"); no systemd here
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
[network]
network_backend = "netavark"
CONF
    [ "$VCH_CGROUP" != v2 ] || cat <<'CONF'
[engine.runtimes]
# runc without an unlimited pids resource (lab/vch.sh, vch_runc_without_pids)
runc = ["/usr/local/lib/netconform/runc"]
CONF
  } >"$1/etc/containers/containers.conf"
  [ "$VCH_CGROUP" != v2 ] || vch_runc_without_pids "$1"
}

# vch_runc_without_pids DIR: what a Podman VCH on the cgroup v2 hierarchy of a hybrid host (VCH_CGROUP=v2)
# needs besides its containers.conf: that hierarchy has no pids controller (the host keeps it on v1), so
# runc cannot write a container's pids.max. Podman's default limit is left off (pids_limit = 0), and the
# Docker API's "PidsLimit": 0 (unlimited, which the docker CLI sends; Podman passes it on, runc writes
# pids.max "max") reaches runc as what it means, no limit: a runc of the lab's drops the bundle's
# unlimited pids resource, then runs the root's runc. Measured: without it every container the docker
# CLI starts fails ("openat2 /sys/fs/cgroup/libpod_parent/…/pids.max: no such file or directory").
vch_runc_without_pids() {
  mkdir -p "$1/usr/local/lib/netconform"
  cat >"$1/usr/local/lib/netconform/runc" <<'RUNC'
#!/bin/sh
# written by netconform lab/vch.sh (vch_runc_without_pids): the root's runc, with a bundle's unlimited pids
# resource ("pids":{"limit":0} or -1, which runc writes as pids.max "max") left out, for this hierarchy has no
# pids controller.
bundle= previous=
for arg in "$@"; do
  case "$previous" in --bundle | -b) bundle=$arg ;; esac
  case "$arg" in --bundle=*) bundle=${arg#--bundle=} ;; esac
  previous=$arg
done
if [ -n "$bundle" ] && [ -f "$bundle/config.json" ]; then
  sed -i -e 's/,"pids":{"limit":\(-1\|0\)}//' -e 's/"pids":{"limit":\(-1\|0\)},\{0,1\}//' "$bundle/config.json"
fi
exec /usr/bin/runc "$@"
RUNC
  chmod 755 "$1/usr/local/lib/netconform/runc"
}


# vch_lab_user LAYER HOME: (after ensure_lab_user) the lab user and its subordinate ids in the VCH's /etc (its root's files plus it).
vch_lab_user() {
  local layer=$1 home=$2 gid
  gid=$(id -g "$LAB_USER")
  mkdir -p "$layer/etc"
  cp "$VCH_ROOT/etc/passwd" "$layer/etc/passwd"
  cp "$VCH_ROOT/etc/group" "$layer/etc/group"
  echo "$LAB_USER:x:$LAB_USER_UID:$gid::$home:/bin/sh" >>"$layer/etc/passwd"
  echo "$LAB_USER:x:$gid:" >>"$layer/etc/group"
  echo "$LAB_USER:300000:65536" >"$layer/etc/subuid"
  echo "$LAB_USER:300000:65536" >"$layer/etc/subgid"
}

# vch_endpoint NAME [next]: an endpoint script's globals (NAME, ENDPOINT, ADDRESS, VCH_ROOT, VCH_CGROUP,
# and vch_vars's), and its down and status; the script defines up and calls endpoint_main. With "next",
# the VCH's root is the next root (Podman 6) and its /sys/fs/cgroup a cgroup v2 hierarchy of its own
# (vch-enter.sh): Podman 6 refuses a cgroup v1 or hybrid host, and this machine is a hybrid one.
vch_endpoint() {
  NAME=$1
  ENDPOINT=${LAB_ENDPOINT[$1]}
  ADDRESS=${LAB_VCH_ADDRESS[$1]}
  HOME_IN_VCH=/home/$LAB_USER
  if [ "${2:-}" = next ]; then
    VCH_ROOT=$LAB_NEXT_ROOT VCH_CGROUP=v2
  else
    VCH_ROOT=$LAB_SID_ROOT VCH_CGROUP=host
  fi
  vch_vars "$1"
}
down() {
  [ "$(id -u)" = 0 ] || die "$NAME down must run as root"
  vch_stop "$NAME" "$ENDPOINT"
  vch_cgroup_remove
  rm -f "$LAB_RUN/$NAME"-*.pid
}
status() { vch_status "$NAME" "$ENDPOINT" "$ADDRESS"; }

# vch_prepare [rootless]: what every VCH's up does before its engine starts: this machine's
# prerequisites, the sid root, the VCH's network; a rootless one also gets the lab's user inside,
# and its storage and socket folders owned by that user.
vch_prepare() {
  [ "$(id -u)" = 0 ] || die "$NAME up must run as root"
  mkdir -p "$LAB_RUN" "$LAB_LOG"
  if [ "${1:-}" = rootless ]; then
    [ "$(cat /proc/sys/user/max_user_namespaces 2>/dev/null || echo 0)" -gt 0 ] \
      || die "user namespaces are off (/proc/sys/user/max_user_namespaces is 0): $NAME cannot run"
    [ -c /dev/net/tun ] || die "/dev/net/tun is missing: $NAME's containers would have no network"
  fi
  vch_check_kernel
  if [ "$VCH_ROOT" = "$LAB_NEXT_ROOT" ]; then
    grep -qw cgroup2 /proc/filesystems || die "this kernel has no cgroup v2: $NAME (Podman 6) needs it"
    ensure_next_root
  else
    ensure_sid_root
  fi
  # A writable layer made over another root is not this root's: start it afresh (it holds only what
  # vch_prepare and the endpoint script write, written again below).
  [ "$(vch_lower "$VCH_DIR")" = "$VCH_ROOT" ] || rm -rf "$VCH_DIR/upper" "$VCH_DIR/work"
  mkdir -p "$VCH_DIR"
  echo "$VCH_ROOT" >"$VCH_DIR/lower"
  vch_network "$NAME" "$ADDRESS"
  if [ "${1:-}" = rootless ]; then
    ensure_lab_user
    vch_lab_user "$VCH_DIR/upper" "$HOME_IN_VCH"
    mkdir -p "$VCH_DIR/storage" "$LAB_RUN/$NAME"
    chown "$LAB_USER:" "$VCH_DIR/storage" "$LAB_RUN/$NAME"
    chmod 755 "$LAB_RUN/$NAME"
  fi
}

# vch_start_rootless [VAR=VALUE…] CMD...: starts CMD as the VCH's engine, run by the lab's user with
# its home and runtime folder inside the VCH and nothing else of this shell's environment. On a VCH with
# the cgroup v2 hierarchy alone (VCH_CGROUP=v2), in a cgroup of its own that the user owns
# (vch_cgroup_name), as systemd delegates one to a user's session: a rootless Podman 6 reads its
# controllers there, and the machine's own cgroup is root's alone.
vch_start_rootless() {
  local cgroup=""
  [ "$VCH_CGROUP" != v2 ] || cgroup=$(vch_cgroup_name)
  vch_start "$NAME" "$HOME_IN_VCH" bash -c '
      user=$1 home=$2 cgroup=$3; shift 3
      uid=$(id -u "$user"); mkdir -p "/run/user/$uid"; chown "$user:" "/run/user/$uid"; chmod 700 "/run/user/$uid"
      if [ -n "$cgroup" ]; then
        mkdir -p "/sys/fs/cgroup/$cgroup"; chown -R "$user:" "/sys/fs/cgroup/$cgroup"; echo $$ >"/sys/fs/cgroup/$cgroup/cgroup.procs"
      fi
      exec runuser -u "$user" -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$home" USER="$user" \
        XDG_RUNTIME_DIR="/run/user/$uid" "$@"' bash "$LAB_USER" "$HOME_IN_VCH" "$cgroup" "$@"
}

# vch_cgroup_name: the cgroup v2 group of a rootless VCH's engine (VCH_CGROUP=v2), below the hierarchy's root.
vch_cgroup_name() { echo "netconform-$NAME"; }

# vch_cgroup_remove: (down, after the VCH's processes ended) removes its engine's cgroup v2 group and the
# groups the engine made below it, found where this machine mounts the v2 hierarchy.
vch_cgroup_remove() {
  local v2 dir
  [ "$VCH_CGROUP" = v2 ] || return 0
  v2=$(findmnt -n -t cgroup2 -o TARGET | head -n 1)
  dir=$v2/$(vch_cgroup_name)
  [ -n "$v2" ] && [ -d "$dir" ] || return 0
  find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || say "could not remove the cgroup $dir (still in use?)"
}

# vch_up_engine LABEL START-FUNCTION ARGS...: unless the endpoint answers, starts the engine (unless
# its process still runs) and waits until it answers.
vch_up_engine() {
  local label=$1
  shift
  if answers "$ENDPOINT"; then
    say "$NAME already answers on $ENDPOINT"
    return 0
  fi
  alive "$VCH_PIDFILE" || "$@"
  vch_wait "$NAME" "$ENDPOINT" "$label"
}

# vch_podman_networks: a rootful Podman VCH's networks (after its engine answers): netconform-dhcp, a macvlan
# on its eth0 whose addresses come from the lab's DHCP server through netavark's DHCP proxy, which runs
# (unless it does) in the Podman service's mount and network namespaces (its socket is in the VCH's /run);
# and netconform-external, the container network, a macvlan on eth0 in the VCH's range (LAB_VCH_RANGE).
vch_podman_networks() {
  if ! alive "$LAB_RUN/$NAME-dhcp.pid"; then
    setsid nsenter --target "$(cat "$VCH_PIDFILE")" --mount --net -- /usr/lib/podman/netavark dhcp-proxy \
      --activity-timeout 0 >>"$LAB_LOG/$NAME-dhcp.log" 2>&1 </dev/null &
    echo $! >"$LAB_RUN/$NAME-dhcp.pid"
    say "started netavark's DHCP proxy in $NAME (log $LAB_LOG/$NAME-dhcp.log)"
  fi
  lab_network "$NAME" netconform-dhcp -d macvlan --ipam-driver dhcp -o parent=eth0
  lab_network "$NAME" netconform-external -d macvlan --subnet "$LAB_SUBNET" --ip-range "${LAB_VCH_RANGE[$NAME]}" \
    --gateway "$LAB_GATEWAY" -o parent=eth0
}
