// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The slow-path responder (contract and behaviour summary in respond.h).
 *
 * One query goes: parse the whole message with a bounded reader -> decide
 * NOTIMP / FORMERR / BADVERS / REFUSED -> pick the zone -> resolve the name
 * (a loop over CNAME/DNAME links) writing each section through a bounded
 * writer sized to the transport's limit minus the OPT -> header and OPT
 * last. Running out of room anywhere but in optional additional records
 * rolls the message back to the question and sets TC.
 *
 * Names: lookups use a canonical (lowercase) copy; output uses the names as
 * the client or the zone file wrote them, compressed against everything
 * already written (wire.h). The compression table points into the query's
 * echoed question, into zone memory and into the responder's scratch
 * buffers, all stable for the duration of one call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <xdpmx/abi.h>

#include "dname.h"
#include "respond.h"
#include "wire.h"
#include "zone.h"

struct xdpmx_responder {
	const struct xdpmx_zoneset *zs;
	uint16_t edns_size;
	/* Cyclic rotation: the start record is cursor mod count. It moves
	 * once per query whose answer used it, as the fast path's per-CPU
	 * cursor moves once per hit. */
	uint32_t cursor;
	uint64_t rng; /* xorshift64* state for random order, never 0 */
	/* Targets synthesized from DNAMEs, one per chain link: the answer's
	 * later names may be compressed against them. */
	uint8_t synth[XDPMX_RESP_CHAIN_MAX + 1][XDPMX_NAME_MAX + 1];
};

static const char *const kind_names[] = {
	[XDPMX_RESP_NONE] = "none",	    [XDPMX_RESP_ANSWER] = "answer",
	[XDPMX_RESP_NODATA] = "nodata",	    [XDPMX_RESP_NXDOMAIN] = "nxdomain",
	[XDPMX_RESP_REFERRAL] = "referral", [XDPMX_RESP_ANY] = "any",
	[XDPMX_RESP_REFUSED] = "refused",   [XDPMX_RESP_FORMERR] = "formerr",
	[XDPMX_RESP_NOTIMP] = "notimp",	    [XDPMX_RESP_BADVERS] = "badvers",
	[XDPMX_RESP_YXDOMAIN] = "yxdomain",
};
_Static_assert(sizeof(kind_names) / sizeof(kind_names[0]) == XDPMX_RESP__MAX,
	       "a name for every response kind");

const char *xdpmx_resp_kind_name(enum xdpmx_resp_kind kind)
{
	if ((unsigned)kind >= XDPMX_RESP__MAX)
		return "?";
	return kind_names[kind];
}

/* ---- Randomness ------------------------------------------------------------ */

static uint32_t rng_next(struct xdpmx_responder *r)
{
	uint64_t x = r->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->rng = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dULL) >> 32);
}

/* Uniform in [0, n): the multiply-shift maps 2^32 values onto n buckets
 * whose sizes differ by at most one (bias below n / 2^32). */
static unsigned rng_below(struct xdpmx_responder *r, unsigned n)
{
	return (unsigned)(((uint64_t)rng_next(r) * n) >> 32);
}

/* ---- Setup ------------------------------------------------------------------ */

static uint16_t clamp_edns_size(uint16_t size)
{
	if (size == 0)
		return XDPMX_EDNS_SIZE_DEFAULT;
	return size < XDPMX_UDP_MIN ? XDPMX_UDP_MIN : size;
}

int xdpmx_responder_new(const struct xdpmx_zoneset *zs, const struct xdpmx_resp_cfg *cfg,
			struct xdpmx_responder **out)
{
	struct xdpmx_responder *r;
	uint64_t seed = cfg ? cfg->seed : 0;

