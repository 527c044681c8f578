#!/bin/bash
# netcam-motion on a vivid node inside the test VM: events for a moving
# pattern (JSON log, snapshot, hook), the node removed and re-added (the
# daemon recovers), SIGHUP reload, SIGTERM ends open events and exits 0.
#
# usage (host): tests/vm/run.sh --kernel KVER --script tests/motion/vm-vivid.sh --out DIR
# Needs build/userspace/netcam-motion/netcam-motion (tests/motion/run.sh builds it).
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"
. "$NETCAM_SRC/tests/motion/vm-lib.sh"
CHECK_PREFIX=motion.vm

echo 'schedule_timeout: wrong timeout value' >> "$NETCAM_VM_OUT/dmesg-allow.txt"
bin=$NETCAM_SRC/build/userspace/netcam-motion/netcam-motion
[ -x "$bin" ] || { vm_fail motion.vm.binary "$bin missing: run tests/motion/run.sh first"; vm_finish; }

vm_run motion.vm.vivid-load modprobe vivid n_devs=1 node_types=0x1 num_inputs=1 input_types=0x0 || vm_finish

find_dev() {
    for n in /sys/class/video4linux/video*; do
        [ -e "$n/name" ] || continue
        case $(cat "$n/name") in vivid*) echo "/dev/${n##*/}"; return 0 ;; esac
    done
    return 1
}
dev=
for _ in $(seq 20); do dev=$(find_dev) && [ -c "$dev" ] && break; sleep 0.5; done
[ -n "$dev" ] || { vm_fail motion.vm.vivid-device "no vivid node"; vm_finish; }

# menu index of control $1 whose item name matches $2
menu() {
    v4l2-ctl -d "$dev" -L 2>/dev/null | sed -n "/^ *$1 0x/,/^ *[a-z_]* 0x/p" |
        grep -E '^\s+[0-9]+: ' | grep -i -m1 "$2" | sed 's/^\s*\([0-9]*\):.*/\1/'
}
setup_pattern() {
    v4l2-ctl -d "$dev" -c osd_text_mode="$(menu osd_text_mode none)" \
        -c test_pattern="$(menu test_pattern 'ten pixels wide cross')" \
        -c horizontal_movement="$(menu horizontal_movement 'no movement')"
}
move() { v4l2-ctl -d "$dev" -c horizontal_movement="$(menu horizontal_movement "$1")"; }
setup_pattern || { vm_fail motion.vm.vivid-controls "v4l2-ctl failed"; vm_finish; }
v4l2-ctl -d "$dev" -C horizontal_movement,vertical_movement,test_pattern,osd_text_mode 2>&1
card=$(v4l2-ctl -d "$dev" --info | sed -n 's/^\s*Card type\s*: //p')
vm_pass motion.vm.vivid-device "$dev card '$card'"

work=$NETCAM_VM_OUT/motion
rm -rf "$work"   # a re-run into the same --out starts clean
mkdir -p "$work/snaps"
cat > "$work/hook.sh" <<EOF
#!/bin/sh
echo "\$1 \$2 \$3 \$4 \$NETCAM_EVENT \$NETCAM_SNAPSHOT" >> "$work/hook.out"
# what the hook inherited: signal mask and dispositions, open files
{ grep -E '^Sig(Blk|Ign):' /proc/\$\$/status; ls -l /proc/\$\$/fd/ | sed -n 's/.* -> //p'; } > "$work/hook-inherit.\$4.\$1"
EOF
chmod +x "$work/hook.sh"
cat > "$work/motion.conf" <<EOF
[global]
event_log = $work/events.jsonl
snapshot_dir = $work/snaps
hook = $work/hook.sh
[vivid]
card = $card
motion_size = 320x180
motion_fps = 10
event_gap = 1
max_event = 4
EOF
log=$work/daemon.log
# Unprivileged, as the service runs: user nobody, group video.
video_perms() { chgrp video "$dev" && chmod 660 "$dev"; }
run_as=()
if command -v setpriv > /dev/null && getent group video > /dev/null && video_perms; then
    chmod 777 "$work" "$work/snaps"
    run_as=(setpriv --reuid=nobody --regid=nogroup --groups=video --inh-caps=-all)
    getent group nogroup > /dev/null || run_as=(setpriv --reuid=nobody --regid=65534 --groups=video --inh-caps=-all)
