// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The program-test case table: one crafted frame per case, run through the
 * real XDP object with BPF_PROG_TEST_RUN over maps filled from zone files
 * by the daemon's own code. Each row gives: a name; the equivalent dig
 * command line (second field, printed with every failure of the row); the
 * map state (zone files loaded; default: the whitepaper zones of examples/
 * and the fixtures of tests/fixtures/prog/); the frame (pkt.h spec and DNS
 * query, plus an optional mangle); the action; the one counter that must
 * move; and either the answer (checked field by field by check.c) or, with
 * none, "unchanged". Rows are grouped under comments saying what each
 * group proves.
 *
 * xdp/table runs every row; xdp/differential runs every answered row
 * through the slow-path responder as well and compares. What one frame
 * cannot show is in test_trunc.c, test_rotation.c and test_state.c.
 */
#include <string.h>

#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "answers.h"
#include "check.h"
#include "harness.h"
#include "pkt.h"
#include "respond.h"

#define T_A XDPMX_TYPE_A
#define T_NS 2
#define T_SOA 6
#define T_PTR XDPMX_TYPE_PTR
#define T_MX XDPMX_TYPE_MX
#define T_TXT 16
#define T_AAAA XDPMX_TYPE_AAAA
#define T_ANY 255
#define C_CH 3

#define QID 0x5ec5
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Expected answers ------------------------------------------------------ */

/* Those other test files expect too (wp_mx, fx_one, fx_three, fx_eight,
 * fx_wide, fx_wide_noad) are in answers.c. */

/* The whitepaper zones (examples/): mail.mydomain.com with three A. */
static const struct expect wp_mail = {
	.an = (const char *const[]){"mail.mydomain.com. 3600 IN A 192.168.2.1",
				    "mail.mydomain.com. 3600 IN A 192.168.2.2",
				    "mail.mydomain.com. 3600 IN A 192.168.2.3", NULL},
};
static const struct expect wp_mail2 = {
	.an = (const char *const[]){"mail2.mydomain.com. 3600 IN A 192.168.2.2", NULL},
};
static const struct expect wp_ptr1 = {
	.an = (const char *const[]){"1.2.168.192.in-addr.arpa. 3600 IN PTR mail.mydomain.com.",
				    NULL},
};
static const struct expect wp_ptr2 = {
	.an = (const char *const[]){"2.2.168.192.in-addr.arpa. 3600 IN PTR mail.mydomain.com.",
				    NULL},
};
static const struct expect wp_ptr3 = {
	.an = (const char *const[]){"3.2.168.192.in-addr.arpa. 3600 IN PTR mail.mydomain.com.",
				    NULL},
};

/* tests/fixtures/prog/prog.test.zone, in zone (file) order. */
static const struct expect fx_three6 = {
	.an = (const char *const[]){"three.prog.test. 300 IN AAAA fd00::3:2",
				    "three.prog.test. 300 IN AAAA fd00::3:1",
				    "three.prog.test. 300 IN AAAA fd00::3:3", NULL},
};
static const struct expect fx_mx = {
	.an = (const char *const[]){"mx.prog.test. 300 IN MX 10 mx-a.prog.test.",
				    "mx.prog.test. 300 IN MX 20 mx-b.prog.test.",
				    "mx.prog.test. 300 IN MX 30 mail.elsewhere.example.", NULL},
	.ad = (const char *const[]){"mx-a.prog.test. 300 IN A 198.18.2.1",
				    "mx-a.prog.test. 300 IN AAAA fd00::2:1",
				    "mx-b.prog.test. 300 IN A 198.18.2.2", NULL},
};
static const char *const big_an[] = {"big.prog.test. 300 IN AAAA fd00::100:1",
				     "big.prog.test. 300 IN AAAA fd00::100:2",
				     "big.prog.test. 300 IN AAAA fd00::100:3",
				     "big.prog.test. 300 IN AAAA fd00::100:4",
				     "big.prog.test. 300 IN AAAA fd00::100:5",
				     "big.prog.test. 300 IN AAAA fd00::100:6",
				     "big.prog.test. 300 IN AAAA fd00::100:7",
				     "big.prog.test. 300 IN AAAA fd00::100:8",
				     "big.prog.test. 300 IN AAAA fd00::100:9",
				     "big.prog.test. 300 IN AAAA fd00::100:a",
				     "big.prog.test. 300 IN AAAA fd00::100:b",
				     "big.prog.test. 300 IN AAAA fd00::100:c",
				     "big.prog.test. 300 IN AAAA fd00::100:d",
				     "big.prog.test. 300 IN AAAA fd00::100:e",
				     "big.prog.test. 300 IN AAAA fd00::100:f",
				     "big.prog.test. 300 IN AAAA fd00::100:10",
				     "big.prog.test. 300 IN AAAA fd00::100:11",
				     "big.prog.test. 300 IN AAAA fd00::100:12",
				     "big.prog.test. 300 IN AAAA fd00::100:13",
				     "big.prog.test. 300 IN AAAA fd00::100:14",
				     "big.prog.test. 300 IN AAAA fd00::100:15",
				     "big.prog.test. 300 IN AAAA fd00::100:16",
				     "big.prog.test. 300 IN AAAA fd00::100:17",
				     "big.prog.test. 300 IN AAAA fd00::100:18",
				     NULL};
static const struct expect fx_big = {.an = big_an};
static const struct expect fx_big_tc = {.an = big_an, .tc = true};
static const char *const max32_an[] = {"max32.prog.test. 300 IN AAAA fd00::200:1",
				       "max32.prog.test. 300 IN AAAA fd00::200:2",
				       "max32.prog.test. 300 IN AAAA fd00::200:3",
				       "max32.prog.test. 300 IN AAAA fd00::200:4",
				       "max32.prog.test. 300 IN AAAA fd00::200:5",
				       "max32.prog.test. 300 IN AAAA fd00::200:6",
				       "max32.prog.test. 300 IN AAAA fd00::200:7",
				       "max32.prog.test. 300 IN AAAA fd00::200:8",
				       "max32.prog.test. 300 IN AAAA fd00::200:9",
				       "max32.prog.test. 300 IN AAAA fd00::200:a",
				       "max32.prog.test. 300 IN AAAA fd00::200:b",
				       "max32.prog.test. 300 IN AAAA fd00::200:c",
				       "max32.prog.test. 300 IN AAAA fd00::200:d",
				       "max32.prog.test. 300 IN AAAA fd00::200:e",
				       "max32.prog.test. 300 IN AAAA fd00::200:f",
				       "max32.prog.test. 300 IN AAAA fd00::200:10",
				       "max32.prog.test. 300 IN AAAA fd00::200:11",
				       "max32.prog.test. 300 IN AAAA fd00::200:12",
				       "max32.prog.test. 300 IN AAAA fd00::200:13",
				       "max32.prog.test. 300 IN AAAA fd00::200:14",
				       "max32.prog.test. 300 IN AAAA fd00::200:15",
				       "max32.prog.test. 300 IN AAAA fd00::200:16",
				       "max32.prog.test. 300 IN AAAA fd00::200:17",
				       "max32.prog.test. 300 IN AAAA fd00::200:18",
				       "max32.prog.test. 300 IN AAAA fd00::200:19",
				       "max32.prog.test. 300 IN AAAA fd00::200:1a",
				       "max32.prog.test. 300 IN AAAA fd00::200:1b",
				       "max32.prog.test. 300 IN AAAA fd00::200:1c",
				       "max32.prog.test. 300 IN AAAA fd00::200:1d",
				       "max32.prog.test. 300 IN AAAA fd00::200:1e",
				       "max32.prog.test. 300 IN AAAA fd00::200:1f",
				       "max32.prog.test. 300 IN AAAA fd00::200:20",
				       NULL};
static const struct expect fx_max32 = {.an = max32_an};
static const struct expect fx_max32_tc = {.an = max32_an, .tc = true};
static const struct expect fx_d46 = {
	.an = (const char *const[]){
		"dirs-xxxxxxxxxxxxxxxxxxxxxxxxxxxxx.prog.test. 300 IN A 198.18.5.46", NULL}};
