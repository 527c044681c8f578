#!/bin/bash
# netcamd against a second RTSP server implementation that we don't write,
# inside the VM: VLC 3 (cvlc, stream output "rtp" with an rtsp:// SDP and
# --sout-rtsp-user/--sout-rtsp-pwd). It serves looped clips made by
# tests/netcamd/run.sh in $NETCAM_VM_OUT/fixtures: H.264 (a.mp4, b.mp4),
# H.265 (b.hevc.mp4) and MJPEG (d.mjpeg.avi, colour D, 320x240, 10 fps).
#
# What VLC 3's RTSP output does not do: RTP interleaved in the RTSP TCP
# connection. Its SETUP handler takes RTP/AVP over UDP only and answers
# anything else with 461 (modules/stream_out/rtsp.c: '"interleaved" is not
# implemented'), so `transport = tcp` is checked to fail with a clear line.
#
# VLC refuses to run as root ("VLC is not supposed to be run as root");
# the Debian build has no option for it, so cvlc runs as nobody (setpriv).
# The RTSP credentials come from a vlcrc (--config), not the command line.
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"
. "$NETCAM_SRC/tests/vm/netcam.sh"
. "$NETCAM_SRC/tests/netcamd/vm-helpers.sh"
export PATH=$PATH:/usr/sbin:/sbin

NETCAMD=$NETCAM_SRC/build/userspace/netcamd/netcamd
NETCAMCTL=$NETCAM_SRC/build/userspace/netcamctl/netcamctl
FIX=$NETCAM_VM_OUT/fixtures
W=/tmp/netcamd-vlc-test
LOGS=$NETCAM_VM_OUT/logs
COLOR_A=0x2060c0 COLOR_B=0xc06020 COLOR_D=0x8040c0
# '%' and '+' survive netcamd's URL encoding and VLC's vlcrc parsing.
PASSWORD='VlcPass-%41+9'
WRONG='WrongVlc-7730'
declare -A VLC_PID=() VLC_PORT=()
NCD_PID=

