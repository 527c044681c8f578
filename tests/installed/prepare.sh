#!/bin/bash
# Make one round's boot disk (run by run.sh inside a mount namespace of its
# own): the cached image with an overlay on top (the cache is never
# written), the test's guest files, `apt-get install` of the .debs in a
# chroot (DKMS builds the module for every kernel with headers), optionally
# the newest kernel from DIST-backports, then an ext4 image of the result.
#
# usage: prepare.sh DIST ROUNDDIR DEBSDIR stock|backports
# Writes ROUNDDIR/disk.img, vmlinuz, initrd.img, kver, results.txt (the
# host-side checks), prepare.log.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin LC_ALL=C
me=tests/installed/prepare.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
dist=$1 rd=$2 debs=$3 kind=$4
INST_DIST=$dist
root=$INST_BUILD/$dist/root
res=$rd/results.txt
pass() { echo "PASS $1" >> "$res"; }
fail() { echo "FAIL $1: $2" >> "$res"; }

mkdir -p "$rd/upper" "$rd/ovwork" "$rd/merged"
mount -t overlay overlay -o "lowerdir=$root,upperdir=$rd/upper,workdir=$rd/ovwork" "$rd/merged" ||
    inst_die "cannot mount an overlay of $root on $rd/merged"
m=$rd/merged

# The test's files and units; the test cameras start at every boot.
mkdir -p "$m/netcam-test/debs"
install -m 755 "$here/guest/check.sh" "$here/guest/step.sh" "$here/../netcamd/rtsp-server.py" \
    "$m/netcam-test/"
# The RTSP test camera's clip, made here in seconds: ten minutes (longer
# than the test) of a moving test scene with a white box, a fifth of the
# picture, that crosses it for 6 s in every 12, which the motion analyzer
# must report. The server plays it from its start for each client.
ffmpeg -nostdin -hide_banner -loglevel error -f lavfi \
    -i "testsrc2=size=320x240:rate=10[bg];color=c=white:size=120x140:rate=10[box];[bg][box]overlay=x='if(lt(mod(t\,12)\,6)\,mod(t\,6)*80-120\,-200)':y=50" \
    -t 600 -c:v libx264 -preset veryfast -crf 30 -g 10 -pix_fmt yuv420p -movflags +faststart \
    "$m/netcam-test/cam.mp4" || inst_die "ffmpeg could not make the RTSP test camera's clip"
install -m 644 "$here/guest/installed-test.service" "$here/guest/testcam-rtsp.service" \
    "$here/guest/testcam-http.service" "$m/etc/systemd/system/"
for u in installed-test testcam-rtsp testcam-http; do
    ln -sf "/etc/systemd/system/$u.service" "$m/etc/systemd/system/multi-user.target.wants/$u.service"
done
cp "$debs"/netcam_*.deb "$debs"/netcam-dkms_*.deb "$m/netcam-test/debs/"
# No service may start in the chroot.
printf '#!/bin/sh\nexit 101\n' > "$m/usr/sbin/policy-rc.d"
chmod 755 "$m/usr/sbin/policy-rc.d"

# The install, as a user types it (apt resolves the dependencies).
t0=$SECONDS
if inst_chroot "$m" sh -c 'cd /netcam-test/debs && DEBIAN_FRONTEND=noninteractive apt-get install -y -q ./netcam_*.deb ./netcam-dkms_*.deb' \
        > "$rd/apt-install.log" 2>&1; then
    pass "install.apt-debs"
else
    fail "install.apt-debs" "apt-get install ./netcam_*.deb ./netcam-dkms_*.deb failed: $(tail -n 2 "$rd/apt-install.log" | tr '\n' ' ')"
fi
echo "apt install of the .debs (DKMS build included): $((SECONDS - t0)) s"
stock=$(inst_kver "$m") || inst_die "no kernel in $m"
# The user's part: the two test cameras in the configuration.
# Written over the package's conffile, which keeps its owner and mode.
if [ -f "$m/etc/netcam/netcam.conf" ] && cat "$here/guest/netcam.conf" > "$m/etc/netcam/netcam.conf"; then
    pass "install.config-written"
else
    fail "install.config-written" "the package installed no /etc/netcam/netcam.conf, or it cannot be written"
fi

if [ "$kind" = backports ]; then
    t0=$SECONDS
    if inst_chroot "$m" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            -o APT::Install-Recommends=false -t "$dist-backports" linux-image-amd64 linux-headers-amd64 \
            > "$rd/apt-kernel.log" 2>&1; then
        pass "install.backports-kernel"
    else
        fail "install.backports-kernel" "apt-get install -t $dist-backports linux-image-amd64 linux-headers-amd64 failed: $(tail -n 2 "$rd/apt-kernel.log" | tr '\n' ' ')"
    fi
    echo "apt install of the backports kernel (DKMS build included): $((SECONDS - t0)) s"
fi
kver=$(inst_kver "$m") || inst_die "no kernel in $m"
if [ "$kind" = backports ] && [ "$kver" = "$stock" ]; then
    fail "install.backports-kernel-newer" "the newest kernel is still $stock"
fi
# DKMS built the module during the install, for the kernel that boots.
if ls "$m/lib/modules/$kver/updates/dkms/"netcam.ko* > /dev/null 2>&1; then
    pass "install.dkms-built-$kver"
else
    fail "install.dkms-built-$kver" "no /lib/modules/$kver/updates/dkms/netcam.ko after the install: $(grep -i -m 3 'dkms\|error' "$rd/apt-install.log" "$rd/apt-kernel.log" 2>/dev/null | tr '\n' ' ' | cut -c1-300)"
fi
# GStreamer's plugin registry for the RTSP test camera, made here in a
# second: under TCG the server spent minutes making it before it listened.
inst_chroot "$m" env GST_REGISTRY=/netcam-test/gst-registry.bin python3 -c \
    'import gi; gi.require_version("Gst", "1.0"); from gi.repository import Gst; Gst.init(None)' ||
    fail "install.gst-registry" "GStreamer's registry could not be made in $m"
rm -f "$m/usr/sbin/policy-rc.d"
# What a first boot would redo (ConditionNeedsUpdate: ldconfig, the hwdb,
# the journal catalog) is done here natively: under TCG ldconfig alone
# takes a minute.
inst_chroot "$m" sh -c 'ldconfig && systemd-hwdb update && journalctl --update-catalog' ||
    inst_die "ldconfig, systemd-hwdb update or journalctl --update-catalog failed in $m"
touch "$m/etc/.updated" "$m/var/.updated"
echo "$kver" > "$rd/kver"
cp "$m/boot/vmlinuz-$kver" "$rd/vmlinuz"
cp "$m/boot/initrd.img-$kver" "$rd/initrd.img"

# The disk: an ext4 image made from the tree (no loop device, no mount).
t0=$SECONDS
mb=$(du -sm --apparent-size "$m" | cut -f1)
rm -f "$rd/disk.img"
truncate -s "$((mb * 13 / 10 + 1024))M" "$rd/disk.img"
mke2fs -q -t ext4 -L netcam-test -E root_owner=0:0 -d "$m" "$rd/disk.img" ||
    inst_die "mke2fs -d $m $rd/disk.img failed"
echo "ext4 image of ${mb} MB: $((SECONDS - t0)) s"
umount "$m"
rm -rf "$rd/upper" "$rd/ovwork" "$rd/merged"
