#!/bin/bash
# Detection results of netcam-motion --replay over sets of clips, recorded
# once and compared later: a guard for changes that must not alter what the
# detector reports (speed-ups, refactoring).
#
# usage: tests/motion/events-diff.sh record|compare DIR BIN CLIPDIR...
#   record   writes DIR/NAME.events (JSON event lines without wall-clock and
#            monotonic times) and DIR/NAME.debug (--debug per-frame figures)
#   compare  does the same into a temporary directory and diffs against DIR
#
# compare prints one line per clip ("same", "events differ", "debug figures
# differ") and exits 1 if any clip's events differ. Per-frame figures that
# differ while the events do not are reported but do not fail.
set -uo pipefail
mode=${1:?usage: $0 record|compare DIR BIN CLIPDIR...}
dir=${2:?} bin=${3:?}
shift 3
[ $# -gt 0 ] || { echo "$0: no clip directory" >&2; exit 2; }

# Keep what the detector decides; drop the times that depend on the clock.
strip() {
    python3 -c '
import json, sys
for line in sys.stdin:
    ev = json.loads(line)
    for k in ("start", "start_mono", "end", "end_mono"):
        ev.pop(k, None)
    print(json.dumps(ev, sort_keys=True))'
}

run() {    # run OUTDIR: one .events and one .debug per clip
    local d
    for d in "$@"; do
        for c in "$d"/*.y4m; do
            n=$(basename "$(dirname "$c")")_$(basename "$c" .y4m)
            "$bin" -q --debug --replay "$c" 2> "$outdir/$n.debug" | strip > "$outdir/$n.events"
        done
    done
}

case $mode in
record)
    mkdir -p "$dir"
    outdir=$dir run "$@"
    echo "recorded $(ls "$dir"/*.events | wc -l) clips in $dir"
    ;;
compare)
    outdir=$(mktemp -d)
    trap 'rm -rf "$outdir"' EXIT
    run "$@"
    bad=0
    for f in "$dir"/*.events; do
        n=$(basename "$f" .events)
        if ! cmp -s "$f" "$outdir/$n.events"; then
            echo "$n: events differ"
            diff "$f" "$outdir/$n.events" | sed 's/^/    /'
            bad=1
        elif ! cmp -s "$dir/$n.debug" "$outdir/$n.debug"; then
            echo "$n: same events, debug figures differ ($(diff "$dir/$n.debug" "$outdir/$n.debug" | grep -c '^>') frames)"
        else
            echo "$n: same"
        fi
    done
    exit $bad
    ;;
*)
    echo "$0: unknown mode '$mode'" >&2
    exit 2
    ;;
esac
