#!/usr/bin/python3
# The netcamd benchmark's table (bench/vm-netcamd.sh writes the inputs).
#
#   netcamd-report.py DIR
#
# DIR holds meta.txt, summary.txt ("idle ..." and "path=A|B consumer ..."
# lines), send-A.log / send-B.log (SESSION PTS_NS MONO_NS from the server)
# and arrive-A.log / arrive-B.log (COUNTER ARRIVAL_NS SEQUENCE IN_WINDOW
# from the consumer). Latency of frame n = its first arrival at the
# consumer - the time the server sent it (both CLOCK_MONOTONIC of the VM).
# CPU per frame = the feeder's CPU over the consumer's window / distinct
# frames the consumer received in it. Exit 1 when a path has no figures.
import bisect
import os
import sys

d = sys.argv[1]


def kv(line):
    return dict(f.split("=", 1) for f in line.split() if "=" in f)


meta = {}
for line in open(os.path.join(d, "meta.txt")):
    if line.startswith("kernel="):
        meta = kv(line)
    elif line.startswith("cpu_model="):
        meta["cpu_model"] = line.split("=", 1)[1].strip()
    elif line.startswith("decode_threads_"):
        meta[line.split(":")[0]] = line.split(":", 1)[1].strip()
fps = float(meta.get("fps", "0"))
paths, idle, ttff = {}, {}, {}
for line in open(os.path.join(d, "summary.txt")):
    if line.startswith("path="):
        k = kv(line)
        paths[k["path"]] = k
    elif line.startswith("idle "):
        k = kv(line)
        idle[k["who"]] = k
    elif line.startswith("ttff "):
        k = kv(line)
        ttff[k["start"]] = k


def latencies(tag):
    """Per distinct in-window counter: arrival - send, in ms."""
    sends = {}
    for line in open(os.path.join(d, "send-%s.log" % tag)):
        f = line.split()
        if len(f) != 3:
            continue
        n = round(int(f[1]) * fps / 1e9)
        sends.setdefault(n, []).append(int(f[2]))
    for v in sends.values():
        v.sort()
    seen, lat = set(), []
    for line in open(os.path.join(d, "arrive-%s.log" % tag)):
        f = line.split()
        if len(f) != 4 or f[3] != "1":
            continue
        c, t = int(f[0]), int(f[1])
        if c < 0 or c in seen:
            continue
        seen.add(c)
        s = sends.get(c)
        if not s:
            continue
        i = bisect.bisect_right(s, t)   # the latest send before the arrival
        if i:
            lat.append((t - s[i - 1]) / 1e6)
    lat.sort()
    return lat


def pct(v, p):
    if not v:
        return float("nan")
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


rows = {}
for tag in ("A", "B"):
    p = paths.get(tag)
    if not p:
        continue
    lat = latencies(tag)
    uniq = int(p["unique"])
    r = dict(frames=uniq, missing=int(p["missing"]), dup=int(p["dup"]),
             invalid=int(p["invalid"]), fps=float(p["fps"]), lat_n=len(lat),
             p50=pct(lat, 50), p95=pct(lat, 95), window=float(p["window_s"]))
    for who in ("feeder", "server", "self", "kthread"):
        v = p.get("cpu_%s_ms" % who)
        r[who] = float(v) / uniq if v not in (None, "na") and uniq else None
    rows[tag] = r

names = {"A": "netcamd -> netcam", "B": "ffmpeg -> v4l2loopback"}
print("netcamd benchmark: %s H.264 at %g fps over RTSP/TCP on 127.0.0.1 (GStreamer RTSP server),"
      % (meta.get("size", "?"), fps))
print("consumer %s %s mmap; %s s window after %s s warm-up; kernel %s, %s vCPU(s) under QEMU TCG"
      % (meta.get("format", "?"), meta.get("size", "?"), meta.get("window_s", "?"),
         meta.get("warmup_s", "?"), meta.get("kernel", "?"), meta.get("cpus", "?")))
for t in ("decode_threads_1", "decode_threads_0"):
    if t in meta:
        print("clip decode+convert in this VM, ffmpeg -threads %s, 10 s of clip: %s"
              % (t[-1].replace("0", "auto"), meta[t]))
print()
hdr = "%-24s %7s %7s %5s %7s %11s %10s %10s" % (
    "path", "frames", "missing", "dup", "fps", "CPU ms/frm", "lat p50", "lat p95")
print(hdr)
print("-" * len(hdr))


def fmt(v, f="%.1f"):
    return "n/a" if v is None or v != v else f % v


