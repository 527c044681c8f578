#!/bin/bash
# netcam-motion host tests: build, unit tests, the clip suite (recall and
# precision through --replay), replay of recordings and streams through
# libavformat, and bad-input checks. One result line per
# check in OUT/results.txt ("PASS name detail" / "FAIL name why"), the
# format tests/vm/summary.sh sums; a final "N passed, N failed" on stdout.
#
# usage: tests/motion/run.sh OUT
set -uo pipefail

out=${1:?usage: tests/motion/run.sh OUT}
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$top/build/userspace/netcam-motion
clips=$top/build/motion-clips
bin=$build/netcam-motion
here=$top/tests/motion
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
res=$out/results.txt
: > "$res"
log=$out/logs

# one line per result: the summary reads the file line by line
result() { printf '%s %s\n' "$1" "$(shift; printf '%s' "$*" | tr '\r\n' '  ')" | tee -a "$res"; }
pass() { result PASS "$@"; }
fail() { result FAIL "$@"; }

start=$(date +%s)

# 1. build
if make --no-print-directory -C "$top/userspace/netcam-motion" O="$build" > "$log/motion-build.log" 2>&1; then
    pass motion.build "$bin"
else
    fail motion.build "make failed (see $log/motion-build.log)"
    echo "0 passed, 1 failed"
    exit 1
fi

# 2. unit tests
make --no-print-directory -C "$top/userspace/netcam-motion" O="$build" check > "$log/motion-unit.log" 2>&1
rc=$?
# the unit test programs each print "N passed, N failed": sum them
sum_counts() {
    grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" |
        awk '{ p += $1; f += $3 } END { if (NR) printf "%d passed, %d failed", p, f }'
}
counts=$(sum_counts "$log/motion-unit.log")
if [ $rc -eq 0 ]; then
    pass motion.unit "${counts:-ok}"
else
    fail motion.unit "${counts:-exit $rc} (see $log/motion-unit.log)"
fi

# 3. clip suite
if "$here/gen_clips.sh" "$clips" > "$log/motion-clips.log" 2>&1; then
    python3 "$here/score.py" "$bin" "$clips" --results "$res" > "$log/motion-score.log" 2>&1
    cat "$log/motion-score.log"
else
    fail motion.clips "clip generation failed (see $log/motion-clips.log)"
fi

# 4. the same under ASan/UBSan: unit tests, every clip, bad clips
if make --no-print-directory -C "$top/userspace/netcam-motion" O="$build" san-check > "$log/motion-san-unit.log" 2>&1; then
    pass motion.san.unit "$(sum_counts "$log/motion-san-unit.log") (ASan+UBSan)"
else
    fail motion.san.unit "see $log/motion-san-unit.log"
