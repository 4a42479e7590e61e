// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The compiled set a zone gives the fast path: see fpset.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "fpset.h"
#include "wire.h"

/* DNSSEC types (RFC 4034), which wire.h does not name. */
#define TYPE_RRSIG 46
#define TYPE_DNSKEY 48

static const uint16_t compiled_types[] = {XDPMX_TYPE_A, XDPMX_TYPE_AAAA, XDPMX_TYPE_MX,
					  XDPMX_TYPE_PTR};

static bool is_below(const uint8_t *name, const uint8_t *const *below, size_t n_below)
{
	for (size_t i = 0; i < n_below; i++)
		if (xdpmx_dname_is_sub(name, below[i]))
			return true;
	return false;
}

void xdpmx_fpset_free(struct xdpmx_fpset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_own; i++)
		free(s->own[i]);
	free(s->own);
	free(s->c.e);
	xdpmx_compiled_free(s->full);
	free(s);
}

int xdpmx_fpset_build(const struct xdpmx_zone *z, const uint8_t *const *below, size_t n_below,
		      struct xdpmx_fpset **out)
{
	struct xdpmx_fpset *s = calloc(1, sizeof(*s));
	size_t k = 0;
	int ret;

	if (!s)
		return -ENOMEM;
	ret = xdpmx_compile_zone(z, &s->full);
	if (ret) {
		free(s);
		return ret;
	}
	/* Take the entries; full keeps only the arena of their blobs. */
	s->c = *s->full;
	s->c.arena = NULL;
	s->cap = s->c.n;
	s->full->e = NULL;
	s->full->n = 0;
	for (size_t i = 0; i < s->c.n; i++) {
		if (n_below && is_below(s->c.e[i].key.name, below, n_below)) {
			s->filtered++;
			continue;
		}
		s->c.e[k++] = s->c.e[i];
	}
	s->c.n = k;
	s->recompiled = k + s->filtered + s->c.skipped[XDPMX_SKIP_TOO_BIG] +
			s->c.skipped[XDPMX_SKIP_TOO_MANY];
	*out = s;
	return 0;
}

/* Place of (owner, type) in s->c.e, or where it would go; *found says
 * which. */
