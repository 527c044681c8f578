#!/bin/bash
# netcamd against cameras that ask more of it, inside the VM: HTTP MJPEG and
# JPEG snapshots behind basic authentication (tests/netcamd/http-auth-server.py)
# and `transport = auto` (UDP first) against an RTSP server that only allows
# TCP interleaved (rtsp-server.py --tcp-only answers a UDP SETUP with 461),
# and Motion's stream server with basic and digest authentication.
# Needs what vm-netcamd.sh needs, plus $NETCAM_VM_OUT/fixtures/d.jpg
# (colour D, 320x240), both made by tests/netcamd/run.sh.
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"
. "$NETCAM_SRC/tests/vm/netcam.sh"
. "$NETCAM_SRC/tests/netcamd/vm-helpers.sh"
export PATH=$PATH:/usr/sbin:/sbin
# GST_REGISTRY: the plugin registry tests/vm/run.sh made on the host.

T=$NETCAM_SRC/tests/netcamd
NETCAMD=$NETCAM_SRC/build/userspace/netcamd/netcamd
NETCAMCTL=$NETCAM_SRC/build/userspace/netcamctl/netcamctl
FIX=$NETCAM_VM_OUT/fixtures
W=/tmp/netcamd-auth-test
LOGS=$NETCAM_VM_OUT/logs
mkdir -p "$W"
COLOR_A=0x2060c0 COLOR_D=0x8040c0
# '+' and '%' must survive percent-encoding into the URL and FFmpeg's decoding.
PASSWORD='HttpPass-%20+z'
WRONG='WrongHttp-5521'
PIDS=()
cleanup() {
    local p
    [ -n "${NCD_PID:-}" ] && kill "$NCD_PID" 2>/dev/null
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
}
trap cleanup EXIT
ncd_stop() {   # camera
    kill "$NCD_PID" 2>/dev/null; wait "$NCD_PID" 2>/dev/null; NCD_PID=
    "$NETCAMCTL" remove "$1" > /dev/null 2>&1
}
server_start() {   # log port cmd...: start a server, wait until it listens
    local log=$1 port=$2
    shift 2
    "$@" > "$log" 2>&1 &
    SRV_PID=$!
    PIDS+=("$SRV_PID")
    for _ in $(seq 1 150); do
        grep -q '^serving' "$log" 2>/dev/null && ss -ltn | grep -q ":$port " && return 0
        kill -0 "$SRV_PID" 2>/dev/null || break
        sleep 0.2
    done
    return 1
}

vm_run netcam-load netcam_load || vm_finish
for f in "$NETCAMD" "$NETCAMCTL" "$FIX/a.mp4" "$FIX/d.jpg"; do
    [ -e "$f" ] || { vm_fail auth-setup "$f missing (run tests/netcamd/run.sh)"; vm_finish; }
done
printf '%s\n' "$PASSWORD" > "$W/http.pass"
chmod 600 "$W/http.pass"
cat > "$W/netcamd.conf" <<CONF
[global]
user = nobody

[httpauth]
url = http://127.0.0.1:8083/cam.mjpg
username = viewer
password_file = $W/http.pass
nodes = 1
size = 320x240
fps = 10
codec = mjpeg

[snapauth]
url = http://127.0.0.1:8083/snap.jpg
type = snapshot
snapshot_interval = 0.5
username = viewer
password_file = $W/http.pass
nodes = 1
size = 320x240
codec = mjpeg

[httpbadpw]
url = http://127.0.0.1:8083/cam.mjpg
username = viewer
password = $WRONG
always_on = yes
nodes = 1
size = 320x240
fps = 10
codec = mjpeg
backoff_max = 2

[autocam]
url = rtsp://127.0.0.1:8555/cam
transport = auto
nodes = 1
size = 640x360
fps = 15
codec = h264

[autoudp]
url = rtsp://127.0.0.1:8554/cam
transport = auto
nodes = 1
size = 640x360
fps = 15
codec = h264
CONF

# 1. HTTP basic authentication: MJPEG stream and JPEG snapshots.
H=$W/http-server.log
if ! HTTP_PASSWORD=$PASSWORD server_start "$H" 8083 "$T/http-auth-server.py" 8083 viewer "$FIX/d.jpg"; then
    vm_fail http-auth-server "did not start: $(tail -3 "$H")"
    vm_finish
fi
ref $COLOR_D 320x240 gray "$W/refD.grey"
L=$LOGS/netcamd-httpauth.log
if ncd_start httpauth "$L" && capture "$NODE0" gray 320x240 20 "$W/cap1.grey" 2> "$W/cap1.err" &&
   r=$(framecheck "$W/cap1.grey" "$W/refD.grey" 16); then
    # The server asked (401) and then accepted the credentials.
    if grep -q '^GET /cam.mjpg 401 no credentials' "$H" && grep -q '^GET /cam.mjpg 200 authorized' "$H"; then
        vm_pass http-auth-mjpeg "$r; server: 401 then 200 with basic auth"
    else
        vm_fail http-auth-mjpeg "frames arrived but the server log shows no basic auth: $(head -3 "$H")"
    fi
