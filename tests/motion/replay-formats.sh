#!/bin/bash
# netcam-motion --replay of recordings through libavformat: the same
# scene as a Y4M clip, as MP4 and MKV (H.264, B-frames, a start time that
# is not 0), AVI (MJPEG), MPEG-TS (MPEG-2), formats that need a conversion
# to grey (packed YUYV, RGB, 10-bit) and an RTSP stream on loopback must
# give the Y4M clip's events, at the same times (one frame of slack); a
# recording whose timestamps run at half speed, events at twice the times,
# and one with a variable frame rate, at the same times (so times come from
# the timestamps, not from counting frames). Bad
# inputs: a one-line error naming the input, exit 1, no password shown.
# SIGINT during an event of a stream: the event is ended, exit 0.
#
# usage: tests/motion/replay-formats.sh BIN CLIP.y4m WORKDIR
# Prints one "PASS name detail" / "FAIL name why" line per check.
set -uo pipefail
bin=${1:?usage: replay-formats.sh BIN CLIP.y4m WORKDIR}
clip=${2:?} work=${3:?}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$work"
pass() { echo "PASS motion.replay.$1 $2"; }
fail() { echo "FAIL motion.replay.$1 $2"; }

# events FILE|URL: "start-end" of each ended event, seconds, one line
events() {
    timeout 120 "$bin" -q --replay "$1" 2> "$work/$(basename "$1").err" | python3 -c '
import json, sys
print(" ".join("%.2f-%.2f" % (e["start_s"], e["end_s"])
               for e in map(json.loads, sys.stdin) if e["type"] == "end"))'
}
# same NAME REF GOT SCALE: equal counts, each time within 0.11 s * SCALE
same() {
    if python3 - "$2" "$3" "$4" <<'PY'
import sys
ref, got, k = sys.argv[1].split(), sys.argv[2].split(), float(sys.argv[3])
def times(ev):
    return [float(x) for e in ev for x in e.split("-")]
r, g = times(ref), times(got)
sys.exit(0 if ref and len(r) == len(g) and
         all(abs(a * k - b) <= 0.11 * k for a, b in zip(r, g)) else 1)
PY
    then pass "$1" "events $3"
    else fail "$1" "events '$3', expected '$2' (times x$4)"; fi
}

ref=$(events "$clip")
if [ -n "$ref" ]; then pass y4m-reference "events $ref"
else fail y4m-reference "no events in $clip"; exit 0; fi

ff() { ffmpeg -hide_banner -loglevel error -nostdin -y -i "$clip" "$@"; }
# NAME FILE FFMPEG-OUTPUT-OPTIONS...
variant() {
    local name=$1 file=$work/$2
    shift 2
    if ff "$@" "$file" 2> "$work/$name.ffmpeg.err"; then
        same "$name" "$ref" "$(events "$file")" 1
    else
        fail "$name" "ffmpeg could not make it: $(head -c 200 "$work/$name.ffmpeg.err")"
    fi
}
variant mp4-h264 clip.mp4 -c:v libx264 -preset veryfast -bf 3 -g 30
variant mkv-h264-offset clip.mkv -c:v libx264 -preset veryfast -output_ts_offset 50
variant avi-mjpeg clip.avi -c:v mjpeg -q:v 3 -pix_fmt yuvj420p
variant ts-mpeg2 clip.ts -c:v mpeg2video -q:v 4
variant avi-yuyv yuyv.avi -c:v rawvideo -pix_fmt yuyv422
variant mkv-rgb rgb.mkv -c:v png -pix_fmt rgb24
variant mkv-10bit p10.mkv -c:v ffv1 -pix_fmt yuv420p10le
if ff -vf setpts=2*PTS -r 5 -c:v libx264 -preset veryfast "$work/slow.mp4" 2> /dev/null; then
    same half-speed-timestamps "$ref" "$(events "$work/slow.mp4")" 2
