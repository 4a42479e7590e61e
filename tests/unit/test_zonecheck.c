// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Zone checks (user/lib/zonecheck.c), the cross-zone PTR rule, and zone sets
 * (user/lib/zoneset.c). Each check has a zone that trips it; the whitepaper
 * example trips none. Severity, file, line and check id are asserted, and
 * the PTR warnings word for word.
 *
 * Run from the top of the tree (make check does).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "zone.h"

#define FIX "tests/fixtures/zones/check/"
#define EX "examples/"

static struct xdpmx_diag d;
static struct xdpmx_zone *z;
static struct xdpmx_zoneset *set;

static void setup(void)
{
	set = xdpmx_zoneset_new();
	cr_assert_not_null(set);
}

static void teardown(void)
{
	xdpmx_zone_unref(z);
	z = NULL;
	xdpmx_zoneset_free(set);
	set = NULL;
	xdpmx_diag_clear(&d);
}

TestSuite(check, .init = setup, .fini = teardown);
TestSuite(ptr, .init = setup, .fini = teardown);
TestSuite(zoneset, .init = setup, .fini = teardown);

static const uint8_t *W(const char *s)
{
	static uint8_t buf[8][XDPMX_DNAME_MAX];
	static int next;
	uint8_t *out = buf[next++ % 8];

	cr_assert_gt(xdpmx_dname_from_str(out, s, NULL), 0, "bad test name %s", s);
	return out;
}

static int load(const char *path, const char *origin)
{
	struct xdpmx_zone_opts o = {.origin = origin ? W(origin) : NULL};

	return xdpmx_zone_load(path, &o, &d, &z);
}

/* Load path into the set (the set takes its own reference). */
static void add(const char *path)
{
	struct xdpmx_zone *zz;

	cr_assert_eq(xdpmx_zone_load(path, NULL, &d, &zz), 0, "cannot load %s", path);
	cr_assert_eq(xdpmx_zoneset_put(set, zz), 0);
	xdpmx_zone_unref(zz);
}

static void assert_msg(size_t i, enum xdpmx_sev sev, const char *file, unsigned line,
		       const char *check, const char *text)
{
	const struct xdpmx_diag_msg *m;

	cr_assert_lt(i, d.n, "message %zu missing (have %zu)", i, d.n);
	m = &d.msgs[i];
	cr_assert_eq(m->sev, sev, "message %zu: %s", i, m->text);
	cr_assert_str_eq(m->file, file);
	cr_assert_eq(m->line, line, "message %zu (%s) at line %u, want %u", i, m->text, m->line,
		     line);
	cr_assert_str_eq(m->check, check, "message %zu: %s", i, m->text);
	if (text)
		cr_assert(strstr(m->text, text), "message %zu: '%s' lacks '%s'", i, m->text, text);
}

/* ---- per-zone checks ---------------------------------------------------------- */

Test(check, whitepaper_zones_are_clean)
{
	/*
	 * - the shipped examples load with neither errors nor warnings
	 * - xdpmx_zone_check on them finds nothing more
	 */
	cr_assert_eq(load(EX "mydomain.com.zone", NULL), 0);
	cr_assert_eq(d.errors + d.warnings, 0);
	cr_assert_eq(xdpmx_zone_check(z, &d), 0);
	cr_assert_eq(d.errors + d.warnings, 0);
	xdpmx_zone_unref(z);
	z = NULL;
	cr_assert_eq(load(EX "2.168.192.in-addr.arpa.zone", NULL), 0);
	cr_assert_eq(d.errors + d.warnings, 0);
}

Test(check, missing_soa)
{
	/*
	 * - a zone without SOA (origin given by the caller) is rejected:
	 *   "missing SOA at the zone apex", on the file with no line
	 */
	cr_assert_eq(load(FIX "nosoa.zone", "example.org."), -EINVAL);
	cr_assert_null(z);
	cr_assert_eq(d.errors, 1);
	assert_msg(0, XDPMX_SEV_ERROR, FIX "nosoa.zone", 0, "missing-soa",
		   "example.org.: missing SOA at the zone apex");
}

