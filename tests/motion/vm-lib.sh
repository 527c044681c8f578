# Shell helpers for the analyzer's VM scripts (vm-vivid.sh, vm-netcam.sh).
# Source after tests/vm/lib.sh. The caller sets:
#   pid           the netcam-motion daemon under test
#   CHECK_PREFIX  result name prefix, e.g. motion.vm
#
#   wait_for SECONDS FILE PATTERN [MIN_COUNT]
#       until FILE has MIN_COUNT (default 1) lines matching the extended
#       regex PATTERN; fails at once if the daemon exits
#   check NAME SECONDS FILE PATTERN [MIN_COUNT]
#       wait_for, then a PASS with the last matching line or a FAIL

wait_for() {
    local end=$(( $(date +%s) + $1 ))
    while [ "$(date +%s)" -lt $end ]; do
        [ "$(grep -cE -- "$3" "$2" 2> /dev/null)" -ge "${4:-1}" ] && return 0
        kill -0 "$pid" 2> /dev/null || return 1
        sleep 0.5
    done
    return 1
}

check() {
    local name=$1
    shift
    if wait_for "$@"; then
        vm_pass "$CHECK_PREFIX.$name" "$(grep -E -- "$3" "$2" | tail -n 1 | head -c 200)"
    else
        vm_fail "$CHECK_PREFIX.$name" "no '$3' in $(basename "$2") after $1 s (see logs)"
    fi
}