fi
"${run_as[@]}" "$bin" --debug -c "$work/motion.conf" > "$work/stdout" 2> "$log" &
pid=$!
if [ ${#run_as[@]} -gt 0 ]; then
    sleep 1
    vm_pass motion.vm.unprivileged "running as $(ps -o user=,group=,supgrp= -p $pid 2>/dev/null | xargs)"
else
    vm_skip motion.vm.unprivileged "setpriv or group video missing: running as root"
fi


check open 20 "$log" "camera 'vivid': $dev \(vivid\)"
sleep 4
echo "still check at $(cut -d' ' -f1 /proc/uptime)"
n=$(grep -c '"type":"start"' "$work/events.jsonl" 2>/dev/null)
if [ "${n:-0}" -eq 0 ]; then vm_pass motion.vm.still-no-event "no event on a still pattern"
else vm_fail motion.vm.still-no-event "$n events on a still pattern"; fi

move 'move right fast'
check event-start 15 "$work/events.jsonl" '"type":"start"'
move 'no movement'
check event-end 25 "$work/events.jsonl" '"type":"end".*"bbox"'
check hook 10 "$work/hook.out" '^end vivid all [0-9]+ end /'
check_snapshot "$work/snaps"

# A hook starts as from a shell: no signal blocked, SIGPIPE not ignored
# (bit 13 of SigIgn), none of the daemon's descriptors (event log, video
# node, signalfd, eventfd, udev socket).
inh=$(ls "$work"/hook-inherit.*.end 2> /dev/null | head -n 1)
blk=$(sed -n 's/^SigBlk:\s*//p' "$inh" 2> /dev/null)
ign=$(sed -n 's/^SigIgn:\s*//p' "$inh" 2> /dev/null)
if [ -n "$blk" ] && [ $((16#$blk)) -eq 0 ] && [ -n "$ign" ] && [ $(( (16#$ign >> 12) & 1 )) -eq 0 ]; then
    vm_pass motion.vm.hook-signals "SigBlk $blk SigIgn $ign"
else
    vm_fail motion.vm.hook-signals "hook inherited SigBlk '$blk' SigIgn '$ign' (${inh:-no record})"
fi
leaked=$(grep -E 'events\.jsonl|/dev/video|anon_inode|socket:' "$inh" 2> /dev/null | tr '\n' ' ')
if [ -n "$inh" ] && [ -z "$leaked" ]; then
    vm_pass motion.vm.hook-fds "$(grep -c . "$inh") lines, none of the daemon's descriptors"
else
    vm_fail motion.vm.hook-fds "hook inherited: ${leaked:-no record}"
fi

# node removed and re-added
sysdev=$(basename "$(readlink -f /sys/class/video4linux/${dev#/dev/}/device)")
drv=/sys/bus/platform/drivers/vivid
if echo "$sysdev" > $drv/unbind; then
    check node-removed 15 "$log" "camera 'vivid': .*(removed|disappeared|stopped|no frame)"
    if kill -0 $pid 2>/dev/null; then vm_pass motion.vm.survives-removal "daemon still running"
    else vm_fail motion.vm.survives-removal "daemon exited"; fi
    echo "$sysdev" > $drv/bind
    for _ in $(seq 20); do dev=$(find_dev) && [ -c "$dev" ] && break; sleep 0.5; done
    # no udevd in the VM: give the new node the group a udev rule would
    [ ${#run_as[@]} -gt 0 ] && video_perms
    check reopened 30 "$log" "camera 'vivid': /dev/video[0-9]+ \(vivid\)" 2
    setup_pattern
    # A full snapshot directory: a warning, the event's end line and its
    # hook (without a snapshot), no temporary file; the daemon goes on.
    mount -t tmpfs -o size=16k,mode=0777 netcam-full "$work/snaps"
    dd if=/dev/zero of="$work/snaps/fill" bs=4k 2> /dev/null
    move 'move left fast'
    check event-after-readd 20 "$work/events.jsonl" '"type":"start"' 2
    move 'no movement'
    check disk-full-end 25 "$work/events.jsonl" '"type":"end"' 2
    check disk-full-warning 10 "$log" "snapshot not saved: .*No space left on device"
    check disk-full-hook 10 "$work/hook.out" '^end vivid all [0-9]+ end $'
    # a read-only one: the same
    mount -o remount,ro "$work/snaps"
    setup_pattern
    move 'move right fast'
    check read-only-start 20 "$work/events.jsonl" '"type":"start"' 3
    move 'no movement'
    check read-only-end 25 "$work/events.jsonl" '"type":"end"' 3
    check read-only-warning 10 "$log" "snapshot not saved: .*Read-only file system"
    left=$(ls "$work/snaps" | grep -v '^fill$' | tr '\n' ' ')
    if [ -z "$left" ]; then vm_pass motion.vm.no-tmp-left "only the filler in the full directory"
    else vm_fail motion.vm.no-tmp-left "left in the full directory: $left"; fi
    umount "$work/snaps"
else
    vm_fail motion.vm.node-removed "cannot unbind $sysdev from vivid"
fi

kill -HUP $pid
check reload 10 "$log" "configuration reloaded"
kill -TERM $pid
wait $pid
rc=$?
if [ $rc -eq 0 ]; then vm_pass motion.vm.sigterm "exit 0"
else vm_fail motion.vm.sigterm "exit $rc"; fi
starts=$(grep -c '"type":"start"' "$work/events.jsonl")
ends=$(grep -c '"type":"end"' "$work/events.jsonl")
if [ "$starts" -eq "$ends" ]; then vm_pass motion.vm.events-closed "$starts starts, $ends ends"
else vm_fail motion.vm.events-closed "$starts starts, $ends ends"; fi
cp "$log" "$(vm_log motion-daemon)"
cp "$work/events.jsonl" "$NETCAM_VM_OUT/logs/motion-events.jsonl" 2>/dev/null
vm_run motion.vm.vivid-unload modprobe -r vivid
vm_finish