static const struct expect fx_d47 = {
	.an = (const char *const[]){
		"dirm-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.prog.test. 300 IN A 198.18.5.47", NULL}};
static const struct expect fx_d126 = {
	.an = (const char *const[]){
		"dirm-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.edge-"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.prog.test. 300 IN A 198.18.5.126",
		NULL}};
static const struct expect fx_d127 = {
	.an = (const char *const[]){
		"dirl-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.edge-"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.prog.test. 300 IN A 198.18.5.127",
		NULL}};
static const struct expect fx_d255 = {
	.an = (const char *const[]){
		"dirl-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.max1-"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.max2-"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.max3-"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.prog.test. 300 IN A 198.18.5.255",
		NULL}};
static const struct expect fx_ptr6 = {
	.an = (const char *const[]){"1.0.0.0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
				    "d.f.ip6.arpa. 300 IN PTR mx-a.prog.test.",
				    NULL}};
static const struct expect fx_tick = {
	.an = (const char *const[]){"\\096x\\123.prog.test. 300 IN A 198.18.6.1", NULL}};
static const struct expect fx_e1 = {
	.an = (const char *const[]){"\\225.prog.test. 300 IN A 198.18.6.2", NULL}};
static const struct expect fx_root = {.an = (const char *const[]){". 300 IN A 198.18.0.53", NULL}};
static const struct expect fx_signed = {
	.an = (const char *const[]){"www.signed.test. 300 IN A 198.18.7.1", NULL}};

/* ---- Raw pieces of frames ---------------------------------------------------- */

/* EDNS options (RFC 7873 cookie, RFC 5001 NSID, RFC 7871 client subnet,
 * RFC 7830 padding): the program accepts them and echoes none. */
static const uint8_t opt_cookie[] = {0x00, 0x0a, 0x00, 0x08, 0x24, 0xa7,
				     0x13, 0x5f, 0x8c, 0x01, 0xee, 0x42};
static const uint8_t opt_nsid[] = {0x00, 0x03, 0x00, 0x00};
/* ECS: family 1 (IPv4), source prefix 24, scope 0, 198.18.0 */
static const uint8_t opt_ecs[] = {0x00, 0x08, 0x00, 0x07, 0x00, 0x01, 0x18, 0x00, 0xc6, 0x12, 0x00};
static const uint8_t opt_all[] = {
	0x00, 0x0a, 0x00, 0x08, 0x24, 0xa7, 0x13, 0x5f, 0x8c, 0x01, 0xee, 0x42, /* cookie */
	0x00, 0x03, 0x00, 0x00,							/* NSID */
	0x00, 0x08, 0x00, 0x07, 0x00, 0x01, 0x18, 0x00, 0xc6, 0x12, 0x00,	/* ECS */
	0x00, 0x0c, 0x00, 0x03, 0x00, 0x00, 0x00,				/* padding */
};
/* A cookie option whose length (20) runs past the OPT RDATA (12 bytes). */
static const uint8_t opt_overrun[] = {0x00, 0x0a, 0x00, 0x14, 0x24, 0xa7,
				      0x13, 0x5f, 0x8c, 0x01, 0xee, 0x42};
/* Half an option header: RDLEN 2. */
static const uint8_t opt_half[] = {0x00, 0x0a};
/* Empty options (code 65001, local use, length 0): the program walks at
 * most 16 (XDPMX_EDNS_OPTS_MAX in bpf/dns.h) and passes up a query with
 * more. Filled at run time. */
static uint8_t opt_16[16 * 4];
static uint8_t opt_17[17 * 4];

/* An A record as the additional record instead of an OPT (ARCOUNT 1):
 * owner pointer to the question, A IN, TTL 0, 198.18.0.1. */
static const uint8_t ar_a[] = {0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
			       0x00, 0x00, 0x00, 0x04, 0xc6, 0x12, 0x00, 0x01};
