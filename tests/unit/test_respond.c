// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of the slow-path responder (user/lib/respond.c) over the
 * fixture zones in tests/fixtures/respond/ (loaded with the real zone
 * loader). Queries are built with ldns (ldns_pkt_query_new, ldns_pkt2wire;
 * malformed ones are patched from those bytes), responses are parsed with
 * ldns (ldns_wire2pkt), never with the code under test. Each test asserts
 * rcode, flags, and every section's records as presentation lines (owner,
 * TTL, class, type, rdata), compared as sorted sets unless order is the
 * point.
 *
 * Run from the top of the tree (make check does): fixture paths are
 * relative to it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <ldns/ldns.h>

#include "compile.h"
#include "respond.h"
#include "zone.h"

#define FIX "tests/fixtures/respond/"

static struct xdpmx_zoneset *zs;
static struct xdpmx_responder *r;
static uint8_t out[XDPMX_RESP_TCP_MAX];
static ssize_t olen;
static struct xdpmx_resp_info info;

/* ---- set-up ------------------------------------------------------------ */

static struct xdpmx_zone *load(const char *file, uint8_t order)
{
	struct xdpmx_zone_opts o = {.order = order};
	struct xdpmx_diag d = {};
	struct xdpmx_zone *z = NULL;
	int ret = xdpmx_zone_load(file, &o, &d, &z);

	if (ret)
		xdpmx_diag_print(&d);
	xdpmx_diag_clear(&d);
	cr_assert_eq(ret, 0, "loading %s: %s", file, strerror(-ret));
	return z;
}

static void put_zone(const char *file, uint8_t order)
{
	struct xdpmx_zone *z = load(file, order);

	cr_assert_eq(xdpmx_zoneset_put(zs, z), 0);
	xdpmx_zone_unref(z);
}

static void setup_with(uint8_t order, uint16_t edns_size)
{
	struct xdpmx_resp_cfg cfg = {.edns_size = edns_size, .seed = 42};

	zs = xdpmx_zoneset_new();
	cr_assert_not_null(zs);
	put_zone(FIX "example.com.zone", order);
	put_zone(FIX "neg.test.zone", order);
	put_zone(FIX "child.example.com.zone", order);
	cr_assert_eq(xdpmx_responder_new(zs, &cfg, &r), 0);
}

static void setup(void)
{
	setup_with(XDPMX_ORDER_CYCLIC, 0);
}

static void setup_random(void)
{
	setup_with(XDPMX_ORDER_RANDOM, 0);
}

static void setup_fixed(void)
{
	setup_with(XDPMX_ORDER_FIXED, 0);
}

static void setup_edns600(void)
{
	setup_with(XDPMX_ORDER_CYCLIC, 600);
}

static void teardown(void)
{
	xdpmx_responder_free(r);
	xdpmx_zoneset_free(zs);
	r = NULL;
	zs = NULL;
}

/* ---- queries -------------------------------------------------------------- */

struct q {
	uint8_t b[1024];
	size_t len;
};

/* A query built by ldns: RD set, ID 0x1234; edns < 0: no OPT, else an OPT
 * with that UDP size (and DO when do_bit). */
static struct q mkq(const char *name, ldns_rr_type type, int edns, bool do_bit)
{
	ldns_rdf *dn = ldns_dname_new_frm_str(name);
	ldns_pkt *p;
	uint8_t *w = NULL;
	struct q q = {};

	cr_assert_not_null(dn, "bad name %s", name);
	p = ldns_pkt_query_new(dn, type, LDNS_RR_CLASS_IN, LDNS_RD);
	cr_assert_not_null(p);
	ldns_pkt_set_id(p, 0x1234);
	if (edns >= 0) {
		ldns_pkt_set_edns_udp_size(p, (uint16_t)edns);
		ldns_pkt_set_edns_do(p, do_bit);
	}
	cr_assert_eq(ldns_pkt2wire(&w, p, &q.len), LDNS_STATUS_OK);
	cr_assert(q.len <= sizeof(q.b));
	if (edns >= 0)
		cr_assert_eq(w[11], 1, "ldns wrote the OPT");
	memcpy(q.b, w, q.len);
	free(w);
	ldns_pkt_free(p);
	return q;
}

static uint16_t g16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void s16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Append a raw record to the additional section. */
static void add_rr(struct q *q, const uint8_t *rr, size_t len)
{
	cr_assert(q->len + len <= sizeof(q->b));
	memcpy(q->b + q->len, rr, len);
	q->len += len;
	s16(q->b + 10, g16(q->b + 10) + 1);
}

/* Append an OPT: root owner, size, TTL (ext-rcode, version, flags), and
 * the given option bytes. */
static void add_opt(struct q *q, uint16_t size, uint32_t ttl, const uint8_t *opts, uint16_t olen)
{
	uint8_t rr[512] = {0, 0, 41};

	s16(rr + 3, size);
	rr[5] = ttl >> 24;
	rr[6] = ttl >> 16;
	rr[7] = ttl >> 8;
	rr[8] = ttl;
	s16(rr + 9, olen);
	if (olen)
		memcpy(rr + 11, opts, olen);
	add_rr(q, rr, 11u + olen);
}

/* Answer q; the response goes to out/olen/info. Returns it parsed by ldns
 * (to free), or NULL when the responder sent nothing. */
static ldns_pkt *ask_raw(const uint8_t *b, size_t len, bool tcp)
{
	ldns_pkt *p = NULL;
	ldns_status st;

	memset(out, 0xa5, sizeof(out));
	olen = xdpmx_respond(r, b, len, tcp, out, sizeof(out), &info);
	cr_assert_geq(olen, 0, "xdpmx_respond: %s", strerror((int)-olen));
	if (olen == 0)
		return NULL;
	cr_assert_leq(olen, tcp ? 65535 : 4096);
	st = ldns_wire2pkt(&p, out, (size_t)olen);
	cr_assert_eq(st, LDNS_STATUS_OK, "ldns cannot parse the response: %s",
		     ldns_get_errorstr_by_id(st));
	return p;
}

static ldns_pkt *ask(const struct q *q, bool tcp)
{
	return ask_raw(q->b, q->len, tcp);
}

/* Shorthand: an UDP query without EDNS. */
static ldns_pkt *askq(const char *name, ldns_rr_type type)
{
	struct q q = mkq(name, type, -1, false);

	return ask(&q, false);
}

/* ---- checks ------------------------------------------------------------------- */

enum { F_AA = 1, F_TC = 2, F_RD = 4, F_CD = 8 };

/* Header: QR set, RA/AD/Z clear, these flags exactly, this rcode (header
 * part), the ID and opcode copied, and the section counts. */
static void check_hdr(const ldns_pkt *p, unsigned flags, ldns_pkt_rcode rcode, unsigned an,
		      unsigned ns, unsigned ar_no_opt)
{
	cr_assert(ldns_pkt_qr(p), "QR");
	cr_assert_eq(ldns_pkt_id(p), 0x1234);
	cr_assert_eq(ldns_pkt_aa(p), !!(flags & F_AA), "AA %d", ldns_pkt_aa(p));
	cr_assert_eq(ldns_pkt_tc(p), !!(flags & F_TC), "TC %d", ldns_pkt_tc(p));
	cr_assert_eq(ldns_pkt_rd(p), !!(flags & F_RD), "RD");
	cr_assert_eq(ldns_pkt_cd(p), !!(flags & F_CD), "CD");
	cr_assert_not(ldns_pkt_ra(p), "RA");
	cr_assert_not(ldns_pkt_ad(p), "AD");
	cr_assert_eq(out[3] & 0x40, 0, "Z");
	cr_assert_eq(ldns_pkt_get_rcode(p), rcode, "rcode %d, want %d", ldns_pkt_get_rcode(p),
		     rcode);
	cr_assert_eq(ldns_pkt_ancount(p), an, "ANCOUNT %u, want %u", ldns_pkt_ancount(p), an);
	cr_assert_eq(ldns_pkt_nscount(p), ns, "NSCOUNT %u, want %u", ldns_pkt_nscount(p), ns);
	cr_assert_eq(ldns_rr_list_rr_count(ldns_pkt_additional(p)), ar_no_opt,
		     "additional records %zu, want %u",
		     ldns_rr_list_rr_count(ldns_pkt_additional(p)), ar_no_opt);
}

