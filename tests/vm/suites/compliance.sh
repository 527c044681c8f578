#!/bin/bash
# v4l2-compliance on netcam capture nodes, with vivid beside them in the
# same VM as the reference: Debian's v4l2-compliance (v4l-utils 1.22) is
# older than some kernels' V4L2 core, so a check may fail for any driver.
# A netcam result passes when it has 0 failures, or when every test that
# fails on netcam also fails on vivid here; warnings must be 0.
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"
. "$NETCAM_SRC/tests/vm/netcam.sh"

# vivid under slow emulation asks for negative sleeps; not a netcam issue.
echo 'schedule_timeout: wrong timeout value' >> "$NETCAM_VM_OUT/dmesg-allow.txt"

vm_run netcam-load netcam_load || vm_finish
if ! netcam_feed_start compliance --nodes 2 --node-label 1:Compliance-2 \
        --modes 'YUYV,NV12,YU12,GREY,MJPG:640x480,320x240:30,15'; then
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

totals() { grep -E '^Total for' "$1" | tail -n 1 | sed 's/^Total for [^:]*: //'; }
failed_tests() { grep -E '^\s+test .*: FAIL' "$1" | sed 's/^\s*//; s/: FAIL.*//' | sort -u; }
warnings() { grep -E '^Total for' "$1" | tail -n 1 | sed -n 's/.*Warnings: \([0-9]*\).*/\1/p'; }

# run_compliance NAME ARGS...: netcam on $NODE0 and vivid with the same args.
run_compliance() {
    local name=$1 nlog vlog nfail extra vtot
    shift
    nlog=$(vm_log "$name-netcam")
    vlog=$(vm_log "$name-vivid")
    timeout -k 5 900 v4l2-compliance -d "$NODE0" "$@" -e "$NODE1" > "$nlog" 2>&1 < /dev/null
    vtot="no vivid"
    if [ -n "$VIVID" ]; then
        timeout -k 5 900 v4l2-compliance -d "$VIVID" "$@" -e "$VIVID_EXP" > "$vlog" 2>&1 < /dev/null
        vtot=$(totals "$vlog")
    fi
    nfail=$(failed_tests "$nlog")
    extra=$(comm -23 <(echo "$nfail") <(failed_tests "$vlog" 2>/dev/null) | grep . | tr '\n' ';')
    if ! grep -q '^Total for' "$nlog"; then
        vm_fail "$name" "v4l2-compliance did not finish (see $nlog)"
    elif [ -n "$extra" ]; then
        vm_fail "$name" "netcam [$(totals "$nlog")] fails where vivid does not: $extra vivid [$vtot]"
    elif [ "$(warnings "$nlog")" != 0 ]; then
        vm_fail "$name" "netcam has warnings [$(totals "$nlog")]"
    else
        vm_pass "$name" "netcam [$(totals "$nlog")] vivid [$vtot] shared failures: $(echo "$nfail" | grep . | tr '\n' ';')"
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
