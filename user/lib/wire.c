// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Bounded DNS message reading and writing: name walking and compressed name
 * output. The contracts are in wire.h.
 */
#include "wire.h"

/* ASCII lowercase; label length bytes (<= 63) and other octets are left
 * alone, so whole wire names compare with it. */
static inline uint8_t lc(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c | 0x20 : c;
}

static bool ci_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i] && lc(a[i]) != lc(b[i]))
			return false;
	}
	return true;
}

int xdpmx_rbuf_name(struct xdpmx_rbuf *b, bool allow_ptr)
{
	size_t start = b->pos, p = b->pos, octets = 0;

	/* Each step consumes at least one byte of the bounded buffer and
	 * octets caps the labels at XDPMX_NAME_MAX, so the loop ends. */
	for (;;) {
		uint8_t l;

		if (p >= b->len)
			return -EBADMSG;
		l = b->p[p];
		if ((l & 0xc0) == 0xc0) {
			if (!allow_ptr || b->len - p < 2)
				return -EBADMSG;
			p += 2;
			break;
		}
		if (l & 0xc0) /* extended label types 01 and 10 */
			return -EBADMSG;
		octets += l + 1;
		if (octets > XDPMX_NAME_MAX)
			return -EBADMSG;
		p += 1 + l;
		if (l == 0)
			break;
	}
	if (p > b->len)
		return -EBADMSG;
	b->pos = p;
	return (int)(p - start);
}

void xdpmx_ctable_trim(struct xdpmx_ctable *t, size_t off)
{
	/* Entries are added in message order, so the ones to drop are last. */
	while (t->n > 0 && t->e[t->n - 1].off >= off)
		t->n--;
}

/* Add the suffixes of name (len octets) that start in its first upto
 * octets, name being at message offset off. */
static void ctable_add_upto(struct xdpmx_ctable *t, const uint8_t *name, size_t len, size_t upto,
			    size_t off)
{
	for (size_t i = 0; i < upto && name[i] != 0; i += name[i] + 1) {
		if (t->n >= XDPMX_CTABLE_MAX || off + i > XDPMX_CPTR_MAX)
			return;
		t->e[t->n].name = name + i;
		t->e[t->n].off = (uint16_t)(off + i);
		t->e[t->n].len = (uint8_t)(len - i);
		t->n++;
	}
}

void xdpmx_ctable_add(struct xdpmx_ctable *t, const uint8_t *name, size_t len, size_t off)
{
	ctable_add_upto(t, name, len, len, off);
}

/* Offset in name of the longest suffix (not the root) that t holds, with
 * its message offset in *ptr; len - 1 (the root byte) when there is none. */
static size_t ctable_find(const struct xdpmx_ctable *t, const uint8_t *name, size_t len,
			  uint16_t *ptr)
{
	size_t i;

	for (i = 0; name[i] != 0; i += name[i] + 1) {
		size_t slen = len - i;

		for (unsigned k = 0; k < t->n; k++) {
			const struct xdpmx_ctable_ent *e = &t->e[k];

			if (e->len == slen && ci_eq(e->name, name + i, slen)) {
				*ptr = e->off;
				return i;
			}
		}
	}
	return i;
}

int xdpmx_wbuf_name(struct xdpmx_wbuf *b, struct xdpmx_ctable *t, const uint8_t *name, size_t len)
{
	size_t lit = len, off = b->pos;
	uint16_t ptr = 0;

	if (t) {
		lit = ctable_find(t, name, len, &ptr);
		if (lit == len - 1) /* no suffix known: the root byte is literal too */
			lit = len;
	}
	if (xdpmx_wbuf_left(b) < lit + (lit < len ? 2 : 0))
		return -ENOSPC;
	memcpy(b->p + b->pos, name, lit);
	b->pos += lit;
	if (lit < len) {
		xdpmx_put16(b->p + b->pos, 0xc000 | ptr);
		b->pos += 2;
	}
	if (t)
		ctable_add_upto(t, name, len, lit, off);
	return 0;
}