/* One record as "owner ttl class type rdata", lowercase, single spaces. */
static char *rr_line(const ldns_rr *rr)
{
	char *s = ldns_rr2str(rr), *o = s;

	cr_assert_not_null(s);
	for (char *i = s; *i; i++) {
		char c = *i == '\t' ? ' ' : (char)tolower((unsigned char)*i);

		if (c == '\n')
			continue;
		if (c == ' ' && o > s && o[-1] == ' ')
			continue;
		*o++ = c;
	}
	*o = 0;
	return s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The section holds exactly these records (as a set when sorted, else in
 * this order). */
static void check_section_ex(const ldns_rr_list *l, const char *const *exp, size_t n, bool sorted,
			     const char *what)
{
	size_t got = ldns_rr_list_rr_count(l);
	char **g = calloc(got + 1, sizeof(*g));
	const char **e = calloc(n + 1, sizeof(*e));

	cr_assert_eq(got, n, "%s: %zu records, want %zu", what, got, n);
	for (size_t i = 0; i < n; i++) {
		g[i] = rr_line(ldns_rr_list_rr(l, i));
		e[i] = exp[i];
	}
	if (sorted) {
		qsort(g, n, sizeof(*g), cmp_str);
		qsort(e, n, sizeof(*e), cmp_str);
	}
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(g[i], e[i], "%s record %zu", what, i);
	for (size_t i = 0; i < n; i++)
		free(g[i]);
	free(g);
	free(e);
}

/* The first n records of the section are these, in this order. */
static void check_first(const ldns_rr_list *l, const char *const *exp, size_t n)
{
	cr_assert_geq(ldns_rr_list_rr_count(l), n);
	for (size_t i = 0; i < n; i++) {
		char *g = rr_line(ldns_rr_list_rr(l, i));

		cr_assert_str_eq(g, exp[i], "record %zu in order", i);
		free(g);
	}
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define SECTION(l, ...)                                                                            \
	do {                                                                                       \
		static const char *const exp_[] = {__VA_ARGS__};                                   \
		check_section_ex(l, exp_, N(exp_), true, #l);                                      \
	} while (0)
#define EMPTY(l) check_section_ex(l, NULL, 0, true, #l)

/* The response's question is the query's, byte for byte. */
static void check_question(const struct q *q)
{
	size_t qlen = 0;

	while (q->b[12 + qlen])
		qlen += q->b[12 + qlen] + 1u;
	qlen += 1 + 4;
	cr_assert_eq(g16(out + 4), 1, "QDCOUNT");
	cr_assert_eq(memcmp(out + 12, q->b + 12, qlen), 0, "question echoed byte for byte");
}

static void check_no_opt(const ldns_pkt *p)
{
	cr_assert_eq(ldns_pkt_edns_udp_size(p), 0, "no OPT in the response");
	cr_assert_not(info.edns);
}

/* Our OPT: version 0, our size, DO as given, no options. */
static void check_opt(const ldns_pkt *p, uint16_t size, bool do_bit, uint8_t ext_rcode)
{
	cr_assert_eq(ldns_pkt_edns_udp_size(p), size, "OPT size %u", ldns_pkt_edns_udp_size(p));
	cr_assert_eq(ldns_pkt_edns_version(p), 0);
	cr_assert_eq(ldns_pkt_edns_do(p), do_bit);
	cr_assert_eq(ldns_pkt_edns_extended_rcode(p), ext_rcode);
	cr_assert_null(ldns_pkt_edns_data(p), "no options echoed");
	cr_assert_eq(g16(out + 10), ldns_rr_list_rr_count(ldns_pkt_additional(p)) + 1,
		     "ARCOUNT counts the OPT");
	cr_assert(info.edns);
}

#define SOA_EX                                                                                     \
	"example.com. 300 in soa ns1.example.com. hostmaster.example.com. 2026112801 7200 3600 "   \
	"1209600 300"
#define WWW_A                                                                                      \
	"www.example.com. 3600 in a 198.18.0.80", "www.example.com. 3600 in a 198.18.0.81",        \
		"www.example.com. 3600 in a 198.18.0.82"

TestSuite(respond, .init = setup, .fini = teardown);
/* The same zones, other rotation orders or our EDNS size 600. */
TestSuite(random_order, .init = setup_random, .fini = teardown);
TestSuite(fixed_order, .init = setup_fixed, .fini = teardown);
TestSuite(edns600, .init = setup_edns600, .fini = teardown);

/* ---- positive answers ------------------------------------------------------- */

/*
 * - A RRset of three records, AA, NOERROR, RD and CD copied, RA/AD/Z clear
 * - the question echoed, no OPT when the query had none
 * - info reports an answer with the counts
 */
Test(respond, answer_a)
{
	struct q q = mkq("www.example.com.", LDNS_RR_TYPE_A, -1, false);
	ldns_pkt *p;

	q.b[3] |= 0x10; /* CD */
	p = ask(&q, false);
	check_hdr(p, F_AA | F_RD | F_CD, LDNS_RCODE_NOERROR, 3, 0, 0);
	check_question(&q);
	SECTION(ldns_pkt_answer(p), WWW_A);
	EMPTY(ldns_pkt_authority(p));
	check_no_opt(p);
	cr_assert_eq(info.kind, XDPMX_RESP_ANSWER);
	cr_assert_eq(info.rcode, 0);
	cr_assert_eq(info.qtype, LDNS_RR_TYPE_A);
	cr_assert_eq(info.qclass, LDNS_RR_CLASS_IN);
	cr_assert_eq(info.an, 3);
	cr_assert(info.aa && !info.tc);
	cr_assert_not_null(info.zone);
	ldns_pkt_free(p);
}

/*
 * - AAAA, TXT, SRV, PTR and SOA answers with their own TTLs
 * - an RRset with a TTL other than $TTL keeps it
 */
Test(respond, answer_types)
{
	ldns_pkt *p = askq("v6.example.com.", LDNS_RR_TYPE_AAAA);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "v6.example.com. 3600 in aaaa fd00::80");
	ldns_pkt_free(p);

	p = askq("txt.example.com.", LDNS_RR_TYPE_TXT);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "txt.example.com. 3600 in txt \"hello\" \"world\"");
	ldns_pkt_free(p);

	p = askq("srv.example.com.", LDNS_RR_TYPE_SRV);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "srv.example.com. 3600 in srv 10 5 25 mail1.example.com.");
	ldns_pkt_free(p);

	p = askq("80.rev.example.com.", LDNS_RR_TYPE_PTR);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "80.rev.example.com. 3600 in ptr www.example.com.");
	ldns_pkt_free(p);

	p = askq("example.com.", LDNS_RR_TYPE_SOA);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "example.com. 3600 in soa ns1.example.com. "
				    "hostmaster.example.com. 2026112801 7200 3600 1209600 300");
	ldns_pkt_free(p);

	p = askq("one.example.com.", LDNS_RR_TYPE_A);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "one.example.com. 300 in a 198.18.0.99");
	ldns_pkt_free(p);
}

/*
 * - MX at the apex: the three MX records
 * - additional: A then AAAA of each in-zone exchange (mail1 A+AAAA,
 *   mail2 A), nothing for the exchange outside the zone
 */
Test(respond, answer_mx_additional)
{
	ldns_pkt *p = askq("example.com.", LDNS_RR_TYPE_MX);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 3, 0, 3);
	SECTION(ldns_pkt_answer(p), "example.com. 3600 in mx 10 mail1.example.com.",
		"example.com. 3600 in mx 20 mail2.example.com.",
		"example.com. 3600 in mx 30 mail.example.net.");
	EMPTY(ldns_pkt_authority(p));
	check_section_ex(ldns_pkt_additional(p),
			 (const char *const[]){"mail1.example.com. 3600 in a 198.18.0.1",
					       "mail1.example.com. 3600 in aaaa fd00::1",
					       "mail2.example.com. 3600 in a 198.18.0.2"},
			 3, false, "additional in MX zone order, A before AAAA");
	ldns_pkt_free(p);
}

/*
 * - NS at the apex: the NS RRset, and the in-zone addresses of the targets
 *   in the additional section
 */
Test(respond, answer_ns_apex)
{
	ldns_pkt *p = askq("example.com.", LDNS_RR_TYPE_NS);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 2, 0, 3);
	SECTION(ldns_pkt_answer(p), "example.com. 3600 in ns ns1.example.com.",
		"example.com. 3600 in ns ns2.example.com.");
	SECTION(ldns_pkt_additional(p), "ns1.example.com. 3600 in a 198.18.0.53",
		"ns1.example.com. 3600 in aaaa fd00::53", "ns2.example.com. 3600 in a 198.18.0.54");
	ldns_pkt_free(p);
}

