#!/bin/bash
# Print the installed kernel versions usable by tests/vm/run.sh, one per line,
# oldest first: those with /boot/vmlinuz-KVER, /lib/modules/KVER and headers
# (/lib/modules/KVER/build).  Only the 6.1 and 6.12 series are listed unless
# a different pattern (extended regex on KVER) is given:
#
# usage: tests/vm/kernels.sh [REGEX]          default: '^6\.(1|12)\.'
set -euo pipefail

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
if [ -z "$list" ]; then
    echo "tests/vm/kernels.sh: no usable kernel matching '$re'; install linux-image-VER and linux-headers-VER" >&2
    exit 1
fi
echo "$list"
