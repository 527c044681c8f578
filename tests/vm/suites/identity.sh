#!/bin/bash
# netcam identity suite, run INSIDE the VM by tests/vm/run.sh:
#
#   tests/vm/run.sh --kernel KVER --script tests/vm/suites/identity.sh --out DIR
#
# Each camera's nodes must be named after the camera, whatever /dev/videoN
# numbers they get. Two rounds, each a fresh module load with the cameras
# created in a different order (round 2 first makes a filler camera, so the
# numbers differ): real systemd-udevd runs with userspace/udev/60-netcam.rules
# (copied to /run/udev/rules.d, the host root being read-only), then
# PipeWire and WirePlumber (in a D-Bus session) enumerate the nodes. Checked
# for every node: its sysfs path is /sys/devices/netcam/netcam-NAME/..., the
# link /dev/v4l/by-id/netcam-NAME-video-indexN points at it, udevadm shows
# the driver's and the rule's properties, PipeWire's node name has the
# camera's name and no videoN in it, and is the same in both rounds. Also:
# /dev/netcam is 0660 group netcam; a node held open across the camera's
# removal keeps nothing in sysfs and warns of nothing.
# Build first on the host: make tests, and the module for KVER.
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"

KO=${NETCAM_KO:-$NETCAM_SRC/build/$KVER/driver/netcam.ko}
MKCAM=${NETCAM_SELFTEST_DIR:-$NETCAM_SRC/build/tests/selftests}/netcam_mkcam
RULE=$NETCAM_SRC/userspace/udev/60-netcam.rules
UDEVD=
for p in /lib/systemd/systemd-udevd /usr/lib/systemd/systemd-udevd; do
    [ -x "$p" ] && { UDEVD=$p; break; }
done
WORK=/tmp/identity
mkdir -p "$WORK"

# --- preconditions --------------------------------------------------------
missing=
[ -f "$KO" ] || missing+=" $KO"
[ -x "$MKCAM" ] || missing+=" $MKCAM (make tests)"
[ -f "$RULE" ] || missing+=" $RULE"
[ -n "$UDEVD" ] || missing+=" systemd-udevd (apt install udev)"
for t in udevadm pipewire wireplumber pw-dump dbus-run-session python3; do
    command -v "$t" >/dev/null || missing+=" $t"
done
if [ -n "$missing" ]; then
    vm_fail identity.setup "missing:$missing (pipewire, pipewire-bin, wireplumber, dbus on the host)"
    vm_finish
fi
vm_netcam_loaded && rmmod netcam

# A netcam group for the rule's GROUP= (/etc is read-only: bind a copy).
if ! getent group netcam >/dev/null; then
    cp /etc/group "$WORK/group" && echo "netcam:x:9779:" >> "$WORK/group" &&
        mount --bind "$WORK/group" /etc/group ||
        { vm_fail identity.setup "cannot bind a copy of /etc/group with group netcam"; vm_finish; }
fi
mkdir -p /run/udev/rules.d && cp "$RULE" /run/udev/rules.d/60-netcam.rules ||
    { vm_fail identity.setup "cannot copy $RULE to /run/udev/rules.d"; vm_finish; }
"$UDEVD" --daemon > "$(vm_log identity.udevd)" 2>&1 ||
    { vm_fail identity.setup "$UDEVD --daemon failed (see logs/identity.udevd.log)"; vm_finish; }
trap 'udevadm control --exit 2>/dev/null' EXIT
# udevadm ignores settle in a chroot unless told; WirePlumber's logind
# plugin (which it cannot do without) watches /run/systemd's login dirs.
export SYSTEMD_IGNORE_CHROOT=1
mkdir -p /run/systemd/seats /run/systemd/sessions /run/systemd/users /run/systemd/machines
vm_pass identity.setup "udevd $("$UDEVD" --version 2>/dev/null | head -1), rule in /run/udev/rules.d"