/* ---- CNAME ------------------------------------------------------------------------ */

/*
 * - a chain of two CNAMEs inside the zone, each with its own TTL, then
 *   the target RRset; AA, NOERROR
 */
Test(respond, cname_chain)
{
	ldns_pkt *p = askq("alias.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 5, 0, 0);
	check_first(ldns_pkt_answer(p),
		    (const char *const[]){"alias.example.com. 3600 in cname alias2.example.com.",
					  "alias2.example.com. 600 in cname www.example.com."},
		    2);
	SECTION(ldns_pkt_answer(p), "alias.example.com. 3600 in cname alias2.example.com.",
		"alias2.example.com. 600 in cname www.example.com.", WWW_A);
	cr_assert_eq(info.kind, XDPMX_RESP_ANSWER);
	ldns_pkt_free(p);
}

/* - qtype CNAME at an alias: the CNAME itself, not followed */
Test(respond, cname_qtype_cname)
{
	ldns_pkt *p = askq("alias.example.com.", LDNS_RR_TYPE_CNAME);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "alias.example.com. 3600 in cname alias2.example.com.");
	ldns_pkt_free(p);
}

/*
 * - a chain ending in a missing name: NXDOMAIN (RFC 6604), the CNAME in
 *   the answer, the SOA with the negative TTL in authority
 */
Test(respond, cname_to_nxdomain)
{
	ldns_pkt *p = askq("dangling.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NXDOMAIN, 1, 1, 0);
	SECTION(ldns_pkt_answer(p), "dangling.example.com. 3600 in cname nothere.example.com.");
	SECTION(ldns_pkt_authority(p), SOA_EX);
	cr_assert_eq(info.kind, XDPMX_RESP_NXDOMAIN);
	ldns_pkt_free(p);
}

/* - a chain ending at a name without the type: NODATA, chain + SOA */
Test(respond, cname_to_nodata)
{
	ldns_pkt *p = askq("alias.example.com.", LDNS_RR_TYPE_MX);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 2, 1, 0);
	SECTION(ldns_pkt_answer(p), "alias.example.com. 3600 in cname alias2.example.com.",
		"alias2.example.com. 600 in cname www.example.com.");
	SECTION(ldns_pkt_authority(p), SOA_EX);
	cr_assert_eq(info.kind, XDPMX_RESP_NODATA);
	ldns_pkt_free(p);
}

/* - a CNAME loop: each CNAME once, NOERROR, nothing more */
Test(respond, cname_loop)
{
	ldns_pkt *p = askq("loop1.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 2, 0, 0);
	SECTION(ldns_pkt_answer(p), "loop1.example.com. 3600 in cname loop2.example.com.",
		"loop2.example.com. 3600 in cname loop1.example.com.");
	ldns_pkt_free(p);
}

/* - a target outside the zone: the chain so far, NOERROR, no authority */
Test(respond, cname_out_of_zone)
{
	ldns_pkt *p = askq("out.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "out.example.com. 3600 in cname www.example.net.");
	EMPTY(ldns_pkt_authority(p));
	ldns_pkt_free(p);
}

/*
 * - a target below a delegation: the CNAME (authoritative, AA stays set)
 *   and the referral (NS in authority, glue in additional)
 */
Test(respond, cname_to_referral)
{
	ldns_pkt *p = askq("tosub.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 2, 2);
	SECTION(ldns_pkt_answer(p), "tosub.example.com. 3600 in cname host.sub.example.com.");
	SECTION(ldns_pkt_authority(p), "sub.example.com. 3600 in ns ns1.sub.example.com.",
		"sub.example.com. 3600 in ns ns.example.net.");
	SECTION(ldns_pkt_additional(p), "ns1.sub.example.com. 3600 in a 198.18.0.100",
		"ns1.sub.example.com. 3600 in aaaa fd00::100");
	ldns_pkt_free(p);
}

/* - a CNAME to the apex, where the target RRset lives */
Test(respond, cname_to_apex)
{
	ldns_pkt *p = askq("toapex.example.com.", LDNS_RR_TYPE_TXT);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 2, 0, 0);
	SECTION(ldns_pkt_answer(p), "toapex.example.com. 3600 in cname example.com.",
		"example.com. 3600 in txt \"apex\"");
	ldns_pkt_free(p);
}

/* ---- DNAME ------------------------------------------------------------------------ */

/*
 * - a name below a DNAME owner: the DNAME, then a CNAME synthesized with
 *   the DNAME's TTL from qname to the substituted name (RFC 6672); the
 *   new name is outside the zone: stop there
 */
Test(respond, dname_out_of_zone)
{
	ldns_pkt *p = askq("x.y.dn.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 2, 0, 0);
	check_section_ex(
		ldns_pkt_answer(p),
		(const char *const[]){"dn.example.com. 3600 in dname example.net.",
				      "x.y.dn.example.com. 3600 in cname x.y.example.net."},
		2, false, "DNAME then CNAME");
	ldns_pkt_free(p);
}

/* - the substituted name is in the zone: followed to its RRset */
Test(respond, dname_in_zone)
{
	ldns_pkt *p = askq("foo.dn2.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 3, 0, 0);
	check_section_ex(
		ldns_pkt_answer(p),
		(const char *const[]){"dn2.example.com. 3600 in dname target.example.com.",
				      "foo.dn2.example.com. 3600 in cname foo.target.example.com.",
				      "foo.target.example.com. 3600 in a 198.18.0.77"},
		3, false, "DNAME, CNAME, target");
	ldns_pkt_free(p);
}

/* - at the DNAME owner itself no substitution: DNAME answered, A NODATA */
Test(respond, dname_owner)
{
	ldns_pkt *p = askq("dn.example.com.", LDNS_RR_TYPE_DNAME);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "dn.example.com. 3600 in dname example.net.");
	ldns_pkt_free(p);
	p = askq("dn.example.com.", LDNS_RR_TYPE_A);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 0, 1, 0);
	SECTION(ldns_pkt_authority(p), SOA_EX);
	ldns_pkt_free(p);
}

/* - a substitution longer than 255 octets: YXDOMAIN with the DNAME only */
Test(respond, dname_yxdomain)
{
	char name[300];
	ldns_pkt *p;

	snprintf(name, sizeof(name), "%.60s.dnlong.example.com.",
		 "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
	p = askq(name, LDNS_RR_TYPE_A);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_YXDOMAIN, 1, 0, 0);
	cr_assert_eq(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)), LDNS_RR_TYPE_DNAME);
	cr_assert_eq(info.kind, XDPMX_RESP_YXDOMAIN);
	ldns_pkt_free(p);
}

/* ---- negative answers ------------------------------------------------------------- */

/*
 * - NODATA: NOERROR, AA, no answer, the zone's SOA in authority with TTL
 *   min(SOA TTL 3600, MINIMUM 300) = 300
 */
Test(respond, nodata)
{
	ldns_pkt *p = askq("www.example.com.", LDNS_RR_TYPE_MX);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 0, 1, 0);
	EMPTY(ldns_pkt_answer(p));
	SECTION(ldns_pkt_authority(p), SOA_EX);
	cr_assert_eq(info.kind, XDPMX_RESP_NODATA);
	ldns_pkt_free(p);
}

/* - NXDOMAIN: rcode 3, AA, the SOA with the negative TTL */
Test(respond, nxdomain)
{
	ldns_pkt *p = askq("nope.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NXDOMAIN, 0, 1, 0);
	SECTION(ldns_pkt_authority(p), SOA_EX);
	cr_assert_eq(info.kind, XDPMX_RESP_NXDOMAIN);
	cr_assert_eq(info.rcode, 3);
	ldns_pkt_free(p);
	p = askq("a.b.c.nope.example.com.", LDNS_RR_TYPE_AAAA);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NXDOMAIN, 0, 1, 0);
	ldns_pkt_free(p);
}

/* - the negative TTL is the SOA's own TTL when it is below MINIMUM */
Test(respond, negative_ttl_soa_ttl)
{
	ldns_pkt *p = askq("nope.neg.test.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NXDOMAIN, 0, 1, 0);
	SECTION(ldns_pkt_authority(p), "neg.test. 60 in soa ns.neg.test. hostmaster.neg.test. "
				       "1 7200 3600 1209600 600");
	ldns_pkt_free(p);
}

/*
 * - empty non-terminals are NODATA, at every level
 * - a name below an ENT that does not exist is NXDOMAIN
 */
Test(respond, empty_non_terminal)
{
	ldns_pkt *p = askq("y.ent.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 0, 1, 0);
	SECTION(ldns_pkt_authority(p), SOA_EX);
	ldns_pkt_free(p);
	p = askq("ent.example.com.", LDNS_RR_TYPE_A);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 0, 1, 0);
	ldns_pkt_free(p);
	p = askq("z.y.ent.example.com.", LDNS_RR_TYPE_A);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NXDOMAIN, 0, 1, 0);
	ldns_pkt_free(p);
	p = askq("x.y.ent.example.com.", LDNS_RR_TYPE_A);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	ldns_pkt_free(p);
}

