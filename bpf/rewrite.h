/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Helpers that turn the query frame into the answer frame in place: resize,
 * rewrite the DNS header, append the OPT record, copy the compiled RRset
 * from its blob, swap addresses and ports, rewrite the IP and UDP headers.
 * Each helper that writes UDP payload octets adds them to the running UDP
 * checksum sum as it writes them (bpf/csum.h explains why).
 *
 * BPF only; included by bpf/xdpmx.bpf.c. Needs bpf/csum.h, bpf/dns.h.
 *
 * Positions are offsets from the start of the frame (data), never packet
 * pointers kept across calls: bpf_xdp_adjust_head() and _tail() invalidate
 * every packet pointer, so each helper takes data and end as they are now,
 * checks its offsets against XDPMX_FRAME_MAX where it uses them and every
 * byte it writes against end. A helper returns 0, or -1 if a write would
 * leave the frame, which the caller's earlier checks make impossible.
 *
 * Each offset goes through barrier_var() right after its check and before
 * it is added to a pointer. Without it clang may form the pointer from a
 * copy of the offset made before the check (or rebuild the sum the offset
 * came from), and the verifier, which bounds only the register it saw
 * compared, refuses an access at an unbounded offset.
 *
 * The UDP header is at an even offset (Ethernet, tags and IP headers are
 * all of even length), so an offset's parity in the frame is its parity in
 * the checksummed range.
 */
#ifndef XDPMX_BPF_REWRITE_H
#define XDPMX_BPF_REWRITE_H

#include <linux/bpf.h>
#include <linux/errno.h>
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

/* Move `size` octets (a constant multiple of 8) of the frame from
 * data + src to data + dst, dst < src, word by word in ascending order: a
 * word is always read before any write that overlaps it (a destination
 * word lies below its source, and below every later source). */
static __always_inline int move_chunk(void *data, void *end, __u32 dst, __u32 src, __u32 size)
{
	__u8 *d, *s;
	int k;

	if (dst > XDPMX_FRAME_MAX || src > XDPMX_FRAME_MAX)
		return -1;
	barrier_var(dst);
	barrier_var(src);
	d = data + dst;
	s = data + src;
	if ((void *)(d + size) > end || (void *)(s + size) > end)
		return -1;
#pragma unroll
	for (k = 0; k < size / 8; k++)
		*(__u64 *)(d + 8 * k) = *(__u64 *)(s + 8 * k);
	return 0;
}

/* Largest chunk move_head() moves at once; smaller ones are its halves. */
#define XDPMX_MOVE_CHUNK 64
/* What move_head() moves is the headers and the question: at most
 * XDPMX_QEND_OFF_MAX octets, the bound of its loop. */
#define XDPMX_MOVE_MAX XDPMX_QEND_OFF_MAX

/* The chunk of `size` octets (a power of two below XDPMX_MOVE_CHUNK) that
 * the binary expansion of len has, if it has it (tested on a copy, as in
 * copy_tail_chunk()). */
static __always_inline int move_tail_chunk(void *data, void *end, __u32 dist, __u32 len, __u32 size)
{
	__u32 has = len & size, off = len & ~(2 * size - 1);

	barrier_var(has);
	if (!has)
		return 0;
	return move_chunk(data, end, off, dist + off, size);
}

/*
 * After the frame grew by dist octets at its head, move its first len
 * octets (8 <= len <= XDPMX_MOVE_MAX: the headers and the question) from
 * data + dist back to data. Ascending chunks, each read before it is
 * overwritten (move_chunk()); the last, partial word overlaps the one
 * before it, so it is read first and written last.
 */
