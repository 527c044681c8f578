#!/bin/bash
# Build the netcam and netcam-dkms packages for one Debian release from a
# clean export of the work tree (the files git knows plus uncommitted
# changes and new files, never build/), then run that release's lintian.
#
#   tests/packages/build-debs.sh bookworm|trixie OUTDIR
#
# The machine's own release builds on the machine (with the Build-Depends
# and lintian installed: tests/install-deps.sh). On another machine (CI's
# Debian 12) trixie builds in a Debian 13 tree of its own, $NETCAM_PKG_TRIXIE_ROOT (default
# build/packages/trixie-root): a copy of tests/debian13/setup.sh's tree
# (build/debian13/root) with the Build-Depends and lintian installed into it,
# made on first use and kept. Prints lintian's output; fails on any E: or W:.
# OUTDIR gets the .deb files, the .buildinfo/.changes and lintian.txt.
set -euo pipefail

me=build-debs.sh
die() { echo "$me: $*" >&2; exit 1; }
[ $# = 2 ] || die "usage: $me bookworm|trixie OUTDIR"
dist=$1
case $dist in bookworm|trixie) ;; *) die "unknown release '$dist' (bookworm or trixie)" ;; esac
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$2" || die "cannot make $2"
out=$(cd "$2" && pwd)

# The clean export: tracked files that still exist and untracked ones that
# are not ignored; in a directory of its own, named as dpkg wants it.
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version) ||
    die "cannot read the version from debian/changelog"
work=$top/build/packages/$dist
rm -rf "$work"
src=$work/netcam-$version
mkdir -p "$src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -) | tar -xf - -C "$src" || die "cannot export the work tree to $src"
[ ! -e "$src/build" ] || die "the export has a build/ directory"

build_cmd='DEB_BUILD_OPTIONS=noautodbgsym dpkg-buildpackage -us -uc -b && echo "Now running lintian" && lintian --info --display-level ">=warning" ../*.changes'
pkg_deps=(build-essential fakeroot lintian)

. /etc/os-release
host_dist=${VERSION_CODENAME:-unknown}
case $dist in
"$host_dist")
    # This machine's own release (a user's `make deb`, or Debian 12 in CI).
    (cd "$src" && dpkg-checkbuilddeps) || die "Build-Depends missing on this machine (tests/install-deps.sh)"
    command -v lintian >/dev/null || die "lintian missing (apt-get install lintian)"
    (cd "$src" && bash -c "$build_cmd") > "$work/log" 2>&1 || rc=$?
    ;;
bookworm)
    die "this machine is $host_dist: bookworm packages are built on Debian 12"
    ;;
trixie)
    . "$top/tests/debian13/chroot.sh"
    root=${NETCAM_PKG_TRIXIE_ROOT:-$top/build/packages/trixie-root}
    if [ ! -e "$root/.netcam-pkg-ready" ]; then
        base=$(d13_root)
        [ -x "$base/usr/bin/dpkg" ] || die "no Debian 13 tree at $base (run tests/debian13/setup.sh)"
        # A copy left by an interrupted setup is reused: apt-get picks up.
        if [ ! -x "$root/usr/bin/dpkg" ]; then
            rm -rf "$root"
            mkdir -p "$(dirname "$root")"
            cp -a "$base" "$root" || die "cannot copy $base to $root"
        fi
        cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
        # Build-Depends as the control file says (first alternatives).
        deps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$top/debian/control" | sed '1s/^Build-Depends://;$d' |
            tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/^ *//; s/ *$//' | grep -v -e '^$' -e '^debhelper-compat' -e '^dh-sequence-' | tr '\n' ' ')
        # shellcheck disable=SC2086
        d13_chroot "$root" -- env DEBIAN_FRONTEND=noninteractive bash -c \
            "apt-get update -q && apt-get install -y -q --no-install-recommends debhelper dh-dkms ${pkg_deps[*]} $deps" \
            > "$work/setup.log" 2>&1 || die "cannot install the Build-Depends into $root (see $work/setup.log)"
        touch "$root/.netcam-pkg-ready"
    fi
    rc=0
    d13_chroot "$root" --bind "$work" -- bash -c "cd '$src' && $build_cmd" > "$work/log" 2>&1 || rc=$?
    ;;
esac
rc=${rc:-0}
sed -n '/^Now running lintian/,$p' "$work/log" > "$out/lintian.txt"
if [ "$rc" != 0 ] && ! grep -q '^Now running lintian' "$work/log"; then
    tail -n 30 "$work/log" >&2
    die "dpkg-buildpackage failed for $dist (log: $work/log)"
fi
cat "$out/lintian.txt"
cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out/" || die "no packages in $work"
n=$(grep -c '^[EW]: ' "$out/lintian.txt" || true)
[ "$n" = 0 ] || die "lintian ($dist): $n error/warning line(s)"
[ "$rc" = 0 ] || die "lintian ($dist) failed (status $rc; log: $work/log)"
ls "$out"/*.deb
echo "$me: $dist: packages and lintian OK"