/* ---- wildcards (RFC 4592) ----------------------------------------------------------- */

/*
 * - a name under the wildcard's parent: synthesized, owner = qname, one
 *   label or several below
 */
Test(respond, wildcard_match)
{
	ldns_pkt *p = askq("host.wild.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "host.wild.example.com. 3600 in a 198.18.1.1");
	ldns_pkt_free(p);
	p = askq("a.b.host.wild.example.com.", LDNS_RR_TYPE_A);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "a.b.host.wild.example.com. 3600 in a 198.18.1.1");
	ldns_pkt_free(p);
}

/* - wildcard MX: synthesized, with the exchange's addresses */
Test(respond, wildcard_mx)
{
	ldns_pkt *p = askq("host.wild.example.com.", LDNS_RR_TYPE_MX);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 2);
	SECTION(ldns_pkt_answer(p), "host.wild.example.com. 3600 in mx 10 mail1.example.com.");
	SECTION(ldns_pkt_additional(p), "mail1.example.com. 3600 in a 198.18.0.1",
		"mail1.example.com. 3600 in aaaa fd00::1");
	ldns_pkt_free(p);
}

/*
 * - an existing name blocks the wildcard: NODATA for the type it lacks
 * - an ENT blocks it too (closest encloser is the ENT, which has no
 *   wildcard child): NXDOMAIN
 * - the wildcard matches but lacks the type: NODATA
 */
Test(respond, wildcard_blocked)
{
	ldns_pkt *p = askq("exists.wild.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 0, 1, 0);
	SECTION(ldns_pkt_authority(p), SOA_EX);
	ldns_pkt_free(p);
	p = askq("x.ent2.wild.example.com.", LDNS_RR_TYPE_A);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NXDOMAIN, 0, 1, 0);
	ldns_pkt_free(p);
	p = askq("host.wild.example.com.", LDNS_RR_TYPE_TXT);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 0, 1, 0);
	ldns_pkt_free(p);
}

/* - a wildcard CNAME: synthesized CNAME owned by qname, then followed */
Test(respond, wildcard_cname)
{
	ldns_pkt *p = askq("any.cwild.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 4, 0, 0);
	SECTION(ldns_pkt_answer(p), "any.cwild.example.com. 3600 in cname www.example.com.", WWW_A);
	ldns_pkt_free(p);
}

/* ---- delegations ---------------------------------------------------------------------- */

/*
 * - a name below a cut: referral, AA clear, NOERROR, no answer, the cut's
 *   NS in authority, glue (A and AAAA of the in-bailiwick target) in
 *   additional, nothing for the out-of-bailiwick target
 * - the cut itself (NS and A queries) and an occluded name below it too
 */
Test(respond, referral)
{
	static const char *const names[] = {"host.sub.example.com.", "sub.example.com.",
					    "deep.below.sub.example.com."};
	static const ldns_rr_type types[] = {LDNS_RR_TYPE_A, LDNS_RR_TYPE_NS, LDNS_RR_TYPE_A};

	for (size_t i = 0; i < N(names); i++) {
		ldns_pkt *p = askq(names[i], types[i]);

		check_hdr(p, F_RD, LDNS_RCODE_NOERROR, 0, 2, 2);
		SECTION(ldns_pkt_authority(p), "sub.example.com. 3600 in ns ns1.sub.example.com.",
			"sub.example.com. 3600 in ns ns.example.net.");
		SECTION(ldns_pkt_additional(p), "ns1.sub.example.com. 3600 in a 198.18.0.100",
			"ns1.sub.example.com. 3600 in aaaa fd00::100");
		cr_assert_eq(info.kind, XDPMX_RESP_REFERRAL);
		cr_assert_not(info.aa);
		ldns_pkt_free(p);
	}
}

/*
 * - DS at a delegation is the parent's: answered with AA
 * - DS absent at a delegation: NODATA with the parent's SOA
 * - DS below the cut: referral
 */
Test(respond, ds_at_cut)
{
	ldns_pkt *p = askq("sub.example.com.", LDNS_RR_TYPE_DS);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p),
		"sub.example.com. 3600 in ds 12345 13 2 "
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	ldns_pkt_free(p);
	p = askq("nods.example.com.", LDNS_RR_TYPE_DS);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 0, 1, 0);
	SECTION(ldns_pkt_authority(p), SOA_EX);
	ldns_pkt_free(p);
	p = askq("x.sub.example.com.", LDNS_RR_TYPE_DS);
	check_hdr(p, F_RD, LDNS_RCODE_NOERROR, 0, 2, 2);
	ldns_pkt_free(p);
}

/*
 * - a child zone loaded beside its parent answers for itself
 * - DS at the child's apex comes from the parent zone
 */
Test(respond, child_zone)
{
	ldns_pkt *p = askq("www.child.example.com.", LDNS_RR_TYPE_A);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p), "www.child.example.com. 3600 in a 198.18.8.80");
	ldns_pkt_free(p);
	p = askq("child.example.com.", LDNS_RR_TYPE_DS);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	SECTION(ldns_pkt_answer(p),
		"child.example.com. 3600 in ds 54321 13 2 "
		"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
	ldns_pkt_free(p);
	p = askq("child.example.com.", LDNS_RR_TYPE_SOA);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
	ldns_pkt_free(p);
}

/* ---- refused ------------------------------------------------------------------------------ */

/*
 * - a name outside every zone: REFUSED, AA clear, question echoed, no
 *   records; the same for the root and for a parent of a zone
 */
Test(respond, refused_outside)
{
	static const char *const names[] = {"www.example.org.", ".", "com."};

	for (size_t i = 0; i < N(names); i++) {
		struct q q = mkq(names[i], LDNS_RR_TYPE_A, -1, false);
		ldns_pkt *p = ask(&q, false);

		check_hdr(p, F_RD, LDNS_RCODE_REFUSED, 0, 0, 0);
		check_question(&q);
		cr_assert_eq(info.kind, XDPMX_RESP_REFUSED);
		cr_assert_null(info.zone);
		ldns_pkt_free(p);
	}
}

/* - class other than IN (CH, ANY): REFUSED */
Test(respond, refused_class)
{
	static const uint16_t classes[] = {LDNS_RR_CLASS_CH, LDNS_RR_CLASS_ANY, LDNS_RR_CLASS_HS};

	for (size_t i = 0; i < N(classes); i++) {
		struct q q = mkq("www.example.com.", LDNS_RR_TYPE_A, -1, false);
		ldns_pkt *p;

		s16(q.b + q.len - 2, classes[i]);
		p = ask(&q, false);
		check_hdr(p, F_RD, LDNS_RCODE_REFUSED, 0, 0, 0);
		check_question(&q);
		cr_assert_eq(info.qclass, classes[i]);
		ldns_pkt_free(p);
	}
}

/* - AXFR and IXFR: REFUSED, over UDP and TCP (no transfers) */
Test(respond, refused_transfer)
{
	static const ldns_rr_type types[] = {LDNS_RR_TYPE_AXFR, LDNS_RR_TYPE_IXFR};

	for (size_t i = 0; i < N(types); i++) {
		for (int tcp = 0; tcp < 2; tcp++) {
			struct q q = mkq("example.com.", types[i], -1, false);
			ldns_pkt *p = ask(&q, tcp);

			check_hdr(p, F_RD, LDNS_RCODE_REFUSED, 0, 0, 0);
			check_question(&q);
			ldns_pkt_free(p);
		}
	}
}

/* ---- ANY (RFC 8482) ---------------------------------------------------------------------- */

/*
 * - ANY at a name with data: one synthesized HINFO "RFC8482" "", AA, over
 *   UDP and over TCP
 * - ANY at a missing name: NXDOMAIN; at an ENT: NODATA
 */
