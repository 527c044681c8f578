#!/usr/bin/env python3
"""netcam-motion --replay against Motion 4.5 on the same clips.

For every clip set (one directory per size, made by bench/motion/gen-clips.sh)
runs netcam-motion --replay and Motion (netcam_url file://CLIP) on each clip,
measures CPU per frame and scores event-level recall and precision against
the .truth files, then prints one table. Called by bench/run-motion.sh,
which installs Motion and ffmpeg, builds netcam-motion and makes the clips.

CPU per frame, what each number includes:
  netcam-motion  user+sys of the whole process (getrusage via wait4: start-up,
                 Y4M reading and parsing, detection, JSON output) / frames in
                 the clip; median of --runs runs.
  nm per frame   the same without start-up, as Motion's figure is: the whole
                 process on the clip minus the whole process on the clip's
                 first frame alone (start-up, set-up, one frame, exit), over
                 the frames after the first. The target is on this figure,
                 the like-for-like one; the whole-process one is printed
                 beside it (15 s clips carry ~2 ms of start-up each).
  Motion         user+sys of all Motion threads (/proc/PID/stat) between the
                 moment its file reader says "connected" and the stop, over
                 the motion-loop frames in that time (the loop runs at
                 `framerate`, i.e. elapsed x fps): demuxing the Y4M through
                 libavformat, the (raw) decode and copies, detection; not
                 Motion's start-up and shutdown.
  decode         ffmpeg -benchmark reading the same clip to the null muxer
                 (demux + rawvideo "decode"): subtracted from Motion for the
                 "Motion - decode" column.

Motion reads a file in real time (capture_rate and framerate = clip rate),
so its event times come from the wall clock of its log lines: clip time =
time since the reader's "connected" line + 1 frame (it has read frames 0
and 1 by then). An event starts minimum_motion_frames - 1 frames before the
"Motion detected" line and ends event_gap seconds before "End of event"
(Motion logs the end when the gap has run out), which makes both programs'
intervals mean the same thing: first to last frame with motion.

Scoring as tests/motion/score.py: an event matches a truth interval if they
overlap; recall = truth intervals matched / truth intervals, precision =
events matching some truth interval / events.

usage: motion-bench.py --netcam-motion BIN --clips DIR --out DIR
                       [--sizes 640x360,1920x1080] [--runs 3]
Exit status: 0 table printed; 1 a program could not run (message on
stderr); 2 usage.
"""
import argparse
import glob
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

ME = "bench/motion/motion-bench.py"

# netcam-motion's defaults (Documentation/admin-guide/netcam-motion.rst) and
# the Motion settings derived from them.
MIN_AREA_PCT = 0.2      # min_area: largest connected region, % of frame
MIN_FRAMES = 3          # min_frames / minimum_motion_frames
EVENT_GAP = 3           # event_gap, seconds, both programs
LIGHT_PCT = 25          # light_change_area / lightswitch_percent
TARGET_RATIO = 0.15     # CPU per frame, netcam-motion / Motion
TARGET_RECALL = 0.95    # per scene class, netcam-motion
TARGET_PRECISION = 0.95


class BenchError(Exception):
    pass


def overlap(a, b):
    return a[0] <= b[1] and b[0] <= a[1]


def score(truth, events):
    found = sum(1 for t in truth if any(overlap(t, e) for e in events))
    tp = sum(1 for e in events if any(overlap(t, e) for t in truth))
    return found, tp


