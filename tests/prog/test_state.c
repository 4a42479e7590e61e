// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What one frame in a fixed map state cannot show: zone swaps through
 * xdpmx_fp_zone_apply between queries, configuration changed at run time,
 * the interface slot the counters land in, and the context (ingress
 * interface, receive queue) the kernel hands the program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <net/if.h>

#include <bpf/bpf.h>
#include <criterion/criterion.h>

#include "answers.h"
#include "check.h"
#include "harness.h"
#include "pkt.h"

/* Send one query for qname/qtype over IPv4 (to dport, 0: 53) and check
 * the result: an answer described by e, or with e NULL the frame passed up
 * unchanged; either way exactly counter c moved (in slot). */
static void expect_q(const char *what, const char *qname, uint16_t qtype, uint16_t dport,
		     uint32_t slot, enum xdpmx_counter c, const struct expect *e)
{
	struct pkt_spec s = {.dport = dport};
	struct dnsq q = {.id = 0x5a5a, .flags = DNS_RD, .qname = qname, .qtype = qtype};
	uint8_t want[PKT_MAX];
	size_t want_len;
	struct verdict v = {0};
	struct qinfo qi;
	struct h_run r;
	int rot = -1;

	cr_assert_eq(qinfo_build(&qi, &s, &q), 0);
	h_run(qi.frame, qi.len, &r);
	if (r.err) {
		v_fail(&v, "BPF_PROG_TEST_RUN failed: %s", strerror(-r.err));
	} else if (e) {
		if (r.action != XDP_TX)
			v_fail(&v, "action %s, want XDP_TX", h_action_str(r.action));
		else
			check_answer(&v, &qi, r.out, r.out_len, e, &rot);
		h_check_counter(&v, &r, slot, c);
	} else {
		h_check_unchanged(&v, &r, XDP_PASS, qi.frame, qi.len);
		h_check_counter(&v, &r, slot, c);
	}
	if (e) {
		want_len = expect_frame(want, sizeof(want), &qi, e, rot);
	} else {
		memcpy(want, qi.frame, qi.len);
		want_len = qi.len;
	}
	h_verdict(what, &v, qi.frame, qi.len, want, want_len, r.out, r.out_len);
}

#define V1 "tests/fixtures/prog/change/v1/change.test.zone"
#define V2 "tests/fixtures/prog/change/v2/change.test.zone"

/*
 * - a zone applied with xdpmx_fp_zone_apply is answered at once;
 * - applying a changed version changes the next answer: new records and
 *   TTL for a changed RRset, a miss for a deleted one, an answer for an
 *   added one, the same answer for an unchanged one;
 * - removing the zone turns every name into a miss; applying it again
 *   brings the answers back.
 */