else
    vm_fail http-auth-mjpeg "${r:-} $(tail -3 "$L") $(cat "$W/cap1.err" 2>/dev/null)"
fi
ncd_stop httpauth

L=$LOGS/netcamd-snapauth.log
if ncd_start snapauth "$L" && capture "$NODE0" gray 320x240 6 "$W/cap2.grey" 2> "$W/cap2.err" &&
   r=$(framecheck "$W/cap2.grey" "$W/refD.grey" 16) &&
   grep -q '^GET /snap.jpg 200 authorized' "$H"; then
    vm_pass http-auth-snapshot "$r; $(grep -c '^GET /snap.jpg 200' "$H") authorized snapshot requests"
else
    vm_fail http-auth-snapshot "${r:-} $(tail -3 "$L") $(cat "$W/cap2.err" 2>/dev/null)"
fi
ncd_stop snapauth

# Wrong password: one clear line however often it retries, and the password
# in neither the log nor the process's cmdline or environment.
L=$LOGS/netcamd-httpbadpw.log
n0=$(grep -c 'wrong credentials' "$H")
if ncd_start httpbadpw "$L"; then
    wait_count "$H" 'wrong credentials' $(( n0 + 2 )) 40
    tries=$(( $(grep -c 'wrong credentials' "$H") - n0 ))
    leak=$(grep -l -- "$WRONG" "$L" /proc/$NCD_PID/cmdline /proc/$NCD_PID/environ 2>/dev/null)
    n=$(grep -c 'authentication failed (401 Unauthorized)' "$L")
    if [ "$n" = 1 ] && [ "$tries" -ge 3 ] && [ -z "$leak" ]; then
        vm_pass http-wrong-password "$tries refused tries, logged once: $(grep 'authentication failed' "$L" | sed 's/^<[0-9]>//')"
    else
        vm_fail http-wrong-password "auth lines: $n after $tries tries; password found in: ${leak:-nowhere}; $(tail -2 "$L")"
    fi
    ncd_stop httpbadpw
else
    vm_fail http-wrong-password "netcamd did not start: $(tail -3 "$L")"
fi
if grep -q -F -- "$PASSWORD" "$LOGS"/netcamd-*auth*.log "$H"; then
    vm_fail http-no-password-in-logs "the password_file content is in a log"
else
    vm_pass http-no-password-in-logs "netcamd and server logs"
fi

# 2. transport = auto against a server that refuses UDP (461): FFmpeg's
# rtsp_transport "udp+tcp" tries UDP, then TCP interleaved, in one connect.
R=$W/rtsp-tcp-only.log
ref $COLOR_A 640x360 gray "$W/refA.grey"
if server_start "$R" 8555 "$T/rtsp-server.py" --tcp-only 8555 - /cam "$FIX/a.mp4"; then
    L=$LOGS/netcamd-autocam.log
    if ncd_start autocam "$L" && capture "$NODE0" gray 640x360 45 "$W/cap3.grey" 2> "$W/cap3.err" &&
       r=$(framecheck "$W/cap3.grey" "$W/refA.grey"); then
        udp=$(grep -c '^setup: RTP/AVP;\|^setup: RTP/AVP/UDP' "$R")
        tcp=$(grep -c '^setup: RTP/AVP/TCP' "$R")
        if [ "$udp" -ge 1 ] && [ "$tcp" -ge 1 ] && ! grep -q 'cannot stream' "$L"; then
            vm_pass rtsp-auto-tcp-only "$r; SETUP over UDP refused (461), then TCP interleaved"
        else
            vm_fail rtsp-auto-tcp-only "SETUPs: $(grep '^setup:' "$R" | tr '\n' ' '); $(grep 'cannot stream' "$L" | head -1)"
        fi
    else
        vm_fail rtsp-auto-tcp-only "${r:-} $(tail -3 "$L") $(cat "$W/cap3.err" 2>/dev/null)"
    fi
    ncd_stop autocam
else
    vm_fail rtsp-auto-tcp-only "rtsp-server.py --tcp-only did not start: $(tail -3 "$R")"
fi

