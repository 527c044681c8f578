// SPDX-License-Identifier: GPL-2.0-only
/* netcamd: HTTP digest answers FFmpeg will not give; see netcamd-digest.h. */
#include "netcamd-digest.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libavutil/md5.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Copies a token or quoted-string value at *p into out (cut to size);
 * leaves *p after it. */
static void read_value(const char **p, char *out, size_t size)
{
	const char *s = *p;
	size_t n = 0;

	if (*s == '"') {
		for (s++; *s && *s != '"'; s++) {
			if (*s == '\\' && s[1])
				s++;
			if (n + 1 < size)
				out[n++] = *s;
		}
		if (*s == '"')
			s++;
	} else {
		for (; *s && *s != ',' && !is_space(*s); s++)
			if (n + 1 < size)
				out[n++] = *s;
	}
	out[n] = 0;
	*p = s;
}

/* Does the comma-separated list hold token (any case)? */
static bool list_has(const char *list, const char *token)
{
	size_t len = strlen(token);

	for (const char *p = list; *p;) {
		while (*p == ',' || is_space(*p))
			p++;
		if (!strncasecmp(p, token, len) &&
		    (p[len] == 0 || p[len] == ',' || is_space(p[len])))
			return true;
		while (*p && *p != ',')
			p++;
	}
	return false;
}

bool digest_parse(const char *value, struct digest_challenge *ch)
{
	const char *p = value;
	char qop[128] = "";

	memset(ch, 0, sizeof(*ch));
	while (is_space(*p))
		p++;
	if (strncasecmp(p, "Digest", 6) || !is_space(p[6]))
		return false;
	p += 6;
	for (;;) {
		char name[32], dummy[8];
		size_t n = 0;

		while (is_space(*p) || *p == ',')
			p++;
		if (!*p)
			break;
		while (*p && *p != '=' && *p != ',' && !is_space(*p))
			if (n + 1 < sizeof(name))
				name[n++] = *p++;
			else
				p++;
		name[n] = 0;
		while (is_space(*p))
			p++;
		if (*p != '=')
			continue;	/* a bare token: nothing we use */
		p++;
		while (is_space(*p))
			p++;
		if (!strcasecmp(name, "realm"))
			read_value(&p, ch->realm, sizeof(ch->realm));
		else if (!strcasecmp(name, "nonce"))
			read_value(&p, ch->nonce, sizeof(ch->nonce));
		else if (!strcasecmp(name, "opaque"))
			read_value(&p, ch->opaque, sizeof(ch->opaque));
		else if (!strcasecmp(name, "algorithm"))
			read_value(&p, ch->algorithm, sizeof(ch->algorithm));
		else if (!strcasecmp(name, "qop"))
			read_value(&p, qop, sizeof(qop));
		else
			read_value(&p, dummy, sizeof(dummy));
	}
	if (!ch->nonce[0])
		return false;
	if (ch->algorithm[0] && strcasecmp(ch->algorithm, "MD5") &&
	    strcasecmp(ch->algorithm, "MD5-sess"))
		return false;	/* SHA-256 and others: not ours to answer */
	ch->sess = !strcasecmp(ch->algorithm, "MD5-sess");
	ch->qop_auth = list_has(qop, "auth");
	return !qop[0] || ch->qop_auth;	/* no qop (RFC 2069), or one we speak */
}

bool digest_ffmpeg_refuses(const struct digest_challenge *ch)
{
	return ch->algorithm[0] && strcmp(ch->algorithm, "MD5") &&
	       strcmp(ch->algorithm, "MD5-sess");
}

/* MD5 of text in lower-case hex. */
static void md5_hex(const char *text, char hex[33])
{
	uint8_t sum[16];

	av_md5_sum(sum, (const uint8_t *)text, strlen(text));
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
}

/* Appends the strings (up to a NULL) at out[n]; the new length, or -1
 * if they do not fit. */
static int append(char *out, size_t size, int n, const char *const *parts)
{
	size_t len = n < 0 ? size : (size_t)n;

	for (; *parts && len < size; parts++) {
		size_t k = strlen(*parts);

		if (len + k >= size)
			return -1;
		memcpy(out + len, *parts, k + 1);
		len += k;
	}
	return len < size ? (int)len : -1;
}

static bool header_safe(const char *s)
{
	return !strpbrk(s, "\"\\\r\n");
}

int digest_authorization(const struct digest_challenge *ch, const char *user,
			 const char *password, const char *method,
			 const char *uri, const char *cnonce, unsigned int nc,
			 char *out, size_t size)
{
	char buf[2048], ha1[33], ha2[33], response[33], count[9];
	int n;

	if (!header_safe(user) || !header_safe(uri) || !header_safe(ch->realm) ||
	    strpbrk(ch->algorithm, "\"\\\r\n, ") ||
	    !header_safe(ch->nonce) || !header_safe(ch->opaque) || !header_safe(cnonce))
		return -1;
	if ((size_t)snprintf(buf, sizeof(buf), "%s:%s:%s", user, ch->realm, password) >=
	    sizeof(buf))
		return -1;
	md5_hex(buf, ha1);
	if (ch->sess) {
		snprintf(buf, sizeof(buf), "%s:%s:%s", ha1, ch->nonce, cnonce);
		md5_hex(buf, ha1);
	}
	if ((size_t)snprintf(buf, sizeof(buf), "%s:%s", method, uri) >= sizeof(buf))
		return -1;
	md5_hex(buf, ha2);
	snprintf(count, sizeof(count), "%08x", nc);
	if (ch->qop_auth)
		snprintf(buf, sizeof(buf), "%s:%s:%s:%s:auth:%s", ha1, ch->nonce, count, cnonce, ha2);
	else
		snprintf(buf, sizeof(buf), "%s:%s:%s", ha1, ch->nonce, ha2);
	md5_hex(buf, response);
	/* The algorithm is echoed as the server spelt it. */
	n = snprintf(out, size,
		     "Authorization: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", response=\"%s\"",
		     user, ch->realm, ch->nonce, uri, response);
	if (ch->algorithm[0])
		n = append(out, size, n, (const char *const[]){
			", algorithm=", ch->algorithm, NULL });
	if (ch->opaque[0])
		n = append(out, size, n, (const char *const[]){
			", opaque=\"", ch->opaque, "\"", NULL });
	if (ch->qop_auth)
		n = append(out, size, n, (const char *const[]){
			", qop=auth, nc=", count, ", cnonce=\"", cnonce, "\"", NULL });
	n = append(out, size, n, (const char *const[]){ "\r\n", NULL });
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}