# nodes_of NAME: "VIDEO_NR..." printed by netcam_mkcam for NAME.
declare -A CAM_NODES
mkcam() {   # mkcam NAME NODES
    local out
    out=$("$MKCAM" -n "$2" "$1") || return 1
    CAM_NODES[$1]=${out#* }
}

# pw_names FILE: "DEVNODE NODE_NAME" lines of PipeWire's v4l2 source nodes.
pw_names() {
    python3 - "$1" <<'EOF'
import json, sys
for o in json.load(open(sys.argv[1])):
    if o.get("type") != "PipeWire:Interface:Node":
        continue
    p = (o.get("info") or {}).get("props") or {}
    path = p.get("api.v4l2.path") or p.get("object.path", "").replace("v4l2:", "")
    if path.startswith("/dev/video"):
        print(path, p.get("node.name", ""), "|", p.get("node.description", ""))
EOF
}

# pipewire_dump ROUND WANT: run PipeWire + WirePlumber until WANT v4l2 nodes
# show (at most 90 s), leave the "DEVNODE NAME | DESCRIPTION" lines in
# $WORK/pw-ROUND.txt.
pipewire_dump() {
    local round=$1 want=$2 log
    log=$(vm_log "identity.pipewire-$round")
    rm -rf "$WORK/xdg" && mkdir -m 700 -p "$WORK/xdg/run" "$WORK/xdg/home"
    HOME=$WORK/xdg/home XDG_RUNTIME_DIR=$WORK/xdg/run \
    XDG_CONFIG_HOME=$WORK/xdg/home/.config XDG_STATE_HOME=$WORK/xdg/home/.state \
    timeout -k 5 150 dbus-run-session -- bash -c '
        pipewire & pw=$!
        sleep 2
        wireplumber & wp=$!
        for i in $(seq 1 90); do
            sleep 1
            pw-dump > "$0/pw-dump.json" 2>/dev/null || continue
            n=$(grep -c "\"api.v4l2.path\": \"/dev/video" "$0/pw-dump.json")
            [ "$n" -ge "$1" ] && break
        done
        sleep 2
        pw-dump > "$0/pw-dump.json"
        kill $wp $pw; wait' "$WORK" "$want" > "$log" 2>&1
    pw_names "$WORK/pw-dump.json" > "$WORK/pw-$round.txt" 2>> "$log"
    cp "$WORK/pw-dump.json" "$NETCAM_VM_OUT/logs/pw-dump-$round.json" 2>/dev/null
}

# check_round ROUND CAM:NODES...: the per-node checks; PipeWire names go to
# $WORK/names-ROUND ("NAME NODE PW_NAME").
check_round() {
    local round=$1 spec cam n i nr sys link props want pw total=0
    shift
    : > "$WORK/names-$round"
    for spec in "$@"; do total=$(( total + ${spec#*:} )); done
    udevadm settle --timeout=60
    pipewire_dump "$round" "$total"
    for spec in "$@"; do
        cam=${spec%%:*} n=${spec#*:}
        set -- ${CAM_NODES[$cam]}
        for (( i = 0; i < n; i++ )); do
            nr=$1; shift
            sys=$(readlink -f "/sys/class/video4linux/video$nr")
            want=/sys/devices/netcam/netcam-$cam/video4linux/video$nr
            if [ "$sys" = "$want" ]; then vm_pass "identity.$round.$cam.$i.sysfs" "$sys"
            else vm_fail "identity.$round.$cam.$i.sysfs" "video$nr is $sys, want $want"; fi

            link=/dev/v4l/by-id/netcam-$cam-video-index$i
            if [ "$(readlink -f "$link")" = "/dev/video$nr" ]; then
                vm_pass "identity.$round.$cam.$i.by-id" "$link -> video$nr"
            else
                vm_fail "identity.$round.$cam.$i.by-id" "$link -> '$(readlink -f "$link")', want /dev/video$nr ($(ls /dev/v4l/by-id 2>&1 | tr '\n' ' '))"
            fi

            props=$(udevadm info -q property -n "/dev/video$nr" 2>&1)
            missing=
            for p in "NETCAM_CAMERA=$cam" "NETCAM_NODE=$i" "ID_ID=netcam-$cam-$i" \
                     "ID_PATH=platform-netcam-$cam" "ID_VENDOR=netcam"; do
                grep -qxF "$p" <<< "$props" || missing+=" $p"
            done
            if [ -z "$missing" ]; then vm_pass "identity.$round.$cam.$i.udev" "properties present"
            else vm_fail "identity.$round.$cam.$i.udev" "missing:$missing; have: $(grep -E '^(NETCAM|ID_)' <<< "$props" | tr '\n' ' ')"; fi

            pw=$(awk -v d="/dev/video$nr" '$1 == d { print $2 }' "$WORK/pw-$round.txt")
            case $pw in
                *netcam-"$cam"*video[0-9]*|*_sys_*|"")
                    vm_fail "identity.$round.$cam.$i.pipewire" "node of /dev/video$nr is named '$pw' (nodes: $(tr '\n' ';' < "$WORK/pw-$round.txt"))" ;;
                *netcam-"$cam"*)
                    vm_pass "identity.$round.$cam.$i.pipewire" "$pw ($(awk -v d="/dev/video$nr" '$1 == d' "$WORK/pw-$round.txt" | cut -d'|' -f2-))" ;;
                *)
                    vm_fail "identity.$round.$cam.$i.pipewire" "node of /dev/video$nr is named '$pw', not after camera $cam" ;;
            esac
            echo "$cam $i $pw video$nr" >> "$WORK/names-$round"
        done
    done
}

# --- round 1: front-door (2 nodes), then back-yard ------------------------
mark=$(vm_dmesg_mark)
vm_run identity.1.load vm_netcam_insmod "$KO" || vm_finish
perm=$(udevadm settle --timeout=30; stat -c '%a %G' /dev/netcam 2>&1)
if [ "$perm" = "660 netcam" ]; then vm_pass identity.ctl-perms "$perm"
else vm_fail identity.ctl-perms "/dev/netcam is '$perm', want '660 netcam'"; fi
if mkcam front-door 2 && mkcam back-yard 1; then
    vm_pass identity.1.create "front-door: video${CAM_NODES[front-door]}, back-yard: video${CAM_NODES[back-yard]}"
    check_round 1 front-door:2 back-yard:1
else
    vm_fail identity.1.create "netcam_mkcam failed"
fi
vm_dmesg_check identity.1 "$mark"

# A node held open while its camera goes: sysfs forgets the camera at once,
# the memory goes at the close, nothing warns.
mark=$(vm_dmesg_mark)
exec 3< "/dev/video${CAM_NODES[back-yard]%% *}"
"$MKCAM" -r back-yard
udevadm settle --timeout=30
if [ ! -e /sys/devices/netcam/netcam-back-yard ] && [ ! -e /dev/v4l/by-id/netcam-back-yard-video-index0 ]; then
    vm_pass identity.remove-open "device and link gone while the node is open"
else
    vm_fail identity.remove-open "/sys/devices/netcam/netcam-back-yard or its by-id link outlived the removal"
fi
if mkcam back-yard 1; then vm_pass identity.recreate-open "same name again while the old node is open: video${CAM_NODES[back-yard]}"
else vm_fail identity.recreate-open "cannot create back-yard again while its old node is open"; fi
exec 3<&-
"$MKCAM" -r back-yard; "$MKCAM" -r front-door
vm_dmesg_check identity.remove-open "$mark"
if rmmod netcam; then vm_pass identity.1.unload "ok"
else vm_fail identity.1.unload "rmmod netcam failed"; vm_finish; fi
[ ! -e /sys/devices/netcam ] && vm_pass identity.root-gone "/sys/devices/netcam gone" ||
    vm_fail identity.root-gone "/sys/devices/netcam outlived the module"

# --- round 2: filler, back-yard, front-door ------------------------------
mark=$(vm_dmesg_mark)
vm_run identity.2.load vm_netcam_insmod "$KO" || vm_finish
if mkcam filler 2 && mkcam back-yard 1 && mkcam front-door 2; then
    vm_pass identity.2.create "front-door: video${CAM_NODES[front-door]}, back-yard: video${CAM_NODES[back-yard]}"
    check_round 2 front-door:2 back-yard:1
else
    vm_fail identity.2.create "netcam_mkcam failed"
fi
vm_dmesg_check identity.2 "$mark"

# Same PipeWire names, other numbers.
sort "$WORK/names-1" > "$WORK/n1"; sort "$WORK/names-2" > "$WORK/n2"
if [ "$(cut -d' ' -f1-3 "$WORK/n1")" = "$(cut -d' ' -f1-3 "$WORK/n2")" ] &&
   [ -s "$WORK/n1" ] && ! grep -q ' $' <(cut -d' ' -f1-3 "$WORK/n1"); then
    if [ "$(cut -d' ' -f4 "$WORK/n1")" != "$(cut -d' ' -f4 "$WORK/n2")" ]; then
        vm_pass identity.stable-names "$(cut -d' ' -f3 "$WORK/n1" | tr '\n' ' ')"
    else
        vm_fail identity.stable-names "the /dev/videoN numbers did not change between rounds"
    fi
else
    vm_fail identity.stable-names "round 1: $(tr '\n' ';' < "$WORK/n1") round 2: $(tr '\n' ';' < "$WORK/n2")"
fi

for c in front-door back-yard filler; do "$MKCAM" -r "$c"; done
rmmod netcam || vm_fail identity.2.unload "rmmod netcam failed"
vm_finish
