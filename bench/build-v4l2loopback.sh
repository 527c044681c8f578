#!/bin/bash
# Build Debian's v4l2loopback (package v4l2loopback-dkms, 0.12.7) for the
# 6.1 kernel only, as the frame-path benchmark's comparison point.
#
# usage: bench/build-v4l2loopback.sh [KVER] [OUTDIR]
#   KVER    default 6.1.0-56-amd64 (0.12.7 does not build for 6.12)
#   OUTDIR  default build/bench
#
# The package is never installed: its DKMS postinst would try to build for
# every installed kernel and fails on 6.12, which breaks apt.  Instead the
# .deb is fetched with `apt-get download`, unpacked into
# OUTDIR/v4l2loopback-src and built with the kernel's Kbuild into
# OUTDIR/v4l2loopback-KSERIES/v4l2loopback.ko.  Idempotent: a module newer
# than its sources is kept.  Its code is never copied into the repository.
# Prints the path of the module on stdout.  Exit 0 on success, 1 on failure.
set -euo pipefail
me=bench/build-v4l2loopback.sh
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kver=${1:-6.1.0-56-amd64}
out=${2:-$repo/build/bench}
mkdir -p "$out"
out=$(cd "$out" && pwd)
series=$(echo "$kver" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
src=$out/v4l2loopback-src
dst=$out/v4l2loopback-$series
ko=$dst/v4l2loopback.ko

die() { echo "$me: $*" >&2; exit 1; }

[ -f "/lib/modules/$kver/build/Makefile" ] ||
    die "no headers for $kver in /lib/modules/$kver/build; install linux-headers-$kver"

# 1. The package's sources, fetched once.
if ! ls -d "$src"/usr/src/v4l2loopback-*/ >/dev/null 2>&1; then
    command -v apt-get >/dev/null || die "apt-get not found"
    dl=$out/v4l2loopback-deb
    mkdir -p "$dl"
    if ! ls "$dl"/v4l2loopback-dkms_*.deb >/dev/null 2>&1; then
        (cd "$dl" && apt-get download v4l2loopback-dkms >&2) ||
            die "apt-get download v4l2loopback-dkms failed (run apt-get update?)"
    fi
    deb=$(ls "$dl"/v4l2loopback-dkms_*.deb | sort -V | tail -n 1)
    rm -rf "$src"
    mkdir -p "$src"
    dpkg-deb -x "$deb" "$src" || die "dpkg-deb -x $deb failed"
fi
pkgsrc=$(ls -d "$src"/usr/src/v4l2loopback-*/ | sort -V | tail -n 1)
pkgsrc=${pkgsrc%/}
[ -f "$pkgsrc/v4l2loopback.c" ] || die "$pkgsrc/v4l2loopback.c missing"

# 2. Build in a copy per kernel series (Kbuild writes next to the sources).
if [ -f "$ko" ] && [ ! "$pkgsrc/v4l2loopback.c" -nt "$ko" ] &&
   [ "$(modinfo -F vermagic "$ko" 2>/dev/null | awk '{print $1}')" = "$kver" ]; then
    echo "$ko"
    exit 0
fi
rm -rf "$dst"
mkdir -p "$dst"
cp -r "$pkgsrc"/. "$dst"/
# The package's Makefile wants to be driven by DKMS; Kbuild needs only the
# object list, which its Kbuild/Makefile provides as obj-m.
make -C "/lib/modules/$kver/build" M="$dst" modules >"$dst/build.log" 2>&1 || {
    tail -n 30 "$dst/build.log" >&2
    die "building v4l2loopback for $kver failed (log: $dst/build.log)"
}
[ -f "$ko" ] || die "$ko not produced (log: $dst/build.log)"
echo "$ko"
