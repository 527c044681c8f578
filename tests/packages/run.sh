#!/bin/bash
# The installed product, for make check: `make install`/`uninstall` into a
# scratch DESTDIR with PREFIX=/usr and /usr/local, then both Debian
# packages for Debian 12 (here) and Debian 13 (its tree), lintian-clean.
# One result line per step in OUT/results.txt; the .debs in build/deb/DIST
# for the installed-system tests.
#
# usage: tests/packages/run.sh OUT [bookworm] [trixie]   (default: both)
set -uo pipefail

out=${1:?usage: tests/packages/run.sh OUT [bookworm] [trixie]}
shift
dists=${*:-bookworm trixie}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$top" || exit 2
mkdir -p "$out/logs"
: > "$out/results.txt"

step() {   # NAME CMD...
    local name=$1 log=$out/logs/$1.log t0=$SECONDS
    shift
    if "$@" > "$log" 2>&1; then
        echo "PASS packages.$name $(( SECONDS - t0 ))s" | tee -a "$out/results.txt"
    else
        echo "FAIL packages.$name $(grep -m1 -E '^FAIL|E: |W: |error' "$log" || tail -n 1 "$log") (see $log)" |
            tee -a "$out/results.txt"
    fi
}

step install-usr tests/packages/install-test.sh /usr
step install-usr-local tests/packages/install-test.sh /usr/local
for d in $dists; do
    rm -rf "build/deb/$d"
    step "deb-$d" tests/packages/build-debs.sh "$d" "build/deb/$d"
done
# Debian 13's compilers and FFmpeg 7.1 (deprecated API would warn): user
# space with warnings as errors in the packages' Debian 13 tree.
trixie_werror() {
    . tests/debian13/chroot.sh
    local root=${NETCAM_PKG_TRIXIE_ROOT:-$top/build/packages/trixie-root} d
    [ -e "$root/.netcam-pkg-ready" ] || { echo "FAIL no Debian 13 build tree at $root"; return 1; }
    for d in netcamd netcamctl netcam-motion; do
        d13_chroot "$root" --bind "$top" -- make --no-print-directory -C "$top/userspace/$d" \
            WERROR=1 O="/tmp/netcam-werror/$d" LIBNETCAM_O=/tmp/netcam-werror/lib || return 1
    done
    d13_chroot "$root" -- gcc --version | head -n 1
}
case " $dists " in *" trixie "*) step userspace-trixie-werror trixie_werror ;; esac

np=$(grep -c '^PASS' "$out/results.txt")
nf=$(grep -c '^FAIL' "$out/results.txt")
echo "$np passed, $nf failed"
[ "$nf" = 0 ]
