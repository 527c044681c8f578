#!/bin/bash
# Build the netcam debug kernel: Debian's linux-source-6.12 configured from
# `make allnoconfig` plus tests/debug-kernel/config (KASAN, UBSAN, lockdep,
# DEBUG_ATOMIC_SLEEP, DEBUG_LIST, DEBUG_OBJECTS, kmemleak; just enough
# drivers to boot under tests/vm/run.sh and run the VM suites), installed as
# a kernel root and registered as build/vm/roots/debug, so that
# tests/vm/kernels.sh lists it and tests/vm/run.sh --kernel KVER boots it.
#
# usage: tests/debug-kernel/build.sh [--force] [--print-kver]
#   --force       rebuild even if the cache says it is up to date
#   --print-kver  print the installed kernel's KVER (nothing is built)
# Environment: JOBS (default: nproc), NICE (niceness of the compile, default
# 10: other jobs share the machine), LINUX_SOURCE (default
# /usr/src/linux-source-6.12.tar.xz, package linux-source-6.12).
#
# Layout under build/debug-kernel/ (nothing is copied into the repository):
#   src/                        the unpacked source (pristine, shared)
#   root/                       the kernel root:
#     boot/vmlinuz-KVER, boot/vmlinux-KVER (ELF, PVH entry), boot/config-KVER
#     lib/modules/KVER/         modules_install output
#     lib/modules/KVER/build -> ../../../usr/src/linux-debug (relative, so it
#                                 resolves the same inside the root and out)
#     usr/src/linux-debug/      the object tree (make O=): headers for
#                                 out-of-tree modules, make -C .../build M=DIR
#   stamp                       hash of the inputs of the installed build
# Rebuilt only when the fragment, the source tarball or this script changed
# (the build itself is incremental: kbuild recompiles what the new config
# touches).  Documentation/dev-guide/kernels.rst has the details.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

me=tests/debug-kernel/build.sh
die() { echo "$me: $*" >&2; exit 1; }
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
top=$repo/build/debug-kernel
src=$top/src
root=$top/root
obj=$root/usr/src/linux-debug
fragment=$here/config
tarball=${LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
jobs=${JOBS:-$(nproc)}
nice=${NICE:-10}

force=0
case ${1:-} in
    --force) force=1 ;;
    --print-kver)
        [ -f "$obj/include/config/kernel.release" ] || die "not built yet (run $me)"
        cat "$obj/include/config/kernel.release"; exit 0 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    '') ;;
    *) die "unknown argument '$1' (see --help)" ;;
esac

# --- build dependencies (Debian package names) -------------------------
need=()
[ -f "$tarball" ] || need+=(linux-source-6.12)
for t in bc:bc bison:bison flex:flex make:make gcc:gcc xz:xz-utils depmod:kmod; do
    command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
[ -f /usr/include/libelf.h ] || need+=(libelf-dev)
[ -f /usr/include/openssl/ssl.h ] || need+=(libssl-dev)
if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || die "missing: ${need[*]}; run: apt-get install ${need[*]}"
    echo "$me: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2 \
        || die "apt-get install ${need[*]} failed"
fi
[ -f "$tarball" ] || die "$tarball not found"

# --- cache ---------------------------------------------------------------
# The tarball is hashed by name, size and mtime (a new package version
# replaces it); the fragment and this script by content.
src_id=$(stat -c '%n %s %Y' "$tarball")
inputs=$( { echo "$src_id"; cat "$fragment" "$0"; } | sha256sum | cut -d' ' -f1)
register() {
    mkdir -p "$repo/build/vm/roots"
    ln -sfn ../../debug-kernel/root "$repo/build/vm/roots/debug"
}
if [ $force = 0 ] && [ "$(cat "$top/stamp" 2>/dev/null)" = "$inputs" ] \
   && [ -f "$obj/include/config/kernel.release" ]; then
    kver=$(cat "$obj/include/config/kernel.release")
    if [ -f "$root/boot/vmlinux-$kver" ] && [ -f "$root/lib/modules/$kver/modules.dep" ]; then
        register
        echo "$me: $kver is up to date ($root)" >&2
        echo "$kver"
        exit 0
    fi
