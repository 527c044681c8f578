/* SPDX-License-Identifier: GPL-2.0-only */
/* netcamd: logging with sd-daemon priority prefixes, URL redaction and a
 * scrubber that keeps registered secrets out of every log line. */
#ifndef NETCAMD_LOG_H
#define NETCAMD_LOG_H

#include <stddef.h>
#include <stdint.h>

#define LOG_ERR_P	3
#define LOG_WARN_P	4
#define LOG_NOTICE_P	5
#define LOG_INFO_P	6
#define LOG_DEBUG_P	7

extern int log_max_level;	/* messages above this priority are dropped */

void log_set_prefix(const char *prefix);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define log_err(...)	log_msg(LOG_ERR_P, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN_P, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE_P, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO_P, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG_P, __VA_ARGS__)

/* Register a secret: every later log line has each occurrence of it (and
 * of its percent-encoded form) replaced by "***". Up to 8 secrets. */
void log_add_secret(const char *secret);
/* Replace registered secrets in buf (in place, NUL-terminated). */
void log_scrub(char *buf, size_t size);

/* Copy url into out with the password of "scheme://user:pass@host" and
 * the values of password-like query parameters (password, pass, pwd,
 * passwd, token, key, auth) replaced by "***". Always NUL-terminates. */
void url_redact(const char *url, char *out, size_t out_size);

/* Percent-encode s for the userinfo part of a URL. 0, or -1 if out is
 * too small. */
int url_encode_userinfo(const char *s, char *out, size_t out_size);

/* Route FFmpeg's own log messages through log_msg (scrubbed). */
void log_hook_ffmpeg(void);
/* The newest error-level FFmpeg message of this thread ("" if none). */
const char *log_last_ffmpeg_error(void);
void log_clear_ffmpeg_error(void);

uint64_t mono_ns(void);

/* Backoff delay in seconds before retry number attempt (0-based):
 * min * 2^attempt capped at max, times a jitter factor in [0.8, 1.2]
 * given as jitter01 in [0, 1). Exposed for unit tests. */
double source_backoff(double min, double max, unsigned int attempt,
		      double jitter01);


#endif
