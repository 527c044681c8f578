/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcamd: HTTP digest authentication (RFC 7616, RFC 2617) for the cameras
 * FFmpeg's own cannot answer. FFmpeg compares the challenge's algorithm
 * case-sensitively ("MD5", "MD5-sess"), but the token is case-insensitive:
 * libmicrohttpd (Motion's stream server, many small cameras) says
 * algorithm=md5, so FFmpeg sends no credentials and the camera looks like
 * it refuses the password. netcamd then reads the challenge itself and
 * hands FFmpeg the answer as a request header (netcamd-source.c).
 * Parsing and the answer are pure (the MD5 is libavutil's).
 */
#ifndef NETCAMD_DIGEST_H
#define NETCAMD_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

struct digest_challenge {
	char realm[256];
	char nonce[256];
	char opaque[256];
	char algorithm[32];	/* as the server wrote it; "" if not given */
	bool qop_auth;		/* qop offers "auth" */
	bool sess;		/* MD5-sess, any case */
};

/*
 * Reads a WWW-Authenticate value ("Digest realm=..., nonce=..., ...").
 * False if it is not a digest challenge, lacks a nonce, names an
 * algorithm other than MD5 or MD5-sess, or offers qop without "auth".
 */
bool digest_parse(const char *value, struct digest_challenge *ch);

/* Would FFmpeg refuse to answer this challenge (its algorithm differs
 * from "MD5" or "MD5-sess" only in case)? */
bool digest_ffmpeg_refuses(const struct digest_challenge *ch);

/*
 * The request header that answers ch for method and uri (the path and
 * query exactly as the request line has them), with client nonce cnonce
 * and nonce count nc: "Authorization: Digest ...\r\n". Returns the
 * length, or -1 if it does not fit in size or a value holds a quote or
 * a line break (which would break the header).
 */
int digest_authorization(const struct digest_challenge *ch, const char *user,
			 const char *password, const char *method,
			 const char *uri, const char *cnonce, unsigned int nc,
			 char *out, size_t size);

#endif
