// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Sets of zones: see zone.h. Zones keep the order they were added in (so
 * listings and checks are stable); an apex index answers get() in one hash
 * probe and find() in one probe per label of the name. A set is not locked:
 * writers build a new one (xdpmx_zoneset_dup, put, del) and publish it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zone_int.h"

struct zsindex {
	uint32_t *slot; /* zone index + 1; 0: empty */
	size_t mask;
};

static int reindex(struct xdpmx_zoneset *s)
{
	struct zsindex *ix = s->index;
	size_t size = 16;
	uint32_t *slot;

	while (size < 2 * s->n)
		size <<= 1;
	slot = calloc(size, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < s->n; i++) {
		const struct xdpmx_zone *z = s->zones[i];
		size_t j = xdpmx_zhash(z->apex, z->apex_len) & (size - 1);

		while (slot[j])
			j = (j + 1) & (size - 1);
		slot[j] = (uint32_t)i + 1;
	}
	free(ix->slot);
	ix->slot = slot;
	ix->mask = size - 1;
	return 0;
}

/* Index zone i, when the table has room (at most half full after it). */
static bool index_add(struct xdpmx_zoneset *s, size_t i)
{
	struct zsindex *ix = s->index;
	const struct xdpmx_zone *z = s->zones[i];
	size_t j;

	if (!ix->slot || 2 * s->n > ix->mask + 1)
		return false;
	for (j = xdpmx_zhash(z->apex, z->apex_len) & ix->mask; ix->slot[j]; j = (j + 1) & ix->mask)
		;
	ix->slot[j] = (uint32_t)i + 1;
	return true;
}

/* Index of the zone whose apex is exactly canon (len octets), or -1. */
static long find_apex(const struct xdpmx_zoneset *s, const uint8_t *canon, size_t len)
{
	const struct zsindex *ix = s->index;

	if (!ix->slot)
		return -1;
	for (size_t j = xdpmx_zhash(canon, len) & ix->mask; ix->slot[j]; j = (j + 1) & ix->mask) {
		const struct xdpmx_zone *z = s->zones[ix->slot[j] - 1];

		if (z->apex_len == len && memcmp(z->apex, canon, len) == 0)
			return (long)ix->slot[j] - 1;
	}
	return -1;
}

struct xdpmx_zoneset *xdpmx_zoneset_new(void)
{
	struct xdpmx_zoneset *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->index = calloc(1, sizeof(struct zsindex));
	if (!s->index || reindex(s)) {
		free(s->index);
		free(s);
		errno = ENOMEM;
		return NULL;
	}
	return s;
}

int xdpmx_zoneset_put(struct xdpmx_zoneset *s, struct xdpmx_zone *z)
{
	long i = find_apex(s, z->apex, z->apex_len);
	struct xdpmx_zone **a;

	if (i >= 0) {
		struct xdpmx_zone *old = s->zones[i];

		s->zones[i] = xdpmx_zone_ref(z);
		xdpmx_zone_unref(old);
		return 0;
	}
	a = realloc(s->zones, (s->n + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	s->zones = a;
	s->zones[s->n++] = z;
	/* Rehash only when the table grows: building a set is linear. */
	if (!index_add(s, s->n - 1) && reindex(s)) {
		s->n--;
		return -ENOMEM;
	}
	xdpmx_zone_ref(z);
	return 0;
}

int xdpmx_zoneset_del(struct xdpmx_zoneset *s, const uint8_t *apex)
{
	uint8_t canon[XDPMX_DNAME_MAX];
	int len = xdpmx_dname_len(apex, XDPMX_DNAME_MAX);
	struct xdpmx_zone *z;
	long i;

	if (len < 0)
		return -EINVAL;
	xdpmx_dname_canon(canon, apex, (size_t)len);
	i = find_apex(s, canon, (size_t)len);
	if (i < 0)
		return -ENOENT;
	z = s->zones[i];
	memmove(&s->zones[i], &s->zones[i + 1], (s->n - (size_t)i - 1) * sizeof(*s->zones));
	s->n--;
	if (reindex(s)) {
		/* put it back: the set is unchanged on failure */
		memmove(&s->zones[i + 1], &s->zones[i], (s->n - (size_t)i) * sizeof(*s->zones));
		s->zones[i] = z;
		s->n++;
		return -ENOMEM;
	}
	xdpmx_zone_unref(z);
	return 0;
}

struct xdpmx_zone *xdpmx_zoneset_get(const struct xdpmx_zoneset *s, const uint8_t *apex)
{
	uint8_t canon[XDPMX_DNAME_MAX];
	int len = xdpmx_dname_len(apex, XDPMX_DNAME_MAX);
	long i;

	if (len < 0)
		return NULL;
	xdpmx_dname_canon(canon, apex, (size_t)len);
	i = find_apex(s, canon, (size_t)len);
	return i < 0 ? NULL : s->zones[i];
}

struct xdpmx_zone *xdpmx_zoneset_find(const struct xdpmx_zoneset *s, const uint8_t *canon)
{
	int len = xdpmx_dname_len(canon, XDPMX_DNAME_MAX);
	const uint8_t *p = canon;

	if (len < 0 || s->n == 0)
		return NULL;
	for (;;) {
		long i = find_apex(s, p, (size_t)len);

		if (i >= 0)
			return s->zones[i];
		if (*p == 0)
			return NULL;
		len -= 1 + *p;
		p += 1 + *p;
	}
}

struct xdpmx_zoneset *xdpmx_zoneset_dup(const struct xdpmx_zoneset *s)
{
	struct xdpmx_zoneset *c = xdpmx_zoneset_new();

	if (!c)
		return NULL;
	c->zones = malloc((s->n ? s->n : 1) * sizeof(*c->zones));
	if (!c->zones) {
		xdpmx_zoneset_free(c);
		errno = ENOMEM;
		return NULL;
	}
	for (size_t i = 0; i < s->n; i++)
		c->zones[i] = xdpmx_zone_ref(s->zones[i]);
	c->n = s->n;
	if (reindex(c)) {
		xdpmx_zoneset_free(c);
		errno = ENOMEM;
		return NULL;
	}
	return c;
}

void xdpmx_zoneset_free(struct xdpmx_zoneset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		xdpmx_zone_unref(s->zones[i]);
	free(s->zones);
	if (s->index)
		free(((struct zsindex *)s->index)->slot);
	free(s->index);
	free(s);
}
