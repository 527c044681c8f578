#!/bin/bash
# Prove that the debug kernel's sanitizers report real bugs and that
# tests/vm/run.sh fails on each report: one VM run per deliberate bug of the
# fixture module (tests/debug-kernel/fixture/), plus a control run without
# a bug that must pass (no sanitizer report, kmemleak clean at boot).
#
# usage: tests/debug-kernel/selftest.sh [BUG...]
#   BUG: none oob uaf leak shift lockdep sleep list odebug (default: all)
# Needs the kernel from tests/debug-kernel/build.sh.  Output under
# build/debug-kernel/selftest/BUG/; one PASS/FAIL line per BUG, then
# "N passed, N failed".  Each run takes 1-2.5 min under TCG (14 min for all
# nine measured on 2 shared cores).
set -euo pipefail

me=tests/debug-kernel/selftest.sh
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
die() { echo "$me: $*" >&2; exit 2; }

kver=$("$here/build.sh" --print-kver) || die "build the debug kernel first: tests/debug-kernel/build.sh"
kbuild=$("$repo/tests/vm/kernel-root.sh" --build "$kver") || die "no headers for $kver"
fix=$repo/build/debug-kernel/fixture
mkdir -p "$fix"
cp "$here/fixture/Kbuild" "$here/fixture/netcam_dk_fixture.c" "$fix/"
make -s -C "$kbuild" M="$fix" modules > "$fix/build.log" 2>&1 \
    || { cat "$fix/build.log" >&2; die "building the fixture module failed"; }

# What run.sh must report for each bug: the results.txt line (extended regex).
expect() {
    case $1 in
        none)    echo '^PASS kernel-log-clean' ;;
        oob)     echo '^FAIL kernel-log-clean .*KASAN: slab-out-of-bounds' ;;
        uaf)     echo '^FAIL kernel-log-clean .*KASAN: slab-use-after-free' ;;
        leak)    echo '^FAIL kmemleak-clean .*unreferenced object' ;;
        shift)   echo '^FAIL kernel-log-clean .*UBSAN: shift-out-of-bounds' ;;
        lockdep) echo '^FAIL kernel-log-clean .*possible circular locking' ;;
        sleep)   echo '^FAIL kernel-log-clean .*sleeping function called from invalid context' ;;
        list)    echo '^FAIL kernel-log-clean .*list_del corruption' ;;
        odebug)  echo '^FAIL kernel-log-clean .*ODEBUG: free active' ;;
        *) return 1 ;;
    esac
}
bugs=${*:-none oob uaf leak shift lockdep sleep list odebug}
pass=0 failn=0
for b in $bugs; do
    want=$(expect "$b") || die "unknown bug '$b'"
    out=$repo/build/debug-kernel/selftest/$b
    mkdir -p "$out"
    arg=$b; [ "$b" = none ] && arg=
    set +e
    "$repo/tests/vm/run.sh" --kernel "$kver" --script "$here/selftest-vm.sh" --out "$out" \
        --timeout 300 --env "FIXTURE_KO=$fix/netcam_dk_fixture.ko" --env "FIXTURE_BUG=$arg" \
        > "$out.log" 2>&1
    rc=$?
    set -e
    wantrc=1; [ "$b" = none ] && wantrc=0
    secs=$(awk '$1 == "wall_seconds" { print $2 }' "$out/timing.txt" 2>/dev/null || echo '?')
    res=$out/results.txt
    ok=0
    # The module must have loaded (the bug happened) and run.sh must have
    # named the report; the control run must also have a clean kmemleak.
    [ $rc = $wantrc ] && grep -Eq -- "$want" "$res" && grep -q '^PASS fixture-load-' "$res" \
        && { [ "$b" != none ] || grep -q '^PASS kmemleak-clean' "$res"; } && ok=1
    if [ $ok = 1 ]; then
        echo "PASS selftest-$b (${secs}s)"
        pass=$((pass + 1))
    else
        echo "FAIL selftest-$b: run.sh exited $rc (want $wantrc), results.txt lacks /$want/ (see $out.log)"
        failn=$((failn + 1))
    fi
done
echo "$pass passed, $failn failed"
[ $failn = 0 ]
