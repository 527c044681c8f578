#!/usr/bin/python3
# A minimal RTSP server for the netcamd tests (GStreamer's gst-rtsp-server
# through GObject introspection): serves H.264 or H.265 (file name ending in
# .hevc.mp4) MP4 files, from their start for each client, optionally behind
# digest authentication. (ffmpeg cannot do this: `-rtsp_flags listen` only
# receives a stream pushed with ANNOUNCE/RECORD.)
#
#   rtsp-server.py [--tcp-only] PORT USER|- PATH FILE [PATH FILE]...
#   (password read from $RTSP_PASSWORD, never from the command line)
#
# --tcp-only: RTP only interleaved in the RTSP connection, as some cameras
# do; a SETUP asking for UDP gets 461 Unsupported Transport. Every SETUP's
# Transport header is printed ("setup: ..."), so tests can tell which lower
# transport a client asked for and got.
import os
import sys

import gi
gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
gi.require_version("GstRtsp", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

args = sys.argv[1:]
tcp_only = bool(args) and args[0] == "--tcp-only"
if tcp_only:
    args = args[1:]
port, user = args[0], args[1]
user = None if user == "-" else user
mounts = list(zip(args[2::2], args[3::2]))
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
    if tcp_only:
        factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    if auth:
        perms = GstRtspServer.RTSPPermissions()
        perms.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        perms.add_permission_for_role("user", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        factory.set_permissions(perms)
    server.get_mount_points().add_factory(path, factory)
    print("serving rtsp://127.0.0.1:%s%s" % (port, path), flush=True)


def on_pre_setup(_client, ctx):
    res, transport = ctx.request.get_header(GstRtsp.RTSPHeaderField.TRANSPORT, 0)
    print("setup: %s" % (transport if res == GstRtsp.RTSPResult.OK else "(no Transport header)"),
          flush=True)
    return GstRtsp.RTSPStatusCode.OK


def on_client(_server, client):
    print("client connected", flush=True)
    client.connect("pre-setup-request", on_pre_setup)


server.connect("client-connected", on_client)
server.attach(None)
GLib.MainLoop().run()
