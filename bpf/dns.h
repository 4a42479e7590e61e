/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * DNS query parsing for the fast path: the header, the question (name walk
 * and the lowercased directory key) and the EDNS OPT record. Read-only, with
 * the contract of bpf/parse.h (cursor, bounds checked before every read,
 * XDPMX_GO or a counter).
 *
 * BPF only; included by bpf/xdpmx.bpf.c and bpf/maps.h (the name buffer).
 * Needs bpf/parse.h, bpf/csum.h and the ABI.
 *
 * The question goes back byte for byte (resolvers randomise its case, 0x20),
 * so the name is never lowercased in place: it is copied, 8 bytes at a time,
 * into a separate buffer and lowercased there; the same pass hashes it for
 * the directory and adds it to the answer's UDP checksum (bpf/csum.h).
 */
#ifndef XDPMX_BPF_DNS_H
#define XDPMX_BPF_DNS_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xdpmx/abi.h>
#include <xdpmx/counters.h>

#include "csum.h"
#include "parse.h"

/*
 * DNS message header, RFC 1035 section 4.1.1 (AD and CD: RFC 4035 section
 * 3.2, in what RFC 1035 calls Z):
 *
 *                                   1  1  1  1  1  1
 *     0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                      ID                       |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                    QDCOUNT                    |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                    ANCOUNT                    |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                    NSCOUNT                    |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *   |                    ARCOUNT                    |
 *   +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *
 * The flag macros work on the second word in host order (bpf_ntohs).
 */
struct xdpmx_dnshdr {
	__be16 id;
	__be16 flags;
	__be16 qdcount;
	__be16 ancount;
	__be16 nscount;
	__be16 arcount;
};
_Static_assert(sizeof(struct xdpmx_dnshdr) == 12, "DNS header is 12 octets");

#define XDPMX_DNS_QR 0x8000
#define XDPMX_DNS_OPCODE(f) (((f) >> 11) & 0xf)
#define XDPMX_DNS_AA 0x0400
#define XDPMX_DNS_TC 0x0200
#define XDPMX_DNS_RD 0x0100
#define XDPMX_DNS_RA 0x0080
#define XDPMX_DNS_Z 0x0040
#define XDPMX_DNS_AD 0x0020
#define XDPMX_DNS_CD 0x0010
#define XDPMX_DNS_RCODE(f) ((f)&0xf)
#define XDPMX_DNS_OPCODE_QUERY 0

/*
 * The EDNS OPT pseudo-record, RFC 6891 section 6.1.2: owner (the root, one
 * zero octet), TYPE 41, CLASS = requestor's UDP payload size, TTL = extended
 * RCODE (8 bits) | VERSION (8) | DO (1) | Z (15), RDLEN, then RDLEN octets of
 * options, each {OPTION-CODE (16), OPTION-LENGTH (16), data}.
 */
#define XDPMX_OPT_LEN 11     /* OPT record without options */
#define XDPMX_OPT_OFF_TYPE 1 /* offsets inside the record */
#define XDPMX_OPT_OFF_CLASS 3
#define XDPMX_OPT_OFF_ERCODE 5
#define XDPMX_OPT_OFF_VERSION 6
#define XDPMX_OPT_OFF_FLAGS 7 /* first octet of the 16 flag bits: DO is 0x80 */
#define XDPMX_OPT_OFF_RDLEN 9
#define XDPMX_OPT_DO 0x80
#define XDPMX_OPT_OPTHDR_LEN 4 /* OPTION-CODE + OPTION-LENGTH */

/* Options walked in one OPT record. Cookie, NSID, client subnet, padding,
 * keepalive and the like fit many times over; a query with more goes up. */
#define XDPMX_EDNS_OPTS_MAX 16

/* The largest UDP payload a query can have here (XDPMX_FRAME_MAX): a bound
 * the verifier can see, so every offset derived from it stays bounded. */
#define XDPMX_DNS_LEN_MAX XDPMX_FRAME_MAX

/* Largest offsets (from the start of the frame) of what we answer: the IP
 * header behind Ethernet and two tags, the DNS header behind IPv6 and UDP,
 * and the end of a question with a name of XDPMX_NAME_MAX octets. */
