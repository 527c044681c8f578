#!/bin/bash
# The demo camera's scene, made with ffmpeg's lavfi sources: a still
# testsrc2 picture; after 5 s a black box crosses it in 5 s, then the
# scene is still again for 5 s, and so on; H.264 640x360 at 15 fps, a keyframe every second.
# The background is still on purpose: motion events then have a clear start
# and end (testsrc2's own animation would make one endless event). The clip
# starts still so that an analyzer started with it learns an empty scene.
#
# usage: tests/demo/make-clip.sh OUT.mp4 [SECONDS]   (default 90 s)
set -euo pipefail
out=${1:?usage: tests/demo/make-clip.sh OUT.mp4 [SECONDS]}
secs=${2:-90}
graph="testsrc2=s=640x360:r=15:d=1,trim=end_frame=1,loop=loop=-1:size=1,setpts=N/15/TB[bg];"
graph+="color=c=black:s=80x80:r=15[box];"
graph+="[bg][box]overlay=x='(mod(t,10)-5)*112':y=140:enable='gte(mod(t,10),5)',trim=duration=$secs"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "$graph" -r 15 \
    -c:v libx264 -preset ultrafast -g 15 -pix_fmt yuv420p "$out.tmp.mp4"
mv -f "$out.tmp.mp4" "$out"
