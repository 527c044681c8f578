#!/usr/bin/python3
# An HTTP MJPEG camera that breaks, for the netcamd tests: it sends a few
# good frames on every connection and then drops it, as a camera with a
# failing link or a crashing encoder does.
#
#   flaky-server.py PORT JPEG [FRAMES]     FRAMES per connection (default 2)
#
#   /cam.mjpg   multipart/x-mixed-replace of JPEG at 10 fps, FRAMES parts,
#               then the connection is closed
#
# One line per connection: "connection N at T" (T: seconds on the
# monotonic clock since the server started), for the test to count the
# reconnects and time the gaps between them.
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from multipart import send_part, start_stream

port, jpeg_path = int(sys.argv[1]), sys.argv[2]
frames = int(sys.argv[3]) if len(sys.argv) > 3 else 2
with open(jpeg_path, "rb") as f:
    jpeg = f.read()
t0 = time.monotonic()
count = 0


class Camera(BaseHTTPRequestHandler):
    def log_message(self, *_args):
        pass

    def do_GET(self):
        global count
        if self.path != "/cam.mjpg":
            self.send_error(404)
            return
        count += 1
        print("connection %d at %.2f" % (count, time.monotonic() - t0), flush=True)
        start_stream(self, close=True)
        try:
            for _ in range(frames):
                send_part(self.wfile, jpeg)
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


server = ThreadingHTTPServer(("127.0.0.1", port), Camera)
server.daemon_threads = True
print("serving http://127.0.0.1:%d/cam.mjpg, %d frames a connection" % (port, frames), flush=True)
server.serve_forever()