#define XDPMX_L3_OFF_MAX (ETH_HLEN + XDPMX_VLAN_MAX * sizeof(struct xdpmx_vlan_hdr))
#define XDPMX_DNS_OFF_MAX (XDPMX_L3_OFF_MAX + sizeof(struct ipv6hdr) + sizeof(struct udphdr))
#define XDPMX_QEND_OFF_MAX (XDPMX_DNS_OFF_MAX + sizeof(struct xdpmx_dnshdr) + XDPMX_NAME_MAX + 4)

/* What the question and its OPT record said, for the answer. */
struct xdpmx_edns {
	__u16 udp_size; /* requestor's UDP payload size, at least XDPMX_UDP_MIN */
	__u8 present;	/* the query had an OPT record */
	__u8 do_bit;	/* its DO bit */
};

/*
 * The question name as the directory sees it: lowercased, in 8-octet words
 * (the last one zero padded past the name; words after it are stale), in a
 * per-CPU buffer (bpf/maps.h). Aligned words, so each is one aligned
 * store, which every architecture's verifier accepts. The program hashes
 * these words (abi.h) and compares them with the owner name of the blob.
 */
struct xdpmx_keybuf {
	__u64 name[XDPMX_NAME_L / 8];
};

/* DNS header of a query to us: QR=0, OPCODE QUERY, TC=0, one question, no
 * answer or authority records, at most one additional record. dns_len: the
 * UDP payload length. *flags: the header flags (host order); *has_ar:
 * ARCOUNT is 1. */
static __always_inline int parse_dns_hdr(struct xdpmx_cursor *cur, __u32 dns_len, __u16 *flags,
					 __u8 *has_ar)
{
	struct xdpmx_dnshdr *h = cur->pos;
	__u16 f;

	if (dns_len < sizeof(*h) || dns_len > XDPMX_DNS_LEN_MAX)
		return XDPMX_CNT_MALFORMED;
	if ((void *)(h + 1) > cur->end)
		return XDPMX_CNT_MALFORMED;
	f = bpf_ntohs(h->flags);
	if (f & XDPMX_DNS_QR)
		return XDPMX_CNT_DROP_RESPONSE;
	if (XDPMX_DNS_OPCODE(f) != XDPMX_DNS_OPCODE_QUERY)
		return XDPMX_CNT_MISS_OPCODE;
	if (f & XDPMX_DNS_TC)
		return XDPMX_CNT_MISS_FLAGS;
	if (h->qdcount != bpf_htons(1) || h->ancount || h->nscount ||
	    (h->arcount && h->arcount != bpf_htons(1)))
		return XDPMX_CNT_MISS_COUNTS;
	*flags = f;
	*has_ar = h->arcount != 0;
	cur->pos = h + 1;
	return XDPMX_GO;
}

/* Walk the question name (RFC 1035 section 3.1) in the `left` octets of
 * the UDP payload that follow the DNS header: labels of at most
 * XDPMX_LABEL_MAX octets, no compression pointer or extended label type
 * (MISS_NAME: the slow path handles them), at most XDPMX_NAME_MAX octets
 * with the root (MISS_NAME); a name that runs past the payload is
 * MALFORMED. *name_len: its length in octets, root byte included, as a
 * value unknown to the verifier (pkt_off()). */
static __always_inline int walk_qname(struct xdpmx_cursor *cur, __u32 left, __u32 *name_len)
{
	__u8 *start = cur->pos;
	__u32 off = 0, len;
	int i;

	/* XDPMX_LABELS_MAX labels of one octet make a name of 2 * 127 + 1 =
	 * 255 octets: one more iteration reads the root byte. */
	for (i = 0; i < XDPMX_LABELS_MAX + 1; i++) {
		__u8 *p = start + off;
		__u8 lab;

		if (off >= left || (void *)(p + 1) > cur->end)
			return XDPMX_CNT_MALFORMED;
		lab = *p;
		if (lab == 0)
			goto found;
		if (lab > XDPMX_LABEL_MAX) /* top bits 01, 10, 11 */
			return XDPMX_CNT_MISS_NAME;
		off += lab + 1;
		if (off + 1 > XDPMX_NAME_MAX) /* with the root byte still to come */
			return XDPMX_CNT_MISS_NAME;
	}
	return XDPMX_CNT_MISS_NAME;
found:
	len = pkt_off(start + off + 1, start);
	if (len > XDPMX_NAME_MAX) /* cannot happen: bounds len for the verifier */
		return XDPMX_CNT_ABORTED;
	/* Without the barrier clang checks a 32-bit copy of len and adds the
	 * unchecked 64-bit difference below, which the verifier refuses. */
	barrier_var(len);
	*name_len = len;
	cur->pos = start + len;
	return XDPMX_GO;
}

