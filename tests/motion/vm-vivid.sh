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
rm -rf "$work"   # a re-run into the same --out starts clean
mkdir -p "$work/snaps"
cat > "$work/hook.sh" <<EOF
#!/bin/sh
echo "\$1 \$2 \$3 \$4 \$NETCAM_EVENT \$NETCAM_SNAPSHOT" >> "$work/hook.out"
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
    move 'move left fast'
    check event-after-readd 20 "$work/events.jsonl" '"type":"start"' 2
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
