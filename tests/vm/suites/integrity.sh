#!/bin/bash
# Frame integrity through netcam.ko, inside the VM (tests/vm/run.sh):
# netcam-feed feeds numbered pattern frames, real applications capture
# them (ffmpeg, GStreamer) and netcam-check verifies every byte.
#
#   integrity-ffmpeg-yuyv / -nv12   ffmpeg v4l2 captures, checked exactly
#   integrity-gst-yuy2 / -nv12      gst-launch v4l2src captures, checked exactly
#   integrity-ffmpeg-mjpeg          MJPEG decoded to gray, coarse check
#   integrity-outage-*              feeder killed (-9) mid-capture: frames keep
#                                   coming; a restarted feeder re-attaches,
#                                   real frames resume in the same capture
#   integrity-signal-lost           a feed that reports NETCAM_SIGNAL_LOST and
#                                   feeds nothing: the node streams grey
#                                   placeholders at its rate
#
# Binaries are looked up in $NETCAM_SRC/build/tests/{feeder,tools} then
# $NETCAM_SRC/tests/{feeder,tools}/build (override: NETCAM_FEED, NETCAM_CHECK).
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"

work=$(mktemp -d /tmp/integrity.XXXXXX)
camera=integ-$$
lost_camera=integ-lost-$$
feeder_pid=
lost_pid=
loaded_module=0

find_bin() {
    local name=$1 sub=$2 c
    for c in "$NETCAM_SRC/build/tests/$sub/$name" "$NETCAM_SRC/tests/$sub/build/$name"; do
        [ -x "$c" ] && { echo "$c"; return 0; }
    done
    return 1
}

feed=${NETCAM_FEED:-$(find_bin netcam-feed feeder)} ||
    { vm_fail integrity-setup "netcam-feed not built (make -C tests/feeder)"; vm_finish; }
check=${NETCAM_CHECK:-$(find_bin netcam-check tools)} ||
    { vm_fail integrity-setup "netcam-check not built (make -C tests/tools)"; vm_finish; }

cleanup() {
    [ -n "$feeder_pid" ] && kill "$feeder_pid" 2>/dev/null && wait "$feeder_pid" 2>/dev/null
    [ -n "$lost_pid" ] && kill "$lost_pid" 2>/dev/null && wait "$lost_pid" 2>/dev/null
    [ -c /dev/netcam ] && "$feed" --remove "$camera" >/dev/null 2>&1
    [ -c /dev/netcam ] && "$feed" --remove "$lost_camera" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

# --- module -----------------------------------------------------------------
load_module() {
    local ko=$NETCAM_SRC/build/$KVER/driver/netcam.ko dep
    [ -c /dev/netcam ] && return 0
    [ -f "$ko" ] || { vm_fail integrity-insmod "$ko not built"; return 1; }
    # insmod does not resolve dependencies (videodev, videobuf2-*): modprobe them.
    for dep in $(modinfo -F depends "$ko" | tr ',' ' '); do
        modprobe "$dep" || { vm_fail integrity-insmod "modprobe $dep failed"; return 1; }
    done
    vm_run integrity-insmod insmod "$ko" || return 1
    loaded_module=1
    for _ in $(seq 50); do [ -c /dev/netcam ] && return 0; sleep 0.1; done
    vm_fail integrity-insmod "/dev/netcam did not appear"
    return 1
}
load_module || vm_finish

# --- feeder -----------------------------------------------------------------
# Small modes keep TCG fast; 640x480 YUYV is the first (default) mode.
MODES='YUYV,NV12:640x480,320x240:30,15+MJPG:320x240:30'

# start_feeder LOGNAME: start netcam-feed in the background, set feeder_pid
# and video (node 0's device). Extra lines of its stdout go to $work/LOGNAME.out.
start_feeder() {
    local log=$1 i
    "$feed" --verbose --name "$camera" --label "netcam integrity" --modes "$MODES" \
        > "$work/$log.out" 2> "$(vm_log "$log")" &
    feeder_pid=$!
    video=
    for i in $(seq 100); do
        video=$(awk '$1 == "node" && $2 == 0 { print $3 }' "$work/$log.out")
        [ -n "$video" ] && break
        kill -0 "$feeder_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$video" ] || [ ! -c "$video" ]; then
        vm_fail "$log" "no node line or no device '$video' (see logs/$log.log)"
        return 1
    fi
    for i in $(seq 50); do [ -c "$video" ] && break; sleep 0.1; done
    vm_pass "$log" "$(head -n 1 "$work/$log.out") node0=$video"
}
start_feeder integrity-feeder-start || vm_finish