/* QTYPE and QCLASS after the name: class IN, type A, AAAA, MX or PTR.
 * *qtype_be: the type, as a value unknown to the verifier (see below). */
static __always_inline int parse_qtail(struct xdpmx_cursor *cur, __be16 *qtype_be)
{
	__be16 *p = cur->pos;

	if ((void *)(p + 2) > cur->end)
		return XDPMX_CNT_MALFORMED;
	if (p[1] != bpf_htons(XDPMX_CLASS_IN))
		return XDPMX_CNT_MISS_QCLASS;
	switch (p[0]) {
	case bpf_htons(XDPMX_TYPE_A):
	case bpf_htons(XDPMX_TYPE_AAAA):
	case bpf_htons(XDPMX_TYPE_MX):
	case bpf_htons(XDPMX_TYPE_PTR):
		break;
	default:
		return XDPMX_CNT_MISS_QTYPE;
	}
	/* Read it again rather than keep the value compared above, which the
	 * verifier knows exactly on each case: the four types would make four
	 * copies of every state from here to the exit. */
	*qtype_be = *(volatile __be16 *)p;
	cur->pos = p + 2;
	return XDPMX_GO;
}

/* The hit counter for a qtype parse_qtail() accepted. */
static __always_inline __u32 hit_counter(__be16 qtype_be)
{
	switch (qtype_be) {
	case bpf_htons(XDPMX_TYPE_A):
		return XDPMX_CNT_HIT_A;
	case bpf_htons(XDPMX_TYPE_AAAA):
		return XDPMX_CNT_HIT_AAAA;
	case bpf_htons(XDPMX_TYPE_MX):
		return XDPMX_CNT_HIT_MX;
	default:
		return XDPMX_CNT_HIT_PTR;
	}
}

/* The OPT record, the only record after the question. rest: the octets of
 * the UDP payload after the question; the record must fill them exactly.
 * Version 0 only (the slow path answers BADVERS); options walked and
 * accepted, never echoed. Anything else: MISS_EDNS. */
static __always_inline int parse_opt(struct xdpmx_cursor *cur, __u32 rest, struct xdpmx_edns *e)
{
	__u8 *opt = cur->pos;
	__u32 rdlen, off = 0, size;
	int i;

	if (rest < XDPMX_OPT_LEN || rest > XDPMX_DNS_LEN_MAX)
		return XDPMX_CNT_MISS_EDNS;
	barrier_var(rest); /* as in walk_qname(): opt + rest uses the checked rest */
	if ((void *)(opt + XDPMX_OPT_LEN) > cur->end)
		return XDPMX_CNT_MISS_EDNS;
	if (opt[0] != 0 || *(__be16 *)(opt + XDPMX_OPT_OFF_TYPE) != bpf_htons(XDPMX_TYPE_OPT))
		return XDPMX_CNT_MISS_EDNS;
	if (opt[XDPMX_OPT_OFF_VERSION] != 0)
		return XDPMX_CNT_MISS_EDNS;
	rdlen = bpf_ntohs(*(__be16 *)(opt + XDPMX_OPT_OFF_RDLEN));
	if (rdlen != rest - XDPMX_OPT_LEN)
		return XDPMX_CNT_MISS_EDNS;

	for (i = 0; i < XDPMX_EDNS_OPTS_MAX; i++) {
		__u8 *o = opt + XDPMX_OPT_LEN + off;

		if (off == rdlen)
			goto done;
		if (off + XDPMX_OPT_OPTHDR_LEN > rdlen)
			return XDPMX_CNT_MISS_EDNS;
		if ((void *)(o + XDPMX_OPT_OPTHDR_LEN) > cur->end)
			return XDPMX_CNT_MISS_EDNS;
		off += XDPMX_OPT_OPTHDR_LEN + bpf_ntohs(*(__be16 *)(o + 2));
	}
	if (off != rdlen)
		return XDPMX_CNT_MISS_EDNS;
done:
	size = bpf_ntohs(*(__be16 *)(opt + XDPMX_OPT_OFF_CLASS));
	e->udp_size = size < XDPMX_UDP_MIN ? XDPMX_UDP_MIN : size;
	e->do_bit = (opt[XDPMX_OPT_OFF_FLAGS] & XDPMX_OPT_DO) != 0;
	e->present = 1;
	cur->pos = opt + rest;
	return XDPMX_GO;
}

