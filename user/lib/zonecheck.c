// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Zone checks (xdpmx_zone_check) and the cross-zone PTR rule
 * (xdpmx_zoneset_check_ptr): see zone.h for what each reports.
 *
 * Wording follows kzonecheck and nsd-checkzone where they have a check of
 * the same kind ("missing SOA at the zone apex", "multiple CNAME records"),
 * with the owner name first so an operator sees what to fix; every message
 * carries a short check id in brackets.
 *
 * Data below a delegation point or a DNAME (OCCLUDED) is not the zone's
 * authoritative data and is not checked; names that resolve there count as
 * outside the zone.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "zone_int.h"

#define CNAME_HOPS 8 /* CNAMEs followed when resolving inside loaded zones */

static bool is_root(const uint8_t *n)
{
	return n[0] == 0;
}

static void canon_of(uint8_t *dst, const uint8_t *src)
{
	int len = xdpmx_dname_len(src, XDPMX_DNAME_MAX);

	xdpmx_dname_canon(dst, src, len > 0 ? (size_t)len : 1);
	if (len <= 0)
		dst[0] = 0;
}

/*
 * Where canon (at or below z's apex) lands in z: its node, or the node a
 * wildcard synthesises it from (RFC 4592), or NULL. *away is set when the
 * name is not z's to answer: at or below a delegation point, or below a
 * DNAME owner.
 */
static const struct xdpmx_node *zone_find(const struct xdpmx_zone *z, const uint8_t *canon,
					  bool *away)
{
	const struct xdpmx_node *n = xdpmx_zone_lookup(z, canon);
	const uint8_t *p = canon;
	uint8_t wild[XDPMX_DNAME_MAX];
	int len;

	*away = false;
	if (n) {
		*away = (n->flags & (XDPMX_NODE_CUT | XDPMX_NODE_OCCLUDED)) &&
			!(n->flags & XDPMX_NODE_APEX);
		return n;
	}
	/* the closest encloser: the nearest ancestor that exists */
	do {
		p = xdpmx_dname_parent(p);
		n = p ? xdpmx_zone_lookup(z, p) : NULL;
	} while (p && !n);
	if (!n)
		return NULL;
	if (n->flags & (XDPMX_NODE_CUT | XDPMX_NODE_OCCLUDED) ||
	    xdpmx_node_rrset(n, LDNS_RR_TYPE_DNAME)) {
		*away = !(n->flags & XDPMX_NODE_APEX) || xdpmx_node_rrset(n, LDNS_RR_TYPE_DNAME);
		return NULL;
	}
	len = n->name_len;
	if (len + 2 > XDPMX_DNAME_MAX)
		return NULL;
	wild[0] = 1;
	wild[1] = '*';
	memcpy(wild + 2, n->name, (size_t)len);
	return xdpmx_zone_lookup(z, wild);
}

static bool has_address(const struct xdpmx_node *n)
{
	return n && (xdpmx_node_rrset(n, LDNS_RR_TYPE_A) || xdpmx_node_rrset(n, LDNS_RR_TYPE_AAAA));
}

/* The MX and NS target checks for one RRset. */
static void check_targets(const struct xdpmx_zone *z, const struct xdpmx_node *node,
			  const struct xdpmx_rrset *rs, struct xdpmx_diag *d)
{
	const char *tn = rs->type == LDNS_RR_TYPE_MX ? "MX" : "NS";
	size_t off = rs->type == LDNS_RR_TYPE_MX ? 2 : 0;
	char os[XDPMX_DNAME_STRLEN], ts[XDPMX_DNAME_STRLEN];

	for (size_t i = 0; i < rs->count; i++) {
		const uint8_t *target = rs->rdata[i] + off;
		uint8_t canon[XDPMX_DNAME_MAX];
		const struct xdpmx_node *tnode;
		bool away;

		if (rs->rdlen[i] <= off || xdpmx_dname_len(target, rs->rdlen[i] - off) < 0)
			continue;
		if (is_root(target)) /* "MX 0 ." : no mail (RFC 7505) */
			continue;
		canon_of(canon, target);
		if (!xdpmx_dname_is_sub(canon, z->apex))
			continue;
		tnode = zone_find(z, canon, &away);
		if (away)
			continue;
		if (tnode && xdpmx_node_rrset(tnode, LDNS_RR_TYPE_CNAME)) {
			xdpmx_diag_add(
				d, XDPMX_SEV_ERROR, rs->file, rs->line,
				rs->type == LDNS_RR_TYPE_MX ? "mx-target-cname" : "ns-target-cname",
				"%s target %s of %s is a CNAME (RFC 2181 section 10.3)", tn,
				xdpmx_dname_str(target, ts), xdpmx_dname_str(node->oname, os));
			continue;
		}
		if (rs->type == LDNS_RR_TYPE_MX && !has_address(tnode))
			xdpmx_diag_add(
				d, XDPMX_SEV_WARNING, rs->file, rs->line, "mx-target-no-address",
				"MX target %s of %s has no A or AAAA records in the zone",
				xdpmx_dname_str(target, ts), xdpmx_dname_str(node->oname, os));
	}
}

