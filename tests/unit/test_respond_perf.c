// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * CPU cost of the slow-path responder per query, measured, never asserted
 * (a shared machine's timing proves nothing in a unit test): each case runs
 * a bounded loop of xdpmx_respond() calls on one thread and prints the
 * thread CPU time per query on stderr. What is asserted is that every
 * response of the loop is the expected one, so the number measures real
 * answers.
 *
 * Cases: the whitepaper's queries (examples/), a mixed-case name, an
 * NXDOMAIN, and A queries spread over a generated zone of 100,000 names
 * (hash lookups that miss the CPU caches, as on a loaded server).
 *
 * Run from the top of the tree. XDPMX_PERF_LOOPS overrides the loop count.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <ldns/ldns.h>

#include <xdpmx/abi.h>

#include "respond.h"
#include "zone.h"

#define BIG_NAMES 100000

static struct xdpmx_zoneset *zs;
static struct xdpmx_responder *r;
static char big_path[64];
static unsigned long loops = 200000;

static void put_zone(const char *file)
{
	struct xdpmx_zone_opts o = {.order = XDPMX_ORDER_CYCLIC};
	struct xdpmx_diag d = {};
	struct xdpmx_zone *z = NULL;
	int ret = xdpmx_zone_load(file, &o, &d, &z);

	if (ret)
		xdpmx_diag_print(&d);
	xdpmx_diag_clear(&d);
	cr_assert_eq(ret, 0, "loading %s: %s", file, strerror(-ret));
	cr_assert_eq(xdpmx_zoneset_put(zs, z), 0);
	xdpmx_zone_unref(z);
}

/* A zone of BIG_NAMES hosts hN.big.test with one A record each. */
static void write_big_zone(void)
{
	int fd;
	FILE *f;

	snprintf(big_path, sizeof(big_path), "/tmp/xdpmx-respond-perf-XXXXXX");
	fd = mkstemp(big_path);
	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fprintf(f, "$ORIGIN big.test.\n$TTL 3600\n"
		   "@ IN SOA ns hostmaster 1 7200 3600 1209600 300\n@ IN NS ns\n"
		   "ns IN A 198.18.0.1\n");
	for (unsigned i = 0; i < BIG_NAMES; i++)
		fprintf(f, "h%u IN A 198.18.%u.%u\n", i, (i >> 8) & 0xff, i & 0xff);
	cr_assert_eq(fclose(f), 0);
}

static void setup(void)
{
	const char *env = getenv("XDPMX_PERF_LOOPS");
	struct xdpmx_resp_cfg cfg = {.seed = 1};

	if (env)
		loops = strtoul(env, NULL, 10);
	zs = xdpmx_zoneset_new();
	cr_assert_not_null(zs);
	put_zone("examples/mydomain.com.zone");
	put_zone("examples/2.168.192.in-addr.arpa.zone");
	write_big_zone();
	put_zone(big_path);
	cr_assert_eq(xdpmx_responder_new(zs, &cfg, &r), 0);
}

static void teardown(void)
{
	xdpmx_responder_free(r);
	xdpmx_zoneset_free(zs);
	if (big_path[0])
		unlink(big_path);
}

TestSuite(perf, .init = setup, .fini = teardown);

struct q {
	uint8_t b[512];
	size_t len;
};

static struct q mkq(const char *name, ldns_rr_type type, int edns)
{
	ldns_pkt *p =
		ldns_pkt_query_new(ldns_dname_new_frm_str(name), type, LDNS_RR_CLASS_IN, LDNS_RD);
	uint8_t *w = NULL;
	struct q q = {};

	cr_assert_not_null(p);
	if (edns > 0)
		ldns_pkt_set_edns_udp_size(p, (uint16_t)edns);
	cr_assert_eq(ldns_pkt2wire(&w, p, &q.len), LDNS_STATUS_OK);
	memcpy(q.b, w, q.len);
	free(w);
	ldns_pkt_free(p);
	return q;
}

static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * Answer the queries qs[] round robin `loops` times; every response must
 * have this rcode and answer count. Prints CPU ns per query.
 */
static void run(const char *what, const struct q *qs, size_t nq, unsigned rcode, unsigned an)
{
	static uint8_t out[XDPMX_RESP_TCP_MAX];
	struct xdpmx_resp_info info;
	double t0, t1;
	size_t bad = 0;

	for (size_t i = 0; i < nq; i++) { /* warm up and check once, with ldns */
		ldns_pkt *p = NULL;
		ssize_t n = xdpmx_respond(r, qs[i].b, qs[i].len, false, out, sizeof(out), &info);

		cr_assert_gt(n, 0);
		cr_assert_eq(ldns_wire2pkt(&p, out, (size_t)n), LDNS_STATUS_OK);
		cr_assert_eq(ldns_pkt_get_rcode(p), rcode, "%s: rcode", what);
		cr_assert_eq(ldns_pkt_ancount(p), an, "%s: answers", what);
		ldns_pkt_free(p);
	}
	t0 = cpu_ns();
	for (unsigned long i = 0; i < loops; i++) {
		const struct q *q = &qs[i % nq];
		ssize_t n = xdpmx_respond(r, q->b, q->len, false, out, sizeof(out), &info);

		bad += n <= 0 || info.rcode != rcode || info.an != an;
	}
	t1 = cpu_ns();
	cr_assert_eq(bad, 0, "%s: %zu unexpected responses", what, bad);
	fprintf(stderr, "respond perf: %-40s %7.0f ns CPU per query (%lu queries)\n", what,
		(t1 - t0) / (double)loops, loops);
}

/* - typical answers: the whitepaper's A, MX (EDNS) and PTR queries */
Test(perf, whitepaper)
{
	struct q a = mkq("mail.mydomain.com.", LDNS_RR_TYPE_A, -1);
	struct q mx = mkq("mydomain.com.", LDNS_RR_TYPE_MX, 1232);
	struct q ptr = mkq("1.2.168.192.in-addr.arpa.", LDNS_RR_TYPE_PTR, -1);
	struct q mixed = mkq("MaIl.MyDoMaIn.CoM.", LDNS_RR_TYPE_A, 1232);
	struct q nx = mkq("nope.mydomain.com.", LDNS_RR_TYPE_A, -1);

	run("A mail.mydomain.com (3 A)", &a, 1, LDNS_RCODE_NOERROR, 3);
	run("MX mydomain.com +EDNS (3 MX, 3 A)", &mx, 1, LDNS_RCODE_NOERROR, 3);
	run("PTR 1.2.168.192.in-addr.arpa", &ptr, 1, LDNS_RCODE_NOERROR, 1);
	run("A MaIl.MyDoMaIn.CoM +EDNS (0x20)", &mixed, 1, LDNS_RCODE_NOERROR, 3);
	run("A nope.mydomain.com (NXDOMAIN)", &nx, 1, LDNS_RCODE_NXDOMAIN, 0);
}

/* - A queries spread over 100,000 names of one zone */
Test(perf, big_zone)
{
	enum { NQ = 4096 };
	struct q *qs = calloc(NQ, sizeof(*qs));

	cr_assert_not_null(qs);
	for (unsigned i = 0; i < NQ; i++) {
		char name[64];

		snprintf(name, sizeof(name), "h%u.big.test.",
			 (unsigned)(((uint64_t)i * 2654435761u) % BIG_NAMES));
		qs[i] = mkq(name, LDNS_RR_TYPE_A, -1);
	}
	run("A hN.big.test (100k names, 1 A)", qs, NQ, LDNS_RCODE_NOERROR, 1);
	free(qs);
}
