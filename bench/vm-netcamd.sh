#!/bin/bash
# netcamd benchmark, inside the VM (tests/vm/run.sh; host wrapper:
# bench/run-netcamd.sh). One H.264 clip with a frame counter in its pixels
# is served over RTSP on 127.0.0.1 by bench/rtsp-sendtime-server.py, which
# logs each frame's send time; the same consumer (build/bench/
# netcamd-consumer) then reads it through two paths, one after the other:
#
#   A  netcamd (on demand, nodes = 1) -> netcam.ko node -> consumer
#   B  ffmpeg -rtsp_transport tcp -i rtsp://... -pix_fmt P -f v4l2
#      -> v4l2loopback 0.12.7 (exclusive_caps=1) -> consumer
#
# Before A, and again after A's consumer stopped (and netcamd's linger
# ended), netcamd sits unwatched for NB_IDLE seconds: its CPU ticks, the
# TCP connections to the server and the loopback interface's bytes are
# recorded (expected 0, 0, 0). Before B the anchor's ffmpeg is measured the
# same way for contrast. The server is restarted for each path (fresh send
# log, the clip from frame 0). bench/netcamd-report.py prints the table
# into $NETCAM_VM_OUT/netcamd-bench.txt.
#
# Environment (run-netcamd.sh sets them): NB_CLIP (the clip), NB_FPS (its
# rate), NB_SIZE (WxH), NB_FORMAT (YUYV, NV12, ...), NB_WARMUP and
# NB_SECONDS (consumer warm-up and measured window), NB_IDLE (unwatched
# seconds). Results: PASS lines carry figures; FAIL only when a path could
# not run.
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"
. "$NETCAM_SRC/tests/vm/netcam.sh"
export PATH=$PATH:/usr/sbin:/sbin

B=$NETCAM_SRC/bench
NETCAMD=$NETCAM_SRC/build/userspace/netcamd/netcamd
CONSUMER=$NETCAM_SRC/build/bench/netcamd-consumer
LOOPKO=$NETCAM_SRC/build/bench/v4l2loopback-6.1/v4l2loopback.ko
CLIP=${NB_CLIP:?NB_CLIP not set}
FPS=${NB_FPS:-5} SIZE=${NB_SIZE:-1920x1080} FORMAT=${NB_FORMAT:-YUYV}
WARMUP=${NB_WARMUP:-5} SECONDS_=${NB_SECONDS:-30} IDLE=${NB_IDLE:-10}
PORT=8554
URL=rtsp://127.0.0.1:$PORT/cam
O=$NETCAM_VM_OUT
W=/tmp/netcamd-bench
mkdir -p "$W" "$O/logs"
case $FORMAT in
    YUYV) PIXFMT=yuyv422 ;; NV12) PIXFMT=nv12 ;; YU12) PIXFMT=yuv420p ;; GREY) PIXFMT=gray ;;
    *) vm_fail netcamd-bench-setup "NB_FORMAT '$FORMAT' unknown"; vm_finish ;;
esac
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT

for f in "$NETCAMD" "$CONSUMER" "$CLIP" "$LOOPKO"; do
    [ -e "$f" ] || { vm_fail netcamd-bench-setup "$f missing (run bench/run-netcamd.sh)"; vm_finish; }
done
netcam_load || { vm_fail netcamd-bench-setup "netcam.ko did not load"; vm_finish; }
modprobe videodev
insmod "$LOOPKO" devices=1 exclusive_caps=1 max_buffers=4 card_label=bench-loopback ||
    { vm_fail netcamd-bench-setup "insmod $LOOPKO failed"; vm_finish; }
LOOPDEV=
for _ in $(seq 50); do
    for n in /sys/class/video4linux/video*; do
        [ "$(cat "$n/name" 2>/dev/null)" = bench-loopback ] && LOOPDEV=/dev/$(basename "$n")
    done
    [ -n "$LOOPDEV" ] && [ -c "$LOOPDEV" ] && break
    sleep 0.1
done
[ -c "$LOOPDEV" ] || { vm_fail netcamd-bench-setup "v4l2loopback node did not appear"; vm_finish; }

{
    echo "kernel=$KVER cpus=$(nproc) fps=$FPS size=$SIZE format=$FORMAT warmup_s=$WARMUP window_s=$SECONDS_ idle_s=$IDLE"
    echo "cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "clip=$(basename "$CLIP")"
} > "$O/meta.txt"

