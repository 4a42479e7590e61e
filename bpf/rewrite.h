/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Helpers that turn the query frame into the answer frame in place: resize,
 * swap addresses and ports, rewrite the IP, UDP and DNS headers, copy the
 * compiled RRset from its blob, append the OPT record, checksum.
 *
 * BPF only; included by bpf/xdpmx.bpf.c. Needs bpf/csum.h, bpf/dns.h.
 *
 * Positions are offsets from the start of the frame (data), never packet
 * pointers kept across calls: bpf_xdp_adjust_tail() invalidates every packet
 * pointer, so each helper takes data and end as they are now and checks
 * every byte it writes against end. A helper returns 0, or -1 if a write
 * would leave the frame, which the caller's earlier checks make impossible.
 */
#ifndef XDPMX_BPF_REWRITE_H
#define XDPMX_BPF_REWRITE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xdpmx/abi.h>

#include "csum.h"
#include "dns.h"

/* TTL / hop limit of answers, as the kernel's default for locally sent
 * packets (net.ipv4.ip_default_ttl). */
#define XDPMX_ANSWER_TTL 64

/* Resize the frame to len octets (grow or shrink at the tail). The caller
 * must re-read ctx->data and ctx->data_end afterwards: the helper
 * invalidates every packet pointer. Returns 0 or the helper's error. */
static __always_inline int resize_frame(struct xdp_md *ctx, __u32 len)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	int delta = (int)len - (int)(end - data);

	if (!delta)
		return 0;
	return bpf_xdp_adjust_tail(ctx, delta);
}

/* Swap the Ethernet source and destination addresses; VLAN tags behind
 * them stay as they are. */
static __always_inline int swap_eth(void *data, void *end)
{
	struct ethhdr *eth = data;
	__u8 tmp[ETH_ALEN];

	if ((void *)(eth + 1) > end)
		return -1;
	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
	return 0;
}

/* IPv4 and UDP headers of the answer at l3_off: addresses and ports
 * swapped, TTL, total length and header checksum for a UDP datagram of
 * udp_len octets, UDP length. The UDP checksum is zeroed; *pseudo gets the
 * pseudo-header sum for it. */
static __always_inline int answer_ipv4(void *data, void *end, __u32 l3_off, __u32 udp_len,
				       __u64 *pseudo)
{
	struct iphdr *iph;
	struct udphdr *udph;
	__be32 addr;
	__be16 port;

	if (l3_off > XDPMX_FRAME_MAX)
		return -1;
	barrier_var(l3_off); /* see copy_word() */
	iph = data + l3_off;
	udph = (void *)(iph + 1);
	if ((void *)(udph + 1) > end)
		return -1;
	addr = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = addr;
	iph->ttl = XDPMX_ANSWER_TTL;
	iph->tot_len = bpf_htons(sizeof(*iph) + udp_len);
	iph->check = 0;
	iph->check = csum_finish(csum_ip4hdr((__u32 *)iph));

	port = udph->source;
	udph->source = udph->dest;
	udph->dest = port;
	udph->len = bpf_htons(udp_len);
	udph->check = 0;
	*pseudo = csum_pseudo4(iph->saddr, iph->daddr, udp_len);
	return 0;
}

/* IPv6 and UDP headers of the answer at l3_off, as answer_ipv4(): addresses
 * and ports swapped, hop limit, payload length, UDP length. */
static __always_inline int answer_ipv6(void *data, void *end, __u32 l3_off, __u32 udp_len,
				       __u64 *pseudo)
{
	struct ipv6hdr *ip6h;
	struct udphdr *udph;
	struct in6_addr addr;
	__be16 port;

	if (l3_off > XDPMX_FRAME_MAX)
		return -1;
	barrier_var(l3_off); /* see copy_word() */
	ip6h = data + l3_off;
	udph = (void *)(ip6h + 1);
	if ((void *)(udph + 1) > end)
		return -1;
	addr = ip6h->saddr;
	ip6h->saddr = ip6h->daddr;
	ip6h->daddr = addr;
	ip6h->hop_limit = XDPMX_ANSWER_TTL;
	ip6h->payload_len = bpf_htons(udp_len);

	port = udph->source;
	udph->source = udph->dest;
	udph->dest = port;
	udph->len = bpf_htons(udp_len);
	udph->check = 0;
	*pseudo = csum_pseudo6(&ip6h->saddr, &ip6h->daddr, udp_len);
	return 0;
}

/* IP and UDP headers of the answer for a frame of len octets, the IP
 * header at l3_off: answer_ipv4() or answer_ipv6() by the header's version
 * (parsing accepted only those two). *udp_off: where the UDP header is. */
static __always_inline int answer_ip(void *data, void *end, __u32 l3_off, __u32 len,
				     __u32 *udp_off, __u64 *pseudo)
{
	__u8 *p;

	if (l3_off > XDPMX_FRAME_MAX || len > XDPMX_FRAME_MAX)
		return -1;
	barrier_var(l3_off); /* see copy_word() */
	p = data + l3_off;
	if ((void *)(p + 1) > end)
		return -1;
	if (XDPMX_IP6_VERSION(*p) == 6) {
		*udp_off = l3_off + sizeof(struct ipv6hdr);
		return answer_ipv6(data, end, l3_off, len - *udp_off, pseudo);
	}
	*udp_off = l3_off + sizeof(struct iphdr);
	return answer_ipv4(data, end, l3_off, len - *udp_off, pseudo);
}

