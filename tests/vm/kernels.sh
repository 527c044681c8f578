#!/bin/bash
# Print the kernel versions usable by tests/vm/run.sh, one per line, oldest
# first: the host's kernels with /boot/vmlinuz-KVER, /lib/modules/KVER and
# headers (/lib/modules/KVER/build), then every kernel of the roots registered
# in build/vm/roots/ (tests/vm/kernel-root.sh, Documentation/dev-guide/
# kernels.rst) that has an image and headers.  Of the host's kernels only the
# 6.1 and 6.12 series are listed unless a different pattern (extended regex on
# KVER) is given; registered roots are always listed in full.
#
# usage: tests/vm/kernels.sh [--host] [REGEX]     default: '^6\.(1|12)\.'
#   --host   host kernels only (no registered roots)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
host_only=0
if [ "${1:-}" = --host ]; then host_only=1; shift; fi
re=${1:-'^6\.(1|12)\.'}
list=$(for d in /lib/modules/*/; do
    [ -d "$d" ] || continue
    k=$(basename "$d")
    [[ $k =~ $re ]] || continue
    if [ ! -e "/boot/vmlinuz-$k" ]; then
        echo "tests/vm/kernels.sh: skipping $k: /boot/vmlinuz-$k not found; install linux-image-$k" >&2
        continue
    fi
    if [ ! -e "/lib/modules/$k/build/Makefile" ]; then
        echo "tests/vm/kernels.sh: skipping $k: no headers; install linux-headers-$k" >&2
        continue
    fi
    echo "$k"
done | sort -V)
if [ $host_only = 0 ]; then
    roots=$("$here/kernel-root.sh" --list | while read -r k d; do
        # A KVER also on the host is the host's (kernel-root.sh prefers it).
        [ -d "/lib/modules/$k" ] && [ -e "/boot/vmlinuz-$k" ] && continue
        if ! "$here/kernel-root.sh" --build "$k" >/dev/null 2>&1; then
            echo "tests/vm/kernels.sh: skipping $k in $d: no headers (lib/modules/$k/build/Makefile)" >&2
            continue
        fi
        echo "$k"
    done | sort -V)
    [ -z "$roots" ] || list=$(printf '%s\n%s\n' "$list" "$roots" | sed '/^$/d')
fi
if [ -z "$list" ]; then
    echo "tests/vm/kernels.sh: no usable kernel matching '$re'; install linux-image-VER and linux-headers-VER" >&2
    exit 1
fi
echo "$list"