fi
if [ -x "$build/san/netcam-motion" ]; then
    san_bad=0
    : > "$log/motion-san-replay.log"
    printf 'YUV4MPEG2 W320 H180 F10:1 C420jpeg\nFRAME\nxx' > "$log/motion-san-trunc.y4m"
    for c in "$clips"/*.y4m "$log/motion-san-trunc.y4m" "$here/run.sh"; do
        "$build/san/netcam-motion" -q --replay "$c" > /dev/null 2>> "$log/motion-san-replay.log"
        rc=$?
        case $c in
            *.y4m) [ "$c" = "$log/motion-san-trunc.y4m" ] && want=1 || want=0 ;;
            *) want=1 ;;
        esac
        [ $rc -eq $want ] || { san_bad=1; echo "$c: exit $rc, want $want" >> "$log/motion-san-replay.log"; }
    done
    if [ $san_bad -eq 0 ] && ! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$log/motion-san-replay.log"; then
        pass motion.san.replay "$(ls "$clips"/*.y4m | wc -l) clips + 2 bad inputs clean"
    else
        fail motion.san.replay "sanitizer report or wrong exit (see $log/motion-san-replay.log)"
    fi
fi

# 4b. recordings and streams through libavformat (tests/motion/replay-formats.sh),
# then the ASan+UBSan build over the ones that take each path of the reader
# (luma in place, converted to grey, damaged input)
rf=$log/replay-formats
rm -rf "$rf"
"$here/replay-formats.sh" "$bin" "$clips/two_events.y4m" "$rf" | tee -a "$res"
san_bad=
for f in clip.mp4 vfr.mkv rgb.mkv p10.mkv yuyv.avi garbage.mp4; do
    [ -f "$rf/$f" ] || { san_bad="$san_bad $f(missing)"; continue; }
    "$build/san/netcam-motion" -q --replay "$rf/$f" > /dev/null 2> "$rf/san-$f.err"
    rc=$?
    want=0
    [ "$f" = garbage.mp4 ] && want=1
    if [ $rc -ne $want ] || grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$rf/san-$f.err"; then
        san_bad="$san_bad $f(exit $rc)"
    fi
done
if [ -z "$san_bad" ]; then
    pass motion.san.replay-formats "6 recordings clean (ASan+UBSan)"
else
    fail motion.san.replay-formats "$san_bad (see $rf/san-*.err)"
fi

# 5. bad input: a clear one-line error naming the culprit, the documented
# exit code, no crash.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# expect NAME WANT_RC PATTERN -- command...
expect() {
    local name=$1 want=$2 pat=$3
    shift 4
    "$@" > "$tmp/stdout" 2> "$tmp/stderr"
    local rc=$?
    if [ $rc -eq "$want" ] && grep -qE -- "$pat" "$tmp/stderr"; then
        pass "motion.bad.$name" "exit $rc: $(head -n 1 "$tmp/stderr")"
    else
        fail "motion.bad.$name" "exit $rc (want $want), stderr: $(head -c 300 "$tmp/stderr" | tr '\n' ' ')"
    fi
}
printf 'hello\n' > "$tmp/not.y4m"
head -c 200000 "$clips/big_fast.y4m" > "$tmp/trunc.y4m" 2>/dev/null
printf '[global]\nmin_arae = 1\n' > "$tmp/unknown.conf"
printf '[a]\ndevice = /dev/video0\nthreshold_sigma = 0.1\n' > "$tmp/range.conf"
printf '[a]\ndevice = /dev/null\n' > "$tmp/notcap.conf"
printf '[global]\n' > "$tmp/unreadable.conf"
chmod 000 "$tmp/unreadable.conf"
expect not-y4m 1 "not.y4m: not a YUV4MPEG2" -- "$bin" --replay "$tmp/not.y4m"
expect truncated-y4m 1 "trunc.y4m: frame [0-9]+: truncated" -- "$bin" --replay "$tmp/trunc.y4m"
expect missing-clip 1 "nope.y4m: No such file" -- "$bin" --replay "$tmp/nope.y4m"
expect unknown-key 2 "unknown.conf:2: key 'min_arae': unknown" -- "$bin" --check-config -c "$tmp/unknown.conf"
expect out-of-range 2 "range.conf:3: camera 'a': key 'threshold_sigma': .*out of range" -- "$bin" --check-config -c "$tmp/range.conf"
expect replay-bad-config 2 "unknown.conf:2: key 'min_arae'" -- "$bin" --replay "$clips/big_fast.y4m" --camera-config "$tmp/unknown.conf"
if [ "$(id -u)" != 0 ]; then
    expect unreadable-config 2 "unreadable.conf: Permission denied" -- "$bin" -c "$tmp/unreadable.conf"
else
    # root reads anything: use a directory instead
    expect unreadable-config 2 "$tmp: " -- "$bin" -c "$tmp"
fi
expect bad-option 2 "usage:" -- "$bin" --frobnicate
expect not-capture 1 "camera 'a': /dev/null: not a V4L2 device" -- timeout 10 "$bin" --once -c "$tmp/notcap.conf"
printf '[a]\nmotion_fps = 5\n' > "$tmp/nodev.conf"
expect no-device-key 2 "nodev.conf:1: camera 'a': key 'url': missing .*needs device or card" -- "$bin" --check-config -c "$tmp/nodev.conf"

np=$(grep -c '^PASS' "$res")
nf=$(grep -c '^FAIL' "$res")
echo "motion tests: $(( $(date +%s) - start )) s"
echo "$np passed, $nf failed"
[ "$nf" -eq 0 ]
