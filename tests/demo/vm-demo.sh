#!/bin/bash
# The demo, inside the VM (or natively): a camera scene served over RTSP on
# loopback by GStreamer's RTSP server, netcamd bringing it in as "Demo
# camera" (two nodes), ffmpeg saving a snapshot from the first node and
# netcam-motion logging motion events from the second. Everything lands in
# $NETCAM_VM_OUT; each step is one PASS/FAIL line named after it, and the
# first failing step ends the demo.
#
# Needs: $NETCAM_VM_OUT/demo.mp4 (tests/demo/make-clip.sh), netcamd and
# netcam-motion in build/userspace/, build/$KVER/driver/netcam.ko.
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"
. "$NETCAM_SRC/tests/vm/netcam.sh"
export PATH=$PATH:/usr/sbin:/sbin

OUT=$NETCAM_VM_OUT
NETCAMD=$NETCAM_SRC/build/userspace/netcamd/netcamd
MOTION=$NETCAM_SRC/build/userspace/netcam-motion/netcam-motion
CLIP=$OUT/demo.mp4
# Not 8554: natively, another RTSP server may already own that port.
PORT=8564
W=$(mktemp -d /tmp/netcam-demo.XXXXXX)
PIDS=()
# The plugin registry run.sh made on the host (saves a 17 s plugin scan).
export GST_REGISTRY=$OUT/gst-registry.bin

cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    PIDS=()
}
trap cleanup EXIT
# The first failed step ends the demo (tearing down what it started).
step_failed() {
    vm_fail "$1" "$2"
    cleanup
    netcam_unload 2>/dev/null
    vm_finish
}
wait_for() {   # SECONDS FILE REGEX
    local end=$(( $(date +%s) + $1 ))
    while [ "$(date +%s)" -lt "$end" ]; do
        grep -qE -- "$3" "$2" 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

for f in "$NETCAMD" "$MOTION" "$CLIP"; do
    [ -e "$f" ] || step_failed demo-files "$f missing (run tests/demo/run.sh)"
done
vm_run netcam-load netcam_load || step_failed netcam-load "insmod $NETCAM_KO failed (see logs/netcam-load.log)"

# 1. The camera: the clip over RTSP, from its start for each client.
"$NETCAM_SRC/tests/netcamd/rtsp-server.py" "$PORT" - /demo "$CLIP" > "$OUT/rtsp-server.log" 2>&1 &
PIDS+=($!)
wait_for 40 "$OUT/rtsp-server.log" '^serving' && ss -ltn | grep -q ":$PORT " ||
    step_failed rtsp-server "GStreamer's RTSP server did not start: $(tail -3 "$OUT/rtsp-server.log")"
vm_pass rtsp-server "$(cat "$OUT/rtsp-server.log")"

# 2. netcamd: always on, so frames flow before anyone watches and the
# snapshot shows the scene rather than the no-signal picture.
cat > "$W/netcam.conf" <<CONF
[global]
user = nobody
event_log = $OUT/motion-events.jsonl

[demo]
label = Demo camera
url = rtsp://127.0.0.1:$PORT/demo
transport = tcp
nodes = 2
node_labels = Demo camera, Demo camera (motion)
always_on = yes
size = 640x360
fps = 15
codec = h264
# netcam-motion watches the last node, found by the camera's name
motion_size = 320x180
motion_fps = 5
event_gap = 1
CONF
"$NETCAMD" --config "$W/netcam.conf" --camera demo > "$OUT/netcamd.log" 2>&1 &
NCD=$!
PIDS+=("$NCD")
wait_for 30 "$OUT/netcamd.log" 'node 1: /dev/video' ||
    step_failed netcamd-start "no camera created: $(tail -3 "$OUT/netcamd.log")"
NODE0=$(sed -n 's/.*node 0: \(\/dev\/video[0-9]*\).*/\1/p' "$OUT/netcamd.log" | tail -1)
NODE1=$(sed -n 's/.*node 1: \(\/dev\/video[0-9]*\).*/\1/p' "$OUT/netcamd.log" | tail -1)
for _ in $(seq 1 30); do [ -c "$NODE1" ] && break; sleep 0.1; done
vm_pass netcamd-start "Demo camera is $NODE0 (apps) and $NODE1 (motion)"
wait_for 40 "$OUT/netcamd.log" 'video arrives' ||
    step_failed video-arrives "no video from rtsp://127.0.0.1:$PORT/demo: $(tail -3 "$OUT/netcamd.log")"
t_video=$(date +%s)
vm_pass video-arrives "$(grep -m1 'video arrives' "$OUT/netcamd.log" | sed 's/^<[0-9]>//')"
v4l2-ctl -d "$NODE0" --info --list-formats-ext > "$OUT/v4l2-ctl.txt" 2>&1

# 3. netcam-motion on the second node, found through udev by the camera's
# name (the same netcam.conf section as netcamd's). The clip is
# still for its first 5 s, so the analyzer learns the empty scene, then a box
# crosses it for 5 s (one event), and so on.
rm -f "$OUT/motion-events.jsonl"
"$MOTION" -c "$W/netcam.conf" > "$OUT/motion-stdout.log" 2> "$OUT/motion.log" &
MOT=$!
PIDS+=("$MOT")
wait_for 20 "$OUT/motion.log" "camera 'demo': /dev/video" ||
    step_failed motion-start "netcam-motion did not open the node: $(tail -3 "$OUT/motion.log")"
vm_pass motion-start "$(grep -m1 "camera 'demo': /dev/video" "$OUT/motion.log" | sed 's/^<[0-9]>//')"

# 4. A snapshot from the first node while the analyzer streams from the
# second. ffmpeg rewrites it (-update 1) a few times a second and is stopped
# 7 s into the clip, when the box is in view: its start-up under TCG takes
# seconds, too long to time a single grab.
ffmpeg -hide_banner -loglevel error -y -f v4l2 -input_format yuyv422 -video_size 640x360 \
    -i "$NODE0" -vf fps=3 -update 1 -frames:v 100000 "$OUT/snapshot.png" \
    < /dev/null 2> "$OUT/logs/snapshot.log" &
SNAP=$!
PIDS+=("$SNAP")
end=$(( t_video + 30 ))
while [ "$(date +%s)" -lt "$end" ] && kill -0 "$SNAP" 2>/dev/null; do
    [ -s "$OUT/snapshot.png" ] && [ "$(date +%s)" -ge $(( t_video + 7 )) ] && break
    sleep 0.2
done
kill -INT "$SNAP" 2>/dev/null; wait "$SNAP" 2>/dev/null
if [ "$(head -c 4 "$OUT/snapshot.png" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 89504e47 ] &&
   [ ! -s "$OUT/logs/snapshot.log" ]; then
    vm_pass snapshot "$(file -b "$OUT/snapshot.png" 2>/dev/null || stat -c '%s bytes' "$OUT/snapshot.png")"
else
    step_failed snapshot "ffmpeg saved no PNG from $NODE0: $(head -3 "$OUT/logs/snapshot.log")"
fi

# 5. Motion events: the first crossing ends about 11 s into the clip.
if wait_for 30 "$OUT/motion-events.jsonl" '"type":"end"'; then
    vm_pass motion-events "$(grep -c '"type":"start"' "$OUT/motion-events.jsonl") event(s); $(grep -m1 'motion ended' "$OUT/motion.log" | sed 's/^<[0-9]>//')"
else
    step_failed motion-events "no event ended within 30 s: $(tail -3 "$OUT/motion.log")"
fi
kill -TERM "$MOT"; wait "$MOT"; rc=$?
[ $rc = 0 ] || step_failed motion-stop "netcam-motion exited with $rc on SIGTERM"
cat /sys/class/video4linux/"${NODE0#/dev/}"/netcam/frames_* > "$OUT/counters.txt" 2>/dev/null

# 6. Tear down: netcamd stops on SIGTERM (its nodes stay), then the camera
# is removed and the module unloaded.
cleanup
"$NETCAM_SRC/build/userspace/netcamctl/netcamctl" remove demo > /dev/null 2>&1
vm_run netcam-unload netcam_unload || step_failed netcam-unload "rmmod netcam failed"
rm -rf "$W"
vm_finish
