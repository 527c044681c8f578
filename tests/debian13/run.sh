#!/bin/bash
# Run one command in the Debian 13 tree (tests/debian13/setup.sh), e.g. its
# v4l2-compliance:  tests/debian13/run.sh v4l2-compliance -d /dev/video0
#
# usage: tests/debian13/run.sh [--bind DIR]... [--] CMD [ARG]...
#
# CMD runs as root chrooted in the tree with /proc, /sys and /dev mounted
# (and each DIR bind-mounted at its own path), all in a mount namespace of
# its own that ends with CMD; works on a read-only tree (inside the VM).
# $NETCAM_DEBIAN13_ROOT names another tree.  Exit status: CMD's, or 2 when
# the tree is missing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/chroot.sh"
root=$(d13_root)
if [ ! -x "$root/usr/bin/apt-get" ]; then
    echo "tests/debian13/run.sh: no Debian 13 tree at $root; run tests/debian13/setup.sh (as root)" >&2
    exit 2
fi
exec_rc=0
d13_chroot "$root" "$@" || exec_rc=$?
exit $exec_rc
