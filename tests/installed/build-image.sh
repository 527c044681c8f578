#!/bin/bash
# Make the Debian system the installed-system test boots (tests/installed/
# run.sh): debootstrap --variant=minbase of DIST plus systemd (init), udev,
# apt, dkms, the release's standard kernel image and headers, ffmpeg (the
# HTTP test camera and the capturing app), GStreamer's RTSP server with
# Python (the RTSP test camera: ffmpeg cannot serve RTSP) and an initramfs
# that mounts a virtio disk.  (The test's own files, guest/, are added by run.sh to each
# run's copy, so that changing them does not rebuild the image.)
#
# usage: tests/installed/build-image.sh bookworm|trixie
#
# Cached in build/installed/DIST/root: rebuilt only when the hash of the
# scripts that make it (this file and lib.sh) differs from
# build/installed/DIST/stamp.  Downloaded .debs are kept in
# build/installed/debs/DIST/ for the next build and for run.sh's installs.
# Needs root, debootstrap and the Debian mirror of the host's apt sources.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin LC_ALL=C

me=tests/installed/build-image.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"

[ $# = 1 ] || inst_die "usage: $me bookworm|trixie"
dist=$1
INST_DIST=$dist
inst_check_dist "$dist"
[ "$(id -u)" = 0 ] || inst_die "must run as root (debootstrap, chroot)"

dir=$INST_BUILD/$dist
root=$dir/root
want=$(inst_image_hash)
if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$want" ] && [ -x "$root/usr/bin/apt-get" ]; then
    echo "$me: $root is up to date"
    exit 0
fi

mirror=$(inst_mirror) || inst_die "no Debian mirror (a URI ending in /debian/) in the host's apt sources (apt-get indextargets)"
echo "$me: $dist from $mirror"
command -v debootstrap > /dev/null || inst_die "debootstrap not installed (apt-get install debootstrap)"

# Never half a tree in the cache: built in root.new, moved into place.
new=$dir/root.new
inst_umount_below "$new"
rm -rf --one-file-system "$new" "$dir/stamp"
mkdir -p "$new" "$INST_DEBS/$dist"
inst_step debootstrap unshare --mount --propagation private -- \
    debootstrap --variant=minbase --cache-dir="$INST_DEBS/$dist" "$dist" "$new" "$mirror" \
    || inst_die "debootstrap $dist failed (see $new/debootstrap/debootstrap.log)"

inst_write_sources "$new" "$dist" "$mirror"
# No service may start in the chroot.
printf '#!/bin/sh\nexit 101\n' > "$new/usr/sbin/policy-rc.d"
chmod 755 "$new/usr/sbin/policy-rc.d"
# A small initramfs: only what mounts the root disk (virtio-blk, ext4).
mkdir -p "$new/etc/initramfs-tools/conf.d"
echo MODULES=list > "$new/etc/initramfs-tools/conf.d/netcam-test.conf"
printf '%s\n' virtio_pci virtio_blk ext4 crc32c_generic > "$new/etc/initramfs-tools/modules"

kpkgs=(linux-image-amd64 linux-headers-amd64)
inst_step apt-update inst_apt "$new" update
inst_step packages inst_apt "$new" install systemd systemd-sysv udev dbus kmod \
    dkms initramfs-tools adduser procps iproute2 ffmpeg \
    python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good "${kpkgs[@]}" \
    || inst_die "installing the packages into $new failed"

# The system: root disk, hostname, a fixed machine-id (no first-boot
# prompts), the serial console, nothing that waits for a network.
echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' > "$new/etc/fstab"
echo netcam-test > "$new/etc/hostname"
rm -f "$new/etc/machine-id"
inst_chroot "$new" systemd-machine-id-setup > /dev/null
inst_chroot "$new" passwd -d root > /dev/null
rm -f "$new/usr/sbin/policy-rc.d"

kver=$(inst_kver "$new") || inst_die "no kernel with headers in $new"
[ -s "$new/boot/initrd.img-$kver" ] || inst_die "no initramfs for $kver in $new/boot"
mv "$root" "$root.old" 2>/dev/null || true
rm -rf --one-file-system "$root.old"
mv "$new" "$root"
echo "$want" > "$dir/stamp"
echo "$me: done: $dist with kernel $kver in $root ($(du -sh "$root" | cut -f1))"
