#!/bin/bash
# netcam uAPI fuzz suite, run INSIDE the VM by tests/vm/run.sh:
#
#   tests/vm/run.sh --kernel KVER --script tests/vm/suites/fuzz.sh --out DIR \
#       [--smp 2] [--env NETCAM_FUZZ_SECONDS=60] [--env NETCAM_FUZZ_SEED=N]
#       [--env NETCAM_FUZZ_ARGS='--no-size-wrap'] [--env NETCAM_KO=path.ko]
#
# 1. loads build/$KVER/driver/netcam.ko,
# 2. fuzz.run-root: build/tests/fuzz/netcam_fuzz as root, one helper process
#    (creates/removes cameras, feeds, reads events) and one app process
#    (capture nodes), 2 threads each, for 2/3 of NETCAM_FUZZ_SECONDS
#    (default 120),
# 3. fuzz.run-unprivileged: the rest of the time a root helper against an
#    app fuzzer running as nobody:video on the nodes (this script plays
#    udev and gives the nodes to group video, mode 0660); nobody must not
#    be able to open /dev/netcam (fuzz.ctl-unprivileged),
# 4. fuzz.no-hang (no watchdog report, no fuzzer process left behind),
#    fuzz.module-usable (netcam_fuzz --check: a camera streams a fed frame),
#    fuzz.rmmod (unload succeeds once every fd is closed).
# The seed is NETCAM_FUZZ_SEED or derived from the date; it is printed and
# in every result line. Reproduce with
#   netcam_fuzz --seed SEED --seconds S --procs 2 --threads 2
# (phase 3 uses SEED+1 for the helper and SEED+2 for the apps).
# Stats tables (calls and errnos per op): logs/fuzz-stats-*.txt.
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"

KO=${NETCAM_KO:-$NETCAM_SRC/build/$KVER/driver/netcam.ko}
FUZZ=${NETCAM_FUZZ:-$NETCAM_SRC/build/tests/fuzz/netcam_fuzz}
SECONDS_TOTAL=${NETCAM_FUZZ_SECONDS:-120}
SEED=${NETCAM_FUZZ_SEED:-$(date +%s)}
HANG=${NETCAM_FUZZ_HANG:-20}
# Extra fuzzer options for every run, e.g. --no-size-wrap to get past a
# known bug of an older module (word-split on purpose).
read -r -a EXTRA <<< "${NETCAM_FUZZ_ARGS:-}"
echo "fuzz suite: seed $SEED, $SECONDS_TOTAL s"



if [ ! -f "$KO" ]; then
    vm_fail fuzz.module "module not built: $KO (make driver KVER=$KVER)"
    vm_finish
fi
if [ ! -x "$FUZZ" ]; then
    vm_fail fuzz.binary "$FUZZ missing: make -C tests/fuzz O=\$PWD/build/tests/fuzz"
    vm_finish
fi
[[ $SECONDS_TOTAL =~ ^[0-9]+$ ]] && [ "$SECONDS_TOTAL" -ge 3 ] || {
    vm_fail fuzz.config "NETCAM_FUZZ_SECONDS='$SECONDS_TOTAL' is not a number >= 3"; vm_finish; }
vm_netcam_loaded && rmmod netcam

load_module() { vm_netcam_insmod "$KO"; }
mark=$(vm_dmesg_mark)
vm_run fuzz.load load_module || vm_finish
vm_dmesg_check fuzz.load "$mark"

# result_of NAME LOG RC: one result line from a fuzzer's exit code and log.
HUNG=0
result_of() {
    local name=$1 log=$2 rc=$3 calls why
    calls=$(awk '/^total calls/ { print $3 }' "$log" | tail -n 1)
    case $rc in
        0) vm_pass "$name" "seed $SEED, ${calls:-?} calls" ;;
        4) why=$(grep -a -E 'died inside|HANG' "$log" | head -n 2 | tr '\n' ' ')
           vm_fail "$name" "seed $SEED, ${calls:-?} calls: ${why:0:400} (logs/$(basename "$log"))" ;;
        3) HUNG=1
           why=$(grep -a -E -A2 'HANG' "$log" | head -n 3 | tr '\n' ' ')
           vm_fail "$name" "seed $SEED: ${why:0:400} (logs/$(basename "$log"))" ;;
        124|137) HUNG=1
           vm_fail "$name" "seed $SEED: fuzzer did not finish in time (killed, rc $rc; logs/$(basename "$log"))" ;;
        *) why=$(grep -a -E 'FAILURE|killed by' "$log" | head -n 2 | tr '\n' ' ')
           vm_fail "$name" "seed $SEED, ${calls:-?} calls, exit $rc: ${why:0:400} (logs/$(basename "$log"))" ;;
    esac
}

# Generous outer bound: the fuzzer's own watchdog reports hangs first.
bound() { echo $(( $1 + HANG + 60 )); }

root_s=$(( SECONDS_TOTAL * 2 / 3 ))
unpriv_s=$(( SECONDS_TOTAL - root_s ))

# --- phase 1: everything as root --------------------------------------------
log=$(vm_log fuzz.run-root)
mark=$(vm_dmesg_mark)
vm_kmsg "begin fuzz.run-root seed $SEED"
timeout -k 10 "$(bound "$root_s")" "$FUZZ" --seed "$SEED" --seconds "$root_s" \
    --procs 2 --threads 2 --hang "$HANG" "${EXTRA[@]}" \
    --stats "$NETCAM_VM_OUT/logs/fuzz-stats-root.txt" > "$log" 2>&1 < /dev/null
