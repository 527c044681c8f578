#!/usr/bin/python3
# framesort.py RAW REF WIDTH HEIGHT [FORMAT]: sort every frame of RAW
# (frames of WIDTH x HEIGHT in FORMAT: yuyv422 (default) or gray) into
#   good         every band of rows matches REF (the camera's picture)
#   placeholder  the node's mid-grey "no picture yet" frame
#   damaged      anything else: a picture with a black, grey or shifted
#                part, as a concealed damaged JPEG or H.264 frame shows
# REF is one frame in the same format. Only luma is compared, in six
# bands of rows, so damage confined to the bottom is not averaged away.
# Prints "good=N placeholder=N damaged=N" (and which frames were
# damaged); exit 0 if no frame is damaged and at least one is good.
import sys

raw_path, ref_path = sys.argv[1], sys.argv[2]
width, height = int(sys.argv[3]), int(sys.argv[4])
fmt = sys.argv[5] if len(sys.argv) > 5 else "yuyv422"
LIMIT = 12.0   # mean abs luma difference per band: codec and range noise is below
BANDS = 6

bpp = {"yuyv422": 2, "gray": 1}[fmt]
frame_size = width * height * bpp


def luma(frame):
    return frame[0::2] if fmt == "yuyv422" else frame


def band_diffs(y, ref_y):
    rows = height // BANDS
    out = []
    for b in range(BANDS):
        lo, hi = b * rows * width, (b + 1) * rows * width
        a, r = y[lo:hi:5], ref_y[lo:hi:5]
        out.append(sum(abs(p - q) for p, q in zip(a, r)) / len(a))
    return out


def is_placeholder(y):
    sample = y[::7]
    return all(abs(p - 128) <= 6 for p in sample)


ref = open(ref_path, "rb").read()
if len(ref) != frame_size:
    print("reference is %d bytes, a frame is %d" % (len(ref), frame_size))
    sys.exit(1)
ref_y = luma(ref)
data = open(raw_path, "rb").read()
counts = {"good": 0, "placeholder": 0, "damaged": 0}
damaged = []
for n in range(len(data) // frame_size):
    y = luma(data[n * frame_size:(n + 1) * frame_size])
    diffs = band_diffs(y, ref_y)
    if max(diffs) < LIMIT:
        counts["good"] += 1
    elif is_placeholder(y):
        counts["placeholder"] += 1
    else:
        counts["damaged"] += 1
        damaged.append("#%d bands %s" % (n, "/".join("%.0f" % d for d in diffs)))
print("good=%d placeholder=%d damaged=%d" % (counts["good"], counts["placeholder"], counts["damaged"]))
for line in damaged[:5]:
    print("  damaged frame " + line)
sys.exit(0 if counts["damaged"] == 0 and counts["good"] > 0 else 1)