static void check_cname(const struct xdpmx_node *n, const struct xdpmx_rrset *cname,
			struct xdpmx_diag *d)
{
	char os[XDPMX_DNAME_STRLEN], others[256] = "";
	size_t len = 0;

	if (cname->count > 1)
		xdpmx_diag_add(d, XDPMX_SEV_ERROR, cname->file, cname->line, "cname-multiple",
			       "%s has %u CNAME records: multiple CNAME records",
			       xdpmx_dname_str(n->oname, os), cname->count);
	for (size_t i = 0; i < n->n_rrsets; i++) {
		uint16_t t = n->rrsets[i].type;
		char ts[16];

		/* RFC 1034 3.6.2 as amended by RFC 4035 2.5: signatures and
		 * NSEC records may sit beside a CNAME */
		if (t == LDNS_RR_TYPE_CNAME || t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC)
			continue;
		xdpmx_type_str(t, ts, sizeof(ts));
		if (len + strlen(ts) + 8 >= sizeof(others)) {
			snprintf(others + len, sizeof(others) - len, ", ...");
			break;
		}
		len += (size_t)snprintf(others + len, sizeof(others) - len, "%s%s", len ? ", " : "",
					ts);
	}
	if (len)
		xdpmx_diag_add(d, XDPMX_SEV_ERROR, cname->file, cname->line, "cname-and-other-data",
			       "%s has a CNAME and other data (%s)", xdpmx_dname_str(n->oname, os),
			       others);
}

int xdpmx_zone_check(const struct xdpmx_zone *z, struct xdpmx_diag *d)
{
	const struct xdpmx_node *apex = xdpmx_zone_lookup(z, z->apex);
	const struct xdpmx_rrset *soa = apex ? xdpmx_node_rrset(apex, LDNS_RR_TYPE_SOA) : NULL;
	size_t errors = d->errors;
	char as[XDPMX_DNAME_STRLEN];

	xdpmx_dname_str(apex ? apex->oname : z->apex, as);
	if (!soa)
		xdpmx_diag_add(d, XDPMX_SEV_ERROR, z->file, 0, "missing-soa",
			       "%s: missing SOA at the zone apex", as);
	else if (soa->count > 1)
		xdpmx_diag_add(d, XDPMX_SEV_ERROR, soa->file, soa->line, "multiple-soa",
			       "%s has %u SOA records, a zone has exactly one", as, soa->count);
	if (!apex || !xdpmx_node_rrset(apex, LDNS_RR_TYPE_NS))
		xdpmx_diag_add(d, XDPMX_SEV_ERROR, soa ? soa->file : z->file, soa ? soa->line : 0,
			       "missing-apex-ns", "%s: missing NS at the zone apex", as);

	for (size_t i = 0; i < z->n_nodes; i++) {
		const struct xdpmx_node *n = z->nodes[i];
		const struct xdpmx_rrset *rs;
		char os[XDPMX_DNAME_STRLEN];

		if (n->flags & (XDPMX_NODE_OCCLUDED | XDPMX_NODE_ENT))
			continue;
		rs = xdpmx_node_rrset(n, LDNS_RR_TYPE_SOA);
		if (rs && !(n->flags & XDPMX_NODE_APEX))
			xdpmx_diag_add(d, XDPMX_SEV_ERROR, rs->file, rs->line, "soa-not-at-apex",
				       "%s has an SOA record but is not the zone apex %s",
				       xdpmx_dname_str(n->oname, os), as);
		rs = xdpmx_node_rrset(n, LDNS_RR_TYPE_CNAME);
		if (rs)
			check_cname(n, rs, d);
		rs = xdpmx_node_rrset(n, LDNS_RR_TYPE_MX);
		if (rs)
			check_targets(z, n, rs, d);
		rs = xdpmx_node_rrset(n, LDNS_RR_TYPE_NS);
		if (rs)
			check_targets(z, n, rs, d);
	}
	return (int)(d->errors - errors);
}

