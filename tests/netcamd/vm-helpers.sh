# shellcheck shell=bash
# Helpers shared by the netcamd VM scripts (vm-netcamd.sh, vm-auth-transport.sh,
# vm-vlc.sh).
# Source after tests/vm/lib.sh. The caller sets NETCAMD (the binary) and W
# (a work directory holding netcamd.conf).
#
#   ncd_start CAMERA LOG      start netcamd for CAMERA in the background; sets
#                             NCD_PID, NODE0, NODE1 once the nodes exist
#   capture DEV FMT WxH N OUT N frames in ffmpeg's pixel format FMT as raw video
#   ref COLOUR WxH FMT OUT    one raw reference frame of a solid colour
#   wait_count FILE RE N SECS wait until more than N lines of FILE match RE
#   established PORT          TCP connections on loopback to/from PORT
#   framecheck CAPTURE REF [LIMIT]   compare every captured frame with REF
#   capture_bg DEV FMT WxH OUT ERR   capture until capture_stop, which sets
#                             CAP_OK, CAP_WHY, CAP_FRAMES, CAP_SECS (640x360)

ncd_start() {   # camera log
    local cam=$1 log=$2 _i
    "$NETCAMD" -c "$W/netcamd.conf" --camera "$cam" > "$log" 2>&1 &
    NCD_PID=$!
    for _i in $(seq 1 100); do
        if grep -q 'node 0: /dev/video' "$log"; then
            NODE0=$(sed -n 's/.*node 0: \(\/dev\/video[0-9]*\).*/\1/p' "$log" | tail -1)
            # shellcheck disable=SC2034  # for the caller
            NODE1=$(sed -n 's/.*node 1: \(\/dev\/video[0-9]*\).*/\1/p' "$log" | tail -1)
            for _ in $(seq 1 30); do [ -c "$NODE0" ] && return 0; sleep 0.1; done
        fi
        kill -0 "$NCD_PID" 2>/dev/null || return 1
        sleep 0.2
    done
    return 1
}
capture() {   # dev input_format size frames out
    timeout 90 ffmpeg -hide_banner -loglevel error -y -f v4l2 -input_format "$2" -video_size "$3" \
        -i "$1" -frames:v "$4" -f rawvideo "$5"
}
wait_count() {   # file pattern count timeout: wait until more than count lines match
    for _ in $(seq 1 $(($4 * 5))); do
        [ "$(grep -c "$2" "$1")" -gt "$3" ] && return 0
        sleep 0.2
    done
    return 1
}
ref() {   # colour size pix_fmt out
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "color=c=$1:s=$2" -frames:v 1 \
        -pix_fmt "$3" -f rawvideo "$4"
}
established() { ss -tn state established "( dport = :$1 or sport = :$1 )" | grep -c 127.0.0.1; }
framecheck() { /usr/bin/python3 "$NETCAM_SRC/tests/netcamd/framecheck.py" "$@"; }

# A capture that runs until capture_stop (SIGINT, as a user pressing q):
# no error may be printed and frames must keep coming at about the
# negotiated 15 fps for the whole time (outages included).
capture_bg() {   # dev input_format size out errfile
    CAP_OUT=$4 CAP_ERR=$5 CAP_T0=$(date +%s.%N)
    ffmpeg -hide_banner -loglevel error -y -f v4l2 -input_format "$2" -video_size "$3" \
        -i "$1" -frames:v 100000 -f rawvideo "$4" 2> "$5" &
    CAP_PID=$!
}
capture_stop() {
    local size
    kill -INT "$CAP_PID" 2>/dev/null; wait "$CAP_PID"
    CAP_SECS=$(awk -v a="$CAP_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%d", b - a }')
    case $CAP_OUT in *.grey) size=$((640*360)) ;; *) size=$((640*360*3/2)) ;; esac
    CAP_FRAMES=$(( $(stat -c %s "$CAP_OUT") / size ))
    CAP_OK=1 CAP_WHY=
    if [ -s "$CAP_ERR" ]; then CAP_OK=0 CAP_WHY="capture errors: $(head -3 "$CAP_ERR")"; fi
    # Allow 6 s for ffmpeg's own start-up under TCG, then >= 12 fps.
    if [ "$CAP_FRAMES" -lt $(( (CAP_SECS - 6) * 12 )) ]; then
        CAP_OK=0 CAP_WHY="$CAP_WHY only $CAP_FRAMES frames in ${CAP_SECS}s"
    fi
}
