#!/bin/bash
# Everything a user needs to trust a release: static checks of the driver
# (checkpatch, W=1 builds), host unit tests, the analyzer's host tests
# (unit, clip suite, bad input), netcamd's tests (unit, then real servers in
# the VM), then the VM suites on every kernel tests/vm/kernels.sh lists:
#
#   Debian 12's kernels (6.1, 6.12)   SUITES_HOST, and SUITES_HOST_ONCE on
#                                     the first (oldest) of them
#   Debian 13's newest (7.3), from a Debian 13 tree (tests/debian13/setup.sh;
#                                     NETCAM_DEBIAN13=0 skips it) SUITES_DEBIAN13
#   the debug kernel (KASAN, lockdep, kmemleak...; tests/debug-kernel/build.sh)
#                                     SUITES_DEBUG; missing is a FAIL
# The fuzz suite runs with 2 vCPUs (real races), but on the debug kernel.
#
# Two lanes share the machine's two cores. The foreground lane runs the
# host stages, then the Debian 12 and 13 kernels' suites. The debug lane
# builds the debug kernel in the background (half an hour on a fresh
# machine) and then runs its suites. Whichever lane is free first takes
# the next debug suite not yet taken, so neither waits idle for the other.
#
# Ends with "N passed, N failed" and how long each stage took (also in
# build/test-out/timing.txt).
#
# SUITES: run these VM suites (tests/vm/suites/NAME.sh, "motion" for the
# analyzer on vivid (tests/motion/vm-vivid.sh), "motion-netcam" for the
# analyzer on a netcamd-fed netcam node (tests/motion/vm-netcam.sh)) on every
# kernel instead of each kind's list.
# NETCAM_FUZZ_SECONDS: length of each kernel's fuzz run (default 90).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 2
SUITES_HOST=${SUITES_HOST:-uapi compliance integrity dkms fuzz}
# Suites that test user space or long runs more than the kernel's API: on
# the oldest host kernel only (the debug kernel, a 6.12, has stress too).
SUITES_HOST_ONCE=${SUITES_HOST_ONCE:-motion motion-netcam stress identity}
SUITES_DEBIAN13=${SUITES_DEBIAN13:-uapi compliance integrity fuzz}
SUITES_DEBUG=${SUITES_DEBUG:-uapi fuzz stress}
FUZZ_SECONDS=${NETCAM_FUZZ_SECONDS:-90}

check_t0=$(date +%s)
timing=build/test-out/timing.txt
mkdir -p build/test-out
: > "$timing"
# stage NAME CMD...: run CMD, note how long it took.
stage() {
    local name=$1 t0 rc
    shift
    t0=$(date +%s)
    "$@"
    rc=$?
    printf '%-40s %5ds\n' "$name" $(( $(date +%s) - t0 )) >> "$timing"
    return $rc
}

suite_script() {
    case $1 in
        motion) echo tests/motion/vm-vivid.sh ;;
        motion-netcam) echo tests/motion/vm-netcam.sh ;;
        *) echo "tests/vm/suites/$1.sh" ;;
    esac
}