/* ---- The PTR rule across zones ---------------------------------------------- */

enum resolved {
	RES_FOUND,   /* *out holds the RRset */
	RES_NONE,    /* the loaded zones say there is no such data */
	RES_OUTSIDE, /* not in a loaded zone, or delegated out of one */
};

/* Resolve (canon, type) in the loaded zones, following CNAMEs. */
static enum resolved resolve(const struct xdpmx_zoneset *s, const uint8_t *canon, uint16_t type,
			     const struct xdpmx_rrset **out)
{
	uint8_t name[XDPMX_DNAME_MAX];
	int len = xdpmx_dname_len(canon, XDPMX_DNAME_MAX);

	if (len < 0)
		return RES_NONE;
	memcpy(name, canon, (size_t)len);
	for (int hop = 0; hop <= CNAME_HOPS; hop++) {
		const struct xdpmx_zone *z = xdpmx_zoneset_find(s, name);
		const struct xdpmx_node *n;
		const struct xdpmx_rrset *rs;
		bool away;

		if (!z)
			return RES_OUTSIDE;
		n = zone_find(z, name, &away);
		if (away)
			return RES_OUTSIDE;
		if (!n)
			return RES_NONE;
		rs = xdpmx_node_rrset(n, type);
		if (rs) {
			*out = rs;
			return RES_FOUND;
		}
		rs = xdpmx_node_rrset(n, LDNS_RR_TYPE_CNAME);
		if (!rs || xdpmx_dname_len(rs->rdata[0], rs->rdlen[0]) < 0)
			return RES_NONE;
		canon_of(name, rs->rdata[0]);
	}
	return RES_NONE; /* a CNAME loop or a long chain */
}

/* The reverse name of an address (RFC 1035 3.5, RFC 3596 2.5), canonical. */
static void reverse_name(uint8_t *out, const uint8_t *addr, int alen)
{
	static const char hex[] = "0123456789abcdef";
	size_t p = 0;

	if (alen == 4) {
		for (int i = 3; i >= 0; i--) {
			char digits[4];
			int n = snprintf(digits, sizeof(digits), "%u", addr[i]);

			out[p++] = (uint8_t)n;
			memcpy(out + p, digits, (size_t)n);
			p += (size_t)n;
		}
		memcpy(out + p, "\7in-addr\4arpa", 14); /* with the root byte */
		return;
	}
	for (int i = 15; i >= 0; i--) {
		out[p++] = 1;
		out[p++] = (uint8_t)hex[addr[i] & 0xf];
		out[p++] = 1;
		out[p++] = (uint8_t)hex[addr[i] >> 4];
	}
	memcpy(out + p, "\3ip6\4arpa", 10);
}

/* Names as a list "a., b." into buf. */
static void name_list(const struct xdpmx_rrset *ptr, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ptr->count && len + 8 < size; i++) {
		char ns[XDPMX_DNAME_STRLEN];

		if (xdpmx_dname_len(ptr->rdata[i], ptr->rdlen[i]) < 0)
			continue;
		xdpmx_dname_str(ptr->rdata[i], ns);
		if (len + strlen(ns) + 8 >= size) {
			snprintf(buf + len, size - len, ", ...");
			return;
		}
		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", ns);
	}
}

static bool rrset_has(const struct xdpmx_rrset *rs, const uint8_t *addr, int alen)
{
	for (size_t i = 0; i < rs->count; i++)
		if (rs->rdlen[i] == alen && memcmp(rs->rdata[i], addr, (size_t)alen) == 0)
			return true;
	return false;
}

