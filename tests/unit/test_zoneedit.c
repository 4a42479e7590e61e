// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Edits of a served zone (user/lib/zoneedit.c), on the whitepaper's zone:
 * add, delete and replace records, the SOA serial, refusals by the zone
 * checks, and RRset orders surviving edits; and the patched zones edits make
 * (xdpmx_zone_patch), against zones built from scratch. make check runs from
 * the top of the tree, where examples/ is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <xdpmx/abi.h>

#include "dname.h"
#include "zone.h"
#include "zoneedit.h"

#define ZONE_FILE "examples/mydomain.com.zone"

static struct xdpmx_zone *z;
static char err[XDPMX_EDIT_ERR_MAX];
static uint8_t owner[XDPMX_DNAME_MAX];
static uint16_t type;

static void setup(void)
{
	struct xdpmx_diag d = {};

	cr_assert_eq(xdpmx_zone_load(ZONE_FILE, NULL, &d, &z), 0);
	xdpmx_diag_clear(&d);
}

static void teardown(void)
{
	xdpmx_zone_unref(z);
}

TestSuite(zoneedit, .init = setup, .fini = teardown);

static const struct xdpmx_rrset *rrset(const struct xdpmx_zone *zz, const char *name, uint16_t t)
{
	uint8_t wire[XDPMX_DNAME_MAX];
	const struct xdpmx_node *n;

	cr_assert_gt(xdpmx_dname_from_str(wire, name, NULL), 0);
	xdpmx_dname_canon(wire, wire, xdpmx_dname_len(wire, sizeof(wire)));
	n = xdpmx_zone_lookup(zz, wire);
	return n ? xdpmx_node_rrset(n, t) : NULL;
}

static int edit(enum xdpmx_edit_op op, const char *name, const char *t, uint32_t ttl,
		const char *data, struct xdpmx_diag *d, struct xdpmx_zone **out)
{
	struct xdpmx_edit e = {.op = op, .name = name, .type = t, .ttl = ttl, .data = data};

	return xdpmx_zone_edit(z, &e, d, out, owner, &type, err);
}

Test(zoneedit, add)
{
	static const uint8_t a4[] = {192, 168, 2, 4};
	const struct xdpmx_rrset *rs;
	struct xdpmx_zone *nz;

	cr_assert_eq(
		edit(XDPMX_EDIT_ADD, "mail4.mydomain.com.", "A", 600, "192.168.2.4", NULL, &nz), 0,
		"%s", err);
	rs = rrset(nz, "mail4.mydomain.com.", XDPMX_TYPE_A);
	cr_assert_not_null(rs);
	cr_assert_eq(rs->count, 1);
	cr_assert_eq(rs->ttl, 600);
	cr_assert_eq(rs->rdlen[0], 4);
	cr_assert_arr_eq(rs->rdata[0], a4, 4);
	cr_assert_eq(nz->serial, z->serial + 1, "the serial goes up");
	cr_assert_eq(nz->n_records, z->n_records + 1);
	cr_assert_null(rrset(z, "mail4.mydomain.com.", XDPMX_TYPE_A), "the old zone is untouched");
	cr_assert_eq(type, XDPMX_TYPE_A);
	cr_assert_eq(xdpmx_dname_eq(owner, (const uint8_t *)"\5mail4\x08mydomain\3com"), true);
	xdpmx_zone_unref(nz);

	/* To an existing RRset: appended in zone order. */
	cr_assert_eq(edit(XDPMX_EDIT_ADD, "mail.mydomain.com", "A", 3600, "192.168.2.4", NULL, &nz),
		     0, "%s", err);
	rs = rrset(nz, "mail.mydomain.com.", XDPMX_TYPE_A);
	cr_assert_eq(rs->count, 4);
	cr_assert_arr_eq(rs->rdata[3], a4, 4);
	xdpmx_zone_unref(nz);
}

