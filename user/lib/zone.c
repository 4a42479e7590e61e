// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The zone model: the builder that turns parsed records into an immutable
 * struct xdpmx_zone (zone.h), the name index, lookups and reference counts.
 * The master file reader is zoneload.c, the checks zonecheck.c.
 *
 * Layout of a built zone: one arena holds names, RDATA and file names; nodes,
 * node pointers, RRsets, RDATA lengths and RDATA pointers are one array each;
 * the name index is an open-addressing table of (hash, node) pairs. Freeing a
 * zone is a handful of free() calls whatever its size.
 */
#define _GNU_SOURCE /* qsort_r */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "zone_int.h"

/* ---- Arena ------------------------------------------------------------------ */

#define ZARENA_CHUNK (1U << 20)
#define ZARENA_FIRST (4096U - 64U)

struct zarena_chunk {
	struct zarena_chunk *next;
	max_align_t data[];
};

void *zarena_alloc(struct zarena *a, size_t n, size_t align)
{
	uintptr_t p = ((uintptr_t)a->p + (align - 1)) & ~(uintptr_t)(align - 1);
	struct zarena_chunk *c;
	size_t size;
	bool big;

	if (a->p && p + n <= (uintptr_t)a->end) {
		a->p = (uint8_t *)(p + n);
		return (void *)p;
	}
	/* Chunks grow with the zone, from ZARENA_FIRST to ZARENA_CHUNK: a
	 * small zone (a server may load 100,000 of them) stays small. A big
	 * object gets a chunk of its own, placed behind the current one so
	 * the free space of the current chunk stays usable. */
	size = a->bytes < ZARENA_FIRST ? ZARENA_FIRST : a->bytes;
	if (size > ZARENA_CHUNK)
		size = ZARENA_CHUNK;
	big = n + align > size / 4;
	if (big)
		size = n + align;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	a->bytes += sizeof(*c) + size;
	p = ((uintptr_t)c->data + (align - 1)) & ~(uintptr_t)(align - 1);
	if (big && a->head) {
		c->next = a->head->next;
		a->head->next = c;
		return (void *)p;
	}
	c->next = a->head;
	a->head = c;
	a->p = (uint8_t *)(p + n);
	a->end = (uint8_t *)c->data + size;
	return (void *)p;
}

void *zarena_dup(struct zarena *a, const void *src, size_t n)
{
	void *p = zarena_alloc(a, n ? n : 1, 1);

	if (p && n)
		memcpy(p, src, n);
	return p;
}

void zarena_free(struct zarena *a)
{
	struct zarena_chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	memset(a, 0, sizeof(*a));
}

/* ---- Hash ---------------------------------------------------------------- */

static inline uint64_t mix64(uint64_t x)
{
	/* splitmix64's finaliser: every input bit reaches every output bit */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t xdpmx_zhash(const uint8_t *p, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;

	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;

		memcpy(&w, p, len);
		h = (h ^ w) * 0x100000001b3ULL;
	}
	h = mix64(h);
	return h ? h : 1;
}

/* ---- Private part of a zone (struct zpriv: zone_int.h) ---------------------- */

static void zone_free(struct xdpmx_zone *z)
{
	struct zpriv *p = z->index;

	xdpmx_zpatch_release(p);
	free(z->nodes);
	free(p->node_mem);
	free(p->rrset_mem);
	free(p->rdlen_mem);
	free(p->rdata_mem);
	free(p->slots);
	free(p->files);
	zarena_free(&p->arena);
	free(z);
}

struct xdpmx_zone *xdpmx_zone_ref(struct xdpmx_zone *z)
{
	if (z)
		__atomic_add_fetch(&z->refs, 1, __ATOMIC_RELAXED);
	return z;
}

void xdpmx_zone_unref(struct xdpmx_zone *z)
{
	if (z && __atomic_sub_fetch(&z->refs, 1, __ATOMIC_ACQ_REL) == 0)
		zone_free(z);
}

/* Length of a canonical name the caller vouches for, bounded so that a bad
 * one cannot run off: 0 if it is not a name. */
static size_t name_len_bounded(const uint8_t *n)
{
	int len = xdpmx_dname_len(n, XDPMX_DNAME_MAX);

	return len < 0 ? 0 : (size_t)len;
}

const struct xdpmx_node *xdpmx_zone_lookup(const struct xdpmx_zone *z, const uint8_t *canon)
{
	const struct zpriv *p = z->index;
	size_t len = name_len_bounded(canon);
	uint64_t h;
	uint32_t tag;
	size_t i;

	if (!len || !p->slots)
		return NULL;
	h = xdpmx_zhash(canon, len);
	tag = (uint32_t)(h >> 32);
	for (i = h & p->mask;; i = (i + 1) & p->mask) {
		const struct zslot *s = &p->slots[i];
		const struct xdpmx_node *n;

		if (!s->node)
			return NULL;
		if (s->hash != tag)
			continue;
		n = &p->node_mem[s->node - 1];
		if (n->name_len == len && memcmp(n->name, canon, len) == 0)
			return n;
	}
}