else
    fail half-speed-timestamps "ffmpeg could not make it"
fi

# Variable frame rate: every other frame of the first second dropped, so
# counting frames would put every event 0.5 s early.
if ff -vf "select='not(lt(t,1)*mod(n,2))'" -fps_mode vfr -c:v libx264 -preset veryfast \
        "$work/vfr.mkv" 2> "$work/vfr.ffmpeg.err"; then
    same variable-frame-rate "$ref" "$(events "$work/vfr.mkv")" 1
else
    fail variable-frame-rate "ffmpeg could not make it: $(head -c 200 "$work/vfr.ffmpeg.err")"
fi

# RTSP on loopback (the netcamd tests' server, gst-rtsp-server)
port=$(( 20000 + $$ % 20000 ))
/usr/bin/python3 "$here/../netcamd/rtsp-server.py" "$port" - /clip "$work/clip.mp4" \
    > "$work/rtsp-server.log" 2>&1 &
srv=$!
for _ in $(seq 1 50); do
    grep -q "^serving" "$work/rtsp-server.log" 2> /dev/null && break
    sleep 0.2
done
if grep -q '^serving' "$work/rtsp-server.log"; then
    same rtsp "$ref" "$(events "rtsp://127.0.0.1:$port/clip")" 1
    # Ctrl-C during an event: the event's end line is written, exit 0
    "$bin" -q --replay "rtsp://127.0.0.1:$port/clip" > "$work/int.jsonl" 2> "$work/int.err" &
    rp=$!
    for _ in $(seq 1 100); do
        grep -q '"type":"start"' "$work/int.jsonl" 2> /dev/null && break
        sleep 0.1
    done
    kill -INT $rp
    for _ in $(seq 1 50); do kill -0 $rp 2> /dev/null || break; sleep 0.1; done
    if kill -0 $rp 2> /dev/null; then
        kill -KILL $rp
        fail sigint-mid-event "still running 5 s after SIGINT"
    else
        wait $rp
        rc=$?
        s=$(grep -c '"type":"start"' "$work/int.jsonl") e=$(grep -c '"type":"end"' "$work/int.jsonl")
        if [ $rc -eq 0 ] && [ "$s" -ge 1 ] && [ "$s" -eq "$e" ]; then
            pass sigint-mid-event "exit 0, $s start(s), $e end(s)"
        else
            fail sigint-mid-event "exit $rc, $s start(s), $e end(s): $(head -c 200 "$work/int.err")"
        fi
    fi
else
    fail rtsp "the RTSP server did not start: $(tail -n 2 "$work/rtsp-server.log")"
fi
kill "$srv" 2> /dev/null
wait "$srv" 2> /dev/null

# bad inputs: NAME PATTERN INPUT
bad() {
    local name=$1 pat=$2 rc
    "$bin" -q --replay "$3" > /dev/null 2> "$work/$name.err"
    rc=$?
    if [ $rc -eq 1 ] && grep -qE -- "$pat" "$work/$name.err" && ! grep -q secret "$work/$name.err"; then
        pass "bad-$name" "exit 1: $(head -n 1 "$work/$name.err")"
    else
        fail "bad-$name" "exit $rc (want 1), stderr: $(head -c 300 "$work/$name.err" | tr '\n' ' ')"
    fi
}
printf 'hello\n' > "$work/garbage.mp4"
ffmpeg -hide_banner -loglevel error -nostdin -y -f lavfi -i sine=d=1 "$work/audio.m4a"
bad missing "nope.mp4: cannot open: No such file" "$work/nope.mp4"
bad garbage "garbage.mp4: cannot open: Invalid data" "$work/garbage.mp4"
bad no-video "audio.m4a: no video stream" "$work/audio.m4a"
bad refused-url "rtsp://user:\*\*\*@127.0.0.1:1/x: cannot open: Connection refused" "rtsp://user:secret@127.0.0.1:1/x"
