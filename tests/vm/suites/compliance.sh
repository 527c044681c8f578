#!/bin/bash
# v4l2-compliance on netcam capture nodes, with vivid beside them in the
# same VM as the reference: Debian's v4l2-compliance (v4l-utils 1.22) is
# older than some kernels' V4L2 core, so a check may fail for any driver.
# A netcam result passes when it has 0 failures, or when every test that
# fails on netcam also fails on vivid here. Warnings must be 0, except
# sequence gaps that the driver counted as drops (frames_dropped in sysfs):
# under TCG emulation the tool sometimes queues its buffers too late, and a
# counted drop is the correct V4L2 answer to that.
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"
. "$NETCAM_SRC/tests/vm/netcam.sh"

# vivid under slow emulation asks for negative sleeps; not a netcam issue.
echo 'schedule_timeout: wrong timeout value' >> "$NETCAM_VM_OUT/dmesg-allow.txt"

vm_run netcam-load netcam_load || vm_finish
if ! netcam_feed_start compliance --nodes 2 --node-label 1:Compliance-2 \
        --modes 'YUYV,NV12,YU12,GREY,MJPG:640x480,320x240:15,30'; then
    vm_fail feeder-start "netcam-feed did not start"
    vm_finish
fi
vm_pass feeder-start "$NODE0 $NODE1"

# Two vivid instances: the second exports DMABUFs for the first.
vm_run vivid-load modprobe vivid n_devs=2 node_types=0x1,0x1 num_inputs=1,1 input_types=0x0,0x0
VIVID= VIVID_EXP=
for _ in $(seq 1 20); do
    set -- $(vivid_nodes)
    [ $# -ge 2 ] && { VIVID=$1 VIVID_EXP=$2; break; }
    sleep 0.2
done

totals() { grep -a -E '^Total for' "$1" | tail -n 1 | sed 's/^Total for [^:]*: //'; }
failed_tests() { grep -a -E '^\s+test .*: FAIL' "$1" | sed 's/^\s*//; s/: FAIL.*//' | sort -u; }
warnings() { grep -a -E '^Total for' "$1" | tail -n 1 | sed -n 's/.*Warnings: \([0-9]*\).*/\1/p'; }
# Frames missing according to "got sequence number N, expected M" warnings.
seq_gap_frames() {
    grep -a -o 'got sequence number [0-9]*, expected [0-9]*' "$1" |
        awk '{ n += $4 - $6 } END { print n + 0 }'
}
seq_gap_warnings() { grep -a -c 'got sequence number' "$1"; }
dropped() { cat "/sys/class/video4linux/${NODE0#/dev/}/netcam/frames_dropped"; }

# vivid's run is the reference: which checks this v4l2-compliance fails
# on a correct vb2 driver in this kernel. Streaming every vivid format (-f)
# takes far too long under emulation, so vivid runs once with -s; a netcam
# -f failure that vivid's -s run does not share counts against netcam.
VLOG=$(vm_log compliance-vivid)
VTOT="no vivid"
if [ -n "$VIVID" ]; then
    timeout -k 5 900 v4l2-compliance -d "$VIVID" -s -e "$VIVID_EXP" > "$VLOG" 2>&1 < /dev/null
    VTOT=$(totals "$VLOG")
fi
vm_pass compliance-vivid-reference "vivid [$VTOT]"

# run_compliance NAME ARGS...: v4l2-compliance ARGS on $NODE0, buffers for
# the DMABUF test exported by $NODE1, judged against vivid's failures.
run_compliance() {
    local name=$1 nlog nfail extra drops0 drops gaps other
    shift
    nlog=$(vm_log "$name-netcam")
    drops0=$(dropped)
    timeout -k 5 900 v4l2-compliance -d "$NODE0" "$@" -e "$NODE1" > "$nlog" 2>&1 < /dev/null
    drops=$(( $(dropped) - drops0 ))
    gaps=$(seq_gap_frames "$nlog")
    other=$(( $(warnings "$nlog") - $(seq_gap_warnings "$nlog") ))
    nfail=$(failed_tests "$nlog")
    extra=$(comm -23 <(echo "$nfail") <(failed_tests "$VLOG" 2>/dev/null) | grep . | tr '\n' ';')
    if ! grep -q '^Total for' "$nlog"; then
        vm_fail "$name" "v4l2-compliance did not finish (see $nlog)"
    elif [ -n "$extra" ]; then
        vm_fail "$name" "netcam [$(totals "$nlog")] fails where vivid does not: $extra vivid [$VTOT]"
    elif [ "$other" != 0 ]; then
        vm_fail "$name" "netcam has $other warnings besides sequence gaps [$(totals "$nlog")]"
    elif [ "$gaps" -gt "$drops" ]; then
        vm_fail "$name" "sequence gaps of $gaps frames but only $drops counted drops [$(totals "$nlog")]"
    else
        vm_pass "$name" "netcam [$(totals "$nlog")] (sequence gaps: $gaps frames, counted drops: $drops) vivid [$VTOT] shared failures: $(echo "$nfail" | grep . | tr '\n' ';')"
    fi
}

# -s: MMAP, USERPTR, DMABUF (buffers exported by the other node), read().
run_compliance compliance-streaming -s
# -f: stream every format and size the node offers.
run_compliance compliance-all-formats -s -f

netcam_feed_stop
netcam_remove compliance
vm_run netcam-unload netcam_unload
vm_finish