Test(zoneedit, add_refused)
{
	struct xdpmx_diag d = {};
	struct xdpmx_zone *nz = NULL;
	bool found;

	cr_assert_eq(
		edit(XDPMX_EDIT_ADD, "mail1.mydomain.com.", "A", 3600, "192.168.2.1", NULL, &nz),
		-EEXIST);
	cr_assert_str_eq(err, "mail1.mydomain.com. A 192.168.2.1 is in the zone already");
	cr_assert_eq(edit(XDPMX_EDIT_ADD, "mail.example.org.", "A", 3600, "192.0.2.1", NULL, &nz),
		     -ERANGE);
	cr_assert_str_eq(err, "mail.example.org. is not in zone mydomain.com.");
	cr_assert_eq(
		edit(XDPMX_EDIT_ADD, "x.mydomain.com.", "A", 3600, "not-an-address", NULL, &nz),
		-EINVAL);
	cr_assert(strstr(err, "couldn't parse A record data 'not-an-address'"), "%s", err);
	cr_assert_eq(edit(XDPMX_EDIT_ADD, "x.mydomain.com.", "NOSUCHTYPE", 3600, "1", NULL, &nz),
		     -EINVAL);
	cr_assert_eq(edit(XDPMX_EDIT_ADD, "x.mydomain.com.", "A", 3600, NULL, NULL, &nz), -EINVAL);

	/* The zone checks refuse a CNAME beside an A. */
	cr_assert_eq(edit(XDPMX_EDIT_ADD, "mail1.mydomain.com.", "CNAME", 60, "mail2.mydomain.com.",
			  &d, &nz),
		     -EINVAL);
	cr_assert_null(nz);
	cr_assert_geq(d.errors, 1);
	found = false;
	for (size_t i = 0; i < d.n; i++)
		found |= !strcmp(d.msgs[i].check, "cname-and-other-data");
	cr_assert(found, "no cname-and-other-data error");
	cr_assert(strncmp(err, "edit refused: ", 14) == 0, "%s", err);
	xdpmx_diag_clear(&d);
}

Test(zoneedit, del)
{
	const struct xdpmx_rrset *rs;
	struct xdpmx_zone *nz;

	/* One record; names in RDATA compare without case. */
	cr_assert_eq(
		edit(XDPMX_EDIT_DEL, "mydomain.com.", "MX", 0, "10 MAIL2.mydomain.com.", NULL, &nz),
		0, "%s", err);
	rs = rrset(nz, "mydomain.com.", XDPMX_TYPE_MX);
	cr_assert_eq(rs->count, 2);
	cr_assert_eq(nz->serial, z->serial + 1);
	xdpmx_zone_unref(nz);

	/* The whole RRset: the name goes. */
	cr_assert_eq(edit(XDPMX_EDIT_DEL, "mail.mydomain.com.", "A", 0, NULL, NULL, &nz), 0, "%s",
		     err);
	cr_assert_null(rrset(nz, "mail.mydomain.com.", XDPMX_TYPE_A));
	xdpmx_zone_unref(nz);

	cr_assert_eq(edit(XDPMX_EDIT_DEL, "mail.mydomain.com.", "AAAA", 0, NULL, NULL, &nz),
		     -ENOENT);
	cr_assert_str_eq(err, "no mail.mydomain.com. AAAA RRset in the zone");
	cr_assert_eq(edit(XDPMX_EDIT_DEL, "mail.mydomain.com.", "A", 0, "192.168.2.9", NULL, &nz),
		     -ENOENT);
	cr_assert_str_eq(err, "no mail.mydomain.com. A record '192.168.2.9' in the zone");
}

Test(zoneedit, set)
{
	static const uint8_t a9[] = {192, 168, 2, 9};
	const struct xdpmx_rrset *rs;
	struct xdpmx_zone *nz;

	cr_assert_eq(edit(XDPMX_EDIT_SET, "mail.mydomain.com.", "A", 300, "192.168.2.9", NULL, &nz),
		     0, "%s", err);
	rs = rrset(nz, "mail.mydomain.com.", XDPMX_TYPE_A);
	cr_assert_eq(rs->count, 1);
	cr_assert_eq(rs->ttl, 300);
	cr_assert_arr_eq(rs->rdata[0], a9, 4);
	xdpmx_zone_unref(nz);

	/* An edit of the SOA sets the serial itself. */
	cr_assert_eq(edit(XDPMX_EDIT_SET, "mydomain.com.", "SOA", 3600,
			  "ns1 hostmaster 2030010100 7200 3600 1209600 300", NULL, &nz),
		     0, "%s", err);
	cr_assert_eq(nz->serial, 2030010100u);
	xdpmx_zone_unref(nz);
}