Test(check, missing_apex_ns)
{
	/*
	 * - no NS at the apex (NS one level down does not count): error at
	 *   the SOA's line
	 */
	cr_assert_eq(load(FIX "noapexns.zone", NULL), -EINVAL);
	cr_assert_eq(d.errors, 1);
	assert_msg(0, XDPMX_SEV_ERROR, FIX "noapexns.zone", 4, "missing-apex-ns",
		   "example.org.: missing NS at the zone apex");
}

Test(check, soa_count_and_place)
{
	/*
	 * - two SOA records at the apex: error at the SOA RRset
	 * - an SOA below the apex: error at it
	 */
	cr_assert_eq(load(FIX "soa.zone", NULL), -EINVAL);
	cr_assert_eq(d.errors, 2);
	assert_msg(0, XDPMX_SEV_ERROR, FIX "soa.zone", 5, "multiple-soa",
		   "example.org. has 2 SOA records");
	assert_msg(1, XDPMX_SEV_ERROR, FIX "soa.zone", 9, "soa-not-at-apex",
		   "below.example.org. has an SOA record but is not the zone apex example.org.");
}

Test(check, cname_and_other_data)
{
	/*
	 * - CNAME beside A and MX: one error at the CNAME, listing them
	 * - CNAME beside RRSIG and NSEC only: fine (RFC 4035 2.5)
	 * - two CNAME records at one name: error
	 */
	cr_assert_eq(load(FIX "cname.zone", NULL), -EINVAL);
	cr_assert_eq(d.errors, 2);
	assert_msg(0, XDPMX_SEV_ERROR, FIX "cname.zone", 10, "cname-and-other-data",
		   "mail.example.org. has a CNAME and other data (A, MX)");
	assert_msg(1, XDPMX_SEV_ERROR, FIX "cname.zone", 15, "cname-multiple",
		   "two.example.org. has 2 CNAME records");
}

Test(check, targets_that_are_cnames)
{
	/*
	 * - an MX exchange that is a CNAME: error at the MX RRset
	 * - an NS target that is a CNAME: error at the NS RRset
	 */
	cr_assert_eq(load(FIX "targets.zone", NULL), -EINVAL);
	cr_assert_eq(d.errors, 2);
	assert_msg(0, XDPMX_SEV_ERROR, FIX "targets.zone", 8, "mx-target-cname",
		   "MX target mail.example.org. of example.org. is a CNAME");
	assert_msg(1, XDPMX_SEV_ERROR, FIX "targets.zone", 6, "ns-target-cname",
		   "NS target nsalias.example.org. of example.org. is a CNAME");
}

Test(check, mx_targets_without_addresses)
{
	/*
	 * - an exchange in the zone with other data but no A/AAAA, and one
	 *   that does not exist: warnings; the zone still loads
	 * - AAAA only, a wildcard with A, an exchange outside the zone or
	 *   below a delegation, and the null MX: no warning
	 * - xdpmx_zone_check returns the errors only (0 here)
	 */
	cr_assert_eq(load(FIX "mxaddr.zone", NULL), 0);
	cr_assert_eq(d.errors, 0);
	cr_assert_eq(d.warnings, 2);
	assert_msg(0, XDPMX_SEV_WARNING, FIX "mxaddr.zone", 10, "mx-target-no-address",
		   "MX target txtonly.example.org. of a.example.org. has no A or AAAA");
	assert_msg(1, XDPMX_SEV_WARNING, FIX "mxaddr.zone", 11, "mx-target-no-address",
		   "MX target nosuchhost.example.org. of b.example.org.");
	xdpmx_diag_clear(&d);
	cr_assert_eq(xdpmx_zone_check(z, &d), 0);
	cr_assert_eq(d.warnings, 2);
}

/* ---- the PTR rule ---------------------------------------------------------------- */

Test(ptr, whitepaper_pair_is_satisfied)
{
	/*
	 * - every address of mail1..3 has a PTR naming mail.mydomain.com,
	 *   which resolves to that address: no warning
	 */
	add(EX "mydomain.com.zone");
	add(EX "2.168.192.in-addr.arpa.zone");
	cr_assert_eq(xdpmx_zoneset_check_ptr(set, &d), 0);
	cr_assert_eq(d.n, 0);
}