/* An OPT whose owner is not the root ("a."). */
static const uint8_t ar_opt_owner[] = {0x01, 'a',  0x00, 0x00, 0x29, 0x04, 0xd0,
				       0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
/* Two OPT records (ARCOUNT 2). */
static const uint8_t ar_opt2[] = {0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
				  0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
/* A second question (QDCOUNT 2): one.prog.test A IN. */
static const uint8_t q2_one[] = {3,   'o', 'n', 'e', 4, 'p', 'r', 'o', 'g', 4,
				 't', 'e', 's', 't', 0, 0,   1,	  0,   1};
/* An answer record in a query (ANCOUNT 1) / authority (NSCOUNT 1). */
static const uint8_t an_a[] = {0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
			       0x0e, 0x10, 0x00, 0x04, 0xc0, 0xa8, 0x02, 0x01};
/* One byte after the question, no EDNS. */
static const uint8_t trailing[] = {0x00};

/* Question names that are not plain names. */
static const uint8_t qn_ptr_self[] = {0xc0, 0x0c};			   /* pointer to 12 */
static const uint8_t qn_ptr_after[] = {4, 'm', 'a', 'i', 'l', 0xc0, 0x0c}; /* label, pointer */
static const uint8_t qn_ext_label[] = {0x41, 'x', 0x00};		   /* type 01: extended */
static const uint8_t qn_bitlabel[] = {0x80, 0x01, 0x00};		   /* type 10: reserved */
/* Filled at run time: a 64-octet label; 256 octets; 127 one-octet labels. */
static uint8_t qn_label64[1 + 64 + 1];
static uint8_t qn_name256[256];
static uint8_t qn_labels127[255];

/* IPv4 option: NOP NOP NOP END (one word). */
static const uint8_t ip4_opt_nop[] = {0x01, 0x01, 0x01, 0x00};

/* ---- Mangles: edits after the frame is built ------------------------------- */

static void fix_ip4(struct qinfo *qi)
{
	uint8_t *ip = qi->frame + qi->lay.l3;

	put16(ip + 10, csum_ip4(ip));
}

static void fix_udp(struct qinfo *qi)
{
	uint8_t *ip = qi->frame + qi->lay.l3, *u = qi->frame + qi->lay.l4;
	int v = qi->spec.ip_version;

	put16(u + 6, csum_l4(v, v == 6 ? ip + 8 : ip + 12, v == 6 ? ip + 24 : ip + 16, 17, u,
			     get16(u + 4), 6));
}

static void add16(uint8_t *p, int d)
{
	put16(p, (uint16_t)(get16(p) + d));
}

/* IPv4 ihl 4: a header shorter than the minimum. */
static void m_ihl4(struct qinfo *qi)
{
	qi->frame[qi->lay.l3] = 0x44;
	fix_ip4(qi);
}

/* Ethertype IPv4, version field 6. */
static void m_ipver6(struct qinfo *qi)
{
	qi->frame[qi->lay.l3] = 0x65;
	fix_ip4(qi);
}

/* IPv4 tot_len 4 bytes past the frame. */
static void m_totlen_long(struct qinfo *qi)
{
	add16(qi->frame + qi->lay.l3 + 2, 4);
	fix_ip4(qi);
}

/* IPv4 tot_len 4 bytes short: the UDP length runs past the IP payload. */
static void m_totlen_short(struct qinfo *qi)
{
	add16(qi->frame + qi->lay.l3 + 2, -4);
	fix_ip4(qi);
}

/* IPv4 tot_len smaller than IP + UDP headers. */
static void m_totlen_tiny(struct qinfo *qi)
{
	put16(qi->frame + qi->lay.l3 + 2, 24);
	fix_ip4(qi);
}

/* UDP length one short of / one past the IP payload (IP consistent). */
static void m_udplen_short(struct qinfo *qi)
{
	add16(qi->frame + qi->lay.l4 + 4, -1);
	fix_udp(qi);
}

static void m_udplen_long(struct qinfo *qi)
{
	add16(qi->frame + qi->lay.l4 + 4, 1);
	fix_udp(qi);
}

/* UDP length 7: less than its own header. */
static void m_udplen_tiny(struct qinfo *qi)
{
	put16(qi->frame + qi->lay.l4 + 4, 7);
}

/* IPv6 payload length 8 past the frame, or one short. */
static void m_plen_long(struct qinfo *qi)
{
	add16(qi->frame + qi->lay.l3 + 4, 8);
}

static void m_plen_short(struct qinfo *qi)
{
	add16(qi->frame + qi->lay.l3 + 4, -1);
}

/* UDP checksum 0 over IPv4: "no checksum", legal (RFC 768). */
static void m_udp_csum0(struct qinfo *qi)
{
	put16(qi->frame + qi->lay.l4 + 6, 0);
}

/* ---- The table ----------------------------------------------------------------- */

struct pcase {
	const char *name;
	const char *dig;	  /* the equivalent query with dig */
	const char *const *zones; /* map state: zone files loaded (NULL: h_zones_default,
				     the whitepaper zones and the fixtures) */
	struct pkt_spec pkt;
	struct dnsq q;
	void (*mangle)(struct qinfo *qi);
	uint32_t action;
	enum xdpmx_counter counter;
	const struct expect *ans; /* NULL: the frame comes back unchanged */
};

/* Map states other than the default. */
static const char *const zs_none[] = {NULL};
static const char *const zs_whitepaper[] = {"examples/mydomain.com.zone",
					    "examples/2.168.192.in-addr.arpa.zone", NULL};

/* The query dig sends by default (RD=1), without and with EDNS. */
#define Q(name, type)                                                                              \
	{                                                                                          \
		.id = QID, .flags = DNS_RD, .qname = name, .qtype = type                           \
	}
#define QE(name, type, size)                                                                       \
	{                                                                                          \
		.id = QID, .flags = DNS_RD, .qname = name, .qtype = type, .edns = true,            \
		.edns_size = size                                                                  \
	}
#define VLAN1 .n_vlan = 1, .vlan_tpid = {ETH_P_8021Q_}, .vlan_tci = {100}
#define VLAN2 .n_vlan = 2, .vlan_tpid = {ETH_P_8021AD_, ETH_P_8021Q_}, .vlan_tci = {200, 100}

static const struct pcase cases[] = {
	/* -- The whitepaper: MX rotation with additional A records, A rotation,
	 *    PTRs back to mail.mydomain.com (examples/). -- */
	{"wp mx v4", "dig @198.18.0.2 mydomain.com MX +noedns", .pkt = {.ip_version = 4},
	 .q = Q("mydomain.com", T_MX), .action = XDP_TX, .counter = XDPMX_CNT_HIT_MX,
	 .ans = &wp_mx},
	{"wp mx v6 edns", "dig @fd00::2 mydomain.com MX", .pkt = {.ip_version = 6},
	 .q = QE("mydomain.com", T_MX, 1232), .action = XDP_TX, .counter = XDPMX_CNT_HIT_MX,
	 .ans = &wp_mx},
	{"wp a mail v4", "dig @198.18.0.2 mail.mydomain.com A +noedns", .pkt = {.ip_version = 4},
	 .q = Q("mail.mydomain.com", T_A), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &wp_mail},
	{"wp a mail v6 edns", "dig @fd00::2 mail.mydomain.com A", .pkt = {.ip_version = 6},
	 .q = QE("mail.mydomain.com", T_A, 1232), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &wp_mail},
	{"wp a mail2", "dig @198.18.0.2 mail2.mydomain.com A +noedns", .pkt = {.ip_version = 4},
	 .q = Q("mail2.mydomain.com", T_A), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &wp_mail2},
	{"wp ptr .1", "dig @198.18.0.2 -x 192.168.2.1 +noedns", .pkt = {.ip_version = 4},
	 .q = Q("1.2.168.192.in-addr.arpa", T_PTR), .action = XDP_TX, .counter = XDPMX_CNT_HIT_PTR,
	 .ans = &wp_ptr1},
	{"wp ptr .2 edns", "dig @198.18.0.2 -x 192.168.2.2", .pkt = {.ip_version = 4},
	 .q = QE("2.2.168.192.in-addr.arpa", T_PTR, 1232), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_PTR, .ans = &wp_ptr2},
	{"wp ptr .3 v6 mixed case", "dig @fd00::2 3.2.168.192.In-AdDr.ArPa PTR +noedns",
	 .pkt = {.ip_version = 6}, .q = Q("3.2.168.192.In-AdDr.ArPa", T_PTR), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_PTR, .ans = &wp_ptr3},

	/* -- IPv4 and IPv6 under 0, 1 and 2 VLAN tags (802.1Q; 802.1ad outer),
	 *    with and without EDNS. Tags are kept in the answer. -- */
	{"v4 vlan1", "dig @198.18.0.2 mail.mydomain.com A +noedns  (VLAN 100)", .pkt = {VLAN1},
	 .q = Q("mail.mydomain.com", T_A), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &wp_mail},
	{"v4 vlan1 edns", "dig @198.18.0.2 mydomain.com MX  (VLAN 100)", .pkt = {VLAN1},
	 .q = QE("mydomain.com", T_MX, 1232), .action = XDP_TX, .counter = XDPMX_CNT_HIT_MX,
	 .ans = &wp_mx},
	{"v4 vlan2", "dig @198.18.0.2 mydomain.com MX +noedns  (802.1ad 200, 802.1Q 100)",
	 .pkt = {VLAN2}, .q = Q("mydomain.com", T_MX), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_MX, .ans = &wp_mx},
	{"v4 vlan2 edns", "dig @198.18.0.2 mail.mydomain.com A  (802.1ad 200, 802.1Q 100)",
	 .pkt = {VLAN2}, .q = QE("mail.mydomain.com", T_A, 1232), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &wp_mail},
	{"v6 vlan1", "dig @fd00::2 mail.mydomain.com A +noedns  (VLAN 100)",
	 .pkt = {.ip_version = 6, VLAN1}, .q = Q("mail.mydomain.com", T_A), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &wp_mail},
	{"v6 vlan1 edns", "dig @fd00::2 -x 192.168.2.1  (VLAN 100)",
	 .pkt = {.ip_version = 6, VLAN1}, .q = QE("1.2.168.192.in-addr.arpa", T_PTR, 1232),
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_PTR, .ans = &wp_ptr1},
	{"v6 vlan2", "dig @fd00::2 mydomain.com MX +noedns  (802.1ad 200, 802.1Q 100)",
	 .pkt = {.ip_version = 6, VLAN2}, .q = Q("mydomain.com", T_MX), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_MX, .ans = &wp_mx},
	{"v6 vlan2 edns", "dig @fd00::2 three.prog.test AAAA  (802.1ad 200, 802.1Q 100)",
	 .pkt = {.ip_version = 6, VLAN2}, .q = QE("three.prog.test", T_AAAA, 1232),
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_AAAA, .ans = &fx_three6},
	{"v4 vlan 802.1ad only", "dig @198.18.0.2 one.prog.test A +noedns  (802.1ad 300)",
	 .pkt = {.n_vlan = 1, .vlan_tpid = {ETH_P_8021AD_}, .vlan_tci = {300}},
	 .q = Q("one.prog.test", T_A), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &fx_one},
	{"v4 vlan 802.1Q twice", "dig @198.18.0.2 one.prog.test A +noedns  (802.1Q 7, 802.1Q 8)",
	 .pkt = {.n_vlan = 2, .vlan_tpid = {ETH_P_8021Q_, ETH_P_8021Q_}, .vlan_tci = {7, 8}},
	 .q = Q("one.prog.test", T_A), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &fx_one},
	{"vlan 3 tags", "dig @198.18.0.2 one.prog.test A  (three tags: more than walked)",
	 .pkt = {.n_vlan = 3,
		 .vlan_tpid = {ETH_P_8021AD_, ETH_P_8021Q_, ETH_P_8021Q_},
		 .vlan_tci = {1, 2, 3}},
	 .q = Q("one.prog.test", T_A), .action = XDP_PASS, .counter = XDPMX_CNT_PASS_VLAN},

	/* -- EDNS: OPT present exactly when asked, our size, DO copied, options
	 *    accepted and never echoed; client sizes below 512 count as 512. -- */
	{"edns cookie", "dig @198.18.0.2 mail.mydomain.com A +cookie=24a7135f8c01ee42",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_opts = opt_cookie,
	       .edns_opts_len = sizeof(opt_cookie)},
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &wp_mail},
	{"edns nsid", "dig @fd00::2 mydomain.com MX +nsid", .pkt = {.ip_version = 6},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mydomain.com",
	       .qtype = T_MX,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_opts = opt_nsid,
	       .edns_opts_len = sizeof(opt_nsid)},
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_MX, .ans = &wp_mx},
	{"edns ecs", "dig @198.18.0.2 -x 192.168.2.1 +subnet=198.18.0.0/24",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "1.2.168.192.in-addr.arpa",
	       .qtype = T_PTR,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_opts = opt_ecs,
	       .edns_opts_len = sizeof(opt_ecs)},
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_PTR, .ans = &wp_ptr1},
	{"edns all options do",
	 "dig @198.18.0.2 mx.prog.test MX +dnssec +cookie +nsid +subnet +padding", .pkt = {VLAN1},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mx.prog.test",
	       .qtype = T_MX,
	       .edns = true,
	       .edns_size = 4096,
	       .edns_do = true,
	       .edns_opts = opt_all,
	       .edns_opts_len = sizeof(opt_all)},
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_MX, .ans = &fx_mx},
	{"edns do unsigned zone", "dig @198.18.0.2 mail.mydomain.com A +dnssec",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_do = true},
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &wp_mail},
	{"edns size 512", "dig @198.18.0.2 mail.mydomain.com A +bufsize=512",
	 .pkt = {.ip_version = 4}, .q = QE("mail.mydomain.com", T_A, 512), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &wp_mail},
	{"edns version 1", "dig @198.18.0.2 mail.mydomain.com A +edns=1", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_version = 1},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_EDNS},
	{"edns option length overrun", "(no dig: cookie option length 20 in 12 bytes of RDATA)",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_opts = opt_overrun,
	       .edns_opts_len = sizeof(opt_overrun)},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_EDNS},
	{"edns half option header", "(no dig: OPT RDLEN 2, half an option header)",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_opts = opt_half,
	       .edns_opts_len = sizeof(opt_half)},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_EDNS},
	{"edns 16 options", "dig @198.18.0.2 mail.mydomain.com A +ednsopt=65001 (16 times)",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_opts = opt_16,
	       .edns_opts_len = sizeof(opt_16)},
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &wp_mail},
	{"edns 17 options", "dig @198.18.0.2 mail.mydomain.com A +ednsopt=65001 (17 times)",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_opts = opt_17,
	       .edns_opts_len = sizeof(opt_17)},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_EDNS},
	{"edns rdlen past payload", "(no dig: OPT RDLEN 8, no RDATA follows)",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_rdlen_set = true,
	       .edns_rdlen = 8},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_EDNS},
	{"edns bytes after opt", "(no dig: one byte after the OPT)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_opts = trailing,
	       .edns_opts_len = 1,
	       .edns_rdlen_set = true,
	       .edns_rdlen = 0},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_EDNS},
	{"additional not opt", "(no dig: ARCOUNT 1 holding an A record)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .counts_set = true,
	       .qdcount = 1,
	       .arcount = 1,
	       .extra = ar_a,
	       .extra_len = sizeof(ar_a)},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_EDNS},
	{"opt owner not root", "(no dig: OPT owned by a.)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .counts_set = true,
	       .qdcount = 1,
	       .arcount = 1,
	       .extra = ar_opt_owner,
	       .extra_len = sizeof(ar_opt_owner)},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_EDNS},
	{"two opt", "(no dig: ARCOUNT 2, two OPT records)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .counts_set = true,
	       .qdcount = 1,
	       .arcount = 2,
	       .extra = ar_opt2,
	       .extra_len = sizeof(ar_opt2)},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_COUNTS},

	/* -- Names: 0x20 mixed case goes back byte for byte; every directory
	 *    size class and its edges; the longest name. -- */
	{"mixed case mx", "dig @198.18.0.2 mYdOmAiN.CoM MX", .pkt = {.ip_version = 4},
	 .q = QE("mYdOmAiN.CoM", T_MX, 1232), .action = XDP_TX, .counter = XDPMX_CNT_HIT_MX,
	 .ans = &wp_mx},
	{"mixed case a v6", "dig @fd00::2 MAIL.MyDomain.com A +noedns", .pkt = {.ip_version = 6},
	 .q = Q("MAIL.MyDomain.com", T_A), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &wp_mail},
	{"mixed case fixture mx", "dig @198.18.0.2 Mx.PrOg.TeSt MX", .pkt = {.ip_version = 4},
	 .q = QE("Mx.PrOg.TeSt", T_MX, 1232), .action = XDP_TX, .counter = XDPMX_CNT_HIT_MX,
	 .ans = &fx_mx},
	{"dir 46 octets", "dig @198.18.0.2 DirS-xXxxXxxXxxXxxXxxXxxXxxXxxXxxX.pRog.teSt. A",
	 .pkt = {.ip_version = 4}, .q = Q("DirS-xXxxXxxXxxXxxXxxXxxXxxXxxXxxX.pRog.teSt.", T_A),
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &fx_d46},
	{"dir 47 octets", "dig @198.18.0.2 DirM-xXxxXxxXxxXxxXxxXxxXxxXxxXxxXx.ProG.tEst. A",
	 .pkt = {.ip_version = 4}, .q = Q("DirM-xXxxXxxXxxXxxXxxXxxXxxXxxXxxXx.ProG.tEst.", T_A),
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &fx_d47},
	{"dir 126 octets",
	 "dig @198.18.0.2 "
	 "DirM-xXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxx.edGe-"
	 "XxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxx.prOg.TesT. A",
	 .pkt = {.ip_version = 6},
	 .q = Q("DirM-xXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxx.edGe-"
		"XxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxx.prOg.TesT.",
		T_A),
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &fx_d126},
	{"dir 127 octets",
	 "dig @198.18.0.2 "
	 "DirL-xXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxx.edGe-"
	 "XxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxX.pRog.teSt. A",
	 .pkt = {.ip_version = 4},
	 .q = QE("DirL-xXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxx.edGe-"
		 "XxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxX.pRog.teSt.",
		 T_A, 1232),
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &fx_d127},
	{"dir 255 octets",
	 "dig @198.18.0.2 "
	 "DirL-xXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxx.maX1-"
	 "XxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxX.mAx2-"
	 "xxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXx.Max3-"
	 "xXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxx.prOg.TesT. A",
	 .pkt = {VLAN2},
	 .q = QE("DirL-xXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxx.maX1-"
		 "XxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxX.mAx2-"
		 "xxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXx.Max3-"
		 "xXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxxXxx.prOg.TesT.",
		 T_A, 1232),
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &fx_d255},
	{"ptr ip6.arpa (dir_m)", "dig @fd00::2 -x fd00::2:1", .pkt = {.ip_version = 6},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "1.0.0.0.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.D.F.Ip6.ArPa",
	       .qtype = T_PTR,
	       .edns = true,
	       .edns_size = 1232},
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_PTR, .ans = &fx_ptr6},

	/* Case folding is ASCII only: 0x40/0x5b and 0xc1 are not 0x60/0x7b and
	 * 0xe1 in another case. */
	{"fold: `X{ matches `x{", "dig @198.18.0.2 '`X{.prog.test' A +noedns",
	 .pkt = {.ip_version = 4}, .q = Q("`X{.prog.test", T_A), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &fx_tick},
	{"fold: @X[ is not `x{", "dig @198.18.0.2 '\\@X[.prog.test' A +noedns",
	 .pkt = {.ip_version = 4}, .q = Q("@X[.prog.test", T_A), .action = XDP_PASS,
	 .counter = XDPMX_CNT_MISS_NO_RRSET},
	{"fold: 0xe1 matches", "dig @198.18.0.2 '\\225.prog.test' A +noedns",
	 .pkt = {.ip_version = 4}, .q = Q("\xe1.prog.test", T_A), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &fx_e1},
	{"fold: 0xc1 is not 0xe1", "dig @198.18.0.2 '\\193.prog.test' A +noedns",
	 .pkt = {.ip_version = 6}, .q = Q("\xc1.prog.test", T_A), .action = XDP_PASS,
	 .counter = XDPMX_CNT_MISS_NO_RRSET},

	/* -- RRsets of 1, 3 and 8 records; MX with additional records. -- */
	{"rrset 1", "dig @198.18.0.2 one.prog.test A +noedns", .pkt = {.ip_version = 4},
	 .q = Q("one.prog.test", T_A), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &fx_one},
	{"rrset 3", "dig @198.18.0.2 three.prog.test A +noedns", .pkt = {.ip_version = 4},
	 .q = Q("three.prog.test", T_A), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &fx_three},
	{"rrset 3 aaaa v6", "dig @fd00::2 three.prog.test AAAA +noedns", .pkt = {.ip_version = 6},
	 .q = Q("three.prog.test", T_AAAA), .action = XDP_TX, .counter = XDPMX_CNT_HIT_AAAA,
	 .ans = &fx_three6},
	{"rrset 8", "dig @198.18.0.2 eight.prog.test A", .pkt = {.ip_version = 4},
	 .q = QE("eight.prog.test", T_A, 1232), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &fx_eight},
	{"rrset 8 v6 vlan2", "dig @fd00::2 eight.prog.test A +noedns  (802.1ad 200, 802.1Q 100)",
	 .pkt = {.ip_version = 6, VLAN2}, .q = Q("eight.prog.test", T_A), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &fx_eight},
	{"mx additional a+aaaa", "dig @fd00::2 mx.prog.test MX +noedns", .pkt = {.ip_version = 6},
	 .q = Q("mx.prog.test", T_MX), .action = XDP_TX, .counter = XDPMX_CNT_HIT_MX,
	 .ans = &fx_mx},
	{"root a", "dig @198.18.0.2 . A +noedns", .pkt = {.ip_version = 4}, .q = Q(".", T_A),
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &fx_root},

	/* -- Header flags: RD, CD copied, AD never set, RA 0. -- */
	{"flags norec", "dig @198.18.0.2 mail.mydomain.com A +norec +noedns",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID, .flags = 0, .qname = "mail.mydomain.com", .qtype = T_A}, .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &wp_mail},
	{"flags cd ad", "dig @198.18.0.2 mail.mydomain.com A +cdflag +adflag",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD | DNS_CD | DNS_AD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232},
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &wp_mail},
	{"flags id 0", "dig @198.18.0.2 one.prog.test A +norec (id 0)", .pkt = {.ip_version = 4},
	 .q = {.id = 0, .flags = 0, .qname = "one.prog.test", .qtype = T_A}, .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &fx_one},

	/* -- Size limits: 512 without EDNS, else max(512, min(client, ours)). -- */
	{"tc 24 aaaa no edns", "dig @198.18.0.2 big.prog.test AAAA +noedns +ignore",
	 .pkt = {.ip_version = 4}, .q = Q("big.prog.test", T_AAAA), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_TC, .ans = &fx_big_tc},
	{"tc 24 aaaa edns 1232", "dig @198.18.0.2 big.prog.test AAAA +bufsize=1232",
	 .pkt = {.ip_version = 4}, .q = QE("big.prog.test", T_AAAA, 1232), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_AAAA, .ans = &fx_big},
	{"tc 24 aaaa edns 4096", "dig @fd00::2 big.prog.test AAAA +bufsize=4096",
	 .pkt = {.ip_version = 6}, .q = QE("big.prog.test", T_AAAA, 4096), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_AAAA, .ans = &fx_big},
	{"tc 24 aaaa edns 100", "dig @198.18.0.2 big.prog.test AAAA +bufsize=100 (counts as 512)",
	 .pkt = {.ip_version = 4}, .q = QE("big.prog.test", T_AAAA, 100), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_TC, .ans = &fx_big_tc},
	{"tc 24 aaaa edns 700", "dig @198.18.0.2 big.prog.test AAAA +bufsize=700",
	 .pkt = {.ip_version = 4}, .q = QE("big.prog.test", T_AAAA, 700), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_TC, .ans = &fx_big_tc},
	{"tc 24 aaaa edns 714", "dig @198.18.0.2 big.prog.test AAAA +bufsize=714 (exact fit)",
	 .pkt = {.ip_version = 4}, .q = QE("big.prog.test", T_AAAA, 714), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_AAAA, .ans = &fx_big},
	{"tc 24 aaaa edns 713", "dig @198.18.0.2 big.prog.test AAAA +bufsize=713 (one short)",
	 .pkt = {.ip_version = 4}, .q = QE("big.prog.test", T_AAAA, 713), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_TC, .ans = &fx_big_tc},
	{"max 32 records edns", "dig @198.18.0.2 max32.prog.test AAAA", .pkt = {VLAN2},
	 .q = QE("max32.prog.test", T_AAAA, 1232), .action = XDP_TX, .counter = XDPMX_CNT_HIT_AAAA,
	 .ans = &fx_max32},
	{"max 32 records no edns", "dig @fd00::2 max32.prog.test AAAA +noedns +ignore",
	 .pkt = {.ip_version = 6}, .q = Q("max32.prog.test", T_AAAA), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_TC, .ans = &fx_max32_tc},
	{"33 records: slow path", "dig @198.18.0.2 over32.prog.test AAAA", .pkt = {.ip_version = 4},
	 .q = QE("over32.prog.test", T_AAAA, 1232), .action = XDP_PASS,
	 .counter = XDPMX_CNT_MISS_NO_RRSET},
	{"mx additional overflow no edns", "dig @198.18.0.2 wide.prog.test MX +noedns",
	 .pkt = {.ip_version = 4}, .q = Q("wide.prog.test", T_MX), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_MX, .ans = &fx_wide_noad},
	{"mx additional overflow edns 600", "dig @fd00::2 wide.prog.test MX +bufsize=600",
	 .pkt = {.ip_version = 6}, .q = QE("wide.prog.test", T_MX, 600), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_MX, .ans = &fx_wide_noad},
	{"mx additional fit edns 1232", "dig @198.18.0.2 wide.prog.test MX",
	 .pkt = {.ip_version = 4}, .q = QE("wide.prog.test", T_MX, 1232), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_MX, .ans = &fx_wide},
	{"mx additional exact fit 691", "dig @198.18.0.2 wide.prog.test MX +bufsize=691",
	 .pkt = {.ip_version = 4}, .q = QE("wide.prog.test", T_MX, 691), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_MX, .ans = &fx_wide},
	{"mx additional one short 690", "dig @fd00::2 wide.prog.test MX +bufsize=690",
	 .pkt = {.ip_version = 6}, .q = QE("wide.prog.test", T_MX, 690), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_MX, .ans = &fx_wide_noad},

	/* -- Ethernet padding: lengths come from IP/UDP, not from the frame. -- */
	{"pad 60 root v4", "dig @198.18.0.2 . A +noedns  (59-byte frame padded to 60)",
	 .pkt = {.pad_to = PKT_ETH_MIN}, .q = Q(".", T_A), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &fx_root},
	{"pad trailer v4 edns", "dig @198.18.0.2 one.prog.test A  (frame padded to 200)",
	 .pkt = {.pad_to = 200}, .q = QE("one.prog.test", T_A, 1232), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &fx_one},
	{"pad trailer v6", "dig @fd00::2 one.prog.test A +noedns  (frame padded to 200)",
	 .pkt = {.ip_version = 6, .pad_to = 200}, .q = Q("one.prog.test", T_A), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &fx_one},

	/* -- IP details that do not stop an answer. -- */
	{"ipv4 df", "dig @198.18.0.2 one.prog.test A  (DF set)", .pkt = {.frag = 0x4000},
	 .q = Q("one.prog.test", T_A), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &fx_one},
	{"ipv4 udp checksum 0", "dig @198.18.0.2 one.prog.test A  (UDP checksum 0: none)",
	 .pkt = {.ip_version = 4}, .q = Q("one.prog.test", T_A), .mangle = m_udp_csum0,
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &fx_one},
	{"ipv4 tos id kept", "dig @198.18.0.2 one.prog.test A  (TOS 0x28, id 0x4242)",
	 .pkt = {.tos = 0x28, .ip_id = 0x4242}, .q = Q("one.prog.test", T_A), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_A, .ans = &fx_one},
	{"ipv6 flow label kept", "dig @fd00::2 one.prog.test A  (traffic class 0x28, flow 0x12345)",
	 .pkt = {.ip_version = 6, .tos = 0x28, .flowlabel = 0x12345}, .q = Q("one.prog.test", T_A),
	 .action = XDP_TX, .counter = XDPMX_CNT_HIT_A, .ans = &fx_one},

	/* -- Signed zones: DO=1 goes to the slow path. -- */
	{"signed do", "dig @198.18.0.2 www.signed.test A +dnssec", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "www.signed.test",
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232,
	       .edns_do = true},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_DNSSEC},
	{"signed no do", "dig @198.18.0.2 www.signed.test A", .pkt = {.ip_version = 4},
	 .q = QE("www.signed.test", T_A, 1232), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &fx_signed},
	{"signed no edns", "dig @198.18.0.2 www.signed.test A +noedns", .pkt = {.ip_version = 4},
	 .q = Q("www.signed.test", T_A), .action = XDP_TX, .counter = XDPMX_CNT_HIT_A,
	 .ans = &fx_signed},

	/* -- Not in the maps: passed up unchanged. -- */
	{"no zones loaded", "dig @198.18.0.2 mail.mydomain.com A", .zones = zs_none,
	 .pkt = {.ip_version = 4}, .q = QE("mail.mydomain.com", T_A, 1232), .action = XDP_PASS,
	 .counter = XDPMX_CNT_MISS_NO_RRSET},
	{"whitepaper only: wp answered", "dig @fd00::2 mydomain.com MX", .zones = zs_whitepaper,
	 .pkt = {.ip_version = 6}, .q = QE("mydomain.com", T_MX, 1232), .action = XDP_TX,
	 .counter = XDPMX_CNT_HIT_MX, .ans = &wp_mx},
	{"whitepaper only: fixture name", "dig @198.18.0.2 one.prog.test A +noedns",
	 .zones = zs_whitepaper, .pkt = {.ip_version = 4}, .q = Q("one.prog.test", T_A),
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_NO_RRSET},
	{"unknown name", "dig @198.18.0.2 nope.mydomain.com A", .pkt = {.ip_version = 4},
	 .q = QE("nope.mydomain.com", T_A, 1232), .action = XDP_PASS,
	 .counter = XDPMX_CNT_MISS_NO_RRSET},
	{"unknown zone v6", "dig @fd00::2 www.example.org A +noedns", .pkt = {.ip_version = 6},
	 .q = Q("www.example.org", T_A), .action = XDP_PASS, .counter = XDPMX_CNT_MISS_NO_RRSET},
	{"name without that type", "dig @198.18.0.2 mail.mydomain.com AAAA",
	 .pkt = {.ip_version = 4}, .q = QE("mail.mydomain.com", T_AAAA, 1232), .action = XDP_PASS,
	 .counter = XDPMX_CNT_MISS_NO_RRSET},
	{"mx on a host", "dig @198.18.0.2 mail1.mydomain.com MX +noedns", .pkt = {.ip_version = 4},
	 .q = Q("mail1.mydomain.com", T_MX), .action = XDP_PASS,
	 .counter = XDPMX_CNT_MISS_NO_RRSET},
	{"name below a name", "dig @198.18.0.2 x.mail.mydomain.com A +noedns",
	 .pkt = {.ip_version = 4}, .q = Q("x.mail.mydomain.com", T_A), .action = XDP_PASS,
	 .counter = XDPMX_CNT_MISS_NO_RRSET},
	{"127 labels", "dig @198.18.0.2 a.a.(127 labels, 255 octets) A +noedns",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname_wire = qn_labels127,
	       .qname_wire_len = sizeof(qn_labels127),
	       .qtype = T_A},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_NO_RRSET},
	{"qtype txt", "dig @198.18.0.2 txt.prog.test TXT", .pkt = {.ip_version = 4},
	 .q = QE("txt.prog.test", T_TXT, 1232), .action = XDP_PASS,
	 .counter = XDPMX_CNT_MISS_QTYPE},
	{"qtype soa", "dig @198.18.0.2 mydomain.com SOA +noedns", .pkt = {.ip_version = 4},
	 .q = Q("mydomain.com", T_SOA), .action = XDP_PASS, .counter = XDPMX_CNT_MISS_QTYPE},
	{"qtype ns v6", "dig @fd00::2 mydomain.com NS", .pkt = {.ip_version = 6},
	 .q = QE("mydomain.com", T_NS, 1232), .action = XDP_PASS, .counter = XDPMX_CNT_MISS_QTYPE},
	{"qtype any", "dig @198.18.0.2 mail.mydomain.com ANY", .pkt = {.ip_version = 4},
	 .q = Q("mail.mydomain.com", T_ANY), .action = XDP_PASS, .counter = XDPMX_CNT_MISS_QTYPE},
	{"qclass ch", "dig @198.18.0.2 mail.mydomain.com A -c CH", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .qclass = C_CH},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_QCLASS},
	{"qclass any", "dig @198.18.0.2 mail.mydomain.com A -c ANY", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .qclass = 255},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_QCLASS},

	/* -- DNS header: responses dropped, other opcodes and counts passed. -- */
	{"qr=1 response", "(no dig: a response, QR=1, sent to port 53)", .pkt = {.ip_version = 4},
	 .q = {.id = QID, .flags = DNS_QR | DNS_AA, .qname = "mail.mydomain.com", .qtype = T_A},
	 .action = XDP_DROP, .counter = XDPMX_CNT_DROP_RESPONSE},
	{"qr=1 response v6 vlan", "(no dig: a response, QR=1, over IPv6 and VLAN)",
	 .pkt = {.ip_version = 6, VLAN1},
	 .q = {.id = QID, .flags = DNS_QR, .qname = "nope.example", .qtype = T_A},
	 .action = XDP_DROP, .counter = XDPMX_CNT_DROP_RESPONSE},
	{"opcode iquery", "(no dig: opcode 1, IQUERY)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = 1 << DNS_OPCODE_SHIFT,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_OPCODE},
	{"opcode notify", "(no dig: kdig +notify mydomain.com SOA)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = 4 << DNS_OPCODE_SHIFT | DNS_AA,
	       .qname = "mydomain.com",
	       .qtype = T_SOA},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_OPCODE},
	{"opcode update", "(no dig: nsupdate, opcode 5)", .pkt = {.ip_version = 6},
	 .q = {.id = QID, .flags = 5 << DNS_OPCODE_SHIFT, .qname = "mydomain.com", .qtype = T_SOA},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_OPCODE},
	{"tc set in query", "(no dig: TC=1 in a query)", .pkt = {.ip_version = 4},
	 .q = {.id = QID, .flags = DNS_RD | DNS_TC, .qname = "mail.mydomain.com", .qtype = T_A},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_FLAGS},
	{"qdcount 0", "(no dig: QDCOUNT 0, a question present anyway)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .counts_set = true,
	       .qdcount = 0},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_COUNTS},
	{"qdcount 0 header only", "(no dig: QDCOUNT 0, a bare 12-byte header)",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .counts_set = true,
	       .qdcount = 0,
	       .cut = DNS_HDR_LEN},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_COUNTS},
	{"qdcount 2", "(no dig: two questions)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .counts_set = true,
	       .qdcount = 2,
	       .extra = q2_one,
	       .extra_len = sizeof(q2_one)},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_COUNTS},
	{"ancount 1", "(no dig: an answer record in the query)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .counts_set = true,
	       .qdcount = 1,
	       .ancount = 1,
	       .extra = an_a,
	       .extra_len = sizeof(an_a)},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_COUNTS},
	{"nscount 1", "(no dig: an authority record in the query)", .pkt = {.ip_version = 6},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .counts_set = true,
	       .qdcount = 1,
	       .nscount = 1,
	       .extra = an_a,
	       .extra_len = sizeof(an_a)},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_COUNTS},

	/* -- Question names the fast path does not walk. -- */
	{"name pointer to header", "(no dig: question name is a pointer 0xc00c)",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname_wire = qn_ptr_self,
	       .qname_wire_len = sizeof(qn_ptr_self),
	       .qtype = T_A},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_NAME},
	{"name label then pointer", "(no dig: \\4mail then a pointer)", .pkt = {.ip_version = 6},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname_wire = qn_ptr_after,
	       .qname_wire_len = sizeof(qn_ptr_after),
	       .qtype = T_A,
	       .edns = true,
	       .edns_size = 1232},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_NAME},
	{"name label 64", "(no dig: a label of 64 octets)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname_wire = qn_label64,
	       .qname_wire_len = sizeof(qn_label64),
	       .qtype = T_A},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_NAME},
	{"name 256 octets", "(no dig: a name of 256 octets)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname_wire = qn_name256,
	       .qname_wire_len = sizeof(qn_name256),
	       .qtype = T_A},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_NAME},
	{"name extended label", "(no dig: label type 01, RFC 6891 extended)",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname_wire = qn_ext_label,
	       .qname_wire_len = sizeof(qn_ext_label),
	       .qtype = T_A},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_NAME},
	{"name label type 10", "(no dig: label type 10, reserved)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname_wire = qn_bitlabel,
	       .qname_wire_len = sizeof(qn_bitlabel),
	       .qtype = T_A},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MISS_NAME},

	/* -- Malformed DNS: cut short, or bytes left over. -- */
	{"dns 8 bytes", "(no dig: 8 bytes of DNS header)", .pkt = {.ip_version = 4},
	 .q = {.id = QID, .flags = DNS_RD, .qname = "mail.mydomain.com", .qtype = T_A, .cut = 8},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MALFORMED},
	{"dns header only", "(no dig: QDCOUNT 1, nothing after the header)",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .cut = DNS_HDR_LEN},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MALFORMED},
	{"dns name cut", "(no dig: the name stops inside a label)", .pkt = {.ip_version = 6},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .cut = DNS_HDR_LEN + 7},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MALFORMED},
	{"dns qclass cut", "(no dig: qclass missing)", .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .cut = DNS_HDR_LEN + 19 + 2},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MALFORMED},
	{"dns trailing byte", "(no dig: one byte after the question, ARCOUNT 0)",
	 .pkt = {.ip_version = 4},
	 .q = {.id = QID,
	       .flags = DNS_RD,
	       .qname = "mail.mydomain.com",
	       .qtype = T_A,
	       .extra = trailing,
	       .extra_len = sizeof(trailing)},
	 .action = XDP_PASS, .counter = XDPMX_CNT_MALFORMED},

	/* -- Not for us: L2/L3/L4 that is not a UDP query to our port. -- */
	{"arp", "(no dig: ethertype ARP)", .pkt = {.ethertype = 0x0806},
	 .q = Q("mail.mydomain.com", T_A), .action = XDP_PASS, .counter = XDPMX_CNT_PASS_NOT_IP},
	{"lldp in vlan", "(no dig: ethertype LLDP inside a VLAN tag)",
	 .pkt = {.ethertype = 0x88cc, VLAN1}, .q = Q("mail.mydomain.com", T_A), .action = XDP_PASS,
	 .counter = XDPMX_CNT_PASS_NOT_IP},
	{"tcp 53 v4", "dig @198.18.0.2 mail.mydomain.com A +tcp  (the first data segment)",
	 .pkt = {.l4_proto = 6}, .q = Q("mail.mydomain.com", T_A), .action = XDP_PASS,
	 .counter = XDPMX_CNT_PASS_NOT_UDP},
	{"tcp 53 v6", "dig @fd00::2 mail.mydomain.com A +tcp  (the first data segment)",
	 .pkt = {.ip_version = 6, .l4_proto = 6}, .q = Q("mail.mydomain.com", T_A),
	 .action = XDP_PASS, .counter = XDPMX_CNT_PASS_NOT_UDP},
	{"icmp v4", "(no dig: IP protocol 1)", .pkt = {.l4_proto = 1},
	 .q = Q("mail.mydomain.com", T_A), .action = XDP_PASS, .counter = XDPMX_CNT_PASS_NOT_UDP},
	{"udp port 5353", "dig @198.18.0.2 -p 5353 mail.mydomain.com A", .pkt = {.dport = 5353},
	 .q = Q("mail.mydomain.com", T_A), .action = XDP_PASS, .counter = XDPMX_CNT_PASS_NOT_PORT},
	{"udp from port 53", "(no dig: 53 -> 40053, a reply to our resolver side)",
	 .pkt = {.ip_version = 6, .sport = 53, .dport = 40053}, .q = Q("mail.mydomain.com", T_A),
	 .action = XDP_PASS, .counter = XDPMX_CNT_PASS_NOT_PORT},
	{"ipv4 options", "(no dig: IPv4 header with one word of options)",
	 .pkt = {.ip4_opts = ip4_opt_nop, .ip4_opts_len = sizeof(ip4_opt_nop)},
	 .q = Q("mail.mydomain.com", T_A), .action = XDP_PASS, .counter = XDPMX_CNT_PASS_IP_OPT},
	{"ipv4 first fragment", "(no dig: MF set, offset 0)", .pkt = {.frag = 0x2000},
	 .q = Q("mail.mydomain.com", T_A), .action = XDP_PASS, .counter = XDPMX_CNT_PASS_IP_FRAG},
	{"ipv4 later fragment", "(no dig: offset 1480, MF clear)", .pkt = {.frag = 185},
	 .q = Q("mail.mydomain.com", T_A), .action = XDP_PASS, .counter = XDPMX_CNT_PASS_IP_FRAG},
	{"ipv6 hop-by-hop", "(no dig: hop-by-hop options header before UDP)",
	 .pkt = {.ip_version = 6, .n_ext = 1, .ext_type = {0}, .ext_len = {8}},
	 .q = Q("mail.mydomain.com", T_A), .action = XDP_PASS, .counter = XDPMX_CNT_PASS_IP6_EXT},
	{"ipv6 fragment", "(no dig: fragment header before UDP)",
	 .pkt = {.ip_version = 6, .n_ext = 1, .ext_type = {44}, .ext_len = {8}},
	 .q = Q("mail.mydomain.com", T_A), .action = XDP_PASS, .counter = XDPMX_CNT_PASS_IP6_EXT},
	{"ipv6 dstopts + fragment", "(no dig: destination options, then fragment header)",
	 .pkt = {.ip_version = 6, .n_ext = 2, .ext_type = {60, 44}, .ext_len = {16, 8}},
	 .q = Q("mail.mydomain.com", T_A), .action = XDP_PASS, .counter = XDPMX_CNT_PASS_IP6_EXT},

	/* -- Malformed L3/L4: a length field that disagrees with the bytes. -- */
	{"ipv4 ihl 4", "(no dig: IPv4 ihl 4)", .pkt = {.ip_version = 4},
	 .q = Q("mail.mydomain.com", T_A), .mangle = m_ihl4, .action = XDP_PASS,
	 .counter = XDPMX_CNT_MALFORMED},
	{"ipv4 version 6", "(no dig: ethertype IPv4, version field 6)", .pkt = {.ip_version = 4},
	 .q = Q("mail.mydomain.com", T_A), .mangle = m_ipver6, .action = XDP_PASS,
	 .counter = XDPMX_CNT_MALFORMED},
	{"ipv4 tot_len past frame", "(no dig: tot_len 4 bytes past the frame)",
	 .pkt = {.ip_version = 4}, .q = Q("mail.mydomain.com", T_A), .mangle = m_totlen_long,
	 .action = XDP_PASS, .counter = XDPMX_CNT_MALFORMED},
	{"ipv4 tot_len short of udp", "(no dig: tot_len 4 short, UDP length runs past it)",
	 .pkt = {.ip_version = 4}, .q = Q("mail.mydomain.com", T_A), .mangle = m_totlen_short,
	 .action = XDP_PASS, .counter = XDPMX_CNT_MALFORMED},
	{"ipv4 tot_len 24", "(no dig: tot_len below IP + UDP headers)", .pkt = {.ip_version = 4},
	 .q = Q("mail.mydomain.com", T_A), .mangle = m_totlen_tiny, .action = XDP_PASS,
	 .counter = XDPMX_CNT_MALFORMED},
	{"udp length short", "(no dig: UDP length one short of the IP payload)",
	 .pkt = {.ip_version = 4}, .q = Q("mail.mydomain.com", T_A), .mangle = m_udplen_short,
	 .action = XDP_PASS, .counter = XDPMX_CNT_MALFORMED},
	{"udp length long", "(no dig: UDP length one past the IP payload)",
	 .pkt = {.ip_version = 6}, .q = Q("mail.mydomain.com", T_A), .mangle = m_udplen_long,
	 .action = XDP_PASS, .counter = XDPMX_CNT_MALFORMED},
	{"udp length 7", "(no dig: UDP length below its header)", .pkt = {.ip_version = 4},
	 .q = Q("mail.mydomain.com", T_A), .mangle = m_udplen_tiny, .action = XDP_PASS,
	 .counter = XDPMX_CNT_MALFORMED},
	{"ipv6 payload past frame", "(no dig: payload length 8 past the frame)",
	 .pkt = {.ip_version = 6}, .q = Q("mail.mydomain.com", T_A), .mangle = m_plen_long,
	 .action = XDP_PASS, .counter = XDPMX_CNT_MALFORMED},
	{"ipv6 payload short of udp", "(no dig: payload length one short of the UDP length)",
	 .pkt = {.ip_version = 6}, .q = Q("mail.mydomain.com", T_A), .mangle = m_plen_short,
	 .action = XDP_PASS, .counter = XDPMX_CNT_MALFORMED},
};