static __always_inline int move_head(void *data, void *end, __u32 dist, __u32 len)
{
	__u32 whole = len & ~7U, chunks;
	__u64 last, o;
	__u8 *p;
	int i;

	if (len < 8 || len > XDPMX_MOVE_MAX || dist > XDPMX_FRAME_MAX)
		return -1;
	/* Here the barrier comes before the check: clang otherwise checks
	 * data + dist + len against end and reads 8 octets below that pointer
	 * (a negative offset the verifier refuses), or rebuilds the sum from
	 * unchecked copies. */
	o = (__u64)dist + len - 8;
	barrier_var(o);
	if (o > 2 * XDPMX_FRAME_MAX)
		return -1;
	p = data + o;
	if ((void *)(p + 8) > end)
		return -1;
	last = *(__u64 *)p;
	chunks = whole / XDPMX_MOVE_CHUNK;
	barrier_var(chunks); /* see copy_blob() */
	for (i = 0; i < XDPMX_MOVE_MAX / XDPMX_MOVE_CHUNK; i++) {
		__u32 off = i * XDPMX_MOVE_CHUNK;

		if (i >= chunks)
			break;
		if (move_chunk(data, end, off, dist + off, XDPMX_MOVE_CHUNK))
			return -1;
	}
	if (move_tail_chunk(data, end, dist, whole, 32) ||
	    move_tail_chunk(data, end, dist, whole, 16) ||
	    move_tail_chunk(data, end, dist, whole, 8))
		return -1;
	o = len - 8;
	barrier_var(o);
	if (o > XDPMX_FRAME_MAX)
		return -1;
	p = data + o;
	if ((void *)(p + 8) > end)
		return -1;
	*(__u64 *)p = last;
	return 0;
}

/* The most a frame's head can grow by: XDP promises XDP_PACKET_HEADROOM
 * (256) octets before the frame, of which bpf_xdp_adjust_head() keeps
 * room for struct xdp_frame (40 octets on 64-bit kernels) free. */
#define XDPMX_HEAD_GROW_MAX (256 - 40)

/*
 * Resize the frame to len octets, keeping its first `keep` octets (the
 * headers and the question) at its start; what follows them is left for
 * the caller to fill. Returns 0; -ENOSPC if the frame cannot grow that
 * much (nothing changed); -EFAULT if the move failed half way, which the
 * checks before make impossible. The caller must re-read ctx->data and
 * ctx->data_end: both helpers invalidate every packet pointer.
 *
 * Growing prefers the head. Measured here (BPF_PROG_TEST_RUN): growing the
 * head by 64 octets costs 9 ns, the tail 17 ns (bpf_xdp_adjust_tail()
 * zeroes what it adds), 27 ns for 256; moving the headers and question of
 * an A query forward 4 ns. And tailroom can be short: a veth or
 * generic-XDP frame can be the sender's own small skb, whose tail refused
 * even 132 octets in tests. The tail is the fallback, and the first choice
 * for growth beyond XDPMX_HEAD_GROW_MAX: a head growth that fails costs a
 * helper call, 8 ns (a 32-record answer: 123 -> 116 ns).
 */
static __always_inline int resize_frame(struct xdp_md *ctx, __u32 len, __u32 keep)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	int delta;

	/* As 64-bit pointers: clang otherwise keeps the 32-bit ctx fields and
	 * may spill one in 4 octets, which the verifier refuses for a
	 * pointer ("invalid size of register spill"). */
	barrier_var(data);
	barrier_var(end);
	delta = (int)len - (int)(end - data);
	if (delta <= 0) /* shrinking: never below the Ethernet header */
		return delta && bpf_xdp_adjust_tail(ctx, delta) ? -EFAULT : 0;
	if (delta <= XDPMX_HEAD_GROW_MAX && !bpf_xdp_adjust_head(ctx, -delta)) {
		/* Packet pointers are invalid after the helper: re-read. */
		data = (void *)(long)ctx->data;
		end = (void *)(long)ctx->data_end;
		return move_head(data, end, delta, keep) ? -EFAULT : 0;
	}
	return bpf_xdp_adjust_tail(ctx, delta) ? -ENOSPC : 0;
}