cleanup() {
    local p
    [ -n "${CAP_PID:-}" ] && kill "$CAP_PID" 2>/dev/null
    [ -n "${NCD_PID:-}" ] && kill "$NCD_PID" 2>/dev/null
    for p in "${VLC_PID[@]}"; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT
ncd_stop() {   # camera
    kill "$NCD_PID" 2>/dev/null; wait "$NCD_PID" 2>/dev/null; NCD_PID=
    "$NETCAMCTL" remove "$1" > /dev/null 2>&1
}
# cvlc as nobody: CLIP looped at rtsp://127.0.0.1:PORT/PATH. "gather" with
# --sout-keep keeps one RTP stream across the loops (without it, each loop
# ends the RTSP sessions). cvlc takes seconds to start under TCG: all are
# launched at once, vlc_wait waits for one. Its RTSP server listens before
# the clip's stream exists (DESCRIBE then gets 500): a second more for that.
vlc_launch() {   # name port path clip
    local name=$1 port=$2 path=$3 clip=$4
    setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups \
        env -i HOME="$W/vlc-home" PATH=/usr/bin:/bin \
        cvlc --config "$W/vlc-home/vlcrc" --no-audio --no-dbus --no-stats \
        --loop --sout-keep "$clip" --sout "#gather:rtp{sdp=rtsp://127.0.0.1:$port/$path}" \
        >> "$W/vlc-$name.log" 2>&1 &
    VLC_PID[$name]=$!
    VLC_PORT[$name]=$port
}
vlc_wait() {   # name
    for _ in $(seq 1 150); do
        if ss -ltn | grep -q "127.0.0.1:${VLC_PORT[$1]} "; then sleep 1; return 0; fi
        kill -0 "${VLC_PID[$1]}" 2>/dev/null || break
        sleep 0.2
    done
    return 1
}
vlc_start() { vlc_launch "$@" && vlc_wait "$1"; }
vlc_stop() {   # name
    kill "${VLC_PID[$1]}" 2>/dev/null; wait "${VLC_PID[$1]}" 2>/dev/null
    unset "VLC_PID[$1]"
}

vm_run netcam-load netcam_load || vm_finish
for f in "$NETCAMD" "$NETCAMCTL" "$FIX/a.mp4" "$FIX/b.mp4" "$FIX/b.hevc.mp4" "$FIX/d.mjpeg.avi"; do
    [ -e "$f" ] || { vm_fail setup "$f missing (run tests/netcamd/run.sh)"; vm_finish; }
done
command -v cvlc > /dev/null || { vm_fail setup "cvlc missing (Debian vlc-bin)"; vm_finish; }
mkdir -p "$W/vlc-home"
# The clips where nobody can read them.
cp "$FIX/a.mp4" "$FIX/b.mp4" "$FIX/b.hevc.mp4" "$FIX/d.mjpeg.avi" "$W/"
chmod 644 "$W"/*.mp4 "$W"/*.avi
printf 'sout-rtsp-user=viewer\nsout-rtsp-pwd=%s\n' "$PASSWORD" > "$W/vlc-home/vlcrc"
chown -R nobody "$W/vlc-home"
chmod 700 "$W/vlc-home"
chmod 600 "$W/vlc-home/vlcrc"
printf '%s\n' "$PASSWORD" > "$W/vlc.pass"
printf '%s\n' "$WRONG" > "$W/wrong.pass"
chmod 600 "$W/vlc.pass" "$W/wrong.pass"
cat > "$W/netcamd.conf" <<CONF
[global]
user = nobody

[vlc264]
url = rtsp://127.0.0.1:8556/cam
username = viewer
password_file = $W/vlc.pass
transport = udp
nodes = 1
size = 640x360
fps = 15
codec = h264
linger = 2
backoff_min = 0.5
backoff_max = 2
stall_timeout = 4
read_timeout = 4
connect_timeout = 4

[vlc265]
url = rtsp://127.0.0.1:8557/cam265
username = viewer
password_file = $W/vlc.pass
transport = udp
nodes = 1
size = 640x360
fps = 15
codec = h265

[vlcmjpeg]
url = rtsp://127.0.0.1:8558/mjpeg
username = viewer
password_file = $W/vlc.pass
transport = udp
nodes = 1
size = 320x240
fps = 10
codec = mjpeg

[vlctcp]
url = rtsp://127.0.0.1:8556/cam
username = viewer
password_file = $W/vlc.pass
transport = tcp
always_on = yes
nodes = 1
size = 640x360
fps = 15
codec = h264
backoff_max = 2

[vlcauto]
url = rtsp://127.0.0.1:8559/cam
username = viewer
password_file = $W/vlc.pass
transport = auto
always_on = yes
nodes = 1
size = 640x360
fps = 15
codec = h264
backoff_min = 0.5
backoff_max = 2

[vlcbadpw]
url = rtsp://127.0.0.1:8556/cam
username = viewer
password_file = $W/wrong.pass
transport = udp
always_on = yes
nodes = 1
size = 640x360
fps = 15
codec = h264
backoff_max = 2
CONF

# 1. H.264 over UDP with RTSP authentication (VLC asks with 401 first).
echo "[${SECONDS}s] starting cvlc"
vlc_launch h264 8556 cam "$W/a.mp4"
vlc_launch h265 8557 cam265 "$W/b.hevc.mp4"
vlc_launch mjpeg 8558 mjpeg "$W/d.mjpeg.avi"
if ! vlc_wait h264; then
    vm_fail vlc-start "cvlc did not listen on 8556: $(tail -3 "$W/vlc-h264.log")"
    vm_finish
fi
vm_pass vlc-start "VLC $(dpkg-query -W -f='${Version}' vlc-bin 2>/dev/null) as uid $(id -u nobody)"
ref $COLOR_A 640x360 gray "$W/refA.grey"
L1=$LOGS/netcamd-vlc264.log
if ncd_start vlc264 "$L1" && capture "$NODE0" gray 640x360 45 "$W/cap1.grey" 2> "$W/cap1.err" &&
   r=$(framecheck "$W/cap1.grey" "$W/refA.grey") && grep -q 'stream: h264 over UDP' "$L1"; then
    vm_pass h264-udp "$r"
else
    vm_fail h264-udp "${r:-} $(tail -3 "$L1") $(cat "$W/cap1.err" 2>/dev/null)"
fi

# 2. VLC killed for 5 s while an app streams, then back with another clip
# (colour B): no error at the app, >= 12 fps throughout, the new content.
ref $COLOR_B 640x360 gray "$W/refB.grey"
echo "[${SECONDS}s] server restart"
if [ -n "$NCD_PID" ]; then
    n0=$(grep -c 'video arrives' "$L1")
    capture_bg "$NODE0" gray 640x360 "$W/cap2.grey" "$W/cap2.err"
    wait_count "$L1" 'video arrives' "$n0" 60
    sleep 2
    vlc_stop h264
    sleep 5
    n1=$(grep -c 'video arrives' "$L1")
    vlc_start h264 8556 cam "$W/b.mp4" || echo "cvlc did not restart" > "$W/cap2.why"
    wait_count "$L1" 'video arrives' "$n1" 60 || echo "no video after the restart" >> "$W/cap2.why"
    sleep 3
    capture_stop
    CAP_PID=
    r=$(framecheck "$W/cap2.grey" "$W/refB.grey"); k=$?
    if [ "$CAP_OK" = 1 ] && [ $k = 0 ] && [ ! -s "$W/cap2.why" ]; then
        vm_pass server-restart "$CAP_FRAMES frames in ${CAP_SECS}s, no error; $(grep -m1 -o 'camera lost: [^;]*' "$L1"); after restart: $r"
    else
        vm_fail server-restart "$CAP_WHY $(cat "$W/cap2.why" 2>/dev/null) $r $(tail -2 "$L1")"
    fi
    ncd_stop vlc264
else
    vm_fail server-restart "netcamd for vlc264 did not start"
fi

# 3. transport = tcp: VLC answers the interleaved SETUP with 461; netcamd
# says so once, however often it retries. 4. At the same time, a wrong
# password: one clear line over several retries, the password in neither
# the log nor /proc/PID/cmdline or environ.
echo "[${SECONDS}s] tcp, wrong password"
vm_skip h264-tcp "VLC 3's RTSP output has no RTP over the RTSP TCP connection (interleaved not implemented: SETUP gets 461); tcp-refused checks the message"
L2=$LOGS/netcamd-vlctcp.log L3=$LOGS/netcamd-vlcbadpw.log
ncd_start vlctcp "$L2"; TCP_PID=$NCD_PID NCD_PID=
BAD_OK=0
ncd_start vlcbadpw "$L3" && BAD_OK=1
BAD_PID=$NCD_PID
for _ in $(seq 1 100); do
    grep -q 'cannot stream' "$L2" && grep -q 'authentication failed' "$L3" && break
    sleep 0.2
done
sleep 6
n=$(grep -c 'cannot stream' "$L2")
if [ "$n" = 1 ] && grep 'cannot stream' "$L2" | grep -q '461 Unsupported transport'; then
    vm_pass tcp-refused "$(grep 'cannot stream' "$L2" | sed 's/^<[0-9]>//')"
else
    vm_fail tcp-refused "'cannot stream' lines: $n; $(tail -2 "$L2")"
fi
if [ $BAD_OK = 1 ]; then
    leak=$(grep -l -- "$WRONG" "$L3" /proc/$BAD_PID/cmdline /proc/$BAD_PID/environ 2>/dev/null)
    n=$(grep -c 'authentication failed (401 Unauthorized)' "$L3")
    if [ "$n" = 1 ] && [ -z "$leak" ]; then
        vm_pass wrong-password "$(grep 'authentication failed' "$L3" | sed 's/^<[0-9]>//')"
    else
        vm_fail wrong-password "auth lines: $n; password found in: ${leak:-nowhere}; $(tail -2 "$L3")"
    fi
else
    vm_fail wrong-password "netcamd did not start: $(tail -3 "$L3")"
fi
ncd_stop vlcbadpw
NCD_PID=$TCP_PID
ncd_stop vlctcp
vlc_stop h264

# 4b. transport = auto, and the camera is down when netcamd starts: the
# refused connections say nothing about UDP, so once VLC (UDP only) is up,
# netcamd must stream over UDP, not fall back to TCP (which VLC refuses).
echo "[${SECONDS}s] auto after an outage"
L6=$LOGS/netcamd-vlcauto.log
if ncd_start vlcauto "$L6"; then
    for _ in $(seq 1 50); do grep -q 'cannot stream' "$L6" && break; sleep 0.2; done
    sleep 3
    if vlc_start auto 8559 cam "$W/a.mp4" && wait_count "$L6" 'video arrives' 0 60 &&
       capture "$NODE0" gray 640x360 45 "$W/cap5.grey" 2> "$W/cap5.err" &&
       r=$(framecheck "$W/cap5.grey" "$W/refA.grey") && ! grep -q 'falling back' "$L6"; then
        vm_pass auto-after-outage "$(grep -m1 -o 'cannot stream[^;]*' "$L6"); then $r over UDP"
    else
        vm_fail auto-after-outage "${r:-} $(grep -m1 'falling back' "$L6") $(tail -3 "$L6")"
    fi
    ncd_stop vlcauto
else
    vm_fail auto-after-outage "netcamd did not start: $(tail -3 "$L6")"
fi
vlc_stop auto

# 5. H.265 over UDP.
ref $COLOR_B 640x360 nv12 "$W/refB.nv12"
L4=$LOGS/netcamd-vlc265.log
echo "[${SECONDS}s] h265"
if ! vlc_wait h265; then
    vm_fail h265-udp "cvlc did not listen on 8557: $(tail -3 "$W/vlc-h265.log")"
elif ncd_start vlc265 "$L4" && capture "$NODE0" nv12 640x360 45 "$W/cap3.nv12" 2> "$W/cap3.err" &&
     r=$(framecheck "$W/cap3.nv12" "$W/refB.nv12") && grep -q 'stream: hevc over UDP' "$L4"; then
    vm_pass h265-udp "$r"
else
    vm_fail h265-udp "${r:-} $(tail -3 "$L4") $(cat "$W/cap3.err" 2>/dev/null)"
fi
ncd_stop vlc265
vlc_stop h265

# 6. MJPEG over RTSP/UDP (RTP/JPEG, RFC 2435: the clip uses the standard
# Huffman tables, which the payload format cannot carry).
ref $COLOR_D 320x240 gray "$W/refD.grey"
L5=$LOGS/netcamd-vlcmjpeg.log
echo "[${SECONDS}s] mjpeg"
if ! vlc_wait mjpeg; then
    vm_fail mjpeg-udp "cvlc did not listen on 8558: $(tail -3 "$W/vlc-mjpeg.log")"
elif ncd_start vlcmjpeg "$L5" && capture "$NODE0" gray 320x240 20 "$W/cap4.grey" 2> "$W/cap4.err" &&
     r=$(framecheck "$W/cap4.grey" "$W/refD.grey" 16) && grep -q 'stream: mjpeg over UDP' "$L5"; then
    vm_pass mjpeg-udp "$r"
else
    vm_fail mjpeg-udp "${r:-} $(tail -3 "$L5") $(cat "$W/cap4.err" 2>/dev/null)"
fi
ncd_stop vlcmjpeg
vlc_stop mjpeg

echo "[${SECONDS}s] done"
# 7. The right password (password_file) in no netcamd or VLC log.
if grep -q -F -- "$PASSWORD" "$LOGS"/netcamd-vlc*.log "$W"/vlc-*.log; then
    vm_fail no-password-in-logs "the password_file content is in a log"
else
    vm_pass no-password-in-logs "netcamd and cvlc logs"
fi

cleanup
VLC_PID=()
cp "$W"/vlc-*.log "$LOGS"/ 2>/dev/null
vm_run netcam-unload netcam_unload || true
vm_finish
