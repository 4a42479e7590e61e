// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Rotation of RRsets by the program, per packet, in the three orders of
 * enum xdpmx_order: cyclic (round robin from the per-CPU cursor), random
 * and fixed. Every answer is checked in full by check.c, which also reports
 * which record of zone order came first. The process is pinned to one CPU
 * so the per-CPU cursor is a single sequence.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "answers.h"
#include "check.h"
#include "harness.h"
#include "pkt.h"

#define K_MAX 8

/*
 * Send n copies of the query for qname/qtype (alternating IPv4 and IPv6 so
 * both paths share the rotation), check each answer against e, and record
 * which zone-order record came first in first[i]. Fails the test on the
 * first bad answer.
 */
static void send_many(const char *qname, uint16_t qtype, const struct expect *e, int n, int *first)
{
	struct qinfo qi[2];
	struct h_run r;
	int i;

	/* Every answer must be a hit counted in slot 0; reading the other 63
	 * slots for thousands of packets would cost seconds (the table and
	 * the state tests check all of them). */
	h_counter_slots(1);
	for (i = 0; i < 2; i++) {
		struct pkt_spec s = {.ip_version = i ? 6 : 4};
		struct dnsq q = {.id = 0x7007,
				 .flags = DNS_RD,
				 .qname = qname,
				 .qtype = qtype,
				 .edns = i,
				 .edns_size = 1232};

		cr_assert_eq(qinfo_build(&qi[i], &s, &q), 0);
	}
	for (i = 0; i < n; i++) {
		const struct qinfo *q = &qi[i & 1];
		struct verdict v = {0};
		uint8_t want[PKT_MAX];

		h_run(q->frame, q->len, &r);
		if (r.err || r.action != XDP_TX)
			v_fail(&v, "packet %d: %s, error %d; want XDP_TX", i,
			       h_action_str(r.action), r.err);
		else
			check_answer(&v, q, r.out, r.out_len, e, &first[i]);
		h_check_counter(&v, &r, 0,
				qtype == XDPMX_TYPE_MX ? XDPMX_CNT_HIT_MX : XDPMX_CNT_HIT_A);
		if (v.fails)
			h_verdict(qname, &v, q->frame, q->len, want,
				  expect_frame(want, sizeof(want), q, e, first[i]), r.out,
				  r.out_len);
	}
}

/* Cyclic: over k*N packets each record is first exactly N times, and each
 * answer starts one record after the previous one. */
static void cyclic(const char *qname, uint16_t qtype, const struct expect *e, int k)
{
	enum { N = 40 };
	int first[K_MAX * N], count[K_MAX] = {0}, i;

	h_pin_cpu();
	send_many(qname, qtype, e, k * N, first);
	for (i = 0; i < k * N; i++) {
		count[first[i]]++;
		if (i)
			cr_expect_eq(first[i], (first[i - 1] + 1) % k,
				     "%s: packet %d starts at record %d after %d: not round robin",
				     qname, i, first[i], first[i - 1]);
	}
	for (i = 0; i < k; i++)
		cr_expect_eq(count[i], N, "%s: record %d first %d times in %d packets, want %d",
			     qname, i, count[i], k * N, N);
}

/*
 * - cyclic order, 3 records: each first exactly N times in 3N packets,
 *   advancing by one per packet, over IPv4 and IPv6 alike.
 */
Test(rotation, cyclic_3, .init = h_setup, .fini = h_teardown)
{
	h_zone("tests/fixtures/prog/prog.test.zone", XDPMX_ORDER_CYCLIC);
	cyclic("three.prog.test", XDPMX_TYPE_A, &fx_three, 3);
}

/*
 * - cyclic order, 8 records: each first exactly N times in 8N packets.
 */
Test(rotation, cyclic_8, .init = h_setup, .fini = h_teardown)
{
	h_zone("tests/fixtures/prog/prog.test.zone", XDPMX_ORDER_CYCLIC);
	cyclic("eight.prog.test", XDPMX_TYPE_A, &fx_eight, 8);
}