for tag in ("A", "B"):
    r = rows.get(tag)
    if not r:
        print("%-24s %s" % (names[tag], "did not run (see results.txt and logs/)"))
        continue
    print("%-24s %7d %7d %5d %7.2f %11s %8s ms %7s ms" % (
        names[tag], r["frames"], r["missing"], r["dup"], r["fps"], fmt(r["feeder"]),
        fmt(r["p50"]), fmt(r["p95"])))
a, b = rows.get("A"), rows.get("B")
ratio = None
if a and b:
    def q(x, y):
        return x / y if x is not None and y and x == x and y == y else None
    ratio = q(a["feeder"], b["feeder"])
    print("%-24s %7s %7s %5s %7s %10sx %9sx %9sx" % (
        "ratio netcamd/anchor", "", "", "", "", fmt(ratio, "%.2f"),
        fmt(q(a["p50"], b["p50"]), "%.2f"), fmt(q(a["p95"], b["p95"]), "%.2f")))
print()
print("CPU ms/frame: utime+stime (+children) of the feeder process, all threads, from")
print("/proc/PID/stat over the window, / distinct frames the consumer got. The kernel's")
print("copy of each frame into the node (netcam ioctl, v4l2loopback write) runs in the")
print("feeder's syscall and is included as stime. Latency: consumer's DQBUF time minus")
print("the server's send time of that frame (frame counter in the pixels).")
print("Under TCG the guest counts time its vCPUs lose to a busy host as CPU time: when")
print("the decode speed above is far below ~5 frames/s per thread, repeat the run.")
for tag in ("A", "B"):
    r = rows.get(tag)
    if r:
        extra = "" if r["kthread"] is None else ", netcam filler kthreads %s" % fmt(r["kthread"], "%.2f")
        print("  context %s: consumer %s, RTSP server %s ms/frame%s; %d invalid frames"
              % (tag, fmt(r["self"], "%.2f"), fmt(r["server"], "%.2f"), extra, r["invalid"]))
for who, k in sorted(idle.items()):
    print("unwatched %s s, %s: CPU ticks +%s (on-CPU %s us, %s wake-ups), TCP connections to the "
          "server %s, loopback bytes %s, new RTSP clients %s"
          % (k["seconds"], who, k["ticks"], k["cpu_us"], k["wakeups"], k["conns_end"],
             k["lo_bytes"], k["new_clients"]))
for start, what in (("warm", "re-open within linger, camera connected"),
                    ("cold", "camera disconnected: connect, RTSP set-up, first keyframe")):
    k = ttff.get(start)
    if k:
        print("time to the first real frame after STREAMON, %s (%s): %s ms (first frame, "
              "placeholder or real: %s ms)" % (start, what, k["first_real_ms"], k["first_frame_ms"]))
print()
print("targets (issue 4, issue 11):")


def verdict(ok):
    return "n/a" if ok is None else ("MET" if ok else "MISSED")


print("  CPU per frame <= 0.8x anchor       %-22s %s"
      % ("%s x" % fmt(ratio, "%.2f"), verdict(None if ratio is None else ratio <= 0.8)))
lat_ok = None
if a and b and a["lat_n"] and b["lat_n"]:
    lat_ok = a["p50"] <= b["p50"] and a["p95"] <= b["p95"]
print("  latency no worse (p50 and p95)     %-22s %s" % (
    "%s/%s vs %s/%s ms" % (fmt(a and a["p50"]), fmt(a and a["p95"]), fmt(b and b["p50"]),
                           fmt(b and b["p95"])) if a and b else "n/a", verdict(lat_ok)))
ks = [v for w, v in sorted(idle.items()) if w.startswith("netcamd")]
idle_ok = None
if ks:
    idle_ok = all(k["ticks"] == "0" and k["conns_end"] == "0" and k["conns_start"] == "0"
                  and k["lo_bytes"] == "0" and k["new_clients"] == "0" for k in ks)
print("  unwatched: 0 CPU, 0 network        %-22s %s" % (
    ", ".join("%s ticks/%s conns/%s B" % (k["ticks"], k["conns_end"], k["lo_bytes"]) for k in ks)
    if ks else "n/a", verdict(idle_ok)))
warm = ttff.get("warm", {}).get("first_real_ms", "na")
interval = 1000.0 / fps if fps else None
warm_ok = None if warm == "na" or interval is None else float(warm) <= interval
print("  warm re-open: real frame within    %-22s %s" % (
    "%s ms (interval %s ms)" % (warm, fmt(interval, "%.0f")), verdict(warm_ok)))
sys.exit(0 if a and b else 1)
