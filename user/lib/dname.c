// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Wire-format domain names: see dname.h for the contracts.
 *
 * Every function but xdpmx_dname_len() and xdpmx_dname_from_str() trusts its
 * input to be a well-formed uncompressed name (the zone model only holds names
 * that passed xdpmx_dname_len()); those two validate untrusted bytes and text.
 */
#include <errno.h>
#include <string.h>

#include "dname.h"

#define LABEL_MAX 63

static inline uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int xdpmx_dname_len(const uint8_t *n, size_t max)
{
	size_t pos = 0;

	if (max > XDPMX_DNAME_MAX)
		max = XDPMX_DNAME_MAX;
	while (pos < max) {
		uint8_t l = n[pos];

		/* 0x40, 0x80 (extended label types, RFC 6891 section 5) and
		 * 0xc0 (compression pointer) never occur in a bare name. */
		if (l & 0xc0)
			return -EINVAL;
		if (l == 0)
			return (int)pos + 1;
		pos += 1 + (size_t)l;
	}
	return -EINVAL;
}

void xdpmx_dname_canon(uint8_t *dst, const uint8_t *src, size_t len)
{
	/* Label length octets are <= 63, below 'A', so lowering every octet
	 * leaves them alone. */
	for (size_t i = 0; i < len; i++)
		dst[i] = lower(src[i]);
}

bool xdpmx_dname_eq(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		uint8_t l = *a;

		if (l != *b)
			return false;
		if (l == 0)
			return true;
		a++;
		b++;
		for (uint8_t i = 0; i < l; i++)
			if (lower(a[i]) != lower(b[i]))
				return false;
		a += l;
		b += l;
	}
}

int xdpmx_dname_cmp(const uint8_t *a, const uint8_t *b)
{
	/* Labels from the root down: the start of each, found going up. */
	const uint8_t *la[XDPMX_DNAME_MAX / 2 + 1], *lb[XDPMX_DNAME_MAX / 2 + 1];
	int na = 0, nb = 0;

	for (const uint8_t *p = a; *p; p += 1 + *p)
		la[na++] = p;
	for (const uint8_t *p = b; *p; p += 1 + *p)
		lb[nb++] = p;
	while (na && nb) {
		const uint8_t *x = la[--na], *y = lb[--nb];
		uint8_t n = *x < *y ? *x : *y;

		for (uint8_t i = 1; i <= n; i++)
			if (lower(x[i]) != lower(y[i]))
				return lower(x[i]) < lower(y[i]) ? -1 : 1;
		if (*x != *y)
			return *x < *y ? -1 : 1;
	}
	return na == nb ? 0 : na < nb ? -1 : 1;
}

int xdpmx_dname_labels(const uint8_t *n)
{
	int count = 0;

	while (*n) {
		count++;
		n += 1 + *n;
	}
	return count;
}

const uint8_t *xdpmx_dname_suffix(const uint8_t *n, int labels)
{
	int skip = xdpmx_dname_labels(n) - labels;

	while (skip-- > 0)
		n += 1 + *n;
	return n;
}

bool xdpmx_dname_is_sub(const uint8_t *name, const uint8_t *parent)
{
	int nl = xdpmx_dname_labels(name), pl = xdpmx_dname_labels(parent);

	if (nl < pl)
		return false;
	return xdpmx_dname_eq(xdpmx_dname_suffix(name, pl), parent);
}

const uint8_t *xdpmx_dname_parent(const uint8_t *n)
{
	if (*n == 0)
		return NULL;
	return n + 1 + *n;
}

/* Whether c must be backslash-escaped in a label: the label separator, the
 * escape itself, and the characters the master file syntax gives a meaning
 * to (quotes, parentheses, comments, "@" for the origin, "$" directives). */
static bool needs_backslash(uint8_t c)
{
	return c == '.' || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' || c == '@' ||
	       c == '$';
}

char *xdpmx_dname_str(const uint8_t *n, char *buf)
{
	char *p = buf;

	if (*n == 0) {
		strcpy(buf, ".");
		return buf;
	}
	while (*n) {
		uint8_t l = *n++;

		for (uint8_t i = 0; i < l; i++) {
			uint8_t c = n[i];

			if (c <= 0x20 || c >= 0x7f) {
				*p++ = '\\';
				*p++ = (char)('0' + c / 100);
				*p++ = (char)('0' + c / 10 % 10);
				*p++ = (char)('0' + c % 10);
			} else if (needs_backslash(c)) {
				*p++ = '\\';
				*p++ = (char)c;
			} else {
				*p++ = (char)c;
			}
		}
		*p++ = '.';
		n += l;
	}
	*p = '\0';
	return buf;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int xdpmx_dname_from_str(uint8_t *out, const char *s, const uint8_t *origin)
{
	size_t pos = 0;	  /* next free octet of out */
	size_t label = 0; /* where the current label's length octet is */
	bool absolute = false;

	if (!s || !*s)
		return -EINVAL;
	if (strcmp(s, "@") == 0) {
		int len;

		if (!origin)
			return -EINVAL;
		len = xdpmx_dname_len(origin, XDPMX_DNAME_MAX);
		if (len < 0)
			return len;
		memcpy(out, origin, (size_t)len);
		return len;
	}
	if (strcmp(s, ".") == 0) {
		out[0] = 0;
		return 1;
	}

	out[0] = 0;
	pos = 1;
	while (*s) {
		uint8_t c;

		if (*s == '.') {
			if (pos - label == 1) /* empty label: "..", ".x" */
				return -EINVAL;
			out[label] = (uint8_t)(pos - label - 1);
			s++;
			if (!*s) {
				absolute = true;
				break;
			}
			/* room for the next length octet and the root */
			if (pos + 1 > XDPMX_DNAME_MAX - 1)
				return -ENAMETOOLONG;
			label = pos++;
			out[label] = 0;
			continue;
		}
		if (*s == '\\') {
			s++;
			if (is_digit(s[0])) {
				unsigned v;

				if (!is_digit(s[1]) || !is_digit(s[2]))
					return -EINVAL;
				v = (unsigned)(s[0] - '0') * 100 + (unsigned)(s[1] - '0') * 10 +
				    (unsigned)(s[2] - '0');
				if (v > 255)
					return -EINVAL;
				c = (uint8_t)v;
				s += 3;
			} else if (*s) {
				c = (uint8_t)*s++;
			} else {
				return -EINVAL; /* a trailing lone backslash */
			}
		} else {
			c = (uint8_t)*s++;
		}
		if (pos - label - 1 >= LABEL_MAX)
			return -ENAMETOOLONG;
		/* keep one octet for the root label */
		if (pos + 1 > XDPMX_DNAME_MAX - 1)
			return -ENAMETOOLONG;
		out[pos++] = c;
	}
	if (!absolute)
		out[label] = (uint8_t)(pos - label - 1);

	if (!absolute && origin) {
		int olen = xdpmx_dname_len(origin, XDPMX_DNAME_MAX);

		if (olen < 0)
			return olen;
		if (pos + (size_t)olen > XDPMX_DNAME_MAX)
			return -ENAMETOOLONG;
		memcpy(out + pos, origin, (size_t)olen);
		return (int)(pos + (size_t)olen);
	}
	out[pos++] = 0;
	return (int)pos;
}
