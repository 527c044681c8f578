# shellcheck shell=bash
# Helpers for running commands in the Debian 13 tree (tests/debian13/setup.sh),
# sourced by setup.sh, tests/build-driver.sh and VM suites.
#
#   d13_root                   the tree's path: build/debian13/root of this repo,
#                              or $NETCAM_DEBIAN13_ROOT
#   d13_kver ROOT              newest kernel in ROOT that has an image
#                              (/lib/modules/KVER/vmlinuz or /boot/vmlinuz-KVER)
#                              and headers; fails when there is none
#   d13_chroot ROOT [--bind DIR]... [--] CMD...
#                              run CMD chrooted in ROOT with /proc, /sys and
#                              /dev mounted, each DIR bind-mounted at its own
#                              path; returns CMD's status
#   d13_umount_all ROOT        release every mount below ROOT (a killed
#                              debootstrap's leftovers) before ROOT is removed
#
# d13_chroot mounts in a mount namespace of its own (unshare): the mounts
# are invisible to everything else, are unmounted by a trap when CMD ends,
# and vanish with the namespace even if the whole process group is killed.
# That also lets two chroot commands run at once, and it works on a tree
# that is read-only (inside the VM): only mount points are needed, and
# Debian's tree has /proc, /sys and /dev.

d13_root() {
    if [ -n "${NETCAM_DEBIAN13_ROOT:-}" ]; then
        printf '%s' "$NETCAM_DEBIAN13_ROOT"
    else
        printf '%s/build/debian13/root' "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    fi
}

d13_kver() {
    local r=$1 d k best=
    for d in "$r"/lib/modules/*/; do
        [ -d "$d" ] || continue
        k=$(basename "$d")
        [ -e "$d/vmlinuz" ] || [ -e "$r/boot/vmlinuz-$k" ] || continue
        [ -e "$d/build/Makefile" ] || continue
        best=$(printf '%s\n%s\n' "$best" "$k" | grep . | sort -V | tail -n 1)
    done
    [ -n "$best" ] || return 1
    echo "$best"
}

d13_chroot() {
    local r=$1
    shift
    [ -d "$r/proc" ] && [ -d "$r/sys" ] && [ -d "$r/dev" ] ||
        { echo "d13_chroot: $r is not a complete tree (no /proc, /sys or /dev); run tests/debian13/setup.sh" >&2; return 2; }
    unshare --mount --propagation private -- /bin/bash -c '
        r=$1; shift
        mounted=()
        release() {
            local i
            for (( i = ${#mounted[@]} - 1; i >= 0; i-- )); do
                umount -R "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}"
            done
        }
        trap release EXIT
        mnt() { mount "$@" && mounted+=("${@: -1}"); }
        mnt -t proc proc "$r/proc" || exit 2
        mnt -t sysfs sysfs "$r/sys" || exit 2
        mnt --rbind /dev "$r/dev" || exit 2
        while [ "${1:-}" = --bind ]; do
            [ -d "$r$2" ] || mkdir -p "$r$2" || exit 2
            mnt --bind "$2" "$r$2" || exit 2
            shift 2
        done
        [ "${1:-}" = -- ] && shift
        rc=0
        HOME=/root LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            chroot "$r" "$@" || rc=$?
        exit $rc
    ' d13_chroot "$r" "$@"
}

d13_umount_all() {
    local r m
    r=$(realpath "$1")
    # Deepest first, so that nested mounts go before their parents.
    awk -v r="$r" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts |
        sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
}