Test(respond, any)
{
	for (int tcp = 0; tcp < 2; tcp++) {
		struct q q = mkq("www.example.com.", LDNS_RR_TYPE_ANY, -1, false);
		ldns_pkt *p = ask(&q, tcp);

		check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
		SECTION(ldns_pkt_answer(p), "www.example.com. 3600 in hinfo \"rfc8482\" \"\"");
		cr_assert_eq(info.kind, XDPMX_RESP_ANY);
		ldns_pkt_free(p);
	}
	ldns_pkt *p = askq("nope.example.com.", LDNS_RR_TYPE_ANY);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NXDOMAIN, 0, 1, 0);
	ldns_pkt_free(p);
	p = askq("ent.example.com.", LDNS_RR_TYPE_ANY);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 0, 1, 0);
	ldns_pkt_free(p);
}

/* ---- errors ------------------------------------------------------------------------------ */

/*
 * - OPCODE other than QUERY (IQUERY, STATUS, NOTIFY, UPDATE): NOTIMP, the
 *   opcode, ID and RD copied, the question echoed, AA clear
 */
Test(respond, notimp)
{
	static const uint8_t opcodes[] = {1, 2, 4, 5, 15};

	for (size_t i = 0; i < N(opcodes); i++) {
		struct q q = mkq("www.example.com.", LDNS_RR_TYPE_A, -1, false);
		ldns_pkt *p;

		q.b[2] = (uint8_t)((q.b[2] & 0x87) | opcodes[i] << 3);
		p = ask(&q, false);
		check_hdr(p, F_RD, LDNS_RCODE_NOTIMPL, 0, 0, 0);
		cr_assert_eq((out[2] >> 3) & 0xf, opcodes[i], "opcode copied");
		check_question(&q);
		cr_assert_eq(info.kind, XDPMX_RESP_NOTIMP);
		ldns_pkt_free(p);
	}
}

/* FORMERR header checks: no question echoed, nothing else. */
static void check_formerr(const uint8_t *b, size_t len, bool echo)
{
	ldns_pkt *p = ask_raw(b, len, false);

	cr_assert_not_null(p, "FORMERR expected, got no answer");
	check_hdr(p, F_RD, LDNS_RCODE_FORMERR, 0, 0, 0);
	cr_assert_eq(g16(out + 4), echo ? 1 : 0, "QDCOUNT");
	cr_assert_eq(g16(out + 10), 0, "no OPT: the query's EDNS is not trusted");
	cr_assert_eq(info.kind, XDPMX_RESP_FORMERR);
	cr_assert_eq(olen, 12 + (echo ? 21 : 0), "header (and question) only: %zd", olen);
	ldns_pkt_free(p);
}

/*
 * - QDCOUNT 0 and 2: FORMERR, header only
 * - the query cut at every length from a bare header to one octet short:
 *   FORMERR, never an answer
 * - a compression pointer in the question, a label type 01: FORMERR
 * - trailing octets after the last record: FORMERR
 */
Test(respond, formerr_question)
{
	struct q q = mkq("www.example.com.", LDNS_RR_TYPE_A, -1, false);
	struct q q2 = q;
	uint8_t b[64];

	s16(q2.b + 4, 0);
	check_formerr(q2.b, 12, false);
	check_formerr(q2.b, q2.len, false);
	/* QDCOUNT 2: the same question twice */
	q2 = q;
	memcpy(q2.b + q2.len, q.b + 12, q.len - 12);
	q2.len += q.len - 12;
	s16(q2.b + 4, 2);
	check_formerr(q2.b, q2.len, false);
	for (size_t len = 12; len < q.len; len++)
		check_formerr(q.b, len, false);
	/* pointer to the header as the question name */
	memcpy(b, q.b, 12);
	b[12] = 0xc0;
	b[13] = 0x00;
	memcpy(b + 14, q.b + q.len - 4, 4);
	check_formerr(b, 18, false);
	/* label type 01 */
	memcpy(b, q.b, q.len);
	b[12] = 0x43;
	check_formerr(b, q.len, false);
	/* trailing garbage: the question parsed, so it is echoed */
	q2 = q;
	q2.b[q2.len++] = 0;
	check_formerr(q2.b, q2.len, true);
}

/*
 * - two OPT records: FORMERR without OPT
 * - an OPT whose owner is not the root: FORMERR
 * - an OPT in the answer section: FORMERR
 * - an OPT whose options overrun its RDATA: FORMERR
 */
Test(respond, formerr_opt)
{
	struct q base = mkq("www.example.com.", LDNS_RR_TYPE_A, -1, false), q;
	static const uint8_t opt_a[] = {1, 'a', 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0};
	static const uint8_t bad_opt[] = {0, 10, 0, 8, 1, 2}; /* length 8, 2 present */

	q = base;
	add_opt(&q, 1232, 0, NULL, 0);
	add_opt(&q, 1232, 0, NULL, 0);
	check_formerr(q.b, q.len, true);

	q = base;
	add_rr(&q, opt_a, sizeof(opt_a));
	check_formerr(q.b, q.len, true);

	q = base;
	add_opt(&q, 1232, 0, NULL, 0);
	s16(q.b + 10, 0);
	s16(q.b + 6, 1); /* the OPT counted as an answer record */
	check_formerr(q.b, q.len, true);

	q = base;
	add_opt(&q, 1232, 0, bad_opt, sizeof(bad_opt));
	check_formerr(q.b, q.len, true);
}

/* - QR=1 or shorter than a header: nothing is sent */
Test(respond, no_answer)
{
	struct q q = mkq("www.example.com.", LDNS_RR_TYPE_A, -1, false);

	q.b[2] |= 0x80;
	cr_assert_null(ask(&q, false));
	cr_assert_eq(olen, 0);
	cr_assert_eq(info.kind, XDPMX_RESP_NONE);
	q.b[2] &= 0x7f;
	for (size_t len = 0; len < 12; len++) {
		cr_assert_null(ask_raw(q.b, len, false));
		cr_assert_eq(olen, 0);
	}
}

/* - a buffer that cannot hold even the question: -ENOBUFS */
Test(respond, small_buffer)
{
	struct q q = mkq("www.example.com.", LDNS_RR_TYPE_A, -1, false);

	cr_assert_eq(xdpmx_respond(r, q.b, q.len, false, out, 20, &info), -ENOBUFS);
	/* exactly header + question: TC with the question */
	cr_assert_eq(xdpmx_respond(r, q.b, q.len, false, out, 33, &info), 33);
	cr_assert(info.tc);
}

/* ---- EDNS -------------------------------------------------------------------------------- */

/*
 * - an OPT in the answer exactly when the query had one: version 0, our
 *   UDP size 1232, DO copied (set and clear), no options echoed even when
 *   the query carried NSID and a cookie
 */
Test(respond, edns_opt)
{
	static const uint8_t opts[] = {0, 3,  0, 0,			     /* NSID */
				       0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}; /* cookie */

	for (int d = 0; d < 2; d++) {
		struct q q = mkq("www.example.com.", LDNS_RR_TYPE_A, 4096, d);
		ldns_pkt *p = ask(&q, false);

		check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 3, 0, 0);
		check_opt(p, 1232, d, 0);
		cr_assert_eq(info.dnssec_ok, d);
		ldns_pkt_free(p);
	}
	struct q q = mkq("www.example.com.", LDNS_RR_TYPE_A, -1, false);
	ldns_pkt *p;

	add_opt(&q, 1400, 0x8000, opts, sizeof(opts));
	p = ask(&q, false);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 3, 0, 0);
	check_opt(p, 1232, true, 0);
	ldns_pkt_free(p);
}

/* - our EDNS size is configurable and advertised */
Test(edns600, our_size)
{
	struct q q = mkq("www.example.com.", LDNS_RR_TYPE_A, 4096, false);
	ldns_pkt *p = ask(&q, false);

	check_opt(p, 600, false, 0);
	ldns_pkt_free(p);
}

/*
 * - EDNS version 1: BADVERS (extended rcode 16: header 0, OPT 1), OPT of
 *   version 0, question echoed, no records, AA clear
 */
Test(respond, badvers)
{
	struct q q = mkq("www.example.com.", LDNS_RR_TYPE_A, -1, false);
	ldns_pkt *p;

	add_opt(&q, 1232, 0x00018000, NULL, 0); /* version 1, DO */
	p = ask(&q, false);
	check_hdr(p, F_RD, LDNS_RCODE_NOERROR, 0, 0, 0);
	check_question(&q);
	check_opt(p, 1232, true, 1);
	cr_assert_eq(info.rcode, 16);
	cr_assert_eq(info.kind, XDPMX_RESP_BADVERS);
	ldns_pkt_free(p);
}

