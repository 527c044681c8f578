#!/usr/bin/python3
# A minimal RTSP server for the netcamd tests (GStreamer's gst-rtsp-server
# through GObject introspection): serves H.264 or H.265 (file name ending in
# .hevc.mp4) MP4 files, from their start for each client, optionally behind
# digest authentication. (ffmpeg cannot do this: `-rtsp_flags listen` only
# receives a stream pushed with ANNOUNCE/RECORD.)
#
#   rtsp-server.py PORT USER|- PATH FILE [PATH FILE]...
#   (password read from $RTSP_PASSWORD, never from the command line)
import os
import sys

import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

port, user = sys.argv[1], sys.argv[2]
user = None if user == "-" else user
mounts = list(zip(sys.argv[3::2], sys.argv[4::2]))
Gst.init(None)
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
auth = None
if user:
    auth = GstRtspServer.RTSPAuth()
    auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
    token = GstRtspServer.RTSPToken()
    token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
    auth.add_digest(user, os.environ.get("RTSP_PASSWORD", ""), token)
    server.set_auth(auth)
for path, clip in mounts:
    pay = "rtph265pay" if clip.endswith(".hevc.mp4") else "rtph264pay"
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch("( filesrc location=%s ! qtdemux ! %s name=pay0 pt=96 config-interval=1 )"
                       % (clip, pay))
    factory.set_shared(False)
    if auth:
        perms = GstRtspServer.RTSPPermissions()
        perms.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        perms.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        factory.set_permissions(perms)
    server.get_mount_points().add_factory(path, factory)
    print("serving rtsp://127.0.0.1:%s%s" % (port, path), flush=True)


def on_client(_server, client):
    print("client connected", flush=True)


server.connect("client-connected", on_client)
server.attach(None)
GLib.MainLoop().run()