/* DNS header of the answer at dns_off: QR and AA set, OPCODE QUERY, RD and
 * CD copied from the query's flags, TC as given, RA, Z, AD and RCODE 0;
 * ID kept, QDCOUNT stays 1, NSCOUNT 0. Adds the header to *sum. */
static __always_inline int answer_dns_hdr(void *data, void *end, __u32 dns_off, __u16 qflags,
					  __u16 tc, __u16 ancount, __u16 arcount, __u64 *sum)
{
	__u16 f = XDPMX_DNS_QR | XDPMX_DNS_AA | tc | (qflags & (XDPMX_DNS_RD | XDPMX_DNS_CD));
	struct xdpmx_dnshdr *h;

	if (dns_off > XDPMX_FRAME_MAX)
		return -1;
	barrier_var(dns_off);
	h = data + dns_off;
	if ((void *)(h + 1) > end)
		return -1;
	h->flags = bpf_htons(f);
	h->ancount = bpf_htons(ancount);
	h->nscount = 0;
	h->arcount = bpf_htons(arcount);
	*sum += (__u64)h->id + bpf_htons(f) + bpf_htons(1) + bpf_htons(ancount) +
		bpf_htons(arcount);
	return 0;
}

/* The OPT record of the answer at data + off (RFC 6891 section 6.1.2): root
 * owner, our UDP payload size, extended RCODE 0, version 0, DO as given,
 * no options. Adds it to *sum. */
static __always_inline int write_opt(void *data, void *end, __u32 off, __u16 udp_size, __u8 do_bit,
				     __u64 *sum)
{
	/* Octets 0-7 built as one word, so it is stored and summed from a
	 * register; octets 8-10 (the low flag bits and RDLEN) are zero. */
	union {
		__u8 b[8];
		__u64 w;
	} o = {.b = {[XDPMX_OPT_OFF_TYPE + 1] = XDPMX_TYPE_OPT,
		     [XDPMX_OPT_OFF_CLASS] = udp_size >> 8,
		     [XDPMX_OPT_OFF_CLASS + 1] = udp_size & 0xff,
		     [XDPMX_OPT_OFF_FLAGS] = do_bit ? XDPMX_OPT_DO : 0}};
	__u8 *p;

	if (off > XDPMX_FRAME_MAX)
		return -1;
	barrier_var(off);
	p = data + off;
	if ((void *)(p + XDPMX_OPT_LEN) > end)
		return -1;
	*(__u64 *)p = o.w;
	*(__u16 *)(p + 8) = 0;
	p[10] = 0;
	*sum += csum_place(csum_add64(0, o.w), off);
	return 0;
}

/* The 8-octet word at blob + src, for a blob of class size lim (the array
 * value has XDPMX_BLOB_SLACK octets after it, so a word read from any
 * src <= lim stays inside the value). */
static __always_inline int blob_word(const __u8 *blob, __u32 lim, __u32 src, __u64 *w)
{
	if (src > lim)
		return -1;
	barrier_var(src);
	*w = *(const __u64 *)(blob + src);
	return 0;
}

/* Copy `size` octets (a constant multiple of 8) from blob + src to
 * data + dst, adding them to *sum unless sum is NULL (a constant: the
 * test goes away when inlined). One bounds check per side for the whole
 * chunk, then straight word moves at constant offsets from two checked
 * pointers: a loop with a check per word took three times the
 * instructions (copies of an A answer: 17 ns, in chunks 6 ns). */
