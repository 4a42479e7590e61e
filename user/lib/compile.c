// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The RRset compiler (contract in compile.h, blob layout in
 * include/xdpmx/abi.h).
 *
 * A blob is built in a stack buffer of XDPMX_BLOB_MAX bytes, then copied
 * into an arena: compiling a zone costs one small record per RRset, one
 * qsort and one final array, with no per-RRset allocation.
 *
 * Every blob ends with its owner name (canonical: lowercased), which the
 * program compares with the question name before it answers.
 *
 * Name compression: the program copies the blob after the question, whose
 * name starts at packet offset 12 and equals the owner name of the RRset
 * (case aside: the client's 0x20 case is kept). So a suffix of the owner
 * that starts k octets into its wire form is at offset 12 + k, whatever the
 * rotation, and names inside the blob may point there and nowhere else.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "compile.h"
#include "dname.h"

#define DNS_HDR_LEN 12
#define PTR_FLAG 0xc000
#define ARENA_CHUNK (1U << 20)
#define ARENA_FIRST (2048U - 32U)

/* ---- names ---------------------------------------------------------------- */

static inline uint8_t lc(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Label offsets of the wire name n, at most max octets long. Returns the
 * number of labels (root excluded) and sets *len to the name's length, or
 * -EINVAL if n is not a well-formed uncompressed name within max octets. */
static int name_offsets(const uint8_t *n, size_t max, uint8_t offs[XDPMX_LABELS_MAX], size_t *len)
{
	size_t pos = 0;
	int nl = 0;

	if (max > XDPMX_NAME_MAX)
		max = XDPMX_NAME_MAX;
	while (pos < max) {
		uint8_t l = n[pos];

		if (l == 0) {
			*len = pos + 1;
			return nl;
		}
		if (l > XDPMX_LABEL_MAX || nl == XDPMX_LABELS_MAX)
			return -EINVAL;
		offs[nl++] = (uint8_t)pos;
		pos += 1 + l;
	}
	return -EINVAL;
}

/* The question name (= the owner) with its label offsets. */
struct qname {
	const uint8_t *name; /* canonical */
	size_t len;
	int nlab;
	uint8_t offs[XDPMX_LABELS_MAX];
};

static int qname_init(struct qname *q, const uint8_t *canon, size_t len)
{
	int nl = name_offsets(canon, len, q->offs, &q->len);

	if (nl < 0 || q->len != len)
		return -EINVAL;
	q->name = canon;
	q->nlab = nl;
	return 0;
}

/* The node with canonical name canon: through the zone's hash index when
 * it was loaded, else by binary search of its canonically ordered nodes
 * (zones built by hand, in tests), in xdpmx_dname_cmp() order. */
static const struct xdpmx_node *find_node(const struct xdpmx_zone *z, const uint8_t *canon)
{
	size_t lo = 0, hi = z->n_nodes;

	if (z->index)
		return xdpmx_zone_lookup(z, canon);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = xdpmx_dname_cmp(z->nodes[mid]->name, canon);

		if (c == 0)
			return z->nodes[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct xdpmx_rrset *node_rrset(const struct xdpmx_node *n, uint16_t type)
{
	for (uint16_t i = 0; i < n->n_rrsets; i++)
		if (n->rrsets[i].type == type)
			return &n->rrsets[i];
	return NULL;
}

/* Whether n holds authoritative data the fast path may answer: not a
 * delegation point, not glue or occluded, not a wildcard, not an empty
 * non-terminal, and not a CNAME owner. */
static bool node_answerable(const struct xdpmx_node *n)
{
	if (n->flags &
	    (XDPMX_NODE_CUT | XDPMX_NODE_OCCLUDED | XDPMX_NODE_WILDCARD | XDPMX_NODE_ENT))
		return false;
	return node_rrset(n, 5 /* CNAME */) == NULL;
}

static bool type_compiled(uint16_t type)
{
	return type == XDPMX_TYPE_A || type == XDPMX_TYPE_AAAA || type == XDPMX_TYPE_MX ||
	       type == XDPMX_TYPE_PTR;
}

/* ---- blob construction ---------------------------------------------------- */

struct bbuf {
	size_t len;
	uint8_t b[XDPMX_BLOB_MAX];
};

static int put(struct bbuf *bb, const void *p, size_t n)
{
	if (bb->len + n > XDPMX_BLOB_MAX)
		return -E2BIG;
	memcpy(bb->b + bb->len, p, n);
	bb->len += n;
	return 0;
}

static int put16(struct bbuf *bb, uint16_t v)
{
	uint16_t be = htons(v);

	return put(bb, &be, 2);
}

static int put32(struct bbuf *bb, uint32_t v)
{
	uint32_t be = htonl(v);

	return put(bb, &be, 4);
}

/*
 * Write the wire name n (at most max octets, case as given) compressed
 * against the question q: the longest suffix of n, other than the root,
 * that equals a suffix of q becomes a pointer to where that suffix sits in
 * the question. Returns 0, -EINVAL (malformed name) or -E2BIG (no room).
 */
static int put_name(struct bbuf *bb, const uint8_t *n, size_t max, const struct qname *q,
		    size_t *wire_len)
{
	uint8_t offs[XDPMX_LABELS_MAX];
	size_t len, lit;
	int nl = name_offsets(n, max, offs, &len);
	int j = 0;

	if (nl < 0)
		return -EINVAL;
	*wire_len = len;
	while (j < nl && j < q->nlab) {
		const uint8_t *a = n + offs[nl - 1 - j];
		const uint8_t *b = q->name + q->offs[q->nlab - 1 - j];
		uint8_t k;

		if (a[0] != b[0])
			break;
		for (k = 1; k <= a[0]; k++)
			if (lc(a[k]) != b[k])
				break;
		if (k <= a[0])
			break;
		j++;
	}
	if (j == 0)
		return put(bb, n, len);
	lit = offs[nl - j];
	if (put(bb, n, lit))
		return -E2BIG;
	return put16(bb, PTR_FLAG | (DNS_HDR_LEN + q->offs[q->nlab - j]));
}

/* Write one record of rs: owner (a pointer to the question when owner is
 * NULL, else the name owner compressed against q), type, class IN, TTL,
 * RDLENGTH (compressed), RDATA. */
static int put_rr(struct bbuf *bb, const struct qname *q, const uint8_t *owner,
		  const struct xdpmx_rrset *rs, uint16_t i)
{
	const uint8_t *rd = rs->rdata[i];
	uint16_t rdlen = rs->rdlen[i];
	size_t rdlen_at, nlen;
	int ret;

	if (owner)
		ret = put_name(bb, owner, XDPMX_NAME_MAX, q, &nlen);
	else
		ret = put16(bb, PTR_FLAG | DNS_HDR_LEN);
	if (ret || (ret = put16(bb, rs->type)) || (ret = put16(bb, XDPMX_CLASS_IN)) ||
	    (ret = put32(bb, rs->ttl)))
		return ret;
	rdlen_at = bb->len;
	if ((ret = put16(bb, 0)))
		return ret;

	switch (rs->type) {
	case XDPMX_TYPE_A:
	case XDPMX_TYPE_AAAA:
		if (rdlen != (rs->type == XDPMX_TYPE_A ? 4 : 16))
			return -EINVAL;
		ret = put(bb, rd, rdlen);
		break;
	case XDPMX_TYPE_MX:
		if (rdlen < 3)
			return -EINVAL;
		ret = put(bb, rd, 2);
		if (!ret)
			ret = put_name(bb, rd + 2, rdlen - 2, q, &nlen);
		if (!ret && nlen != (size_t)rdlen - 2)
			ret = -EINVAL;
		break;
	case XDPMX_TYPE_PTR:
		ret = put_name(bb, rd, rdlen, q, &nlen);
		if (!ret && nlen != rdlen)
			ret = -EINVAL;
		break;
	default:
		ret = -EINVAL;
	}
	if (ret)
		return ret;
	rdlen = htons((uint16_t)(bb->len - rdlen_at - 2));
	memcpy(bb->b + rdlen_at, &rdlen, 2);
	return 0;
}

/*
 * The additional section of an MX RRset: for each exchange in zone order,
 * once, the A then AAAA RRset of the exchange when it is a node of this
 * zone holding authoritative data. Returns 0, -ENOSPC (more than
 * XDPMX_AD_MAX records), -E2BIG (blob too large) or -EINVAL.
 */
static int put_additional(const struct xdpmx_zone *z, const struct qname *q,
			  const struct xdpmx_rrset *mx, struct bbuf *bb, unsigned *count)
{
	uint8_t seen[XDPMX_RR_MAX][XDPMX_NAME_MAX + 1];
	uint8_t seen_len[XDPMX_RR_MAX];
	unsigned n_seen = 0;
	static const uint16_t types[] = {XDPMX_TYPE_A, XDPMX_TYPE_AAAA};

	for (uint16_t i = 0; i < mx->count; i++) {
		const uint8_t *x = mx->rdata[i] + 2;
		uint8_t offs[XDPMX_LABELS_MAX], *canon = seen[n_seen];
		const struct xdpmx_node *xn;
		size_t len;
		unsigned s;

		if (mx->rdlen[i] < 3 || name_offsets(x, mx->rdlen[i] - 2, offs, &len) < 0)
			return -EINVAL;
		for (size_t k = 0; k < len; k++)
			canon[k] = lc(x[k]);
		for (s = 0; s < n_seen; s++)
			if (seen_len[s] == len && !memcmp(seen[s], canon, len))
				break;
		if (s < n_seen)
			continue;
		seen_len[n_seen++] = (uint8_t)len;

		xn = find_node(z, canon);
		if (!xn || !node_answerable(xn))
			continue;
		for (unsigned t = 0; t < 2; t++) {
			const struct xdpmx_rrset *rs = node_rrset(xn, types[t]);
			int ret;

			if (!rs)
				continue;
			if (*count + rs->count > XDPMX_AD_MAX)
				return -ENOSPC;
			for (uint16_t r = 0; r < rs->count; r++)
				if ((ret = put_rr(bb, q, xn->oname, rs, r)))
					return ret;
			*count += rs->count;
		}
	}
	return 0;
}

/* Build the blob of rs (of node n in zone z) into bb. */
static int build_blob(const struct xdpmx_zone *z, const struct xdpmx_node *n,
		      const struct xdpmx_rrset *rs, struct bbuf *bb, uint8_t *eflags)
{
	struct xdpmx_blob_hdr hdr = {};
	size_t an_off, an_end, ad_end;
	unsigned ad_count = 0;
	struct qname q;
	int ret;

	*eflags = 0;
	if (!type_compiled(rs->type) || !node_answerable(n) || rs->count == 0)
		return -EINVAL;
	if (rs->count > XDPMX_RR_MAX)
		return -ENOSPC;
	if (qname_init(&q, n->name, n->name_len))
		return -EINVAL;

	an_off = XDPMX_BLOB_AN_OFF(rs->count);
	bb->len = an_off;
	for (uint16_t i = 0; i < rs->count; i++) {
		uint16_t off = (uint16_t)(bb->len - an_off);

		memcpy(bb->b + sizeof(hdr) + 2 * i, &off, 2);
		if ((ret = put_rr(bb, &q, NULL, rs, i)))
			return ret;
	}
	an_end = bb->len;

	if (rs->type == XDPMX_TYPE_MX) {
		ret = put_additional(z, &q, rs, bb, &ad_count);
		/* The owner name must still fit after the additional records. */
		if (!ret && bb->len + n->name_len > XDPMX_BLOB_MAX)
			ret = -E2BIG;
		if (ret == -ENOSPC || ret == -E2BIG) {
			bb->len = an_end;
			ad_count = 0;
			*eflags |= XDPMX_CENTRY_F_AD_TRIMMED;
		} else if (ret) {
			return ret;
		}
	}
	ad_end = bb->len;
	/* The owner, for the program to compare with the question name: the
	 * directory finds RRsets by a hash of the name (abi.h). */
	ret = put(bb, n->name, n->name_len);
	if (ret)
		return ret;

	hdr.an_len = (uint16_t)(an_end - an_off);
	hdr.ad_len = (uint16_t)(ad_end - an_end);
	hdr.an_count = (uint8_t)rs->count;
	hdr.ad_count = (uint8_t)ad_count;
	hdr.order = rs->order < XDPMX_ORDER__MAX ? rs->order : XDPMX_ORDER_CYCLIC;
	hdr.flags = (z->flags & XDPMX_ZONE_SIGNED) ? XDPMX_BLOB_F_SIGNED : 0;
	memcpy(bb->b, &hdr, sizeof(hdr));
	return 0;
}

static void fill_key(struct xdpmx_centry *e, const struct xdpmx_node *n, uint16_t type)
{
	memset(&e->key, 0, sizeof(e->key));
	e->key.qtype = htons(type);
	memcpy(e->key.name, n->name, n->name_len);
	e->name_len = n->name_len;
}

/* ---- public --------------------------------------------------------------- */

int xdpmx_blob_class(size_t len)
{
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
		if (len <= XDPMX_BLOB_SIZE(c))
			return c;
	return -E2BIG;
}

int xdpmx_name_class(size_t name_len)
{
	if (name_len <= XDPMX_NAME_CLASS_S)
		return 0;
	if (name_len <= XDPMX_NAME_CLASS_M)
		return 1;
	return 2;
}

int xdpmx_centry_cmp(const struct xdpmx_centry *a, const struct xdpmx_centry *b)
{
	if (a->name_len != b->name_len)
		return a->name_len < b->name_len ? -1 : 1;
	return memcmp(&a->key, &b->key, 2 + (size_t)a->name_len);
}

int xdpmx_compile_rrset(const struct xdpmx_zone *z, const struct xdpmx_node *n,
			const struct xdpmx_rrset *rs, struct xdpmx_centry *e)
{
	struct bbuf *bb;
	int ret;

	if (!z || !n || !rs || !e || n->name_len == 0)
		return -EINVAL;
	bb = malloc(sizeof(*bb));
	if (!bb)
		return -ENOMEM;
	ret = build_blob(z, n, rs, bb, &e->flags);
	if (ret)
		goto out;
	e->blob = malloc(bb->len);
	if (!e->blob) {
		ret = -ENOMEM;
		goto out;
	}
	memcpy(e->blob, bb->b, bb->len);
	e->blob_len = (uint16_t)bb->len;
	fill_key(e, n, rs->type);
out:
	free(bb);
	return ret;
}

void xdpmx_centry_release(struct xdpmx_centry *e)
{
	if (!e)
		return;
	free(e->blob);
	e->blob = NULL;
	e->blob_len = 0;
}

/* Blob storage of a compiled zone: a list of chunks that grow with the
 * zone, from ARENA_FIRST to ARENA_CHUNK bytes (a server may hold 100,000
 * small zones). No blob is longer than ARENA_FIRST. */
struct arena {
	struct arena *next;
	size_t used, cap;
	uint8_t data[];
};

static uint8_t *arena_alloc(struct arena **head, size_t len)
{
	struct arena *a = *head;

	if (!a || a->used + len > a->cap) {
		size_t cap = a ? a->cap * 2 : ARENA_FIRST;

		if (cap > ARENA_CHUNK)
			cap = ARENA_CHUNK;
		if (cap < len)
			cap = len;
		a = malloc(sizeof(*a) + cap);
		if (!a)
			return NULL;
		a->next = *head;
		a->used = 0;
		a->cap = cap;
		*head = a;
	}
	a->used += len;
	return a->data + a->used - len;
}

static void arena_free(struct arena *a)
{
	while (a) {
		struct arena *next = a->next;

		free(a);
		a = next;
	}
}

/* What the compile loop records per RRset before the final sort. */
struct crec {
	const uint8_t *name;
	const uint8_t *blob;
	uint16_t blob_len;
	uint16_t type;
	uint8_t name_len;
	uint8_t flags;
};

static int crec_cmp(const void *pa, const void *pb)
{
	const struct crec *a = pa, *b = pb;

	if (a->name_len != b->name_len)
		return a->name_len < b->name_len ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return memcmp(a->name, b->name, a->name_len);
}

int xdpmx_compile_zone(const struct xdpmx_zone *z, struct xdpmx_compiled **out)
{
	struct xdpmx_compiled *c;
	struct crec *recs = NULL;
	size_t n = 0, cap = 0;
	struct arena *arena = NULL;
	struct bbuf *bb;
	int ret = -ENOMEM;

	c = calloc(1, sizeof(*c));
	bb = malloc(sizeof(*bb));
	if (!c || !bb)
		goto err;

	for (size_t i = 0; i < z->n_nodes; i++) {
		const struct xdpmx_node *nd = z->nodes[i];

		if (!node_answerable(nd))
			continue;
		for (uint16_t r = 0; r < nd->n_rrsets; r++) {
			const struct xdpmx_rrset *rs = &nd->rrsets[r];
			uint8_t flags;
			uint8_t *blob;
			int err;

			if (!type_compiled(rs->type))
				continue;
			err = build_blob(z, nd, rs, bb, &flags);
			if (err == -E2BIG) {
				c->skipped[XDPMX_SKIP_TOO_BIG]++;
				continue;
			}
			if (err == -ENOSPC) {
				c->skipped[XDPMX_SKIP_TOO_MANY]++;
				continue;
			}
			if (err)
				continue; /* malformed RDATA: leave it to the slow path */
			if (n == cap) {
				size_t ncap = cap ? 2 * cap : 1024;
				struct crec *nr = realloc(recs, ncap * sizeof(*nr));

				if (!nr)
					goto err;
				recs = nr;
				cap = ncap;
			}
			blob = arena_alloc(&arena, bb->len);
			if (!blob)
				goto err;
			memcpy(blob, bb->b, bb->len);
			recs[n++] = (struct crec){.name = nd->name,
						  .blob = blob,
						  .blob_len = (uint16_t)bb->len,
						  .type = rs->type,
						  .name_len = nd->name_len,
						  .flags = flags};
			if (flags & XDPMX_CENTRY_F_AD_TRIMMED)
				c->ad_trimmed++;
			c->blob_bytes += bb->len;
		}
	}

	qsort(recs, n, sizeof(*recs), crec_cmp);
	if (n) {
		c->e = malloc(n * sizeof(*c->e));
		if (!c->e)
			goto err;
	}
	for (size_t i = 0; i < n; i++) {
		struct xdpmx_centry *e = &c->e[i];

		memset(&e->key, 0, sizeof(e->key));
		e->key.qtype = htons(recs[i].type);
		memcpy(e->key.name, recs[i].name, recs[i].name_len);
		e->name_len = recs[i].name_len;
		e->flags = recs[i].flags;
		e->blob_len = recs[i].blob_len;
		e->blob = (uint8_t *)recs[i].blob;
	}
	c->n = n;
	c->arena = arena;
	free(recs);
	free(bb);
	*out = c;
	return 0;
err:
	arena_free(arena);
	free(recs);
	free(bb);
	if (c)
		free(c->e);
	free(c);
	return ret;
}

void xdpmx_compiled_free(struct xdpmx_compiled *c)
{
	if (!c)
		return;
	if (c->arena)
		arena_free(c->arena);
	else
		for (size_t i = 0; i < c->n; i++)
			free(c->e[i].blob);
	free(c->e);
	free(c);
}
