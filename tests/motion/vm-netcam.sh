#!/bin/bash
# netcam-motion on a netcam node inside the test VM: netcamd plays a looped
# clip (a still scene, then an object crossing it) into netcam.ko, and the
# analyzer, unprivileged, finds the node through udev by the camera's name:
# one netcam.conf section configures both. It must stay
# quiet on the still part, log the crossing, survive the camera being
# removed (netcamd stopped, camera deleted) and pick the node up again when
# netcamd re-creates it; a helper that dies mid-event leaves the node
# without a signal: the event ends, nothing fires until the signal is back
# and the scene relearnt. A hook that hangs is killed after hook_timeout.
#
# usage (host): tests/vm/run.sh --kernel KVER --script tests/motion/vm-netcam.sh --out DIR
# Needs the module (make driver), netcamd and netcam-motion built
# (tests/netcamd/run.sh and tests/motion/run.sh build them).
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"
. "$NETCAM_SRC/tests/motion/vm-lib.sh"
CHECK_PREFIX=motion.netcam
. "$NETCAM_SRC/tests/vm/netcam.sh"

bin=$NETCAM_SRC/build/userspace/netcam-motion/netcam-motion
netcamd=$NETCAM_SRC/build/userspace/netcamd/netcamd
netcamctl=$NETCAM_SRC/build/userspace/netcamctl/netcamctl
for b in "$bin" "$netcamd" "$netcamctl"; do
    [ -x "$b" ] || { vm_fail motion.netcam.binary "$b missing: build userspace first"; vm_finish; }
done

work=$NETCAM_VM_OUT/motion-netcam
rm -rf "$work"   # a re-run into the same --out starts clean
rm -rf "$work"   # a re-run into the same --out starts clean
mkdir -p "$work/snaps"
chmod 777 "$work" "$work/snaps"

# The clip: 16 s at 10 fps, still for 6 s, a dark box crossing from 6 s to
# 10 s, still again. netcamd loops it, so motion comes back every 16 s.
clip=$work/crossing.mp4
vm_run motion.netcam.clip ffmpeg -hide_banner -loglevel error -nostdin -y \
    -f lavfi -i "testsrc2=s=320x180:r=10,trim=end_frame=1,loop=loop=159:size=1,setpts=N/10/TB" \
    -f lavfi -i "color=c=0x202020:s=50x50:r=10" \
    -filter_complex "[0][1]overlay=x='if(between(t,6,10),(t-6)*70,-60)':y=60:eof_action=endall,trim=duration=16" \
    -c:v libx264 -preset ultrafast -g 10 -pix_fmt yuv420p "$clip" || vm_finish

# One section for the camera and its motion settings, read by both
# programs. Its only node is the analyzer's here (motion = yes).
cat > "$work/netcam.conf" <<EOF
[global]
event_log = $work/events.jsonl
snapshot_dir = $work/snaps
hook = $work/hook.sh
hook_timeout = 2

[yard]
label = Yard camera
url = $clip
nodes = 1
motion = yes
motion_size = 320x180
motion_fps = 10
event_gap = 1
max_event = 6
EOF

# udevd, as on a real system: it gives new nodes group video and tells the
# analyzer about them (the udev monitor path of hotplug). Without it the
# test still runs, on the analyzer's 5 s polling path.
UDEVD=
if [ -x /lib/systemd/systemd-udevd ] && /lib/systemd/systemd-udevd --daemon 2> "$work/udevd.err"; then
    UDEVD=1
    echo 'udevd started'
fi
vm_run motion.netcam.load netcam_load || vm_finish

NCD_PID=
ncd_start() {
    "$netcamd" -c "$work/netcam.conf" --camera yard >> "$work/netcamd.log" 2>&1 &
    NCD_PID=$!
    for _ in $(seq 1 100); do
        NODE=$(sed -n 's/.*node 0: \(\/dev\/video[0-9]*\).*/\1/p' "$work/netcamd.log" | tail -n 1)
        [ -n "$NODE" ] && [ -c "$NODE" ] && return 0
        kill -0 "$NCD_PID" 2> /dev/null || return 1
        sleep 0.2
    done
    return 1
}
ncd_stop() { kill -TERM "$NCD_PID" 2> /dev/null; wait "$NCD_PID" 2> /dev/null; }
# No udevd in the VM: give the node the group a udev rule would.
video_perms() { chgrp video "$NODE" && chmod 660 "$NODE"; }

if ncd_start; then
    vm_pass motion.netcam.netcamd "node $NODE"
