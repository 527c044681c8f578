#!/bin/bash
# netcamd tests: host unit tests, then the VM suites, one VM at a time:
# vm-netcamd.sh on every supported kernel, vm-auth-transport.sh and
# vm-vlc.sh on the first one (NETCAMD_ALL_KERNELS=1: on each).
#   tests/netcamd/run.sh OUT     results in OUT/results.txt (PASS/FAIL lines)
# Environment: NETCAMD_KVERS="K1 K2" or NETCAMD_KVER=K (default: every
# kernel of tests/vm/kernels.sh), NETCAMD_SKIP_VM=1 for the host part only.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 2
out=${1:?usage: tests/netcamd/run.sh OUT}
mkdir -p "$out"
out=$(realpath "$out")
res=$out/results.txt
: > "$res"
# one line per result: the summary reads the file line by line
result() { printf '%s %s\n' "$1" "$(shift; printf '%s' "$*" | tr '\r\n' '  ')" | tee -a "$res"; }
pass() { result PASS "$@"; }
fail() { result FAIL "$@"; }

# Test dependencies from Debian: FFmpeg libraries, GStreamer's RTSP server,
# VLC's (vlc-bin for cvlc, vlc-plugin-base for its RTSP/RTP stream output,
# MP4/AVI demuxers and packetizers: about 23 MB with no recommends), and
# Motion, whose stream server (libmicrohttpd) is a real digest-auth camera.
need=()
for p in libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg \
         gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-good iproute2 \
         vlc-bin vlc-plugin-base motion; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" > "$out/apt.log" 2>&1 ||
            { fail netcamd-deps "apt-get install ${need[*]} failed (see $out/apt.log)"; exit 1; }
    else
        fail netcamd-deps "missing packages: ${need[*]}"; exit 1
    fi
fi

if make -s -C userspace/netcamd -j2 > "$out/build.log" 2>&1 &&
   make -s -C userspace/netcamctl > "$out/build-ctl.log" 2>&1; then
    pass netcamd-build
else
    fail netcamd-build "see $out/build.log"; exit 1
fi
if make -s -C userspace/netcamd unit-test > "$out/unit.log" 2>&1; then
    pass netcamd-unit "$(tail -1 "$out/unit.log")"
else
    fail netcamd-unit "$(grep -m3 FAIL "$out/unit.log" | tr '\n' ' ') $(tail -1 "$out/unit.log")"
fi
if make -s -C userspace/netcamd O="$out/asan" SANITIZE=1 unit-test > "$out/unit-asan.log" 2>&1; then
    pass netcamd-unit-asan "ASan/UBSan: $(tail -1 "$out/unit-asan.log")"
else
    fail netcamd-unit-asan "$(grep -m3 -E 'FAIL|ERROR|runtime error' "$out/unit-asan.log" | tr '\n' ' ')"
fi
[ "${NETCAMD_SKIP_VM:-0}" = 1 ] && { echo "VM suite skipped (NETCAMD_SKIP_VM=1)"; exit 0; }

# Every supported kernel (tests/vm/kernels.sh), or NETCAMD_KVERS="K1 K2",
# or the single NETCAMD_KVER.
kvers=${NETCAMD_KVERS:-${NETCAMD_KVER:-$(tests/vm/kernels.sh)}}
[ -n "$kvers" ] || { fail netcamd-kernels "no kernel to test (tests/vm/kernels.sh)"; exit 1; }

# Fixtures on the host (fast): H.264 clips, solid colours A and B; an H.265
# clip (B); an MJPEG clip (D) for VLC; a JPEG of colour D for the HTTP
# server with basic auth.
fix=$out/fixtures
mkdir -p "$fix"
for c in a:0x2060c0 b:0xc06020; do
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=${c#*:}:s=640x360:r=15:d=90" \
        -c:v libx264 -preset ultrafast -g 15 -pix_fmt yuv420p "$fix/${c%%:*}.mp4" ||
        { fail netcamd-fixtures "ffmpeg could not encode the H.264 clips"; exit 1; }
done
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=0xc06020:s=640x360:r=15:d=90" \
    -c:v libx265 -preset ultrafast -x265-params log-level=error:keyint=15 -pix_fmt yuv420p \
    -tag:v hvc1 "$fix/b.hevc.mp4" ||
    { fail netcamd-fixtures "ffmpeg could not encode the H.265 clip"; exit 1; }
# MJPEG clip of colour D for VLC's RTP/JPEG (RFC 2435), whose receivers
# assume the standard Huffman tables: FFmpeg's default is optimised ones.
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=0x8040c0:s=320x240:r=10:d=30" \
    -c:v mjpeg -huffman default -q:v 3 -pix_fmt yuvj420p "$fix/d.mjpeg.avi" ||
    { fail netcamd-fixtures "ffmpeg could not encode the MJPEG clip"; exit 1; }
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=0x8040c0:s=320x240" -frames:v 1 \
    -c:v mjpeg -pix_fmt yuvj420p "$fix/d.jpg" ||
    { fail netcamd-fixtures "ffmpeg could not encode the JPEG"; exit 1; }
# A test pattern's JPEG (edges everywhere, so damage anywhere shows) for
# the server of damaged MJPEG parts.
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=s=320x240" -frames:v 1 \
    -c:v mjpeg -q:v 3 -pix_fmt yuvj420p "$fix/t.jpg" ||
    { fail netcamd-fixtures "ffmpeg could not encode the test pattern JPEG"; exit 1; }

# One VM run: SCRIPT on KVER into DIR, its results prefixed "KVER:TAG".
rc=0
vm_suite() {   # kver script dir tag
    local kver=$1 script=$2 dir=$3 tag=$4 r
    mkdir -p "$dir/fixtures"
    cp -f "$fix"/* "$dir/fixtures/"
    tests/vm/run.sh --kernel "$kver" --script "$script" --out "$dir" --timeout 540 \
        > "$dir.log" 2>&1
    r=$?
    [ $r = 0 ] || rc=1
    sed "s/^\(PASS\|FAIL\|SKIP\) /\1 $kver:$tag/" "$dir/results.txt" >> "$res"
    cat "$dir/results.txt"
}
for kver in $kvers; do
    if ! make -s driver KVER="$kver" > "$out/driver-$kver.log" 2>&1; then
        fail "netcamd-driver" "make driver KVER=$kver failed (see $out/driver-$kver.log)"; rc=1
        continue
    fi
    echo "==== netcamd VM suites on $kver ===="
    vm_suite "$kver" tests/netcamd/vm-netcamd.sh "$out/vm-$kver" ""
    # Authentication, transports and the second server exercise netcamd's
    # network side, the same on every kernel: on the first kernel only
    # (NETCAMD_ALL_KERNELS=1: on each), which keeps make check short.
    [ -z "${first_done:-}" ] || [ -n "${NETCAMD_ALL_KERNELS:-}" ] || continue
    first_done=1
    vm_suite "$kver" tests/netcamd/vm-auth-transport.sh "$out/vm-$kver-auth" "auth:"
    vm_suite "$kver" tests/netcamd/vm-vlc.sh "$out/vm-$kver-vlc" "netcamd.vlc."
done
echo "==== netcamd per kernel ===="
for kver in $kvers; do
    echo "$kver: $(grep -c "^PASS $kver:" "$res") passed, $(grep -c "^FAIL $kver:" "$res") failed"
done
p=$(grep -c '^PASS' "$res"); f=$(grep -c '^FAIL' "$res")
echo "$p passed, $f failed"
[ "$f" = 0 ] && [ $rc = 0 ]
