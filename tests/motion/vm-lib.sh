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
#   check_snapshot DIR
#       a JPEG snapshot in DIR, in colour

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

# check_snapshot DIR: a JPEG snapshot was written to DIR, and it is in
# colour (every camera these scripts use offers a YUV format).
check_snapshot() {
    local snap pixfmt
    snap=$(ls "$1"/*.jpg 2> /dev/null | head -n 1)
    if [ -n "$snap" ] && [ "$(head -c 2 "$snap" | od -An -tx1 | tr -d ' ')" = ffd8 ]; then
        vm_pass "$CHECK_PREFIX.snapshot" "$(basename "$snap") $(stat -c %s "$snap") bytes"
    else
        vm_fail "$CHECK_PREFIX.snapshot" "no JPEG snapshot in $1"
    fi
    pixfmt=$(ffprobe -v error -select_streams v:0 -show_entries stream=pix_fmt -of csv=p=0 "$snap" 2> /dev/null)
    case $pixfmt in
        yuvj4*) vm_pass "$CHECK_PREFIX.snapshot-colour" "$pixfmt" ;;
        *) vm_fail "$CHECK_PREFIX.snapshot-colour" "snapshot pix_fmt '$pixfmt', expected colour" ;;
    esac
}