Test(state, zone_change, .init = h_setup, .fini = h_teardown)
{
	const struct expect www1 = {
		.an = (const char *const[]){"www.change.test. 300 IN A 198.18.9.1", NULL}};
	const struct expect gone = {
		.an = (const char *const[]){"gone.change.test. 300 IN A 198.18.9.9", NULL}};
	const struct expect ns1 = {
		.an = (const char *const[]){"ns1.change.test. 300 IN A 198.18.9.53", NULL}};
	const struct expect www2 = {
		.an = (const char *const[]){"www.change.test. 120 IN A 198.18.9.2",
					    "www.change.test. 120 IN A 198.18.9.3", NULL}};
	const struct expect new = {
		.an = (const char *const[]){"new.change.test. 300 IN A 198.18.9.4", NULL}};

	h_zone(V1, XDPMX_ORDER_CYCLIC);
	expect_q("v1 www", "www.change.test", 1, 0, 0, XDPMX_CNT_HIT_A, &www1);
	expect_q("v1 gone", "gone.change.test", 1, 0, 0, XDPMX_CNT_HIT_A, &gone);
	expect_q("v1 new", "new.change.test", 1, 0, 0, XDPMX_CNT_MISS_NO_RRSET, NULL);

	h_zone(V2, XDPMX_ORDER_CYCLIC);
	expect_q("v2 www", "www.change.test", 1, 0, 0, XDPMX_CNT_HIT_A, &www2);
	expect_q("v2 gone", "gone.change.test", 1, 0, 0, XDPMX_CNT_MISS_NO_RRSET, NULL);
	expect_q("v2 new", "new.change.test", 1, 0, 0, XDPMX_CNT_HIT_A, &new);
	expect_q("v2 ns1", "ns1.change.test", 1, 0, 0, XDPMX_CNT_HIT_A, &ns1);

	h_zone_remove("change.test.");
	expect_q("removed www", "www.change.test", 1, 0, 0, XDPMX_CNT_MISS_NO_RRSET, NULL);
	expect_q("removed ns1", "ns1.change.test", 1, 0, 0, XDPMX_CNT_MISS_NO_RRSET, NULL);

	h_zone(V1, XDPMX_ORDER_CYCLIC);
	expect_q("v1 again www", "www.change.test", 1, 0, 0, XDPMX_CNT_HIT_A, &www1);
	expect_q("v1 again new", "new.change.test", 1, 0, 0, XDPMX_CNT_MISS_NO_RRSET, NULL);
}

/*
 * - cfg.dns_port is read per packet: after moving it to 5353, queries to
 *   53 pass up as pass.not_port and queries to 5353 are answered (from
 *   port 5353); moving it back restores 53.
 */
Test(state, cfg_port_runtime, .init = h_setup, .fini = h_teardown)
{
	h_zones_all(XDPMX_ORDER_CYCLIC);
	expect_q("port 53", "one.prog.test", 1, 53, 0, XDPMX_CNT_HIT_A, &fx_one);
	h_cfg(5353, TEST_EDNS_SIZE);
	expect_q("port 53 after move", "one.prog.test", 1, 53, 0, XDPMX_CNT_PASS_NOT_PORT, NULL);
	expect_q("port 5353", "one.prog.test", 1, 5353, 0, XDPMX_CNT_HIT_A, &fx_one);
	h_cfg(53, TEST_EDNS_SIZE);
	expect_q("port 53 back", "one.prog.test", 1, 53, 0, XDPMX_CNT_HIT_A, &fx_one);
	expect_q("port 5353 after", "one.prog.test", 1, 5353, 0, XDPMX_CNT_PASS_NOT_PORT, NULL);
}

static void setup_no_cfg(void)
{
	const struct h_opts o = {.no_cfg = true};

	h_setup_opts(&o);
}

/*
 * - an unwritten cfg (dns_port 0: "not configured") passes everything up
 *   as pass.not_port, even a query the maps could answer.
 */
Test(state, cfg_unconfigured, .init = setup_no_cfg, .fini = h_teardown)
{
	h_zones_all(XDPMX_ORDER_CYCLIC);
	expect_q("unconfigured", "one.prog.test", 1, 53, 0, XDPMX_CNT_PASS_NOT_PORT, NULL);
}

static void setup_slot5(void)
{
	const struct h_opts o = {.iface_slot = 5};

	h_setup_opts(&o);
}

/*
 * - a program loaded for interface slot 5 counts in slot 5 only: a hit, a
 *   miss and a pass each move their counter there and nothing in slot 0.
 */
Test(state, iface_slot, .init = setup_slot5, .fini = h_teardown)
{
	h_zones_all(XDPMX_ORDER_CYCLIC);
	expect_q("slot 5 hit", "one.prog.test", 1, 53, 5, XDPMX_CNT_HIT_A, &fx_one);
	expect_q("slot 5 miss", "nope.prog.test", 1, 53, 5, XDPMX_CNT_MISS_NO_RRSET, NULL);
	expect_q("slot 5 pass", "one.prog.test", 1, 5353, 5, XDPMX_CNT_PASS_NOT_PORT, NULL);
}

