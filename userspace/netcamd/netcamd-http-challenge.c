// SPDX-License-Identifier: GPL-2.0-only
/* netcamd: an HTTP camera's authentication challenge; see
 * netcamd-http-challenge.h. */
#define _GNU_SOURCE
#include "netcamd-http-challenge.h"
#include "netcam-util.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define HEADERS_MAX 16384

/* Milliseconds left until deadline (mono ns), at least 0. */
static int ms_left(uint64_t deadline)
{
	uint64_t now = mono_ns();

	return now >= deadline ? 0 : (int)((deadline - now) / 1000000 + 1);
}

static int wait_fd(int fd, short events, uint64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int rc;

	do {
		rc = poll(&p, 1, ms_left(deadline));
	} while (rc < 0 && errno == EINTR);
	return rc > 0 ? 0 : -1;
}

static int connect_to(const char *host, int port, uint64_t deadline,
		      char *why, size_t why_size)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	char name[256], service[16];
	size_t len = strlen(host);
	int fd = -1, rc;

	/* "[::1]" in a URL is "::1" to the resolver */
	if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
		snprintf(name, sizeof(name), "%.*s", (int)(len - 2), host + 1);
	else
		snprintf(name, sizeof(name), "%s", host);
	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(name, service, &hints, &res);
	if (rc) {
		snprintf(why, why_size, "cannot resolve %s: %s", name, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int err = 0;
		socklen_t elen = sizeof(err);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) == 0 &&
		     getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && !err))
			break;
		snprintf(why, why_size, "connect: %s", strerror(err ? err : errno ? errno : ETIMEDOUT));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* The value of the first "WWW-Authenticate: Digest" line in headers. */
static void find_digest(const char *headers, char *out, size_t size)
{
	static const char name[] = "WWW-Authenticate:";

	out[0] = 0;
	for (const char *line = headers; line && *line;) {
		const char *end = strstr(line, "\r\n");
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > sizeof(name) - 1 && !strncasecmp(line, name, sizeof(name) - 1)) {
			const char *v = line + sizeof(name) - 1;

			while (*v == ' ' || *v == '\t')
				v++;
			if (!strncasecmp(v, "Digest", 6)) {
				size_t vlen = len - (size_t)(v - line);

				snprintf(out, size, "%.*s", (int)vlen, v);
				return;
			}
		}
		line = end ? end + 2 : NULL;
	}
}

int http_get_challenge(const char *host, int port, const char *path,
		       double timeout_s, char *digest, size_t digest_size,
		       char *why, size_t why_size)
{
	uint64_t deadline = mono_ns() + (uint64_t)(timeout_s * 1e9);
	char headers[HEADERS_MAX + 1];
	char request[2048];
	size_t have = 0;
	int fd, status = -1, len;

	digest[0] = 0;
	len = snprintf(request, sizeof(request),
		       "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: netcamd\r\nConnection: close\r\n\r\n",
		       path, host, port);
	if (len < 0 || (size_t)len >= sizeof(request)) {
		snprintf(why, why_size, "the URL is too long");
		return -1;
	}
	fd = connect_to(host, port, deadline, why, why_size);
	if (fd < 0)
		return -1;
	for (int sent = 0; sent < len;) {
		ssize_t n = send(fd, request + sent, (size_t)(len - sent), MSG_NOSIGNAL);

		if (n < 0 && errno == EAGAIN && wait_fd(fd, POLLOUT, deadline) == 0)
			continue;
		if (n <= 0) {
			snprintf(why, why_size, "sending the request: %s",
				 n < 0 ? strerror(errno) : "closed");
			goto out;
		}
		sent += (int)n;
	}
	while (have < HEADERS_MAX) {
		ssize_t n = recv(fd, headers + have, HEADERS_MAX - have, 0);

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLIN, deadline) < 0) {
				snprintf(why, why_size, "no reply in %g s", timeout_s);
				goto out;
			}
			continue;
		}
		if (n <= 0)
			break;
		have += (size_t)n;
		headers[have] = 0;
		if (strstr(headers, "\r\n\r\n"))
			break;
	}
	headers[have] = 0;
	if (sscanf(headers, "HTTP/%*d.%*d %d", &status) != 1) {
		snprintf(why, why_size, "not an HTTP reply");
		status = -1;
		goto out;
	}
	find_digest(headers, digest, digest_size);
out:
	close(fd);
	return status;
}
