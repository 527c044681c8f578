#!/bin/bash
# Install what building and testing netcam needs, from Debian's packages,
# when it is missing. Used by `make demo`, `make check` and .ci/run.
#
# usage: tests/install-deps.sh [--quiet]
# Exit 0 when everything is there; 1 with a message naming what is missing
# when it cannot be installed (not root, apt failed).
set -uo pipefail

# Kernels first: v4l2loopback-dkms or other DKMS packages installed before a
# kernel can make that kernel's installation fail.
KERNEL_PKGS=(linux-image-amd64 linux-headers-amd64
             linux-image-6.12-amd64 linux-headers-6.12-amd64)
PKGS=(build-essential pkg-config kmod cpio xz-utils busybox-static
      qemu-system-x86 linux-source-6.1 dkms
      libjpeg-dev v4l-utils ffmpeg python3 python3-gi iproute2
      libv4l-dev libudev-dev libsystemd-dev
      libavformat-dev libavcodec-dev libswscale-dev libavutil-dev
      gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
      gir1.2-gst-rtsp-server-1.0 vlc-bin vlc-plugin-base motion
      strace debootstrap clang
      debhelper dh-dkms lintian fakeroot groff
      pipewire pipewire-bin wireplumber dbus e2fsprogs
      linux-source-6.12 bc bison flex libelf-dev libssl-dev)
# The last two lines: tests/debian13/setup.sh (the Debian 13 tree) and
# tests/debug-kernel/build.sh (the debug kernel), which tests/check.sh runs
# at the same time in the background: two apt-get runs would race for the
# dpkg lock, so their packages come from here, first.

missing() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
            echo "$p"
    done
}

need_kernel=$(missing "${KERNEL_PKGS[@]}")
need=$(missing "${PKGS[@]}")
[ -z "$need_kernel$need" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "tests/install-deps.sh: missing packages:" $need_kernel $need >&2
    echo "tests/install-deps.sh: run as root, or: sudo apt-get install" $need_kernel $need >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "tests/install-deps.sh: installing:" $need_kernel $need
apt-get update -q >/dev/null || { echo "tests/install-deps.sh: apt-get update failed" >&2; exit 1; }
if [ -n "$need_kernel" ]; then
    apt-get install -y -q --no-install-recommends $need_kernel ||
        { echo "tests/install-deps.sh: cannot install" $need_kernel >&2; exit 1; }
fi
if [ -n "$need" ]; then
    apt-get install -y -q --no-install-recommends $need ||
        { echo "tests/install-deps.sh: cannot install" $need >&2; exit 1; }
fi
# Debian's motion package enables and starts a Motion daemon on
# /dev/video0; the tests want only the program (Motion's stream server is
# a real digest-auth camera for tests/netcamd), so switch the service off.
if grep -qx motion <<< "$need" && [ -d /run/systemd/system ]; then
    systemctl disable --now motion.service > /dev/null 2>&1 || true
    echo "tests/install-deps.sh: installed motion; its system service is disabled (systemctl enable --now motion to use it)"
fi
exit 0
