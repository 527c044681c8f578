# The multipart/x-mixed-replace stream an HTTP MJPEG camera sends, for the
# netcamd test servers (flaky-server.py, http-auth-server.py,
# damaged-mjpeg-server.py): one place for the headers and the part framing.
BOUNDARY = "netcamframe"


def start_stream(handler, close=False):
    """The 200 reply's headers for a stream of JPEG parts."""
    handler.send_response(200)
    handler.send_header("Content-Type", "multipart/x-mixed-replace;boundary=" + BOUNDARY)
    if close:
        handler.send_header("Connection", "close")
    handler.end_headers()


def send_part(wfile, data):
    """One part: boundary, headers with data's length, data."""
    wfile.write(("--%s\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n"
                 % (BOUNDARY, len(data))).encode())
    wfile.write(data + b"\r\n")
    wfile.flush()