fi
rm -f "$top/stamp"
t_start=$(date +%s)

# --- source --------------------------------------------------------------
mkdir -p "$top"
if [ "$(cat "$src/.netcam-source" 2>/dev/null)" != "$src_id" ]; then
    echo "$me: unpacking $tarball into $src" >&2
    rm -rf "$src" "$obj"
    mkdir -p "$src"
    tar -xJf "$tarball" -C "$src" --strip-components=1 || die "cannot unpack $tarball"
    echo "$src_id" > "$src/.netcam-source"
fi
t_src=$(date +%s)

# --- config --------------------------------------------------------------
kmake() { nice -n "$nice" make -C "$src" O="$obj" "$@"; }
mkdir -p "$obj"
kmake -s allnoconfig > "$top/config.log" 2>&1 || die "make allnoconfig failed (see $top/config.log)"
"$src/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$fragment" >> "$top/config.log" 2>&1 \
    || die "merge_config.sh failed (see $top/config.log)"
kmake -s olddefconfig >> "$top/config.log" 2>&1 || die "make olddefconfig failed (see $top/config.log)"
# Kconfig silently drops what it cannot satisfy: every line of the fragment
# must be in .config exactly as written ("is not set" lines: not set).
bad=0
while IFS= read -r line; do
    case $line in
        CONFIG_*=*)
            grep -qxF -- "$line" "$obj/.config" && continue
            opt=${line%%=*} ;;
        '# CONFIG_'*' is not set')
            opt=${line#\# }; opt=${opt%% *}
            grep -q "^$opt=" "$obj/.config" || continue ;;
        *) continue ;;
    esac
    have=$(grep -E "^$opt=|^# $opt is not set" "$obj/.config" || echo "$opt absent")
    echo "$me: fragment wants '$line', .config has '$have'" >&2
    bad=1
done < "$fragment"
[ $bad = 0 ] || die "the config fragment is not satisfied (missing dependencies?): fix $fragment"
t_cfg=$(date +%s)

# --- build ---------------------------------------------------------------
echo "$me: building in $obj with $jobs jobs (log: $top/build.log)" >&2
if ! kmake -j"$jobs" bzImage vmlinux modules > "$top/build.log" 2>&1; then
    grep -E 'error|Error' "$top/build.log" | head -n 20 >&2 || true
    die "kernel build failed (see $top/build.log)"
fi
kver=$(cat "$obj/include/config/kernel.release")
t_build=$(date +%s)

# --- install as a kernel root -----------------------------------------
rm -rf "$root/boot" "$root/lib"
mkdir -p "$root/boot" "$root/lib/modules"
cp "$obj/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$kver"
cp "$obj/vmlinux" "$root/boot/vmlinux-$kver"
cp "$obj/.config" "$root/boot/config-$kver"
cp "$obj/System.map" "$root/boot/System.map-$kver"
kmake -s INSTALL_MOD_PATH="$root" DEPMOD=depmod modules_install >> "$top/build.log" 2>&1 \
    || die "modules_install failed (see $top/build.log)"
# Relative: the same from the host and from inside the root (kernel-root.sh
# resolves absolute links with the root as /).
ln -sfn ../../../usr/src/linux-debug "$root/lib/modules/$kver/build"
rm -f "$root/lib/modules/$kver/source"
[ -f "$root/lib/modules/$kver/modules.dep" ] || die "no modules.dep after modules_install"
register
echo "$inputs" > "$top/stamp"
t_end=$(date +%s)
{
    echo "kver $kver"
    echo "unpack_seconds $((t_src - t_start))"
    echo "config_seconds $((t_cfg - t_src))"
    echo "build_seconds $((t_build - t_cfg))"
    echo "install_seconds $((t_end - t_build))"
    echo "total_seconds $((t_end - t_start))"
    echo "jobs $jobs"
} > "$top/timing.txt"
echo "$me: installed $kver in $root ($((t_end - t_start)) s: build $((t_build - t_cfg)) s); registered build/vm/roots/debug" >&2
echo "$kver"
