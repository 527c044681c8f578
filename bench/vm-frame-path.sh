#!/bin/bash
# Frame-path benchmark, inside the VM (tests/vm/run.sh; host wrapper:
# bench/run-frame-path.sh). Loads netcam.ko and, on 6.1, Debian's
# v4l2loopback 0.12.7 (built by bench/build-v4l2loopback.sh), then runs
# build/bench/frame-path for netcam, v4l2loopback and memcpy at 1280x720
# YUYV and 1920x1080 NV12, for each pace (free: as fast as the path
# accepts; credit: only while the consumer has a buffer queued), plus
# memcpy-rep, the user-space copy done with `rep movsb` like the kernel's
# copy_from_user (under TCG that is much slower than libc's memcpy).
# Figures go to $NETCAM_VM_OUT/frame-path.txt and stdout; each run is a
# PASS result with its figures as detail (a benchmark does not judge them),
# a FAIL only when the path itself broke.
#
# Environment: FP_FRAMES (default 300), FP_PACES (default "free credit"),
# FP_BACKENDS (default "netcam v4l2loopback memcpy"), FRAME_PATH (binary).
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"
. "$NETCAM_SRC/tests/vm/netcam.sh"

bin=${FRAME_PATH:-$NETCAM_SRC/build/bench/frame-path}
loopko=$NETCAM_SRC/build/bench/v4l2loopback-6.1/v4l2loopback.ko
frames=${FP_FRAMES:-300}
paces=${FP_PACES:-free credit}
backends=${FP_BACKENDS:-netcam v4l2loopback memcpy memcpy-rep}
out=$NETCAM_VM_OUT/frame-path.txt
lines=$NETCAM_VM_OUT/frame-path.lines
: > "$lines"

[ -x "$bin" ] || { vm_fail frame-path-setup "$bin not built (make -C bench)"; vm_finish; }
vm_kmsg "begin frame-path-load"
netcam_load || { vm_fail frame-path-setup "netcam.ko did not load"; vm_finish; }

# A fresh v4l2loopback for every run: 0.12.7 refuses the OUTPUT S_FMT of a
# second writer after the first one closed (EINVAL), so each run reloads it.
loopback_load() {
    grep -q '^v4l2loopback ' /proc/modules && rmmod v4l2loopback
    insmod "$loopko" devices=1 exclusive_caps=1 max_buffers=4 || return 1
    for _ in $(seq 30); do
        ls /sys/class/video4linux/ | grep -q . && [ -c "/dev/$(ls /sys/devices/virtual/video4linux/ 2>/dev/null | head -n 1)" ] && return 0
        sleep 0.1
    done
    return 0
}
loopback=
case $KVER in
    6.1.*)
        if [ -f "$loopko" ]; then
            modprobe videodev
            if loopback_load; then
                loopback=ok
            else
                vm_fail frame-path-v4l2loopback "insmod $loopko failed"
                loopback="insmod failed"
            fi
        else
            loopback="not built (bench/build-v4l2loopback.sh)"
        fi ;;
    *) loopback="v4l2loopback 0.12.7 does not build for $KVER" ;;
esac

{
    echo "frame-path benchmark, kernel $KVER, $(nproc) CPU(s), $frames frames per run after 10 warm-up"
    grep -m1 'model name' /proc/cpuinfo | sed 's/^/  /'
} > "$out.head"

for spec in "YUYV 1280x720" "NV12 1920x1080"; do
    set -- $spec
    f=$1 s=$2
    for pace in $paces; do
        for be in $backends; do
            name=frame-path-$be-$f-$s-$pace
            if [ "$be" = v4l2loopback ] && [ "$loopback" != ok ]; then
                echo "frame-path backend=$be format=$f size=$s pace=$pace unavailable=$loopback" >> "$lines"
                vm_skip "$name" "$loopback"
                continue
            fi
            log=$(vm_log "$name")
            if [ "$be" = v4l2loopback ] && ! loopback_load; then
                vm_fail "$name" "reloading v4l2loopback failed"
                continue
            fi
            vm_kmsg "begin $name"
            if timeout -k 5 120 "$bin" --backend "$be" --format "$f" --size "$s" \
                    --frames "$frames" --pace "$pace" > "$log.out" 2> "$log"; then
                line=$(grep '^frame-path ' "$log.out" | tail -n 1)
                echo "$line" >> "$lines"
                echo "$line"
                vm_pass "$name" "$(echo "$line" | grep -oE ' (fps|dropped|seq_gaps|cpu_us|lat_p50_us|lat_p99_us)=[^ ]+' | tr -d '\n' | sed 's/^ //')"
            else
                rc=$?
                vm_fail "$name" "frame-path exit $rc: $(tail -n 1 "$log")"
            fi
            vm_kmsg "end $name"
        done
    done
done

{
    cat "$out.head"
    echo
    cat "$lines"
    awk -f "$NETCAM_SRC/bench/frame-path-table.awk" "$lines"
    [ "$loopback" = ok ] && echo && echo "v4l2loopback 0.12.7: insmod devices=1 exclusive_caps=1 max_buffers=4; producer uses write()"
} > "$out"
rm -f "$out.head"
echo "==== frame-path ($KVER) ===="
cat "$out"

grep -q '^netcam ' /proc/modules && rmmod netcam 2>/dev/null
grep -q '^v4l2loopback ' /proc/modules && rmmod v4l2loopback 2>/dev/null
vm_finish