static size_t find(const struct xdpmx_fpset *s, const uint8_t *owner, size_t len, uint16_t type,
		   bool *found)
{
	struct xdpmx_centry key;
	size_t lo = 0, hi = s->c.n;

	memset(&key.key, 0, sizeof(key.key));
	key.key.qtype = htons(type);
	memcpy(key.key.name, owner, len);
	key.name_len = (uint8_t)len;
	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = xdpmx_centry_cmp(&s->c.e[mid], &key);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool xdpmx_fpset_has(const struct xdpmx_fpset *s, const uint8_t *owner, uint16_t type)
{
	int len = xdpmx_dname_len(owner, XDPMX_DNAME_MAX);
	bool found;

	if (len < 0)
		return false;
	find(s, owner, (size_t)len, type, &found);
	return found;
}

/* Compile (name, type) in z into *e and count it into s's totals with sign
 * (+1 for the new zone, -1 for the old). Returns 0 when e holds an entry
 * (its blob malloc'd), 1 when there is none. */
static int compile_one(struct xdpmx_fpset *s, const struct xdpmx_zone *z, const uint8_t *name,
		       uint16_t type, int sign, struct xdpmx_centry *e)
{
	const struct xdpmx_node *n = xdpmx_zone_lookup(z, name);
	const struct xdpmx_rrset *rs = n ? xdpmx_node_rrset(n, type) : NULL;
	int ret;

	if (!rs)
		return 1;
	memset(e, 0, sizeof(*e));
	ret = xdpmx_compile_rrset(z, n, rs, e);
	if (ret == -E2BIG)
		s->c.skipped[XDPMX_SKIP_TOO_BIG] += sign;
	else if (ret == -ENOSPC)
		s->c.skipped[XDPMX_SKIP_TOO_MANY] += sign;
	if (ret == -ENOMEM)
		return ret;
	if (ret)
		return 1; /* not compiled: not answerable here, or skipped */
	s->c.ad_trimmed += sign * !!(e->flags & XDPMX_CENTRY_F_AD_TRIMMED);
	s->c.blob_bytes += sign * (int64_t)e->blob_len;
	return 0;
}

/* Whether zn has an RRset (name, type) compile_one() may have tried. */
static bool zn_has(const struct xdpmx_zone *zn, const uint8_t *name, uint16_t type)
{
	const struct xdpmx_node *n = xdpmx_zone_lookup(zn, name);

	return n && xdpmx_node_rrset(n, type);
}

/* Recompile (name, type): drop what zo compiled, put in what zn does. */
static int update(struct xdpmx_fpset *s, const struct xdpmx_zone *zo, const struct xdpmx_zone *zn,
		  const uint8_t *name, uint16_t type, const uint8_t *const *below, size_t n_below)
{
	struct xdpmx_centry e;
	bool found, under = n_below && is_below(name, below, n_below);
	size_t len = (size_t)xdpmx_dname_len(name, XDPMX_DNAME_MAX), at;
	int ret;

	ret = compile_one(s, zo, name, type, -1, &e);
	if (ret < 0)
		return ret;
	if (!ret) {
		xdpmx_centry_release(&e);
		s->filtered -= under;
	}
	ret = compile_one(s, zn, name, type, +1, &e);
	if (ret < 0)
		return ret;
	s->recompiled += ret == 0 || zn_has(zn, name, type);
	at = find(s, name, len, type, &found);
	if (!ret && under) {
		xdpmx_centry_release(&e);
		s->filtered++;
		ret = 1;
	}
	if (ret) {
		if (found) {
			memmove(&s->c.e[at], &s->c.e[at + 1], (s->c.n - at - 1) * sizeof(*s->c.e));
			s->c.n--;
		}
		return 0;
	}
	if (s->n_own == s->cap_own) {
		size_t cap = s->cap_own ? 2 * s->cap_own : 16;
		uint8_t **o = realloc(s->own, cap * sizeof(*o));

		if (!o) {
			xdpmx_centry_release(&e);
			return -ENOMEM;
		}
		s->own = o;
		s->cap_own = cap;
	}
	s->own[s->n_own++] = e.blob;
	if (found) {
		s->c.e[at] = e;
		return 0;
	}
	if (s->c.n == s->cap) {
		size_t cap = s->cap ? s->cap + s->cap / 4 + 16 : 16;
		struct xdpmx_centry *a = realloc(s->c.e, cap * sizeof(*a));

		if (!a)
			return -ENOMEM; /* e.blob is in own: freed with s */
		s->c.e = a;
		s->cap = cap;
	}
	memmove(&s->c.e[at + 1], &s->c.e[at], (s->c.n - at) * sizeof(*s->c.e));
	s->c.e[at] = e;
	s->c.n++;
	return 0;
}

/* Whether one of the exchanges of MX RRset rs is name (canonical). */
static bool mx_names(const struct xdpmx_rrset *rs, const uint8_t *name)
{
	for (uint16_t i = 0; i < rs->count; i++)
		if (rs->rdlen[i] > 2 && xdpmx_dname_len(rs->rdata[i] + 2, rs->rdlen[i] - 2) > 0 &&
		    xdpmx_dname_eq(rs->rdata[i] + 2, name))
			return true;
	return false;
}

int xdpmx_fpset_edit(struct xdpmx_fpset *s, const struct xdpmx_zone *zo,
		     const struct xdpmx_zone *zn, const uint8_t *owner, uint16_t type,
		     const uint8_t *const *below, size_t n_below)
{
	int ret;

	if (type == XDPMX_TYPE_NS || type == XDPMX_TYPE_DNAME || type == TYPE_DNSKEY ||
	    type == TYPE_RRSIG || ((zo->flags ^ zn->flags) & XDPMX_ZONE_SIGNED))
		return -EAGAIN;
	s->recompiled = 0;
	for (size_t i = 0; i < sizeof(compiled_types) / sizeof(compiled_types[0]); i++) {
		ret = update(s, zo, zn, owner, compiled_types[i], below, n_below);
		if (ret)
			return ret;
	}
	if (type != XDPMX_TYPE_A && type != XDPMX_TYPE_AAAA && type != XDPMX_TYPE_CNAME)
		return 0;
	/* The additional sections that hold owner's addresses. An MX RRset
	 * other than owner's own is the same in zo and zn, so zn's say which. */
	for (size_t i = 0; i < zn->n_nodes; i++) {
		const struct xdpmx_node *n = zn->nodes[i];
		const struct xdpmx_rrset *mx = xdpmx_node_rrset(n, XDPMX_TYPE_MX);

		if (!mx || xdpmx_dname_eq(n->name, owner) || !mx_names(mx, owner))
			continue;
		ret = update(s, zo, zn, n->name, XDPMX_TYPE_MX, below, n_below);
		if (ret)
			return ret;
	}
	return 0;
}