/* Names that do not fit a static initializer nicely. */
static void fill_names(void)
{
	size_t i, o = 0;

	qn_label64[0] = 64;
	memset(qn_label64 + 1, 'a', 64);
	qn_label64[65] = 0;
	/* 256 octets: three labels of 63, one of 62, the root. */
	for (i = 0; i < 4; i++) {
		size_t l = i < 3 ? 63 : 62;

		qn_name256[o++] = (uint8_t)l;
		memset(qn_name256 + o, 'a' + (int)i, l);
		o += l;
	}
	qn_name256[o] = 0;
	/* 127 labels "a", the root: 255 octets, the most labels a name has. */
	for (i = 0; i < 127; i++) {
		qn_labels127[2 * i] = 1;
		qn_labels127[2 * i + 1] = 'a';
	}
	qn_labels127[254] = 0;
	for (i = 0; i < sizeof(opt_17); i += 4) {
		put16(opt_17 + i, 65001);
		if (i < sizeof(opt_16))
			put16(opt_16 + i, 65001);
	}
}

/* Set up case c: its frame into qi (built, then mangled) and its map
 * state loaded. */
static void case_setup(const struct pcase *c, struct qinfo *qi)
{
	fill_names();
	cr_assert_eq(qinfo_build(qi, &c->pkt, &c->q), 0, "case '%s': can't build its frame",
		     c->name);
	if (c->mangle)
		c->mangle(qi);
	h_zones(c->zones, XDPMX_ORDER_CYCLIC);
}

