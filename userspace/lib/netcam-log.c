// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam user space: one logger for every program.
 *
 * Under systemd each line goes to the journal: with libsystemd as a journal
 * entry with fields (PRIORITY, SYSLOG_IDENTIFIER, NETCAM_CAMERA), else as a
 * stderr line with an sd-daemon "<N>" priority prefix, which journald reads
 * the same way.  Registered secrets never reach either.
 */
#define _GNU_SOURCE
#include "netcam-log.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-journal.h>
#endif

int log_max_level = LOG_INFO_P;

#define MAX_SECRETS 8
static char *secrets[MAX_SECRETS * 2];
static char log_prefix[64];
static char log_camera[64];
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void log_set_prefix(const char *prefix)
{
	snprintf(log_prefix, sizeof(log_prefix), "%s", prefix);
}

void log_set_camera(const char *name)
{
	snprintf(log_camera, sizeof(log_camera), "%s", name ? name : "");
}

#ifdef HAVE_LIBSYSTEMD
/* stderr is the journal when $JOURNAL_STREAM names its device and inode
 * (systemd.exec(5)); then entries with fields beat parsed text lines. */
static int stderr_is_journal(void)
{
	static int known = -1;
	const char *js;
	unsigned long dev, ino;
	struct stat st;

	if (known >= 0)
		return known;
	known = 0;
	js = getenv("JOURNAL_STREAM");
	if (js && sscanf(js, "%lu:%lu", &dev, &ino) == 2 &&
	    fstat(2, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
		known = 1;
	return known;
}
#endif

int url_encode_userinfo(const char *s, char *out, size_t out_size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
			if (n + 1 >= out_size)
				return -1;
			out[n++] = (char)c;
		} else {
			if (n + 3 >= out_size)
				return -1;
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	if (n >= out_size)
		return -1;
	out[n] = 0;
	return 0;
}

void log_add_secret(const char *secret)
{
	char enc[1024];

	if (!secret || strlen(secret) < 1)
		return;
	pthread_mutex_lock(&log_lock);
	for (int i = 0; i < MAX_SECRETS * 2; i += 2) {
		if (secrets[i] && strcmp(secrets[i], secret) == 0)
			break;
		if (!secrets[i]) {
			secrets[i] = strdup(secret);
			if (url_encode_userinfo(secret, enc, sizeof(enc)) == 0 &&
			    strcmp(enc, secret) != 0)
				secrets[i + 1] = strdup(enc);
			break;
		}
	}
	pthread_mutex_unlock(&log_lock);
}

static void replace_all(char *buf, size_t size, const char *needle)
{
	size_t nlen = strlen(needle);
	char *p = buf;

	if (!nlen)
		return;
	while ((p = strstr(p, needle)) != NULL) {
		size_t tail = strlen(p + nlen);

		/* "***" is at most as long as any secret of >= 3 chars;
		 * shorter secrets grow the line, so check room. */
		if ((size_t)(p - buf) + 3 + tail + 1 > size) {
			memset(p, '*', nlen);
			p += nlen;
			continue;
		}
		memmove(p + 3, p + nlen, tail + 1);
		memcpy(p, "***", 3);
		p += 3;
	}
}

void log_scrub(char *buf, size_t size)
{
	for (int i = 0; i < MAX_SECRETS * 2; i++)
		if (secrets[i])
			replace_all(buf, size, secrets[i]);
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	size_t n;

	if (prio > log_max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = 0;
	/* One line per message: fold embedded newlines. */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	pthread_mutex_lock(&log_lock);
	log_scrub(line, sizeof(line));
#ifdef HAVE_LIBSYSTEMD
	if (stderr_is_journal()) {
		if (log_camera[0])
			sd_journal_send("MESSAGE=%s", line, "PRIORITY=%d", prio,
					"SYSLOG_IDENTIFIER=%s", program_invocation_short_name,
					"NETCAM_CAMERA=%s", log_camera, NULL);
		else
			sd_journal_send("MESSAGE=%s", line, "PRIORITY=%d", prio,
					"SYSLOG_IDENTIFIER=%s", program_invocation_short_name,
					NULL);
		pthread_mutex_unlock(&log_lock);
		return;
	}
#endif
	if (log_prefix[0])
		fprintf(stderr, "<%d>%s: %s\n", prio, log_prefix, line);
	else
		fprintf(stderr, "<%d>%s\n", prio, line);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

static int is_secret_param(const char *name, size_t len)
{
	static const char *const names[] = {
		"password", "pass", "pwd", "passwd", "token", "key", "auth",
		"secret", "api_key", "apikey",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && strncasecmp(name, names[i], len) == 0)
			return 1;
	return 0;
}

void url_redact(const char *url, char *out, size_t out_size)
{
	const char *scheme_end = strstr(url, "://");
	const char *auth_start, *host_end, *at = NULL, *colon = NULL, *q;
	size_t n = 0;

#define PUT(s, len) do { size_t l_ = (len); \
		if (n + l_ >= out_size) l_ = out_size - 1 - n; \
		memcpy(out + n, (s), l_); n += l_; } while (0)

	if (!out_size)
		return;
	if (!scheme_end) {
		PUT(url, strlen(url));
		out[n] = 0;
		return;
	}
	auth_start = scheme_end + 3;
	host_end = auth_start + strcspn(auth_start, "/?#");
	for (const char *p = auth_start; p < host_end; p++)
		if (*p == '@')
			at = p;	/* the last '@' ends the userinfo */
	if (at) {
		colon = memchr(auth_start, ':', (size_t)(at - auth_start));
		if (colon) {
			PUT(url, (size_t)(colon - url) + 1);
			PUT("***", 3);
			PUT(at, (size_t)(host_end - at));
		} else {
			PUT(url, (size_t)(host_end - url));
		}
	} else {
		PUT(url, (size_t)(host_end - url));
	}
	/* Path, then query parameters with secret values hidden. */
	q = strchr(host_end, '?');
	if (!q) {
		PUT(host_end, strlen(host_end));
		out[n] = 0;
		return;
	}
	PUT(host_end, (size_t)(q - host_end) + 1);
	q++;
	while (*q) {
		size_t plen = strcspn(q, "&#");
		const char *eq = memchr(q, '=', plen);

		if (eq && is_secret_param(q, (size_t)(eq - q))) {
			PUT(q, (size_t)(eq - q) + 1);
			PUT("***", 3);
		} else {
			PUT(q, plen);
		}
		q += plen;
		if (*q == '&') {
			PUT("&", 1);
			q++;
		} else if (*q == '#') {
			PUT(q, strlen(q));
			break;
		}
	}
	out[n] = 0;
#undef PUT
}


int log_level_from_name(const char *name)
{
	static const char *const names[] = { "err", "warning", "notice", "info", "debug" };

	for (int i = 0; i < 5; i++)
		if (!strcasecmp(name, names[i]))
			return LOG_ERR_P + i;
	return -1;
}
