#!/bin/bash
# Make a Debian 13 (trixie) tree in build/debian13/root with the newest
# kernel Debian builds (trixie-backports), its headers and a compiler to
# build modules for it, and Debian 13's v4l-utils (v4l2-compliance 1.30).
# The tree is then registered as a kernel root (build/vm/roots/debian13),
# so that tests/vm/run.sh can boot its kernel and tests/build-driver.sh
# builds netcam.ko for it inside the tree.
#
# usage: tests/debian13/setup.sh [--force]
#
# $NETCAM_DEBIAN13_ROOT: make the tree there instead of build/debian13/root.
# Cached: when the tree is complete and this script has not changed since
# (ROOT.setup-stamp holds the script's hash), it does nothing.  --force redoes
# the package steps (not the debootstrap) even then.  Every step prints the
# seconds it took.  Needs root (debootstrap, chroot, mounts) and Debian's
# mirror, read from the host's apt sources.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
export LC_ALL=C

me=tests/debian13/setup.sh
die() { echo "$me: $*" >&2; exit 1; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$here/chroot.sh"

# $NETCAM_DEBIAN13_ROOT makes (and registers) a tree elsewhere.
root=$(d13_root)
stamp=$root.setup-stamp
force=0
[ "${1:-}" = --force ] && force=1
[ $# -le $force ] || die "usage: $me [--force]"
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot and mounts)"

# Register the tree as a kernel root for tests/vm (kernels.sh, run.sh).
register() {
    local target=../../debian13/root
    [ "$root" -ef "$repo/build/debian13/root" ] || target=$(realpath "$root")
    mkdir -p "$repo/build/vm/roots"
    ln -sfn "$target" "$repo/build/vm/roots/debian13"
}

want=$(sha256sum "$0" "$here/chroot.sh" | sha256sum | cut -d' ' -f1)
if [ $force = 0 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
   && d13_kver "$root" > /dev/null; then
    register
    echo "$me: $root is up to date (kernel $(d13_kver "$root")); nothing to do"
    exit 0
fi

# step NAME CMD...: run CMD and print how long it took.
step() {
    local name=$1 t0 rc=0
    shift
    t0=$(date +%s.%N)
    echo "$me: == $name"
    "$@" || rc=$?
    awk -v n="$name" -v a="$t0" -v b="$(date +%s.%N)" -v rc="$rc" \
        'BEGIN { printf "'"$me"': == %s: %.1f s%s\n", n, b - a, rc ? " (FAILED, exit " rc ")" : "" }'
    return $rc
}

# The Debian mirror the host's apt uses: the first enabled "deb" source
# whose URI ends in /debian, one-line (sources.list) or deb822 (.sources).
host_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; break } }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # One deb822 stanza per paragraph; skip those with Enabled: no or
        # without Types: deb.
        awk 'BEGIN { RS = ""; FS = "\n" }
             { uris = ""; deb = 0; off = 0
               for (i = 1; i <= NF; i++) {
                   if ($i ~ /^Types:/ && $i ~ /[ \t]deb([ \t]|$)/) deb = 1
                   if ($i ~ /^Enabled:[ \t]*no/) off = 1
                   if ($i ~ /^URIs:/) { uris = $i; sub(/^URIs:[ \t]*/, "", uris) }
               }
               if (deb && !off) { n = split(uris, u, /[ \t]+/); for (j = 1; j <= n; j++) print u[j] } }' "$f"
    done
}
mirror=$(host_mirror | sed 's:/*$::' | grep -E '/debian$' | head -n 1 || true)
[ -n "$mirror" ] || die "no Debian mirror (a URI ending in /debian) in /etc/apt/sources.list or /etc/apt/sources.list.d/"
security=$(host_mirror | sed 's:/*$::' | grep -E '/debian-security$' | head -n 1 || true)
echo "$me: mirror $mirror${security:+, security $security}"

if ! command -v debootstrap > /dev/null; then
    step install-debootstrap apt-get install -y debootstrap
fi

mkdir -p "$(dirname "$root")"
# A tree is complete when debootstrap removed its work directory; an
# interrupted one is removed (after releasing any mounts a killed run left).
if [ -d "$root" ] && { [ -d "$root/debootstrap" ] || [ ! -x "$root/usr/bin/apt-get" ]; }; then
    echo "$me: removing incomplete tree $root"
    d13_umount_all "$root"
    rm -rf --one-file-system "$root"
fi
if [ ! -d "$root" ]; then
    # In a mount namespace of its own: the /proc and /sys debootstrap mounts
    # in the tree go away with it even when it fails or is killed.
    step debootstrap unshare --mount --propagation private -- \
        debootstrap --variant=minbase trixie "$root" "$mirror" \
        || die "debootstrap failed (see $root/debootstrap/debootstrap.log)"
fi

# Sources of the tree: trixie, its updates and security, and backports
# (where the newest kernel is).
write_sources() {
    rm -f "$root/etc/apt/sources.list"
    {
        printf 'Types: deb\nURIs: %s\nSuites: trixie trixie-updates trixie-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$mirror"
        [ -z "$security" ] ||
            printf '\nTypes: deb\nURIs: %s\nSuites: trixie-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$security"
    } > "$root/etc/apt/sources.list.d/debian.sources"
    # apt inside the chroot resolves the mirror with the host's resolver;
    # no service may start in a chroot.
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
    printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
}
step sources write_sources

# Everything else runs in the chroot with /proc, /sys and /dev mounted for
# each command and unmounted after it, also on failure (d13_chroot).
# INITRD=No: the kernel's postinst hook skips building an initramfs (about
# a minute with dracut): tests/vm/run.sh boots it with its own.
apt_in() {
    d13_chroot "$root" env DEBIAN_FRONTEND=noninteractive INITRD=No apt-get -y \
        -o Dpkg::Options::=--force-confold -o APT::Install-Recommends=false "$@"
}
step apt-update apt_in update
step toolchain apt_in install build-essential gcc-14 make kmod
step v4l-utils apt_in install v4l-utils

# The newest kernel: the headers metapackage from backports names the
# version; its image is in linux-binary-KVER (or linux-image-KVER) and its
# modules in linux-modules-KVER, whichever exist.
install_kernel() {
    local kver pkgs=() p
    apt_in install -t trixie-backports linux-headers-amd64 || return
    kver=$(d13_chroot "$root" dpkg-query -W -f '${Depends}\n' linux-headers-amd64 |
        grep -o 'linux-headers-[0-9][^ ,]*' | head -n 1 | sed 's/^linux-headers-//')
    [ -n "$kver" ] || { echo "$me: cannot tell the kernel version of linux-headers-amd64" >&2; return 1; }
    echo "$me: kernel $kver"
    for p in "linux-binary-$kver" "linux-modules-$kver" "linux-image-$kver"; do
        d13_chroot "$root" apt-cache show "$p" > /dev/null 2>&1 && pkgs+=("$p")
    done
    [ ${#pkgs[@]} -gt 0 ] || { echo "$me: no image package for $kver in trixie-backports" >&2; return 1; }
    apt_in install -t trixie-backports "${pkgs[@]}"
}
step kernel install_kernel
step clean apt_in clean

kver=$(d13_kver "$root") || die "no complete kernel in $root/lib/modules (vmlinuz and build/Makefile)"
d13_chroot "$root" v4l2-compliance --version | head -n 2 || die "v4l2-compliance does not run in $root"

register
echo "$want" > "$stamp"
echo "$me: done: kernel $kver in $root, registered as build/vm/roots/debian13"
