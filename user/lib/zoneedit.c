// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Edits of a served zone: see zoneedit.h. */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include <xdpmx/abi.h>

#include "dname.h"
#include "zoneedit.h"

#define TYPE_SOA 6

static int seterr(char *err, int ret, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int seterr(char *err, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, XDPMX_EDIT_ERR_MAX, fmt, ap);
	va_end(ap);
	return ret;
}

/* Absolute wire name (any case) of a presentation name; length or -EINVAL. */
static int name_wire(const char *s, uint8_t *wire)
{
	char buf[XDPMX_DNAME_STRLEN + 2];
	size_t len = strlen(s);

	if (!len || len > XDPMX_DNAME_STRLEN)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s%s", s, s[len - 1] == '.' ? "" : ".");
	return xdpmx_dname_from_str(wire, buf, NULL);
}

static uint16_t type_of(const char *s)
{
	return (uint16_t)ldns_get_rr_type_by_name(s);
}

/* A record as ldns sees it, from our wire RDATA (owner: the root). */
static ldns_rr *rr_from_wire(uint16_t type, const uint8_t *rdata, uint16_t rdlen)
{
	uint8_t *wire = malloc(11 + (size_t)rdlen);
	ldns_rr *rr = NULL;
	size_t pos = 0;

	if (!wire)
		return NULL;
	wire[0] = 0;
	wire[1] = type >> 8;
	wire[2] = type & 0xff;
	wire[3] = 0;
	wire[4] = XDPMX_CLASS_IN;
	memset(wire + 5, 0, 4);
	wire[9] = rdlen >> 8;
	wire[10] = rdlen & 0xff;
	memcpy(wire + 11, rdata, rdlen);
	if (ldns_wire2rr(&rr, wire, 11 + (size_t)rdlen, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK)
		rr = NULL;
	free(wire);
	return rr;
}

/* Whether two RDATA of a type are the same record (RFC 4034 canonical
 * form: names in them compare without case). */
static bool same_rdata(uint16_t type, const uint8_t *a, uint16_t alen, const uint8_t *b,
		       uint16_t blen)
{
	ldns_rr *ra, *rb;
	bool same;

	if (alen == blen && !memcmp(a, b, alen))
		return true;
	ra = rr_from_wire(type, a, alen);
	rb = rr_from_wire(type, b, blen);
	same = ra && rb;
	if (same) {
		ldns_rr2canonical(ra);
		ldns_rr2canonical(rb);
		same = ldns_rr_compare(ra, rb) == 0;
	}
	ldns_rr_free(ra);
	ldns_rr_free(rb);
	return same;
}

/* Parse "NAME TTL IN TYPE DATA" into wire RDATA (malloc'd in *rdata). */
static int parse_rdata(const char *name, uint32_t ttl, const char *type, const char *data,
		       uint8_t **rdata, uint16_t *rdlen, char *err)
{
	ldns_buffer *buf = NULL;
	ldns_rr *rr = NULL;
	ldns_status s;
	char *text;
	int ret = 0;

	if (asprintf(&text, "%s %u IN %s %s", name, ttl, type, data) < 0)
		return seterr(err, -ENOMEM, "out of memory");
	s = ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL);
	free(text);
	if (s != LDNS_STATUS_OK)
		return seterr(err, -EINVAL, "couldn't parse %s record data '%s': %s", type, data,
			      ldns_get_errorstr_by_id(s));
	buf = ldns_buffer_new(512);
	if (!buf) {
		ret = seterr(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		s = ldns_rdf2buffer_wire(buf, ldns_rr_rdf(rr, i));
		if (s != LDNS_STATUS_OK) {
			ret = seterr(err, -EINVAL, "couldn't convert %s record data '%s': %s", type,
				     data, ldns_get_errorstr_by_id(s));
			goto out;
		}
	}
	if (ldns_buffer_position(buf) > UINT16_MAX) {
		ret = seterr(err, -EINVAL, "%s record data longer than 65535 octets", type);
		goto out;
	}
	*rdlen = (uint16_t)ldns_buffer_position(buf);
	*rdata = malloc(*rdlen ? *rdlen : 1);
	if (!*rdata) {
		ret = seterr(err, -ENOMEM, "out of memory");
		goto out;
	}
	memcpy(*rdata, ldns_buffer_begin(buf), *rdlen);
out:
	ldns_buffer_free(buf);
	ldns_rr_free(rr);
	return ret;
}

/* Every record of z, pointing into z; room for `extra` more. */
static struct xdpmx_zone_rec *collect(const struct xdpmx_zone *z, size_t extra, size_t *n)
{
	struct xdpmx_zone_rec *r = malloc((z->n_records + extra + 1) * sizeof(*r));
	size_t k = 0;

	if (!r)
		return NULL;
	for (size_t i = 0; i < z->n_nodes; i++) {
		const struct xdpmx_node *nd = z->nodes[i];

		for (size_t j = 0; j < nd->n_rrsets; j++) {
			const struct xdpmx_rrset *rs = &nd->rrsets[j];

			for (size_t m = 0; m < rs->count && k < z->n_records + extra; m++)
				r[k++] = (struct xdpmx_zone_rec){
					.owner = nd->oname,
					.type = rs->type,
					.rdlen = rs->rdlen[m],
					.ttl = rs->ttl,
					.rdata = rs->rdata[m],
					.file = rs->file,
					.line = rs->line,
				};
		}
	}
	*n = k;
	return r;
}

/* Each RRset of nz takes the order its namesake had in z. nz is new: no
 * one else reads it yet. */
static void keep_orders(struct xdpmx_zone *nz, const struct xdpmx_zone *z)
{
	for (size_t i = 0; i < nz->n_nodes; i++) {
		struct xdpmx_node *nd = nz->nodes[i];
		const struct xdpmx_node *old = xdpmx_zone_lookup(z, nd->name);

		for (size_t j = 0; old && j < nd->n_rrsets; j++) {
			const struct xdpmx_rrset *o = xdpmx_node_rrset(old, nd->rrsets[j].type);

			if (o)
				nd->rrsets[j].order = o->order;
		}
	}
}

static struct xdpmx_rrset *find_rrset(struct xdpmx_zone *z, const uint8_t *canon, uint16_t type)
{
	const struct xdpmx_node *nd = xdpmx_zone_lookup(z, canon);

	return nd ? (struct xdpmx_rrset *)xdpmx_node_rrset(nd, type) : NULL;
}

/* Build from recs with z's apex, file and default order, then restore the
 * RRset orders. */
static int rebuild(const struct xdpmx_zone *z, const struct xdpmx_zone_rec *recs, size_t n,
		   struct xdpmx_diag *d, struct xdpmx_zone **out, char *err)
{
	struct xdpmx_zone_opts opts = {.origin = z->apex, .order = z->order};
	int ret = xdpmx_zone_build(recs, n, z->file, &opts, d, out);

	if (ret == -ENOMEM)
		return seterr(err, ret, "out of memory");
	if (ret) {
		const char *why = "the result fails the zone checks";

		for (size_t i = 0; d && i < d->n; i++)
			if (d->msgs[i].sev == XDPMX_SEV_ERROR) {
				why = d->msgs[i].text;
				break;
			}
		return seterr(err, ret, "edit refused: %s", why);
	}
	keep_orders(*out, z);
	return 0;
}

/* The apex SOA's RDATA with the serial incremented (RFC 1982), malloc'd. */
static uint8_t *bumped_soa(const struct xdpmx_zone_rec *soa)
{
	int l1 = xdpmx_dname_len(soa->rdata, soa->rdlen);
	int l2 = l1 < 0 ? -1 : xdpmx_dname_len(soa->rdata + l1, soa->rdlen - l1);
	size_t off = (size_t)l1 + (size_t)l2;
	uint8_t *r;
	uint32_t serial;

	if (l1 < 0 || l2 < 0 || off + 20 > soa->rdlen)
		return NULL;
	r = malloc(soa->rdlen);
	if (!r)
		return NULL;
	memcpy(r, soa->rdata, soa->rdlen);
	serial = ((uint32_t)r[off] << 24 | (uint32_t)r[off + 1] << 16 | (uint32_t)r[off + 2] << 8 |
		  r[off + 3]) +
		 1;
	r[off] = serial >> 24;
	r[off + 1] = serial >> 16;
	r[off + 2] = serial >> 8;
	r[off + 3] = serial;
	return r;
}

int xdpmx_zone_edit(const struct xdpmx_zone *z, const struct xdpmx_edit *e, struct xdpmx_diag *d,
		    struct xdpmx_zone **out, uint8_t *owner, uint16_t *type, char *err)
{
	uint8_t name[XDPMX_DNAME_MAX], canon[XDPMX_DNAME_MAX];
	struct xdpmx_zone_rec *recs = NULL;
	uint8_t *rdata = NULL, *soa = NULL;
	uint16_t rdlen = 0, t;
	size_t n, k, kept = 0;
	bool found = false;
	int len, ret;

	*out = NULL;
	len = name_wire(e->name, name);
	if (len < 0)
		return seterr(err, -EINVAL, "'%s' is not a valid domain name", e->name);
	xdpmx_dname_canon(canon, name, len);
	t = type_of(e->type);
	if (!t)
		return seterr(err, -EINVAL, "'%s' is not a record type", e->type);
	if (!xdpmx_dname_is_sub(canon, z->apex)) {
		char apex[XDPMX_DNAME_STRLEN];

		return seterr(err, -ERANGE, "%s is not in zone %s", e->name,
			      xdpmx_dname_str(z->apex, apex));
	}
	memcpy(owner, canon, len);
	*type = t;
	if (e->data) {
		ret = parse_rdata(e->name, e->ttl, e->type, e->data, &rdata, &rdlen, err);
		if (ret)
			return ret;
	} else if (e->op != XDPMX_EDIT_DEL) {
		return seterr(err, -EINVAL, "the record needs data");
	}
	recs = collect(z, 1, &n);
	if (!recs) {
		ret = seterr(err, -ENOMEM, "out of memory");
		goto out;
	}

	/* Drop what the edit removes. */
	for (k = 0; k < n; k++) {
		struct xdpmx_zone_rec *r = &recs[k];
		bool match = r->type == t && xdpmx_dname_eq(r->owner, canon);

		if (match && e->op == XDPMX_EDIT_SET)
			continue;
		if (match && e->op == XDPMX_EDIT_DEL &&
		    (!rdata || same_rdata(t, r->rdata, r->rdlen, rdata, rdlen))) {
			found = true;
			continue;
		}
		if (match && e->op == XDPMX_EDIT_ADD &&
		    same_rdata(t, r->rdata, r->rdlen, rdata, rdlen)) {
			ret = seterr(err, -EEXIST, "%s %s %s is in the zone already", e->name,
				     e->type, e->data);
			goto out;
		}
		recs[kept++] = *r;
	}
	if (e->op == XDPMX_EDIT_DEL && !found) {
		ret = seterr(err, -ENOENT,
			     rdata ? "no %s %s record '%s' in the zone"
				   : "no %s %s RRset in the zone%s",
			     e->name, e->type, rdata ? e->data : "");
		goto out;
	}
	if (e->op != XDPMX_EDIT_DEL)
		recs[kept++] = (struct xdpmx_zone_rec){.owner = name,
						       .type = t,
						       .rdlen = rdlen,
						       .ttl = e->ttl,
						       .rdata = rdata,
						       .file = z->file,
						       .line = 0};
	/* Resolvers and secondaries see a new version. */
	if (t != TYPE_SOA)
		for (k = 0; k < kept; k++)
			if (recs[k].type == TYPE_SOA && xdpmx_dname_eq(recs[k].owner, z->apex)) {
				soa = bumped_soa(&recs[k]);
				if (soa)
					recs[k].rdata = soa;
				break;
			}
	ret = rebuild(z, recs, kept, d, out, err);
out:
	free(soa);
	free(rdata);
	free(recs);
	return ret;
}

int xdpmx_zone_set_order(const struct xdpmx_zone *z, const char *name, const char *type,
			 uint8_t order, struct xdpmx_zone **out, uint8_t *owner, uint16_t *rtype,
			 char *err)
{
	uint8_t wire[XDPMX_DNAME_MAX];
	struct xdpmx_zone_rec *recs;
	struct xdpmx_rrset *rs;
	uint16_t t = type_of(type);
	size_t n;
	int len, ret;

	*out = NULL;
	len = name_wire(name, wire);
	if (len < 0)
		return seterr(err, -EINVAL, "'%s' is not a valid domain name", name);
	if (!t)
		return seterr(err, -EINVAL, "'%s' is not a record type", type);
	xdpmx_dname_canon(owner, wire, len);
	*rtype = t;
	if (!xdpmx_zone_lookup(z, owner) || !xdpmx_node_rrset(xdpmx_zone_lookup(z, owner), t))
		return seterr(err, -ENOENT, "no %s %s RRset in the zone", name, type);
	recs = collect(z, 0, &n);
	if (!recs)
		return seterr(err, -ENOMEM, "out of memory");
	ret = rebuild(z, recs, n, NULL, out, err);
	free(recs);
	if (ret)
		return ret;
	rs = find_rrset(*out, owner, t);
	if (rs)
		rs->order = order;
	return 0;
}