/*
 * - the answer does not depend on the context: no ctx_in, ingress on
 *   loopback queue 0, and ingress on a 4-queue veth (in a network namespace
 *   of this test process, gone with it) queue 3 give byte-identical answers
 *   (a one-record RRset, so rotation cannot differ).
 */
Test(state, ctx_ingress, .init = h_setup, .fini = h_teardown)
{
	struct pkt_spec s = {.ip_version = 6};
	struct dnsq q = {.id = 9, .flags = DNS_RD, .qname = "one.prog.test", .qtype = 1};
	struct xdp_md ctx = {0};
	struct h_run r[3];
	struct verdict v = {0};
	struct qinfo qi;
	int i;

	cr_assert_eq(unshare(CLONE_NEWNET), 0, "Couldn't make a network namespace: %s",
		     strerror(errno));
	cr_assert_eq(
		system("ip link add progtest-v0 numrxqueues 4 type veth peer name progtest-v1"), 0,
		"Couldn't add the veth pair progtest-v0/progtest-v1");
	h_zones_all(XDPMX_ORDER_CYCLIC);
	cr_assert_eq(qinfo_build(&qi, &s, &q), 0);

	h_run_ctx(qi.frame, qi.len, NULL, &r[0]);
	ctx.ingress_ifindex = if_nametoindex("lo");
	h_run_ctx(qi.frame, qi.len, &ctx, &r[1]);
	ctx.ingress_ifindex = if_nametoindex("progtest-v0");
	ctx.rx_queue_index = 3;
	cr_assert_neq(ctx.ingress_ifindex, 0);
	h_run_ctx(qi.frame, qi.len, &ctx, &r[2]);
	for (i = 0; i < 3; i++) {
		cr_assert_eq(r[i].err, 0, "run %d: BPF_PROG_TEST_RUN failed: %s", i,
			     strerror(-r[i].err));
		cr_assert_eq(r[i].action, XDP_TX, "run %d: %s", i, h_action_str(r[i].action));
		check_answer(&v, &qi, r[i].out, r[i].out_len, &fx_one, NULL);
		h_check_counter(&v, &r[i], 0, XDPMX_CNT_HIT_A);
		if (i && (r[i].out_len != r[0].out_len || memcmp(r[i].out, r[0].out, r[0].out_len)))
			v_fail(&v, "run %d: answer differs from the run without ctx_in", i);
		h_verdict("ctx", &v, qi.frame, qi.len, r[0].out, r[0].out_len, r[i].out,
			  r[i].out_len);
	}
}

/*
 * - a query without EDNS has no DO bit: right after a DO=1 query for an
 *   RRset of a signed zone (miss.dnssec), the same query without EDNS is
 *   answered (hit.a), again and again on one CPU, so nothing one run
 *   leaves behind (stack, per-CPU state) can leak into the next.
 */
Test(state, no_edns_after_do, .init = h_setup, .fini = h_teardown)
{
	const struct expect www = {
		.an = (const char *const[]){"www.signed.test. 300 IN A 198.18.7.1", NULL}};
	struct pkt_spec s = {.ip_version = 4};
	struct dnsq q_do = {.id = 1,
			    .flags = DNS_RD,
			    .qname = "www.signed.test",
			    .qtype = 1,
			    .edns = true,
			    .edns_size = 1232,
			    .edns_do = true};
	struct dnsq q_plain = {.id = 2, .flags = DNS_RD, .qname = "www.signed.test", .qtype = 1};
	uint8_t want[PKT_MAX];
	struct qinfo qd, qp;
	struct h_run r;
	int i;

	h_pin_cpu();
	h_zones_all(XDPMX_ORDER_CYCLIC);
	cr_assert_eq(qinfo_build(&qd, &s, &q_do), 0);
	cr_assert_eq(qinfo_build(&qp, &s, &q_plain), 0);
	for (i = 0; i < 16; i++) {
		struct verdict v = {0};

		h_run(qd.frame, qd.len, &r);
		cr_assert_eq(r.err, 0);
		h_check_unchanged(&v, &r, XDP_PASS, qd.frame, qd.len);
		h_check_counter(&v, &r, 0, XDPMX_CNT_MISS_DNSSEC);
		h_verdict("do=1 signed", &v, qd.frame, qd.len, qd.frame, qd.len, r.out, r.out_len);

		h_run(qp.frame, qp.len, &r);
		cr_assert_eq(r.err, 0);
		if (r.action != XDP_TX)
			v_fail(&v, "round %d: action %s, want XDP_TX", i, h_action_str(r.action));
		else
			check_answer(&v, &qp, r.out, r.out_len, &www, NULL);
		h_check_counter(&v, &r, 0, XDPMX_CNT_HIT_A);
		h_verdict("no edns after do=1", &v, qp.frame, qp.len, want,
			  expect_frame(want, sizeof(want), &qp, &www, 0), r.out, r.out_len);
	}
}