/* One address of one mail exchange host: the host's address RRset is hrs.
 * Returns whether it is forward-confirmed (no warning). */
static bool check_address(const struct xdpmx_zoneset *s, const char *host,
			  const struct xdpmx_rrset *hrs, const uint8_t *addr, int alen,
			  struct xdpmx_diag *d)
{
	uint16_t atype = alen == 4 ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA;
	const char *tn = alen == 4 ? "A" : "AAAA";
	uint8_t rev[XDPMX_DNAME_MAX];
	char as[INET6_ADDRSTRLEN], rs[XDPMX_DNAME_STRLEN], targets[512];
	const struct xdpmx_rrset *ptr = NULL;
	bool mismatch = false;

	inet_ntop(alen == 4 ? AF_INET : AF_INET6, addr, as, sizeof(as));
	reverse_name(rev, addr, alen);
	xdpmx_dname_str(rev, rs);

	switch (resolve(s, rev, LDNS_RR_TYPE_PTR, &ptr)) {
	case RES_OUTSIDE:
		xdpmx_diag_add(d, XDPMX_SEV_WARNING, hrs->file, hrs->line, "ptr-no-reverse-zone",
			       "%s (%s of %s): no reverse zone loaded for %s", as, tn, host, rs);
		return false;
	case RES_NONE:
		xdpmx_diag_add(d, XDPMX_SEV_WARNING, hrs->file, hrs->line, "ptr-missing",
			       "%s (%s of %s) has no PTR record at %s", as, tn, host, rs);
		return false;
	case RES_FOUND:
		break;
	}

	for (size_t i = 0; i < ptr->count; i++) {
		const struct xdpmx_rrset *back = NULL;
		uint8_t canon[XDPMX_DNAME_MAX];

		if (xdpmx_dname_len(ptr->rdata[i], ptr->rdlen[i]) < 0)
			continue;
		canon_of(canon, ptr->rdata[i]);
		switch (resolve(s, canon, atype, &back)) {
		case RES_FOUND:
			if (rrset_has(back, addr, alen))
				return true; /* forward-confirmed */
			mismatch = true;
			break;
		case RES_NONE:
			mismatch = true;
			break;
		case RES_OUTSIDE:
			break;
		}
	}
	name_list(ptr, targets, sizeof(targets));
	if (mismatch)
		xdpmx_diag_add(d, XDPMX_SEV_WARNING, ptr->file, ptr->line, "ptr-mismatch",
			       "%s (%s of %s): PTR %s names %s, which %s not resolve back to %s",
			       as, tn, host, rs, targets, ptr->count > 1 ? "do" : "does", as);
	else
		xdpmx_diag_add(d, XDPMX_SEV_WARNING, ptr->file, ptr->line, "ptr-unconfirmed",
			       "%s (%s of %s): PTR %s names %s, outside the loaded zones: cannot "
			       "confirm that it resolves back",
			       as, tn, host, rs, targets);
	return false;
}

/* Set of host names already checked. */
struct hostset {
	struct zarena arena;
	const uint8_t **slot;
	size_t mask, n;
};

/* Add canon; returns 1 if new, 0 if seen, -ENOMEM. */
static int hostset_add(struct hostset *h, const uint8_t *canon, size_t len)
{
	uint64_t hash = xdpmx_zhash(canon, len);
	size_t j;

	if (!h->slot || 2 * (h->n + 1) > h->mask + 1) {
		size_t size = h->slot ? 2 * (h->mask + 1) : 64;
		const uint8_t **t = calloc(size, sizeof(*t));

		if (!t)
			return -ENOMEM;
		for (size_t i = 0; h->slot && i <= h->mask; i++) {
			const uint8_t *e = h->slot[i];

			if (!e)
				continue;
			j = xdpmx_zhash(e, (size_t)xdpmx_dname_len(e, XDPMX_DNAME_MAX)) &
			    (size - 1);
			while (t[j])
				j = (j + 1) & (size - 1);
			t[j] = e;
		}
		free(h->slot);
		h->slot = t;
		h->mask = size - 1;
	}
	for (j = hash & h->mask; h->slot[j]; j = (j + 1) & h->mask)
		if (xdpmx_dname_eq(h->slot[j], canon))
			return 0;
	h->slot[j] = zarena_dup(&h->arena, canon, len);
	if (!h->slot[j])
		return -ENOMEM;
	h->n++;
	return 1;
}

