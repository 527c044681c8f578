#!/bin/bash
# The installed-system test's boot (installed-test.service): mounts the 9p
# share "results", runs check.sh with its output and results there, saves
# the journal and the kernel log, and powers off. $out/rc gets check.sh's
# exit status.
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
out=/netcam-test/out
mkdir -p "$out"
modprobe 9pnet_virtio 2>/dev/null
if ! mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results "$out"; then
    echo "installed-test: cannot mount the 9p share 'results' on $out" > /dev/console
    systemctl poweroff
    exit 1
fi
echo "step_start_uptime $(cut -d' ' -f1 /proc/uptime)" > "$out/timing.txt"
rc=0
# Well inside run.sh's limit for the whole VM, so that a check that hangs
# still leaves the journal.
NETCAM_TEST_OUT=$out timeout -k 10 840 /netcam-test/check.sh > "$out/check.log" 2>&1 || rc=$?
[ $rc != 124 ] || echo "FAIL check.timeout: check.sh did not finish within 840 s (check.log)" >> "$out/results.txt"
echo "step_end_uptime $(cut -d' ' -f1 /proc/uptime)" >> "$out/timing.txt"
systemd-analyze blame --no-pager > "$out/blame.txt" 2>&1
journalctl -b --no-pager -o short-monotonic > "$out/journal.txt" 2>&1
dmesg > "$out/dmesg.txt" 2>&1
echo "$rc" > "$out/rc"
sync
umount "$out"
systemctl --no-block poweroff
