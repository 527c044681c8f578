#!/bin/bash
# Where the files of a kernel usable by tests/vm/run.sh live.
#
# A kernel root R is a directory holding R/lib/modules/KVER/ (modules,
# modules.dep), the image at R/boot/vmlinuz-KVER or R/lib/modules/KVER/vmlinuz
# and the headers at R/lib/modules/KVER/build.  Symlinks inside R are resolved
# with R as "/" (a debootstrapped tree's build -> /usr/src/linux-headers-X is
# R/usr/src/linux-headers-X).  Host kernels have R=/.  Other roots are
# registered as symlinks build/vm/roots/NAME -> R ($NETCAM_VM_ROOTS overrides
# build/vm/roots); see Documentation/dev-guide/kernels.rst.
#
# usage: tests/vm/kernel-root.sh KVER             the root directory of KVER
#        tests/vm/kernel-root.sh --build KVER     its headers (kbuild) directory
#        tests/vm/kernel-root.sh --modules KVER   its lib/modules/KVER directory
#        tests/vm/kernel-root.sh --image KVER     its bootable image (bzImage)
#        tests/vm/kernel-root.sh --vmlinux KVER   its uncompressed ELF vmlinux,
#                                                 if the root ships one
#        tests/vm/kernel-root.sh --list           "KVER ROOT" of every kernel
#                                                 in the registered roots
# All printed paths are host paths with the symlinks resolved.  Host kernels
# win over a registered root holding the same KVER.  Exit status 1 when KVER
# (or the asked file) is not found.
set -euo pipefail

me=tests/vm/kernel-root.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
roots=${NETCAM_VM_ROOTS:-$repo/build/vm/roots}

# resolve ROOT PATH: the host path of PATH as seen from inside ROOT, every
# symlink resolved component by component with ROOT as "/" (an absolute
# target restarts at ROOT, ".." never leaves it).  ROOT "" is the host's /.
resolve() {
    local root=$1 rest=$2 cur='' comp target n=0
    while [ -n "$rest" ]; do
        comp=${rest%%/*}
        if [ "$comp" = "$rest" ]; then rest=''; else rest=${rest#*/}; fi
        case $comp in
            ''|.) continue ;;
            ..) cur=${cur%/*}; continue ;;
        esac
        if [ -L "$root$cur/$comp" ]; then
            n=$((n + 1))
            [ $n -le 40 ] || { echo "$me: too many symlinks below $root in $2" >&2; return 1; }
            target=$(readlink "$root$cur/$comp")
            case $target in /*) cur='' ;; esac
            rest=$target${rest:+/$rest}
        else
            cur=$cur/$comp
        fi
    done
    printf '%s\n' "${root}${cur:-/}"
}

# A root (without trailing slash, "" for /) has kernel KVER when its
# lib/modules/KVER/modules.dep and an image exist.
has_kernel() {   # root kver
    [ -f "$(resolve "$1" "/lib/modules/$2/modules.dep")" ] && image "$1" "$2" >/dev/null
}
image() {   # root kver
    local f
    for f in "/boot/vmlinuz-$2" "/lib/modules/$2/vmlinuz"; do
        f=$(resolve "$1" "$f")
        [ -f "$f" ] && { printf '%s\n' "$f"; return 0; }
    done
    return 1
}
vmlinux() {   # root kver: an ELF image, used for the faster PVH boot
    local f
    [ -n "$1" ] || return 1   # host kernels: run.sh unpacks the bzImage
    for f in "/boot/vmlinux-$2" "/lib/modules/$2/vmlinux"; do
        f=$(resolve "$1" "$f")
        [ -f "$f" ] && [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 7f454c46 ] \
            && { printf '%s\n' "$f"; return 0; }
    done
    return 1
}

# Registered roots, one "NAME DIR" a line (DIR resolved, no trailing slash).
registered() {
    local l d
    [ -d "$roots" ] || return 0
    for l in "$roots"/*; do
        [ -L "$l" ] || [ -d "$l" ] || continue
        if ! d=$(realpath -e "$l" 2>/dev/null) || [ ! -d "$d" ]; then
            echo "$me: ignoring $l: not a directory" >&2
            continue
        fi
        [ "$d" = / ] && continue
        printf '%s %s\n' "$(basename "$l")" "$d"
    done
}

# root_of KVER: prints the root ("" for the host) or fails.
root_of() {
    local name d
    if has_kernel '' "$1"; then
        printf '\n'
        return 0
    fi
    while read -r name d; do
        if has_kernel "$d" "$1"; then
            printf '%s\n' "$d"
            return 0
        fi
    done < <(registered)
    echo "$me: kernel $1 found neither on the host (/boot, /lib/modules) nor in $roots/*" >&2
    return 1
}

what=root
case ${1:-} in
    --build|--modules|--image|--vmlinux) what=${1#--}; shift ;;
    --list)
        registered | while read -r name d; do
            for m in "$(resolve "$d" /lib/modules)"/*/; do
                k=$(basename "$m")
                [ "$k" != '*' ] && has_kernel "$d" "$k" && printf '%s %s\n' "$k" "$d"
            done
        done
        exit 0 ;;
    -h|--help|'') sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; [ -n "${1:-}" ]; exit ;;
esac
[ $# -eq 1 ] || { echo "$me: usage: $me [--build|--modules|--image|--vmlinux] KVER" >&2; exit 2; }
kver=$1
root=$(root_of "$kver")
case $what in
    root)    printf '%s\n' "${root:-/}" ;;
    modules) resolve "$root" "/lib/modules/$kver" ;;
    image)   image "$root" "$kver" ;;
    vmlinux) vmlinux "$root" "$kver" ;;
    build)
        b=$(resolve "$root" "/lib/modules/$kver/build")
        if [ ! -f "$b/Makefile" ]; then
            echo "$me: no headers for $kver: $b/Makefile not found" >&2
            exit 1
        fi
        printf '%s\n' "$b" ;;
esac
