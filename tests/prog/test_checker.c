// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tests of the test tools themselves (no BPF, no privileges): the packet
 * builder's checksums against known values, and the answer checker, which
 * must accept a correct answer written by ldns and reject each kind of
 * wrong one. A checker that cannot fail would make every program test
 * meaningless.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "check.h"
#include "pkt.h"

/*
 * - csum_ip4() gives the known checksum of a textbook IPv4 header
 *   (45 00 00 73 00 00 40 00 40 11 .. .. c0 a8 00 01 c0 a8 00 c7 -> b861).
 * - A built UDP/IPv4 and UDP/IPv6 frame verifies: summing the pseudo header
 *   and the segment, checksum included, gives 0xffff.
 */
Test(checker, checksums)
{
	static const uint8_t ip[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				       0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	struct dnsq q = {.id = 1, .qname = "mail.mydomain.com", .qtype = 1};
	struct pkt_spec s = {0};
	struct qinfo qi;
	int v;

	cr_assert_eq(csum_ip4(ip), 0xb861);
	for (v = 4; v <= 6; v += 2) {
		const uint8_t *f, *u;
		uint8_t pseudo[8];
		size_t alen = v == 6 ? 16 : 4, ulen;
		uint32_t sum;

		s.ip_version = v;
		cr_assert_eq(qinfo_build(&qi, &s, &q), 0);
		f = qi.frame + qi.lay.l3;
		u = qi.frame + qi.lay.l4;
		ulen = get16(u + 4);
		sum = csum_add(0, v == 6 ? f + 8 : f + 12, alen);
		sum = csum_add(sum, v == 6 ? f + 24 : f + 16, alen);
		put32(pseudo, (uint32_t)ulen);
		put32(pseudo + 4, 17);
		sum = csum_add(sum, pseudo, 8);
		sum = csum_add(sum, u, ulen);
		cr_assert_eq(csum_fold(sum), 0, "UDP/IPv%d checksum does not verify", v);
		if (v == 4)
			cr_assert_eq(csum_fold(csum_add(0, f, 20)), 0, "IPv4 header checksum");
	}
}

static const struct expect exp_a3 = {
	.an = (const char *const[]){"mail.mydomain.com. 3600 IN A 192.168.2.1",
				    "mail.mydomain.com. 3600 IN A 192.168.2.2",
				    "mail.mydomain.com. 3600 IN A 192.168.2.3", NULL},
	.ad = (const char *const[]){"mail1.mydomain.com. 3600 IN A 192.168.2.1", NULL},
};

/* Recompute the IPv4 header and UDP checksums of an answer frame. */
static void fix_csums(const struct qinfo *qi, uint8_t *f, size_t len)
{
	uint8_t *ip = f + qi->lay.l3, *u = f + qi->lay.l4;
	int v = qi->spec.ip_version;

	if (v == 4)
		put16(ip + 10, csum_ip4(ip));
	put16(u + 6, csum_l4(v, v == 6 ? ip + 8 : ip + 12, v == 6 ? ip + 24 : ip + 16, 17, u,
			     len - qi->lay.l4, 6));
}

static int check(const struct qinfo *qi, const uint8_t *f, size_t len, int *rot)
{
	struct verdict v = {0};

	check_answer(&v, qi, f, len, &exp_a3, rot);
	if (v.fails && getenv("CHECKER_VERBOSE")) /* why each mutation was refused */
		fprintf(stderr, "%s\n", v.msg);
	return v.fails;
}

/*
 * - The checker accepts the answer expect_frame() writes (ldns compression,
 *   any rotation), over IPv4 and IPv6 with VLAN tags, with and without EDNS,
 *   and reports the rotation.
 * - It rejects, one at a time: TTL not 64, a wrong IPv4 header checksum, a
 *   UDP checksum of 0 or off by one, MACs not swapped, a changed VLAN tag,
 *   the question in another case, RA set, AA clear, the OPT missing or with
 *   options, an answer that is not a rotation of zone order, and a frame
 *   with padding after the DNS message.
 */
Test(checker, accepts_good_rejects_bad)
{
	struct pkt_spec s = {
		.n_vlan = 2, .vlan_tpid = {ETH_P_8021AD_, ETH_P_8021Q_}, .vlan_tci = {100, 200}};
	struct dnsq q = {
		.id = 0x1234, .flags = DNS_RD | DNS_CD, .qname = "MaIl.MyDomain.cOm", .qtype = 1};
	uint8_t good[PKT_MAX], bad[PKT_MAX];
	struct qinfo qi;
	size_t len, dns;
	int v, edns, rot;

	for (v = 4; v <= 6; v += 2) {
		for (edns = 0; edns <= 1; edns++) {
			s.ip_version = v;
			q.edns = edns;
			q.edns_size = 4096;
			q.edns_do = true;
			cr_assert_eq(qinfo_build(&qi, &s, &q), 0);
			len = expect_frame(good, sizeof(good), &qi, &exp_a3, 2);
			cr_assert_gt(len, 0);
			cr_assert_eq(check(&qi, good, len, &rot), 0, "good answer rejected");
			cr_assert_eq(rot, 2);
			dns = qi.lay.payload;

/* Mutate a copy of the good answer; with fix, make its checksums right
 * again so only the mutation can be what the checker objects to. */
#define REJECT(what, fix, mutate)                                                                  \
	do {                                                                                       \
		size_t blen = len;                                                                 \
		memcpy(bad, good, len);                                                            \
		mutate;                                                                            \
		if (fix)                                                                           \
			fix_csums(&qi, bad, blen);                                                 \
		cr_expect_gt(check(&qi, bad, blen, NULL), 0, "IPv%d edns %d: %s accepted", v,      \
			     edns, what);                                                          \
	} while (0)

			REJECT("ttl 63", 1, bad[qi.lay.l3 + (v == 6 ? 7 : 8)] = 63);
			REJECT("MACs kept", 1, memcpy(bad, qi.frame, 12));
			REJECT("VLAN tag changed", 1, bad[17] ^= 1);
			REJECT("UDP checksum 0", 0, put16(bad + qi.lay.l4 + 6, 0));
			REJECT("UDP checksum off by one", 0,
			       put16(bad + qi.lay.l4 + 6, get16(bad + qi.lay.l4 + 6) + 1));
			if (v == 4)
				REJECT("IPv4 checksum off by one", 0,
				       put16(bad + qi.lay.l3 + 10,
					     get16(bad + qi.lay.l3 + 10) ^ 1));
			REJECT("question case", 1, bad[dns + DNS_HDR_LEN + 1] ^= 0x20);
			REJECT("RA set", 1, bad[dns + 3] |= DNS_RA);
			REJECT("AA clear", 1, bad[dns + 2] &= ~(DNS_AA >> 8));
			REJECT("CD not copied", 1, bad[dns + 3] &= ~DNS_CD);
			REJECT("id changed", 1, bad[dns] ^= 1);
			REJECT("padding", 0, blen = len + 4);
			if (edns) {
				/* OPT is last: DO cleared, then size changed. */
				REJECT("DO not copied", 1, bad[len - 4] = 0);
				REJECT("other size", 1, put16(bad + len - 8, 512));
			}
#undef REJECT
		}
	}
}

/*
 * - An answer whose records are not a rotation of zone order (or miss one,
 *   or carry another TTL) is rejected; the additional set must match.
 */
Test(checker, rejects_wrong_records)
{
	const struct expect swapped = {
		.an = (const char *const[]){"mail.mydomain.com. 3600 IN A 192.168.2.1",
					    "mail.mydomain.com. 3600 IN A 192.168.2.3",
					    "mail.mydomain.com. 3600 IN A 192.168.2.2", NULL},
		.ad = (const char *const[]){"mail1.mydomain.com. 3600 IN A 192.168.2.1", NULL},
	};
	const struct expect ttl = {
		.an = (const char *const[]){"mail.mydomain.com. 3600 IN A 192.168.2.1",
					    "mail.mydomain.com. 3600 IN A 192.168.2.2",
					    "mail.mydomain.com. 300 IN A 192.168.2.3", NULL},
		.ad = (const char *const[]){"mail1.mydomain.com. 3600 IN A 192.168.2.1", NULL},
	};
	const struct expect two = {
		.an = (const char *const[]){"mail.mydomain.com. 3600 IN A 192.168.2.1",
					    "mail.mydomain.com. 3600 IN A 192.168.2.2", NULL},
		.ad = (const char *const[]){"mail1.mydomain.com. 3600 IN A 192.168.2.1", NULL},
	};
	const struct expect no_ad = {.an = exp_a3.an};
	struct pkt_spec s = {0};
	struct dnsq q = {.id = 7, .qname = "mail.mydomain.com", .qtype = 1};
	uint8_t f[PKT_MAX];
	struct qinfo qi;
	struct verdict v = {0};
	size_t len;

	cr_assert_eq(qinfo_build(&qi, &s, &q), 0);
	len = expect_frame(f, sizeof(f), &qi, &swapped, 0);
	cr_assert_gt(len, 0);
	check_answer(&v, &qi, f, len, &exp_a3, NULL);
	cr_expect_gt(v.fails, 0, "order 1 3 2 accepted as a rotation of 1 2 3");
	memset(&v, 0, sizeof(v));
	len = expect_frame(f, sizeof(f), &qi, &ttl, 0);
	check_answer(&v, &qi, f, len, &exp_a3, NULL);
	cr_expect_gt(v.fails, 0, "other TTL accepted");
	memset(&v, 0, sizeof(v));
	len = expect_frame(f, sizeof(f), &qi, &two, 0);
	check_answer(&v, &qi, f, len, &exp_a3, NULL);
	cr_expect_gt(v.fails, 0, "missing record accepted");
	memset(&v, 0, sizeof(v));
	len = expect_frame(f, sizeof(f), &qi, &exp_a3, 0);
	check_answer(&v, &qi, f, len, &no_ad, NULL);
	cr_expect_gt(v.fails, 0, "unexpected additional record accepted");
}

/*
 * - check_same_message() accepts the same answer in another rotation and
 *   rejects one with another record set, other flags, or no EDNS.
 */
Test(checker, same_message)
{
	const struct expect other = {
		.an = (const char *const[]){"mail.mydomain.com. 3600 IN A 192.168.2.1",
					    "mail.mydomain.com. 3600 IN A 192.168.2.2",
					    "mail.mydomain.com. 3600 IN A 192.168.2.4", NULL},
		.ad = exp_a3.ad};
	struct pkt_spec s = {.ip_version = 4};
	struct dnsq q = {.id = 3,
			 .flags = DNS_RD,
			 .qname = "mail.mydomain.com",
			 .qtype = 1,
			 .edns = true,
			 .edns_size = 1232};
	uint8_t a[PKT_MAX], b[PKT_MAX];
	struct verdict v = {0};
	struct qinfo qi, qn;
	size_t la, lb, d;

	cr_assert_eq(qinfo_build(&qi, &s, &q), 0);
	d = qi.lay.payload;
	la = expect_frame(a, sizeof(a), &qi, &exp_a3, 0);
	lb = expect_frame(b, sizeof(b), &qi, &exp_a3, 1);
	check_same_message(&v, a + d, la - d, b + d, lb - d);
	cr_expect_eq(v.fails, 0, "another rotation rejected:\n%s", v.msg);

	memset(&v, 0, sizeof(v));
	lb = expect_frame(b, sizeof(b), &qi, &other, 0);
	check_same_message(&v, a + d, la - d, b + d, lb - d);
	cr_expect_gt(v.fails, 0, "another record set accepted");

	memset(&v, 0, sizeof(v));
	memcpy(b, a, la);
	b[d + 3] |= DNS_RA;
	check_same_message(&v, a + d, la - d, b + d, la - d);
	cr_expect_gt(v.fails, 0, "RA difference accepted");

	memset(&v, 0, sizeof(v));
	q.edns = false;
	cr_assert_eq(qinfo_build(&qn, &s, &q), 0);
	lb = expect_frame(b, sizeof(b), &qn, &exp_a3, 0);
	check_same_message(&v, a + d, la - d, b + d, lb - d);
	cr_expect_gt(v.fails, 0, "EDNS difference accepted");
}
