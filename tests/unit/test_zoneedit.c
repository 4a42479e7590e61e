// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Edits of a served zone (user/lib/zoneedit.c), on the whitepaper's zone:
 * add, delete and replace records, the SOA serial, refusals by the zone
 * checks, and RRset orders surviving edits. make check runs from the top of
 * the tree, where examples/ is.
 */
#include <errno.h>
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