static void check_host(const struct xdpmx_zoneset *s, const uint8_t *target, struct hostset *seen,
		       struct xdpmx_diag *d, struct xdpmx_ptr_stats *st)
{
	size_t before = st->addresses;
	uint8_t canon[XDPMX_DNAME_MAX];
	const struct xdpmx_rrset *rs;
	char host[XDPMX_DNAME_STRLEN];
	int len = xdpmx_dname_len(target, XDPMX_DNAME_MAX);

	if (len <= 1) /* the root: a null MX */
		return;
	canon_of(canon, target);
	if (hostset_add(seen, canon, (size_t)len) != 1)
		return;
	xdpmx_dname_str(target, host);
	if (resolve(s, canon, LDNS_RR_TYPE_A, &rs) == RES_FOUND)
		for (size_t i = 0; i < rs->count; i++)
			if (rs->rdlen[i] == 4) {
				st->addresses++;
				st->confirmed += check_address(s, host, rs, rs->rdata[i], 4, d);
			}
	if (resolve(s, canon, LDNS_RR_TYPE_AAAA, &rs) == RES_FOUND)
		for (size_t i = 0; i < rs->count; i++)
			if (rs->rdlen[i] == 16) {
				st->addresses++;
				st->confirmed += check_address(s, host, rs, rs->rdata[i], 16, d);
			}
	st->hosts += st->addresses > before;
}

char *xdpmx_ptr_rule_str(const struct xdpmx_ptr_stats *st, char *buf, size_t size)
{
	size_t warnings = st->addresses - st->confirmed;

	if (!st->hosts)
		snprintf(buf, size,
			 "PTR rule: no mail exchange host with an address in the "
			 "loaded zones to check");
	else if (!warnings)
		snprintf(buf, size,
			 "PTR rule: satisfied, %zu address%s of %zu mail host%s "
			 "forward-confirmed",
			 st->addresses, st->addresses == 1 ? "" : "es", st->hosts,
			 st->hosts == 1 ? "" : "s");
	else
		snprintf(buf, size,
			 "PTR rule: %zu warning%s (%zu of %zu address%s of %zu mail "
			 "host%s forward-confirmed)",
			 warnings, warnings == 1 ? "" : "s", st->confirmed, st->addresses,
			 st->addresses == 1 ? "" : "es", st->hosts, st->hosts == 1 ? "" : "s");
	return buf;
}

int xdpmx_zoneset_check_ptr(const struct xdpmx_zoneset *s, struct xdpmx_diag *d)
{
	struct xdpmx_ptr_stats st;

	return xdpmx_zoneset_check_ptr_stats(s, d, &st);
}

int xdpmx_zoneset_check_ptr_stats(const struct xdpmx_zoneset *s, struct xdpmx_diag *d,
				  struct xdpmx_ptr_stats *st)
{
	struct hostset seen = {};
	size_t warnings = d->warnings;

	memset(st, 0, sizeof(*st));
	for (size_t zi = 0; zi < s->n; zi++) {
		const struct xdpmx_zone *z = s->zones[zi];

		for (size_t i = 0; i < z->n_nodes; i++) {
			const struct xdpmx_node *n = z->nodes[i];
			const struct xdpmx_rrset *mx;

			/* an MX at a delegation point is the child's business */
			if (n->flags & (XDPMX_NODE_OCCLUDED | XDPMX_NODE_ENT | XDPMX_NODE_CUT))
				continue;
			mx = xdpmx_node_rrset(n, LDNS_RR_TYPE_MX);
			for (size_t r = 0; mx && r < mx->count; r++)
				if (mx->rdlen[r] > 2 &&
				    xdpmx_dname_len(mx->rdata[r] + 2, mx->rdlen[r] - 2) > 0)
					check_host(s, mx->rdata[r] + 2, &seen, d, st);
		}
	}
	free(seen.slot);
	zarena_free(&seen.arena);
	return (int)(d->warnings - warnings);
}