rc=$?
vm_kmsg "end fuzz.run-root rc=$rc"
result_of fuzz.run-root "$log" "$rc"
vm_dmesg_check fuzz.run-root "$mark"

# --- phase 2: apps as nobody:video, the helper as root ------------------------
# Stand-in for the udev rule that gives capture nodes to group video.
play_udev() {
    while :; do
        chgrp video /dev/video* 2>/dev/null
        chmod 0660 /dev/video* 2>/dev/null
        sleep 0.3
    done
}
unpriv() { setpriv --reuid=nobody --regid=video --clear-groups -- "$@"; }

if ! vm_netcam_loaded; then
    vm_fail fuzz.run-unprivileged "seed $SEED: netcam is no longer loaded after phase 1"
elif ! command -v setpriv > /dev/null; then
    vm_fail fuzz.run-unprivileged "setpriv (util-linux) not found"
else
    if unpriv sh -c 'exec 3<>/dev/netcam' 2>/dev/null; then
        vm_fail fuzz.ctl-unprivileged "nobody could open /dev/netcam read-write ($(stat -c '%a %U:%G' /dev/netcam))"
    else
        vm_pass fuzz.ctl-unprivileged "nobody gets no /dev/netcam"
    fi
    play_udev &
    udev_pid=$!
    hlog=$(vm_log fuzz.run-unprivileged-helper)
    alog=$(vm_log fuzz.run-unprivileged)
    mark=$(vm_dmesg_mark)
    vm_kmsg "begin fuzz.run-unprivileged seed $SEED"
    timeout -k 10 "$(bound "$unpriv_s")" "$FUZZ" --seed "$((SEED + 1))" --seconds "$unpriv_s" \
        --role helper --procs 1 --threads 2 --hang "$HANG" "${EXTRA[@]}" \
        --stats "$NETCAM_VM_OUT/logs/fuzz-stats-helper.txt" > "$hlog" 2>&1 < /dev/null &
    hpid=$!
    sleep 1   # some cameras first
    # nobody cannot write to the 9p output directory: stats go through /tmp
    stats=$(mktemp /tmp/fuzz-stats.XXXXXX); chmod 666 "$stats"
    timeout -k 10 "$(bound "$unpriv_s")" setpriv --reuid=nobody --regid=video --clear-groups -- \
        "$FUZZ" --seed "$((SEED + 2))" --seconds "$((unpriv_s > 2 ? unpriv_s - 1 : 1))" \
        --role app --no-ctl --procs 2 --threads 2 --hang "$HANG" "${EXTRA[@]}" \
        --stats "$stats" > "$alog" 2>&1 < /dev/null
    arc=$?
    wait "$hpid"; hrc=$?
    vm_kmsg "end fuzz.run-unprivileged rc=$arc/$hrc"
    kill "$udev_pid" 2>/dev/null; wait "$udev_pid" 2>/dev/null
    cp "$stats" "$NETCAM_VM_OUT/logs/fuzz-stats-app-nobody.txt"; rm -f "$stats"
    SEED_SAVE=$SEED
    SEED="$((SEED_SAVE + 2))"; result_of fuzz.run-unprivileged "$alog" "$arc"
    SEED="$((SEED_SAVE + 1))"; result_of fuzz.run-unprivileged-helper "$hlog" "$hrc"
    SEED=$SEED_SAVE
    vm_dmesg_check fuzz.run-unprivileged "$mark"
fi

# --- after the storm -------------------------------------------------------------
sleep 1
left=$(pgrep -x netcam_fuzz | tr '\n' ' ')
if [ "$HUNG" = 1 ] || [ -n "$left" ]; then
    detail="seed $SEED:"
    [ -n "$left" ] && for p in $left; do
        detail+=" pid $p $(awk '{print $3}' /proc/$p/stat 2>/dev/null) wchan $(cat /proc/$p/wchan 2>/dev/null);"
    done
    [ "$HUNG" = 1 ] && detail+=" watchdog reported a hang (see fuzz.run-* lines)"
    vm_fail fuzz.no-hang "$detail"
    # unkillable fuzzers hold the module: give them a moment, then go on
    [ -n "$left" ] && kill -9 $left 2>/dev/null && sleep 2
else
    vm_pass fuzz.no-hang "no watchdog report, no fuzzer process left"
fi

mark=$(vm_dmesg_mark)
if vm_netcam_loaded; then
    VM_TIMEOUT=60 vm_run fuzz.module-usable "$FUZZ" --check
else
    vm_fail fuzz.module-usable "netcam is no longer loaded"
fi
vm_dmesg_check fuzz.module-usable "$mark"

mark=$(vm_dmesg_mark)
if vm_netcam_loaded; then
    out=$(timeout 60 rmmod netcam 2>&1); rc=$?
    if [ $rc -eq 0 ] && ! vm_netcam_loaded; then
        vm_pass fuzz.rmmod "unloaded after the fuzzers exited"
    else
        vm_fail fuzz.rmmod "seed $SEED: rmmod rc=$rc: $out (refcnt $(cat /sys/module/netcam/refcnt 2>/dev/null))"
    fi
else
    vm_fail fuzz.rmmod "netcam was not loaded any more"
fi
vm_dmesg_check fuzz.rmmod "$mark"
vm_finish
