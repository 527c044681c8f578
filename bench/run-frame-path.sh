#!/bin/bash
# Frame-path benchmark from the host: builds netcam.ko for the kernel, the
# frame-path program and (on 6.1) Debian's v4l2loopback, boots the kernel
# under QEMU with tests/vm/run.sh running bench/vm-frame-path.sh, and
# prints the figures (also kept in OUT/frame-path.txt).
#
# usage: bench/run-frame-path.sh [--kernel KVER] [--out DIR] [--frames N]
#                                [--paces "free credit"] [--runs N]
#   --kernel  default: the installed 6.1 kernel (where v4l2loopback builds);
#             on 6.12 only netcam and memcpy run (v4l2loopback n/a)
#   --out     default build/bench/vm-KVER (run N>1 goes to DIR-N)
#   --frames  measured frames per run (default 300)
#   --runs    boot the VM this many times (noise check), default 1
# The VM gets 2 vCPUs (producer and consumer threads each have one, if
# the host has the cores). Under TCG the absolute figures are slow;
# compare the ratios.
#
# The CPU model matters for the memcpy ratio: with QEMU's default "max"
# model the guest kernel copies user memory with rep movsb (ERMS/FSRM),
# which TCG emulates several times slower than glibc's vector memcpy; the
# memcpy-rep row shows that cost. NETCAM_VM_CPU="max,-erms,-fsrm" makes
# the kernel copy with a move loop, closer to real hardware's relative
# speed. Run both and report both.
# Exit status: 0 figures printed, 1 a run failed, 2 usage or build error.
set -euo pipefail
me=bench/run-frame-path.sh
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
die() { echo "$me: $*" >&2; exit 2; }

kver= out= frames=300 paces="free credit" runs=1
while [ $# -gt 0 ]; do
    case $1 in
        --kernel) kver=${2:?}; shift 2 ;;
        --out)    out=${2:?}; shift 2 ;;
        --frames) frames=${2:?}; shift 2 ;;
        --paces)  paces=${2:?}; shift 2 ;;
        --runs)   runs=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[[ $frames =~ ^[0-9]+$ ]] || die "--frames wants a number, got '$frames'"
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a number >= 1, got '$runs'"
if [ -z "$kver" ]; then
    kver=$(tests/vm/kernels.sh --host '^6\.1\.' | tail -n 1) || die "no 6.1 kernel installed; use --kernel"
fi
out=${out:-build/bench/vm-$kver}

make --no-print-directory driver KVER="$kver" || die "building netcam.ko for $kver failed"
make --no-print-directory -C bench O="$repo/build/bench" || die "building frame-path failed"
case $kver in
    6.1.*) bench/build-v4l2loopback.sh "$kver" build/bench >/dev/null ||
               echo "$me: v4l2loopback could not be built; it will show as n/a" >&2 ;;
esac

status=0
for run in $(seq 1 "$runs"); do
    dir=$out
    [ "$runs" -gt 1 ] && dir=$out-$run
    # 12 runs of a few seconds each plus boot; 1080p under TCG is the slow one.
    if ! tests/vm/run.sh --kernel "$kver" --script bench/vm-frame-path.sh --out "$dir" \
            --timeout 900 --smp 2 --env FP_FRAMES="$frames" --env FP_PACES="$paces" > "$dir.log" 2>&1; then
        status=1
        echo "$me: VM run $run on $kver reported a failure; see $dir.log and $dir/results.txt" >&2
        tail -n 20 "$dir.log" >&2
    fi
    echo "==== run $run of $runs, $kver ($dir/frame-path.txt) ===="
    if [ -s "$dir/frame-path.txt" ]; then
        cat "$dir/frame-path.txt"
    else
        echo "(no figures)"
        status=1
    fi
done
exit $status
