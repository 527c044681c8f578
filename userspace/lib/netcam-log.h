/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcam user space: logging with sd-daemon priorities (journald entries
 * with fields where libsystemd is there), URL redaction and a scrubber that
 * keeps registered secrets out of every log line.  Thread-safe.
 */
#ifndef NETCAM_LOG_H
#define NETCAM_LOG_H

#include <stddef.h>

#define LOG_ERR_P	3
#define LOG_WARN_P	4
#define LOG_NOTICE_P	5
#define LOG_INFO_P	6
#define LOG_DEBUG_P	7

extern int log_max_level;	/* messages above this priority are dropped */

/* "netcamd[front-door]": stderr lines read "<6>PREFIX: text"; "" (the
 * default) prints "<6>text". */
void log_set_prefix(const char *prefix);
/* The camera a program serves, as the journal field NETCAM_CAMERA. */
void log_set_camera(const char *name);
void log_msg(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define log_err(...)	log_msg(LOG_ERR_P, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN_P, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE_P, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO_P, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG_P, __VA_ARGS__)

/* "err", "warning", "notice", "info", "debug" -> 3..7; -1 if none. */
int log_level_from_name(const char *name);

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

#endif
