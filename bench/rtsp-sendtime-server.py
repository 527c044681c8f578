#!/usr/bin/python3
# RTSP server for the netcamd benchmark (bench/vm-netcamd.sh): serves one
# H.264 MP4 clip at PATH on 127.0.0.1:PORT with GStreamer's RTSP server,
# paced in real time, each client from the clip's start, and logs the
# "glass" (send) time of every frame.
#
#   rtsp-sendtime-server.py PORT PATH CLIP SENDLOG
#
# The pipeline is filesrc ! qtdemux ! h264parse ! clocksync ! rtph264pay:
# clocksync releases each frame when the pipeline clock reaches its time,
# so the payloader sees frame n at the moment it goes out on the wire (the
# RTP packets go straight on to the client's TCP connection). A pad probe
# on the payloader's sink pad appends one line per frame to SENDLOG:
#
#   SESSION PTS_NS MONO_NS
#
# SESSION counts the media (one per client), PTS_NS is the frame's
# presentation time in the clip (frame n of a clip at F fps has n*1e9/F),
# MONO_NS is CLOCK_MONOTONIC when the frame was handed to the payloader.
# The consumer (bench/netcamd-consumer) stamps arrivals with the same clock.
import sys
import time

import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

if len(sys.argv) != 5:
    sys.exit("usage: rtsp-sendtime-server.py PORT PATH CLIP SENDLOG")
port, path, clip, sendlog = sys.argv[1:]
Gst.init(None)
log = open(sendlog, "a", buffering=1)
sessions = [0]


def on_buffer(pad, info, session):
    buf = info.get_buffer()
    if buf is not None and buf.pts != Gst.CLOCK_TIME_NONE:
        log.write("%d %d %d\n" % (session, buf.pts, time.clock_gettime_ns(time.CLOCK_MONOTONIC)))
    return Gst.PadProbeReturn.OK


def on_media_configure(_factory, media):
    sessions[0] += 1
    pay = media.get_element().get_by_name("pay0")
    pay.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_buffer, sessions[0])
    print("media %d configured" % sessions[0], flush=True)


server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
factory.set_launch("( filesrc location=%s ! qtdemux ! h264parse ! clocksync ! "
                   "rtph264pay name=pay0 pt=96 config-interval=1 )" % clip)
factory.set_shared(False)
factory.connect("media-configure", on_media_configure)
server.get_mount_points().add_factory(path, factory)
server.connect("client-connected", lambda _s, _c: print("client connected", flush=True))
server.attach(None)
print("serving rtsp://127.0.0.1:%s%s" % (port, path), flush=True)
GLib.MainLoop().run()
