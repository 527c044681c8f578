# shellcheck shell=bash
# Helpers of the installed-system test (tests/installed/), sourced by
# build-image.sh and run.sh.
#
#   inst_die MSG               one line on stderr, exit 1
#   inst_step NAME CMD...      run CMD, print "== NAME: S s" (and its status)
#   inst_check_dist DIST       bookworm or trixie, else die
#   inst_image_hash            hash of the scripts that make the image
#   inst_mirror                the host's Debian mirror (apt-get indextargets)
#   inst_write_sources ROOT DIST MIRROR
#   inst_chroot ROOT CMD...    CMD chrooted in ROOT with /proc /sys /dev and
#                              the .deb cache mounted, in a mount namespace
#                              of its own (gone when CMD ends)
#   inst_apt ROOT ARGS...      apt-get -y ARGS in ROOT, no recommends, no
#                              initramfs questions, no services started
#   inst_kver ROOT             newest kernel in ROOT with image and headers
#   inst_umount_below DIR      release mounts a killed run left below DIR

INST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
INST_REPO=$(cd "$INST_DIR/../.." && pwd)
INST_BUILD=${NETCAM_INSTALLED_BUILD:-$INST_REPO/build/installed}
INST_DEBS=$INST_BUILD/debs

inst_die() { echo "${me:-tests/installed}: $*" >&2; exit 1; }

inst_step() {
    local name=$1 t0 rc=0
    shift
    t0=$(date +%s.%N)
    echo "${me:-tests/installed}: == $name"
    "$@" || rc=$?
    awk -v n="$name" -v a="$t0" -v b="$(date +%s.%N)" -v rc="$rc" -v me="${me:-tests/installed}" \
        'BEGIN { printf "%s: == %s: %.1f s%s\n", me, n, b - a, rc ? " (FAILED, exit " rc ")" : "" }'
    return $rc
}

inst_check_dist() {
    case $1 in bookworm|trixie) ;; *) inst_die "unknown release '$1' (bookworm or trixie)" ;; esac
}

inst_image_hash() {
    cat "$INST_DIR/build-image.sh" "$INST_DIR/lib.sh" | sha256sum | cut -d' ' -f1
}

# apt itself lists the repositories it uses, whichever format the sources
# are in; the Debian archive is the one whose URI ends in /debian/.
inst_mirror() {
    local m
    m=$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 2>/dev/null |
        grep -E '/debian/?$' | sed 's:/*$::' | head -n 1)
    [ -n "$m" ] || return 1
    echo "$m"
}

inst_write_sources() {
    local r=$1 dist=$2 mirror=$3 sec
    sec=$(apt-get indextargets --format '$(REPO_URI)' 'Created-By: Packages' 2>/dev/null |
        grep -E '/debian-security/?$' | sed 's:/*$::' | head -n 1 || true)
    rm -f "$r/etc/apt/sources.list"
    {
        printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates %s-backports\nComponents: main\n' \
            "$mirror" "$dist" "$dist" "$dist"
        printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
        if [ -n "$sec" ]; then
            printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' "$sec" "$dist"
            printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
        fi
    } > "$r/etc/apt/sources.list.d/debian.sources"
    cp -L /etc/resolv.conf "$r/etc/resolv.conf"
}

inst_chroot() {
    local r=$1
    shift
    local debs=$INST_DEBS/${INST_DIST:-any}
    mkdir -p "$debs/partial"
    unshare --mount --propagation private -- /bin/bash -c '
        set -e
        r=$1 debs=$2; shift 2
        mount -t proc proc "$r/proc"
        mount -t sysfs sysfs "$r/sys"
        mount --rbind /dev "$r/dev"
        mount --bind "$debs" "$r/var/cache/apt/archives"
        HOME=/root LC_ALL=C PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            exec chroot "$r" "$@"
    ' inst_chroot "$r" "$debs" "$@"
}

inst_apt() {
    local r=$1
    shift
    inst_chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get -y -q \
        -o Dpkg::Options::=--force-confold -o APT::Install-Recommends=false "$@"
}

inst_kver() {
    local r=$1 d k best=
    for d in "$r"/lib/modules/*/; do
        [ -d "$d" ] || continue
        k=$(basename "$d")
        [ -e "$r/boot/vmlinuz-$k" ] && [ -e "$d/build/Makefile" ] || continue
        best=$(printf '%s\n%s\n' "$best" "$k" | grep . | sort -V | tail -n 1)
    done
    [ -n "$best" ] || return 1
    echo "$best"
}

inst_umount_below() {
    local r m
    [ -e "$1" ] || return 0
    r=$(realpath "$1")
    awk -v r="$r" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts |
        sort -r | while read -r m; do umount "$m" 2>/dev/null || umount -l "$m"; done
}
