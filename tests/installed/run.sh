#!/bin/bash
# The installed-system test: the netcam packages installed with apt on a
# real Debian system, booted under QEMU with systemd as init.
#
# usage: tests/installed/run.sh --dist trixie|bookworm --debs DIR
#                               [--backports-kernel] [--out DIR] [--timeout S]
#                               [--smp N] [--round stock|backports] [--keep]
#
# For each round (the release's own kernel; with --backports-kernel, trixie
# only, also the newest kernel of DIST-backports):
#   1. the cached image (build-image.sh; made on first use) under an overlay,
#      apt-get install DIR/netcam_*.deb DIR/netcam-dkms_*.deb in a chroot
#      (DKMS builds the module), [the backports kernel], the two test
#      cameras written into /etc/netcam/netcam.conf (guest/netcam.conf), an
#      ext4 disk image of it all
#   2. the boot (the first after the install, as a user reboots after
#      editing the configuration): systemd, udevd, the DKMS module, the
#      cameras' services, links and frames, motion events, reload, purge
#      (guest/check.sh)
# The install runs in a chroot on the host, not in the booted system: DKMS
# compiling under TCG would take minutes, and the guest has no network.
# Prints "PASS name" / "FAIL name: why" per check, "N passed, N failed" and
# each stage's time (also in OUT/timing.txt).  Exit status 1 on any failure,
# 2 on usage errors.  Output (default build/installed/out/DIST[-backports]):
# ROUND/results.txt, console.log (serial), journal.txt, dmesg.txt,
# blame.txt (systemd-analyze blame), check.log, apt-install.log; the disk
# image is deleted after a passing round (--keep keeps it).
# --smp: the VM's vCPUs (default 2). --round: only that round (backports
# implies --backports-kernel); make check runs the rounds as separate jobs.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin LC_ALL=C
me=tests/installed/run.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
usage() { echo "usage: $me --dist trixie|bookworm --debs DIR [--backports-kernel] [--out DIR] [--timeout S] [--smp N] [--round stock|backports] [--keep]" >&2; exit 2; }

dist='' debs='' backports=0 out='' timeout=1200 keep=0 smp=2 only=
while [ $# -gt 0 ]; do
    case $1 in
        --dist) dist=${2:?}; shift 2 ;;
        --debs) debs=${2:?}; shift 2 ;;
        --backports-kernel) backports=1; shift ;;
        --out) out=${2:?}; shift 2 ;;
        --timeout) timeout=${2:?}; shift 2 ;;
        --smp) smp=${2:?}; shift 2 ;;
        --round) only=${2:?}; shift 2
                 case $only in stock) ;; backports) backports=1 ;; *) usage ;; esac ;;
        --keep) keep=1; shift ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) usage ;;
    esac
