#!/bin/bash
# The demo, inside the VM (or natively): load netcam.ko, start the built-in
# demo camera (the test feeder's moving pattern), show what an app sees and
# save a snapshot and a short clip with ffmpeg into $NETCAM_VM_OUT.
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"
. "$NETCAM_SRC/tests/vm/netcam.sh"

vm_run netcam-load netcam_load || vm_finish
if ! netcam_feed_start demo --label "Demo camera" \
        --modes 'YUYV,NV12,MJPG:640x480,320x240:30,15'; then
    vm_fail demo-camera "the demo feeder did not start"
    vm_finish
fi
vm_pass demo-camera "Demo camera is $NODE0"

v4l2-ctl -d "$NODE0" --info --list-formats-ext > "$NETCAM_VM_OUT/v4l2-ctl.txt" 2>&1
vm_run snapshot ffmpeg -hide_banner -loglevel error -y -f v4l2 -input_format yuyv422 \
    -video_size 640x480 -i "$NODE0" -frames:v 1 "$NETCAM_VM_OUT/snapshot.png"
vm_run clip ffmpeg -hide_banner -loglevel error -y -f v4l2 -input_format mjpeg \
    -video_size 640x480 -i "$NODE0" -frames:v 60 -c copy "$NETCAM_VM_OUT/clip.mkv"
cat /sys/class/video4linux/"${NODE0#/dev/}"/netcam/frames_* > "$NETCAM_VM_OUT/counters.txt"

netcam_feed_stop
netcam_remove demo
netcam_unload
vm_finish