Test(ptr, mismatch_example)
{
	/*
	 * - 192.168.2.2 has no PTR: warning at mail2's A RRset
	 * - 192.168.2.3's PTR names mail1.mydomain.com, whose address is
	 *   192.168.2.1: warning at the PTR, naming address, host and target
	 */
	add(EX "mismatch/mydomain.com.zone");
	add(EX "mismatch/2.168.192.in-addr.arpa.zone");
	cr_assert_eq(xdpmx_zoneset_check_ptr(set, &d), 2);
	cr_assert_eq(d.n, 2);
	assert_msg(0, XDPMX_SEV_WARNING, EX "mismatch/mydomain.com.zone", 36, "ptr-missing", NULL);
	cr_assert_str_eq(d.msgs[0].text, "192.168.2.2 (A of mail2.mydomain.com.) has no PTR "
					 "record at 2.2.168.192.in-addr.arpa.");
	assert_msg(1, XDPMX_SEV_WARNING, EX "mismatch/2.168.192.in-addr.arpa.zone", 18,
		   "ptr-mismatch", NULL);
	cr_assert_str_eq(d.msgs[1].text,
			 "192.168.2.3 (A of mail3.mydomain.com.): PTR 3.2.168.192.in-addr.arpa. "
			 "names mail1.mydomain.com., which does not resolve back to 192.168.2.3");
}

Test(ptr, no_reverse_zone)
{
	/*
	 * - with only the forward zone loaded, each exchange address is
	 *   reported once: no reverse zone for it
	 */
	add(EX "mydomain.com.zone");
	cr_assert_eq(xdpmx_zoneset_check_ptr(set, &d), 3);
	assert_msg(0, XDPMX_SEV_WARNING, EX "mydomain.com.zone", 35, "ptr-no-reverse-zone",
		   "192.168.2.1 (A of mail1.mydomain.com.): no reverse zone loaded for "
		   "1.2.168.192.in-addr.arpa.");
	assert_msg(1, XDPMX_SEV_WARNING, EX "mydomain.com.zone", 36, "ptr-no-reverse-zone",
		   "192.168.2.2");
	assert_msg(2, XDPMX_SEV_WARNING, EX "mydomain.com.zone", 37, "ptr-no-reverse-zone",
		   "192.168.2.3");
}

Test(ptr, ipv6_cname_and_outside_targets)
{
	/*
	 * - an AAAA exchange confirmed through an ip6.arpa PTR (the PTR's
	 *   case does not matter)
	 * - a PTR reached through a CNAME (RFC 2317) is followed
	 * - a PTR naming a host outside the loaded zones cannot be confirmed
	 */
	add(FIX "ptr/example.org.zone");
	add(FIX "ptr/2.0.192.in-addr.arpa.zone");
	add(FIX "ptr/8.b.d.0.1.0.0.2.ip6.arpa.zone");
	cr_assert_eq(xdpmx_zoneset_check_ptr(set, &d), 1);
	assert_msg(0, XDPMX_SEV_WARNING, FIX "ptr/2.0.192.in-addr.arpa.zone", 10, "ptr-unconfirmed",
		   NULL);
	cr_assert_str_eq(d.msgs[0].text,
			 "192.0.2.27 (A of mx3.example.org.): PTR 27.2.0.192.in-addr.arpa. names "
			 "mail.example.net., outside the loaded zones: cannot confirm that it "
			 "resolves back");
}

/* ---- zone sets ---------------------------------------------------------------- */

