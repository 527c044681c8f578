#!/bin/bash
# Everything a user needs to trust a release: static checks of the driver
# (checkpatch, W=1 builds), host unit tests, the analyzer's host tests
# (unit, clip suite, bad input), netcamd's tests (unit, then real servers in
# the VM), then every VM suite on every supported kernel. Ends with
# "N passed, N failed".
#
# SUITES: VM suites by name: tests/vm/suites/NAME.sh, "motion" for the
# analyzer on vivid (tests/motion/vm-vivid.sh) or "motion-netcam" for the
# analyzer on a netcamd-fed netcam node (tests/motion/vm-netcam.sh).
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 2
SUITES=${SUITES:-uapi compliance integrity dkms motion motion-netcam}

suite_script() {
    case $1 in
        motion) echo tests/motion/vm-vivid.sh ;;
        motion-netcam) echo tests/motion/vm-netcam.sh ;;
        *) echo "tests/vm/suites/$1.sh" ;;
    esac
}

tests/static/run.sh build/test-out/static
tests/unit/run.sh build/test-out/unit
echo "==== netcam-motion host tests ===="
tests/motion/run.sh build/test-out/motion
echo "==== netcamd tests ===="
tests/netcamd/run.sh build/test-out/netcamd
dirs=(build/test-out/static build/test-out/unit build/test-out/motion build/test-out/netcamd)
kernels=$(tests/vm/kernels.sh) || exit 2
for k in $kernels; do
    for s in $SUITES; do
        out=build/vm-out/$k/$s
        echo "==== $s on $k ===="
        tests/vm/run.sh --kernel "$k" --script "$(suite_script "$s")" --out "$out" --timeout 1500
        dirs+=("$out")
    done
done
echo "==== summary ===="
tests/vm/summary.sh "${dirs[@]}"
