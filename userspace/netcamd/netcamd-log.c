// SPDX-License-Identifier: GPL-2.0-only
/* netcamd: logging, redaction, secret scrubbing. */
#define _GNU_SOURCE
#include "netcamd-log.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#ifdef NETCAMD_WITH_FFMPEG
#include <libavutil/log.h>
#endif

int log_max_level = LOG_INFO_P;

#define MAX_SECRETS 8
static char *secrets[MAX_SECRETS * 2];
static char log_prefix[64] = "netcamd";
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void log_set_prefix(const char *prefix)
{
	snprintf(log_prefix, sizeof(log_prefix), "%s", prefix);
}

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
	fprintf(stderr, "<%d>%s: %s\n", prio, log_prefix, line);
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

static _Thread_local char last_ffmpeg_error[256];

const char *log_last_ffmpeg_error(void)
{
	return last_ffmpeg_error;
}

void log_clear_ffmpeg_error(void)
{
	last_ffmpeg_error[0] = 0;
}

#ifdef NETCAMD_WITH_FFMPEG
static void ffmpeg_log(void *avcl, int level, const char *fmt, va_list vl)
{
	char line[1024];
	int print_prefix = 0, prio;	/* no "[ctx @ 0xADDR]": stable text */

	if (level > av_log_get_level())
		return;
	av_log_format_line(avcl, level, fmt, vl, line, sizeof(line), &print_prefix);
	/* FFmpeg repeats its errors on every retry: keep the newest one
	 * for the caller's (once per change) message; show all at debug. */
	prio = LOG_DEBUG_P;
	if (line[0] == 0 || strcmp(line, "\n") == 0)
		return;
	if (level <= AV_LOG_ERROR) {
		size_t n = strlen(line);

		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = 0;
		snprintf(last_ffmpeg_error, sizeof(last_ffmpeg_error), "%s", line);
	}
	log_msg(prio, "ffmpeg: %s", line);
}

void log_hook_ffmpeg(void)
{
	av_log_set_level(log_max_level >= LOG_DEBUG_P ? AV_LOG_VERBOSE : AV_LOG_ERROR);
	av_log_set_callback(ffmpeg_log);
}
#else
void log_hook_ffmpeg(void)
{
}
#endif

double source_backoff(double min, double max, unsigned int attempt,
		      double jitter01)
{
	double d = min;

	for (unsigned int i = 0; i < attempt && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	return d * (0.8 + 0.4 * jitter01);
}