# Decode speed of the clip in this VM (1 thread, and ffmpeg's default
# threads), converted to the consumer's format: tells whether the rate is
# sustainable. -benchmark prints utime/rtime.
for t in 1 0; do
    ffmpeg -hide_banner -nostdin -benchmark -threads "$t" -i "$CLIP" -t 10 -pix_fmt "$PIXFMT" \
        -f null - > "$W/decode-$t.log" 2>&1
    echo "decode_threads_$t: $(grep -o 'bench: utime=[^ ]* stime=[^ ]* rtime=[^ ]*' "$W/decode-$t.log")" >> "$O/meta.txt"
done
cat "$O/meta.txt"

# printf, not print: mawk prints integers above 2^31 as 4.2e+10.
lo_bytes() { awk '$1 == "lo:" { printf "%.0f\n", $2 + $10 }' /proc/net/dev; }
conns() { ss -Htn state established "( dport = :$PORT or sport = :$PORT )" | wc -l; }
ticks() { awk '{ sub(/^.*\) /, ""); split($0, f, " "); printf "%.0f\n", f[12] + f[13] + f[14] + f[15] }' "/proc/$1/stat"; }
runtime_ns() {   # on-CPU ns and scheduling count over the process's live threads
    cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ ns += $1; n += $3 } END { printf "%.0f %.0f\n", ns, n }'
}
idle_measure() {   # pid label: NB_IDLE seconds unwatched, one "idle ..." line
    local t0 t1 l0 l1 r0 r1 c0 c1 s0 s1
    t0=$(ticks "$1") l0=$(lo_bytes) r0=$(runtime_ns "$1") c0=$(conns) s0=$(grep -c 'client connected' "$W/server.log")
    sleep "$IDLE"
    t1=$(ticks "$1") l1=$(lo_bytes) r1=$(runtime_ns "$1") c1=$(conns) s1=$(grep -c 'client connected' "$W/server.log")
    set -- "$2" $r0 $r1
    echo "idle who=$1 seconds=$IDLE ticks=$((t1 - t0)) cpu_us=$((($4 - $2) / 1000)) wakeups=$(($5 - $3)) conns_start=$c0 conns_end=$c1 lo_bytes=$((l1 - l0)) new_clients=$((s1 - s0))"
}
server_start() {   # tag
    : > "$W/server.log"
    "$B/rtsp-sendtime-server.py" "$PORT" /cam "$CLIP" "$O/send-$1.log" >> "$W/server.log" 2>&1 &
    SRV=$!
    PIDS+=("$SRV")
    for _ in $(seq 100); do
        grep -q serving "$W/server.log" && ss -ltn | grep -q ":$PORT " && return 0
        sleep 0.2
    done
    return 1
}
server_stop() {
    kill "$SRV" 2>/dev/null; wait "$SRV" 2>/dev/null
    cp "$W/server.log" "$O/logs/server-$1.log"
}
consume() {   # tag device extra-args...
    local tag=$1 dev=$2
    shift 2
    timeout -k 5 $((SECONDS_ + WARMUP + 90)) "$CONSUMER" --device "$dev" --format "$FORMAT" --size "$SIZE" \
        --fps "$FPS" --warmup "$WARMUP" --seconds "$SECONDS_" --log "$O/arrive-$tag.log" \
        --pid server="$SRV" "$@" > "$W/consumer-$tag.out" 2> "$O/logs/consumer-$tag.err"
}
ttff() {   # warm|cold seconds: one short consumer run, one "ttff ..." line
    local line
    if timeout -k 5 $(($2 + 60)) "$CONSUMER" --device "$NODE" --format "$FORMAT" --size "$SIZE" \
           --fps "$FPS" --warmup 0 --seconds "$2" --log "$O/arrive-ttff-$1.log" \
           > "$W/consumer-ttff-$1.out" 2> "$O/logs/consumer-ttff-$1.err"; then
        line="ttff start=$1 $(grep -oE 'first_(frame|real)_ms=[^ ]+' "$W/consumer-ttff-$1.out" | tr '\n' ' ')"
        echo "$line" | tee -a "$O/summary.txt"
        vm_pass "netcamd-bench-ttff-$1" "${line#ttff }"
    else
        vm_fail "netcamd-bench-ttff-$1" "consumer: $(tail -2 "$O/logs/consumer-ttff-$1.err")"
    fi
}
: > "$O/summary.txt"

# ---- A: netcamd ----
vm_kmsg "begin netcamd-bench-A"
cat > "$W/netcamd.conf" <<CONF
[global]
user = nobody