Test(zoneedit, orders_survive_edits)
{
	struct xdpmx_zone *fixed, *nz;
	struct xdpmx_edit e = {.op = XDPMX_EDIT_ADD,
			       .name = "mail5.mydomain.com.",
			       .type = "A",
			       .ttl = 60,
			       .data = "192.168.2.5"};

	cr_assert_eq(xdpmx_zone_set_order(z, "mail.mydomain.com", "A", XDPMX_ORDER_FIXED, &fixed,
					  owner, &type, err),
		     0, "%s", err);
	cr_assert_eq(rrset(fixed, "mail.mydomain.com.", XDPMX_TYPE_A)->order, XDPMX_ORDER_FIXED);
	cr_assert_eq(rrset(fixed, "mydomain.com.", XDPMX_TYPE_MX)->order, XDPMX_ORDER_CYCLIC);
	cr_assert_eq(fixed->serial, z->serial, "an order is not a new version of the data");
	cr_assert_eq(rrset(z, "mail.mydomain.com.", XDPMX_TYPE_A)->order, XDPMX_ORDER_CYCLIC);

	cr_assert_eq(xdpmx_zone_edit(fixed, &e, NULL, &nz, owner, &type, err), 0, "%s", err);
	cr_assert_eq(rrset(nz, "mail.mydomain.com.", XDPMX_TYPE_A)->order, XDPMX_ORDER_FIXED);
	xdpmx_zone_unref(nz);
	xdpmx_zone_unref(fixed);

	cr_assert_eq(xdpmx_zone_set_order(z, "nope.mydomain.com.", "A", XDPMX_ORDER_FIXED, &nz,
					  owner, &type, err),
		     -ENOENT);
	cr_assert_str_eq(err, "no nope.mydomain.com. A RRset in the zone");
}

/* ---- patched zones against zones built from scratch ------------------------- */

/*
 * - an edit shares the RRsets and RDATA it does not touch with the zone it
 *   comes from, and the new zone stays valid once that zone is dropped;
 * - a chain of random edits (add, delete, replace; names that appear and
 *   go with their empty non-terminals; delegations and DNAMEs that occlude
 *   what is below them; wildcards; CNAMEs) gives, after every step, the zone a
 *   build from the same records gives: the same nodes in the same order,
 *   flags, RRsets, record counts, serial and name index; and an edit is
 *   refused exactly when that build fails the zone checks.
 */

#define P_APEX "t.test."
#define P_MAXREC 512

struct prec {
	uint8_t owner[XDPMX_DNAME_MAX];
	uint16_t type;
	uint16_t rdlen;
	uint8_t rdata[64];
};

struct pmodel {
	struct prec r[P_MAXREC];
	size_t n;
	uint32_t serial;
};

static void wire_of(uint8_t *w, const char *s)
{
	cr_assert_gt(xdpmx_dname_from_str(w, s, NULL), 0, "%s", s);
}

static void p_add(struct pmodel *m, const char *owner, uint16_t t, const void *rd, size_t len)
{
	struct prec *r = &m->r[m->n++];

	cr_assert_lt(m->n, P_MAXREC);
	wire_of(r->owner, owner);
	r->type = t;
	r->rdlen = (uint16_t)len;
	memcpy(r->rdata, rd, len);
}

/* RDATA of the test's records, from "TYPE" and its data as an edit gives
 * them. */
