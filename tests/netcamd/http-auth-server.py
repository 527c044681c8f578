#!/usr/bin/python3
# An HTTP camera behind basic authentication, for the netcamd tests: what
# many cheap IP cameras serve. (ffmpeg -listen 1 cannot ask for a password.)
#
#   http-auth-server.py PORT USER JPEG     password from $HTTP_PASSWORD
#
#   /cam.mjpg   multipart/x-mixed-replace stream of JPEG at 10 fps
#   /snap.jpg   the JPEG, once
#
# A request without the right credentials gets 401 with
# WWW-Authenticate: Basic, as a camera sends it. One line per request is
# printed: "GET PATH STATUS why", never the credentials.
import base64
import hmac
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from multipart import send_part, start_stream

port, user, jpeg_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
password = os.environ.get("HTTP_PASSWORD", "")
expected = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
with open(jpeg_path, "rb") as f:
    jpeg = f.read()


def say(line):
    print(line, flush=True)


class Camera(BaseHTTPRequestHandler):
    def log_message(self, *_args):
        pass    # our own lines only (the default one has no auth outcome)

    def authorized(self):
        got = self.headers.get("Authorization")
        if got is not None and hmac.compare_digest(got.encode(), expected.encode()):
            return True
        why = "no credentials" if got is None else "wrong credentials"
        say("GET %s 401 %s" % (self.path, why))
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="netcam-test"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def do_GET(self):
        if self.path not in ("/cam.mjpg", "/snap.jpg"):
            say("GET %s 404" % self.path)
            self.send_error(404)
            return
        if not self.authorized():
            return
        say("GET %s 200 authorized" % self.path)
        if self.path == "/snap.jpg":
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(jpeg)))
            self.end_headers()
            self.wfile.write(jpeg)
            return
        start_stream(self)
        try:
            while True:
                send_part(self.wfile, jpeg)
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            say("GET %s client left" % self.path)


server = ThreadingHTTPServer(("127.0.0.1", port), Camera)
server.daemon_threads = True
say("serving http://127.0.0.1:%d/cam.mjpg and /snap.jpg" % port)
server.serve_forever()
