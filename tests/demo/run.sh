#!/bin/bash
# `make demo`: a network camera end to end. A clip made with ffmpeg lavfi is
# served over RTSP on loopback (GStreamer's RTSP server); netcamd brings it
# in as "Demo camera"; ffmpeg saves a snapshot from /dev/videoN and
# netcam-motion logs motion events from the camera's second node.
# Loads the module natively when this machine's running kernel can take it,
# else boots the test VM (Debian 6.1 kernel under QEMU) and says so. Ends by
# printing where the snapshot and the event log are; exits non-zero naming
# the step that failed.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 2
out=$top/build/demo
mkdir -p "$out"
die() { echo "demo: FAILED: $*" >&2; exit 1; }

native_ok() {
    [ "$(id -u)" = 0 ] && [ -d "/lib/modules/$(uname -r)/build" ] &&
        make --no-print-directory driver KVER="$(uname -r)" >/dev/null 2>&1 &&
        modprobe -n videodev 2>/dev/null
}

make --no-print-directory userspace > "$out/build.log" 2>&1 ||
    die "building netcamd and netcam-motion (see $out/build.log)"
# The clip is made again only when its recipe changed.
if [ ! -s "$out/demo.mp4" ] || [ tests/demo/make-clip.sh -nt "$out/demo.mp4" ]; then
    tests/demo/make-clip.sh "$out/demo.mp4" || die "making the demo clip with ffmpeg"
fi

# GStreamer's plugin registry, made here in a second: built inside the VM
# under TCG it takes about 17 s. The VM sees the same plugin files.
GST_REGISTRY=$out/gst-registry.bin gst-inspect-1.0 rtph264pay > /dev/null 2>&1 ||
    die "GStreamer's rtph264pay is missing (apt-get install gstreamer1.0-plugins-good)"
rm -f "$out/snapshot.png" "$out/motion-events.jsonl" "$out/motion.log" "$out/results.txt"
if native_ok; then
    echo "demo: loading netcam.ko into the running kernel $(uname -r)"
    : > "$out/results.txt"
    NETCAM_VM_OUT=$out NETCAM_SRC=$top KVER=$(uname -r) bash tests/demo/vm-demo.sh
    rc=$?
else
    kver=$(tests/vm/kernels.sh | head -n 1) || die "no kernel to boot in the VM (tests/vm/kernels.sh)"
    echo "demo: the running kernel $(uname -r) cannot load modules here (no headers or no permission);"
    echo "demo: running the demo inside a QEMU VM with Debian's $kver kernel instead"
    make --no-print-directory driver KVER="$kver" > "$out/driver.log" 2>&1 ||
        die "building netcam.ko for $kver (see $out/driver.log)"
    tests/vm/run.sh --kernel "$kver" --script tests/demo/vm-demo.sh --out "$out" --timeout 240 \
        > "$out/vm.log" 2>&1
    rc=$?
    sed -n 's/^---- timing: \(.*\) ----$/demo: VM \1/p' "$out/vm.log"
fi

echo
[ -f "$out/v4l2-ctl.txt" ] && sed -n 's/^\s*\(Card type\|Driver name\)\s*:/demo: \1:/p' "$out/v4l2-ctl.txt"
grep -h '^PASS \(netcamd-start\|video-arrives\|motion-start\)' "$out/results.txt" 2>/dev/null |
    sed 's/^PASS [^ ]* /demo: /'
if [ -s "$out/motion.log" ]; then
    echo "demo: motion events (netcam-motion):"
    grep -E 'motion (started|ended)' "$out/motion.log" | sed 's/^<[0-9]>/  /'
fi
if [ -s "$out/motion-events.jsonl" ]; then
    echo "demo: the same events as JSON lines ($out/motion-events.jsonl):"
    sed 's/^/  /' "$out/motion-events.jsonl"
fi
failed=$(grep -m1 '^FAIL ' "$out/results.txt" 2>/dev/null)
if [ -n "$failed" ] || [ $rc != 0 ]; then
    echo
    [ -n "$failed" ] || failed="FAIL vm $(tail -3 "$out/vm.log" 2>/dev/null | tr '\n' ' ')"
    set -- $failed
    echo "demo: FAILED at step '$2': ${failed#FAIL $2 }" >&2
    echo "demo: logs: $out/ (results.txt, netcamd.log, motion.log, vm.log, logs/)" >&2
    exit 1
fi
echo
echo "demo: snapshot:   $out/snapshot.png"
echo "demo: event log:  $out/motion-events.jsonl ($(grep -c '"type":"end"' "$out/motion-events.jsonl") event(s); human lines in $out/motion.log)"
echo "demo: other logs: $out/netcamd.log, $out/results.txt, formats in $out/v4l2-ctl.txt"
