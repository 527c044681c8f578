#!/usr/bin/env python3
"""Score netcam-motion --replay on the clip suite (event level).

An event matches a truth interval if the two overlap, and, when the truth
line has a third number, the event ends by then (an event that goes on
long after the motion, e.g. on the spot an object left, is no match).
Truth files: one "START END [LATEST_END]" line (seconds) per interval.
Recall = truth intervals matched by some event / truth intervals;
precision = events matching some truth interval / events. Prints one line per clip, a
summary, and exits 1 below --min-recall / --min-precision (0.95).

usage: score.py NETCAM_MOTION CLIP_DIR [--out FILE.tsv]
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import time


def run(binary, clip):
    t0 = time.monotonic()
    p = subprocess.run([binary, "--quiet", "--replay", clip],
                       capture_output=True, text=True, timeout=120)
    dt = time.monotonic() - t0
    if p.returncode != 0:
        raise RuntimeError("exit %d: %s" % (p.returncode, p.stderr.strip()))
    events = []
    for line in p.stdout.splitlines():
        ev = json.loads(line)
        if ev.get("type") == "end":
            events.append((ev["start_s"], ev["end_s"]))
    return events, dt


def match(truth, event):
    """truth: (start, end, latest_end or None); event: (start, end)."""
    if truth[2] is not None and event[1] > truth[2]:
        return False
    return truth[0] <= event[1] and event[0] <= truth[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("clips")
    ap.add_argument("--min-recall", type=float, default=0.95)
    ap.add_argument("--min-precision", type=float, default=0.95)
    ap.add_argument("--results", help="append PASS/FAIL lines to this file")
    a = ap.parse_args()
    res = open(a.results, "a") if a.results else None

    def result(ok, name, detail):
        if res:
            res.write("%s %s %s\n" % ("PASS" if ok else "FAIL", name, detail))

    tot_truth = tot_found = tot_ev = tot_tp = 0
    errors = 0
    for truth_file in sorted(glob.glob(os.path.join(a.clips, "*.truth"))):
        name = os.path.basename(truth_file)[:-6]
        clip = truth_file[:-6] + ".y4m"
        truth = []
        with open(truth_file) as f:
            for line in f:
                if line.strip():
                    v = [float(x) for x in line.split()]
                    truth.append((v[0], v[1], v[2] if len(v) > 2 else None))
        try:
            events, dt = run(a.binary, clip)
        except Exception as e:  # noqa: BLE001 - report and go on
            print("clip %-16s ERROR %s" % (name, e))
            result(False, "motion.clip." + name, "replay failed: %s" % e)
            errors += 1
            continue
        found = sum(1 for t in truth if any(match(t, e) for e in events))
        tp = sum(1 for e in events if any(match(t, e) for t in truth))
        tot_truth += len(truth)
        tot_found += found
        tot_ev += len(events)
        tot_tp += tp
        ok = found == len(truth) and tp == len(events)
        print("clip %-16s truth=%d events=%d matched=%d false=%d %s  %.2fs  %s" % (
            name, len(truth), len(events), found, len(events) - tp,
            "ok  " if ok else "MISS",
            dt, " ".join("[%.1f-%.1f]" % e for e in events)))
        result(ok, "motion.clip." + name,
               "truth=%d events=%d matched=%d false=%d %s" % (
                   len(truth), len(events), found, len(events) - tp,
                   " ".join("[%.1f-%.1f]" % e for e in events)))
    recall = tot_found / tot_truth if tot_truth else 1.0
    precision = tot_tp / tot_ev if tot_ev else 1.0
    print("summary: recall %.3f (%d/%d) precision %.3f (%d/%d) errors %d" % (
        recall, tot_found, tot_truth, precision, tot_tp, tot_ev, errors))
    ok = not errors and recall >= a.min_recall and precision >= a.min_precision
    result(ok, "motion.clips", "recall %.3f (%d/%d) precision %.3f (%d/%d), need %.2f/%.2f" % (
        recall, tot_found, tot_truth, precision, tot_tp, tot_ev,
        a.min_recall, a.min_precision))
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