else
    vm_fail motion.netcam.netcamd "netcamd did not create a node: $(tail -n 3 "$work/netcamd.log")"
    vm_finish
fi

# The hook hangs on event start (a child sleeping, as a stuck upload
# would): hook_timeout must kill it and its child.
cat > "$work/hook.sh" <<EOF
#!/bin/sh
echo "\$1 \$2 \$4" >> "$work/hook.out"
if [ "\$1" = start ]; then sleep 1000 & wait; fi
EOF
chmod 755 "$work/hook.sh"
: > "$work/hook.out"
chmod 666 "$work/hook.out"
log=$work/daemon.log
run_as=()
if command -v setpriv > /dev/null && getent group video > /dev/null && video_perms; then
    run_as=(setpriv --reuid=nobody --regid=65534 --groups=video --inh-caps=-all)
fi
"${run_as[@]}" "$bin" --debug -c "$work/netcam.conf" > "$work/stdout" 2> "$log" &
pid=$!


check open 30 "$log" "camera 'yard': /dev/video[0-9]+ \(Yard camera\)"
check event-start 40 "$work/events.jsonl" '"type":"start"'
check event-end 30 "$work/events.jsonl" '"type":"end".*"bbox"'
# Nothing may fire on the still part: the first event must be the crossing,
# 6 s into the clip, which netcamd starts when the analyzer starts streaming
# (its first frames may be netcamd's placeholder, hence the slack).
t0=$(grep -m1 -o "camera 'yard' t=[0-9.]*" "$log" | sed 's/.*t=//')
s1=$(grep -m1 '"type":"start"' "$work/events.jsonl" | grep -o '"start_mono":[0-9.]*' | cut -d: -f2)
if awk -v a="${t0:-x}" -v b="${s1:-x}" 'BEGIN { d = b - a; exit !(a != "x" && b != "x" && d >= 5 && d <= 9) }'; then
    vm_pass motion.netcam.still-no-event "first event $(awk -v a="$t0" -v b="$s1" 'BEGIN { printf "%.1f", b - a }') s after the first frame (the crossing starts at 6 s)"
else
    vm_fail motion.netcam.still-no-event "first event at ${s1:-none}, first frame at ${t0:-none}: expected the crossing 6 s in"
fi
check_snapshot "$work/snaps"
check hook-end 10 "$work/hook.out" '^end yard 1$'
check hook-timeout 10 "$log" "hook .*event 1 start.* still running after 2 s: killed"
# SIGKILL is immediate, but an emulated VM may take a moment to reap.
left=
for _ in $(seq 1 10); do
    sleep 0.5
    left=$(ps -eo pid,pgid,user,stat,args | grep '[s]leep 1000') || break
done
if [ -n "$left" ]; then
    vm_fail motion.netcam.hook-group-killed "the hung hook's child is still running: $left"
else
    vm_pass motion.netcam.hook-group-killed "no child of the hung hook left"
fi
# One crossing, one event: the clip loops, so the next crossing comes 16 s
# later; each event lasts about the 4 s of the crossing.
check second-event 40 "$work/events.jsonl" '"type":"end"' 2
verdict=$(grep '"type":"end"' "$work/events.jsonl" | head -n 2 |
    sed 's/.*"start_mono":\([0-9.]*\).*"duration":\([0-9.]*\).*/\1 \2/' |
    awk 'NR == 1 { s = $1 } { if ($2 < 3 || $2 > 6) bad = bad " duration " $2 }
         NR == 2 { gap = $1 - s; if (gap < 15 || gap > 17) bad = bad " gap " gap }
         END { if (NR < 2) bad = bad " only " NR " events"
               printf "%s", bad ? "FAIL" bad : sprintf("2 events 16 s apart (%.1f s)", gap) }')
case $verdict in
    FAIL*) vm_fail motion.netcam.one-event-per-crossing "${verdict#FAIL }" ;;
    *) vm_pass motion.netcam.one-event-per-crossing "$verdict" ;;
esac