Test(zoneset, put_get_find_del)
{
	/*
	 * - put takes a reference; get finds a zone by exact apex, any case
	 * - find returns the deepest zone at or above a name, NULL outside
	 * - putting a zone with the same apex replaces it and drops the
	 *   old reference; del drops the zone and is -ENOENT the second time
	 */
	struct xdpmx_zone *fwd, *rev, *again;

	cr_assert_eq(xdpmx_zone_load(EX "mydomain.com.zone", NULL, &d, &fwd), 0);
	cr_assert_eq(xdpmx_zone_load(EX "2.168.192.in-addr.arpa.zone", NULL, &d, &rev), 0);
	cr_assert_eq(xdpmx_zone_load(EX "mismatch/mydomain.com.zone", NULL, &d, &again), 0);

	cr_assert_eq(xdpmx_zoneset_put(set, fwd), 0);
	cr_assert_eq(xdpmx_zoneset_put(set, rev), 0);
	cr_assert_eq(fwd->refs, 2);
	cr_assert_eq(set->n, 2);
	cr_assert_eq(xdpmx_zoneset_get(set, W("MyDomain.COM.")), fwd);
	cr_assert_null(xdpmx_zoneset_get(set, W("mail.mydomain.com.")));
	cr_assert_eq(xdpmx_zoneset_find(set, W("mail.mydomain.com.")), fwd);
	cr_assert_eq(xdpmx_zoneset_find(set, W("mydomain.com.")), fwd);
	cr_assert_eq(xdpmx_zoneset_find(set, W("1.2.168.192.in-addr.arpa.")), rev);
	cr_assert_null(xdpmx_zoneset_find(set, W("168.192.in-addr.arpa.")));
	cr_assert_null(xdpmx_zoneset_find(set, W("com.")));
	cr_assert_null(xdpmx_zoneset_find(set, W(".")));

	cr_assert_eq(xdpmx_zoneset_put(set, again), 0);
	cr_assert_eq(set->n, 2);
	cr_assert_eq(xdpmx_zoneset_get(set, W("mydomain.com.")), again);
	cr_assert_eq(fwd->refs, 1);
	cr_assert_eq(again->refs, 2);

	cr_assert_eq(xdpmx_zoneset_del(set, W("mydomain.com.")), 0);
	cr_assert_eq(again->refs, 1);
	cr_assert_eq(set->n, 1);
	cr_assert_null(xdpmx_zoneset_find(set, W("mail.mydomain.com.")));
	cr_assert_eq(xdpmx_zoneset_del(set, W("mydomain.com.")), -ENOENT);
	cr_assert_eq(xdpmx_zoneset_get(set, W("2.168.192.in-addr.arpa.")), rev);

	xdpmx_zone_unref(fwd);
	xdpmx_zone_unref(rev);
	xdpmx_zone_unref(again);
}

Test(zoneset, nested_zones_and_dup)
{
	/*
	 * - with a parent and its child zone loaded, find picks the child for
	 *   names at or below its apex and the parent for the rest
	 * - dup shares every zone with new references; freeing the copy
	 *   gives them back
	 */
	struct xdpmx_zone *parent, *child;
	struct xdpmx_zoneset *copy;

	cr_assert_eq(xdpmx_zone_load(FIX "nested/example.org.zone", NULL, &d, &parent), 0);
	cr_assert_eq(xdpmx_zone_load(FIX "nested/sub.example.org.zone", NULL, &d, &child), 0);
	cr_assert_eq(xdpmx_zoneset_put(set, child), 0);
	cr_assert_eq(xdpmx_zoneset_put(set, parent), 0);
	cr_assert_eq(xdpmx_zoneset_find(set, W("www.sub.example.org.")), child);
	cr_assert_eq(xdpmx_zoneset_find(set, W("sub.example.org.")), child);
	cr_assert_eq(xdpmx_zoneset_find(set, W("ns1.example.org.")), parent);
	cr_assert_eq(xdpmx_zoneset_find(set, W("www.subx.example.org.")), parent);

	copy = xdpmx_zoneset_dup(set);
	cr_assert_not_null(copy);
	cr_assert_eq(copy->n, 2);
	cr_assert_eq(copy->zones[0], child);
	cr_assert_eq(copy->zones[1], parent);
	cr_assert_eq(parent->refs, 3);
	cr_assert_eq(xdpmx_zoneset_find(copy, W("www.sub.example.org.")), child);
	xdpmx_zoneset_free(copy);
	cr_assert_eq(parent->refs, 2);
	cr_assert_eq(child->refs, 2);
	xdpmx_zone_unref(parent);
	xdpmx_zone_unref(child);
}
