/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Read-only parsing helpers of the fast path: Ethernet with up to two VLAN
 * tags, IPv4 without options, IPv6 without extension headers, UDP.
 *
 * BPF only; included by bpf/xdpmx.bpf.c and any BPF unit that parses the
 * same frames. Needs nothing but the uapi headers and the ABI.
 *
 * Contract of every parse_<hdr>(cur, ...): it checks each byte it reads
 * against cur->end before reading it, never writes the packet, and returns
 * XDPMX_GO (cur->pos advanced past the header, outputs set) or the counter
 * the packet ends with (cur and outputs untouched). Length fields are
 * trusted only after they are checked against the bytes present, and
 * lengths come from them, never from cur->end: Ethernet pads short frames.
 * Values in network byte order carry _be in their name or type.
 */
#ifndef XDPMX_BPF_PARSE_H
#define XDPMX_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xdpmx/counters.h>

/* Stage verdict: carry on. Every stage of the program (parse, look up,
 * build) returns XDPMX_GO or the counter id (enum xdpmx_counter, >= 0) the
 * packet ends with; bpf/stats.h turns that counter into the XDP action. */
#define XDPMX_GO (-1)

/* Every offset into a frame is below this: the program is not frags-aware,
 * so a frame is one linear buffer of less than a page. Helpers that take an
 * offset check it against this bound where they use it, so the verifier
 * sees a bounded offset whatever clang did with the value before. */
#define XDPMX_FRAME_MAX 4096

/* Where the parser is: the next unread byte and the end of the packet. */
struct xdpmx_cursor {
	void *pos;
	void *end;
};

/* VLAN tags walked: an 802.1ad S-tag over an 802.1Q C-tag (QinQ), the most
 * an access network stacks. A third tag is passed up (PASS_VLAN). */
#define XDPMX_VLAN_MAX 2

/* An 802.1Q / 802.1ad tag as it follows the MAC addresses (not in uapi). */
struct xdpmx_vlan_hdr {
	__be16 tci;
	__be16 proto_be; /* EtherType of what follows the tag */
};

/* IPv4 fields the uapi struct only has as bitfields or kernel macros. */
#define XDPMX_IP4_VERSION(vihl) ((vihl) >> 4)
#define XDPMX_IP4_IHL(vihl) ((vihl)&0x0f) /* in 32-bit words */
#define XDPMX_IP4_IHL_MIN 5		  /* 20 octets: no options */
#define XDPMX_IP4_MF 0x2000		  /* frag_off: more fragments */
#define XDPMX_IP4_OFFSET 0x1fff		  /* frag_off: fragment offset */
#define XDPMX_IP6_VERSION(b0) ((b0) >> 4)

static __always_inline int is_vlan(__be16 proto_be)
{
	return proto_be == bpf_htons(ETH_P_8021Q) || proto_be == bpf_htons(ETH_P_8021AD);
}

/* Offset of packet pointer p from data, as a value the verifier knows
 * nothing about. It is a pointer difference, which the verifier treats as an
 * unknown scalar; barrier_var() keeps clang from folding it back into the
 * offset it was computed from. Without this, the stages after parsing would
 * be verified once for every Ethernet/IP shape and every label count of the
 * question (each gives another known offset) and the program would exceed
 * the verifier's complexity limit. Callers bound the result before use. */
static __always_inline __u32 pkt_off(void *p, void *data)
{
	barrier_var(p);
	return p - data;
}

/* IPv6 extension header types (IANA "IPv6 Extension Header Types", RFC 8200
 * section 4): hop-by-hop, routing, fragment, ESP, AH, destination options,
 * mobility, HIP, shim6 and the two experimental values. */
static __always_inline int is_ip6_ext(__u8 nexthdr)
{
	switch (nexthdr) {
	case 0:	  /* hop-by-hop options */
	case 43:  /* routing */
	case 44:  /* fragment */
	case 50:  /* ESP */
	case 51:  /* AH */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
	case 253: /* experimental */
	case 254: /* experimental */
		return 1;
	}
	return 0;
}

/* Ethernet header and up to XDPMX_VLAN_MAX VLAN tags (0x8100 and 0x88a8 in
 * any order). *proto_be: the EtherType after the tags. */