static size_t p_rdata(uint8_t *rd, uint16_t t, const char *data)
{
	if (t == XDPMX_TYPE_A) {
		unsigned a, b, c, d;

		cr_assert_eq(sscanf(data, "%u.%u.%u.%u", &a, &b, &c, &d), 4);
		rd[0] = a, rd[1] = b, rd[2] = c, rd[3] = d;
		return 4;
	}
	if (t == 16 /* TXT */) {
		rd[0] = (uint8_t)strlen(data);
		memcpy(rd + 1, data, rd[0]);
		return 1 + rd[0];
	}
	if (t == XDPMX_TYPE_MX) {
		unsigned pref;
		char host[128];

		cr_assert_eq(sscanf(data, "%u %127s", &pref, host), 2);
		rd[0] = 0;
		rd[1] = (uint8_t)pref;
		wire_of(rd + 2, host);
		return 2 + (size_t)xdpmx_dname_len(rd + 2, 62);
	}
	/* NS, DNAME, CNAME: a name */
	wire_of(rd, data);
	return (size_t)xdpmx_dname_len(rd, 64);
}

static void p_soa(uint8_t *rd, size_t *len, uint32_t serial)
{
	size_t l1, l2;

	wire_of(rd, "ns1." P_APEX);
	l1 = (size_t)xdpmx_dname_len(rd, 64);
	wire_of(rd + l1, "hostmaster." P_APEX);
	l2 = (size_t)xdpmx_dname_len(rd + l1, 64);
	*len = l1 + l2 + 20;
	memset(rd + l1 + l2, 0, 20);
	rd[l1 + l2] = serial >> 24;
	rd[l1 + l2 + 1] = serial >> 16;
	rd[l1 + l2 + 2] = serial >> 8;
	rd[l1 + l2 + 3] = serial;
	rd[l1 + l2 + 19] = 60; /* minimum */
}

/* The zone the model's records build, or NULL when the checks refuse it. */
static struct xdpmx_zone *p_build(const struct pmodel *m)
{
	struct xdpmx_zone_rec recs[P_MAXREC + 1];
	uint8_t apex[XDPMX_DNAME_MAX], soa[128];
	struct xdpmx_zone_opts opts = {.origin = apex};
	struct xdpmx_zone *out = NULL;
	size_t soa_len;

	wire_of(apex, P_APEX);
	p_soa(soa, &soa_len, m->serial);
	recs[0] = (struct xdpmx_zone_rec){
		.owner = apex, .type = 6, .rdlen = (uint16_t)soa_len, .ttl = 300, .rdata = soa};
	for (size_t i = 0; i < m->n; i++)
		recs[i + 1] = (struct xdpmx_zone_rec){.owner = m->r[i].owner,
						      .type = m->r[i].type,
						      .rdlen = m->r[i].rdlen,
						      .ttl = 300,
						      .rdata = m->r[i].rdata};
	return xdpmx_zone_build(recs, m->n + 1, "t.zone", &opts, NULL, &out) ? NULL : out;
}

static void p_same(const struct xdpmx_zone *got, const struct xdpmx_zone *want, int step)
{
	cr_assert_eq(got->n_nodes, want->n_nodes, "step %d: nodes", step);
	cr_assert_eq(got->n_records, want->n_records, "step %d: records", step);
	cr_assert_eq(got->serial, want->serial, "step %d: serial", step);
	cr_assert_eq(got->flags, want->flags, "step %d: zone flags", step);
	for (size_t i = 0; i < want->n_nodes; i++) {
		const struct xdpmx_node *g = got->nodes[i], *w = want->nodes[i];
		char name[XDPMX_DNAME_STRLEN];

		xdpmx_dname_str(w->name, name);
		cr_assert(xdpmx_dname_eq(g->name, w->name) && g->name_len == w->name_len,
			  "step %d: node %zu is %s", step, i, name);
		cr_assert_arr_eq(g->oname, w->oname, w->name_len, "step %d: %s as written", step,
				 name);
		cr_assert_eq(g->flags, w->flags, "step %d: flags of %s: %#x, want %#x", step, name,
			     g->flags, w->flags);
		cr_assert_eq(xdpmx_zone_lookup(got, w->name), g, "step %d: index finds %s", step,
			     name);
		cr_assert_eq(g->n_rrsets, w->n_rrsets, "step %d: RRsets of %s", step, name);
		for (size_t j = 0; j < w->n_rrsets; j++) {
			const struct xdpmx_rrset *a = &g->rrsets[j], *b = &w->rrsets[j];

			cr_assert(a->type == b->type && a->ttl == b->ttl && a->count == b->count &&
					  a->order == b->order,
				  "step %d: RRset %zu of %s", step, j, name);
			for (size_t k = 0; k < b->count; k++)
				cr_assert(a->rdlen[k] == b->rdlen[k] &&
						  !memcmp(a->rdata[k], b->rdata[k], b->rdlen[k]),
					  "step %d: record %zu of %s type %u", step, k, name,
					  b->type);
		}
	}
}