static __always_inline int copy_chunk(void *data, void *end, __u32 dst, const __u8 *blob, __u32 lim,
				      __u32 src, __u32 size, __u64 *sum)
{
	__u64 s = 0, w;
	const __u8 *b;
	__u8 *p;
	int k;

	/* src itself is compared (a check of src + size would bound another
	 * register than the one added to blob). */
	if (dst > XDPMX_FRAME_MAX || src > lim + XDPMX_BLOB_SLACK - size)
		return -1;
	barrier_var(dst);
	barrier_var(src);
	p = data + dst;
	b = blob + src;
	if ((void *)(p + size) > end)
		return -1;
#pragma unroll
	for (k = 0; k < size / 8; k++) {
		w = *(const __u64 *)(b + 8 * k);
		*(__u64 *)(p + 8 * k) = w;
		s = csum_add64(s, w);
	}
	if (sum)
		*sum += s;
	return 0;
}

/* Largest chunk copy_blob() moves at once; smaller ones are its halves. */
#define XDPMX_COPY_CHUNK 64

/* The chunk of `size` octets (a power of two below XDPMX_COPY_CHUNK) that
 * the binary expansion of len has, if it has it: it starts where the bigger
 * ones end. The bit is tested on a copy: a test of len itself tells the
 * verifier len's bits, and every optional chunk then doubles its states. */
static __always_inline int copy_tail_chunk(void *data, void *end, __u32 dst, const __u8 *blob,
					   __u32 lim, __u32 src, __u32 len, __u32 size, __u64 *sum)
{
	__u32 has = len & size, off = len & ~(2 * size - 1);

	barrier_var(has);
	if (!has)
		return 0;
	return copy_chunk(data, end, dst + off, blob, lim, src + off, size, sum);
}

/*
 * Copy n octets of a blob (of class size lim, see blob_word()) from src to
 * data + dst and add them to *sum. n is 0 or at least 8 (every record is
 * longer), so the last, partial word is copied as the 8 octets ending at n,
 * overlapping the word before it instead of spilling past the end; for the
 * sum, the octets past the last whole word are taken from the word that
 * starts there, masked. The whole words go in chunks of XDPMX_COPY_CHUNK,
 * then one chunk for each smaller power of two that their length has.
 *
 * The last word goes first, and the loop ends on a copy of the chunk count:
 * after the loop nothing that depends on how many times it ran is used
 * again, so the verifier's states after it are all alike and it does not
 * verify the rest of the program once per count.
 */
