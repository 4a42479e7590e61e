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

/* Make the changes through xdpmx_zone_patch(), with the edit path's
 * messages. */
static int patch(const struct xdpmx_zone *z, const struct xdpmx_zone_change *ch, size_t n,
		 struct xdpmx_diag *d, struct xdpmx_zone **out, char *err)
{
	struct xdpmx_diag local = {};
	int ret = xdpmx_zone_patch(z, ch, n, d ? d : &local, out);

	if (ret == -ENOMEM) {
		ret = seterr(err, ret, "out of memory");
	} else if (ret) {
		const struct xdpmx_diag *dd = d ? d : &local;
		const char *why = "the result fails the zone checks";

		for (size_t i = 0; i < dd->n; i++)
			if (dd->msgs[i].sev == XDPMX_SEV_ERROR) {
				why = dd->msgs[i].text;
				break;
			}
		ret = seterr(err, ret, "edit refused: %s", why);
	}
	xdpmx_diag_clear(&local);
	return ret;
}

/* SOA RDATA with the serial incremented (RFC 1982), malloc'd. */
static uint8_t *bumped_soa(const uint8_t *rdata, uint16_t rdlen)
{
	int l1 = xdpmx_dname_len(rdata, rdlen);
	int l2 = l1 < 0 ? -1 : xdpmx_dname_len(rdata + l1, rdlen - l1);
	size_t off = (size_t)l1 + (size_t)l2;
	uint8_t *r;
	uint32_t serial;

	if (l1 < 0 || l2 < 0 || off + 20 > rdlen)
		return NULL;
	r = malloc(rdlen);
	if (!r)
		return NULL;
	memcpy(r, rdata, rdlen);
	serial = ((uint32_t)r[off] << 24 | (uint32_t)r[off + 1] << 16 | (uint32_t)r[off + 2] << 8 |
		  r[off + 3]) +
		 1;
	r[off] = serial >> 24;
	r[off + 1] = serial >> 16;
	r[off + 2] = serial >> 8;
	r[off + 3] = serial;
	return r;
}

/* An RRset of up to count records, its arrays malloc'd (records shared). */
static int rrset_alloc(struct xdpmx_rrset *rs, size_t count)
{
	rs->rdlen = malloc((count ? count : 1) * sizeof(*rs->rdlen));
	rs->rdata = malloc((count ? count : 1) * sizeof(*rs->rdata));
	if (!rs->rdlen || !rs->rdata) {
		free(rs->rdlen);
		free(rs->rdata);
		return -ENOMEM;
	}
	return 0;
}

int xdpmx_zone_edit(const struct xdpmx_zone *z, const struct xdpmx_edit *e, struct xdpmx_diag *d,
		    struct xdpmx_zone **out, uint8_t *owner, uint16_t *type, char *err)
{
	uint8_t name[XDPMX_DNAME_MAX], canon[XDPMX_DNAME_MAX];
	struct xdpmx_rrset nrs = {}, soa_rs;
	struct xdpmx_zone_change ch[2];
	const struct xdpmx_node *node;
	const struct xdpmx_rrset *rs = NULL, *soa;
	uint8_t *rdata = NULL, *soa_rdata = NULL;
	uint16_t rdlen = 0, t;
	size_t nch = 0, removed = 0;
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
	node = xdpmx_zone_lookup(z, canon);
	rs = node ? xdpmx_node_rrset(node, t) : NULL;

