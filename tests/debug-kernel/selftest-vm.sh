#!/bin/bash
# Inside the VM (tests/vm/run.sh), for tests/debug-kernel/selftest.sh: load
# the fixture module with bug=$FIXTURE_BUG, which commits that one bug.
# This script passes when the module loads; run.sh's kernel log and kmemleak
# checks must then fail the run (selftest.sh checks that they do).
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"
: "${FIXTURE_KO:?}" "${FIXTURE_BUG?}"

vm_kmsg "begin fixture-$FIXTURE_BUG"
vm_run "fixture-load-$FIXTURE_BUG" insmod "$FIXTURE_KO" "bug=$FIXTURE_BUG" || vm_finish
# Keep a leaking module loaded: kmemleak's backtrace then names it.
if [ "$FIXTURE_BUG" != leak ]; then
    vm_run "fixture-unload-$FIXTURE_BUG" rmmod netcam_dk_fixture || true
fi
vm_finish