/* One EDNS query for wide.prog.test MX (680 bytes with its 20 additional
 * records, 108 without) with client size 1232, checked against e. */
static void expect_wide(const char *what, const struct expect *e)
{
	struct pkt_spec s = {.ip_version = 6};
	struct dnsq q = {.id = 6,
			 .flags = DNS_RD,
			 .qname = "wide.prog.test",
			 .qtype = 15,
			 .edns = true,
			 .edns_size = 1232};
	uint8_t want[PKT_MAX];
	struct verdict v = {0};
	struct qinfo qi;
	struct h_run r;
	int rot = -1;

	cr_assert_eq(qinfo_build(&qi, &s, &q), 0);
	h_run(qi.frame, qi.len, &r);
	cr_assert_eq(r.err, 0);
	if (r.action != XDP_TX)
		v_fail(&v, "action %s, want XDP_TX", h_action_str(r.action));
	else
		check_answer(&v, &qi, r.out, r.out_len, e, &rot);
	h_check_counter(&v, &r, 0, XDPMX_CNT_HIT_MX);
	h_verdict(what, &v, qi.frame, qi.len, want, expect_frame(want, sizeof(want), &qi, e, rot),
		  r.out, r.out_len);
}

/*
 * - cfg.edns_size is read per packet: at 1232 the wide MX answer (691
 *   bytes) goes out whole; at 600 its OPT says 600 and the additional
 *   records are left out (TC=0); at 100 it counts as 512 (OPT 512, still
 *   without additional records); back at 1232 it is whole again.
 */
Test(state, cfg_edns_size_runtime, .init = h_setup, .fini = h_teardown)
{
	h_zones_all(XDPMX_ORDER_CYCLIC);
	expect_wide("edns 1232", &fx_wide);
	h_cfg(53, 600);
	check_edns_size = 600;
	expect_wide("edns 600", &fx_wide_noad);
	h_cfg(53, 100);
	check_edns_size = 512;
	expect_wide("edns 100 as 512", &fx_wide_noad);
	h_cfg(53, TEST_EDNS_SIZE);
	check_edns_size = TEST_EDNS_SIZE;
	expect_wide("edns 1232 again", &fx_wide);
}

/* Send the A query for name and expect XDP_ABORTED, the frame unchanged,
 * and the aborted counter. */
static void expect_aborted(const char *what, const char *name)
{
	struct pkt_spec s = {.ip_version = 4};
	struct dnsq q = {.id = 0xab, .flags = DNS_RD, .qname = name, .qtype = 1};
	struct verdict v = {0};
	struct qinfo qi;
	struct h_run r;

	cr_assert_eq(qinfo_build(&qi, &s, &q), 0);
	h_run(qi.frame, qi.len, &r);
	cr_assert_eq(r.err, 0);
	h_check_unchanged(&v, &r, XDP_ABORTED, qi.frame, qi.len);
	h_check_counter(&v, &r, 0, XDPMX_CNT_ABORTED);
	h_verdict(what, &v, qi.frame, qi.len, qi.frame, qi.len, r.out, r.out_len);
}

