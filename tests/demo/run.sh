#!/bin/bash
# `make demo`: netcam on its built-in demo camera. Loads the module natively
# when this machine's running kernel can take it, else boots the test VM
# (Debian 6.1 kernel under QEMU) and says so. Ends by printing where the
# snapshot, the clip and the log are.
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 2
out=$top/build/demo
mkdir -p "$out"

native_ok() {
    [ "$(id -u)" = 0 ] && [ -d "/lib/modules/$(uname -r)/build" ] &&
        make --no-print-directory driver KVER="$(uname -r)" >/dev/null 2>&1 &&
        modprobe -n videodev 2>/dev/null
}

if native_ok; then
    echo "demo: loading netcam.ko into the running kernel $(uname -r)"
    NETCAM_VM_OUT=$out NETCAM_SRC=$top KVER=$(uname -r) bash tests/demo/vm-demo.sh
    rc=$?
else
    kver=$(tests/vm/kernels.sh | head -n 1) || exit 2
    echo "demo: the running kernel $(uname -r) cannot load modules here (no headers or no permission);"
    echo "demo: running the demo inside a QEMU VM with Debian's $kver kernel instead"
    make --no-print-directory driver KVER="$kver" >/dev/null || exit 2
    tests/vm/run.sh --kernel "$kver" --script tests/demo/vm-demo.sh --out "$out" --timeout 600
    rc=$?
fi
echo
[ -f "$out/v4l2-ctl.txt" ] && sed -n '/Card type/p; /Driver name/p' "$out/v4l2-ctl.txt"
echo "demo: snapshot:  $out/snapshot.png"
echo "demo: clip:      $out/clip.mkv (MJPEG, 60 frames)"
echo "demo: log:       $out/results.txt, formats in $out/v4l2-ctl.txt"
exit $rc