	if (seed == 0) {
		ssize_t n = getrandom(&seed, sizeof(seed), 0);

		if (n != (ssize_t)sizeof(seed))
			return n < 0 ? -errno : -EIO;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->zs = zs;
	r->edns_size = clamp_edns_size(cfg ? cfg->edns_size : 0);
	r->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;
	r->cursor = (uint32_t)(seed >> 32);
	*out = r;
	return 0;
}

void xdpmx_responder_free(struct xdpmx_responder *r)
{
	free(r);
}

void xdpmx_responder_set_zones(struct xdpmx_responder *r, const struct xdpmx_zoneset *zs)
{
	r->zs = zs;
}

void xdpmx_responder_set_edns_size(struct xdpmx_responder *r, uint16_t edns_size)
{
	r->edns_size = clamp_edns_size(edns_size);
}

/* ---- Query parsing ------------------------------------------------------------ */

struct pquery {
	uint16_t id, flags;
	uint16_t qd, an, ns, ar;
	bool q_ok; /* the first question parsed (uncompressed name) */
	uint8_t qname_len;
	uint16_t qtype, qclass;
	bool msg_ok; /* every record parsed and nothing left over */
	unsigned n_opt;
	bool opt_bad; /* an OPT outside the additional section or not at the root */
	uint16_t udp_size;
	uint32_t opt_ttl;
};

/* Walk the option TLVs of an OPT RDATA: they must fill it exactly. */
static int parse_opt_rdata(const uint8_t *p, uint16_t len)
{
	struct xdpmx_rbuf b;

	xdpmx_rbuf_init(&b, p, len);
	while (xdpmx_rbuf_left(&b) > 0) {
		uint16_t code, olen;

		if (xdpmx_rbuf_u16(&b, &code) || xdpmx_rbuf_u16(&b, &olen) ||
		    xdpmx_rbuf_skip(&b, olen))
			return -EBADMSG;
	}
	return 0;
}

/* One resource record of section sec (1 answer, 2 authority, 3 additional). */
static int parse_rr(struct xdpmx_rbuf *b, int sec, struct pquery *pq)
{
	size_t owner = b->pos;
	uint16_t type, class, rdlen;
	uint32_t ttl;
	int n = xdpmx_rbuf_name(b, true);

	if (n < 0)
		return n;
	if (xdpmx_rbuf_u16(b, &type) || xdpmx_rbuf_u16(b, &class) || xdpmx_rbuf_u32(b, &ttl) ||
	    xdpmx_rbuf_u16(b, &rdlen) || xdpmx_rbuf_left(b) < rdlen)
		return -EBADMSG;
	if (type == XDPMX_TYPE_OPT) {
		pq->n_opt++;
		if (sec != 3 || n != 1 || b->p[owner] != 0)
			pq->opt_bad = true;
		if (parse_opt_rdata(b->p + b->pos, rdlen))
			return -EBADMSG;
		pq->udp_size = class;
		pq->opt_ttl = ttl;
	}
	return xdpmx_rbuf_skip(b, rdlen);
}

/* Parse the message as far as it goes; the caller decides what the
 * findings mean. Requires len >= XDPMX_DNS_HDR_LEN. */
static void parse_query(const uint8_t *q, size_t len, struct pquery *pq)
{
	struct xdpmx_rbuf b;
	int n;

	memset(pq, 0, sizeof(*pq));
	pq->id = xdpmx_get16(q + XDPMX_DNS_OFF_ID);
	pq->flags = xdpmx_get16(q + XDPMX_DNS_OFF_FLAGS);
	pq->qd = xdpmx_get16(q + XDPMX_DNS_OFF_QDCOUNT);
	pq->an = xdpmx_get16(q + XDPMX_DNS_OFF_ANCOUNT);
	pq->ns = xdpmx_get16(q + XDPMX_DNS_OFF_NSCOUNT);
	pq->ar = xdpmx_get16(q + XDPMX_DNS_OFF_ARCOUNT);

	xdpmx_rbuf_init(&b, q, len);
	b.pos = XDPMX_DNS_HDR_LEN;
	for (unsigned i = 0; i < pq->qd; i++) {
		n = xdpmx_rbuf_name(&b, i > 0);
		if (n < 0 || xdpmx_rbuf_skip(&b, 4))
			return;
		if (i == 0) {
			pq->q_ok = true;
			pq->qname_len = (uint8_t)n;
			pq->qtype = xdpmx_get16(q + b.pos - 4);
			pq->qclass = xdpmx_get16(q + b.pos - 2);
		}
	}
	for (unsigned i = 0; i < (unsigned)pq->an + pq->ns + pq->ar; i++) {
		int sec = i < pq->an ? 1 : i < (unsigned)pq->an + pq->ns ? 2 : 3;

		if (parse_rr(&b, sec, pq))
			return;
	}
	pq->msg_ok = xdpmx_rbuf_left(&b) == 0;
}

/* ---- One query's state -------------------------------------------------------- */

enum step {
	STEP_DONE = 0,
	STEP_FOLLOW = 1, /* c->name moved to the next link of a chain */
};

struct qctx {
	struct xdpmx_responder *r;
	const struct xdpmx_zone *z;
	struct xdpmx_wbuf w;
	uint16_t qtype;
	size_t qend; /* response offset just after the question */
	uint16_t an, ns, ar;
	uint16_t rcode;
	bool aa, tc;
	enum xdpmx_resp_kind kind;
	bool rot_used;
	/* The name being resolved: as written (question, zone RDATA or a
	 * synthesized target; stable for the call) and canonical. */
	const uint8_t *name;
	uint8_t name_len;
	unsigned links;
	unsigned n_visited;
	/* Large scratch last: qctx_init() leaves it uninitialized (only the
	 * table's count is set). */
	struct xdpmx_ctable ct;
	const struct xdpmx_node *visited[XDPMX_RESP_CHAIN_MAX + 1];
	uint8_t canon[XDPMX_NAME_MAX + 1];
	uint8_t wild[XDPMX_NAME_MAX + 2]; /* "*." + closest encloser */
};

static void qctx_init(struct qctx *c, struct xdpmx_responder *r)
{
	memset(c, 0, offsetof(struct qctx, ct));
	xdpmx_ctable_init(&c->ct);
	c->r = r;
}

/* Length of the uncompressed wire name at p within max octets, or 0. */
static size_t wname_len(const uint8_t *p, size_t max)
{
	size_t i = 0;

	while (i < max && i < XDPMX_NAME_MAX) {
		uint8_t l = p[i];

		if (l == 0)
			return i + 1;
		if (l > XDPMX_LABEL_MAX)
			return 0;
		i += l + 1;
	}
	return 0;
}

/* Parent of a wire name, or NULL for the root. */
static const uint8_t *parent_of(const uint8_t *n)
{
	return n[0] ? n + n[0] + 1 : NULL;
}

static void set_name(struct qctx *c, const uint8_t *name, size_t len)
{
	c->name = name;
	c->name_len = (uint8_t)len;
	xdpmx_dname_canon(c->canon, name, len);
}

/* ---- Writing records ---------------------------------------------------------- */

/* Write RDATA, compressing the names of the RFC 1035 types (RFC 3597
 * section 4: no other type may be compressed). RDATA that does not parse
 * as its type is copied as is. */
static int put_rdata(struct qctx *c, uint16_t type, const uint8_t *rd, uint16_t len)
{
	struct xdpmx_wbuf *w = &c->w;
	size_t n1, n2;

	switch (type) {
	case XDPMX_TYPE_NS:
	case XDPMX_TYPE_MD:
	case XDPMX_TYPE_MF:
	case XDPMX_TYPE_CNAME:
	case XDPMX_TYPE_MB:
	case XDPMX_TYPE_MG:
	case XDPMX_TYPE_MR:
	case XDPMX_TYPE_PTR:
		if (wname_len(rd, len) != len)
			break;
		return xdpmx_wbuf_name(w, &c->ct, rd, len);
	case XDPMX_TYPE_MX:
		if (len < 3 || wname_len(rd + 2, len - 2) != (size_t)len - 2)
			break;
		if (xdpmx_wbuf_bytes(w, rd, 2))
			return -ENOSPC;
		return xdpmx_wbuf_name(w, &c->ct, rd + 2, len - 2);
	case XDPMX_TYPE_SOA:
	case XDPMX_TYPE_MINFO:
		n1 = wname_len(rd, len);
		n2 = n1 ? wname_len(rd + n1, len - n1) : 0;
		if (!n2 || (type == XDPMX_TYPE_SOA ? n1 + n2 + 20 : n1 + n2) != len)
			break;
		if (xdpmx_wbuf_name(w, &c->ct, rd, n1) || xdpmx_wbuf_name(w, &c->ct, rd + n1, n2))
			return -ENOSPC;
		return xdpmx_wbuf_bytes(w, rd + n1 + n2, len - n1 - n2);
	default:
		break;
	}
	return xdpmx_wbuf_bytes(w, rd, len);
}

/* Write one record. On -ENOSPC nothing of it remains (writer and
 * compression table rolled back). */
static int put_rr(struct qctx *c, const uint8_t *owner, size_t olen, uint16_t type, uint32_t ttl,
		  const uint8_t *rd, uint16_t rdlen)
{
	struct xdpmx_wbuf *w = &c->w;
	size_t start = w->pos, rdlen_off;

	if (xdpmx_wbuf_name(w, &c->ct, owner, olen))
		return -ENOSPC;
	if (xdpmx_wbuf_left(w) < 10)
		goto nospc;
	xdpmx_put16(w->p + w->pos, type);
	xdpmx_put16(w->p + w->pos + 2, XDPMX_CLASS_IN);
	xdpmx_put32(w->p + w->pos + 4, ttl);
	rdlen_off = w->pos + 8;
	w->pos += 10;
	if (put_rdata(c, type, rd, rdlen))
		goto nospc;
	xdpmx_put16(w->p + rdlen_off, (uint16_t)(w->pos - rdlen_off - 2));
	return 0;
nospc:
	w->pos = start;
	xdpmx_ctable_trim(&c->ct, start);
	return -ENOSPC;
}

/* First record to write of rs when its order applies. */
static unsigned rot_start(struct qctx *c, const struct xdpmx_rrset *rs)
{
	switch (rs->order) {
	case XDPMX_ORDER_CYCLIC:
		c->rot_used = true;
		return c->r->cursor % rs->count;
	case XDPMX_ORDER_RANDOM:
		return rng_below(c->r, rs->count);
	default:
		return 0;
	}
}

/* Write an RRset, rotated (answer section) or in zone order, counting the
 * records in *count. On -ENOSPC part of it may remain: callers roll back. */
static int put_rrset(struct qctx *c, const uint8_t *owner, size_t olen,
		     const struct xdpmx_rrset *rs, bool rotate, uint16_t *count)
{
	unsigned start = rotate && rs->count > 1 ? rot_start(c, rs) : 0;
	unsigned i = start;

	for (unsigned k = 0; k < rs->count; k++) {
		if (put_rr(c, owner, olen, rs->type, rs->ttl, rs->rdata[i], rs->rdlen[i]))
			return -ENOSPC;
		(*count)++;
		if (++i == rs->count)
			i = 0;
	}
	return 0;
}

/* ---- Additional records ---------------------------------------------------- */

/*
 * Octets the fast path's blob spends on a name (compile.h): compressed only
 * against suffixes of the RRset's owner (the question), longest first, never
 * the bare root; otherwise written in full.
 */
static size_t fp_name_len(const uint8_t *name, size_t len, const uint8_t *owner, size_t olen)
{
	for (size_t i = 0; name[i] != 0; i += name[i] + 1) {
		size_t slen = len - i, j = 0;

		if (slen > olen)
			continue;
		while (olen - j > slen)
			j += owner[j] + 1;
		if (olen - j == slen && xdpmx_dname_eq(owner + j, name + i))
			return i + 2;
	}
	return len;
}

/* The node of an in-zone target name, canonicalized into buf; NULL when
 * the name is outside the zone or has no node. */
static const struct xdpmx_node *target_node(const struct qctx *c, const uint8_t *name, size_t len,
					    uint8_t *buf)
{
	xdpmx_dname_canon(buf, name, len);
	if (!xdpmx_dname_is_sub(buf, c->z->apex))
		return NULL;
	return xdpmx_zone_lookup(c->z, buf);
}

struct adhost {
	const struct xdpmx_node *n;
	const struct xdpmx_rrset *a, *aaaa;
};

static bool host_seen(const struct adhost *h, unsigned nh, const struct xdpmx_node *n)
{
	for (unsigned i = 0; i < nh; i++) {
		if (h[i].n == n)
			return true;
	}
	return false;
}

static uint16_t rrset_count(const struct xdpmx_rrset *rs)
{
	return rs ? rs->count : 0;
}

/* Fast-path blob octets of an address RRset as additional records. */
static size_t fp_ad_len(const struct xdpmx_rrset *rs, const struct xdpmx_node *n,
			const struct xdpmx_node *owner)
{
	size_t len = 0, name = fp_name_len(n->name, n->name_len, owner->name, owner->name_len);

	for (unsigned i = 0; rs && i < rs->count; i++)
		len += name + 10 + rs->rdlen[i];
	return len;
}

/*
 * MX additional records, exactly the fast path's rule (compile.h): for each
 * exchange in MX zone order that is in this zone and authoritative, its A
 * then its AAAA RRset, each host once. Left out entirely - never TC - when
 * that is more than XDPMX_AD_MAX records, when the fast path's blob would
 * exceed XDPMX_BLOB_MAX because of it, or when it does not fit the message
 * (measured as the fast path's message when it would answer the question).
 */
static void additional_mx(struct qctx *c, const struct xdpmx_node *owner,
			  const struct xdpmx_rrset *mx)
{
	struct adhost h[XDPMX_AD_MAX];
	uint8_t buf[XDPMX_NAME_MAX + 1];
	unsigned nh = 0, recs = 0;
	size_t an_fp = 0, ad_fp = 0, pos = c->w.pos;
	uint16_t ar = c->ar;

	for (unsigned i = 0; i < mx->count; i++) {
		const uint8_t *ex = mx->rdata[i] + 2;
		size_t len = mx->rdlen[i] - 2;
		const struct xdpmx_node *n;
		struct adhost *e;

		if (mx->rdlen[i] < 3 || wname_len(ex, len) != len)
			continue;
		an_fp += 2 + 10 + 2 + fp_name_len(ex, len, owner->name, owner->name_len);
		n = target_node(c, ex, len, buf);
		if (!n || n->flags & (XDPMX_NODE_CUT | XDPMX_NODE_OCCLUDED | XDPMX_NODE_WILDCARD) ||
		    host_seen(h, nh, n))
			continue;
		e = &h[nh];
		e->n = n;
		e->a = xdpmx_node_rrset(n, XDPMX_TYPE_A);
		e->aaaa = xdpmx_node_rrset(n, XDPMX_TYPE_AAAA);
		if (!e->a && !e->aaaa)
			continue;
		recs += rrset_count(e->a) + rrset_count(e->aaaa);
		if (recs > XDPMX_AD_MAX)
			return;
		ad_fp += fp_ad_len(e->a, n, owner) + fp_ad_len(e->aaaa, n, owner);
		nh++;
	}
	/* The blob bound only matters for RRsets the fast path compiles at all. */
	if (mx->count <= XDPMX_RR_MAX) {
		size_t base = XDPMX_BLOB_AN_OFF(mx->count) + an_fp;

		if (base <= XDPMX_BLOB_MAX && base + ad_fp > XDPMX_BLOB_MAX)
			return;
	}
	/* Where the fast path would answer this very question (the MX of the
	 * qname itself, no chain, no wildcard), it decides "fits" on its own
	 * answer's size, which compresses less than ours: decide on that
	 * size too, so both paths send the same records. */
	if (c->links == 0 && c->an == mx->count && !(owner->flags & XDPMX_NODE_WILDCARD) &&
	    c->qend + an_fp + ad_fp > c->w.cap)
		return;
	for (unsigned i = 0; i < nh; i++) {
		const struct xdpmx_node *n = h[i].n;

		if ((h[i].a && put_rrset(c, n->oname, n->name_len, h[i].a, false, &c->ar)) ||
		    (h[i].aaaa && put_rrset(c, n->oname, n->name_len, h[i].aaaa, false, &c->ar))) {
			c->w.pos = pos;
			xdpmx_ctable_trim(&c->ct, pos);
			c->ar = ar;
			return;
		}
	}
}

/*
 * Addresses of name-server targets: A then AAAA of each target, in NS zone
 * order, each host once. below == NULL: every in-zone target (NS at the
 * apex), optional, so RRsets that do not fit are left out. below != NULL:
 * referral glue, the targets at or below that cut, required: -ENOSPC means
 * the referral must be truncated.
 */
static int additional_ns(struct qctx *c, const struct xdpmx_rrset *ns, const uint8_t *below)
{
	struct adhost h[XDPMX_AD_MAX];
	uint8_t buf[XDPMX_NAME_MAX + 1];
	unsigned nh = 0;

	for (unsigned i = 0; i < ns->count && nh < XDPMX_AD_MAX; i++) {
		const struct xdpmx_rrset *set[2];
		const struct xdpmx_node *n;
		size_t len = ns->rdlen[i];

		if (wname_len(ns->rdata[i], len) != len)
			continue;
		n = target_node(c, ns->rdata[i], len, buf);
		if (!n || host_seen(h, nh, n) || (below && !xdpmx_dname_is_sub(n->name, below)))
			continue;
		h[nh++].n = n;
		set[0] = xdpmx_node_rrset(n, XDPMX_TYPE_A);
		set[1] = xdpmx_node_rrset(n, XDPMX_TYPE_AAAA);
		for (int k = 0; k < 2; k++) {
			size_t pos = c->w.pos;
			uint16_t ar = c->ar;

			if (!set[k] || !put_rrset(c, n->oname, n->name_len, set[k], false, &c->ar))
				continue;
			if (below)
				return -ENOSPC;
			c->w.pos = pos;
			xdpmx_ctable_trim(&c->ct, pos);
			c->ar = ar;
			return 0;
		}
	}
	return 0;
}

/* ---- Answers ------------------------------------------------------------------ */

/* Negative answer: rcode NXDOMAIN or NOERROR (NODATA), the zone's SOA in
 * the authority section with the negative TTL of RFC 2308 section 5. */
static int put_negative(struct qctx *c, uint16_t rcode)
{
	const struct xdpmx_zone *z = c->z;
	const struct xdpmx_node *apex = z->n_nodes ? z->nodes[0] : NULL;
	const struct xdpmx_rrset *soa;
	uint32_t ttl = z->soa_ttl < z->soa_minimum ? z->soa_ttl : z->soa_minimum;

	if (!apex || !(apex->flags & XDPMX_NODE_APEX))
		apex = xdpmx_zone_lookup(z, z->apex);
	c->rcode = rcode;
	c->kind = rcode == XDPMX_RCODE_NXDOMAIN ? XDPMX_RESP_NXDOMAIN : XDPMX_RESP_NODATA;
	soa = apex ? xdpmx_node_rrset(apex, XDPMX_TYPE_SOA) : NULL;
	if (!soa)
		return 0;
	if (put_rr(c, apex->oname, apex->name_len, XDPMX_TYPE_SOA, ttl, soa->rdata[0],
		   soa->rdlen[0]))
		return -ENOSPC;
	c->ns++;
	return 0;
}

/* Referral from the delegation point cut: its NS in authority, glue in
 * additional. AA stays set only if a chain before it was authoritative. */
static int put_referral(struct qctx *c, const struct xdpmx_node *cut)
{
	const struct xdpmx_rrset *ns = xdpmx_node_rrset(cut, XDPMX_TYPE_NS);

	c->kind = XDPMX_RESP_REFERRAL;
	c->aa = c->an > 0;
	if (!ns)
		return 0;
	if (put_rrset(c, cut->oname, cut->name_len, ns, false, &c->ns))
		return -ENOSPC;
	return additional_ns(c, ns, cut->name);
}

static bool chain_visited(struct qctx *c, const struct xdpmx_node *n)
{
	for (unsigned i = 0; i < c->n_visited; i++) {
		if (c->visited[i] == n)
			return true;
	}
	if (c->n_visited < XDPMX_RESP_CHAIN_MAX + 1)
		c->visited[c->n_visited++] = n;
	return false;
}

/* Move to the next link of a chain, target (len octets, stable memory).
 * Stops when the chain is too long or leaves the zone. */
static enum step chain_to(struct qctx *c, const uint8_t *target, size_t len)
{
	if (++c->links > XDPMX_RESP_CHAIN_MAX)
		return STEP_DONE;
	set_name(c, target, len);
	if (xdpmx_zoneset_find(c->r->zs, c->canon) != c->z)
		return STEP_DONE;
	return STEP_FOLLOW;
}

/* The name exists at n (or a wildcard n matched it): answer from n. */
static int answer_node(struct qctx *c, const struct xdpmx_node *n)
{
	const struct xdpmx_rrset *rs, *cname;
	static const uint8_t hinfo[] = {7, 'R', 'F', 'C', '8', '4', '8', '2', 0};

	if (n->flags & XDPMX_NODE_CUT && c->qtype != XDPMX_TYPE_DS)
		return put_referral(c, n);
	if (c->qtype == XDPMX_TYPE_ANY) {
		if (n->n_rrsets == 0)
			return put_negative(c, XDPMX_RCODE_NOERROR);
		c->kind = XDPMX_RESP_ANY;
		if (put_rr(c, c->name, c->name_len, XDPMX_TYPE_HINFO, XDPMX_RESP_ANY_TTL, hinfo,
			   sizeof(hinfo)))
			return -ENOSPC;
		c->an++;
		return STEP_DONE;
	}
	rs = xdpmx_node_rrset(n, c->qtype);
	if (rs) {
		c->kind = XDPMX_RESP_ANSWER;
		if (put_rrset(c, c->name, c->name_len, rs, true, &c->an))
			return -ENOSPC;
		if (rs->type == XDPMX_TYPE_MX)
			additional_mx(c, n, rs);
		else if (rs->type == XDPMX_TYPE_NS && n->flags & XDPMX_NODE_APEX)
			additional_ns(c, rs, NULL);
		return STEP_DONE;
	}
	cname = c->qtype != XDPMX_TYPE_CNAME ? xdpmx_node_rrset(n, XDPMX_TYPE_CNAME) : NULL;
	if (!cname)
		return put_negative(c, XDPMX_RCODE_NOERROR);
	c->kind = XDPMX_RESP_ANSWER;
	if (chain_visited(c, n)) /* a loop: answer with the chain so far */
		return STEP_DONE;
	if (put_rrset(c, c->name, c->name_len, cname, true, &c->an))
		return -ENOSPC;
	if (wname_len(cname->rdata[0], cname->rdlen[0]) != cname->rdlen[0])
		return STEP_DONE;
	return chain_to(c, cname->rdata[0], cname->rdlen[0]);
}

/* c->name is below the DNAME owner d: the DNAME, a CNAME synthesized from
 * it (RFC 6672 section 3.2), then on to the new name. */
static int answer_dname(struct qctx *c, const struct xdpmx_node *d)
{
	const struct xdpmx_rrset *dn = xdpmx_node_rrset(d, XDPMX_TYPE_DNAME);
	size_t tlen = dn->rdlen[0], plen = c->name_len - d->name_len;
	uint8_t *out = c->r->synth[c->links];

	c->kind = XDPMX_RESP_ANSWER;
	if (put_rrset(c, d->oname, d->name_len, dn, false, &c->an))
		return -ENOSPC;
	if (wname_len(dn->rdata[0], tlen) != tlen)
		return STEP_DONE;
	if (plen + tlen > XDPMX_NAME_MAX) {
		c->rcode = XDPMX_RCODE_YXDOMAIN;
		c->kind = XDPMX_RESP_YXDOMAIN;
		return STEP_DONE;
	}
	memcpy(out, c->name, plen);
	memcpy(out + plen, dn->rdata[0], tlen);
	if (put_rr(c, c->name, c->name_len, XDPMX_TYPE_CNAME, dn->ttl, out,
		   (uint16_t)(plen + tlen)))
		return -ENOSPC;
	c->an++;
	return chain_to(c, out, plen + tlen);
}

/* ---- The name walk -------------------------------------------------------------- */

/* Name is at or below a node flagged OCCLUDED: the delegation or DNAME
 * owner above it decides. */
static int answer_occluded(struct qctx *c, const uint8_t *name)
{
	const struct xdpmx_node *n = NULL;

	while ((name = parent_of(name)) != NULL) {
		n = xdpmx_zone_lookup(c->z, name);
		if (n && !(n->flags & XDPMX_NODE_OCCLUDED))
			break;
	}
	if (n && n->flags & XDPMX_NODE_CUT)
		return put_referral(c, n);
	if (n && xdpmx_node_rrset(n, XDPMX_TYPE_DNAME))
		return answer_dname(c, n);
	return put_negative(c, XDPMX_RCODE_NXDOMAIN); /* the model cannot say otherwise */
}

/*
 * One link: find c->canon in the zone and answer for it. Returns
 * STEP_DONE, STEP_FOLLOW (c->name is the next link) or -ENOSPC.
 */
static int resolve_step(struct qctx *c)
{
	const struct xdpmx_zone *z = c->z;
	const struct xdpmx_node *n = xdpmx_zone_lookup(z, c->canon), *w;
	const uint8_t *ce = c->canon;
	size_t celen;

	if (n)
		return n->flags & XDPMX_NODE_OCCLUDED ? answer_occluded(c, c->canon)
						      : answer_node(c, n);
	/* Closest encloser: the deepest existing ancestor (ENTs exist as
	 * nodes, so a name below an empty non-terminal stops there). The
	 * apex is an ancestor, so the walk ends at it at the latest. */
	celen = c->name_len;
	while (!n && celen > z->apex_len) {
		celen -= ce[0] + 1;
		ce = parent_of(ce);
		n = xdpmx_zone_lookup(z, ce);
	}
	if (!n)
		return put_negative(c, XDPMX_RCODE_NXDOMAIN);
	if (n->flags & XDPMX_NODE_OCCLUDED)
		return answer_occluded(c, ce);
	if (n->flags & XDPMX_NODE_CUT)
		return put_referral(c, n);
	if (xdpmx_node_rrset(n, XDPMX_TYPE_DNAME))
		return answer_dname(c, n);
	/* RFC 4592 section 3.3.1: the source of synthesis is "*." + the
	 * closest encloser; an existing name or ENT on the way blocked it
	 * already, by being the closest encloser. */
	if (celen + 2 <= XDPMX_NAME_MAX) {
		c->wild[0] = 1;
		c->wild[1] = '*';
		memcpy(c->wild + 2, ce, celen);
		w = xdpmx_zone_lookup(z, c->wild);
		if (w)
			return answer_node(c, w);
	}
	return put_negative(c, XDPMX_RCODE_NXDOMAIN);
}

static int resolve(struct qctx *c)
{
	int ret;

	do
		ret = resolve_step(c);
	while (ret == STEP_FOLLOW);
	return ret;
}

/* The zone to answer from: the deepest one holding the name, except that
 * DS at a zone's apex belongs to the parent zone when that is loaded. */
static const struct xdpmx_zone *pick_zone(const struct xdpmx_zoneset *zs, const uint8_t *canon,
					  uint16_t qtype)
{
	const struct xdpmx_zone *z = zs ? xdpmx_zoneset_find(zs, canon) : NULL;

	if (z && qtype == XDPMX_TYPE_DS && canon[0] != 0 && xdpmx_dname_eq(z->apex, canon)) {
		const struct xdpmx_zone *pz = xdpmx_zoneset_find(zs, parent_of(canon));

		if (pz)
			return pz;
	}
	return z;
}

/* ---- The entry point -------------------------------------------------------------- */

static uint16_t udp_limit(const struct xdpmx_responder *r, bool edns, uint16_t client)
{
	uint16_t lim;

	if (!edns)
		return XDPMX_UDP_MIN;
	lim = client < r->edns_size ? client : r->edns_size;
	return lim < XDPMX_UDP_MIN ? XDPMX_UDP_MIN : lim;
}

static void answer_query(struct qctx *c, const struct pquery *pq)
{
	const struct xdpmx_zone *z;

	if (pq->qclass != XDPMX_CLASS_IN || pq->qtype == XDPMX_TYPE_AXFR ||
	    pq->qtype == XDPMX_TYPE_IXFR) {
		c->rcode = XDPMX_RCODE_REFUSED;
		c->kind = XDPMX_RESP_REFUSED;
		return;
	}
	z = pick_zone(c->r->zs, c->canon, pq->qtype);
	if (!z) {
		c->rcode = XDPMX_RCODE_REFUSED;
		c->kind = XDPMX_RESP_REFUSED;
		return;
	}
	c->z = z;
	c->aa = true;
	if (resolve(c) < 0) {
		/* Did not fit: question (and OPT) only, TC=1. */
		c->w.pos = c->qend;
		xdpmx_ctable_trim(&c->ct, c->qend);
		c->an = c->ns = c->ar = 0;
		c->tc = true;
	}
	if (c->rot_used)
		c->r->cursor++;
}

ssize_t xdpmx_respond(struct xdpmx_responder *r, const uint8_t *q, size_t qlen, bool tcp,
		      uint8_t *out, size_t cap, struct xdpmx_resp_info *info)
{
	struct xdpmx_resp_info dummy;
	struct pquery pq;
	struct qctx c;
	bool echo, edns;
	size_t limit, reserve;
	uint16_t rflags;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (qlen < XDPMX_DNS_HDR_LEN || xdpmx_get16(q + XDPMX_DNS_OFF_FLAGS) & XDPMX_DNS_F_QR)
		return 0;
	parse_query(q, qlen, &pq);

	echo = pq.qd == 1 && pq.q_ok;
	edns = pq.msg_ok && pq.n_opt == 1 && !pq.opt_bad;
	limit = tcp ? XDPMX_RESP_TCP_MAX : udp_limit(r, edns, pq.udp_size);
	if (limit > cap)
		limit = cap;
	reserve = edns ? XDPMX_OPT_LEN : 0;
	if (limit < XDPMX_DNS_HDR_LEN + (echo ? pq.qname_len + 4u : 0) + reserve)
		return -ENOBUFS;

	qctx_init(&c, r);
	c.qtype = pq.qtype;
	xdpmx_wbuf_init(&c.w, out, limit - reserve);
	memset(out, 0, XDPMX_DNS_HDR_LEN);
	c.w.pos = XDPMX_DNS_HDR_LEN;
	if (echo) {
		xdpmx_wbuf_bytes(&c.w, q + XDPMX_DNS_HDR_LEN, pq.qname_len + 4u);
		xdpmx_ctable_add(&c.ct, out + XDPMX_DNS_HDR_LEN, pq.qname_len, XDPMX_DNS_HDR_LEN);
		set_name(&c, out + XDPMX_DNS_HDR_LEN, pq.qname_len);
	}
	c.qend = c.w.pos;

	if (XDPMX_DNS_OPCODE(pq.flags) != XDPMX_OPCODE_QUERY) {
		c.rcode = XDPMX_RCODE_NOTIMP;
		c.kind = XDPMX_RESP_NOTIMP;
	} else if (!pq.msg_ok || pq.qd != 1 || pq.n_opt > 1 || pq.opt_bad) {
		c.rcode = XDPMX_RCODE_FORMERR;
		c.kind = XDPMX_RESP_FORMERR;
	} else if (edns && XDPMX_EDNS_VERSION(pq.opt_ttl) != 0) {
		c.rcode = XDPMX_RCODE_BADVERS;
		c.kind = XDPMX_RESP_BADVERS;
	} else {
		answer_query(&c, &pq);
	}

	c.w.cap += reserve;
	if (edns) {
		uint32_t ttl = XDPMX_EDNS_TTL(c.rcode >> 4, 0, pq.opt_ttl & XDPMX_EDNS_F_DO);

		xdpmx_wbuf_u8(&c.w, 0);
		xdpmx_wbuf_u16(&c.w, XDPMX_TYPE_OPT);
		xdpmx_wbuf_u16(&c.w, r->edns_size);
		xdpmx_wbuf_u32(&c.w, ttl);
		xdpmx_wbuf_u16(&c.w, 0);
		c.ar++;
	}

	rflags = XDPMX_DNS_F_QR |
		 (pq.flags & (XDPMX_DNS_F_OPCODE_MASK | XDPMX_DNS_F_RD | XDPMX_DNS_F_CD));
	if (c.tc)
		rflags |= XDPMX_DNS_F_TC;
	if (c.aa)
		rflags |= XDPMX_DNS_F_AA;
	rflags |= c.rcode & XDPMX_DNS_F_RCODE_MASK;
	xdpmx_put16(out + XDPMX_DNS_OFF_ID, pq.id);
	xdpmx_put16(out + XDPMX_DNS_OFF_FLAGS, rflags);
	xdpmx_put16(out + XDPMX_DNS_OFF_QDCOUNT, echo ? 1 : 0);
	xdpmx_put16(out + XDPMX_DNS_OFF_ANCOUNT, c.an);
	xdpmx_put16(out + XDPMX_DNS_OFF_NSCOUNT, c.ns);
	xdpmx_put16(out + XDPMX_DNS_OFF_ARCOUNT, c.ar);

	info->kind = c.kind;
	info->rcode = c.rcode;
	info->qtype = pq.q_ok ? pq.qtype : 0;
	info->qclass = pq.q_ok ? pq.qclass : 0;
	info->an = c.an;
	info->ns = c.ns;
	info->ar = c.ar;
	info->tc = c.tc;
	info->aa = c.aa;
	info->edns = edns;
	info->dnssec_ok = edns && pq.opt_ttl & XDPMX_EDNS_F_DO;
	info->zone = c.z;
	return (ssize_t)c.w.pos;
}