/*
 * - impossible map states end in XDP_ABORTED under the aborted counter,
 *   never in a copy from outside the blob: a blob header with no records,
 *   too many records, lengths past its class size, an unknown order, a
 *   rotation offset past the records; a directory entry naming a zone past
 *   the zones array, a blob class that does not exist, a blob index past
 *   its array. Each is written into the maps directly, then undone, and the
 *   query is answered again once it is.
 */
Test(state, impossible_states_abort, .init = h_setup, .fini = h_teardown)
{
	const struct xdpmx_fp_fds *fds = h_fds();
	struct xdpmx_dir_slot dv, bad;
	uint8_t blob[XDPMX_BLOB_MAX + XDPMX_BLOB_SLACK], orig[sizeof(blob)];
	struct xdpmx_blob_hdr *h = (void *)blob;
	uint32_t ref, idx, di;
	int fd, i;

	h_zones_all(XDPMX_ORDER_CYCLIC);
	h_dir_slot("three.prog.test", 1, &di, &dv);
	ref = dv.ver[0].since ? dv.ver[0].blob : dv.ver[1].blob;
	cr_assert_neq(ref, XDPMX_BLOB_NONE);
	fd = fds->blob[XDPMX_BLOB_CLASS(ref)];
	idx = XDPMX_BLOB_INDEX(ref);
	cr_assert_eq(bpf_map_lookup_elem(fd, &idx, orig), 0);

	for (i = 0; i < 5; i++) {
		static const char *const what[] = {"an_count 0", "an_count 33",
						   "an_len past the class", "order 7",
						   "rec_off past the records"};

		memcpy(blob, orig, sizeof(blob));
		if (i == 0)
			h->an_count = 0;
		else if (i == 1)
			h->an_count = XDPMX_RR_MAX + 1;
		else if (i == 2)
			h->an_len = XDPMX_BLOB_MAX;
		else if (i == 3)
			h->order = 7;
		else { /* fixed order starts at rec_off[0]: point it past an_len */
			h->order = XDPMX_ORDER_FIXED;
			memcpy(blob + sizeof(*h), &h->an_len, 2);
		}
		cr_assert_eq(bpf_map_update_elem(fd, &idx, blob, 0), 0);
		expect_aborted(what[i], "three.prog.test");
	}
	cr_assert_eq(bpf_map_update_elem(fd, &idx, orig, 0), 0);

	for (i = 0; i < 3; i++) {
		static const char *const what[] = {"zone past the array", "blob class 5",
						   "blob index past the array"};

		bad = dv;
		if (i == 0)
			bad.zone = 1u << 30;
		else if (dv.ver[0].since)
			bad.ver[0].blob =
				i == 1 ? XDPMX_BLOB_REF(5, 0) : XDPMX_BLOB_REF(0, 1u << 27);
		else
			bad.ver[1].blob =
				i == 1 ? XDPMX_BLOB_REF(5, 0) : XDPMX_BLOB_REF(0, 1u << 27);
		cr_assert_eq(bpf_map_update_elem(fds->dir, &di, &bad, 0), 0);
		expect_aborted(what[i], "three.prog.test");
	}
	cr_assert_eq(bpf_map_update_elem(fds->dir, &di, &dv, 0), 0);
	expect_q("restored", "three.prog.test", 1, 0, 0, XDPMX_CNT_HIT_A, &fx_three);
}

/*
 * - a directory slot whose blob ends with another owner name (what a name
 *   with the same hash, qtype and length as a loaded one finds) is a miss
 *   under miss.no_rrset with the query passed up unchanged, never an
 *   answer from the other name's records: w2's A slot pointed at w1's A
 *   blob (a name of the same length), three's at one's (another length);
 * - restored, both are answered again.
 */
