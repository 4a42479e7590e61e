// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Every truncation of valid queries: a frame cut at each length from 0 to
 * full-1 must never be answered. The program sees a frame whose length
 * fields promise more than is there, so it must pass it up unchanged and
 * count it malformed. Frames under 14 bytes (no Ethernet header) cannot be
 * run at all: the kernel refuses them with EINVAL, as no driver delivers
 * them; the test asserts that refusal too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "check.h"
#include "harness.h"
#include "pkt.h"

static const uint8_t opt_cookie_nsid[] = {0x00, 0x0a, 0x00, 0x08, 0x24, 0xa7, 0x13, 0x5f,
					  0x8c, 0x01, 0xee, 0x42, 0x00, 0x03, 0x00, 0x00};

/* Run the whole frame (it must be answered: the cut is what breaks it),
 * then every prefix of it. */
static void every_cut(const char *what, const struct pkt_spec *s, const struct dnsq *q,
		      enum xdpmx_counter hit)
{
	struct qinfo qi;
	struct h_run r;
	size_t len;

	cr_assert_eq(qinfo_build(&qi, s, q), 0);
	h_zones_all(XDPMX_ORDER_CYCLIC);

	h_run(qi.frame, qi.len, &r);
	cr_assert_eq(r.err, 0, "%s: BPF_PROG_TEST_RUN failed: %s", what, strerror(-r.err));
	cr_assert_eq(r.action, XDP_TX, "%s: the uncut query is not answered (%s)", what,
		     h_action_str(r.action));
	cr_assert_eq(r.delta[hit], 1, "%s: the uncut query did not count %s", what,
		     h_counter_str(hit));

	for (len = 0; len < qi.len; len++) {
		struct verdict v = {0};
		char name[96];

		h_run(qi.frame, len, &r);
		if (len < 14) {
			cr_assert_eq(r.err, -EINVAL,
				     "%s cut at %zu: the kernel ran a frame shorter than "
				     "Ethernet (%s)",
				     what, len, strerror(-r.err));
			continue;
		}
		if (r.err) {
			v_fail(&v, "BPF_PROG_TEST_RUN failed: %s", strerror(-r.err));
		} else {
			h_check_unchanged(&v, &r, XDP_PASS, qi.frame, len);
			h_check_counter(&v, &r, 0, XDPMX_CNT_MALFORMED);
		}
		snprintf(name, sizeof(name), "%s cut at %zu of %zu", what, len, qi.len);
		h_verdict(name, &v, qi.frame, len, qi.frame, len, r.out, r.out_len);
	}
}

/*
 * - IPv4, no VLAN, MX with EDNS, a cookie and NSID: every cut passed up
 *   unchanged as malformed, none answered.
 */
Test(truncation, v4_mx_edns, .init = h_setup, .fini = h_teardown)
{
	const struct pkt_spec s = {.ip_version = 4};
	const struct dnsq q = {.id = 1,
			       .flags = DNS_RD,
			       .qname = "MyDomain.com",
			       .qtype = 15,
			       .edns = true,
			       .edns_size = 1232,
			       .edns_opts = opt_cookie_nsid,
			       .edns_opts_len = sizeof(opt_cookie_nsid)};

	every_cut("v4 mx edns", &s, &q, XDPMX_CNT_HIT_MX);
}

/*
 * - IPv6 under two VLAN tags (802.1ad, 802.1Q), A without EDNS: every cut,
 *   tags included, passed up unchanged as malformed.
 */
Test(truncation, v6_vlan2_a, .init = h_setup, .fini = h_teardown)
{
	const struct pkt_spec s = {.ip_version = 6,
				   .n_vlan = 2,
				   .vlan_tpid = {ETH_P_8021AD_, ETH_P_8021Q_},
				   .vlan_tci = {200, 100}};
	const struct dnsq q = {.id = 2, .flags = DNS_RD, .qname = "mail.mydomain.com", .qtype = 1};

	every_cut("v6 vlan2 a", &s, &q, XDPMX_CNT_HIT_A);
}

/*
 * - IPv4 under one VLAN tag, PTR with EDNS and DO: every cut passed up
 *   unchanged as malformed.
 */
Test(truncation, v4_vlan1_ptr, .init = h_setup, .fini = h_teardown)
{
	const struct pkt_spec s = {.n_vlan = 1, .vlan_tpid = {ETH_P_8021Q_}, .vlan_tci = {100}};
	const struct dnsq q = {.id = 3,
			       .flags = DNS_RD,
			       .qname = "1.2.168.192.in-addr.arpa",
			       .qtype = 12,
			       .edns = true,
			       .edns_size = 4096,
			       .edns_do = true};

	every_cut("v4 vlan1 ptr", &s, &q, XDPMX_CNT_HIT_PTR);
}

/*
 * - IPv6 AAAA of 24 records (the TC answer) without VLAN: every cut passed
 *   up unchanged as malformed.
 */
Test(truncation, v6_tc, .init = h_setup, .fini = h_teardown)
{
	const struct pkt_spec s = {.ip_version = 6};
	const struct dnsq q = {.id = 4, .flags = 0, .qname = "big.prog.test", .qtype = 28};

	every_cut("v6 tc", &s, &q, XDPMX_CNT_HIT_TC);
}