static __always_inline int copy_blob(void *data, void *end, __u32 dst, const __u8 *blob, __u32 lim,
				     __u32 src, __u32 n, __u64 *sum)
{
	__u32 whole, chunks;
	__u64 s = 0, w;
	int i;

	if (!n)
		return 0;
	if (n < 8 || n > lim)
		return -1;
	if (copy_chunk(data, end, dst + n - 8, blob, lim, src + n - 8, 8, NULL))
		return -1;
	if (n & 7) {
		if (blob_word(blob, lim, src + (n & ~7U), &w))
			return -1;
		s = csum_add64(s, first_bytes(w, n & 7));
	}
	whole = n & ~7U;
	chunks = whole / XDPMX_COPY_CHUNK;
	barrier_var(chunks);
	for (i = 0; i < XDPMX_BLOB_MAX / XDPMX_COPY_CHUNK; i++) {
		__u32 o = i * XDPMX_COPY_CHUNK;

		if (i >= chunks)
			break;
		if (copy_chunk(data, end, dst + o, blob, lim, src + o, XDPMX_COPY_CHUNK, &s))
			return -1;
	}
	if (copy_tail_chunk(data, end, dst, blob, lim, src, whole, 32, &s) ||
	    copy_tail_chunk(data, end, dst, blob, lim, src, whole, 16, &s) ||
	    copy_tail_chunk(data, end, dst, blob, lim, src, whole, 8, &s))
		return -1;
	*sum += csum_place(s, dst);
	return 0;
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

/* The UDP header of the answer at udph, for a datagram of udp_len octets
 * whose payload sums to sum (pseudo: the pseudo-header sum): ports swapped,
 * length, checksum. */
static __always_inline void answer_udp(struct udphdr *udph, __u32 udp_len, __u64 sum, __u64 pseudo)
{
	__be16 sport = udph->source, dport = udph->dest;

	udph->source = dport;
	udph->dest = sport;
	udph->len = bpf_htons(udp_len);
	udph->check = csum_finish_udp(sum + pseudo + sport + dport + bpf_htons(udp_len));
}

/* IPv4 and UDP headers of the answer at iph (answer_ip() bounded its
 * offset): addresses swapped, TTL, total length and header checksum for a
 * UDP datagram of udp_len octets whose payload sums to sum; then
 * answer_udp().
 *
 * Sums are taken from values loaded before the header is changed, not by
 * reading words back right after narrower stores into them, a load the
 * CPU cannot forward from its store buffer. */
static __always_inline int answer_ipv4(struct iphdr *iph, void *end, __u32 udp_len, __u64 sum)
{
	/* TTL and protocol as the 16-bit word they form in the header. */
	union {
		__u8 b[2];
		__u16 w;
	} ttl_proto = {.b = {XDPMX_ANSWER_TTL, IPPROTO_UDP}};
	__be32 saddr, daddr, id_frag;
	struct udphdr *udph = (void *)(iph + 1);
	__u16 vihl_tos;
	__u64 hsum;

	if ((void *)(udph + 1) > end)
		return -1;
	vihl_tos = *(__u16 *)iph;
	id_frag = *(__be32 *)((__u8 *)iph + 4);
	saddr = iph->saddr;
	daddr = iph->daddr;
	hsum = (__u64)vihl_tos + bpf_htons(sizeof(*iph) + udp_len) + id_frag + ttl_proto.w + saddr +
	       daddr;
	iph->saddr = daddr;
	iph->daddr = saddr;
	iph->ttl = XDPMX_ANSWER_TTL;
	iph->tot_len = bpf_htons(sizeof(*iph) + udp_len);
	iph->check = csum_finish(hsum);
	answer_udp(udph, udp_len, sum, csum_pseudo4(daddr, saddr, udp_len));
	return 0;
}

/* IPv6 and UDP headers of the answer at ip6h, as answer_ipv4():
 * addresses swapped, hop limit, payload length; then answer_udp(). */
static __always_inline int answer_ipv6(struct ipv6hdr *ip6h, void *end, __u32 udp_len, __u64 sum)
{
	struct udphdr *udph = (void *)(ip6h + 1);
	struct in6_addr saddr, daddr;
	__u64 pseudo;

	if ((void *)(udph + 1) > end)
		return -1;
	saddr = ip6h->saddr;
	daddr = ip6h->daddr;
	pseudo = csum_pseudo6(&daddr, &saddr, udp_len);
	ip6h->saddr = daddr;
	ip6h->daddr = saddr;
	ip6h->hop_limit = XDPMX_ANSWER_TTL;
	ip6h->payload_len = bpf_htons(udp_len);
	answer_udp(udph, udp_len, sum, pseudo);
	return 0;
}

/* IP and UDP headers of the answer for a frame of len octets, the IP
 * header at l3_off, the UDP payload summing to sum: answer_ipv4() or
 * answer_ipv6() by the header's version (parsing accepted only those two).
 * Last step of an answer: it stores the UDP checksum. */
static __always_inline int answer_ip(void *data, void *end, __u32 l3_off, __u32 len, __u64 sum)
{
	__u8 *p;

	if (l3_off > XDPMX_FRAME_MAX || len > XDPMX_FRAME_MAX)
		return -1;
	barrier_var(l3_off);
	p = data + l3_off;
	if ((void *)(p + 1) > end)
		return -1;
	if (XDPMX_IP6_VERSION(*p) == 6)
		return answer_ipv6((void *)p, end, len - l3_off - sizeof(struct ipv6hdr), sum);
	return answer_ipv4((void *)p, end, len - l3_off - sizeof(struct iphdr), sum);
}

#endif /* XDPMX_BPF_REWRITE_H */
