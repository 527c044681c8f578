#!/bin/bash
# The installed-system checks, run inside the booted test system by step.sh.
#
# usage: check.sh
# The first boot after `apt-get install ./netcam*.deb` and after the two
# test cameras (the RTSP and the HTTP MJPEG test server, testcam-*.service)
# were put in /etc/netcam/netcam.conf (prepare.sh does both in a chroot, as
# a user would before rebooting): systemd and the module from DKMS, both
# cameras' services, nodes, stable links and frames, the motion analyzer
# (journal, event log), reload with a good and a bad configuration, then
# `apt-get purge` and that nothing is left.
# One line per check in $NETCAM_TEST_OUT/results.txt: "PASS name" or
# "FAIL name: why".  Exit status 1 when any check failed.
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C
out=${NETCAM_TEST_OUT:?}
res=$out/results.txt
conf=/etc/netcam/netcam.conf
fails=0
pass() { echo "PASS $1" | tee -a "$res"; }
fail() { echo "FAIL $1: $2" | tee -a "$res"; fails=$((fails + 1)); }
# wait_for SECS CMD...: until CMD succeeds or SECS pass.
wait_for() {
    local end=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -lt $end ] || return 1
        sleep 1
    done
}
kver=$(uname -r)
cameras=(rtspcam httpcam)

check_boot() {
    local state
    [ "$(cat /proc/1/comm)" = systemd ] && pass boot.systemd-pid1 ||
        fail boot.systemd-pid1 "PID 1 is $(cat /proc/1/comm), not systemd"
    pgrep -x systemd-udevd > /dev/null && pass boot.udevd ||
        fail boot.udevd "systemd-udevd is not running"
    state=$(timeout 240 systemctl is-system-running --wait 2>/dev/null)
    [ "$state" = running ] && pass boot.system-running || {
        fail boot.system-running "system state '${state:-timed out}'; failed units: $(systemctl --failed --no-legend --plain | awk '{print $1}' | tr '\n' ' ')"
    }
}

check_module() {
    local path
    if [ -d /sys/module/netcam ]; then
        pass module.loaded
    else
        fail module.loaded "netcam is not loaded after boot (modules-load.d)"
    fi
    path=$(modinfo -n netcam 2>/dev/null)
    case $path in
        /lib/modules/$kver/updates/dkms/netcam.ko*|/usr/lib/modules/$kver/updates/dkms/netcam.ko*)
            pass module.from-dkms ;;
        *) fail module.from-dkms "modinfo -n netcam gives '${path:-nothing}', not /lib/modules/$kver/updates/dkms/netcam.ko" ;;
    esac
    if [ -n "$path" ] && [ -r /sys/module/netcam/srcversion ] &&
       [ "$(modinfo -F srcversion "$path")" = "$(cat /sys/module/netcam/srcversion)" ]; then
        pass module.loaded-is-dkms-build
    else
        fail module.loaded-is-dkms-build "the loaded module's srcversion is not that of ${path:-the DKMS build}"
    fi
    if dkms status -k "$kver" 2>/dev/null | grep -E '^netcam[/,].*: installed' > /dev/null; then
        pass module.dkms-status
    else
        fail module.dkms-status "dkms status -k $kver: '$(dkms status -k "$kver" 2>&1 | tr '\n' ' ')'"
    fi
    if [ -c /dev/netcam ] && [ "$(stat -c '%G %a' /dev/netcam)" = "netcam 660" ]; then
        pass udev.dev-netcam-perms
    else
        fail udev.dev-netcam-perms "/dev/netcam is '$(stat -c '%F %G %a' /dev/netcam 2>&1)', want a char device, group netcam, mode 660"
    fi
    if id -nG netcam 2>/dev/null | tr ' ' '\n' | grep -qx video; then
        pass package.netcam-user
    else
        fail package.netcam-user "no system user netcam in group video ($(id netcam 2>&1))"
    fi
    systemctl is-enabled netcam.target > /dev/null 2>&1 && pass package.target-enabled ||
        fail package.target-enabled "netcam.target is $(systemctl is-enabled netcam.target 2>&1)"
}