static __always_inline int parse_eth(struct xdpmx_cursor *cur, __be16 *proto_be)
{
	struct ethhdr *eth = cur->pos;
	struct xdpmx_vlan_hdr *vh;
	__be16 proto;
	int i;

	if ((void *)(eth + 1) > cur->end)
		return XDPMX_CNT_MALFORMED;
	proto = eth->h_proto;
	vh = (void *)(eth + 1);
#pragma unroll
	for (i = 0; i < XDPMX_VLAN_MAX; i++) {
		if (!is_vlan(proto))
			break;
		if ((void *)(vh + 1) > cur->end)
			return XDPMX_CNT_MALFORMED;
		proto = vh->proto_be;
		vh++;
	}
	if (is_vlan(proto))
		return XDPMX_CNT_PASS_VLAN;
	cur->pos = vh;
	*proto_be = proto;
	return XDPMX_GO;
}

/* IPv4 header without options, not a fragment, carrying UDP. *pay_len: the
 * IP payload length from tot_len (host order), checked against the bytes
 * present. */
static __always_inline int parse_ipv4(struct xdpmx_cursor *cur, __u32 *pay_len)
{
	struct iphdr *iph = cur->pos;
	__u8 vihl;
	__u32 tot;

	if ((void *)(iph + 1) > cur->end)
		return XDPMX_CNT_MALFORMED;
	vihl = *(__u8 *)iph;
	if (XDPMX_IP4_VERSION(vihl) != 4 || XDPMX_IP4_IHL(vihl) < XDPMX_IP4_IHL_MIN)
		return XDPMX_CNT_MALFORMED;
	if (XDPMX_IP4_IHL(vihl) > XDPMX_IP4_IHL_MIN)
		return XDPMX_CNT_PASS_IP_OPT;
	if (iph->frag_off & bpf_htons(XDPMX_IP4_MF | XDPMX_IP4_OFFSET))
		return XDPMX_CNT_PASS_IP_FRAG;
	if (iph->protocol != IPPROTO_UDP)
		return XDPMX_CNT_PASS_NOT_UDP;
	tot = bpf_ntohs(iph->tot_len);
	if (tot < sizeof(*iph) + sizeof(struct udphdr) || (void *)iph + tot > cur->end)
		return XDPMX_CNT_MALFORMED;
	*pay_len = tot - sizeof(*iph);
	cur->pos = iph + 1;
	return XDPMX_GO;
}

/* IPv6 header directly followed by UDP. *pay_len: payload_len (host order),
 * checked against the bytes present. */
static __always_inline int parse_ipv6(struct xdpmx_cursor *cur, __u32 *pay_len)
{
	struct ipv6hdr *ip6h = cur->pos;
	__u32 plen;

	if ((void *)(ip6h + 1) > cur->end)
		return XDPMX_CNT_MALFORMED;
	if (XDPMX_IP6_VERSION(*(__u8 *)ip6h) != 6)
		return XDPMX_CNT_MALFORMED;
	if (ip6h->nexthdr != IPPROTO_UDP)
		return is_ip6_ext(ip6h->nexthdr) ? XDPMX_CNT_PASS_IP6_EXT : XDPMX_CNT_PASS_NOT_UDP;
	plen = bpf_ntohs(ip6h->payload_len);
	if (plen < sizeof(struct udphdr) || (void *)(ip6h + 1) + plen > cur->end)
		return XDPMX_CNT_MALFORMED;
	*pay_len = plen;
	cur->pos = ip6h + 1;
	return XDPMX_GO;
}

/* UDP header to port_be, whose length equals the IP payload length pay_len.
 * *dns_len: the UDP payload length (host order). */
static __always_inline int parse_udp(struct xdpmx_cursor *cur, __u32 pay_len, __be16 port_be,
				     __u32 *dns_len)
{
	struct udphdr *udph = cur->pos;

	if ((void *)(udph + 1) > cur->end)
		return XDPMX_CNT_MALFORMED;
	if (udph->dest != port_be)
		return XDPMX_CNT_PASS_NOT_PORT;
	if (bpf_ntohs(udph->len) != pay_len)
		return XDPMX_CNT_MALFORMED;
	*dns_len = pay_len - sizeof(*udph);
	cur->pos = udph + 1;
	return XDPMX_GO;
}

#endif /* XDPMX_BPF_PARSE_H */
