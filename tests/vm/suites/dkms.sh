#!/bin/bash
# DKMS suite, run INSIDE the VM by tests/vm/run.sh:
#
#   make dkms-install            (on the host, as root, before booting)
#   tests/vm/run.sh --kernel KVER --script tests/vm/suites/dkms.sh --out DIR
#
# The VM sees the host's / read-only, so the module must already be in
# /lib/modules/$KVER/updates/dkms/ (and in modules.dep) on the host. Checks
# that `modprobe netcam` picks the DKMS-built module (modinfo -n is under
# updates/dkms, the loaded srcversion is that file's, and the same as that
# of build/$KVER/driver/netcam.ko, so it is not stale), that /dev/netcam
# appears root-only (0600) and answers NETCAM_IOC_VERSION, that the
# max_cameras parameter is honoured and 0 is refused, and that
# `modprobe -r netcam` removes it again. SKIP when no DKMS module is
# installed for $KVER.
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"

DKMS_DIR=/lib/modules/$KVER/updates/dkms

loaded() { grep -q '^netcam ' /proc/modules; }

wait_for() {    # wait_for TEST...: up to 5 s for `test TEST...` to hold
    local i
    for i in $(seq 1 50); do
        test "$@" && return 0
        sleep 0.1
    done
    return 1
}

# NETCAM_IOC_VERSION = _IOR(0xd6, 0x00, struct netcam_version): 32 bytes.
# Prints "major minor max_cameras".
ioc_version() {
    python3 - <<'PY'
import fcntl, os, struct
IOC_READ, size = 2, 32
cmd = (IOC_READ << 30) | (size << 16) | (0xd6 << 8) | 0x00
fd = os.open("/dev/netcam", os.O_RDONLY)
buf = fcntl.ioctl(fd, cmd, bytes(size))
os.close(fd)
major, minor, maxc, *reserved = struct.unpack("8I", buf)
assert not any(reserved), "reserved fields not zeroed"
print(major, minor, maxc)
PY
}

ko=$(ls "$DKMS_DIR"/netcam.ko* 2>/dev/null | head -n 1)
if [ -z "$ko" ]; then
    vm_skip dkms-installed "no netcam.ko* in $DKMS_DIR: run 'make dkms-install' on the host first"
    vm_finish
fi
vm_pass dkms-installed "$ko"

# modprobe resolves through modules.dep, which dkms install refreshed.
path=$(modinfo -n netcam 2>/dev/null)
case $path in
    "$DKMS_DIR"/netcam.ko*) vm_pass dkms-modinfo-path "$path" ;;
    "") vm_fail dkms-modinfo-path "modinfo -n netcam finds nothing (modules.dep of $KVER not refreshed? run depmod $KVER)"
        vm_finish ;;
    *)  vm_fail dkms-modinfo-path "modinfo -n netcam is $path, not under $DKMS_DIR"
        vm_finish ;;
esac

vermagic=$(modinfo -F vermagic netcam 2>/dev/null | sed "s/ *$//")
case $vermagic in
    "$KVER "*) vm_pass dkms-vermagic "$vermagic" ;;
    *) vm_fail dkms-vermagic "vermagic '$vermagic' is not for $KVER" ;;
esac

# srcversion hashes the module's sources: the DKMS module must come from
# the same sources as this tree's build (make drivers, which make check
# runs first), or this suite would vouch for stale code.
tree_ko=$NETCAM_SRC/build/$KVER/driver/netcam.ko
if [ -f "$tree_ko" ]; then
    a=$(modinfo -F srcversion netcam 2>/dev/null)
    b=$(modinfo -F srcversion "$tree_ko" 2>/dev/null)
    if [ -n "$a" ] && [ "$a" = "$b" ]; then
        vm_pass dkms-current "srcversion $a = build/$KVER/driver/netcam.ko"
    else
        vm_fail dkms-current "installed DKMS module (srcversion '$a') is not built from these sources ('$b'): run 'make dkms-install' again"
    fi