/* Run one case: build, run, check action, counter and output. */
static void run_case(const struct pcase *c)
{
	uint8_t want[PKT_MAX];
	size_t want_len = 0;
	struct verdict v = {0};
	struct qinfo qi;
	struct h_run r;
	int rot = -1;

	case_setup(c, &qi);
	h_run(qi.frame, qi.len, &r);
	if (r.err) {
		v_fail(&v, "BPF_PROG_TEST_RUN failed: %s", strerror(-r.err));
	} else {
		if (r.action != c->action)
			v_fail(&v, "action %s, want %s", h_action_str(r.action),
			       h_action_str(c->action));
		h_check_counter(&v, &r, 0, c->counter);
		if (c->ans) {
			if (r.action == XDP_TX)
				check_answer(&v, &qi, r.out, r.out_len, c->ans, &rot);
			want_len = expect_frame(want, sizeof(want), &qi, c->ans, rot);
		} else {
			h_check_unchanged(&v, &r, c->action, qi.frame, qi.len);
			memcpy(want, qi.frame, qi.len);
			want_len = qi.len;
		}
	}
	if (v.fails)
		v_fail(&v, "equivalent query: %s", c->dig);
	h_verdict(c->name, &v, qi.frame, qi.len, want, want_len, r.out, r.out_len);
}