# ... and against one that allows UDP, auto uses UDP.
R=$W/rtsp-any.log
if server_start "$R" 8554 "$T/rtsp-server.py" 8554 - /cam "$FIX/a.mp4"; then
    L=$LOGS/netcamd-autoudp.log
    if ncd_start autoudp "$L" && capture "$NODE0" gray 640x360 90 "$W/cap4.grey" 2> "$W/cap4.err" &&
       r=$(framecheck "$W/cap4.grey" "$W/refA.grey"); then
        if grep -q '^setup: RTP/AVP;\|^setup: RTP/AVP/UDP' "$R" && ! grep -q '^setup: RTP/AVP/TCP' "$R"; then
            vm_pass rtsp-auto-udp "$r; $(grep -m1 '^setup:' "$R")"
        else
            vm_fail rtsp-auto-udp "SETUPs: $(grep '^setup:' "$R" | tr '\n' ' ')"
        fi
    else
        vm_fail rtsp-auto-udp "${r:-} $(tail -3 "$L") $(cat "$W/cap4.err" 2>/dev/null)"
    fi
    ncd_stop autoudp
else
    vm_fail rtsp-auto-udp "rtsp-server.py did not start: $(tail -3 "$R")"
fi

# 3. Motion's MJPEG stream server (libmicrohttpd) behind basic and digest
# authentication: a real server, fed by a fixture MJPEG camera. Its digest
# challenge says algorithm=md5, which FFmpeg does not answer (it compares
# "MD5" case-sensitively) and then blames the password; netcamd answers it
# itself. Basic is FFmpeg's own.
MOTION_PASS='MotionPass-77'
F=$W/motion-feed.log
if server_start "$F" 8095 "$T/flaky-server.py" 8095 "$FIX/d.jpg" 1000000; then
    motion_start() {   # port auth_method: Motion streaming the feed on port
        mkdir -p "$W/motion-$1"
        cat > "$W/motion-$1.conf" <<MCONF
daemon off
setup_mode off
log_level 6
target_dir $W/motion-$1
netcam_url http://127.0.0.1:8095/cam.mjpg
width 320
height 240
framerate 10
picture_output off
movie_output off
stream_port $1
stream_localhost on
stream_auth_method $2
stream_authentication viewer:$MOTION_PASS
stream_maxrate 10
webcontrol_port 0
MCONF
        motion -n -c "$W/motion-$1.conf" > "$W/motion-$1.log" 2>&1 &
        PIDS+=($!)
        for _ in $(seq 1 150); do ss -ltn | grep -q ":$1 " && return 0; sleep 0.2; done
        return 1
    }
    printf '%s\n' "$MOTION_PASS" > "$W/motion.pass"
    chmod 600 "$W/motion.pass"
    for m in digest:8184:2 basic:8185:1; do
        kind=${m%%:*} port=${m#*:} port=${port%%:*} method=${m##*:}
        cat >> "$W/netcamd.conf" <<CONF

[motion$kind]
url = http://127.0.0.1:$port/
username = viewer
password_file = $W/motion.pass
nodes = 1
size = 320x240
fps = 10
codec = mjpeg
CONF
        if ! motion_start "$port" "$method"; then
            vm_fail "motion-$kind-auth" "Motion did not listen on $port: $(tail -3 "$W/motion-$port.log")"
            continue
        fi
        challenge=$(/usr/bin/python3 - "$port" <<'PY'
import sys, time, urllib.error, urllib.request
# Motion listens before its camera has a picture, and until then closes
# stream connections without a word: ask again for a while.
why = "no attempt"
for _ in range(40):
    try:
        urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1], timeout=10)
        print("none (200 without credentials)")
        break
    except urllib.error.HTTPError as e:
        print("%d %s" % (e.code, e.headers.get("WWW-Authenticate")))
        break
    except OSError as e:
        why = str(e)
        time.sleep(0.5)
else:
    print("no answer: %s" % why)
PY
)
        L=$LOGS/netcamd-motion$kind.log
        if ncd_start "motion$kind" "$L" && capture "$NODE0" gray 320x240 20 "$W/cap-m$kind.grey" 2> "$W/cap-m$kind.err" &&
           r=$(framecheck "$W/cap-m$kind.grey" "$W/refD.grey" 16); then
            # netcamd's line says it found an algorithm FFmpeg refuses; the
            # challenge as this script got it, when Motion answered it, must
            # be the lower-case md5 one.
            if [ "$kind" = basic ] || { grep -q 'algorithm=md5, which FFmpeg does not answer: netcamd answers it' "$L" &&
                                        case $challenge in "no answer"*) true ;; *) echo "$challenge" | grep -q 'algorithm=md5' ;; esac; }; then
                vm_pass "motion-$kind-auth" "$r; challenge: $challenge"
            else
                vm_fail "motion-$kind-auth" "frames came, but not through netcamd's digest answer: $(tail -2 "$L")"
            fi
        else
            vm_fail "motion-$kind-auth" "${r:-} challenge: $challenge; $(tail -3 "$L") $(cat "$W/cap-m$kind.err" 2>/dev/null)"
        fi
        ncd_stop "motion$kind"
    done
else
    vm_fail motion-auth "the fixture feed did not start: $(tail -3 "$F")"
fi

cleanup
PIDS=()
cp "$W"/*.log "$LOGS"/ 2>/dev/null
vm_run netcam-unload netcam_unload || true
vm_finish