/* "big" has 40 A records: 12 + 21 (question) + 40 * 16 = 673 octets. */
#define BIG_LEN 673

/* Ask for big A over UDP with this EDNS size (-1: none); whether it fit. */
static bool big_fits(int edns)
{
	/* ldns writes no OPT for a size of 0: append that one by hand */
	struct q q = mkq("big.example.com.", LDNS_RR_TYPE_A, edns > 0 ? edns : -1, false);

	if (edns == 0)
		add_opt(&q, 0, 0, NULL, 0);
	ldns_pkt *p = ask(&q, false);
	bool fit = !ldns_pkt_tc(p);

	if (fit) {
		check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 40, 0, 0);
		cr_assert_eq(olen, BIG_LEN + (edns >= 0 ? 11 : 0));
	} else {
		check_hdr(p, F_AA | F_TC | F_RD, LDNS_RCODE_NOERROR, 0, 0, 0);
		check_question(&q);
		cr_assert(info.tc);
	}
	if (edns >= 0)
		check_opt(p, 1232, false, 0);
	else
		check_no_opt(p);
	ldns_pkt_free(p);
	return fit;
}

/*
 * - without EDNS the limit is 512: TC, question only
 * - with EDNS: max(512, min(client size, ours)): 684 octets fit a client
 *   size of 684 and not 683; a client size below 512 counts as 512;
 *   above our 1232 it is ours
 */
Test(respond, edns_size)
{
	cr_assert_not(big_fits(-1));
	cr_assert(big_fits(1232));
	cr_assert(big_fits(65535));
	cr_assert(big_fits(BIG_LEN + 11));
	cr_assert_not(big_fits(BIG_LEN + 10));
	cr_assert_not(big_fits(0));
	cr_assert_not(big_fits(100));
	cr_assert_not(big_fits(512));
}

/* - our size caps the client's: 600 < 684 */
Test(edns600, caps_client_size)
{
	struct q q = mkq("big.example.com.", LDNS_RR_TYPE_A, 4096, false);
	ldns_pkt *p = ask(&q, false);

	check_hdr(p, F_AA | F_TC | F_RD, LDNS_RCODE_NOERROR, 0, 0, 0);
	ldns_pkt_free(p);
}

/*
 * - an RRset larger than 1232 octets (100 A): TC=1 with question and OPT
 *   only over UDP, the full RRset over TCP
 */
Test(respond, tc_udp_full_tcp)
{
	struct q q = mkq("huge.example.com.", LDNS_RR_TYPE_A, 1232, false);
	ldns_pkt *p = ask(&q, false);

	check_hdr(p, F_AA | F_TC | F_RD, LDNS_RCODE_NOERROR, 0, 0, 0);
	check_question(&q);
	check_opt(p, 1232, false, 0);
	cr_assert_eq(olen, 12 + 22 + 11);
	ldns_pkt_free(p);
	p = ask(&q, true);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 100, 0, 0);
	check_opt(p, 1232, false, 0);
	cr_assert_eq(olen, 12 + 22 + 100 * 16 + 11);
	ldns_pkt_free(p);
}

/* ---- name case and compression -------------------------------------------------------- */

/*
 * - the question goes back exactly as sent (0x20 mixed case)
 * - every answer owner for the qname is a pointer to the question (0xc00c)
 * - names in zone data are compressed against earlier names (MX exchange
 *   suffix, additional owners against the MX RDATA)
 */
Test(respond, case_and_compression)
{
	struct q q = mkq("wWw.ExAmPlE.cOm.", LDNS_RR_TYPE_A, -1, false);
	ldns_pkt *p = ask(&q, false);
	size_t pos = 12 + 21;

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 3, 0, 0);
	check_question(&q);
	for (int i = 0; i < 3; i++, pos += 16) {
		cr_assert_eq(out[pos], 0xc0);
		cr_assert_eq(out[pos + 1], 0x0c);
	}
	cr_assert_eq(olen, 12 + 21 + 3 * 16, "three A records of 16 octets");
	ldns_pkt_free(p);

	q = mkq("ExAmPlE.cOm.", LDNS_RR_TYPE_MX, -1, false);
	p = ask(&q, false);
	check_question(&q);
	/* MX: c00c + 10 + pref 2 + "mail1" + ptr(2) = 22, twice; the third
	 * (mail.example.net) is written in full: 14 + 18 = 32. Additional:
	 * owners point at the MX RDATA: 16 + 28 + 16. */
	cr_assert_eq(olen, 12 + 17 + 22 + 22 + 32 + 16 + 28 + 16);
	ldns_pkt_free(p);
}

/* ---- rotation ------------------------------------------------------------------------------ */

/* Index of the first answer record's last address octet minus base. */
static int first_a(ldns_pkt *p, int base)
{
	ldns_rdf *rd = ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), 0), 0);

	return ldns_rdf_data(rd)[3] - base;
}

/* Ask k*n times over TCP (no size limit in the way); count the first
 * records and check the whole set each time. */
static void rotate(const char *name, int base, int k, int n, int *first)
{
	struct q q = mkq(name, LDNS_RR_TYPE_A, -1, false);

	for (int i = 0; i < k; i++)
		first[i] = 0;
	for (int i = 0; i < k * n; i++) {
		ldns_pkt *p = ask(&q, true);
		int f = first_a(p, base);

		cr_assert_eq(ldns_pkt_ancount(p), k);
		cr_assert(f >= 0 && f < k);
		/* the records follow in zone order from the start, wrapping */
		for (int j = 0; j < k; j++) {
			ldns_rdf *rd = ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), j), 0);

			cr_assert_eq(ldns_rdf_data(rd)[3] - base, (f + j) % k,
				     "rotated, not shuffled");
		}
		first[f]++;
		ldns_pkt_free(p);
	}
}

/*
 * - cyclic: over k*N queries each of the k records comes first exactly N
 *   times, for k = 3 and k = 40; consecutive answers start one further
 */
Test(respond, rotation_cyclic)
{
	int first[40];
	struct q q = mkq("www.example.com.", LDNS_RR_TYPE_A, -1, false);
	ldns_pkt *p = ask(&q, false);
	int prev = first_a(p, 80);

	ldns_pkt_free(p);
	for (int i = 0; i < 6; i++) {
		int f;

		p = ask(&q, false);
		f = first_a(p, 80);
		cr_assert_eq(f, (prev + 1) % 3, "cyclic moves by one per query");
		prev = f;
		ldns_pkt_free(p);
	}
	rotate("www.example.com.", 80, 3, 10, first);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(first[i], 10, "record %d first %d times", i, first[i]);
	rotate("big.example.com.", 0, 40, 5, first);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(first[i], 5, "record %d first %d times", i, first[i]);
}

/*
 * - random: the first record is uniform: chi-square over 3000 answers
 *   below the 0.1% critical value for 2 degrees of freedom (13.82); the
 *   seed is fixed, so the test is deterministic
 */
Test(random_order, first_uniform)
{
	int first[3];
	double chi = 0;

	rotate("www.example.com.", 80, 3, 1000, first);
	for (int i = 0; i < 3; i++)
		chi += (first[i] - 1000.0) * (first[i] - 1000.0) / 1000.0;
	cr_assert_lt(chi, 13.82, "chi-square %f (%d %d %d)", chi, first[0], first[1], first[2]);
	cr_assert(first[0] > 0 && first[1] > 0 && first[2] > 0);
}

/* - fixed: always zone order */
Test(fixed_order, zone_order)
{
	int first[3];

	rotate("www.example.com.", 80, 3, 10, first);
	cr_assert_eq(first[0], 30);
}

/* ---- additional section: the fast path's rule ----------------------------------------------- */

/* The compiler's verdict on an MX RRset: additional records it would copy. */
static int fastpath_ad_count(const char *name, bool *trimmed)
{
	uint8_t canon[256];
	ldns_rdf *dn = ldns_dname_new_frm_str(name);
	const struct xdpmx_zone *z;
	const struct xdpmx_node *n;
	struct xdpmx_centry e = {};
	struct xdpmx_blob_hdr h;
	int ret;

	ldns_dname2canonical(dn);
	memcpy(canon, ldns_rdf_data(dn), ldns_rdf_size(dn));
	ldns_rdf_deep_free(dn);
	z = xdpmx_zoneset_find(zs, canon);
	cr_assert_not_null(z);
	n = xdpmx_zone_lookup(z, canon);
	cr_assert_not_null(n);
	ret = xdpmx_compile_rrset(z, n, xdpmx_node_rrset(n, LDNS_RR_TYPE_MX), &e);
	cr_assert_eq(ret, 0, "compile %s: %s", name, strerror(-ret));
	memcpy(&h, e.blob, sizeof(h));
	*trimmed = e.flags & XDPMX_CENTRY_F_AD_TRIMMED;
	xdpmx_centry_release(&e);
	return h.ad_count;
}