# The kind of a kernel: the name of the registered root it comes from
# (build/vm/roots/NAME), or "host".
kernel_kind() {
    local root l
    root=$(tests/vm/kernel-root.sh "$1") || { echo host; return; }
    [ "$root" = / ] && { echo host; return; }
    for l in build/vm/roots/*; do
        [ "$(realpath -e "$l" 2>/dev/null)" = "$(realpath -e "$root")" ] &&
            { basename "$l"; return; }
    done
    echo other
}

# The extra kernels take a while to make (a kernel build, a debootstrap) but
# little of what the suites need: they are made in the background at the
# lowest priority while the host stages run, and waited for before their
# suites. Both are cached and return at once when up to date.
bg=build/test-out/kernels
mkdir -p "$bg/logs"
: > "$bg/results.txt"
bg_start() {   # NAME CMD...: run CMD in the background, log in $bg/logs
    local name=$1
    shift
    ( t0=$(date +%s); nice -n 19 "$@" > "$bg/logs/$name.log" 2>&1; rc=$?
      echo "$rc $(( $(date +%s) - t0 ))" > "$bg/logs/$name.rc" ) < /dev/null &
}
# bg_wait NAME: wait for it; PASS/FAIL kernels.NAME; returns its exit code.
bg_wait() {
    local name=$1 rc secs
    while [ ! -s "$bg/logs/$name.rc" ]; do sleep 5; done
    read -r rc secs < "$bg/logs/$name.rc"
    printf '%-40s %5ds (in the background)\n' "make $name" "$secs" >> "$timing"
    if [ "$rc" = 0 ]; then
        echo "PASS kernels.$name made in ${secs}s" >> "$bg/results.txt"
    else
        echo "FAIL kernels.$name exit $rc: $(tail -n 1 "$bg/logs/$name.log") (see $bg/logs/$name.log)" >> "$bg/results.txt"
    fi
    return "$rc"
}
rm -f "$bg"/logs/*.rc
bg_start debug-kernel tests/debug-kernel/build.sh
if [ "${NETCAM_DEBIAN13:-1}" != 0 ]; then
    bg_start debian13 tests/debian13/setup.sh
fi
# The installed-system test's Debian 12 and 13 systems (debootstrap).
if [ "${NETCAM_INSTALLED:-1}" != 0 ]; then
    if [ "${NETCAM_DEBIAN13:-1}" != 0 ]; then
        bg_start installed-images sh -c 'tests/installed/build-image.sh trixie && tests/installed/build-image.sh bookworm'
    else
        bg_start installed-images tests/installed/build-image.sh bookworm
    fi
fi

stage static tests/static/run.sh build/test-out/static
stage unit tests/unit/run.sh build/test-out/unit
echo "==== netcam-motion host tests ===="
stage motion-host tests/motion/run.sh build/test-out/motion
echo "==== netcamd tests ===="
# On the host kernels: the others are still being made in the background
# (their suites test the driver; netcamd is the same user space).
host_kernels=$(tests/vm/kernels.sh --host) || exit 2
NETCAMD_KVERS=$host_kernels stage netcamd tests/netcamd/run.sh build/test-out/netcamd
dirs=(build/test-out/static build/test-out/unit build/test-out/motion build/test-out/netcamd)

dirs+=("$bg")
# run_suites [--claim] KVER...: each kernel's suites. With --claim, only
# those no other lane has taken (a directory under $bg/claims/vm, made
# atomically, marks a suite as taken).
rm -rf "${bg:?}/claims" "$bg/debug-kvers" "$bg/packages.done"
mkdir -p "$bg/claims/vm" "$bg/claims/installed"
run_suites() {
    local k kind suites s out smp kill_args first=1 claim=0
    [ "${1:-}" = --claim ] && { claim=1; shift; }
    for k in "$@"; do
        kind=$(kernel_kind "$k")
        if [ -n "${SUITES:-}" ]; then
            suites=$SUITES
        else
            case $kind in
                host) suites=$SUITES_HOST
                      [ $first = 1 ] && suites+=" $SUITES_HOST_ONCE"
                      first=0 ;;
                debian13) suites=$SUITES_DEBIAN13 ;;
                debug) suites=$SUITES_DEBUG ;;
                *) suites="uapi compliance integrity" ;;
            esac
        fi
        for s in $suites; do
            [ $claim = 0 ] || mkdir "$bg/claims/vm/$k.$s" 2>/dev/null || continue
            out=build/vm-out/$k/$s
            # The fuzzer's processes race for real on two vCPUs (the debug
            # kernel has no ACPI, so it would see one CPU anyway).
            smp=1
            [ "$s" = fuzz ] && [ "$kind" != debug ] && smp=2
            # Under KASAN and lockdep a SIGKILLed helper's exit takes
            # 40-220 ms before its feed closes, which the driver cannot see
            # coming: the kill test allows 10 intervals there (a filler
            # that waited out a live helper's 1 s grace would show 25), 2
            # elsewhere.
            # The debug kernel is there for memory and locking errors; the
            # production kernels hold the timing bound.
            kill_args=
            [ "$kind" = debug ] && kill_args="-t 10"
            echo "==== $s on $k ($kind) ===="
            stage "$s on $k" tests/vm/run.sh --kernel "$k" --smp "$smp" \
                --script "$(suite_script "$s")" --out "$out" --timeout 1500 \
                --env "NETCAM_FUZZ_SECONDS=$FUZZ_SECONDS" \
                --env "NETCAM_STRESS_KILL_ARGS=$kill_args"
            dirs+=("$out")
        done
    done
}
# built_kernels KIND: the kernels of that kind, each with netcam.ko built
# afresh for it (warnings are failures, as in tests/static/run.sh).
built_kernels() {
    local k log
    for k in $(tests/vm/kernels.sh 2>/dev/null); do
        [ "$(kernel_kind "$k")" = "$1" ] || continue
        log=$bg/logs/driver-$k.log
        rm -rf "build/$k/driver"
        if ! make --no-print-directory driver KVER="$k" > "$log" 2>&1; then
            echo "FAIL static.build-W1.$k netcam.ko does not build (see $log)" >> "$bg/results.txt"
            continue
        fi
        if grep -qE 'warning:|error:' "$log"; then
            echo "FAIL static.build-W1.$k $(grep -cE 'warning:' "$log") warnings (see $log)" >> "$bg/results.txt"
        else
            echo "PASS static.build-W1.$k no warnings" >> "$bg/results.txt"
        fi
        echo "$k"
    done
}

# The installed-system test (tests/installed/run.sh), one job per round:
# Debian 13 with its 6.12, Debian 12 with its 6.1, Debian 13 with the
# newest kernel of trixie-backports. They need the packages and the
# images ($bg/packages.done); each lane takes those no other has taken.
installed_jobs=("trixie stock" "bookworm stock" "trixie backports")
[ "${NETCAM_DEBIAN13:-1}" != 0 ] || installed_jobs=("bookworm stock")
[ "${NETCAM_INSTALLED:-1}" != 0 ] || installed_jobs=()
run_installed() {
    local j dist round
    for j in "${installed_jobs[@]}"; do
        read -r dist round <<< "$j"
        mkdir "$bg/claims/installed/$dist-$round" 2>/dev/null || continue
        while [ ! -f "$bg/packages.done" ]; do sleep 5; done
        if [ "$(cut -d' ' -f1 "$bg/logs/installed-images.rc")" != 0 ]; then
            echo "FAIL installed.$dist-$round no image to install into (see $bg/logs/installed-images.log)" >> "$bg/results.txt"
            continue
        fi
        echo "==== installed system: Debian $dist, $round kernel ===="
        # One vCPU: the other lane's VM has the other core.
        stage "installed $dist $round" tests/installed/run.sh --dist "$dist" --round "$round" \
            --debs "build/deb/$dist" --out "build/test-out/installed/$dist-$round" --smp 1
    done
}

# The debug lane: wait for the debug kernel, build netcam.ko for it, tell
# the foreground lane which kernel it is ($bg/debug-kvers), run its suites,
# then the installed-system jobs not yet taken.
(
    # A little below the foreground lane: its suites on the Debian kernels
    # hold the strict timing bounds, the debug kernel's are relaxed.
    renice -n 5 -p "$BASHPID" > /dev/null
    if bg_wait debug-kernel; then dbg=$(built_kernels debug); else dbg=; fi
    [ -n "$dbg" ] ||
        echo "FAIL kernels.debug-kernel no debug kernel to test (see $bg/logs/debug-kernel.log)" >> "$bg/results.txt"
    echo "$dbg" > "$bg/debug-kvers.tmp" && mv "$bg/debug-kvers.tmp" "$bg/debug-kvers"
    # shellcheck disable=SC2086  # a list of kernels
    [ -z "$dbg" ] || run_suites --claim $dbg
    run_installed
) < /dev/null > "$bg/logs/debug-lane.log" 2>&1 &
debug_lane=$!

# The Debian 13 tree also brings the current v4l2-compliance, which the
# compliance suite runs on every kernel: it must be there first.
[ "${NETCAM_DEBIAN13:-1}" = 0 ] || bg_wait debian13

# make install and the two packages for Debian 12 and 13 (the latter in a
# copy of the Debian 13 tree), lintian-clean.
echo "==== packages ===="
pkg_dists=bookworm
[ "${NETCAM_DEBIAN13:-1}" = 0 ] || pkg_dists+=" trixie"
# shellcheck disable=SC2086  # the list of releases
stage packages tests/packages/run.sh build/test-out/packages $pkg_dists
dirs+=(build/test-out/packages)
if [ ${#installed_jobs[@]} -gt 0 ]; then
    bg_wait installed-images
else
    echo "SKIP installed NETCAM_INSTALLED=0: the installed-system test did not run" >> "$bg/results.txt"
fi
touch "$bg/packages.done"

# shellcheck disable=SC2086  # a list of kernels
run_suites $host_kernels

if [ "${NETCAM_DEBIAN13:-1}" = 0 ]; then
    echo "SKIP kernels.debian13 NETCAM_DEBIAN13=0: Debian 13's newest kernel not tested" >> "$bg/results.txt"
else
    d13=$(built_kernels debian13)
    if [ -n "$d13" ]; then
        # shellcheck disable=SC2086  # a list of kernels
        run_suites $d13
    else
        echo "FAIL kernels.debian13-kernel no Debian 13 kernel to test (see $bg/logs/debian13.log)" >> "$bg/results.txt"
    fi
fi

# Then help the debug lane: the installed-system jobs, then the debug
# suites it has not started yet.
run_installed
while [ ! -f "$bg/debug-kvers" ]; do sleep 5; done
dbg=$(cat "$bg/debug-kvers")
# shellcheck disable=SC2086  # a list of kernels
[ -z "$dbg" ] || run_suites --claim $dbg
wait "$debug_lane"
echo "==== the debug lane (also in $bg/logs/debug-lane.log) ===="
cat "$bg/logs/debug-lane.log"
for c in "$bg"/claims/vm/*; do
    [ -d "$c" ] || continue
    c=${c##*/}
    dirs+=("build/vm-out/${c%.*}/${c##*.}")
done
for c in "$bg"/claims/installed/*; do
    [ -d "$c" ] && dirs+=("build/test-out/installed/${c##*/}")
done

printf '%-40s %5ds\n' "all of make check (the lanes overlap)" $(( $(date +%s) - check_t0 )) >> "$timing"
echo "==== time per stage ===="
cat "$timing"
echo "==== summary ===="
tests/vm/summary.sh "${dirs[@]}"
