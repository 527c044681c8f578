#!/usr/bin/python3
# framecheck.py RAW REF: compare the last frame of RAW (frames of REF's
# size) with REF; prints the mean absolute difference; exit 0 if below
# the limit (default 12), 1 otherwise or if RAW holds no whole frame.
import sys

raw, ref = sys.argv[1], sys.argv[2]
limit = float(sys.argv[3]) if len(sys.argv) > 3 else 12.0
r = open(ref, "rb").read()
d = open(raw, "rb").read()
n = len(r)
if n == 0 or len(d) < n:
    print("no whole frame: %d bytes captured, frame is %d" % (len(d), n))
    sys.exit(1)
frames = len(d) // n
last = d[(frames - 1) * n:frames * n]
mad = sum(abs(a - b) for a, b in zip(last[::7], r[::7])) / len(r[::7])
def sixths(b):
    k = len(b) // 6
    return "/".join("%d" % (sum(b[i * k:(i + 1) * k:11]) / len(b[i * k:(i + 1) * k:11])) for i in range(6))


print("frames=%d mean_abs_diff=%.2f limit=%.1f" % (frames, mad, limit))
if mad >= limit:
    print("  sixths got %s want %s" % (sixths(last), sixths(r)))
sys.exit(0 if mad < limit else 1)
