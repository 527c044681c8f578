# shellcheck shell=bash
# Shell library for scripts run inside the VM by tests/vm/run.sh.
#
#   . "$NETCAM_SRC/tests/vm/lib.sh"
#   vm_run  NAME CMD [ARG]...  run CMD, output to $NETCAM_VM_OUT/logs/NAME.log,
#                              PASS if it exits 0 else FAIL; returns CMD's status
#                              (set VM_TIMEOUT=SECS to bound it: exit 124 = FAIL)
#   vm_pass NAME [DETAIL]      record a result line
#   vm_fail NAME WHY
#   vm_skip NAME WHY
#   vm_log  NAME               path of NAME's log file
#   vm_kmsg TEXT               write "netcam-vm: TEXT" into the kernel log;
#                              "vm_kmsg begin NAME" marks NAME as the test that
#                              run.sh blames for kernel warnings that follow
#   vm_finish                  exit 1 if this script recorded any FAIL, else 0
#   vm_dmesg_mark              the kernel log's current length, for:
#   vm_dmesg_check NAME MARK   FAIL NAME-kernel-log if lines since MARK look
#                              bad (tests/vm/log-pattern.sh); returns 1 then
#   vm_netcam_loaded           is netcam.ko loaded?
#   vm_netcam_insmod KO [PARAM=VALUE]...  load KO after the modules it
#                              needs; waits up to 5 s for /dev/netcam
#
# Results are appended to $NETCAM_VM_OUT/results.txt, one per line:
#   PASS <name> [detail]   FAIL <name> <why>   SKIP <name> <why>
# <name> is one word (other characters are replaced by '_').
# vm_run returns the command's status: bare under `set -e` a failing command
# ends the script (after its FAIL is recorded); use `vm_run ... || true` to go on.

: "${NETCAM_VM_OUT:?lib.sh: NETCAM_VM_OUT is not set (run this through tests/vm/run.sh)}"
mkdir -p "$NETCAM_VM_OUT/logs"
VM_RESULTS=$NETCAM_VM_OUT/results.txt
VM__FAILED=0

vm__name() { printf '%s' "$1" | tr -c 'A-Za-z0-9._+:=@,-' '_'; }
# One line per result, whatever the detail holds (a log's tail, a tool's
# multi-line message): the summary reads results.txt line by line.
vm__result() {
    local status=$1 name detail; name=$(vm__name "$2"); shift 2
    detail=$(printf '%s' "$*" | tr '\r\n' '  ')
    printf '%s %s%s\n' "$status" "$name" "${detail:+ $detail}" >> "$VM_RESULTS"
    printf '%s %s%s\n' "$status" "$name" "${detail:+ $detail}"
}
vm_pass() { vm__result PASS "$@"; }
vm_fail() { VM__FAILED=1; vm__result FAIL "$1" "${2:-failed}"; }
vm_skip() { vm__result SKIP "$1" "${2:-skipped}"; }
vm_log()  { printf '%s/logs/%s.log' "$NETCAM_VM_OUT" "$(vm__name "$1")"; }

vm_kmsg() { echo "netcam-vm: $*" > /dev/kmsg 2>/dev/null || true; }

vm_run() {
    local name=$1 log rc start
    shift
    log=$(vm_log "$name")
    start=$(date +%s)
    # Markers in the kernel log let run.sh name the test that was running
    # when a kernel warning/oops appeared.
    vm_kmsg "begin $(vm__name "$name")"
    if {
        echo "+ $*"
        if [ -n "${VM_TIMEOUT:-}" ]; then
            timeout -k 5 "$VM_TIMEOUT" "$@" < /dev/null
        else
            "$@" < /dev/null
        fi
    } > "$log" 2>&1; then rc=0; else rc=$?; fi
    vm_kmsg "end $(vm__name "$name") rc=$rc"
    echo "+ exit $rc after $(( $(date +%s) - start ))s" >> "$log"
    if [ $rc -eq 0 ]; then
        vm_pass "$name"
    elif [ $rc -eq 124 ] && [ -n "${VM_TIMEOUT:-}" ]; then
        vm_fail "$name" "timed out after ${VM_TIMEOUT}s (log: logs/$(basename "$log"))"
    else
        vm_fail "$name" "exit $rc (log: logs/$(basename "$log"))"
    fi
    return $rc
}

vm_finish() { exit $VM__FAILED; }

. "$NETCAM_SRC/tests/vm/log-pattern.sh"
vm_dmesg_mark() { dmesg | wc -l; }
vm_dmesg_check() {
    local name=$1 mark=$2 bad log
    log=$(vm_log "$name-dmesg")
    dmesg | tail -n +"$((mark + 1))" > "$log"
    bad=$(grep -E -- "$VM_BAD_LOG" "$log" | head -n 3 | tr '\n' ' ')
    if [ -n "$bad" ]; then
        vm_fail "$name-kernel-log" "kernel log: ${bad:0:300} (logs/$(basename "$log"))"
        return 1
    fi
    return 0
}

vm_netcam_loaded() { grep -q '^netcam ' /proc/modules; }

vm_netcam_insmod() {
    local ko=$1 d i
    shift
    for d in $(modinfo -F depends "$ko" 2>/dev/null | tr ',' ' '); do
        modprobe "$d" 2>/dev/null || true
    done
    insmod "$ko" "$@" || return 1
    for i in $(seq 1 50); do
        [ -c /dev/netcam ] && return 0
        sleep 0.1
    done
    echo "/dev/netcam did not appear" >&2
    return 1
}