def read_truth(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.strip():
                s, e = line.split()
                out.append((float(s), float(e)))
    return out


def read_class(path, truth):
    """The clip's scene class (NAME.class), else object or empty by its truth."""
    try:
        with open(path) as f:
            return f.read().strip() or "object"
    except FileNotFoundError:
        return "object" if truth else "empty"


def y4m_info(path):
    """(width, height, fps, frames) from the stream header and file size;
    only 4:2:0 8-bit, as gen-clips.sh writes."""
    with open(path, "rb") as f:
        head = f.readline()
    if not head.startswith(b"YUV4MPEG2 "):
        raise BenchError("%s: not a YUV4MPEG2 clip" % path)
    w = h = None
    fps = None
    for tok in head.split()[1:]:
        k, v = tok[:1], tok[1:].decode()
        if k == b"W":
            w = int(v)
        elif k == b"H":
            h = int(v)
        elif k == b"F":
            n, d = v.split(":")
            fps = int(n) / int(d)
        elif k == b"C" and not v.startswith("420"):
            raise BenchError("%s: colour space C%s, want 4:2:0" % (path, v))
    frame = w * h * 3 // 2 + len(b"FRAME\n")
    frames = (os.path.getsize(path) - len(head)) // frame
    return w, h, fps, frames


def run_netcam(binary, clip, runs):
    """Median CPU seconds (user+sys, getrusage of the child) over runs, and
    the events of the first run."""
    cpus = []
    events = None
    for _ in range(runs):
        with subprocess.Popen([binary, "--quiet", "--replay", clip],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) as p:
            out = p.stdout.read()
            err = p.stderr.read()
            # wait4, not wait: it hands back the child's own rusage.
            _, status, ru = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            raise BenchError("netcam-motion --replay %s: exit %d: %s"
                             % (clip, p.returncode, err.decode().strip()))
        cpus.append(ru.ru_utime + ru.ru_stime)
        if events is None:
            events = []
            for line in out.decode().splitlines():
                ev = json.loads(line)
                if ev.get("type") == "end":
                    events.append((ev["start_s"], ev["end_s"]))
    cpus.sort()
    return cpus[len(cpus) // 2], events


def first_frame_clip(clip, out_dir):
    """A copy of CLIP's stream header and first frame, in OUT_DIR."""
    w, h, _, _ = y4m_info(clip)
    path = os.path.join(out_dir, "first-frame-%s" % os.path.basename(clip))
    with open(clip, "rb") as f, open(path, "wb") as o:
        o.write(f.readline())
        o.write(f.read(w * h * 3 // 2 + len(b"FRAME\n")))
    return path


def run_netcam_per_frame(binary, clip, frames, whole_cpu, runs, out_dir):
    """CPU seconds per frame without start-up: whole_cpu (the clip's median)
    minus the median over runs of the clip's first frame alone, over the
    frames after the first."""
    first = first_frame_clip(clip, out_dir)
    try:
        start_cpu, _ = run_netcam(binary, first, max(runs, 5))
    finally:
        os.unlink(first)
    return max(whole_cpu - start_cpu, 0.0) / max(frames - 1, 1), start_cpu


MOTION_CONF = """\
# Written by bench/motion/motion-bench.py for one clip; see bench/run-motion.sh.
daemon off
setup_mode off
log_level 6
target_dir {rundir}
netcam_url file://{clip}
# read and analyse at the clip's own rate: one loop pass per clip frame
netcam_params capture_rate={fps}
framerate {fps}
width {w}
height {h}
# netcam-motion's min_area (0.2 % of the frame, largest connected region):
# labelling ("l") makes Motion count only the largest region too.
threshold {threshold}
threshold_tune off
noise_level 32
noise_tune on
despeckle_filter EedDl
smart_mask_speed 0
lightswitch_percent {light}
lightswitch_frames 5
minimum_motion_frames {min_frames}
event_gap {gap}
pre_capture 0
post_capture 0
# detection only: no pictures, movies, streams or web control
picture_output off
picture_output_motion off
movie_output off
movie_output_motion off
snapshot_interval 0
timelapse_interval 0
stream_port 0
webcontrol_port 0
"""


def cpu_ticks(pid, tid=None):
    path = "/proc/%d/task/%d/stat" % (pid, tid) if tid else "/proc/%d/stat" % pid
    with open(path) as f:
        # the command name may hold spaces: fields count from after ")"
        rest = f.read().rsplit(")", 1)[1].split()
    return int(rest[11]) + int(rest[12])  # utime + stime


def loop_tids(pid):
    """Motion's detection-loop threads ("ml1"...)."""
    out = []
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, t)) as f:
                if f.read().startswith("ml"):
                    out.append(int(t))
        except OSError:
            pass
    return out


CONNECTED = re.compile(r"^\[\d+:nc\d+[^\]]*\].*Camera .*connected")
START = re.compile(r"Motion detected - starting event (\d+)")
END = re.compile(r"End of event (\d+)")


def run_motion(clip, w, h, fps, frames, rundir):
    """Run Motion on one clip. Returns (cpu seconds, loop frames, events,
    loop-thread busy fraction)."""
    os.makedirs(rundir, exist_ok=True)
    conf = os.path.join(rundir, "motion.conf")
    with open(conf, "w") as f:
        f.write(MOTION_CONF.format(
            rundir=rundir, clip=os.path.abspath(clip), fps=int(round(fps)), w=w, h=h,
            threshold=int(round(w * h * MIN_AREA_PCT / 100)), light=LIGHT_PCT,
            min_frames=MIN_FRAMES, gap=EVENT_GAP))
    duration = frames / fps
    lines = []          # (wall time, line) as Motion writes them
    # HOME and cwd in the run directory: nothing of Motion's lands elsewhere.
    env = dict(os.environ, HOME=rundir)
    p = subprocess.Popen(["motion", "-n", "-c", conf], cwd=rundir, env=env,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)

    def reader():
        for raw in p.stderr:
            lines.append((time.time(), raw.decode(errors="replace").rstrip("\n")))
    th = threading.Thread(target=reader, daemon=True)
    th.start()
    log = os.path.join(rundir, "motion.log")
    try:
        t_c = None
        deadline = time.time() + 30
        while t_c is None:
            if p.poll() is not None:
                raise BenchError("motion on %s exited (%d) before reading the clip; see %s"
                                 % (clip, p.returncode, log))
            if time.time() > deadline:
                raise BenchError("motion on %s: no 'connected' line in 30 s; see %s" % (clip, log))
            for t, l in list(lines):
                if CONNECTED.search(l):
                    t_c = t
                    break
            time.sleep(0.01)
        cpu0 = cpu_ticks(p.pid)
        mls = loop_tids(p.pid)
        ml0 = sum(cpu_ticks(p.pid, t) for t in mls)

        def clip_time(t):
            return t - t_c + 1.0 / fps

        def events_so_far():
            evs, open_ev = [], {}
            for t, l in list(lines):
                m = START.search(l)
                if m:
                    s = clip_time(t) - (MIN_FRAMES - 1) / fps
                    if s < duration:    # later ones are the clip's rerun
                        open_ev[m.group(1)] = s
                    continue
                m = END.search(l)
                if m and m.group(1) in open_ev:
                    s = open_ev.pop(m.group(1))
                    evs.append((s, max(s, min(clip_time(t) - EVENT_GAP, duration))))
            return evs, open_ev

        # Run to the clip's end, then until open events end (Motion logs the
        # end event_gap after the last motion, reading the file from its
        # start again meanwhile), at most event_gap + 1.5 s more.
        while True:
            if p.poll() is not None:
                raise BenchError("motion on %s exited (%d) while reading; see %s"
                                 % (clip, p.returncode, log))
            now = time.time()
            ct = clip_time(now)
            evs, open_ev = events_so_far()
            if ct >= duration + 0.3 and not open_ev:
                break
            if ct >= duration + EVENT_GAP + 1.5:
                break
            time.sleep(0.05)
        cpu1 = cpu_ticks(p.pid)
        ml1 = sum(cpu_ticks(p.pid, t) for t in mls)
        t_stop = time.time()
    finally:
        # Nothing of Motion's is needed past this point (no files are
        # written); its orderly shutdown takes seconds, so kill it.
        if p.poll() is None:
            p.kill()
        p.wait()
        th.join(timeout=5)
        with open(log, "w") as f:
            for t, l in lines:
                f.write("%.3f %s\n" % (t, l))
    evs, open_ev = events_so_far()
    evs += [(s, duration) for s in open_ev.values()]
    evs.sort()
    hz = os.sysconf("SC_CLK_TCK")
    window = t_stop - t_c
    loop_frames = window * fps
    busy = (ml1 - ml0) / hz / window if window > 0 else 0.0
    return (cpu1 - cpu0) / hz, loop_frames, evs, busy


BENCH = re.compile(r"bench: utime=([0-9.]+)s stime=([0-9.]+)s")


def decode_cpu(clip):
    """ffmpeg's user+sys for demuxing and decoding CLIP to nothing."""
    p = subprocess.run(["ffmpeg", "-hide_banner", "-nostdin", "-benchmark",
                        "-i", clip, "-f", "null", "-"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    m = BENCH.search(p.stderr)
    if p.returncode != 0 or not m:
        raise BenchError("ffmpeg -benchmark on %s failed: %s" % (clip, p.stderr.strip()[-300:]))
    return float(m.group(1)) + float(m.group(2))


def fmt_iv(ivs):
    return " ".join("[%.1f-%.1f]" % iv for iv in ivs) or "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--netcam-motion", required=True)
    ap.add_argument("--clips", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--sizes", default="640x360,1920x1080")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    version = subprocess.run(["motion", "-h"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True).stdout
    m = re.search(r"Version (\S+),", version)
    mver = m.group(1) if m else "?"

    rows = []
    detail = []
    for size in a.sizes.split(","):
        truths = sorted(glob.glob(os.path.join(a.clips, size, "*.truth")))
        if not truths:
            raise BenchError("no clips in %s" % os.path.join(a.clips, size))
        r = dict(size=size, clips=0, frames=0, nm_cpu=0.0, nm_frame_cpu=0.0, nm_start=0.0,
                 mo_cpu=0.0, mo_frames=0.0,
                 dec_cpu=0.0, truth=0, neg=0, nm=[0, 0, 0], mo=[0, 0, 0], busy=0.0,
                 classes={})
        for tf in truths:
            name = os.path.basename(tf)[:-len(".truth")]
            clip = tf[:-len(".truth")] + ".y4m"
            w, h, fps, frames = y4m_info(clip)
            truth = read_truth(tf)
            nm_cpu, nm_ev = run_netcam(a.netcam_motion, clip, a.runs)
            nm_frame, nm_start = run_netcam_per_frame(a.netcam_motion, clip, frames, nm_cpu,
                                                      a.runs, a.out)
            mo_cpu, mo_frames, mo_ev, busy = run_motion(
                clip, w, h, fps, frames, os.path.join(os.path.abspath(a.out), "motion", size, name))
            dec = decode_cpu(clip)
            r["clips"] += 1
            r["frames"] += frames
            r["nm_cpu"] += nm_cpu
            r["nm_frame_cpu"] += nm_frame * frames
            r["nm_start"] += nm_start
            r["mo_cpu"] += mo_cpu
            r["mo_frames"] += mo_frames
            r["dec_cpu"] += dec
            r["truth"] += len(truth)
            r["neg"] += not truth
            r["busy"] = max(r["busy"], busy)
            cls = r["classes"].setdefault(read_class(tf[:-len(".truth")] + ".class", truth),
                                          dict(clips=0, truth=0, nm=[0, 0, 0], mo=[0, 0, 0]))
            cls["clips"] += 1
            cls["truth"] += len(truth)
            for key, ev in (("nm", nm_ev), ("mo", mo_ev)):
                found, tp = score(truth, ev)
                for acc in (r[key], cls[key]):
                    acc[0] += found
                    acc[1] += tp
                    acc[2] += len(ev)
            line = ("%-9s %-13s truth %-18s netcam-motion %-22s %5.2f ms (%5.3f without start-up)"
                    "  Motion %-22s %5.2f ms") % (
                size, name, fmt_iv(truth), fmt_iv(nm_ev), 1000 * nm_cpu / frames,
                1000 * nm_frame, fmt_iv(mo_ev), 1000 * mo_cpu / mo_frames)
            print(line, flush=True)
            detail.append(line)
        rows.append(r)

    def pr(found, tp, n, truth):
        rec = found / truth if truth else 1.0
        prec = tp / n if n else 1.0
        return rec, prec

    out = []
    out.append("")
    out.append("netcam-motion --replay vs Motion %s, CPU per frame (user+sys, ms) and events" % mver)
    out.append("%-10s %5s %6s %9s %8s %8s %7s %7s %9s %7s %13s %13s  %s" % (
        "clips", "n", "frames", "netcam-m", "nm/frame", "Motion", "ratio", "(whole)",
        "Mo-decode", "ratio", "recall nm/Mo", "prec. nm/Mo", "target"))
    for r in rows:
        nm_ms = 1000 * r["nm_cpu"] / r["frames"]
        nf_ms = 1000 * r["nm_frame_cpu"] / r["frames"]
        mo_ms = 1000 * r["mo_cpu"] / r["mo_frames"]
        dec_ms = 1000 * r["dec_cpu"] / r["frames"]
        ratio = nf_ms / mo_ms if mo_ms > 0 else float("inf")
        whole = nm_ms / mo_ms if mo_ms > 0 else float("inf")
        mod = mo_ms - dec_ms
        ratio2 = nf_ms / mod if mod > 0 else float("inf")
        nrec, nprec = pr(r["nm"][0], r["nm"][1], r["nm"][2], r["truth"])
        mrec, mprec = pr(r["mo"][0], r["mo"][1], r["mo"][2], r["truth"])
        ok = ratio <= TARGET_RATIO and nrec >= mrec and nprec >= mprec
        out.append("%-10s %5d %6d %9.3f %8.3f %8.3f %6.2fx %6.2fx %9.3f %6.2fx %6.2f/%-6.2f %6.2f/%-6.2f  %s" % (
            r["size"], r["clips"], r["frames"], nm_ms, nf_ms, mo_ms, ratio, whole, mod, ratio2,
            nrec, mrec, nprec, mprec, "PASS" if ok else "MISS"))
        if r["busy"] > 0.9:
            out.append("  note: Motion's loop thread was busy %.0f%% of the time on one clip; "
                       "it may have processed fewer frames than counted" % (100 * r["busy"]))
    out.append("target: netcam-motion CPU per frame (nm/frame: without start-up, like Motion's) "
               "<= %.2fx Motion's, recall and precision >= Motion's" % TARGET_RATIO)
    out.append("")
    out.append("per scene class (netcam-motion/Motion; false: events on no truth interval)")
    out.append("%-10s %-19s %5s %5s %13s %13s %9s  %s" % (
        "clips", "class", "n", "truth", "recall", "precision", "false", "target"))
    for r in rows:
        for name in sorted(r["classes"]):
            c = r["classes"][name]
            nrec, nprec = pr(c["nm"][0], c["nm"][1], c["nm"][2], c["truth"])
            mrec, mprec = pr(c["mo"][0], c["mo"][1], c["mo"][2], c["truth"])
            ok = nrec >= TARGET_RECALL and nprec >= TARGET_PRECISION
            out.append("%-10s %-19s %5d %5d %6.2f/%-6.2f %6.2f/%-6.2f %4d/%-4d  %s" % (
                r["size"], name, c["clips"], c["truth"], nrec, mrec, nprec, mprec,
                c["nm"][2] - c["nm"][1], c["mo"][2] - c["mo"][1], "PASS" if ok else "MISS"))
    out.append("target per class: netcam-motion recall >= %.2f and precision >= %.2f"
               % (TARGET_RECALL, TARGET_PRECISION))
    out.append("events (recall: truth intervals hit, precision: events on a truth interval): "
               + ", ".join("%s nm %d/%d %d/%d, Motion %d/%d %d/%d" % (
                   r["size"], r["nm"][0], r["truth"], r["nm"][1], r["nm"][2],
                   r["mo"][0], r["truth"], r["mo"][1], r["mo"][2]) for r in rows))
    out.append("netcam-m: whole process (start-up, Y4M parsing, detection), median of %d runs; "
               "(whole): its ratio to Motion. nm/frame: the same without start-up (minus the "
               "whole process on the clip's first frame alone; %.1f ms a clip on average at %s). "
               "Motion: all threads while reading the clip in real time (libavformat demux and "
               "raw decode, copies, detection), not start-up. Mo-decode: Motion minus "
               "ffmpeg -benchmark of the same clip to null." % (
                   a.runs, 1000 * rows[0]["nm_start"] / max(rows[0]["clips"], 1), rows[0]["size"]))
    for l in out:
        print(l)
    with open(os.path.join(a.out, "motion-bench.txt"), "w") as f:
        f.write("\n".join(detail + out) + "\n")


if __name__ == "__main__":
    try:
        main()
    except BenchError as e:
        print("%s: %s" % (ME, e), file=sys.stderr)
        sys.exit(1)
    except (OSError, subprocess.SubprocessError) as e:
        print("%s: %s" % (ME, e), file=sys.stderr)
        sys.exit(1)