done
[ -n "$dist" ] && [ -n "$debs" ] || usage
case $dist in bookworm|trixie) ;; *) echo "$me: unknown release '$dist' (bookworm or trixie)" >&2; exit 2 ;; esac
[ $backports = 0 ] || [ "$dist" = trixie ] || { echo "$me: --backports-kernel is for trixie only" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$me: must run as root (debootstrap, chroot, overlay mounts)" >&2; exit 2; }
ls "$debs"/netcam_*.deb "$debs"/netcam-dkms_*.deb > /dev/null 2>&1 ||
    { echo "$me: no netcam_*.deb and netcam-dkms_*.deb in $debs" >&2; exit 2; }
debs=$(realpath "$debs")
qemu=${QEMU:-qemu-system-x86_64}
command -v "$qemu" > /dev/null || { echo "$me: $qemu not found (apt-get install qemu-system-x86)" >&2; exit 2; }
if [ -z "$out" ]; then
    out=$INST_BUILD/out/$dist
    [ $backports = 0 ] || out+=-backports
fi
mkdir -p "$out"
out=$(realpath "$out")
timing=$out/timing.txt
: > "$timing"
stage() {   # NAME CMD...: run CMD, note its time
    local name=$1 t0 rc=0
    shift
    t0=$(date +%s.%N)
    "$@" || rc=$?
    awk -v n="$name" -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%-44s %6.1f s\n", n, b - a }' >> "$timing"
    return $rc
}

# boot RD: boot RD's disk with netcam_test on the kernel command line (a
# name the netcam module does not take for its own parameter); the guest
# powers off after the test. Its results land in RD (9p share "results").
boot() {
    local rd=$1 rc=0
    rm -f "$rd/rc"
    timeout -k 10 "$timeout" "$qemu" -accel tcg -cpu max -smp "$smp" -m 2G \
        -nodefaults -no-user-config -display none -no-reboot -nic none \
        -serial "file:$rd/console.log" \
        -kernel "$rd/vmlinuz" -initrd "$rd/initrd.img" \
        -append "root=/dev/vda rw console=ttyS0 loglevel=4 systemd.show_status=yes mitigations=off netcam_test" \
        -drive "file=$rd/disk.img,format=raw,if=virtio,cache=unsafe" \
        -virtfs "local,path=$rd,mount_tag=results,security_model=none" \
        > "$rd/qemu.log" 2>&1 < /dev/null || rc=$?
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        echo "FAIL vm.boot: the VM did not power off within ${timeout}s (console.log: $(grep -v '^\s*$' "$rd/console.log" | tail -n 1 | cut -c1-200))" >> "$rd/results.txt"
    elif [ $rc != 0 ]; then
        echo "FAIL vm.boot: $qemu exited with $rc: $(tail -n 1 "$rd/qemu.log")" >> "$rd/results.txt"
    elif [ ! -s "$rd/rc" ]; then
        echo "FAIL vm.boot: the test reported no exit status (console.log: $(grep -v '^\s*$' "$rd/console.log" | tail -n 1 | cut -c1-200))" >> "$rd/results.txt"
    else
        echo "PASS vm.boot" >> "$rd/results.txt"
    fi
}

rounds=(stock)
[ $backports = 1 ] && rounds+=(backports)
[ -z "$only" ] || rounds=("$only")
stage "image $dist (build-image.sh, cached)" "$here/build-image.sh" "$dist" ||
    { echo "FAIL $dist.image: tests/installed/build-image.sh $dist failed"; echo "0 passed, 1 failed"; exit 1; }
all=$out/results.txt
: > "$all"
for kind in "${rounds[@]}"; do
    rd=$out/$kind
    inst_umount_below "$rd"
    rm -rf --one-file-system "$rd"
    mkdir -p "$rd"
    : > "$rd/results.txt"
    echo "$me: $dist $kind: preparing the disk (apt install in a chroot)"
    if stage "$kind: install + disk image" unshare --mount --propagation private -- \
            "$here/prepare.sh" "$dist" "$rd" "$debs" "$kind" > "$rd/prepare.log" 2>&1; then
        kver=$(cat "$rd/kver")
        sed 's/^/    /' "$rd/prepare.log"
        echo "$me: $dist $kind: booting $kver"
        stage "$kind $kver: boot and test" boot "$rd"
        [ -s "$rd/timing.txt" ] && awk -v k="$kind" '
            { t[$1] = $2 } END { printf "%-44s %6.1f s (guest uptime at its start %.1f s)\n", k ": the test inside the VM", t["step_end_uptime"] - t["step_start_uptime"], t["step_start_uptime"] }' \
            "$rd/timing.txt" >> "$timing"
    else
        echo "FAIL install.prepare: $(tail -n 1 "$rd/prepare.log")" >> "$rd/results.txt"
        kver=unknown
    fi
    sed "s/^\(PASS\|FAIL\) /\1 $dist-$kver./" "$rd/results.txt" >> "$all"
    if [ $keep = 0 ] && ! grep -q '^FAIL' "$rd/results.txt"; then rm -f "$rd/disk.img"; fi
done

cat "$all"
echo "---- time per stage ($dist) ----"
cat "$timing"
pass=$(grep -c '^PASS' "$all" || true)
fail=$(grep -c '^FAIL' "$all" || true)
[ "$((pass + fail))" -gt 0 ] || fail=1
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
