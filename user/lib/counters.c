// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The counter name table: see counters.h. */
#include <errno.h>
#include <string.h>

#include "counters.h"

#define C(id, n, g, d) [XDPMX_CNT_##id] = {.name = n, .desc = d, .group = XDPMX_CG_##g}

const struct xdpmx_counter_info xdpmx_counter_info[] = {
	C(HIT_A, "hit.a", HIT, "A queries answered by the fast path"),
	C(HIT_AAAA, "hit.aaaa", HIT, "AAAA queries answered by the fast path"),
	C(HIT_MX, "hit.mx", HIT, "MX queries answered by the fast path"),
	C(HIT_PTR, "hit.ptr", HIT, "PTR queries answered by the fast path"),
	C(HIT_TC, "hit.tc", HIT,
	  "answered with TC=1 and no records: the RRset did not fit the client's buffer"),
	C(PASS_NOT_IP, "pass.not_ip", PASS, "frames that are neither IPv4 nor IPv6"),
	C(PASS_VLAN, "pass.vlan", PASS, "frames with more VLAN tags than the program walks"),
	C(PASS_NOT_UDP, "pass.not_udp", PASS, "IP packets that are not UDP (TCP/53 included)"),
	C(PASS_NOT_PORT, "pass.not_port", PASS,
	  "UDP not to the DNS port, or the fast path not configured"),
	C(PASS_IP_OPT, "pass.ip_opt", PASS, "IPv4 packets with header options"),
	C(PASS_IP_FRAG, "pass.ip_frag", PASS, "IPv4 fragments"),
	C(PASS_IP6_EXT, "pass.ip6_ext", PASS,
	  "IPv6 packets with an extension header (fragments included)"),
	C(MALFORMED, "malformed", MALFORMED,
	  "packets cut short or with a length field that disagrees with the bytes present"),
	C(MISS_OPCODE, "miss.opcode", MISS, "queries with an OPCODE other than QUERY"),
	C(MISS_FLAGS, "miss.flags", MISS, "queries with TC set"),
	C(MISS_COUNTS, "miss.counts", MISS,
	  "queries with QDCOUNT != 1, ANCOUNT or NSCOUNT != 0, or ARCOUNT > 1"),
	C(MISS_NAME, "miss.name", MISS,
	  "question names with a compression pointer, a label over 63 or a name over 255 octets"),
	C(MISS_QCLASS, "miss.qclass", MISS, "queries of a class other than IN"),
	C(MISS_QTYPE, "miss.qtype", MISS, "queries of a type other than A, AAAA, MX or PTR"),
	C(MISS_EDNS, "miss.edns", MISS,
	  "queries whose additional record is not a well-formed OPT of version 0"),
	C(MISS_NO_RRSET, "miss.no_rrset", MISS, "queries for a name and type not in the maps"),
	C(MISS_DNSSEC, "miss.dnssec", MISS, "DO=1 queries for an RRset of a signed zone"),
	C(DROP_RESPONSE, "drop.response", DROP, "DNS responses (QR=1) sent to the DNS port"),
	C(ABORTED, "aborted", ABORTED,
	  "impossible states (a failed array lookup, an inconsistent blob)"),
	C(MISS_NO_ROOM, "miss.no_room", MISS,
	  "queries whose frame the driver could not grow to hold the answer"),
};

_Static_assert(sizeof(xdpmx_counter_info) / sizeof(xdpmx_counter_info[0]) == XDPMX_CNT__MAX,
	       "one name per counter of include/xdpmx/counters.h");

static const char *const group_names[XDPMX_CG__MAX] = {
	[XDPMX_CG_HIT] = "hit",	  [XDPMX_CG_PASS] = "pass", [XDPMX_CG_MALFORMED] = "malformed",
	[XDPMX_CG_MISS] = "miss", [XDPMX_CG_DROP] = "drop", [XDPMX_CG_ABORTED] = "aborted",
};

const char *xdpmx_counter_name(unsigned id)
{
	return id < XDPMX_CNT__MAX ? xdpmx_counter_info[id].name : NULL;
}

int xdpmx_counter_by_name(const char *name)
{
	for (unsigned i = 0; name && i < XDPMX_CNT__MAX; i++)
		if (!strcmp(xdpmx_counter_info[i].name, name))
			return (int)i;
	return -ENOENT;
}

const char *xdpmx_counter_group_name(enum xdpmx_cnt_group g)
{
	return (unsigned)g < XDPMX_CG__MAX ? group_names[g] : NULL;
}
