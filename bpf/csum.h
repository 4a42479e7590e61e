/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Internet checksums for the answers the fast path builds (RFC 1071): fold,
 * pseudo-header sums, and the sum over a packet range in large chunks with
 * bpf_csum_diff().
 *
 * BPF only; included by bpf/rewrite.h and bpf/xdpmx.bpf.c.
 *
 * Sums are kept as 64-bit accumulators of words loaded from memory in host
 * order; one's complement addition does not care about byte order as long
 * as every word is added the same way, and the folded 16-bit result is
 * stored back as loaded (RFC 1071 section 2 (B)). bpf_csum_diff() returns
 * the same kind of 32-bit partial sum.
 */
#ifndef XDPMX_BPF_CSUM_H
#define XDPMX_BPF_CSUM_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Chunk of one bpf_csum_diff() call in the main loop. Before Linux 6.12 the
 * helper copies its input to a 512-byte per-CPU scratch buffer, so a chunk
 * must not exceed 512 bytes; sizes are multiples of 4 (the helper refuses
 * others) and constants the verifier can check the packet range against. */
#define XDPMX_CSUM_CHUNK 256
/* Frame offsets are below this (as XDPMX_FRAME_MAX of bpf/parse.h). */
#define XDPMX_CSUM_OFF_MAX 4096
/* Longest range summed: bounds the loop. More than any answer (headers,
 * a 255-octet question, an XDPMX_BLOB_MAX blob and an OPT record). */
#define XDPMX_CSUM_LEN_MAX 2048

/* Fold a 64-bit sum to 16 bits (not complemented). */
static __always_inline __u16 csum_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
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

/* Sum of the 32-bit words of an IPv4 header without options. */
static __always_inline __u64 csum_ip4hdr(const __u32 *w)
{
	return (__u64)w[0] + w[1] + w[2] + w[3] + w[4];
}

/* One bpf_csum_diff() chunk of `size` octets at data + off into *acc.
 * Returns 0, or -1 if the chunk is not in the packet. */
static __always_inline int csum_chunk(void *data, void *end, __u32 off, __u32 size, __u32 *acc)
{
	void *p;
	__s64 r;

	if (off > XDPMX_CSUM_OFF_MAX)
		return -1;
	/* Without the barrier clang may form data + off from a copy of off
	 * made before the check, which the verifier sees unbounded. */
	barrier_var(off);
	p = data + off;
	if (p + size > end)
		return -1;
	r = bpf_csum_diff(NULL, 0, p, size, *acc);
	if (r < 0)
		return -1;
	*acc = r;
	return 0;
}

/* Add the `size` (4, 2 or 1) octets at data + off to *sum as loaded; a lone
 * octet is the first of a 16-bit word padded with zero. Returns 0, or -1 if
 * they are not in the packet. */
static __always_inline int csum_small(void *data, void *end, __u32 off, __u32 size, __u64 *sum)
{
	void *p;

	if (off > XDPMX_CSUM_OFF_MAX)
		return -1;
	barrier_var(off); /* see csum_chunk(); also keeps clang from strength-
			   * reducing the callers' loops into pointer arithmetic
			   * the verifier refuses (bitwise ops on pointers) */
	p = data + off;
	if (p + size > end)
		return -1;
	if (size == 4)
		*sum += *(__u32 *)p;
	else if (size == 2)
		*sum += *(__u16 *)p;
	else
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		*sum += *(__u8 *)p;
#else
		*sum += (__u16)(*(__u8 *)p) << 8;
#endif
	return 0;
}

/* The chunk of `size` octets (a power of two below XDPMX_CSUM_CHUNK) that
 * the binary expansion of len has: it starts where the bigger ones end. */
#define XDPMX_CSUM_TAIL_OFF(len, size) ((len) & ~(2 * (size)-1))

/*
 * Add the octets [off, off + len) of the packet to *sum, as 16-bit words
 * from off (an odd last octet is padded with zero). Returns 0, or -1 if the
 * range is not in the packet or too long (nothing sensible is left in *sum).
 *
 * Chunks of XDPMX_CSUM_CHUNK octets, then one of each power of two from 128
 * to 32 that len has, through bpf_csum_diff(); the last < 32 octets by hand.
 * Every chunk offset is computed from len alone (not advanced per chunk),
 * so the verifier sees the same state after each optional chunk whether or
 * not it was taken: advancing an offset instead doubles its states per
 * optional chunk.
 */
static __always_inline int csum_pkt(void *data, void *end, __u32 off, __u32 len, __u64 *sum)
{
	__u32 acc = 0, base, w;
	__u64 s = *sum;
	int i;

	if (len > XDPMX_CSUM_LEN_MAX || off > XDPMX_CSUM_OFF_MAX)
		return -1;
	barrier_var(len); /* see csum_chunk() */
	barrier_var(off);
	for (i = 0; i < XDPMX_CSUM_LEN_MAX / XDPMX_CSUM_CHUNK; i++) {
		__u32 o = i * XDPMX_CSUM_CHUNK;

		if (o + XDPMX_CSUM_CHUNK > len)
			break;
		if (csum_chunk(data, end, off + o, XDPMX_CSUM_CHUNK, &acc))
			return -1;
	}
	if ((len & 128) && csum_chunk(data, end, off + XDPMX_CSUM_TAIL_OFF(len, 128), 128, &acc))
		return -1;
	if ((len & 64) && csum_chunk(data, end, off + XDPMX_CSUM_TAIL_OFF(len, 64), 64, &acc))
		return -1;
	if ((len & 32) && csum_chunk(data, end, off + XDPMX_CSUM_TAIL_OFF(len, 32), 32, &acc))
		return -1;

	/* The last len % 32 octets: whole 32-bit words, then 0 to 3 octets. */
	base = off + (len & ~31U);
	w = (len & 31) / 4;
	for (i = 0; i < 7; i++) {
		if (i >= w)
			break;
		if (csum_small(data, end, base + 4 * i, 4, &s))
			return -1;
	}
	if ((len & 2) && csum_small(data, end, off + (len & ~3U), 2, &s))
		return -1;
	if ((len & 1) && csum_small(data, end, off + (len & ~1U), 1, &s))
		return -1;
	*sum = s + acc;
	return 0;
}

#endif /* XDPMX_BPF_CSUM_H */