# The signal goes mid-event and comes back: netcamd is killed while the
# third crossing is under way (the node stays, reports no signal and
# repeats its last picture, the box frozen mid-frame) and started again
# after longer than still_time (5 s), so a frozen box would have been
# learnt into the background. The event must end at the loss, nothing may
# fire during the outage or on the return (the box is gone: a "ghost"),
# and the crossing of the restarted clip, 6 s in, must be found.
# (netcamd's start may already have shown a loss and a return: count on.)
lost_re="camera 'yard': /dev/video[0-9]+ has no signal"
back_re="camera 'yard': signal back at t="
if wait_for 40 "$work/events.jsonl" '"type":"start"' 3; then
    sleep 1.5
    n_lost=$(grep -cE "$lost_re" "$log")
    kill -KILL "$NCD_PID" 2> /dev/null
    wait "$NCD_PID" 2> /dev/null
    check signal-lost 10 "$log" "$lost_re" $(( n_lost + 1 ))
    check signal-lost-ends-event 4 "$work/events.jsonl" '"type":"end"' 3
    sleep 8
    starts=$(grep -c '"type":"start"' "$work/events.jsonl")
    if [ "$starts" -eq 3 ]; then vm_pass motion.netcam.no-event-while-lost "3 starts, as before the loss"
    else vm_fail motion.netcam.no-event-while-lost "$starts starts: an event fired without a signal"; fi
    n_back=$(grep -cE "$back_re" "$log")
    if ncd_start; then
        # the first return after the restart (netcamd may flap once more)
        check signal-back 20 "$log" "$back_re" $(( n_back + 1 ))
        t_back=$(grep -oE "${back_re}[0-9.]*" "$log" | sed -n "$(( n_back + 1 ))p" | sed 's/.*t=//')
        wait_for 30 "$work/events.jsonl" '"type":"start"' 4
        s4=$(grep '"type":"start"' "$work/events.jsonl" | sed -n 4p | grep -o '"start_mono":[0-9.]*' | cut -d: -f2)
        if awk -v a="${t_back:-x}" -v b="${s4:-x}" 'BEGIN { d = b - a; exit !(a != "x" && b != "x" && d >= 4.5 && d <= 11) }'; then
            vm_pass motion.netcam.signal-back-no-ghost "next event $(awk -v a="$t_back" -v b="$s4" 'BEGIN { printf "%.1f", b - a }') s after the return: the crossing, 6 s into the clip"
        else
            vm_fail motion.netcam.signal-back-no-ghost "next event at ${s4:-none}, signal back at ${t_back:-none}: expected the crossing 6 s in, nothing before"
        fi
    else
        vm_fail motion.netcam.signal-back "netcamd did not re-attach: $(tail -n 3 "$work/netcamd.log")"
    fi
else
    vm_fail motion.netcam.signal-lost "no third crossing to interrupt"
fi

# The camera goes away: helper stopped and the camera removed.
ncd_stop
if "$netcamctl" remove yard > "$work/remove.out" 2>&1; then
    check node-removed 20 "$log" "camera 'yard': .*(removed|disappeared|stopped|no frame)"
    if kill -0 $pid 2> /dev/null; then vm_pass motion.netcam.survives-removal "daemon still running"
    else vm_fail motion.netcam.survives-removal "daemon exited"; fi
else
    vm_fail motion.netcam.node-removed "netcamctl remove yard: $(cat "$work/remove.out")"
fi
# ... and comes back: a new node, maybe under another number.
if ncd_start; then
    [ ${#run_as[@]} -gt 0 ] && video_perms
    check reopened 40 "$log" "camera 'yard': /dev/video[0-9]+ \(Yard camera\)" 2
    if [ -n "$UDEVD" ]; then
        check udev-add 10 "$log" "udev: add /dev/video"
    else
        vm_skip motion.netcam.udev-add "no systemd-udevd: the polling path was used"
    fi
    check event-after-readd 40 "$work/events.jsonl" '"type":"start"' 5
else
    vm_fail motion.netcam.reopened "netcamd did not re-create the node"
fi

kill -TERM $pid
wait $pid
rc=$?
if [ $rc -eq 0 ]; then vm_pass motion.netcam.sigterm "exit 0"
else vm_fail motion.netcam.sigterm "exit $rc"; fi
starts=$(grep -c '"type":"start"' "$work/events.jsonl")
ends=$(grep -c '"type":"end"' "$work/events.jsonl")
if [ "$starts" -eq "$ends" ]; then vm_pass motion.netcam.events-closed "$starts starts, $ends ends"
else vm_fail motion.netcam.events-closed "$starts starts, $ends ends"; fi
ncd_stop
"$netcamctl" remove yard > /dev/null 2>&1
cp "$log" "$(vm_log motion-netcam-daemon)"
cp "$work/netcamd.log" "$(vm_log motion-netcam-netcamd)"
cp "$work/events.jsonl" "$NETCAM_VM_OUT/logs/motion-netcam-events.jsonl" 2> /dev/null
vm_run motion.netcam.unload netcam_unload
vm_finish
