/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Internet checksums for the answers the fast path builds (RFC 1071): add,
 * fold, byte-lane placement and pseudo-header sums.
 *
 * BPF only; included by bpf/rewrite.h, bpf/dns.h and bpf/xdpmx.bpf.c.
 *
 * The UDP checksum of an answer is computed in full, over the pseudo header,
 * the UDP header and every payload octet, but in the same pass that writes
 * the answer: each octet goes through a register on its way into the packet
 * (the question name when the key is built, the records as they are copied
 * from the blob, the header fields as they are set), and is added there.
 * A second pass over the packet with bpf_csum_diff() cost 30 to 50 ns per
 * answer on the reference machine (three or four helper calls plus the odd
 * tail), more than everything else the answer needs apart from the
 * directory lookup; summing in the copy loop costs a few instructions per
 * 8 octets.
 *
 * Sums are 64-bit accumulators of words as loaded from memory, in host
 * order. One's complement addition does not care about byte order as long
 * as every word is added the same way, and the folded result is stored as
 * it was computed (RFC 1071 section 2 (B)). A piece of data summed on its
 * own lanes and then placed at an odd offset has its octets paired the other
 * way round: its folded sum is byte-swapped (RFC 1071 section 2 (B) again).
 */
#ifndef XDPMX_BPF_CSUM_H
#define XDPMX_BPF_CSUM_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Fold a 64-bit sum to 16 bits (not complemented). */
static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* Add the 16-bit lanes of an 8-octet word as loaded (two 32-bit halves:
 * the carries stay in the upper half of the 64-bit sum until folded). */
static __always_inline __u64 csum_add64(__u64 sum, __u64 w)
{
	return sum + (w & 0xffffffff) + (w >> 32);
}

/* The sum of a piece of data, summed from its own first octet, for placing
 * it at offset off of the checksummed range: as it is at an even offset,
 * byte-swapped at an odd one. */
static __always_inline __u64 csum_place(__u64 sum, __u32 off)
{
	__u32 odd = off & 1;
	__u16 f;

	/* Test a copy: a test of off itself tells the verifier off's parity,
	 * and then every piece placed doubles its states (860k instructions
	 * processed instead of 100k). */
	barrier_var(odd);
	if (!odd)
		return sum;
	f = csum_fold(sum);
	return (__u16)((f >> 8) | (f << 8));
}

/* The checksum field value for a sum: complemented fold. */
static __always_inline __u16 csum_finish(__u64 sum)
{
	return (__u16)~csum_fold(sum);
}

/* The UDP checksum field for a sum (RFC 768): a computed 0 is sent as all
 * ones, because 0 means "no checksum" (and is not allowed at all over IPv6,
 * RFC 8200 section 8.1). */
static __always_inline __u16 csum_finish_udp(__u64 sum)
{
	__u16 c = csum_finish(sum);

	return c ? c : 0xffff;
}

/* IPv4 pseudo header of a UDP datagram of udp_len octets (RFC 768). */
static __always_inline __u64 csum_pseudo4(__be32 saddr, __be32 daddr, __u32 udp_len)
{
	return (__u64)saddr + daddr + bpf_htons(IPPROTO_UDP) + bpf_htons(udp_len);
}

/* IPv6 pseudo header of a UDP datagram of udp_len octets (RFC 8200 section
 * 8.1); the 32-bit length and next-header fields sum like 16-bit ones. */
static __always_inline __u64 csum_pseudo6(const struct in6_addr *saddr,
					  const struct in6_addr *daddr, __u32 udp_len)
{
	__u64 sum = bpf_htons(IPPROTO_UDP) + bpf_htons(udp_len);
	int i;

#pragma unroll
	for (i = 0; i < 4; i++)
		sum += (__u64)saddr->in6_u.u6_addr32[i] + daddr->in6_u.u6_addr32[i];
	return sum;
}

#endif /* XDPMX_BPF_CSUM_H */
