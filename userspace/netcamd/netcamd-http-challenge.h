/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcamd: ask an HTTP camera for its authentication challenge. One
 * plain GET without credentials, headers only, bounded by a timeout; the
 * caller answers a digest challenge FFmpeg would not (netcamd-digest.h).
 */
#ifndef NETCAMD_HTTP_CHALLENGE_H
#define NETCAMD_HTTP_CHALLENGE_H

#include <stddef.h>

/*
 * GET path from host:port (host as in the URL, "[v6]" brackets allowed)
 * and copy the first "WWW-Authenticate: Digest ..." value into digest.
 * Returns the HTTP status (401 for a challenge), or -1 with a reason in
 * why. Gives up after timeout_s in all.
 */
int http_get_challenge(const char *host, int port, const char *path,
		       double timeout_s, char *digest, size_t digest_size,
		       char *why, size_t why_size);

#endif
