#!/bin/bash
# netcam uAPI suite, run INSIDE the VM by tests/vm/run.sh:
#
#   tests/vm/run.sh --kernel KVER --script tests/vm/suites/uapi.sh --out DIR
#
# 1. loads build/$KVER/driver/netcam.ko with max_cameras=4 (the limits test
#    fills that many cameras),
# 2. runs the kselftest binary build/tests/selftests/netcam_uapi_test and
#    records each TAP result as its own PASS/FAIL/SKIP line (uapi.<test>),
# 3. module unload with open nodes / feed channels / streams: rmmod must fail
#    cleanly ("in use") or succeed, never warn; after closing it succeeds,
# 4. unloads the module.
# Kernel log lines matching a warning/oops pattern after each step are a FAIL
# of that step. Build first on the host: make tests (top level), and the
# module for KVER into build/$KVER/driver.
set -u
. "$NETCAM_SRC/tests/vm/lib.sh"

KO=${NETCAM_KO:-$NETCAM_SRC/build/$KVER/driver/netcam.ko}
BIN_DIR=${NETCAM_SELFTEST_DIR:-$NETCAM_SRC/build/tests/selftests}
SELFTEST=$BIN_DIR/netcam_uapi_test
MKCAM=$BIN_DIR/netcam_mkcam

load_module() { vm_netcam_insmod "$KO" max_cameras=4; }

wait_gone() {   # wait_gone PATH: up to 5 s for PATH to disappear
    local i
    for i in $(seq 1 50); do
        [ -e "$1" ] || return 0
        sleep 0.1
    done
    return 1
}

# --- preconditions --------------------------------------------------------
if [ ! -f "$KO" ]; then
    vm_fail uapi.module "module not built: $KO (make -C driver KDIR=/lib/modules/$KVER/build, see Makefile)"
    vm_finish
fi
if [ ! -x "$SELFTEST" ] || [ ! -x "$MKCAM" ]; then
    vm_fail uapi.selftest-binary "$SELFTEST or $MKCAM missing: run make -C tests/selftests on the host"
    vm_finish
fi
vm_netcam_loaded && rmmod netcam

mark=$(vm_dmesg_mark)
if ! vm_run uapi.load load_module; then
    vm_finish
fi
vm_dmesg_check uapi.load "$mark"

p=/sys/module/netcam/parameters/max_cameras
if [ -r "$p" ]; then
    v=$(cat "$p")
    if [ "$v" = 4 ]; then vm_pass uapi.param-max_cameras "4"
    else vm_fail uapi.param-max_cameras "max_cameras reads '$v', loaded with 4"; fi
else
    vm_skip uapi.param-max_cameras "$p not readable (parameter not exported in sysfs)"
fi
# Root only by default (a udev rule may relax it).
perm=$(stat -c '%a %U' /dev/netcam 2>/dev/null)
case $perm in
    "600 root") vm_pass uapi.ctl-perms "$perm" ;;
    *) vm_fail uapi.ctl-perms "/dev/netcam is '$perm', want '600 root' (root only by default)" ;;
esac

# --- the kselftest binary ---------------------------------------------
log=$(vm_log uapi.selftest)
mark=$(vm_dmesg_mark)
start=$(date +%s)
timeout -k 5 1500 "$SELFTEST" > "$log" 2>&1 < /dev/null
rc=$?
echo "+ exit $rc after $(( $(date +%s) - start ))s" >> "$log"