const struct xdpmx_rrset *xdpmx_node_rrset(const struct xdpmx_node *n, uint16_t type)
{
	size_t lo = 0, hi = n->n_rrsets;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		uint16_t t = n->rrsets[mid].type;

		if (t == type)
			return &n->rrsets[mid];
		if (t < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* ---- Builder: adding records ------------------------------------------------ */

void xdpmx_zb_init(struct xdpmx_zb *b, struct xdpmx_diag *d)
{
	memset(b, 0, sizeof(*b));
	b->d = d;
}

void xdpmx_zb_release(struct xdpmx_zb *b)
{
	zarena_free(&b->arena);
	free(b->files);
	free(b->names);
	free(b->ntab);
	free(b->recs);
	memset(b, 0, sizeof(*b));
}

void xdpmx_zb_set_apex(struct xdpmx_zb *b, const uint8_t *apex, size_t len)
{
	xdpmx_dname_canon(b->apex, apex, len);
	b->apex_len = (uint8_t)len;
	b->apex_labels = xdpmx_dname_labels(b->apex);
}

int xdpmx_zb_file(struct xdpmx_zb *b, const char *path)
{
	char *copy;

	if (b->n_files >= UINT16_MAX)
		return -E2BIG;
	if (b->n_files == b->cap_files) {
		size_t cap = b->cap_files ? 2 * b->cap_files : 8;
		const char **f = realloc(b->files, cap * sizeof(*f));

		if (!f)
			return -ENOMEM;
		b->files = f;
		b->cap_files = cap;
	}
	copy = zarena_dup(&b->arena, path, strlen(path) + 1);
	if (!copy)
		return -ENOMEM;
	b->files[b->n_files] = copy;
	return (int)b->n_files++;
}

static int ntab_grow(struct xdpmx_zb *b)
{
	size_t size = b->ntab ? 2 * (b->ntab_mask + 1) : 1024;
	uint32_t *t = calloc(size, sizeof(*t));

	if (!t)
		return -ENOMEM;
	for (size_t i = 0; i < b->n_names; i++) {
		size_t j = b->names[i].hash & (size - 1);

		while (t[j])
			j = (j + 1) & (size - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(b->ntab);
	b->ntab = t;
	b->ntab_mask = size - 1;
	return 0;
}

/* Index of the name (canonical canon, written as oname), added if new;
 * -ENOMEM on failure. */
static long intern_name(struct xdpmx_zb *b, const uint8_t *canon, const uint8_t *oname, size_t len,
			uint8_t ent)
{
	uint64_t h = xdpmx_zhash(canon, len);
	struct zname *n;
	uint8_t *mem;
	size_t j;

	if (!b->ntab || 2 * (b->n_names + 1) > b->ntab_mask + 1) {
		if (ntab_grow(b))
			return -ENOMEM;
	}
	for (j = h & b->ntab_mask; b->ntab[j]; j = (j + 1) & b->ntab_mask) {
		n = &b->names[b->ntab[j] - 1];
		if (n->hash == h && n->len == len && memcmp(n->canon, canon, len) == 0)
			return (long)b->ntab[j] - 1;
	}
	if (b->n_names >= UINT32_MAX - 1)
		return -ENOMEM;
	if (b->n_names == b->cap_names) {
		size_t cap = b->cap_names ? 2 * b->cap_names : 1024;
		struct zname *a = realloc(b->names, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		b->names = a;
		b->cap_names = cap;
	}
	mem = zarena_alloc(&b->arena, 2 * len, 1);
	if (!mem)
		return -ENOMEM;
	memcpy(mem, canon, len);
	memcpy(mem + len, oname, len);
	n = &b->names[b->n_names];
	n->canon = mem;
	n->oname = mem + len;
	n->hash = h;
	n->len = (uint8_t)len;
	n->ent = ent;
	b->ntab[j] = (uint32_t)b->n_names + 1;
	return (long)b->n_names++;
}

static long find_name(const struct xdpmx_zb *b, const uint8_t *canon, size_t len)
{
	uint64_t h = xdpmx_zhash(canon, len);

	if (!b->ntab)
		return -1;
	for (size_t j = h & b->ntab_mask; b->ntab[j]; j = (j + 1) & b->ntab_mask) {
		const struct zname *n = &b->names[b->ntab[j] - 1];

		if (n->hash == h && n->len == len && memcmp(n->canon, canon, len) == 0)
			return (long)b->ntab[j] - 1;
	}
	return -1;
}

int xdpmx_zb_add(struct xdpmx_zb *b, const uint8_t *owner, size_t owner_len, uint16_t type,
		 uint32_t ttl, const uint8_t *rdata, size_t rdlen, int file, unsigned line)
{
	uint8_t canon[XDPMX_DNAME_MAX];
	struct zrec *r;
	long id;

	xdpmx_dname_canon(canon, owner, owner_len);
	if (xdpmx_dname_labels(canon) < b->apex_labels ||
	    !xdpmx_dname_eq(xdpmx_dname_suffix(canon, b->apex_labels), b->apex)) {
		char os[XDPMX_DNAME_STRLEN], as[XDPMX_DNAME_STRLEN];

		xdpmx_diag_add(b->d, XDPMX_SEV_ERROR, b->files[file], line, "out-of-zone",
			       "%s is outside the zone %s", xdpmx_dname_str(owner, os),
			       xdpmx_dname_str(b->apex, as));
		return 1;
	}
	id = intern_name(b, canon, owner, owner_len, 0);
	if (id < 0)
		return (int)id;
	if (b->n_recs == b->cap_recs) {
		size_t cap = b->cap_recs ? 2 * b->cap_recs : 1024;
		struct zrec *a = realloc(b->recs, cap * sizeof(*a));

		if (!a)
			return -ENOMEM;
		b->recs = a;
		b->cap_recs = cap;
	}
	r = &b->recs[b->n_recs];
	r->rdata = zarena_dup(&b->arena, rdata, rdlen);
	if (!r->rdata)
		return -ENOMEM;
	r->name = (uint32_t)id;
	r->ttl = ttl;
	r->line = line;
	r->type = type;
	r->rdlen = (uint16_t)rdlen;
	r->file = (uint16_t)file;
	r->flags = 0;
	b->n_recs++;
	return 0;
}

/* ---- Builder: canonical order ------------------------------------------------ */

/*
 * A sort key whose memcmp() order is the canonical order of RFC 4034 section
 * 6.1: the labels from the rightmost one, each terminated by 0x00, with the
 * octets 0x00 and 0x01 inside labels written as 0x01 0x01 and 0x01 0x02. The
 * escape is prefix-free and keeps the order of octets, and the terminator
 * sorts below every octet, so a label sorts before any longer label it
 * prefixes and a name before its descendants.
 */
static size_t sort_key(uint8_t *key, const uint8_t *canon)
{
	const uint8_t *lab[XDPMX_DNAME_MAX / 2 + 1];
	size_t n = 0, k = 0;

	for (const uint8_t *p = canon; *p; p += 1 + *p)
		lab[n++] = p;
	while (n--) {
		const uint8_t *p = lab[n];

		for (uint8_t i = 1; i <= p[0]; i++) {
			if (p[i] <= 1) {
				key[k++] = 1;
				key[k++] = p[i] + 1;
			} else {
				key[k++] = p[i];
			}
		}
		key[k++] = 0;
	}
	return k;
}

struct zkey {
	const uint8_t *key;
	uint32_t len;
	uint32_t name;
};

static int zkey_cmp(const void *a, const void *b)
{
	const struct zkey *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* ---- Builder: RRsets --------------------------------------------------------- */

const char *xdpmx_type_str(uint16_t type, char *buf, size_t size)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	if (d && d->_type == type && d->_name && type != 0)
		snprintf(buf, size, "%s", d->_name);
	else
		snprintf(buf, size, "TYPE%u", type);
	return buf;
}

static int name_at(const uint8_t *rdata, size_t rdlen, size_t off, size_t *end)
{
	int len;

	if (off >= rdlen)
		return -EINVAL;
	len = xdpmx_dname_len(rdata + off, rdlen - off);
	if (len < 0)
		return len;
	*end = off + (size_t)len;
	return 0;
}

/* Skip one <character-string> (RFC 1035 section 3.3) at off. */
static int skip_string(const uint8_t *rdata, size_t rdlen, size_t *off)
{
	if (*off >= rdlen || *off + 1 + rdata[*off] > rdlen)
		return -EINVAL;
	*off += 1 + rdata[*off];
	return 0;
}

int xdpmx_rdata_names(uint16_t type, const uint8_t *rdata, size_t rdlen, size_t off[2])
{
	size_t end;

	switch (type) {
	case LDNS_RR_TYPE_NS:
	case LDNS_RR_TYPE_MD:
	case LDNS_RR_TYPE_MF:
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_MB:
	case LDNS_RR_TYPE_MG:
	case LDNS_RR_TYPE_MR:
	case LDNS_RR_TYPE_PTR:
	case LDNS_RR_TYPE_DNAME:
		off[0] = 0;
		return name_at(rdata, rdlen, 0, &end) ?: 1;
	case LDNS_RR_TYPE_SOA:
	case LDNS_RR_TYPE_MINFO:
	case LDNS_RR_TYPE_RP:
		off[0] = 0;
		if (name_at(rdata, rdlen, 0, &end))
			return -EINVAL;
		off[1] = end;
		return name_at(rdata, rdlen, end, &end) ?: 2;
	case LDNS_RR_TYPE_MX:
	case LDNS_RR_TYPE_AFSDB:
	case LDNS_RR_TYPE_RT:
	case LDNS_RR_TYPE_KX:
		off[0] = 2;
		return name_at(rdata, rdlen, 2, &end) ?: 1;
	case LDNS_RR_TYPE_PX:
		off[0] = 2;
		if (name_at(rdata, rdlen, 2, &end))
			return -EINVAL;
		off[1] = end;
		return name_at(rdata, rdlen, end, &end) ?: 2;
	case LDNS_RR_TYPE_SRV:
		off[0] = 6;
		return name_at(rdata, rdlen, 6, &end) ?: 1;
	case LDNS_RR_TYPE_NAPTR: {
		size_t o = 4;

		if (skip_string(rdata, rdlen, &o) || skip_string(rdata, rdlen, &o) ||
		    skip_string(rdata, rdlen, &o))
			return -EINVAL;
		off[0] = o;
		return name_at(rdata, rdlen, o, &end) ?: 1;
	}
	default:
		return 0;
	}
}

/* Whether two RDATA of one type are the same record: equal octets, except
 * that the embedded names of the types above compare without case (RFC 4034
 * section 6.2; the label length octets are below 'A' and never change). */
static bool rdata_same(uint16_t type, const struct zrec *a, const struct zrec *b)
{
	size_t off[2], end[2] = {0, 0};
	int n;

	if (a->rdlen != b->rdlen)
		return false;
	if (memcmp(a->rdata, b->rdata, a->rdlen) == 0)
		return true;
	n = xdpmx_rdata_names(type, a->rdata, a->rdlen, off);
	if (n <= 0)
		return false;
	for (int i = 0; i < n; i++)
		name_at(a->rdata, a->rdlen, off[i], &end[i]);
	for (size_t i = 0; i < a->rdlen; i++) {
		uint8_t x = a->rdata[i], y = b->rdata[i];
		bool in_name = false;

		for (int k = 0; k < n; k++)
			in_name |= i >= off[k] && i < end[k];
		if (in_name) {
			x = x >= 'A' && x <= 'Z' ? x + 32 : x;
			y = y >= 'A' && y <= 'Z' ? y + 32 : y;
		}
		if (x != y)
			return false;
	}
	return true;
}

/* Hash of RDATA consistent with rdata_same(): names lowercased. */
static uint64_t rdata_hash(uint16_t type, const struct zrec *r)
{
	uint8_t buf[UINT16_MAX];
	size_t off[2], end = 0;
	int n = xdpmx_rdata_names(type, r->rdata, r->rdlen, off);

	if (n <= 0)
		return xdpmx_zhash(r->rdata, r->rdlen);
	memcpy(buf, r->rdata, r->rdlen);
	for (int k = 0; k < n; k++) {
		name_at(r->rdata, r->rdlen, off[k], &end);
		xdpmx_dname_canon(buf + off[k], r->rdata + off[k], end - off[k]);
	}
	return xdpmx_zhash(buf, r->rdlen);
}

struct rrset_ctx {
	struct xdpmx_zb *b;
	uint32_t *idx; /* record indexes of one RRset, file order */
	size_t n;
	uint32_t *tab; /* scratch hash table for big RRsets */
	size_t tab_cap;
};

/* Report the RRset's owner and type for messages. */
static void rrset_label(const struct xdpmx_zb *b, const struct zrec *r, char *buf, size_t size)
{
	char ns[XDPMX_DNAME_STRLEN], ts[16];

	snprintf(buf, size, "%s %s", xdpmx_dname_str(b->names[r->name].oname, ns),
		 xdpmx_type_str(r->type, ts, sizeof(ts)));
}

static void report_dup(struct xdpmx_zb *b, const struct zrec *dup, const struct zrec *first)
{
	char what[XDPMX_DNAME_STRLEN + 24];

	rrset_label(b, dup, what, sizeof(what));
	if (dup->file == first->file)
		xdpmx_diag_add(
			b->d, XDPMX_SEV_WARNING, b->files[dup->file], dup->line, "duplicate-record",
			"%s: duplicate of the record at line %u, dropped", what, first->line);
	else
		xdpmx_diag_add(b->d, XDPMX_SEV_WARNING, b->files[dup->file], dup->line,
			       "duplicate-record", "%s: duplicate of the record at %s:%u, dropped",
			       what, b->files[first->file], first->line);
}

/* Mark duplicates in one RRset (ZREC_DROP on every copy after the first). */
static int dedupe(struct rrset_ctx *c, uint16_t type)
{
	struct xdpmx_zb *b = c->b;

	if (c->n <= 16) {
		for (size_t i = 1; i < c->n; i++) {
			struct zrec *r = &b->recs[c->idx[i]];

			for (size_t j = 0; j < i; j++) {
				struct zrec *f = &b->recs[c->idx[j]];

				if (!(f->flags & ZREC_DROP) && rdata_same(type, f, r)) {
					r->flags |= ZREC_DROP;
					report_dup(b, r, f);
					break;
				}
			}
		}
		return 0;
	}

	/* Big RRsets: a hash table of the records kept so far. */
	size_t cap = 1;

	while (cap < 2 * c->n)
		cap <<= 1;
	if (cap > c->tab_cap) {
		uint32_t *t = realloc(c->tab, cap * sizeof(*t));

		if (!t)
			return -ENOMEM;
		c->tab = t;
		c->tab_cap = cap;
	}
	memset(c->tab, 0, cap * sizeof(*c->tab));
	for (size_t i = 0; i < c->n; i++) {
		struct zrec *r = &b->recs[c->idx[i]];
		size_t j = rdata_hash(type, r) & (cap - 1);

		for (; c->tab[j]; j = (j + 1) & (cap - 1)) {
			struct zrec *f = &b->recs[c->tab[j] - 1];

			if (rdata_same(type, f, r)) {
				r->flags |= ZREC_DROP;
				report_dup(b, r, f);
				break;
			}
		}
		if (!(r->flags & ZREC_DROP))
			c->tab[j] = c->idx[i] + 1;
	}
	return 0;
}

/* Dedupe one RRset and settle its TTL. Returns the records kept (>= 1). */
static long settle_rrset(struct rrset_ctx *c, uint32_t *ttl_out)
{
	struct xdpmx_zb *b = c->b;
	const struct zrec *first = &b->recs[c->idx[0]];
	const struct zrec *other = NULL;
	uint32_t ttl = first->ttl;
	size_t kept = 0;
	int err;

	err = dedupe(c, first->type);
	if (err)
		return err;
	for (size_t i = 0; i < c->n; i++) {
		const struct zrec *r = &b->recs[c->idx[i]];

		if (r->flags & ZREC_DROP)
			continue;
		kept++;
		if (r->ttl != first->ttl && !other)
			other = r;
		if (r->ttl < ttl)
			ttl = r->ttl;
	}
	/* RRSIGs of different covered types legitimately differ. */
	if (other && first->type != LDNS_RR_TYPE_RRSIG) {
		char what[XDPMX_DNAME_STRLEN + 24];

		rrset_label(b, other, what, sizeof(what));
		xdpmx_diag_add(b->d, XDPMX_SEV_WARNING, b->files[other->file], other->line,
			       "ttl-mismatch",
			       "%s: TTL %u differs from TTL %u of the same RRset (RFC 2181 5.2); "
			       "using the lowest, %u",
			       what, other->ttl, first->ttl, ttl);
	}
	if (kept > UINT16_MAX) {
		char what[XDPMX_DNAME_STRLEN + 24];

		rrset_label(b, first, what, sizeof(what));
		xdpmx_diag_add(b->d, XDPMX_SEV_ERROR, b->files[first->file], first->line,
			       "rrset-too-large", "%s: %zu records, more than %u in one RRset",
			       what, kept, UINT16_MAX);
		return -EINVAL;
	}
	*ttl_out = ttl;
	return (long)kept;
}

/* Order of the record indexes of one node: by type, then file order within
 * a type (the order the zone gives its RRsets). */
static int rec_type_cmp_base(const struct zrec *recs, uint32_t a, uint32_t b)
{
	if (recs[a].type != recs[b].type)
		return recs[a].type < recs[b].type ? -1 : 1;
	return a < b ? -1 : a > b;
}

static int rec_type_cmp(const void *a, const void *b, void *recs)
{
	return rec_type_cmp_base(recs, *(const uint32_t *)a, *(const uint32_t *)b);
}

static void sort_node_recs(const struct zrec *recs, uint32_t *idx, size_t n)
{
	if (n > 32) {
		qsort_r(idx, n, sizeof(*idx), rec_type_cmp, (void *)recs);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t v = idx[i];
		size_t j = i;

		for (; j > 0 && rec_type_cmp_base(recs, idx[j - 1], v) > 0; j--)
			idx[j] = idx[j - 1];
		idx[j] = v;
	}
}

/* ---- Builder: the zone --------------------------------------------------------- */

/* Add every missing ancestor between the apex and each name as an empty
 * non-terminal, and the apex itself if nothing was at it. */
static int add_ents(struct xdpmx_zb *b)
{
	size_t n0 = b->n_names;

	if (find_name(b, b->apex, b->apex_len) < 0 &&
	    intern_name(b, b->apex, b->apex, b->apex_len, 1) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < n0; i++) {
		/* the bytes live in the arena and stay put while names[]
		 * grows */
		const uint8_t *canon = b->names[i].canon;
		const uint8_t *oname = b->names[i].oname;
		size_t len = b->names[i].len;
		int labels = xdpmx_dname_labels(canon);

		while (labels > b->apex_labels + 1) {
			size_t skip = 1 + (size_t)canon[0];

			canon += skip;
			oname += skip;
			len -= skip;
			labels--;
			if (find_name(b, canon, len) >= 0)
				break;
			if (intern_name(b, canon, oname, len, 1) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int build_index(struct zpriv *p, struct xdpmx_zone *z)
{
	size_t size = 16;

	while (size < 2 * z->n_nodes)
		size <<= 1;
	p->slots = calloc(size, sizeof(*p->slots));
	if (!p->slots)
		return -ENOMEM;
	p->mask = size - 1;
	for (size_t i = 0; i < z->n_nodes; i++) {
		const struct xdpmx_node *n = z->nodes[i];
		uint64_t h = xdpmx_zhash(n->name, n->name_len);
		size_t j = h & p->mask;

		while (p->slots[j].node)
			j = (j + 1) & p->mask;
		p->slots[j].hash = (uint32_t)(h >> 32);
		p->slots[j].node = (uint32_t)i + 1;
	}
	return 0;
}

/* Flags that need the canonical order: everything strictly below a
 * delegation point or a DNAME owner is occluded. In canonical order a
 * name's descendants follow it directly, so one pass with the nearest
 * occluding ancestor finds them. */
static void mark_flags(struct xdpmx_zone *z)
{
	const struct xdpmx_node *occluder = NULL;

	for (size_t i = 0; i < z->n_nodes; i++) {
		struct xdpmx_node *n = z->nodes[i];

		if (n->name_len == z->apex_len && memcmp(n->name, z->apex, z->apex_len) == 0)
			n->flags |= XDPMX_NODE_APEX;
		if (!n->n_rrsets)
			n->flags |= XDPMX_NODE_ENT;
		if (n->name[0] == 1 && n->name[1] == '*')
			n->flags |= XDPMX_NODE_WILDCARD;
		if (!(n->flags & XDPMX_NODE_APEX) && xdpmx_node_rrset(n, LDNS_RR_TYPE_NS))
			n->flags |= XDPMX_NODE_CUT;

		if (occluder && !xdpmx_dname_is_sub(n->name, occluder->name))
			occluder = NULL;
		if (occluder) {
			n->flags |= XDPMX_NODE_OCCLUDED;
			continue;
		}
		if ((n->flags & XDPMX_NODE_CUT) || xdpmx_node_rrset(n, LDNS_RR_TYPE_DNAME))
			occluder = n;
	}
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void fill_zone_fields(struct xdpmx_zone *z)
{
	const struct xdpmx_node *apex = xdpmx_zone_lookup(z, z->apex);
	const struct xdpmx_rrset *soa;

	if (apex && xdpmx_node_rrset(apex, LDNS_RR_TYPE_DNSKEY))
		z->flags |= XDPMX_ZONE_SIGNED;
	for (size_t i = 0; i < z->n_nodes && !(z->flags & XDPMX_ZONE_SIGNED); i++)
		if (xdpmx_node_rrset(z->nodes[i], LDNS_RR_TYPE_RRSIG))
			z->flags |= XDPMX_ZONE_SIGNED;

	soa = apex ? xdpmx_node_rrset(apex, LDNS_RR_TYPE_SOA) : NULL;
	if (soa) {
		size_t off[2], end;
		const uint8_t *rd = soa->rdata[0];

		if (xdpmx_rdata_names(LDNS_RR_TYPE_SOA, rd, soa->rdlen[0], off) == 2 &&
		    name_at(rd, soa->rdlen[0], off[1], &end) == 0 && end + 20 <= soa->rdlen[0]) {
			z->serial = get32(rd + end);
			z->soa_minimum = get32(rd + end + 16);
		}
		z->soa_ttl = soa->ttl;
	}
}

int xdpmx_zb_finish(struct xdpmx_zb *b, const char *main_file, uint8_t order,
		    struct xdpmx_zone **out)
{
	struct rrset_ctx rc = {.b = b};
	struct zkey *keys = NULL;
	struct zarena karena = {};
	uint32_t *node_of = NULL, *start = NULL, *grp = NULL;
	struct zfull *f;
	struct xdpmx_zone *z;
	struct zpriv *p;
	size_t n_nodes, n_rrsets = 0, n_kept = 0;
	int err = -ENOMEM;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	z = &f->z;
	p = &f->p;
	z->index = p;
	z->refs = 1;
	z->order = order;

	if (add_ents(b))
		goto out;
	n_nodes = b->n_names;

	/* 1. canonical order of the names: one sort */
	keys = malloc(n_nodes * sizeof(*keys));
	node_of = malloc(n_nodes * sizeof(*node_of));
	if (!keys || !node_of)
		goto out;
	for (size_t i = 0; i < n_nodes; i++) {
		uint8_t buf[2 * XDPMX_DNAME_MAX];
		size_t len = sort_key(buf, b->names[i].canon);

		keys[i].key = zarena_dup(&karena, buf, len);
		if (!keys[i].key)
			goto out;
		keys[i].len = (uint32_t)len;
		keys[i].name = (uint32_t)i;
	}
	qsort(keys, n_nodes, sizeof(*keys), zkey_cmp);
	for (size_t i = 0; i < n_nodes; i++)
		node_of[keys[i].name] = (uint32_t)i;
	free(keys);
	keys = NULL;
	zarena_free(&karena);

	/* 2. records grouped by node, in file order: a counting sort */
	start = calloc(n_nodes + 1, sizeof(*start));
	grp = malloc((b->n_recs ? b->n_recs : 1) * sizeof(*grp));
	if (!start || !grp)
		goto out;
	for (size_t i = 0; i < b->n_recs; i++)
		start[node_of[b->recs[i].name] + 1]++;
	for (size_t i = 0; i < n_nodes; i++)
		start[i + 1] += start[i];
	{
		uint32_t *fill = malloc((n_nodes ? n_nodes : 1) * sizeof(*fill));

		if (!fill)
			goto out;
		memcpy(fill, start, n_nodes * sizeof(*fill));
		for (size_t i = 0; i < b->n_recs; i++)
			grp[fill[node_of[b->recs[i].name]]++] = (uint32_t)i;
		free(fill);
	}

	/* 3. RRsets: sort each node by type, dedupe, settle TTLs, count */
	for (size_t v = 0; v < n_nodes; v++) {
		uint32_t *idx = grp + start[v];
		size_t n = start[v + 1] - start[v];

		sort_node_recs(b->recs, idx, n);
		for (size_t i = 0; i < n;) {
			size_t j = i + 1;
			uint32_t ttl;
			long kept;

			while (j < n && b->recs[idx[j]].type == b->recs[idx[i]].type)
				j++;
			rc.idx = idx + i;
			rc.n = j - i;
			kept = settle_rrset(&rc, &ttl);
			if (kept < 0) {
				err = (int)kept;
				goto out;
			}
			/* the settled TTL travels in the first record */
			b->recs[idx[i]].ttl = ttl;
			n_rrsets++;
			n_kept += (size_t)kept;
			i = j;
		}
	}

	/* 4. the model's arrays */
	z->n_nodes = n_nodes;
	z->n_records = n_kept;
	z->nodes = malloc((n_nodes ? n_nodes : 1) * sizeof(*z->nodes));
	p->node_mem = calloc(n_nodes ? n_nodes : 1, sizeof(*p->node_mem));
	p->rrset_mem = calloc(n_rrsets ? n_rrsets : 1, sizeof(*p->rrset_mem));
	p->rdlen_mem = malloc((n_kept ? n_kept : 1) * sizeof(*p->rdlen_mem));
	p->rdata_mem = malloc((n_kept ? n_kept : 1) * sizeof(*p->rdata_mem));
	if (!z->nodes || !p->node_mem || !p->rrset_mem || !p->rdlen_mem || !p->rdata_mem)
		goto out;
	for (size_t i = 0; i < n_nodes; i++)
		z->nodes[i] = &p->node_mem[i];
	for (size_t i = 0; i < b->n_names; i++) {
		struct xdpmx_node *n = &p->node_mem[node_of[i]];

		n->name = (uint8_t *)b->names[i].canon;
		n->oname = (uint8_t *)b->names[i].oname;
		n->name_len = b->names[i].len;
	}

	{
		struct xdpmx_rrset *rs = p->rrset_mem;
		size_t rec = 0;

		for (size_t v = 0; v < n_nodes; v++) {
			struct xdpmx_node *node = &p->node_mem[v];
			uint32_t *idx = grp + start[v];
			size_t n = start[v + 1] - start[v];

			node->rrsets = n ? rs : NULL;
			for (size_t i = 0; i < n;) {
				const struct zrec *r0 = &b->recs[idx[i]];
				size_t j = i;

				rs->type = r0->type;
				rs->ttl = r0->ttl;
				rs->order = order;
				rs->file = b->files[r0->file];
				rs->line = r0->line;
				rs->rdlen = &p->rdlen_mem[rec];
				rs->rdata = &p->rdata_mem[rec];
				for (; j < n && b->recs[idx[j]].type == r0->type; j++) {
					const struct zrec *r = &b->recs[idx[j]];

					if (r->flags & ZREC_DROP)
						continue;
					p->rdlen_mem[rec] = r->rdlen;
					p->rdata_mem[rec] = (uint8_t *)r->rdata;
					rec++;
					rs->count++;
				}
				node->n_rrsets++;
				rs++;
				i = j;
			}
		}
	}

	/* 5. the rest of the zone */
	p->arena = b->arena;
	memset(&b->arena, 0, sizeof(b->arena));
	p->files = b->files;
	p->n_files = b->n_files;
	b->files = NULL;
	b->n_files = b->cap_files = 0;
	z->file = (char *)(p->n_files ? p->files[0] : NULL);
	if (!z->file) {
		z->file = zarena_dup(&p->arena, main_file, strlen(main_file) + 1);
		if (!z->file)
			goto out;
	}
	z->apex = zarena_dup(&p->arena, b->apex, b->apex_len);
	if (!z->apex)
		goto out;
	z->apex_len = b->apex_len;
	if (build_index(p, z))
		goto out;
	mark_flags(z);
	fill_zone_fields(z);

	free(node_of);
	free(start);
	free(grp);
	free(rc.tab);
	xdpmx_zb_release(b);
	*out = z;
	return 0;

out:
	free(keys);
	zarena_free(&karena);
	free(node_of);
	free(start);
	free(grp);
	free(rc.tab);
	zone_free(z);
	return err;
}

/* ---- Building from records (the daemon's edits) ------------------------------ */

int xdpmx_zone_build(const struct xdpmx_zone_rec *recs, size_t n, const char *main_file,
		     const struct xdpmx_zone_opts *opts, struct xdpmx_diag *d,
		     struct xdpmx_zone **out)
{
	struct xdpmx_diag local = {};
	struct xdpmx_zone *z = NULL;
	/* File names by pointer: the records of a served zone point into its
	 * few file names, often alternating ($INCLUDE). */
	const char *seen[64];
	int seen_idx[64];
	size_t n_seen = 0;
	struct xdpmx_zb b;
	size_t errors_at_start;
	int len, file = -1, err = 0;

	*out = NULL;
	if (!opts || !opts->origin || !main_file)
		return -EINVAL;
	len = xdpmx_dname_len(opts->origin, XDPMX_DNAME_MAX);
	if (len < 0)
		return -EINVAL;
	if (!d)
		d = &local;
	errors_at_start = d->errors;
	xdpmx_zb_init(&b, d);
	xdpmx_zb_set_apex(&b, opts->origin, (size_t)len);
	for (size_t i = 0; i < n; i++) {
		const char *f = recs[i].file ? recs[i].file : main_file;
		int olen = xdpmx_dname_len(recs[i].owner, XDPMX_DNAME_MAX);
		size_t k;

		if (olen < 0) {
			err = -EINVAL;
			goto out;
		}
		for (k = 0; k < n_seen && seen[k] != f; k++)
			;
		if (k < n_seen) {
			file = seen_idx[k];
		} else {
			file = xdpmx_zb_file(&b, f);
			if (file < 0) {
				err = file;
				goto out;
			}
			if (n_seen < 64) {
				seen[n_seen] = f;
				seen_idx[n_seen++] = file;
			}
		}
		err = xdpmx_zb_add(&b, recs[i].owner, (size_t)olen, recs[i].type, recs[i].ttl,
				   recs[i].rdata, recs[i].rdlen, file, recs[i].line);
		if (err < 0)
			goto out;
		err = 0;
	}
	if (d->errors > errors_at_start) {
		err = -EINVAL;
		goto out;
	}
	err = xdpmx_zb_finish(&b, main_file, opts->order, &z);
	if (err)
		goto out;
	if (xdpmx_zone_check(z, d) > 0) {
		xdpmx_zone_unref(z);
		err = -EINVAL;
		goto out;
	}
	*out = z;
out:
	xdpmx_zb_release(&b);
	if (d == &local)
		xdpmx_diag_clear(&local);
	return err;
}

/* ---- For zonepatch.c: the steps of xdpmx_zb_finish() it repeats ------------ */

void xdpmx_zone_mark_flags(struct xdpmx_zone *z)
{
	mark_flags(z);
}

void xdpmx_zone_fill_fields(struct xdpmx_zone *z)
{
	fill_zone_fields(z);
}