/*
 * - 10 exchanges with A and AAAA: the 20 additional records do not fit 512
 *   octets, so none are sent, without TC; with EDNS 1232 all 20 are
 * - the same count as the fast path's compiled blob
 */
Test(respond, mx_additional_all_or_nothing)
{
	struct q q = mkq("mxfit.example.com.", LDNS_RR_TYPE_MX, -1, false);
	ldns_pkt *p = ask(&q, false);
	bool trimmed;

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 10, 0, 0);
	ldns_pkt_free(p);
	q = mkq("mxfit.example.com.", LDNS_RR_TYPE_MX, 1232, false);
	p = ask(&q, false);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 10, 0, 20);
	for (size_t i = 0; i < 20; i++) {
		ldns_rr *rr = ldns_rr_list_rr(ldns_pkt_additional(p), i);

		cr_assert_eq(ldns_rr_get_type(rr), i % 2 ? LDNS_RR_TYPE_AAAA : LDNS_RR_TYPE_A,
			     "A then AAAA per host");
	}
	ldns_pkt_free(p);
	cr_assert_eq(fastpath_ad_count("mxfit.example.com.", &trimmed), 20);
	cr_assert_not(trimmed);
}

/* mxfit as the fast path writes it: header + question (35), 10 MX of 19
 * octets, 20 additional records whose owners are "\2hN" + a pointer (5):
 * 10 * (5 + 10 + 4) + 10 * (5 + 10 + 16); our own message is 60 octets
 * shorter (owners point at the MX RDATA). */
#define MXFIT_FP_LEN (35 + 10 * 19 + 10 * 19 + 10 * 31)

/* How many additional records mxfit gets with this EDNS client size. */
static size_t mxfit_ad(int edns)
{
	struct q q = mkq("mxfit.example.com.", LDNS_RR_TYPE_MX, edns, false);
	ldns_pkt *p = ask(&q, false);
	size_t n = ldns_rr_list_rr_count(ldns_pkt_additional(p));

	cr_assert_not(ldns_pkt_tc(p));
	cr_assert_eq(ldns_pkt_ancount(p), 10);
	cr_assert_eq(olen, n ? MXFIT_FP_LEN - 60 + 11 : 35 + 190 + 11, "length %zd", olen);
	ldns_pkt_free(p);
	return n;
}

/*
 * - the additional section is sent exactly when the fast path's own answer
 *   (which compresses less) would fit: at a client size of 736 = its
 *   length + OPT, not at 735, though ours would fit in 676
 */
Test(respond, mx_additional_fastpath_size)
{
	cr_assert_eq(mxfit_ad(MXFIT_FP_LEN + 11), 20);
	cr_assert_eq(mxfit_ad(MXFIT_FP_LEN + 10), 0);
	cr_assert_eq(mxfit_ad(MXFIT_FP_LEN - 60 + 11), 0);
}

/*
 * - 17 exchanges with A and AAAA: 34 > XDPMX_AD_MAX records, so no
 *   additional section at all, even over TCP; the fast path trims too
 * - 32 additional records that would push the fast path's blob past
 *   XDPMX_BLOB_MAX: none, even over TCP, as the fast path
 */
Test(respond, mx_additional_limits)
{
	static const char *const names[] = {"mxmany.example.com.", "mxblob.example.com."};
	static const unsigned counts[] = {17, 4};

	for (size_t i = 0; i < N(names); i++) {
		struct q q = mkq(names[i], LDNS_RR_TYPE_MX, -1, false);
		ldns_pkt *p = ask(&q, true);
		bool trimmed;

		check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, counts[i], 0, 0);
		ldns_pkt_free(p);
		cr_assert_eq(fastpath_ad_count(names[i], &trimmed), 0);
		cr_assert(trimmed);
	}
}

/*
 * - exchanges below a delegation (glue) and at a delegation point are not
 *   authoritative: no additional records for them
 */
Test(respond, mx_additional_not_authoritative)
{
	ldns_pkt *p = askq("mxdeleg.example.com.", LDNS_RR_TYPE_MX);

	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 2, 0, 0);
	SECTION(ldns_pkt_answer(p), "mxdeleg.example.com. 3600 in mx 10 ns1.sub.example.com.",
		"mxdeleg.example.com. 3600 in mx 20 nods.example.com.");
	ldns_pkt_free(p);
}

/* - the whitepaper-style apex MX agrees with the compiled blob */
Test(respond, mx_additional_matches_fastpath)
{
	bool trimmed;
	ldns_pkt *p = askq("example.com.", LDNS_RR_TYPE_MX);

	cr_assert_eq(ldns_rr_list_rr_count(ldns_pkt_additional(p)),
		     (size_t)fastpath_ad_count("example.com.", &trimmed));
	ldns_pkt_free(p);
}

/*
 * - referral glue that does not fit 512 octets: TC=1, question only
 * - over TCP: the 20 NS and their 20 AAAA glue records
 */
Test(respond, referral_glue_tc)
{
	struct q q = mkq("www.fat.example.com.", LDNS_RR_TYPE_A, -1, false);
	ldns_pkt *p = ask(&q, false);

	check_hdr(p, F_TC | F_RD, LDNS_RCODE_NOERROR, 0, 0, 0);
	check_question(&q);
	ldns_pkt_free(p);
	p = ask(&q, true);
	check_hdr(p, F_RD, LDNS_RCODE_NOERROR, 0, 20, 20);
	ldns_pkt_free(p);
}

/* ---- robustness --------------------------------------------------------------------------- */

static uint64_t fuzz_state = 0x2545f4914f6cdd1dULL;

static uint32_t fuzz_next(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;
	return (uint32_t)fuzz_state;
}

/*
 * - 30000 deterministic mutations of valid queries (flipped bytes, counts,
 *   lengths cut or grown with garbage), over UDP and TCP: the responder
 *   never fails, never exceeds the transport's limit, and everything it
 *   sends parses as a DNS response with the query's ID and QR set
 */
Test(respond, mutated_queries)
{
	struct q seeds[] = {
		mkq("www.example.com.", LDNS_RR_TYPE_A, 1232, true),
		mkq("example.com.", LDNS_RR_TYPE_MX, -1, false),
		mkq("x.y.dn.example.com.", LDNS_RR_TYPE_A, 4096, false),
		mkq("host.wild.example.com.", LDNS_RR_TYPE_MX, 512, false),
		mkq("host.sub.example.com.", LDNS_RR_TYPE_A, -1, false),
	};

	for (int i = 0; i < 30000; i++) {
		struct q q = seeds[fuzz_next() % N(seeds)];
		int edits = 1 + fuzz_next() % 4;
		bool tcp = fuzz_next() & 1;
		ldns_pkt *p = NULL;

		for (int k = 0; k < edits; k++) {
			uint32_t v = fuzz_next();

			switch (v % 4) {
			case 0: /* flip a byte */
				if (q.len)
					q.b[(v >> 8) % q.len] ^= (uint8_t)(v >> 16 | 1);
				break;
			case 1: /* a count */
				s16(q.b + 4 + 2 * ((v >> 8) % 4), (v >> 16) % 3);
				break;
			case 2: /* cut */
				q.len = (v >> 8) % (q.len + 1);
				break;
			default: /* grow with garbage */
				while (q.len < sizeof(q.b) && (v >>= 1) & 1)
					q.b[q.len++] = (uint8_t)fuzz_next();
				break;
			}
		}
		olen = xdpmx_respond(r, q.b, q.len, tcp, out, sizeof(out), &info);
		cr_assert_geq(olen, 0);
		if (olen == 0) {
			cr_assert(q.len < 12 || q.b[2] & 0x80);
			continue;
		}
		cr_assert_leq(olen, tcp ? 65535 : 1232);
		cr_assert_eq(ldns_wire2pkt(&p, out, (size_t)olen), LDNS_STATUS_OK,
			     "iteration %d: response does not parse", i);
		cr_assert(ldns_pkt_qr(p));
		cr_assert_eq(ldns_pkt_id(p), g16(q.b));
		ldns_pkt_free(p);
	}
}

/* ---- zone set changes ------------------------------------------------------------------------ */