plan=0 seen=0 cur=
while IFS= read -r line; do
    case $line in
        1..*) plan=${line#1..} ;;
        "#  RUN "*)
            cur=${line#"#  RUN"}; cur=${cur#"${cur%%[! ]*}"}; cur=${cur%% *} ;;
        "ok "*"# SKIP"*)
            seen=$((seen + 1))
            vm_skip "uapi.${cur#netcam.}" "${line#*# SKIP }" ;;
        "ok "*)
            seen=$((seen + 1))
            t=${line#ok }; t=${t#* }
            vm_pass "uapi.${t#netcam.}" ;;
        "not ok "*)
            seen=$((seen + 1))
            t=${line#not ok }; t=${t#* }
            case $t in "#"*) t=$cur ;; esac
            short=${t#netcam.}
            # the failed checks (each with the TH_LOG line after it) first
            why=$(grep -a -E "^# (netcam_uapi_test\.c:[0-9]+:$short:|$t: )" "$log" \
                  | grep -E -A1 'Expected|terminated|timeout' | grep -v '^--$' \
                  | head -n 4 | sed 's/^# netcam_uapi_test\.c:/L/' | tr '\n' ' ')
            [ -n "$why" ] || why=$(grep -a -E "^# netcam_uapi_test\.c:[0-9]+:$short:" "$log" \
                  | head -n 4 | sed 's/^# netcam_uapi_test\.c:/L/' | tr '\n' ' ')
            vm_fail "uapi.$short" "${why:0:600}" ;;
    esac
done < "$log"
if [ "$plan" -eq 0 ] || [ "$seen" -lt "$plan" ]; then
    vm_fail uapi.selftest "incomplete: $seen of $plan results, exit $rc (logs/$(basename "$log"))"
else
    totals=$(grep -E '^# Totals:' "$log" | tail -n 1)
    vm_pass uapi.selftest "exit $rc, ${totals#\# }"
fi
vm_dmesg_check uapi.selftest "$mark"

# --- module unload with things open ------------------------------------------
# unload_attempt NAME: rmmod while something holds the module. Either it
# fails cleanly (module still there and working) or it succeeds; either way
# no kernel warning. Sets UNLOADED=1 if it went away.
unload_attempt() {
    local name=$1 out rc
    out=$(rmmod netcam 2>&1); rc=$?
    echo "rmmod rc=$rc: $out" >> "$(vm_log "$name")"
    UNLOADED=0
    if [ $rc -ne 0 ]; then
        if ! vm_netcam_loaded; then
            vm_fail "$name" "rmmod failed ($out) but the module is gone"
            return 1
        fi
        if [ ! -c /dev/netcam ] || ! "$MKCAM" -r uapi-nonexistent 2>&1 | grep -q 'No such file'; then
            vm_fail "$name" "rmmod failed ($out) and /dev/netcam no longer answers"
            return 1
        fi
        vm_pass "$name" "refused: $out"
    else
        vm_netcam_loaded && { vm_fail "$name" "rmmod returned 0 but netcam is still in /proc/modules"; return 1; }
        UNLOADED=1
        vm_pass "$name" "unloaded while in use"
    fi
    return 0
}

# final_unload NAME: after everything is closed rmmod must succeed.
final_unload() {
    local name=$1 out
    if [ "${UNLOADED:-0}" = 1 ]; then
        vm_pass "$name" "already unloaded"
        return 0
    fi
    if out=$(rmmod netcam 2>&1) && ! vm_netcam_loaded; then
        vm_pass "$name"
    else
        vm_fail "$name" "rmmod after closing everything: $out"
        return 1
    fi
}

reload() {
    vm_netcam_loaded && return 0
    load_module >> "$(vm_log uapi.reload)" 2>&1 || { vm_fail uapi.reload "insmod failed"; return 1; }
}

# 1. a capture node open (the brief's case: exec 3</dev/videoN)
unload_open_node() {
    local out nr
    mark=$(vm_dmesg_mark)
    out=$("$MKCAM" uapi-unl1 2>>"$(vm_log uapi.unload-open-node)") || {
        vm_fail uapi.unload-open-node "netcam_mkcam failed"; return 1; }
    nr=$(echo "$out" | awk '{print $2}')
    local dev=/dev/video$nr i
    for i in $(seq 1 50); do [ -c "$dev" ] && break; sleep 0.1; done
    if ! exec 3<"$dev"; then
        vm_fail uapi.unload-open-node "cannot open $dev"; return 1
    fi
    unload_attempt uapi.unload-open-node
    # the node still answers (or is gone cleanly) while held
    if [ "$UNLOADED" = 0 ]; then
        v4l2-ctl -d "$dev" --info > /dev/null 2>&1 \
            || vm_fail uapi.unload-open-node-alive "$dev stopped answering after a refused rmmod"
    fi
    exec 3<&-
    final_unload uapi.unload-open-node-after-close
    wait_gone "$dev" || vm_fail uapi.unload-open-node-devgone "$dev still present after unload"
    wait_gone /dev/netcam || vm_fail uapi.unload-open-node-devgone "/dev/netcam still present after unload"
    vm_dmesg_check uapi.unload-open-node "$mark"
}

# 2. a node streaming (placeholder frames, the feed is closed)
unload_streaming() {
    local out nr pid dev log
    log=$(vm_log uapi.unload-streaming)
    mark=$(vm_dmesg_mark)
    out=$("$MKCAM" uapi-unl2 2>>"$log") || { vm_fail uapi.unload-streaming "netcam_mkcam failed"; return 1; }
    nr=$(echo "$out" | awk '{print $2}'); dev=/dev/video$nr
    for i in $(seq 1 50); do [ -c "$dev" ] && break; sleep 0.1; done
    v4l2-ctl -d "$dev" --stream-mmap --stream-count=100000 >> "$log" 2>&1 &
    pid=$!
    sleep 2
    if ! kill -0 $pid 2>/dev/null; then
        vm_fail uapi.unload-streaming "v4l2-ctl --stream-mmap exited early (see logs)"
        wait $pid
        final_unload uapi.unload-streaming-after-close
        return 1
    fi
    unload_attempt uapi.unload-streaming
    kill $pid 2>/dev/null; wait $pid 2>/dev/null
    final_unload uapi.unload-streaming-after-close
    vm_dmesg_check uapi.unload-streaming "$mark"
}

# 3. a helper holding the feed channel
unload_feed_held() {
    local pid log outf i
    log=$(vm_log uapi.unload-feed-held)
    outf=/tmp/uapi-mkcam.out
    mark=$(vm_dmesg_mark)
    "$MKCAM" -H uapi-unl3 > "$outf" 2>>"$log" &
    pid=$!
    for i in $(seq 1 50); do [ -s "$outf" ] && break; sleep 0.1; done
    if [ ! -s "$outf" ]; then
        vm_fail uapi.unload-feed-held "netcam_mkcam -H printed nothing"
        kill $pid 2>/dev/null; wait $pid 2>/dev/null
        return 1
    fi
    unload_attempt uapi.unload-feed-held
    kill $pid 2>/dev/null; wait $pid 2>/dev/null
    final_unload uapi.unload-feed-held-after-close
    vm_dmesg_check uapi.unload-feed-held "$mark"
}

# 4. /dev/netcam itself open
unload_ctl_open() {
    mark=$(vm_dmesg_mark)
    exec 4</dev/netcam || { vm_fail uapi.unload-ctl-open "cannot open /dev/netcam"; return 1; }
    unload_attempt uapi.unload-ctl-open
    exec 4<&-
    final_unload uapi.unload-ctl-open-after-close
    vm_dmesg_check uapi.unload-ctl-open "$mark"
}

# 5. cameras left behind, nothing open: rmmod cleans them up
unload_with_cameras() {
    local out nr1 nr2 o
    mark=$(vm_dmesg_mark)
    out=$("$MKCAM" -n 2 uapi-unl5a) && o=$("$MKCAM" uapi-unl5b) || {
        vm_fail uapi.unload-with-cameras "netcam_mkcam failed"; return 1; }
    nr1=$(echo "$out" | awk '{print $2}'); nr2=$(echo "$o" | awk '{print $2}')
    if o=$(rmmod netcam 2>&1) && ! vm_netcam_loaded; then
        vm_pass uapi.unload-with-cameras
    else
        vm_fail uapi.unload-with-cameras "rmmod with idle cameras: $o"
    fi
    wait_gone "/dev/video$nr1" && wait_gone "/dev/video$nr2" \
        || vm_fail uapi.unload-with-cameras-devgone "video nodes still present after unload"
    vm_dmesg_check uapi.unload-with-cameras "$mark"
}

# 6. reload: a fresh module has no stale cameras
reload_clean() {
    local out
    out=$("$MKCAM" uapi-unl5a 2>&1) && vm_pass uapi.reload-clean \
        || vm_fail uapi.reload-clean "create after reload: $out"
    "$MKCAM" -r uapi-unl5a 2>/dev/null
}

UNLOADED=0
unload_open_node
reload && { UNLOADED=0; unload_streaming; }
reload && { UNLOADED=0; unload_feed_held; }
reload && { UNLOADED=0; unload_ctl_open; }
reload && { UNLOADED=0; unload_with_cameras; }
reload && reload_clean

# --- final unload ---------------------------------------------------------------
mark=$(vm_dmesg_mark)
if vm_netcam_loaded; then
    vm_run uapi.unload rmmod netcam
else
    vm_pass uapi.unload "already unloaded"
fi
vm_dmesg_check uapi.unload "$mark"
vm_finish
