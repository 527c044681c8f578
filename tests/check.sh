#!/bin/bash
# Everything a user needs to trust a release: static checks of the driver
# (checkpatch, W=1 builds), host unit tests, then every VM
# suite on every supported kernel. Ends with "N passed, N failed".
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 2
SUITES=${SUITES:-uapi compliance integrity dkms}

tests/static/run.sh build/test-out/static
tests/unit/run.sh build/test-out/unit
dirs=(build/test-out/static build/test-out/unit)
kernels=$(tests/vm/kernels.sh) || exit 2
for k in $kernels; do
    for s in $SUITES; do
        out=build/vm-out/$k/$s
        echo "==== $s on $k ===="
        tests/vm/run.sh --kernel "$k" --script "tests/vm/suites/$s.sh" --out "$out" --timeout 1500
        dirs+=("$out")
    done
done
echo "==== summary ===="
tests/vm/summary.sh "${dirs[@]}"