	switch (e->op) {
	case XDPMX_EDIT_ADD:
		for (uint16_t i = 0; rs && i < rs->count; i++)
			if (same_rdata(t, rs->rdata[i], rs->rdlen[i], rdata, rdlen)) {
				ret = seterr(err, -EEXIST, "%s %s %s is in the zone already",
					     e->name, e->type, e->data);
				goto out;
			}
		if (rs && rs->count == UINT16_MAX) {
			ret = seterr(err, -EINVAL, "edit refused: %s %s already has %u records",
				     e->name, e->type, UINT16_MAX);
			goto out;
		}
		ret = rrset_alloc(&nrs, (rs ? rs->count : 0) + 1u);
		if (ret) {
			ret = seterr(err, ret, "out of memory");
			goto out;
		}
		if (rs) {
			/* appended in zone order; one TTL per RRset, the lowest
			 * (RFC 2181 5.2), as a zone file load settles it */
			nrs.order = rs->order;
			nrs.file = rs->file;
			nrs.line = rs->line;
			nrs.ttl = rs->ttl < e->ttl ? rs->ttl : e->ttl;
			for (uint16_t i = 0; i < rs->count; i++) {
				nrs.rdlen[i] = rs->rdlen[i];
				nrs.rdata[i] = rs->rdata[i];
			}
			nrs.count = rs->count;
			if (rs->ttl != e->ttl && d)
				xdpmx_diag_add(
					d, XDPMX_SEV_WARNING, z->file, 0, "ttl-mismatch",
					"%s %s: TTL %u differs from TTL %u of the same RRset "
					"(RFC 2181 5.2); using the lowest, %u",
					e->name, e->type, e->ttl, rs->ttl, nrs.ttl);
		} else {
			nrs.order = z->order;
			nrs.file = z->file;
			nrs.ttl = e->ttl;
		}
		nrs.rdlen[nrs.count] = rdlen;
		nrs.rdata[nrs.count++] = rdata;
		break;
	case XDPMX_EDIT_DEL:
		if (!rs) {
			ret = seterr(err, -ENOENT,
				     rdata ? "no %s %s record '%s' in the zone"
					   : "no %s %s RRset in the zone%s",
				     e->name, e->type, rdata ? e->data : "");
			goto out;
		}
		if (rdata) {
			ret = rrset_alloc(&nrs, rs->count);
			if (ret) {
				ret = seterr(err, ret, "out of memory");
				goto out;
			}
			nrs.order = rs->order;
			nrs.file = rs->file;
			nrs.line = rs->line;
			nrs.ttl = rs->ttl;
			for (uint16_t i = 0; i < rs->count; i++) {
				if (same_rdata(t, rs->rdata[i], rs->rdlen[i], rdata, rdlen)) {
					removed++;
					continue;
				}
				nrs.rdlen[nrs.count] = rs->rdlen[i];
				nrs.rdata[nrs.count++] = rs->rdata[i];
			}
			if (!removed) {
				ret = seterr(err, -ENOENT, "no %s %s record '%s' in the zone",
					     e->name, e->type, e->data);
				goto out;
			}
		}
		/* without data, or with its last record: the RRset goes */
		break;
	case XDPMX_EDIT_SET:
		ret = rrset_alloc(&nrs, 1);
		if (ret) {
			ret = seterr(err, ret, "out of memory");
			goto out;
		}
		nrs.order = rs ? rs->order : z->order;
		nrs.file = z->file;
		nrs.ttl = e->ttl;
		nrs.rdlen[0] = rdlen;
		nrs.rdata[0] = rdata;
		nrs.count = 1;
		break;
	}
	ch[nch++] =
		(struct xdpmx_zone_change){.owner = name, .type = t, .rs = nrs.count ? &nrs : NULL};

	/* Resolvers and secondaries see a new version. */
	node = xdpmx_zone_lookup(z, z->apex);
	soa = node ? xdpmx_node_rrset(node, TYPE_SOA) : NULL;
	if (t != TYPE_SOA && soa && (soa_rdata = bumped_soa(soa->rdata[0], soa->rdlen[0]))) {
		soa_rs = *soa;
		soa_rs.count = 1;
		soa_rs.rdata = &soa_rdata;
		ch[nch++] = (struct xdpmx_zone_change){
			.owner = node->oname, .type = TYPE_SOA, .rs = &soa_rs};
	}
	ret = patch(z, ch, nch, d, out, err);
out:
	free(nrs.rdlen);
	free(nrs.rdata);
	free(soa_rdata);
	free(rdata);
	return ret;
}

int xdpmx_zone_set_order(const struct xdpmx_zone *z, const char *name, const char *type,
			 uint8_t order, struct xdpmx_zone **out, uint8_t *owner, uint16_t *rtype,
			 char *err)
{
	uint8_t wire[XDPMX_DNAME_MAX];
	const struct xdpmx_node *node;
	const struct xdpmx_rrset *rs;
	struct xdpmx_rrset nrs;
	struct xdpmx_zone_change ch;
	uint16_t t = type_of(type);
	int len;

	*out = NULL;
	len = name_wire(name, wire);
	if (len < 0)
		return seterr(err, -EINVAL, "'%s' is not a valid domain name", name);
	if (!t)
		return seterr(err, -EINVAL, "'%s' is not a record type", type);
	xdpmx_dname_canon(owner, wire, len);
	*rtype = t;
	node = xdpmx_zone_lookup(z, owner);
	rs = node ? xdpmx_node_rrset(node, t) : NULL;
	if (!rs)
		return seterr(err, -ENOENT, "no %s %s RRset in the zone", name, type);
	nrs = *rs;
	nrs.order = order;
	ch = (struct xdpmx_zone_change){.owner = node->oname, .type = t, .rs = &nrs};
	return patch(z, &ch, 1, NULL, out, err);
}