else
    vm_skip dkms-current "no build/$KVER/driver/netcam.ko to compare with (make driver KVER=$KVER)"
fi

if loaded; then
    vm_fail dkms-not-preloaded "netcam is already loaded before the test"
    vm_finish
fi

# 1. Default load.
vm_run dkms-modprobe modprobe netcam || vm_finish
want=$(modinfo -F srcversion netcam 2>/dev/null)
have=$(cat /sys/module/netcam/srcversion 2>/dev/null)
if [ -n "$want" ] && [ "$want" = "$have" ]; then
    vm_pass dkms-loaded-is-dkms "srcversion $have, version $(cat /sys/module/netcam/version 2>/dev/null)"
else
    vm_fail dkms-loaded-is-dkms "loaded srcversion '$have', $path has '$want'"
fi

if wait_for -c /dev/netcam; then
    mode=$(stat -c '%a %U' /dev/netcam)
    if [ "$mode" = "600 root" ]; then
        vm_pass dkms-dev-netcam "/dev/netcam $mode"
    else
        vm_fail dkms-dev-netcam "/dev/netcam is '$mode', want '600 root'"
    fi
else
    vm_fail dkms-dev-netcam "/dev/netcam did not appear after modprobe netcam"
fi

param=$(cat /sys/module/netcam/parameters/max_cameras 2>/dev/null)
[ "$param" = 64 ] && vm_pass dkms-param-default "max_cameras=64" ||
    vm_fail dkms-param-default "max_cameras is '$param', want 64"

if ! command -v python3 >/dev/null; then
    vm_skip dkms-ioc-version "python3 not installed"
elif v=$(ioc_version 2> "$(vm_log dkms-ioc-version)"); then
    # The version the sources say: the DKMS module must be this tree's.
    hdr=$NETCAM_SRC/driver/include/uapi/linux/netcam.h
    want="$(awk '$2 == "NETCAM_VERSION_MAJOR" { print $3 }' "$hdr") $(awk '$2 == "NETCAM_VERSION_MINOR" { print $3 }' "$hdr") 64"
    [ "$v" = "$want" ] && vm_pass dkms-ioc-version "major minor max_cameras: $v" ||
        vm_fail dkms-ioc-version "NETCAM_IOC_VERSION gave '$v', want '$want' ($hdr)"
else
    vm_fail dkms-ioc-version "NETCAM_IOC_VERSION failed (logs/dkms-ioc-version.log)"
fi

vm_run dkms-modprobe-r modprobe -r netcam || true
if loaded; then
    vm_fail dkms-unloaded "netcam still in /proc/modules after modprobe -r"
    vm_finish
fi
if wait_for ! -e /dev/netcam; then
    vm_pass dkms-unloaded "module and /dev/netcam gone"
else
    vm_fail dkms-unloaded "/dev/netcam still there after modprobe -r"
fi

# 2. A parameter, and the refused value 0.
if vm_run dkms-modprobe-param modprobe netcam max_cameras=3; then
    param=$(cat /sys/module/netcam/parameters/max_cameras 2>/dev/null)
    [ "$param" = 3 ] && vm_pass dkms-param-set "max_cameras=3" ||
        vm_fail dkms-param-set "max_cameras is '$param', want 3"
    vm_run dkms-modprobe-r-param modprobe -r netcam || true
fi

log=$(vm_log dkms-param-zero)
if modprobe netcam max_cameras=0 > "$log" 2>&1; then
    vm_fail dkms-param-zero "modprobe netcam max_cameras=0 succeeded; want EINVAL"
    modprobe -r netcam
elif grep -q 'Invalid argument' "$log"; then
    vm_pass dkms-param-zero "max_cameras=0 refused: $(head -n 1 "$log")"
else
    vm_fail dkms-param-zero "max_cameras=0 refused, but not with EINVAL: $(head -n 1 "$log")"
fi
loaded && { vm_fail dkms-final-unload "netcam still loaded at the end"; modprobe -r netcam; }

vm_finish
