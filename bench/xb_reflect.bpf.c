// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The bare reflector: the benchmark's floor. It turns a UDP packet to the
 * DNS port around without any DNS work: swap the MAC addresses, the IP
 * addresses and the ports, set QR in the DNS header, fix the UDP checksum
 * for that one bit (RFC 1624), and XDP_TX.
 *
 * Handles Ethernet with at most one VLAN tag, IPv4 without options or
 * fragments, IPv6 with UDP as the first next header. Everything else
 * (ARP, ND, other ports, IPv4 options, IPv6 extension headers, a DNS header
 * cut short) goes up unchanged with XDP_PASS, so the testbed keeps working.
 *
 * Built only by `make bench`; attached by bench/run.sh (ip link ... xdpdrv)
 * and run under BPF_PROG_TEST_RUN by bench/xb_cost.c through its skeleton.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* 802.1Q / 802.1ad tag: TCI then the encapsulated EtherType. */
struct xb_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

/* The DNS port the reflector answers on (network order), set through the
 * skeleton's rodata before load. */
const volatile __be16 xb_port = bpf_htons(53);

/* Packets reflected, packets passed: PERCPU_ARRAY so no two CPUs share a
 * cache line. [0] reflected, [1] passed. Read by bench/xb_attach.c. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} xb_refl_cnt SEC(".maps");

static __always_inline int count(__u32 idx, int action)
{
	__u64 *c = bpf_map_lookup_elem(&xb_refl_cnt, &idx);

	if (c)
		*c += 1;
	return action;
}

/* Swap n bytes at a and b in place. */
static __always_inline void swap_bytes(__u8 *a, __u8 *b, int n)
{
#pragma unroll
	for (int i = 0; i < n; i++) {
		__u8 t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

/* RFC 1624 eqn. 3 for one 16-bit word: HC' = ~(~HC + ~m + m'). Returns the
 * new checksum; a result of 0 goes out as 0xffff (0 means "no checksum" in
 * UDP over IPv4 and is invalid over IPv6). */
static __always_inline __u16 csum_replace16(__u16 check, __u16 old, __u16 new)
{
	__u32 sum = (__u16)~check + (__u16)~old + (__u32) new;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (__u16)~sum;
	return sum ? sum : 0xffff;
}

SEC("xdp")
int xb_reflect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct udphdr *udp;
	void *l3;
	__be16 proto;
	__u8 *dns;

	if ((void *)(eth + 1) > end)
		return count(1, XDP_PASS);
	proto = eth->h_proto;
	l3 = eth + 1;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		struct xb_vlan_hdr *vh = l3;

		if ((void *)(vh + 1) > end)
			return count(1, XDP_PASS);
		proto = vh->proto;
		l3 = vh + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP ||
		    (ip->frag_off & bpf_htons(0x3fff)))
			return count(1, XDP_PASS);
		udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > end || udp->dest != xb_port)
			return count(1, XDP_PASS);
		/* Swapping addresses changes neither the IP nor the UDP sum. */
		swap_bytes((__u8 *)&ip->saddr, (__u8 *)&ip->daddr, 4);
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return count(1, XDP_PASS);
		udp = (void *)(ip6 + 1);
		if ((void *)(udp + 1) > end || udp->dest != xb_port)
			return count(1, XDP_PASS);
		swap_bytes((__u8 *)&ip6->saddr, (__u8 *)&ip6->daddr, 16);
	} else {
		return count(1, XDP_PASS);
	}

	/* The DNS header: 12 bytes; QR is the top bit of byte 2. */
	dns = (__u8 *)(udp + 1);
	if ((void *)(dns + 12) > end)
		return count(1, XDP_PASS);
	if (udp->check) {
		__u16 old = ((__u16)dns[2] << 8) | dns[3];
		__u16 new = old | 0x8000;

		/* The sum is over big-endian words: convert around it. */
		udp->check = bpf_htons(csum_replace16(bpf_ntohs(udp->check), old, new));
	}
	dns[2] |= 0x80;

	swap_bytes((__u8 *)&udp->source, (__u8 *)&udp->dest, 2);
	swap_bytes(eth->h_source, eth->h_dest, ETH_ALEN);
	return count(0, XDP_TX);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