Test(state, owner_mismatch_is_miss, .init = h_setup, .fini = h_teardown)
{
	const struct xdpmx_fp_fds *fds = h_fds();
	static const struct {
		const char *name, *other, *answer;
	} c[] = {
		{"w2.prog.test", "w1.prog.test", "w2.prog.test. 300 IN A 198.18.4.2"},
		{"three.prog.test", "one.prog.test", NULL},
	};
	struct xdpmx_dir_slot v, other, bad;
	uint32_t di, dother;

	h_zones_all(XDPMX_ORDER_FIXED);
	for (int i = 0; i < 2; i++) {
		h_dir_slot(c[i].name, 1, &di, &v);
		h_dir_slot(c[i].other, 1, &dother, &other);
		cr_assert_neq(di, dother);
		bad = v;
		memcpy(bad.ver, other.ver, sizeof(bad.ver));
		cr_assert_eq(bpf_map_update_elem(fds->dir, &di, &bad, 0), 0);
		expect_q(c[i].name, c[i].name, 1, 0, 0, XDPMX_CNT_MISS_NO_RRSET, NULL);
		cr_assert_eq(bpf_map_update_elem(fds->dir, &di, &v, 0), 0);
	}
	expect_q("w2 restored", "w2.prog.test", 1, 0, 0, XDPMX_CNT_HIT_A,
		 &(const struct expect){.an = (const char *const[]){c[0].answer, NULL}});
	expect_q("three restored", "three.prog.test", 1, 0, 0, XDPMX_CNT_HIT_A, &fx_three);
}

/*
 * - a UDP checksum that computes to 0 goes out as 0xffff (0 means "none";
 *   RFC 768, and IPv6 forbids it), over IPv4 and IPv6: the query id is
 *   echoed into the answer, so an id is searched for that makes the
 *   answer's checksum compute to 0, then sent.
 */
Test(state, udp_csum_zero_as_ffff, .init = h_setup, .fini = h_teardown)
{
	int ver;

	h_zones_all(XDPMX_ORDER_CYCLIC);
	for (ver = 4; ver <= 6; ver += 2) {
		struct pkt_spec s = {.ip_version = ver};
		struct dnsq q = {.id = 0, .flags = DNS_RD, .qname = "one.prog.test", .qtype = 1};
		struct verdict v = {0};
		struct qinfo qi;
		struct h_run r;
		uint8_t *ip, *u;
		uint32_t id, sum;

		cr_assert_eq(qinfo_build(&qi, &s, &q), 0);
		h_run(qi.frame, qi.len, &r);
		cr_assert_eq(r.action, XDP_TX);
		ip = r.out + qi.lay.l3;
		u = r.out + qi.lay.l4;
		for (id = 0; id <= 0xffff; id++) {
			put16(u + 8, (uint16_t)id); /* DNS id: first word after UDP */
			sum = csum_add(0, ver == 6 ? ip + 8 : ip + 12, ver == 6 ? 32 : 8);
			sum += 17 + get16(u + 4);
			sum = csum_add(sum, u, 6);
			sum = csum_add(sum, u + 8, get16(u + 4) - 8);
			if (csum_fold(sum) == 0)
				break;
		}
		cr_assert_leq(id, 0xffff, "IPv%d: no id makes the answer's checksum 0", ver);
		q.id = (uint16_t)id;
		cr_assert_eq(qinfo_build(&qi, &s, &q), 0);
		h_run(qi.frame, qi.len, &r);
		if (r.action != XDP_TX)
			v_fail(&v, "action %s, want XDP_TX", h_action_str(r.action));
		else if (get16(r.out + qi.lay.l4 + 6) != 0xffff)
			v_fail(&v, "IPv%d id 0x%04x: UDP checksum 0x%04x, want 0xffff", ver, id,
			       get16(r.out + qi.lay.l4 + 6));
		else
			check_answer(&v, &qi, r.out, r.out_len, &fx_one, NULL);
		h_verdict("checksum 0 as 0xffff", &v, qi.frame, qi.len, NULL, 0, r.out, r.out_len);
	}
}