/* DNS header of the answer at dns_off: QR and AA set, OPCODE QUERY, RD and
 * CD copied from the query's flags, TC as given, RA, Z, AD and RCODE 0;
 * QDCOUNT stays 1, NSCOUNT 0. */
static __always_inline int answer_dns_hdr(void *data, void *end, __u32 dns_off, __u16 qflags,
					  __u16 tc, __u16 ancount, __u16 arcount)
{
	__u16 f = XDPMX_DNS_QR | XDPMX_DNS_AA | tc | (qflags & (XDPMX_DNS_RD | XDPMX_DNS_CD));
	struct xdpmx_dnshdr *h;

	if (dns_off > XDPMX_FRAME_MAX)
		return -1;
	barrier_var(dns_off); /* see copy_word() */
	h = data + dns_off;
	if ((void *)(h + 1) > end)
		return -1;
	h->flags = bpf_htons(f);
	h->ancount = bpf_htons(ancount);
	h->nscount = 0;
	h->arcount = bpf_htons(arcount);
	return 0;
}

/* Copy one 8-octet word from blob + src to data + dst. lim: the blob's
 * class size; the array value has XDPMX_BLOB_SLACK octets after it, so a
 * word read from any src <= lim stays inside the value. */
static __always_inline int copy_word(void *data, void *end, __u32 dst, const __u8 *blob,
				     __u32 lim, __u32 src)
{
	void *p;

	if (src > lim || dst > XDPMX_FRAME_MAX)
		return -1;
	/* Without the barriers clang forms blob + src and data + dst before
	 * the checks, from copies of src and dst, and the verifier sees
	 * accesses at unbounded offsets. */
	barrier_var(src);
	barrier_var(dst);
	p = data + dst;
	if (p + 8 > end)
		return -1;
	*(__u64 *)p = *(const __u64 *)(blob + src);
	return 0;
}

/*
 * Copy n octets of a blob (of class size lim, see copy_word()) from src to
 * data + dst, 8 at a time. n is 0 or at least 8 (every record is longer), so
 * the last, partial word is copied as the 8 octets ending at n, overlapping
 * the word before it instead of spilling past the end.
 *
 * The last word goes first: after the loop nothing that depends on how many
 * times it ran is used again, so the verifier's states after the loop are
 * all alike and it does not verify the rest of the program once per count.
 */
static __always_inline int copy_blob(void *data, void *end, __u32 dst, const __u8 *blob, __u32 lim,
				     __u32 src, __u32 n)
{
	int i;

	if (!n)
		return 0;
	if (n < 8 || n > lim)
		return -1;
	if (copy_word(data, end, dst + n - 8, blob, lim, src + n - 8))
		return -1;
	for (i = 0; i < XDPMX_BLOB_MAX / 8; i++) {
		__u32 o = i * 8;

		if (o + 8 > n)
			break;
		if (copy_word(data, end, dst + o, blob, lim, src + o))
			return -1;
	}
	return 0;
}

/* The OPT record of the answer at data + off (RFC 6891 section 6.1.2): root
 * owner, our UDP payload size, extended RCODE 0, version 0, DO as given,
 * no options. */
static __always_inline int write_opt(void *data, void *end, __u32 off, __u16 udp_size, __u8 do_bit)
{
	__u8 *p;

	if (off > XDPMX_FRAME_MAX)
		return -1;
	barrier_var(off); /* see copy_word() */
	p = data + off;
	if ((void *)(p + XDPMX_OPT_LEN) > end)
		return -1;
	p[0] = 0;
	*(__be16 *)(p + XDPMX_OPT_OFF_TYPE) = bpf_htons(XDPMX_TYPE_OPT);
	*(__be16 *)(p + XDPMX_OPT_OFF_CLASS) = bpf_htons(udp_size);
	p[XDPMX_OPT_OFF_ERCODE] = 0;
	p[XDPMX_OPT_OFF_VERSION] = 0;
	p[XDPMX_OPT_OFF_FLAGS] = do_bit ? XDPMX_OPT_DO : 0;
	p[XDPMX_OPT_OFF_FLAGS + 1] = 0;
	*(__be16 *)(p + XDPMX_OPT_OFF_RDLEN) = 0;
	return 0;
}

/* Store the UDP checksum of the datagram at data + udp_off, udp_len octets
 * long, its checksum field zero, pseudo: its pseudo-header sum. */
static __always_inline int write_udp_csum(void *data, void *end, __u32 udp_off, __u32 udp_len,
					  __u64 pseudo)
{
	struct udphdr *udph;
	__u64 sum = pseudo;

	if (csum_pkt(data, end, udp_off, udp_len, &sum))
		return -1;
	if (udp_off > XDPMX_FRAME_MAX)
		return -1;
	barrier_var(udp_off); /* see copy_word() */
	udph = data + udp_off;
	if ((void *)(udph + 1) > end)
		return -1;
	udph->check = csum_finish_udp(sum);
	return 0;
}

#endif /* XDPMX_BPF_REWRITE_H */