static const char *const p_names[] = {
	P_APEX,		 "a." P_APEX,	  "b.a." P_APEX,  "c.b.a." P_APEX, "x." P_APEX,
	"y.x." P_APEX,	 "z.y.x." P_APEX, "*.w." P_APEX,  "v.w." P_APEX,   "sub." P_APEX,
	"h.sub." P_APEX, "dn." P_APEX,	  "q.dn." P_APEX, "ns1." P_APEX,
};

Test(zoneedit, patch_matches_build)
{
	static const char *const types[] = {"A", "TXT", "MX", "NS", "DNAME", "CNAME"};
	static const char *const a_data[] = {"198.18.0.1", "198.18.0.2", "198.18.0.3"};
	static const char *const txt_data[] = {"one", "two"};
	static const char *const mx_data[] = {"10 a." P_APEX, "20 x." P_APEX, "30 sub." P_APEX};
	static const char *const ns_data[] = {"ns1." P_APEX, "ns.other.test."};
	struct pmodel *m = calloc(1, sizeof(*m));
	struct xdpmx_zone *cur, *ref;
	unsigned seed = 4242;
	int refused = 0, done = 0;

	m->serial = 1;
	p_add(m, P_APEX, 2, "\3ns1\1t\4test", 12);
	p_add(m, "ns1." P_APEX, XDPMX_TYPE_A, "\xc6\x12\x00\x35", 4);
	cur = p_build(m);
	cr_assert_not_null(cur);

	for (int step = 0; step < 3000; step++) {
		int ti = rand_r(&seed) % 6, op = rand_r(&seed) % 4;
		const char *name = p_names[rand_r(&seed) % (sizeof(p_names) / sizeof(p_names[0]))];
		const char *data;
		uint16_t t;
		struct xdpmx_edit e = {.name = name, .type = types[ti], .ttl = 300};
		struct pmodel *next = malloc(sizeof(*next));
		struct xdpmx_zone *nz = NULL;
		uint8_t rd[64], ow[XDPMX_DNAME_MAX];
		size_t rdlen, k = 0;
		bool have = false;
		int ret;

		switch (ti) {
		case 0:
			data = a_data[rand_r(&seed) % 3];
			t = XDPMX_TYPE_A;
			break;
		case 1:
			data = txt_data[rand_r(&seed) % 2];
			t = 16;
			break;
		case 2:
			data = mx_data[rand_r(&seed) % 3];
			t = XDPMX_TYPE_MX;
			break;
		case 3:
			data = ns_data[rand_r(&seed) % 2];
			t = 2;
			break;
		case 4:
			data = "other.test.";
			t = 39;
			break;
		default:
			data = rand_r(&seed) & 1 ? "other.test." : "a." P_APEX;
			t = 5;
			break;
		}
		rdlen = p_rdata(rd, t, data);
		wire_of(ow, name);
		e.op = op == 0 || op == 1 ? XDPMX_EDIT_ADD
		       : op == 2	  ? XDPMX_EDIT_DEL
					  : XDPMX_EDIT_SET;
		e.data = op == 2 && (rand_r(&seed) & 1) ? NULL : data;

		/* The model after the edit. */
		*next = *m;
		next->n = 0;
		for (size_t i = 0; i < m->n; i++) {
			const struct prec *r = &m->r[i];
			bool match = r->type == t && xdpmx_dname_eq(r->owner, ow);
			bool same = match && r->rdlen == rdlen && !memcmp(r->rdata, rd, rdlen);

			have |= same;
			if (match && (e.op == XDPMX_EDIT_SET ||
				      (e.op == XDPMX_EDIT_DEL && (!e.data || same))))
				continue;
			next->r[next->n++] = *r;
		}
		if (e.op != XDPMX_EDIT_DEL)
			p_add(next, name, t, rd, rdlen);
		for (size_t i = 0; i < m->n; i++)
			k += m->r[i].type == t && xdpmx_dname_eq(m->r[i].owner, ow);
		next->serial = m->serial + 1;

		ret = xdpmx_zone_edit(cur, &e, NULL, &nz, owner, &type, err);
		if (e.op == XDPMX_EDIT_ADD && have) {
			cr_assert_eq(ret, -EEXIST, "step %d: %s", step, err);
		} else if (e.op == XDPMX_EDIT_DEL && (!k || (e.data && !have))) {
			cr_assert_eq(ret, -ENOENT, "step %d: %s", step, err);
		} else {
			ref = p_build(next);
			if (!ref) {
				cr_assert_eq(ret, -EINVAL,
					     "step %d: %s %s %s accepted, the build "
					     "refuses it",
					     step, name, types[ti], data);
				refused++;
			} else {
				cr_assert_eq(ret, 0, "step %d: %s", step, err);
				p_same(nz, ref, step);
				xdpmx_zone_unref(ref);
				/* the older zone goes at once: what nz shares must
				 * outlive it */
				xdpmx_zone_unref(cur);
				cur = nz;
				*m = *next;
				done++;
			}
		}
		free(next);
	}
	cr_assert_geq(done, 1000, "%d edits made", done);
	cr_assert_geq(refused, 10, "%d edits refused", refused);
	ref = p_build(m);
	p_same(cur, ref, -1);
	xdpmx_zone_unref(ref);
	xdpmx_zone_unref(cur);
	free(m);
}