/* - a responder without zones refuses; a new zone set takes effect at once */
Test(respond, set_zones)
{
	ldns_pkt *p;

	xdpmx_responder_set_zones(r, NULL);
	p = askq("www.example.com.", LDNS_RR_TYPE_A);
	check_hdr(p, F_RD, LDNS_RCODE_REFUSED, 0, 0, 0);
	ldns_pkt_free(p);
	xdpmx_responder_set_zones(r, zs);
	p = askq("www.example.com.", LDNS_RR_TYPE_A);
	check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 3, 0, 0);
	ldns_pkt_free(p);
}

/* - every kind has a name */
Test(respond, kind_names)
{
	cr_assert_str_eq(xdpmx_resp_kind_name(XDPMX_RESP_ANSWER), "answer");
	cr_assert_str_eq(xdpmx_resp_kind_name(XDPMX_RESP_REFERRAL), "referral");
	cr_assert_str_eq(xdpmx_resp_kind_name(XDPMX_RESP__MAX), "?");
}

/* ---- the whitepaper example and the fast path's answers -------------------------------- */

static void setup_examples(void)
{
	struct xdpmx_resp_cfg cfg = {.seed = 7};

	zs = xdpmx_zoneset_new();
	cr_assert_not_null(zs);
	put_zone("examples/mydomain.com.zone", XDPMX_ORDER_CYCLIC);
	put_zone("examples/2.168.192.in-addr.arpa.zone", XDPMX_ORDER_CYCLIC);
	put_zone(FIX "example.com.zone", XDPMX_ORDER_CYCLIC);
	cr_assert_eq(xdpmx_responder_new(zs, &cfg, &r), 0);
}

TestSuite(whitepaper, .init = setup_examples, .fini = teardown);

/*
 * - method 1: three MX of preference 10 with the three exchanges' A
 *   records in the additional section
 * - over 3 * 10 queries each exchange comes first 10 times (cyclic)
 */
Test(whitepaper, mx)
{
	int first[3] = {};

	for (int i = 0; i < 30; i++) {
		ldns_pkt *p = askq("mydomain.com.", LDNS_RR_TYPE_MX);
		ldns_rdf *x;

		check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 3, 0, 3);
		SECTION(ldns_pkt_answer(p), "mydomain.com. 3600 in mx 10 mail1.mydomain.com.",
			"mydomain.com. 3600 in mx 10 mail2.mydomain.com.",
			"mydomain.com. 3600 in mx 10 mail3.mydomain.com.");
		check_section_ex(ldns_pkt_additional(p),
				 (const char *const[]){"mail1.mydomain.com. 3600 in a 192.168.2.1",
						       "mail2.mydomain.com. 3600 in a 192.168.2.2",
						       "mail3.mydomain.com. 3600 in a 192.168.2.3"},
				 3, false, "additional in zone order, not rotated");
		x = ldns_rr_rdf(ldns_rr_list_rr(ldns_pkt_answer(p), 0), 1);
		first[ldns_rdf_data(x)[5] - '1']++; /* "\5mailN..." */
		ldns_pkt_free(p);
	}
	for (int i = 0; i < 3; i++)
		cr_assert_eq(first[i], 10, "mail%d first %d times", i + 1, first[i]);
}

/*
 * - method 2: mail.mydomain.com with three A records, each first 10 times
 *   over 30 queries
 * - the PTR of each address names mail.mydomain.com
 */
Test(whitepaper, a_and_ptr)
{
	int first[3] = {};

	for (int i = 0; i < 30; i++) {
		ldns_pkt *p = askq("mail.mydomain.com.", LDNS_RR_TYPE_A);

		check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 3, 0, 0);
		SECTION(ldns_pkt_answer(p), "mail.mydomain.com. 3600 in a 192.168.2.1",
			"mail.mydomain.com. 3600 in a 192.168.2.2",
			"mail.mydomain.com. 3600 in a 192.168.2.3");
		first[first_a(p, 1)]++;
		ldns_pkt_free(p);
	}
	for (int i = 0; i < 3; i++)
		cr_assert_eq(first[i], 10);
	for (int i = 1; i <= 3; i++) {
		char name[64];
		ldns_pkt *p;

		snprintf(name, sizeof(name), "%d.2.168.192.in-addr.arpa.", i);
		p = askq(name, LDNS_RR_TYPE_PTR);
		check_hdr(p, F_AA | F_RD, LDNS_RCODE_NOERROR, 1, 0, 0);
		cr_assert_eq(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_answer(p), 0)),
			     LDNS_RR_TYPE_PTR);
		ldns_pkt_free(p);
	}
}

/* Sorted presentation lines of a section, joined, for comparing two. */
static char *section_text(const ldns_rr_list *l)
{
	size_t n = ldns_rr_list_rr_count(l), len = 1;
	char **g = calloc(n + 1, sizeof(*g)), *s;

	for (size_t i = 0; i < n; i++) {
		g[i] = rr_line(ldns_rr_list_rr(l, i));
		len += strlen(g[i]) + 1;
	}
	qsort(g, n, sizeof(*g), cmp_str);
	s = calloc(1, len);
	for (size_t i = 0; i < n; i++) {
		strcat(s, g[i]);
		strcat(s, "\n");
		free(g[i]);
	}
	free(g);
	return s;
}

/*
 * The fast path's answer for a compiled entry, as the program builds it
 * with rotation 0: header, the question (the canonical name), the answer
 * records, the additional records.
 */
static ldns_pkt *fastpath_answer(const struct xdpmx_centry *e)
{
	static uint8_t pkt[2048];
	struct xdpmx_blob_hdr h;
	size_t pos = 12, an_off;
	ldns_pkt *p = NULL;

	memcpy(&h, e->blob, sizeof(h));
	an_off = XDPMX_BLOB_AN_OFF(h.an_count);
	memset(pkt, 0, 12);
	s16(pkt + 0, 0x1234);
	s16(pkt + 2, 0x8500); /* QR AA RD */
	s16(pkt + 4, 1);
	s16(pkt + 6, h.an_count);
	s16(pkt + 10, h.ad_count);
	memcpy(pkt + pos, e->key.name, e->name_len);
	pos += e->name_len;
	memcpy(pkt + pos, &e->key.qtype, 2); /* network order already */
	s16(pkt + pos + 2, 1);
	pos += 4;
	memcpy(pkt + pos, e->blob + an_off, (size_t)h.an_len + h.ad_len);
	pos += (size_t)h.an_len + h.ad_len;
	cr_assert_eq(ldns_wire2pkt(&p, pkt, pos), LDNS_STATUS_OK);
	return p;
}

/*
 * - for every RRset the compiler gives the fast path (the example zones
 *   and the fixture zone), the slow path answers the same question with
 *   the same answer records and the same additional records, rotation
 *   aside (both compared as sets), over TCP where no size limit applies
 */
Test(whitepaper, same_as_fastpath)
{
	size_t compared = 0;

	for (size_t zi = 0; zi < zs->n; zi++) {
		struct xdpmx_compiled *c = NULL;

		cr_assert_eq(xdpmx_compile_zone(zs->zones[zi], &c), 0);
		for (size_t i = 0; i < c->n; i++) {
			const struct xdpmx_centry *e = &c->e[i];
			ldns_pkt *fp = fastpath_answer(e), *sp;
			struct q q = {};
			char *a, *b;

			/* the same question, written by hand from the key */
			s16(q.b, 0x1234);
			s16(q.b + 2, 0x0100);
			s16(q.b + 4, 1);
			memcpy(q.b + 12, e->key.name, e->name_len);
			memcpy(q.b + 12 + e->name_len, &e->key.qtype, 2);
			s16(q.b + 14 + e->name_len, 1);
			q.len = 16u + e->name_len;
			sp = ask(&q, true);
			check_hdr(sp, F_AA | F_RD, LDNS_RCODE_NOERROR, ldns_pkt_ancount(fp), 0,
				  ldns_pkt_arcount(fp));
			a = section_text(ldns_pkt_answer(fp));
			b = section_text(ldns_pkt_answer(sp));
			cr_assert_str_eq(b, a, "answer differs from the fast path's");
			free(a);
			free(b);
			a = section_text(ldns_pkt_additional(fp));
			b = section_text(ldns_pkt_additional(sp));
			cr_assert_str_eq(b, a, "additional differs from the fast path's");
			free(a);
			free(b);
			ldns_pkt_free(fp);
			ldns_pkt_free(sp);
			compared++;
		}
		xdpmx_compiled_free(c);
	}
	cr_assert_gt(compared, 40, "compared %zu RRsets", compared);
}
