#!/bin/bash
# One boot of the installed-system test (installed-test.service): mounts the
# 9p share "results", runs check.sh STEP (netcam.step=STEP on the kernel
# command line) with its output and results there, saves the journal and
# the kernel log, and powers off.  $out/rc gets check.sh's exit status.
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
out=/netcam-test/out
step=$(sed -n 's/.*netcam\.step=\([A-Za-z0-9_-]*\).*/\1/p' /proc/cmdline)
mkdir -p "$out"
modprobe 9pnet_virtio 2>/dev/null
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results "$out"; then
    echo "installed-test: cannot mount the 9p share 'results' on $out" > /dev/console
    systemctl poweroff
    exit 1
fi
echo "step_start_uptime $(cut -d' ' -f1 /proc/uptime)" > "$out/timing-$step.txt"
rc=0
NETCAM_TEST_OUT=$out /netcam-test/check.sh "$step" > "$out/check-$step.log" 2>&1 || rc=$?
echo "step_end_uptime $(cut -d' ' -f1 /proc/uptime)" >> "$out/timing-$step.txt"
journalctl -b --no-pager -o short-monotonic > "$out/journal-$step.txt" 2>&1
dmesg > "$out/dmesg-$step.txt" 2>&1
echo "$rc" > "$out/rc-$step"
sync
umount "$out"
systemctl --no-block poweroff