[bench]
label = Bench camera
url = $URL
transport = tcp
nodes = 1
size = $SIZE
fps = $FPS
codec = h264
linger = 2
CONF
okA=0
if ! server_start A; then
    vm_fail netcamd-bench-A "RTSP server did not start: $(tail -3 "$W/server.log")"
else
    "$NETCAMD" -c "$W/netcamd.conf" --camera bench > "$O/logs/netcamd.log" 2>&1 &
    NCD=$!
    PIDS+=("$NCD")
    NODE=
    for _ in $(seq 150); do
        NODE=$(sed -n 's/.*node 0: \(\/dev\/video[0-9]*\).*/\1/p' "$O/logs/netcamd.log" | tail -1)
        [ -n "$NODE" ] && [ -c "$NODE" ] && break
        kill -0 "$NCD" 2>/dev/null || break
        sleep 0.2
    done
    if [ -z "$NODE" ] || [ ! -c "$NODE" ]; then
        vm_fail netcamd-bench-A "netcamd did not create its node: $(tail -3 "$O/logs/netcamd.log")"
    else
        sleep 3
        line=$(idle_measure "$NCD" netcamd)
        echo "$line" | tee -a "$O/summary.txt"
        vm_pass netcamd-bench-idle "${line#idle }"
        if consume A "$NODE" --pid feeder="$NCD" --comm kthread=netcam-; then
            line=$(grep '^consumer ' "$W/consumer-A.out")
            echo "path=A $line" | tee -a "$O/summary.txt"
            vm_pass netcamd-bench-A "$(echo "$line" | grep -oE ' (unique|missing|fps|cpu_feeder_ms)=[^ ]+' | tr -d '\n')"
            okA=1
        else
            vm_fail netcamd-bench-A "consumer: $(tail -2 "$O/logs/consumer-A.err")"
        fi
        # Time to the first real frame after STREAMON: warm (a re-open
        # within linger, the camera still connected), then, after the
        # idle measurement, cold (disconnected: connect, RTSP set-up,
        # first keyframe).
        ttff warm 3
        # Unwatched again after a session (linger 2 s, then disconnected).
        sleep 4
        line=$(idle_measure "$NCD" netcamd-after-session)
        echo "$line" | tee -a "$O/summary.txt"
        vm_pass netcamd-bench-idle-after "${line#idle }"
        ttff cold 15
    fi
    kill "$NCD" 2>/dev/null; wait "$NCD" 2>/dev/null
    server_stop A
fi
vm_kmsg "end netcamd-bench-A"

# ---- B: ffmpeg -> v4l2loopback ----
vm_kmsg "begin netcamd-bench-B"
okB=0
if ! server_start B; then
    vm_fail netcamd-bench-B "RTSP server did not start: $(tail -3 "$W/server.log")"
else
    ffmpeg -hide_banner -nostdin -loglevel error -rtsp_transport tcp -i "$URL" \
        -pix_fmt "$PIXFMT" -f v4l2 "$LOOPDEV" > "$O/logs/ffmpeg-B.log" 2>&1 &
    FF=$!
    PIDS+=("$FF")
    sleep 3
    line=$(idle_measure "$FF" ffmpeg)
    echo "$line" | tee -a "$O/summary.txt"
    if consume B "$LOOPDEV" --wait-capture 30 --pid feeder="$FF"; then
        line=$(grep '^consumer ' "$W/consumer-B.out")
        echo "path=B $line" | tee -a "$O/summary.txt"
        vm_pass netcamd-bench-B "$(echo "$line" | grep -oE ' (unique|missing|fps|cpu_feeder_ms)=[^ ]+' | tr -d '\n')"
        okB=1
    else
        vm_fail netcamd-bench-B "consumer: $(tail -2 "$O/logs/consumer-B.err") ffmpeg: $(tail -2 "$O/logs/ffmpeg-B.log")"
    fi
    kill "$FF" 2>/dev/null; wait "$FF" 2>/dev/null
    server_stop B
fi
vm_kmsg "end netcamd-bench-B"

/usr/bin/python3 "$B/netcamd-report.py" "$O" > "$O/netcamd-bench.txt" 2> "$O/logs/report.err" ||
    vm_fail netcamd-bench-report "$(tail -2 "$O/logs/report.err")"
cat "$O/netcamd-bench.txt"
grep -q '^netcam ' /proc/modules && rmmod netcam 2>/dev/null
grep -q '^v4l2loopback ' /proc/modules && rmmod v4l2loopback 2>/dev/null
vm_finish
