#!/bin/bash
# Build netcam.ko for one kernel, with W=1, in OUTDIR (the top-level
# Makefile's "driver" rule calls this).
#
# usage: tests/build-driver.sh KVER OUTDIR
#
# The driver sources are copied to OUTDIR first: Kbuild writes its objects
# next to them, and two kernels must not share objects.  A host kernel
# (/lib/modules/KVER/build on this system) is built with the host's
# compiler.  A kernel of a registered kernel root (tests/vm/kernel-root.sh,
# e.g. Debian 13's from tests/debian13/setup.sh) is built INSIDE that root
# with its own compiler: its headers were configured for it (gcc-14 for
# Debian 13; the host's gcc-12 would not match CONFIG_CC_VERSION_TEXT and
# lacks options its Makefiles use).  OUTDIR is bind-mounted into the root
# at its own path for the build and unmounted afterwards, also on failure.
# Exit status: make's, or 2 on usage/set-up errors.
set -euo pipefail

me=tests/build-driver.sh
die() { echo "$me: $*" >&2; exit 2; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

[ $# -eq 2 ] || die "usage: $me KVER OUTDIR"
kver=$1 out=$2
[ -n "$kver" ] || die "KVER is empty (tests/vm/kernels.sh lists kernels)"
mkdir -p "$out" || die "cannot create $out"
out=$(realpath "$out")
case $out in *[[:space:]]*) die "OUTDIR must not contain spaces: $out" ;; esac

# Host headers win (as in tests/vm/kernel-root.sh); they are enough to
# build, even without the kernel's image installed.
if [ -f "/lib/modules/$kver/build/Makefile" ]; then
    root=/
else
    root=$("$repo/tests/vm/kernel-root.sh" "$kver" 2>/dev/null) ||
        die "kernel $kver not found on the host nor in a registered root; install linux-headers-$kver, or run tests/debian13/setup.sh for Debian 13's kernel"
    "$repo/tests/vm/kernel-root.sh" --build "$kver" > /dev/null ||
        die "no headers for $kver in $root (install linux-headers-$kver there)"
fi

cp -r "$repo/driver/Kbuild" "$repo"/driver/*.c "$repo"/driver/*.h "$repo/driver/include" "$out/"

if [ "$root" = / ]; then
    exec make -C "/lib/modules/$kver/build" M="$out" W=1 modules
fi
# A root that is not a system of its own (the debug kernel's: a kernel tree
# built on this host, with this host's compiler) is built here.
if [ ! -x "$root/usr/bin/apt-get" ]; then
    exec make -C "$("$repo/tests/vm/kernel-root.sh" --build "$kver")" M="$out" W=1 modules
fi

[ "$(id -u)" = 0 ] || die "building for $kver in $root needs root (chroot and bind mount)"
. "$repo/tests/debian13/chroot.sh"
d13_chroot "$root" test -x /usr/bin/make -a -x /usr/bin/gcc ||
    die "$root has no make or gcc; (re)run its setup (tests/debian13/setup.sh for Debian 13)"
echo "$me: building for $kver inside $root"
d13_chroot "$root" --bind "$out" -- make -C "/lib/modules/$kver/build" M="$out" W=1 modules
