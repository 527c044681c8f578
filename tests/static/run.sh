#!/bin/bash
# Static checks, one result line each in OUT/results.txt: the driver
# checkpatch.pl --strict clean, a warning-free `make W=1` build for every
# supported installed kernel, and user space warning-free with gcc and clang
# at every -O level.
#
# usage: tests/static/run.sh OUT
set -uo pipefail

out=${1:?usage: tests/static/run.sh OUT}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 2
mkdir -p "$out/logs"
: > "$out/results.txt"

result() { echo "$*" | tee -a "$out/results.txt"; }

# A check that cannot run is a FAIL: checkpatch.pl must exist and have run
# (exit 0 means no report at all; it exits 1 on any).
log=$out/logs/checkpatch.log
make --no-print-directory checkpatch > "$log" 2>&1
rc=$?
found=$(grep -cE '^driver/.*: (ERROR|WARNING|CHECK):' "$log")
if [ ! -f build/ksrc/scripts/checkpatch.pl ]; then
    result "FAIL static.checkpatch-strict checkpatch.pl not available: $(tail -n 1 "$log") (see $log)"
elif [ $rc -eq 0 ] && [ "$found" = 0 ]; then
    result "PASS static.checkpatch-strict driver/ clean"
else
    result "FAIL static.checkpatch-strict $found reports, exit $rc (see $log)"
fi

# The host's kernels here; tests/check.sh builds for the others (Debian 13's,
# the debug kernel) once they are made.
kernels=$(tests/vm/kernels.sh --host) ||
    result "FAIL static.build-W1 no kernel to build against (tests/vm/kernels.sh failed)"
for k in $kernels; do
    log=$out/logs/build-$k.log
    # A fresh copy of the sources, so that every file's warnings are seen.
    dir=$top/build/static/$k
    rm -rf "$dir"
    mkdir -p "$dir"
    cp -r driver/Kbuild driver/*.c driver/*.h driver/include "$dir/"
    if ! make -C "/lib/modules/$k/build" M="$dir" W=1 modules > "$log" 2>&1; then
        result "FAIL static.build-W1.$k build failed (see $log)"
    elif grep -qE 'warning:|error:' "$log"; then
        result "FAIL static.build-W1.$k $(grep -cE 'warning:' "$log") warnings (see $log)"
    else
        result "PASS static.build-W1.$k no warnings"
    fi
done

# User space with gcc and clang at every -O level (a user's flags).
"$top/tests/static/userspace-builds.sh" "$out"