# check_capture NAME FILE CHECK_ARGS...: run netcam-check, PASS/FAIL with its summary.
check_capture() {
    local name=$1 file=$2 out rc
    shift 2
    out=$("$check" --timeline "$@" "$file" 2>>"$(vm_log "$name")")
    rc=$?
    echo "$out" >> "$(vm_log "$name")"
    if [ $rc -eq 0 ]; then
        vm_pass "$name" "$(head -n 1 <<<"$out")"
    else
        vm_fail "$name" "netcam-check exit $rc: $(head -n 1 <<<"$out")"
    fi
    rm -f "$file"
}

# ffmpeg_capture NAME INPUT_FORMAT SIZE FRAMES OUT [OUTPUT ARGS...]
ffmpeg_capture() {
    local name=$1 input=$2 size=$3 frames=$4 out=$5
    shift 5
    VM_TIMEOUT=60 vm_run "$name-capture" ffmpeg -nostdin -hide_banner -loglevel error \
        -f v4l2 -input_format "$input" -video_size "$size" -i "$video" \
        -frames:v "$frames" -fps_mode passthrough "$@" -f rawvideo -y "$out"
}

# --- captures -----------------------------------------------------------------
if ffmpeg_capture integrity-ffmpeg-yuyv yuyv422 640x480 60 "$work/f-yuyv.raw" -c:v rawvideo; then
    check_capture integrity-ffmpeg-yuyv "$work/f-yuyv.raw" --format YUYV --size 640x480 --min-ok 30
fi
if ffmpeg_capture integrity-ffmpeg-nv12 nv12 320x240 60 "$work/f-nv12.raw" -c:v rawvideo; then
    check_capture integrity-ffmpeg-nv12 "$work/f-nv12.raw" --format NV12 --size 320x240 --min-ok 30
fi

if command -v gst-launch-1.0 >/dev/null; then
    for fmt in YUY2 NV12; do
        name=integrity-gst-$(tr 'A-Z' 'a-z' <<<"$fmt")
        if VM_TIMEOUT=60 vm_run "$name-capture" gst-launch-1.0 -q v4l2src device="$video" num-buffers=60 \
            ! "video/x-raw,format=$fmt,width=320,height=240" ! filesink location="$work/g.raw"; then
            check_capture "$name" "$work/g.raw" --format "$fmt" --size 320x240 --min-ok 30
        fi
    done
else
    vm_skip integrity-gst "gst-launch-1.0 not installed (gstreamer1.0-tools, gstreamer1.0-plugins-good)"
fi

if ffmpeg_capture integrity-ffmpeg-mjpeg mjpeg 320x240 30 "$work/f-mjpeg.gray" -pix_fmt gray; then
    check_capture integrity-ffmpeg-mjpeg "$work/f-mjpeg.gray" --mjpeg-luma --size 320x240 --min-ok 15
fi

# --- outage: kill -9 the feeder mid-capture, then re-attach --------------------
# 320x240 YUYV at 15 fps: ffmpeg captures until it has 60 frames (4 s) more
# than when the new feeder attached, however long that took (seconds on the
# debug kernel under TCG), then is stopped with SIGINT, which ends its output
# cleanly. The 3000-frame cap only bounds a broken run.
frame_bytes=$((320 * 240 * 2))
frames_in() { echo $(( $(stat -c %s "$1" 2>/dev/null || echo 0) / frame_bytes )); }
outage_out=$work/outage.raw
ffmpeg -nostdin -hide_banner -loglevel error -f v4l2 -input_format yuyv422 -video_size 320x240 \
    -framerate 15 -i "$video" -frames:v 3000 -fps_mode passthrough -c:v rawvideo -f rawvideo \
    -y "$outage_out" > "$(vm_log integrity-outage-ffmpeg)" 2>&1 &
ffmpeg_pid=$!
for _ in $(seq 100); do [ "$(frames_in "$outage_out")" -ge 20 ] && break; sleep 0.2; done
before=$(frames_in "$outage_out")
kill -9 "$feeder_pid"
wait "$feeder_pid" 2>/dev/null
feeder_pid=
sleep 5
during=$(( $(frames_in "$outage_out") - before ))
# Placeholders come at the negotiated 15 fps: expect at least half of 75.
if [ "$during" -ge 37 ]; then
    vm_pass integrity-outage-frames-continue "$during frames in 5 s without a feeder"
else
    vm_fail integrity-outage-frames-continue "only $during frames in 5 s without a feeder (before: $before)"
fi

if start_feeder integrity-outage-reattach; then
    if grep -q "^camera $camera id [0-9]* reattached" "$work/integrity-outage-reattach.out"; then
        vm_pass integrity-outage-reattached-flag
    else
        vm_fail integrity-outage-reattached-flag "feeder said: $(head -n 1 "$work/integrity-outage-reattach.out")"
    fi
fi
attached=$(frames_in "$outage_out")
for _ in $(seq 300); do
    [ "$(frames_in "$outage_out")" -ge $((attached + 60)) ] && break
    kill -0 "$ffmpeg_pid" 2>/dev/null || break
    sleep 0.2
