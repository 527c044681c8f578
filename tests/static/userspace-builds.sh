#!/bin/bash
# User space builds where users build it: gcc and clang, every -O level,
# with and without libsystemd, each with warnings as errors (WERROR=1), so a
# user's build at any level is warning-free too. One result line each in
# OUT/results.txt.
#
# usage: tests/static/userspace-builds.sh OUT
set -uo pipefail

out=${1:?usage: tests/static/userspace-builds.sh OUT}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
mkdir -p "$out/logs"

result() { echo "$*" | tee -a "$out/results.txt"; }

# NAME CC CFLAGS [MAKE VARS...]
build() {
    local name=$1 cc=$2 cflags=$3 dir=$top/build/static/userspace/$1 d
    shift 3
    local log=$out/logs/userspace-$name.log
    if ! command -v "$cc" > /dev/null; then
        result "FAIL static.userspace.$name $cc is not installed (tests/install-deps.sh)"
        return
    fi
    rm -rf "$dir"
    : > "$log"
    for d in netcamd netcamctl netcam-motion; do
        if ! make --no-print-directory -j2 -C "$top/userspace/$d" CC="$cc" CFLAGS="$cflags" \
                WERROR=1 O="$dir/$d" LIBNETCAM_O="$dir/lib" "$@" >> "$log" 2>&1; then
            result "FAIL static.userspace.$name $d: $(grep -m1 -E 'error|warning' "$log") (see $log)"
            return
        fi
    done
    result "PASS static.userspace.$name $cc $cflags $*"
}

build gcc-O0 gcc -O0
build gcc-O1 gcc -O1
build gcc-Os gcc -Os
build gcc-O3 gcc "-O3 -g"
build clang-O0 clang -O0
build clang-O2 clang "-O2 -g"
build gcc-no-systemd gcc "-O2" NO_SYSTEMD=1
