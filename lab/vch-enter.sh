#!/usr/bin/env bash
# lab/vch-enter.sh NAME STATE_DIR CMD...: becomes a VCH-like host's root and runs CMD there.
# Called by lab/vch.sh inside the host's own network namespace (nsenter) and a new mount namespace
# (unshare --mount): this script builds that mount namespace and pivots into it, so the engine sees
# the Debian sid root (read-only below a writable layer of its own), its own storage, its own /run
# and /tmp, the lab DNS as its only nameserver, and its API socket folder, which is a folder of the
# lab's on this host's filesystem.
#
#   /                        overlay: lower $VCH_ROOT (the sid root, or the next root), upper
#                            $LAB_VCH_DIR/NAME/upper (vch_prepare keeps it to the layer made over that root)
#   STATE_DIR                bind of $LAB_VCH_DIR/NAME/storage (an overlay root cannot hold overlay2 layers)
#   /run/netconform-api      bind of $LAB_RUN/NAME (the socket the suite reaches)
#   /etc/resolv.conf         bind of $LAB_RUN/resolv.conf (nameserver 198.51.100.1 only)
#   /sys                     a sysfs of this network namespace, with this machine's cgroup mounts
#                            (VCH_CGROUP=host), or the cgroup v2 hierarchy alone at /sys/fs/cgroup
#                            (VCH_CGROUP=v2: Podman 6 refuses a hybrid v1/v2 host; on this one the
#                            v2 hierarchy holds no controllers, so no container gets resource limits)
#   holder                   a process that keeps the namespace ($LAB_RUN/NAME/holder.pid)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
# shellcheck source=lab/vch.sh
. "$here/vch.sh"
name=$1 state=$2
shift 2
lower=${VCH_ROOT:-$LAB_SID_ROOT} cgroup=${VCH_CGROUP:-host}
unset VCH_ROOT VCH_CGROUP
dir=$LAB_VCH_DIR/$name
root=$dir/root
mkdir -p "$dir/upper" "$dir/work" "$dir/storage" "$root" "$LAB_RUN/$name"
mount --make-rprivate /
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" "$root"
mount --rbind /dev "$root/dev"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
case "$cgroup" in
  v2) mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup" ;;
  *) mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup" ;;
esac
[ -d /lib/modules ] && mkdir -p "$root/lib/modules" && mount --rbind /lib/modules "$root/lib/modules"
mount -t tmpfs -o mode=755 tmpfs "$root/run"
mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
mkdir -p "$root$state" "$root/run/netconform-api"
mount --bind "$dir/storage" "$root$state"
mount --bind "$LAB_RUN/$name" "$root/run/netconform-api"
mount --bind "$LAB_RUN/resolv.conf" "$root/etc/resolv.conf"
cd "$root"
mkdir -p .oldroot
pivot_root . .oldroot
cd /
umount -l /.oldroot
rmdir /.oldroot 2>/dev/null || true
# Rootless engines want a shared root to propagate their own mounts; nothing leaves this namespace.
mount --make-rshared /
# A holder keeps this mount namespace while the engine is stopped (lab/control-plane.sh): started
# again, the engine enters it (vch_start) and finds its containers' mounts and runtime state in /run.
sleep infinity </dev/null >/dev/null 2>&1 &
echo $! >/run/netconform-api/holder.pid
exec "$@"