/*
 * - the whitepaper MX RRset rotates cyclically; its additional records go
 *   along unchanged in every answer.
 */
Test(rotation, cyclic_whitepaper_mx, .init = h_setup, .fini = h_teardown)
{
	h_zone("examples/mydomain.com.zone", XDPMX_ORDER_CYCLIC);
	cyclic("mydomain.com", XDPMX_TYPE_MX, &wp_mx, 3);
}

/*
 * Random: the first record over P packets against uniform, and
 * non-overlapping pairs of consecutive first records against uniform over
 * k*k cells (a round robin passes the first test perfectly and fails this
 * one). Pearson's chi-square at significance 1e-6, so a correct program
 * fails a check about once in a million runs (CI runs four of them): a
 * broken order (always one record, a round robin) scores in the thousands,
 * far above these thresholds. Critical values of the chi-square
 * distribution at 1 - 1e-6 (df = cells - 1).
 */
static void random_order(const char *qname, const struct expect *e, int k, double crit1,
			 double crit2)
{
	enum { P = 6400 };
	static int first[P];
	double chi1 = 0, chi2 = 0, exp1 = (double)P / k, exp2 = (double)P / 2 / (k * k);
	int count[K_MAX] = {0}, pairs[K_MAX * K_MAX] = {0}, i;

	h_pin_cpu();
	send_many(qname, XDPMX_TYPE_A, e, P, first);
	for (i = 0; i < P; i++)
		count[first[i]]++;
	for (i = 0; i + 1 < P; i += 2)
		pairs[first[i] * k + first[i + 1]]++;
	for (i = 0; i < k; i++)
		chi1 += (count[i] - exp1) * (count[i] - exp1) / exp1;
	for (i = 0; i < k * k; i++)
		chi2 += (pairs[i] - exp2) * (pairs[i] - exp2) / exp2;
	cr_expect_lt(chi1, crit1,
		     "%s: first-record counts are not uniform: chi-square %.2f >= %.3f (df %d, "
		     "p < 1e-6)",
		     qname, chi1, crit1, k - 1);
	cr_expect_lt(chi2, crit2,
		     "%s: consecutive pairs are not uniform: chi-square %.2f >= %.3f (df %d, "
		     "p < 1e-6)",
		     qname, chi2, crit2, k * k - 1);
}

/*
 * - random order, 3 records: 6400 packets, first record uniform
 *   (chi-square df 2 < 27.631) and pairs uniform (df 8 < 42.701).
 */
Test(rotation, random_3, .init = h_setup, .fini = h_teardown)
{
	h_zone("tests/fixtures/prog/prog.test.zone", XDPMX_ORDER_RANDOM);
	random_order("three.prog.test", &fx_three, 3, 27.631, 42.701);
}

/*
 * - random order, 8 records: 6400 packets, first record uniform
 *   (chi-square df 7 < 40.522) and pairs uniform (df 63 < 131.370).
 */
Test(rotation, random_8, .init = h_setup, .fini = h_teardown)
{
	h_zone("tests/fixtures/prog/prog.test.zone", XDPMX_ORDER_RANDOM);
	random_order("eight.prog.test", &fx_eight, 8, 40.522, 131.370);
}

/*
 * - fixed order: every answer is in zone (file) order, for 3 and 8
 *   records, whatever the cursor does.
 */
Test(rotation, fixed, .init = h_setup, .fini = h_teardown)
{
	int first[64], i;

	h_zone("tests/fixtures/prog/prog.test.zone", XDPMX_ORDER_FIXED);
	send_many("three.prog.test", XDPMX_TYPE_A, &fx_three, 32, first);
	for (i = 0; i < 32; i++)
		cr_expect_eq(first[i], 0, "three: packet %d starts at record %d", i, first[i]);
	send_many("eight.prog.test", XDPMX_TYPE_A, &fx_eight, 64, first);
	for (i = 0; i < 64; i++)
		cr_expect_eq(first[i], 0, "eight: packet %d starts at record %d", i, first[i]);
}