# The video node of a link, when it is a /dev/videoN of netcam camera NAME
# with index IDX (sysfs attrs netcam/camera and netcam/node).
node_of() {
    local link=$1 name=$2 idx=$3 dev sys
    dev=$(readlink -f "$link") || return 1
    [[ $dev =~ ^/dev/video[0-9]+$ ]] && [ -c "$dev" ] || return 1
    sys=/sys/class/video4linux/${dev#/dev/}
    [ "$(cat "$sys/netcam/camera" 2>/dev/null)" = "$name" ] || return 1
    [ "$(cat "$sys/netcam/node" 2>/dev/null)" = "$idx" ] || return 1
    echo "$dev"
}

check_services() {
    local c gen
    # The test cameras first (Python and GStreamer start slowly under TCG).
    if wait_for 300 sh -c 'ss -Hltn | grep -q ":8554 " && ss -Hltn | grep -q ":8081 "'; then
        pass fixture.test-cameras-listening
    else
        fail fixture.test-cameras-listening "the test cameras do not listen on 8554 and 8081: $(ss -Hltn | tr '\n' ' ')"
    fi
    for c in "${cameras[@]}"; do
        if wait_for 60 systemctl is-active --quiet "netcamd@$c.service"; then
            pass "service.netcamd@$c-active"
        else
            fail "service.netcamd@$c-active" "netcamd@$c is $(systemctl is-active "netcamd@$c.service"): $(journalctl -b -u "netcamd@$c" -n 3 --no-pager -o cat | tr '\n' ' ')"
        fi
        gen=$(ls /run/systemd/generator*/netcam.target.wants/"netcamd@$c.service" 2>/dev/null | head -n 1)
        if [ -n "$gen" ] && ! ls /etc/systemd/system/*/"netcamd@$c.service" > /dev/null 2>&1; then
            pass "service.netcamd@$c-from-generator"
        else
            fail "service.netcamd@$c-from-generator" "netcam.target.wants/netcamd@$c.service is ${gen:-not in /run/systemd/generator*} (or enabled by hand in /etc)"
        fi
    done
    if wait_for 30 systemctl is-active --quiet netcam-motion.service; then
        pass service.netcam-motion-active
    else
        fail service.netcam-motion-active "netcam-motion is $(systemctl is-active netcam-motion): $(journalctl -b -u netcam-motion -n 3 --no-pager -o cat | tr '\n' ' ')"
    fi
    local u
    u=$(ps -o user= -p "$(systemctl show -P MainPID netcam-motion)" 2>/dev/null | tr -d ' ')
    [ "$u" = netcam ] && pass service.netcam-motion-user ||
        fail service.netcam-motion-user "netcam-motion runs as '${u:-?}', not netcam"
}

# capture NAME LINK: 10 frames with ffmpeg, each different from the one
# before it (select's scene score > 0: the grey no-signal frames that come
# while netcamd connects on demand are skipped); PASS when there are 10 of
# them within 60 s, at least 5 different, and not one flat colour.
capture() {
    local name=$1 link=$2 d=$out/capture-$1 n distinct range
    mkdir -p "$d"
    # -frames:v applies to the output it precedes; the filters only drop
    # frames and add metadata, so the checksums are those of the frames.
    if ! timeout 60 ffmpeg -nostdin -hide_banner -loglevel error -f v4l2 -i "$link" \
            -vf "select='gt(scene\,0)',signalstats,metadata=mode=print:file=$d/stats.txt" \
            -fps_mode passthrough -frames:v 10 -y -f framemd5 "$d/frames.md5" > "$d/ffmpeg.log" 2>&1; then
        n=$(grep -vc '^#' "$d/frames.md5" 2>/dev/null)
        fail "capture.$name" "ffmpeg -f v4l2 -i $link got ${n:-0} changing frames within 60 s, want 10: $(tail -n 2 "$d/ffmpeg.log" | tr '\n' ' ')"
        return
    fi
    n=$(grep -vc '^#' "$d/frames.md5")
    distinct=$(grep -v '^#' "$d/frames.md5" | awk -F, '{ print $NF }' | sort -u | wc -l)
    # Brightness range of the last frame (testsrc2 spans nearly 0..255).
    range=$(awk -F= '/YMIN=/ { mn = $2 } /YMAX=/ { mx = $2 } END { print mx - mn }' "$d/stats.txt")
    if [ "$n" -lt 10 ]; then
        fail "capture.$name" "ffmpeg got $n frames from $link, want 10"
    elif [ "$distinct" -lt 5 ]; then
        fail "capture.$name" "only $distinct different frames in 10 from $link (no-signal or frozen picture)"
    elif [ "${range:-0}" -lt 100 ]; then
        fail "capture.$name" "the last frame from $link has a brightness range of ${range:-?} (flat colour, not the test scene)"
    else
        pass "capture.$name"
    fi
}

check_nodes() {
    local c i n link dev
    for c in "${cameras[@]}"; do
        n=1
        [ "$c" = rtspcam ] && n=2
        for (( i = 0; i < n; i++ )); do
            link=/dev/v4l/by-id/netcam-$c-video-index$i
            wait_for 30 test -e "$link"
            if dev=$(node_of "$link" "$c" "$i"); then
                pass "udev.link-$c-index$i"
                [ "$(stat -c %G "$dev")" = video ] && pass "udev.group-video-$c-index$i" ||
                    fail "udev.group-video-$c-index$i" "$dev has group $(stat -c %G "$dev"), not video"
            else
                fail "udev.link-$c-index$i" "$link is '$(readlink "$link" 2>&1)', want a link to the /dev/videoN of camera $c node $i; by-id: $(ls /dev/v4l/by-id 2>&1 | tr '\n' ' ')"
            fi
        done
        # netcam-motion streams rtspcam's last node, so netcamd is already
        # connecting (with back-off while the server was not up).
        [ "$c" != rtspcam ] ||
            wait_for 120 sh -c "journalctl -b -q -u netcamd@rtspcam -o cat | grep -q 'video arrives'" ||
            fail "netcamd.rtspcam-video" "no 'video arrives' from netcamd@rtspcam within 120 s of its nodes: $(journalctl -b -q -u netcamd@rtspcam -o cat | tail -n 2 | tr '\n' ' ')"
        capture "$c" "/dev/v4l/by-id/netcam-$c-video-index0"
    done
}

check_motion() {
    if wait_for 120 grep -q '"rtspcam"' /var/log/netcam/events.jsonl 2>/dev/null; then
        pass motion.event-log
    else
        fail motion.event-log "no event of camera rtspcam in /var/log/netcam/events.jsonl within 120 s ($(wc -l < /var/log/netcam/events.jsonl 2>/dev/null || echo no file) line(s))"
    fi
    if journalctl -b -u netcam-motion --no-pager -o cat | grep -q "camera 'rtspcam' .*motion started"; then
        pass motion.journal
    else
        fail motion.journal "no \"camera 'rtspcam' ... motion started\" in journalctl -u netcam-motion"
    fi
    # Every line of the event log is one JSON object naming its camera.
    if awk '!/^\{.*"camera": *"[^"]+".*\}$/ { bad++ } END { exit bad > 0 || NR == 0 }' /var/log/netcam/events.jsonl 2>/dev/null; then
        pass motion.event-log-format
    else
        fail motion.event-log-format "/var/log/netcam/events.jsonl has lines that are not JSON objects with a camera: $(grep -v '"camera"' /var/log/netcam/events.jsonl 2>&1 | head -n 1)"
    fi
    grep -q '"httpcam"' /var/log/netcam/events.jsonl 2>/dev/null &&
        fail motion.off-respected "events of httpcam (motion = no) in the event log" ||
        pass motion.off-respected
}

# reload NAME: systemctl reload netcam-motion; prints the journal lines of
# netcam-motion that came after it.
reload_motion() {
    local cursor
    cursor=$(journalctl -u netcam-motion -n 0 --show-cursor --no-pager 2>/dev/null | sed -n 's/^-- cursor: //p')
    systemctl reload netcam-motion || echo "systemctl reload failed"
    sleep 3
    journalctl -u netcam-motion --no-pager -o cat ${cursor:+--after-cursor="$cursor"}
}

check_reload() {
    local pid lines bad_line name node before
    pid=$(systemctl show -P MainPID netcam-motion)
    # A good change: a zone on rtspcam.
    sed -i '/^\[rtspcam\]/a zone = door 0,0,60,100 min_area=0.05' "$conf"
    lines=$(reload_motion)
    if grep -q 'configuration reloaded' <<< "$lines" && [ "$(systemctl show -P MainPID netcam-motion)" = "$pid" ]; then
        pass reload.motion-applied
    else
        fail reload.motion-applied "no 'configuration reloaded' line (same PID $pid) after the reload: $(tr '\n' ' ' <<< "$lines" | cut -c1-300)"
    fi
    if wait_for 90 sh -c "journalctl -u netcam-motion --no-pager -o cat | grep -q \"camera 'rtspcam' zone 'door': motion\""; then
        pass reload.motion-zone-used
    else
        fail reload.motion-zone-used "no event of the new zone 'door' in the journal within 90 s"
    fi
    # A bad file: nothing changes, one line names file and line.
    cp "$conf" "$out/netcam.conf.good"
    sed -i '/^\[rtspcam\]/a motion_fps = fast' "$conf"
    bad_line=$(grep -n '^motion_fps = fast' "$conf" | cut -d: -f1)
    lines=$(reload_motion)
    local n
    n=$(grep -c "$conf:$bad_line:" <<< "$lines")
    if [ "$n" = 1 ]; then
        pass reload.bad-config-one-line
    else
        fail reload.bad-config-one-line "$n journal lines name $conf:$bad_line (want 1): $(tr '\n' ' ' <<< "$lines" | cut -c1-300)"
    fi
    if ! grep -q 'configuration reloaded' <<< "$lines" && systemctl is-active --quiet netcam-motion &&
       [ "$(systemctl show -P MainPID netcam-motion)" = "$pid" ]; then
        pass reload.bad-config-changes-nothing
    else
        fail reload.bad-config-changes-nothing "after the bad reload netcam-motion is $(systemctl is-active netcam-motion), PID $(systemctl show -P MainPID netcam-motion) (was $pid), or it said it reloaded"
    fi
    cp "$out/netcam.conf.good" "$conf"
    # netcamd: a changed camera setting is applied by a restart (exit 3,
    # RestartForceExitStatus); the camera's nodes stay (a label or node
    # count change needs netcamctl remove: the kernel keeps a camera as
    # created while apps may hold its nodes).
    node=$(readlink -f /dev/v4l/by-id/netcam-httpcam-video-index0)
    before=$(systemctl show -P NRestarts netcamd@httpcam)
    sed -i 's/^label = HTTP test camera$/&\nlinger = 7/' "$conf"
    systemctl reload netcamd@httpcam || true
    if wait_for 60 sh -c "[ \"\$(systemctl show -P NRestarts netcamd@httpcam)\" -gt $before ]" &&
       wait_for 30 systemctl is-active --quiet netcamd@httpcam &&
       journalctl -b -q -o cat | grep -q "camera 'httpcam' changed: restarting to apply it" &&
       [ "$(readlink -f /dev/v4l/by-id/netcam-httpcam-video-index0)" = "$node" ]; then
        pass reload.netcamd-restart "restarted to apply it, $node stays"
    else
        fail reload.netcamd-restart "NRestarts $before -> $(systemctl show -P NRestarts netcamd@httpcam), node $node -> $(readlink -f /dev/v4l/by-id/netcam-httpcam-video-index0); $(systemctl show -p ActiveState -p SubState -p Result -p ExecMainStatus netcamd@httpcam | tr '\n' ' '); $(journalctl -q -u netcamd@httpcam -o cat | tail -n 4 | tr '\n' ' ')"
    fi
    capture httpcam-after-reload /dev/v4l/by-id/netcam-httpcam-video-index0
}

check_purge() {
    local left f
    if DEBIAN_FRONTEND=noninteractive apt-get purge -y -q netcam netcam-dkms > "$out/purge.log" 2>&1; then
        pass purge.apt
    else
        fail purge.apt "apt-get purge -y netcam netcam-dkms failed: $(tail -n 2 "$out/purge.log" | tr '\n' ' ')"
    fi
    left=$(dpkg -l 'netcam*' 2>/dev/null | awk '/^[a-z][a-z] / && $1 != "un" { print $2 "(" $1 ")" }' | tr '\n' ' ')
    [ -z "$left" ] && pass purge.dpkg-state || fail purge.dpkg-state "dpkg still lists $left"
    systemctl daemon-reload
    for u in netcam-motion.service netcamd@rtspcam.service netcamd@httpcam.service; do
        systemctl is-active --quiet "$u" && fail "purge.stopped-$u" "$u still runs" || pass "purge.stopped-$u"
    done
    # The module is still in memory (its file is gone): unloading it must
    # work, and then its nodes and links go away.
    if [ -d /sys/module/netcam ]; then
        rmmod netcam 2> "$out/rmmod.log" && pass purge.module-unloads ||
            fail purge.module-unloads "rmmod netcam: $(cat "$out/rmmod.log")"
    else
        pass purge.module-unloads
    fi
    udevadm settle
    left=$(find /lib/modules /usr/lib/modules -name 'netcam.ko*' 2>/dev/null | tr '\n' ' ')
    [ -z "$left" ] && pass purge.no-module || fail purge.no-module "left: $left"
    left=$(ls -d /dev/v4l/by-id/netcam-* /dev/netcam 2>/dev/null | tr '\n' ' ')
    [ -z "$left" ] && pass purge.no-links || fail purge.no-links "left: $left"
    # (netcam\x2dtest-out.mount is this test's own 9p share.)
    left=$(systemctl list-unit-files --no-legend --plain 'netcam*' 2>/dev/null | awk '$1 !~ /^netcam\\x2dtest/ {print $1}' | tr '\n' ' ')
    left+=$(systemctl list-units --all --no-legend --plain 'netcam*' 2>/dev/null | awk '$1 !~ /^netcam\\x2dtest/ {print $1}' | tr '\n' ' ')
    [ -z "$left" ] && pass purge.no-units || fail purge.no-units "systemd still knows $left"
    left=$(ls -d /usr/lib/udev/rules.d/*netcam* /lib/udev/rules.d/*netcam* /etc/udev/rules.d/*netcam* 2>/dev/null | tr '\n' ' ')
    [ -z "$left" ] && pass purge.no-udev-rule || fail purge.no-udev-rule "left: $left"
    [ ! -e /etc/netcam ] && pass purge.no-etc-netcam || fail purge.no-etc-netcam "/etc/netcam is still there: $(find /etc/netcam | tr '\n' ' ')"
    left=$(getent passwd netcam; getent group netcam)
    [ -z "$left" ] && pass purge.no-user-group || fail purge.no-user-group "left: $left"
    left=$(ls -d /var/lib/dkms/netcam* /usr/src/netcam* 2>/dev/null | tr '\n' ' ')
    left+=$(dkms status 2>/dev/null | grep -i netcam | tr '\n' ' ')
    [ -z "$left" ] && pass purge.no-dkms-tree || fail purge.no-dkms-tree "left: $left"
    # Anything else named netcam on the root file system (state, logs,
    # binaries, man pages, header, modules-load/modprobe files, dpkg info).
    # (The image's initramfs setting for the test disk is the test's own.)
    left=$(find / -xdev \( -path /netcam-test -o -path /proc -o -path /sys -o -path /dev -o -path /run \
        -o -path /etc/initramfs-tools/conf.d/netcam-test.conf \) -prune \
        -o -iname '*netcam*' -print 2>/dev/null | head -n 20 | tr '\n' ' ')
    [ -z "$left" ] && pass purge.nothing-named-netcam || fail purge.nothing-named-netcam "left: $left"
}

check_boot
check_module
check_services
check_nodes
check_motion
check_reload
check_purge
[ $fails = 0 ]