/* Criterion runs each parameter in a freshly executed process (BoxFort),
 * where a pointer into this binary's data differs under PIE: the parameter
 * is the index of the case, looked up in the child's own table. */
ParameterizedTestParameters(xdp, table)
{
	static size_t idx[ARRAY_SIZE(cases)];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, ARRAY_SIZE(idx));
}

/*
 * Every row of the table above: the action, the one counter that moved,
 * and the answer field by field (check.c) or the frame unchanged.
 */
ParameterizedTest(size_t *i, xdp, table, .init = h_setup, .fini = h_teardown)
{
	cr_assert_lt(*i, ARRAY_SIZE(cases));
	run_case(&cases[*i]);
}

/* The indices of the answered cases, for the differential test. */
ParameterizedTestParameters(xdp, differential)
{
	static size_t idx[ARRAY_SIZE(cases)];
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (cases[i].action == XDP_TX)
			idx[n++] = i;
	return cr_make_param_array(size_t, idx, n);
}

/*
 * Every answered row again, differentially: the program's DNS message and
 * the slow-path responder's (xdpmx_respond over the same zone files, our
 * EDNS size) must agree on flags, RCODE, question, each section as a set
 * (rotation aside) and EDNS, so a query answers the same whichever path
 * takes it.
 */
ParameterizedTest(size_t *i, xdp, differential, .init = h_setup, .fini = h_teardown)
{
	const struct xdpmx_resp_cfg rc = {.edns_size = TEST_EDNS_SIZE, .seed = 1};
	const struct pcase *c = &cases[*i];
	struct xdpmx_responder *resp = NULL;
	struct xdpmx_zoneset *zs;
	uint8_t slow[XDPMX_RESP_TCP_MAX], want[PKT_MAX];
	struct pkt_spec rs;
	struct verdict v = {0};
	struct qinfo qi;
	struct h_run r;
	ssize_t n;
	int err;

	case_setup(c, &qi);
	zs = h_zoneset(c->zones, XDPMX_ORDER_CYCLIC);
	err = xdpmx_responder_new(zs, &rc, &resp);
	cr_assert_eq(err, 0, "Couldn't make a responder: %s", strerror(-err));

	h_run(qi.frame, qi.len, &r);
	cr_assert_eq(r.err, 0, "case '%s': BPF_PROG_TEST_RUN failed: %s", c->name,
		     strerror(-r.err));
	cr_assert_eq(r.action, XDP_TX, "case '%s': %s (the table test says why)", c->name,
		     h_action_str(r.action));
	n = xdpmx_respond(resp, qi.frame + qi.lay.payload, qi.dns_len, false, slow, sizeof(slow),
			  NULL);
	cr_assert_gt(n, 0, "case '%s': the responder gave no answer (%zd)", c->name, n);
	check_same_message(&v, r.out + qi.lay.payload, r.out_len - qi.lay.payload, slow, (size_t)n);
	if (v.fails)
		v_fail(&v, "equivalent query: %s", c->dig);
	/* The expected frame: the responder's message in the answer's headers. */
	pkt_spec_reply(&rs, &qi.spec);
	h_verdict(c->name, &v, qi.frame, qi.len, want,
		  pkt_frame(want, sizeof(want), &rs, slow, (size_t)n, NULL), r.out, r.out_len);
	xdpmx_responder_free(resp);
	xdpmx_zoneset_free(zs);
}