Test(zoneedit, patch_shares)
{
	const struct xdpmx_rrset *before, *after, *mx_before, *mx_after;
	struct xdpmx_zone *nz, *nz2;

	cr_assert_eq(edit(XDPMX_EDIT_SET, "mail1.mydomain.com.", "A", 60, "192.168.2.7", NULL, &nz),
		     0, "%s", err);
	/* untouched: the same RDATA in memory; touched: a copy */
	mx_before = rrset(z, "mydomain.com.", XDPMX_TYPE_MX);
	mx_after = rrset(nz, "mydomain.com.", XDPMX_TYPE_MX);
	cr_assert_eq(mx_after->rdata[0], mx_before->rdata[0], "untouched RDATA is shared");
	before = rrset(z, "mail1.mydomain.com.", XDPMX_TYPE_A);
	after = rrset(nz, "mail1.mydomain.com.", XDPMX_TYPE_A);
	cr_assert_neq(after->rdata[0], before->rdata[0]);
	cr_assert_eq(before->ttl, 3600, "the old zone keeps its record");

	/* a second edit of the edited zone, the first zones dropped */
	cr_assert_eq(xdpmx_zone_edit(nz,
				     &(struct xdpmx_edit){.op = XDPMX_EDIT_ADD,
							  .name = "new.deep.mydomain.com.",
							  .type = "A",
							  .ttl = 60,
							  .data = "192.168.2.8"},
				     NULL, &nz2, owner, &type, err),
		     0, "%s", err);
	xdpmx_zone_unref(nz);
	xdpmx_zone_unref(z);
	z = NULL;
	cr_assert_eq(rrset(nz2, "mail1.mydomain.com.", XDPMX_TYPE_A)->rdata[0][3], 7);
	cr_assert_eq(rrset(nz2, "mydomain.com.", XDPMX_TYPE_MX)->count, 3);
	cr_assert_not_null(xdpmx_zone_lookup(nz2, (const uint8_t *)"\4deep\x08mydomain\3com"),
			   "the empty non-terminal above the new name");
	cr_assert_eq(xdpmx_zone_lookup(nz2, (const uint8_t *)"\4deep\x08mydomain\3com")->flags,
		     XDPMX_NODE_ENT);
	xdpmx_zone_unref(nz2);
}