done
kill -INT "$ffmpeg_pid" 2>/dev/null
rc=0
for _ in $(seq 50); do kill -0 "$ffmpeg_pid" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$ffmpeg_pid" 2>/dev/null; then
    kill -9 "$ffmpeg_pid"
    vm_fail integrity-outage-ffmpeg "ffmpeg still running 10 s after SIGINT ($(frames_in "$outage_out") frames)"
else
    wait "$ffmpeg_pid"
    rc=$?
    total=$(frames_in "$outage_out")
    # 255: FFmpeg's status after a clean stop on SIGINT.
    if { [ $rc -eq 0 ] || [ $rc -eq 255 ]; } && [ "$total" -ge $((attached + 60)) ]; then
        vm_pass integrity-outage-ffmpeg "exit $rc, $total frames, $((total - attached)) after the re-attach"
    else
        vm_fail integrity-outage-ffmpeg "exit $rc with $total frames, $((total - attached)) after the re-attach, want 60 (log: logs/integrity-outage-ffmpeg.log)"
    fi
fi

# The timeline must read: real frames (a run of 10 or more), then at least
# 20 kept/placeholder frames (the outage: the driver repeats a kept real
# frame, which reads as R<n>x1 S<count>), then real frames again (5 or
# more, numbered from 0 again after the re-attach).
summary=$("$check" --timeline --format YUYV --size 320x240 "$outage_out" 2>>"$(vm_log integrity-outage-check)")
crc=$?
echo "$summary" >> "$(vm_log integrity-outage-check)"
verdict=$(awk '
    $1 == "timeline" {
        # state 0: before real frames, 1: first real run seen,
        # 2: outage seen, 3: real frames resumed
        state = 0; outage = 0
        for (i = 2; i <= NF; i++) {
            kind = substr($i, 1, 1)
            if (kind == "R") { split($i, a, "x"); count = a[2] + 0 } else count = substr($i, 2) + 0
            if (state == 0) {
                if (kind == "R" && count >= 10) state = 1
            } else if (state == 1) {
                if (kind == "C") break
                outage += count
                if (outage >= 20) state = 2
            } else if (state == 2) {
                if (kind == "R" && count >= 5) state = 3
            }
        }
        print (state == 3 ? "ok" : "bad")
    }' <<<"$summary")
if [ $crc -eq 0 ] && [ "$verdict" = ok ]; then
    vm_pass integrity-outage-resume "$(tr '\n' ' ' <<<"$summary")"
else
    vm_fail integrity-outage-resume "netcam-check exit $crc, want real/outage/real: $(tr '\n' ' ' <<<"$summary")"
fi

# --- signal lost: placeholders at the negotiated rate ---------------------------
"$feed" --verbose --signal-lost --name "$lost_camera" --modes 'GREY:160x120:15' \
    > "$work/lost.out" 2> "$(vm_log integrity-signal-lost-feeder)" &
lost_pid=$!
lost_video=
for _ in $(seq 100); do
    lost_video=$(awk '$1 == "node" && $2 == 0 { print $3 }' "$work/lost.out")
    [ -n "$lost_video" ] && [ -c "$lost_video" ] && break
    kill -0 "$lost_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$lost_video" ] || [ ! -c "$lost_video" ]; then
    vm_fail integrity-signal-lost "feeder gave no usable node (see logs/integrity-signal-lost-feeder.log)"
else
    start=$(date +%s)
    if VM_TIMEOUT=60 vm_run integrity-signal-lost-capture ffmpeg -nostdin -hide_banner -loglevel error \
        -f v4l2 -input_format gray -video_size 160x120 -i "$lost_video" -frames:v 30 \
        -fps_mode passthrough -f rawvideo -y "$work/lost.raw"; then
        secs=$(( $(date +%s) - start ))
        summary=$("$check" --min-ok 0 --format GREY --size 160x120 "$work/lost.raw" 2>&1)
        if [[ $summary == "frames=30 ok=0 placeholders=30 corrupt=0 "* ]]; then
            vm_pass integrity-signal-lost "$summary (${secs}s)"
        else
            vm_fail integrity-signal-lost "want 30 placeholders: $summary"
        fi
    fi
fi
kill "$lost_pid" 2>/dev/null
wait "$lost_pid" 2>/dev/null
lost_pid=
vm_run integrity-signal-lost-remove "$feed" --remove "$lost_camera"

# --- cleanup ------------------------------------------------------------------
kill "$feeder_pid" 2>/dev/null
wait "$feeder_pid" 2>/dev/null
feeder_pid=
vm_run integrity-remove "$feed" --remove "$camera"
if [ "$loaded_module" = 1 ]; then
    vm_run integrity-rmmod rmmod netcam
fi
vm_finish
