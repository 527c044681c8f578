#!/bin/bash
# netcamd tests: host unit tests, then the VM suite on the 6.1 kernel.
#   tests/netcamd/run.sh OUT     results in OUT/results.txt (PASS/FAIL lines)
# Environment: NETCAMD_KVER (default 6.1.0-56-amd64 or the first of
# tests/vm/kernels.sh), NETCAMD_SKIP_VM=1 for the host part only.
set -uo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 2
out=${1:?usage: tests/netcamd/run.sh OUT}
mkdir -p "$out"
out=$(realpath "$out")
res=$out/results.txt
: > "$res"
pass() { echo "PASS $*" >> "$res"; echo "PASS $*"; }
fail() { echo "FAIL $*" >> "$res"; echo "FAIL $*"; }

# Test dependencies from Debian: FFmpeg libraries, GStreamer's RTSP server.
need=()
for p in libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg \
         gir1.2-gst-rtsp-server-1.0 python3-gi gstreamer1.0-plugins-good iproute2; do
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

kver=${NETCAMD_KVER:-6.1.0-56-amd64}
[ -d "/lib/modules/$kver" ] || kver=$(tests/vm/kernels.sh | head -1)
if ! make -s driver KVER="$kver" > "$out/driver.log" 2>&1; then
    fail netcamd-driver "make driver KVER=$kver failed (see $out/driver.log)"; exit 1
fi
# Fixtures on the host (fast): H.264 clips, solid colours A and B.
vmout=$out/vm-$kver
mkdir -p "$vmout/fixtures"
for c in a:0x2060c0 b:0xc06020; do
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=${c#*:}:s=640x360:r=15:d=90" \
        -c:v libx264 -preset ultrafast -g 15 -pix_fmt yuv420p "$vmout/fixtures/${c%%:*}.mp4" ||
        { fail netcamd-fixtures "ffmpeg could not encode the H.264 clips"; exit 1; }
done
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=0xc06020:s=640x360:r=15:d=90" \
    -c:v libx265 -preset ultrafast -x265-params log-level=error:keyint=15 -pix_fmt yuv420p \
    -tag:v hvc1 "$vmout/fixtures/b.hevc.mp4" ||
    { fail netcamd-fixtures "ffmpeg could not encode the H.265 clip"; exit 1; }
tests/vm/run.sh --kernel "$kver" --script tests/netcamd/vm-netcamd.sh --out "$vmout" --timeout 420 \
    > "$out/vm.log" 2>&1
rc=$?
sed "s/^\(PASS\|FAIL\|SKIP\) /\1 $kver:/" "$vmout/results.txt" >> "$res"
cat "$vmout/results.txt"
p=$(grep -c '^PASS' "$res"); f=$(grep -c '^FAIL' "$res")
echo "$p passed, $f failed"
[ "$f" = 0 ] && [ $rc = 0 ]
