#!/bin/bash
# make install / make uninstall into a scratch DESTDIR: every expected file
# is there (units with their paths substituted and passing
# `systemd-analyze verify`), an existing netcam.conf is never overwritten,
# an edited one survives uninstall, and uninstall leaves nothing else.
#
#   tests/packages/install-test.sh [PREFIX]     (default /usr)
# One "PASS name" / "FAIL name: why" line per check; exit 1 on any FAIL.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
prefix=${1:-/usr}
dest=$(mktemp -d /tmp/netcam-install-test.XXXXXX)
trap 'rm -rf "$dest"' EXIT
fails=0
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }
mk() { make --no-print-directory -C "$top" PREFIX="$prefix" DESTDIR="$dest" "$@"; }

if [ "$prefix" = /usr ]; then
    unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || true)
    unitdir=${unitdir:-/usr/lib/systemd/system}
    gendir=$(pkg-config --variable=systemdsystemgeneratordir systemd 2>/dev/null || true)
    gendir=${gendir:-/usr/lib/systemd/system-generators}
    udevdir=$(pkg-config --variable=udevdir udev 2>/dev/null || true)
    udevdir=${udevdir:-/usr/lib/udev}
    libdir=${unitdir%/systemd/system}
    mlddir=$libdir/modules-load.d
    mpddir=$libdir/modprobe.d
else
    unitdir=$prefix/lib/systemd/system
    gendir=$prefix/lib/systemd/system-generators
    udevdir=/etc/udev
    mlddir=/etc/modules-load.d
    mpddir=/etc/modprobe.d
fi
expected=(
    "$prefix/bin/netcamctl"
    "$prefix/sbin/netcamd"
    "$prefix/sbin/netcam-motion"
    "$prefix/lib/netcam/netcam-motion-av.so"
    "$gendir/netcam-generator"
    "$unitdir/netcamd@.service"
    "$unitdir/netcam-motion.service"
    "$unitdir/netcam.target"
    "$udevdir/rules.d/60-netcam.rules"
    "$mlddir/netcam.conf"
    "$mpddir/netcam.conf"
    "$prefix/include/linux/netcam.h"
    "$prefix/share/man/man8/netcamd.8"
    "$prefix/share/man/man8/netcam-motion.8"
    "$prefix/share/man/man8/netcamctl.8"
    "$prefix/share/man/man5/netcam.conf.5"
    "$prefix/share/doc/netcam/netcam.conf.example"
    /etc/netcam/netcam.conf
)

log=$dest.log
if mk install > "$log" 2>&1; then pass install; else
    fail install "make install failed: $(tail -n 3 "$log" | tr '\n' ' ')"; exit 1
fi

got=$(cd "$dest" && find . -type f | sed 's|^\.||' | sort)
want=$(printf '%s\n' "${expected[@]}" | sort)
if [ "$got" = "$want" ]; then pass "installed files"; else
    fail "installed files" "differ: $(diff <(echo "$want") <(echo "$got") | grep '^[<>]' | tr '\n' ' ')"
fi
listed=$(mk -s install-list | sort)
[ "$listed" = "$want" ] && pass install-list || fail install-list "make install-list differs from the expected files"

for f in "$prefix/bin/netcamctl" "$prefix/sbin/netcamd" "$prefix/sbin/netcam-motion" "$gendir/netcam-generator"; do
    [ -x "$dest$f" ] || fail "mode $f" "not executable"
done
[ -d "$dest/etc/netcam/conf.d" ] && pass conf.d || fail conf.d "/etc/netcam/conf.d not made"

if grep -q '@[A-Z]*DIR@' "$dest$unitdir"/*.service; then fail placeholders "left in units"; else pass placeholders; fi
grep -qx "ExecStart=$prefix/sbin/netcamd --camera %i" "$dest$unitdir/netcamd@.service" &&
    grep -qx "ExecStart=$prefix/sbin/netcam-motion" "$dest$unitdir/netcam-motion.service" &&
    pass "ExecStart paths" || fail "ExecStart paths" "not $prefix/sbin"

# systemd-analyze verify, with the installed units first in the unit path.
# It checks that each ExecStart binary exists on this machine: they are in
# DESTDIR (checked above), so that complaint, for them only, is expected.
if command -v systemd-analyze >/dev/null; then
    vlog=$dest.verify
    vrc=0
    (cd "$dest$unitdir" && SYSTEMD_UNIT_PATH="$dest$unitdir:" systemd-analyze verify --man=no \
        netcamd@front.service netcam-motion.service netcam.target) > "$vlog" 2>&1 || vrc=$?
    other=$(grep -v -x -e "netcamd@front.service: Command $prefix/sbin/netcamd is not executable: No such file or directory" \
        -e "netcam-motion.service: Command $prefix/sbin/netcam-motion is not executable: No such file or directory" "$vlog" || true)
    if [ -z "$other" ] && { [ "$vrc" = 0 ] || [ ! -x "$prefix/sbin/netcamd" ]; }; then
        pass "systemd-analyze verify"
    else
        fail "systemd-analyze verify" "status $vrc: $(echo "$other" | head -n 5 | tr '\n' ' ')"
    fi
    rm -f "$vlog"
else
    fail "systemd-analyze verify" "systemd-analyze not found"
fi

# An existing configuration is kept by a second install.
echo '# edited' >> "$dest/etc/netcam/netcam.conf"
cp "$dest/etc/netcam/netcam.conf" "$dest.conf"
mk install > "$log" 2>&1 || fail reinstall "second make install failed"
cmp -s "$dest/etc/netcam/netcam.conf" "$dest.conf" && pass "keeps netcam.conf" ||
    fail "keeps netcam.conf" "install overwrote an existing netcam.conf"

# Uninstall keeps the edited config and removes everything else.
mk uninstall > "$log" 2>&1 || fail uninstall "make uninstall failed: $(tail -n 3 "$log" | tr '\n' ' ')"
left=$(cd "$dest" && find . -type f | sed 's|^\.||')
[ "$left" = /etc/netcam/netcam.conf ] && pass "uninstall keeps edited netcam.conf" ||
    fail "uninstall keeps edited netcam.conf" "left: $(echo "$left" | tr '\n' ' ')"

# With the example config unchanged, uninstall leaves no file at all.
rm -f "$dest/etc/netcam/netcam.conf"
mk install > "$log" 2>&1 || fail install2 "make install failed"
mk uninstall > "$log" 2>&1 || fail uninstall2 "make uninstall failed"
left=$(cd "$dest" && find . ! -type d)
[ -z "$left" ] && pass "uninstall leaves no files" ||
    fail "uninstall leaves no files" "left: $(echo "$left" | tr '\n' ' ')"
rm -f "$log" "$dest.conf"

[ "$fails" = 0 ] || { echo "install-test: $fails check(s) failed" >&2; exit 1; }
echo "install-test: all passed"
