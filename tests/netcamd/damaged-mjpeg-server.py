#!/usr/bin/python3
# An HTTP MJPEG camera whose parts are often damaged, for the netcamd
# tests: a test fixture (the damage is made here on purpose), standing in
# for cameras whose encoder or link cuts frames short or loses chunks.
#
#   damaged-mjpeg-server.py PORT JPEG
#
#   /cam.mjpg   multipart/x-mixed-replace at 10 fps, forever: JPEG and
#               damaged copies of it in turn, each with a right
#               Content-Length for the bytes actually sent:
#                 cut       the first 60 %: no end of image
#                 hole      200 bytes taken out of the picture data
#                 zeroed    16 bytes of the picture data set to 0
#                 repeated  200 bytes of the picture data sent twice
# Prints "serving ..." when listening and, per connection, a line with
# the parts sent of each kind when it ends.
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from multipart import send_part, start_stream

port, jpeg_path = int(sys.argv[1]), sys.argv[2]
with open(jpeg_path, "rb") as f:
    good = f.read()


def picture_data(jpeg):
    """Start and end of the first scan's entropy-coded data."""
    sos = jpeg.index(b"\xff\xda")
    start = sos + 2 + (jpeg[sos + 2] << 8 | jpeg[sos + 3])
    return start, len(jpeg) - 2   # the part ends with EOI


start, end = picture_data(good)
mid = start + (end - start) // 2
zeroed = bytearray(good)
zeroed[mid:mid + 16] = bytes(16)
PARTS = [
    ("good", good),
    ("cut", good[:start + (end - start) * 6 // 10]),
    ("good", good),
    ("hole", good[:mid] + good[mid + 200:]),
    ("good", good),
    ("zeroed", bytes(zeroed)),
    ("good", good),
    ("repeated", good[:mid] + good[mid - 200:]),
]


class Camera(BaseHTTPRequestHandler):
    def log_message(self, *_args):
        pass

    def do_GET(self):
        if self.path != "/cam.mjpg":
            self.send_error(404)
            return
        start_stream(self)
        sent = {}
        try:
            n = 0
            while True:
                kind, data = PARTS[n % len(PARTS)]
                send_part(self.wfile, data)
                sent[kind] = sent.get(kind, 0) + 1
                n += 1
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        print("connection ended, sent " +
              " ".join("%s=%d" % kv for kv in sorted(sent.items())), flush=True)


server = ThreadingHTTPServer(("127.0.0.1", port), Camera)
server.daemon_threads = True
print("serving http://127.0.0.1:%d/cam.mjpg" % port, flush=True)
server.serve_forever()
