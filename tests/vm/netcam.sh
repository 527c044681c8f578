# Shell helpers for VM suites that need netcam.ko and a feeder.
# Source after lib.sh:   . "$NETCAM_SRC/tests/vm/netcam.sh"
#
#   netcam_load [PARAM=VALUE]...   load build/$KVER/driver/netcam.ko (deps by modprobe)
#   netcam_unload                  remove the module (fails the caller's test if busy)
#   netcam_feed_start NAME [ARGS]  start the test feeder in the background; sets
#                                  FEED_PID and NODE0..NODE7 (/dev/videoN paths)
#   netcam_feed_stop               SIGTERM the feeder and wait for it
#   netcam_remove NAME             remove a camera

NETCAM_KO=$NETCAM_SRC/build/$KVER/driver/netcam.ko
NETCAM_FEED=$NETCAM_SRC/build/tests/feeder/netcam-feed

netcam_load() {
    modprobe -a videodev videobuf2_v4l2 videobuf2_vmalloc || return 1
    if ! grep -q '^netcam ' /proc/modules; then
        insmod "$NETCAM_KO" "$@" || return 1
    fi
    for _ in 1 2 3 4 5 6 7 8 9 10; do [ -c /dev/netcam ] && return 0; sleep 0.2; done
    echo "netcam_load: /dev/netcam did not appear" >&2
    return 1
}

netcam_unload() {
    grep -q '^netcam ' /proc/modules || return 0
    rmmod netcam
}

netcam_feed_start() {
    local name=$1 out i line
    shift
    out=/tmp/feed-$name.out
    "$NETCAM_FEED" --name "$name" "$@" > "$out" 2> "/tmp/feed-$name.err" &
    FEED_PID=$!
    for i in $(seq 1 100); do
        if ! kill -0 "$FEED_PID" 2>/dev/null; then
            echo "netcam_feed_start: feeder for $name exited:" >&2
            cat "/tmp/feed-$name.err" >&2
            return 1
        fi
        if grep -q '^node ' "$out"; then
            sleep 0.2
            break
        fi
        sleep 0.1
    done
    while read -r line; do
        set -- $line
        [ "$1" = node ] && eval "NODE$2=$3"
    done < "$out"
    # Wait for udev-less devtmpfs nodes to appear.
    for i in $(seq 1 50); do [ -c "${NODE0:-/nonexistent}" ] && return 0; sleep 0.1; done
    echo "netcam_feed_start: no node for $name" >&2
    return 1
}

netcam_feed_stop() {
    [ -n "${FEED_PID:-}" ] || return 0
    kill -TERM "$FEED_PID" 2>/dev/null
    wait "$FEED_PID" 2>/dev/null
    FEED_PID=
}

netcam_remove() {
    "$NETCAM_FEED" --remove "$1"
}

# The /dev/videoN nodes of the vivid capture devices, one per line.
vivid_nodes() {
    local n
    for n in /sys/class/video4linux/video*; do
        [ -e "$n/name" ] || continue
        case $(cat "$n/name") in vivid*vid-cap*) echo "/dev/${n##*/}" ;; esac
    done
}
