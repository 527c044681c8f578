#!/bin/bash
# netcamd benchmark from the host (issue 4): the same H.264 RTSP stream
# through netcamd -> netcam node -> consumer and through
# `ffmpeg -i rtsp://... -f v4l2` -> v4l2loopback -> consumer, in one VM
# run; prints CPU per frame and glass-to-app latency of both, what
# netcamd costs while nobody watches, and the time from STREAMON to the
# first real frame, warm (a re-open within linger) and cold (reconnect). Builds netcam.ko, netcamd, the
# consumer and Debian's v4l2loopback (bench/build-v4l2loopback.sh), makes
# the clip with ffmpeg (lavfi test picture plus a binary frame counter),
# then boots the 6.1 kernel under QEMU with bench/vm-netcamd.sh.
#
# usage: bench/run-netcamd.sh [--kernel KVER] [--out DIR] [--fps F]
#                             [--size WxH] [--format YUYV|NV12|YU12|GREY]
#                             [--seconds S] [--warmup S] [--idle S]
#   --kernel   default: the installed 6.1 kernel (v4l2loopback 0.12.7
#              builds only there)
#   --out      default build/bench/netcamd-KVER
#   --fps      the stream's rate (default 5: what 1080p H.264 decoding
#              sustains under TCG on 2 shared vCPUs, see the README part
#              of the output: "clip decode+convert in this VM")
#   --size     default 1920x1080; --format default YUYV (the consumer's
#              format, the same for both paths)
#   --seconds  measured window per path (default 30), --warmup before it
#              (default 5), --idle unwatched seconds (default 10)
# The table is also kept in OUT/netcamd-bench.txt; the raw per-frame logs
# (send-*.log, arrive-*.log) and logs/ are next to it.
# Exit status: 0 figures printed, 1 a path could not run, 2 usage or
# build error.
set -euo pipefail
me=bench/run-netcamd.sh
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
die() { echo "$me: $*" >&2; exit 2; }

kver= out= fps=5 size=1920x1080 format=YUYV seconds=30 warmup=5 idle=10
while [ $# -gt 0 ]; do
    case $1 in
        --kernel)  kver=${2:?}; shift 2 ;;
        --out)     out=${2:?}; shift 2 ;;
        --fps)     fps=${2:?}; shift 2 ;;
        --size)    size=${2:?}; shift 2 ;;
        --format)  format=${2:?}; shift 2 ;;
        --seconds) seconds=${2:?}; shift 2 ;;
        --warmup)  warmup=${2:?}; shift 2 ;;
        --idle)    idle=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
[[ $fps =~ ^[1-9][0-9]*$ ]] || die "--fps wants a whole number of frames per second, got '$fps'"
[[ $size =~ ^([1-9][0-9]*)x([1-9][0-9]*)$ ]] || die "--size wants WxH, got '$size'"
w=${BASH_REMATCH[1]} h=${BASH_REMATCH[2]}
case $format in YUYV|NV12|YU12|GREY) ;; *) die "--format: YUYV, NV12, YU12 or GREY, got '$format'" ;; esac
for n in "$seconds" "$warmup" "$idle"; do
    [[ $n =~ ^[1-9][0-9]*$ ]] || die "--seconds, --warmup and --idle want whole seconds, got '$n'"
done
if [ -z "$kver" ]; then
    kver=$(tests/vm/kernels.sh --host '^6\.1\.' | tail -n 1) || die "no 6.1 kernel installed; use --kernel"
fi
out=${out:-build/bench/netcamd-$kver}
for t in ffmpeg /usr/bin/python3 gst-inspect-1.0; do
    command -v "$t" > /dev/null || die "$t not found (make deps; tests/netcamd/run.sh installs the RTSP server)"
done
gst-inspect-1.0 clocksync > /dev/null 2>&1 || die "GStreamer's clocksync element is missing (gstreamer1.0 >= 1.16)"
/usr/bin/python3 -c 'import gi; gi.require_version("GstRtspServer", "1.0")' 2> /dev/null ||
    die "GStreamer's RTSP server is missing (apt-get install gir1.2-gst-rtsp-server-1.0 python3-gi)"

make --no-print-directory driver KVER="$kver" > /dev/null || die "building netcam.ko for $kver failed"
make --no-print-directory -C userspace/netcamd O="$repo/build/userspace/netcamd" > /dev/null ||
    die "building netcamd failed"
make --no-print-directory -C bench O="$repo/build/bench" > /dev/null || die "building bench/ failed"
bench/build-v4l2loopback.sh "$kver" build/bench > /dev/null || die "v4l2loopback could not be built"

# The clip: testsrc2 (moving, colourful: a realistic load for the encoder
# and decoder) with the frame counter drawn over its top-left corner, two
# rows of 16 blocks of 96x96 pixels at 1920x1080 (bit i of the frame
# number, then its complement), H.264 High without B-frames (as cameras
# send), a keyframe every 2 s, 4 Mbit/s. Long enough for the idle test,
# the warm-up and the window of a path, plus start-up under TCG.
dur=$((idle + warmup + seconds + 40))
clip=build/bench/netcamd-clip-${size}-${fps}fps-${dur}s.mp4
bw=$((w * 96 / 1920)) bh=$((h * 96 / 1080))
if [ ! -s "$clip" ]; then
    echo "$me: making $clip" >&2
    ffmpeg -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=s=${size}:r=${fps}:d=${dur}" \
        -f lavfi -i "color=c=black:s=16x2:r=${fps}:d=${dur},format=gray,geq=lum='255*mod(floor(N/pow(2\\,X))+Y\\,2)'" \
        -filter_complex "[1]scale=$((bw * 16)):$((bh * 2)):flags=neighbor[c];[0][c]overlay=0:0,format=yuv420p" \
        -c:v libx264 -preset veryfast -profile:v high -bf 0 -g $((2 * fps)) \
        -b:v 4M -maxrate 5M -bufsize 5M -movflags +faststart "$clip.tmp.mp4" ||
        die "ffmpeg could not make the clip"
    mv "$clip.tmp.mp4" "$clip"
fi

mkdir -p "$out"
echo "$me: VM run on $kver ($size $format at $fps fps, ${seconds}s per path); log: $out.log" >&2
rc=0
tests/vm/run.sh --kernel "$kver" --script bench/vm-netcamd.sh --out "$out" --timeout 480 --smp 2 \
    --env NB_CLIP="$repo/$clip" --env NB_FPS="$fps" --env NB_SIZE="$size" --env NB_FORMAT="$format" \
    --env NB_SECONDS="$seconds" --env NB_WARMUP="$warmup" --env NB_IDLE="$idle" > "$out.log" 2>&1 || rc=$?
if [ -s "$out/netcamd-bench.txt" ]; then
    cat "$out/netcamd-bench.txt"
fi
if [ "$rc" != 0 ] || grep -q '^FAIL' "$out/results.txt" 2> /dev/null; then
    echo "$me: the VM run reported a failure; see $out.log and $out/results.txt:" >&2
    grep '^FAIL' "$out/results.txt" >&2 2> /dev/null || tail -n 20 "$out.log" >&2
    exit 1
fi
[ -s "$out/netcamd-bench.txt" ] || { echo "$me: no figures (see $out.log)" >&2; exit 1; }
