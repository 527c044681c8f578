#!/bin/bash
# Host self-test of netcam-check: known captures made by netcam-pattern
# (and, for MJPEG, decoded by ffmpeg as the VM suite does) must give known
# verdicts. usage: check-tools.sh BUILD_DIR. Prints "N passed, N failed".
set -u
bin=${1:?usage: check-tools.sh BUILD_DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# expect NAME WANT_RC WANT_SUBSTRING CHECK_ARGS...
expect() {
	local name=$1 want_rc=$2 want=$3 out rc
	shift 3
	out=$("$bin/netcam-check" "$@" 2>"$tmp/err")
	rc=$?
	if [ "$rc" = "$want_rc" ] && [[ $out == *"$want"* ]]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL $name: rc=$rc (want $want_rc) out='$out' (want '$want') $(head -c 300 "$tmp/err")" >&2
	fi
}

for fmt in YUYV NV12 YU12 GREY; do
	f=$tmp/$fmt.raw
	"$bin/netcam-pattern" --format $fmt --size 64x48 --frames 20 "$f"
	expect "$fmt-clean" 0 "frames=20 ok=20 placeholders=0 corrupt=0 gaps=0 dropped=0 first=0 last=19" \
		--format $fmt --size 64x48 "$f"
	"$bin/netcam-pattern" --format $fmt --size 64x48 --frames 20 --skip 3,4,10 --placeholder 7 "$f"
	expect "$fmt-gaps" 0 "frames=17 ok=16 placeholders=1 corrupt=0 gaps=3 dropped=4" \
		--format $fmt --size 64x48 "$f"
	expect "$fmt-max-dropped" 1 "dropped=4" --max-dropped 3 --format $fmt --size 64x48 "$f"
	"$bin/netcam-pattern" --format $fmt --size 64x48 --frames 20 --flip 5 "$f"
	expect "$fmt-corrupt" 1 "ok=19 placeholders=0 corrupt=1" --format $fmt --size 64x48 "$f"
	expect "$fmt-wrong-size" 1 "corrupt=" --format $fmt --size 48x64 "$f"
done

# Restarted numbering (a second stream) is counted, not a failure.
"$bin/netcam-pattern" --format YUYV --size 32x16 --frames 5 "$tmp/a.raw"
cat "$tmp/a.raw" "$tmp/a.raw" > "$tmp/b.raw"
expect restart 0 "frames=10 ok=10 placeholders=0 corrupt=0 gaps=0 dropped=0 first=0 last=4 repeats=0 restarts=1" \
	--format YUYV --size 32x16 "$tmp/b.raw"
# Feeder killed and restarted: real frames, the kept frame repeated,
# placeholders, then new numbering from 0.
"$bin/netcam-pattern" --format YUYV --size 32x16 --frames 3 --first 7 "$tmp/c.raw"
"$bin/netcam-pattern" --format YUYV --size 32x16 --frames 1 --first 8 "$tmp/s.raw"
"$bin/netcam-pattern" --format YUYV --size 32x16 --frames 2 --placeholder 0,1 "$tmp/p.raw"
cat "$tmp/a.raw" "$tmp/s.raw" "$tmp/s.raw" "$tmp/p.raw" "$tmp/a.raw" > "$tmp/t.raw"
expect timeline 0 "timeline R0-8x6 S1 P2 R0-4x5" --timeline --format YUYV --size 32x16 "$tmp/t.raw"
expect empty-file 1 "frames=0 ok=0" --format YUYV --size 32x16 /dev/null
expect usage 2 "" --format H264 --size 32x16 "$tmp/b.raw"
expect missing-file 3 "" --format YUYV --size 32x16 "$tmp/nonexistent"

# MJPEG through ffmpeg's decoder to gray, as the VM suite captures it.
if command -v ffmpeg >/dev/null; then
	for size in 320x240 640x480; do
		"$bin/netcam-pattern" --format MJPG --size $size --frames 30 --first 65530 --skip 65540 "$tmp/m.mjpeg"
		ffmpeg -v error -y -f mjpeg -i "$tmp/m.mjpeg" -pix_fmt gray -f rawvideo "$tmp/m.gray"
		expect "mjpeg-$size" 0 "frames=29 ok=29 placeholders=0 corrupt=0 gaps=1 dropped=1 first=65530 last=23" \
			--mjpeg-luma --size $size "$tmp/m.gray"
	done
	# A raw capture that went through ffmpeg's rawvideo path unchanged.
	"$bin/netcam-pattern" --format YUYV --size 64x48 --frames 10 "$tmp/y.raw"
	ffmpeg -v error -y -f rawvideo -pix_fmt yuyv422 -video_size 64x48 -i "$tmp/y.raw" \
		-c:v rawvideo -f rawvideo "$tmp/y2.raw"
	expect ffmpeg-rawvideo 0 "frames=10 ok=10" --format YUYV --size 64x48 "$tmp/y2.raw"
else
	echo "SKIP mjpeg: ffmpeg not installed" >&2
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