/* Lowercase the ASCII letters of 8 bytes at once (SWAR): set 0x20 in every
 * byte in 0x41..0x5a and leave all other bytes alone. Label length octets
 * are at most 63 (0x3f), so they are never touched. */
static __always_inline __u64 lower8(__u64 x)
{
	__u64 low7 = x & 0x7f7f7f7f7f7f7f7fULL;
	__u64 ge_a = low7 + 0x3f3f3f3f3f3f3f3fULL; /* bit 7 set where low7 >= 0x41 */
	__u64 gt_z = low7 + 0x2525252525252525ULL; /* bit 7 set where low7 >= 0x5b */
	__u64 upper = (ge_a ^ gt_z) & ~x & 0x8080808080808080ULL;

	return x | (upper >> 2);
}

/* The first n (1..7) bytes of a word loaded from memory, the rest zeroed. */
static __always_inline __u64 first_bytes(__u64 x, __u32 n)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return x & ((1ULL << (8 * n)) - 1);
#else
	return x & ~((1ULL << (64 - 8 * n)) - 1);
#endif
}

/* The 4 octets at p as the first 4 bytes of a word, the rest zero. */
static __always_inline __u64 load_first4(const __u8 *p)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return *(const __u32 *)p;
#else
	return (__u64) * (const __u32 *)p << 32;
#endif
}

/*
 * The name length for a loop over the name's words to count with: the
 * same value, but one the verifier does not link to name_len. The
 * verifier links a register to the one it was copied from (plus a
 * constant, since 6.10) and narrows both when either is compared: with
 * "name_len - off < 8" in every round, the rounds would leave name_len in
 * up to 32 different states, and everything after the loop, which uses
 * name_len, would be verified once for each (780k instructions processed
 * instead of 320k). An AND makes a new value; the barrier keeps clang
 * from dropping it (it cannot know name_len <= XDPMX_NAME_MAX).
 */
static __always_inline __u32 name_len_loop(__u32 name_len)
{
	barrier_var(name_len);
	return name_len & 0x1ff;
}

/* Fill kb with the name at qname lowercased, *hash with its name hash
 * (abi.h) from seed, and add the name's octets as they are in the packet
 * to *sum (bpf/csum.h: the name goes back unchanged, and this is the pass
 * that reads it). The name and the 4 octets of QTYPE/QCLASS after it are
 * known to be in the packet, so when fewer than 8 octets are left at p the
 * name ends in the next 4.
 *
 * Every word that may be the last one ends the loop itself, so only one
 * kind of state ever goes round it: with two (as "read 4 octets and carry
 * on" would make), the verifier sees a new mix of known packet ranges each
 * time round and verifies the loop quadratically often. */
static __always_inline int build_key(struct xdpmx_keybuf *kb, __u8 *qname, void *end,
				     __u32 name_len, __u64 seed, __u64 *hash, __u64 *sum)
{
	__u64 s = 0, h = seed, x;
	int w;

	name_len = name_len_loop(name_len);
	for (w = 0; w < XDPMX_NAME_L / 8; w++) {
		__u32 off = w * 8;
		__u8 *p = qname + off;

		if (off >= name_len)
			break;
		if ((void *)(p + 8) > end) {
			if ((void *)(p + 4) > end)
				return XDPMX_CNT_ABORTED; /* QTYPE/QCLASS follow */
			x = first_bytes(load_first4(p), name_len - off);
			s = csum_add64(s, x);
			kb->name[w] = x = lower8(x);
			h = xdpmx_hash_step(h, x);
			break;
		}
		x = *(__u64 *)p;
		if (name_len - off < 8) {
			x = first_bytes(x, name_len - off);
			s = csum_add64(s, x);
			kb->name[w] = x = lower8(x);
			h = xdpmx_hash_step(h, x);
			break;
		}
		s = csum_add64(s, x);
		kb->name[w] = x = lower8(x);
		h = xdpmx_hash_step(h, x);
	}
	*sum = s;
	*hash = h;
	return XDPMX_GO;
}

#endif /* XDPMX_BPF_DNS_H */
