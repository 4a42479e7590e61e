/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpmx counter ids: why the fast path answered, passed or dropped a packet.
 *
 * Included by both sides. Every packet the program sees increments exactly
 * one of these, so their sum is the number of packets. Values are explicit
 * and append-only: a counter is never renumbered or reused (bump
 * XDPMX_ABI_VERSION if one ever has to be). Userspace keeps the name table
 * (user/lib/counters.c) with a static assert that it has XDPMX_CNT__MAX
 * entries.
 */
#ifndef XDPMX_COUNTERS_H
#define XDPMX_COUNTERS_H

enum xdpmx_counter {
	/* Hits: answered with XDP_TX, one counter per qtype. */
	XDPMX_CNT_HIT_A = 0,
	XDPMX_CNT_HIT_AAAA = 1,
	XDPMX_CNT_HIT_MX = 2,
	XDPMX_CNT_HIT_PTR = 3,
	/* Answered with XDP_TX, TC=1 and no records: the RRset does not fit
	 * the client's buffer. */
	XDPMX_CNT_HIT_TC = 4,

	/* Not a DNS query for us: XDP_PASS, not counted as a miss. */
	XDPMX_CNT_PASS_NOT_IP = 5,   /* not IPv4 or IPv6 (ARP, LLDP, ...) */
	XDPMX_CNT_PASS_VLAN = 6,     /* more VLAN tags than the program walks */
	XDPMX_CNT_PASS_NOT_UDP = 7,  /* IP, but not UDP (TCP/53 goes up here) */
	XDPMX_CNT_PASS_NOT_PORT = 8, /* UDP, not to the DNS port */
	XDPMX_CNT_PASS_IP_OPT = 9,   /* IPv4 header with options */
	XDPMX_CNT_PASS_IP_FRAG = 10, /* IPv4 fragment */
	XDPMX_CNT_PASS_IP6_EXT = 11, /* IPv6 extension header (fragments too) */

	/* Cut short, or a length field that disagrees with the bytes present.
	 * Passed up unchanged. */
	XDPMX_CNT_MALFORMED = 12,

	/* Misses: DNS queries to our port passed up to the slow path. */
	XDPMX_CNT_MISS_OPCODE = 13,   /* OPCODE other than QUERY */
	XDPMX_CNT_MISS_FLAGS = 14,    /* TC set in a query */
	XDPMX_CNT_MISS_COUNTS = 15,   /* QDCOUNT != 1, AN/NSCOUNT != 0, ARCOUNT > 1 */
	XDPMX_CNT_MISS_NAME = 16,     /* compression pointer, label > 63, name > 255 */
	XDPMX_CNT_MISS_QCLASS = 17,   /* class other than IN */
	XDPMX_CNT_MISS_QTYPE = 18,    /* qtype other than A, AAAA, MX, PTR */
	XDPMX_CNT_MISS_EDNS = 19,     /* additional record not OPT v0, or malformed */
	XDPMX_CNT_MISS_NO_RRSET = 20, /* (name, qtype) not in the maps */
	XDPMX_CNT_MISS_DNSSEC = 21,   /* DO=1 for an RRset of a signed zone */

	/* Dropped: DNS responses (QR=1) sent to our port. */
	XDPMX_CNT_DROP_RESPONSE = 22,

	/* Impossible states (a failed array lookup): XDP_ABORTED. */
	XDPMX_CNT_ABORTED = 23,

	/* Miss: the frame could not be grown to hold the answer (the driver
	 * left too little head- and tailroom), so the slow path answers. */
	XDPMX_CNT_MISS_NO_ROOM = 24,

	XDPMX_CNT__MAX
};

#endif /* XDPMX_COUNTERS_H */
