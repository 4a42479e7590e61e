// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdpmx fast path: answers hot MX, A, AAAA and PTR queries in XDP from the
 * compiled RRsets in the maps (include/xdpmx/abi.h), rotating the answer
 * records per packet, and passes everything else up to the kernel stack,
 * where xdpmxd (the slow path) answers it.
 *
 * Answered (XDP_TX), with the question sent back byte for byte:
 *  - Ethernet with 0, 1 or 2 VLAN tags (802.1Q / 802.1ad), kept as they are;
 *  - IPv4 without options and not fragmented, or IPv6 with UDP directly
 *    after the fixed header, to the DNS port of cfg;
 *  - a DNS QUERY with one question of class IN and type A, AAAA, MX or PTR,
 *    no answer or authority records, and nothing or one EDNS version 0 OPT
 *    record (options accepted, not echoed) as the additional section;
 *  - whose (name, type) has an RRset in the directory at its zone's epoch
 *    (found by the name's hash; the blob's owner name must be the name).
 *    The answer has AA set, RD and CD copied, the RRset rotated (cyclic,
 *    random or fixed, as the blob says), its additional records when they
 *    fit, an OPT record when the query had one, and TC=1 with no records
 *    when even the answer section does not fit the client's limit.
 *
 * Passed up unchanged (XDP_PASS), each under its counter: anything not IP,
 * not UDP, not to our port or while cfg is not set; a third VLAN tag, IPv4
 * options or fragments, IPv6 extension headers; frames cut short or with
 * inconsistent lengths; other opcodes, TC set, other section counts,
 * compressed or extended-label or over-long question names, other classes
 * and types, any other additional record or a malformed or non-zero-version
 * OPT; names not in the maps; DO=1 for RRsets of signed zones; answers
 * the driver left too little room at both ends of the frame to grow into.
 * Dropped (XDP_DROP): DNS responses (QR=1) sent to our port.
 * Aborted (XDP_ABORTED): impossible states only (an array lookup that
 * fails, a blob whose header contradicts its size).
 *
 * Minimum kernel: 5.15 (the oldest LTS with everything below), for: BTF map
 * definitions and read-only global data (5.2), bounded loops (5.3), growing
 * the frame at its tail with bpf_xdp_adjust_tail (5.8; at its head,
 * bpf_xdp_adjust_head, since 4.10), tracking of spilled bounded scalars
 * (5.10). No bpf_loop, no bpf_xdp_load/store_bytes, no kfuncs. Loading it
 * needs CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON (or CAP_SYS_ADMIN): the
 * verifier allows variable packet offsets and pointer differences only
 * with CAP_PERFMON.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include <xdpmx/abi.h>
#include <xdpmx/counters.h>

#include "maps.h"
#include "stats.h"
#include "parse.h"
#include "dns.h"
#include "csum.h"
#include "rewrite.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* The ABI this object was built against: userspace reads it from the ELF
 * (rodata) and refuses to load an object built for another one. */
const volatile __u32 xdpmx_abi = XDPMX_ABI_VERSION;

/* What parsing learnt about the query. Offsets are from the start of the
 * frame and unknown to the verifier (pkt_off()): bound them before use. */
struct xdpmx_query {
	struct xdpmx_keybuf *key; /* the question name, lowercased */
	struct xdpmx_edns edns;
	__u32 l3_off;	 /* IP header */
	__u32 dns_off;	 /* DNS header */
	__u32 qend_off;	 /* first octet after the question */
	__u64 qname_sum; /* checksum sum of the question name (bpf/csum.h) */
	__u64 hash;	 /* name hash of the question name (abi.h) */
	__u64 seed;	 /* cfg: seed of the name hash */
	__u32 dir_mask;	 /* cfg: slots of the directory - 1 */
	__u32 name_len;	 /* question name, root byte included */
	__u16 flags;	 /* query header flags, host order */
	__u16 our_size;	 /* our EDNS UDP payload size (cfg), >= XDPMX_UDP_MIN */
	__be16 qtype_be;
};

/* The RRset version to answer with: its blob and validated header. */
struct xdpmx_rrset {
	const __u8 *blob; /* array value of the blob's class */
	__u64 lim;	  /* XDPMX_BLOB_SIZE() of that class: 64 bits, so it
			   * stays a constant to the verifier when spilled */
	__u32 an_len;
	__u32 ad_len;
	__u32 an_count;
	__u32 ad_count;
	__u32 order;
	__u32 owner_off; /* the owner name in the blob */
};

/* Stage 1a, parse the frame: Ethernet, IP and UDP headers; q->l3_off and
 * q->dns_off set, *dns_len the UDP payload length. */
static __always_inline int parse_frame(struct xdp_md *ctx, const struct xdpmx_cfg *cfg,
				       struct xdpmx_query *q, __u32 *dns_len)
{
	void *data = (void *)(long)ctx->data;
	struct xdpmx_cursor cur = {.pos = data, .end = (void *)(long)ctx->data_end};
	__be16 proto_be;
	__u32 pay_len;
	void *l3;
	int v;

	v = parse_eth(&cur, &proto_be);
	if (v != XDPMX_GO)
		return v;
	l3 = cur.pos;
	if (proto_be == bpf_htons(ETH_P_IP))
		v = parse_ipv4(&cur, &pay_len);
	else if (proto_be == bpf_htons(ETH_P_IPV6))
		v = parse_ipv6(&cur, &pay_len);
	else
		return XDPMX_CNT_PASS_NOT_IP;
	if (v != XDPMX_GO)
		return v;
	v = parse_udp(&cur, pay_len, cfg->dns_port, dns_len);
	if (v != XDPMX_GO)
		return v;
	q->l3_off = pkt_off(l3, data);
	q->dns_off = pkt_off(cur.pos, data);
	return XDPMX_GO;
}

/* Stage 1b, parse the DNS message of dns_len octets at q->dns_off: header,
 * question, OPT record; the key built and the rest of q set. */
static __always_inline int parse_dns(struct xdp_md *ctx, struct xdpmx_query *q, __u32 dns_len)
{
	void *data = (void *)(long)ctx->data;
	struct xdpmx_cursor cur = {.end = (void *)(long)ctx->data_end};
	__u32 dns_off = q->dns_off, zero = 0, left, qname_off;
	__u8 has_ar, *qname, *qend;
	__be16 qtype_be;
	int v;

	/* From here on the DNS header is at an offset the verifier knows only
	 * the bounds of (pkt_off()), whatever headers came before it: the DNS
	 * stages are verified once, not once per Ethernet/IP shape. */
	if (dns_off > XDPMX_DNS_OFF_MAX)
		return XDPMX_CNT_ABORTED;
	barrier_var(dns_off); /* checked, then used: see bpf/rewrite.h */
	cur.pos = data + dns_off;
	v = parse_dns_hdr(&cur, dns_len, &q->flags, &has_ar);
	if (v != XDPMX_GO)
		return v;
	qname = cur.pos;
	left = dns_len - sizeof(struct xdpmx_dnshdr);
	v = walk_qname(&cur, left, &q->name_len);
	if (v != XDPMX_GO)
		return v;
	if (q->name_len + 4 > left) /* QTYPE and QCLASS past the UDP payload */
		return XDPMX_CNT_MALFORMED;
	v = parse_qtail(&cur, &qtype_be);
	if (v != XDPMX_GO)
		return v;
	qend = cur.pos;
	left -= q->name_len + 4;

	if (has_ar) {
		v = parse_opt(&cur, left, &q->edns);
		if (v != XDPMX_GO)
			return v;
	} else if (left) {
		return XDPMX_CNT_MALFORMED; /* octets after the question */
	}

	/* Before build_key(): after its loop no packet pointer is used again,
	 * so the verifier's states there do not differ by the packet ranges
	 * each round of the loop checked. */
	q->qend_off = pkt_off(qend, data);
	q->qtype_be = qtype_be;
	q->key = bpf_map_lookup_elem(&xdpmx_keybuf, &zero);
	if (!q->key)
		return XDPMX_CNT_ABORTED;
	/* The name again, from a fresh pointer: the one the walk used carries
	 * how far each walk got checked, different states that would each go
	 * through the key loop (168k instructions processed in all, against
	 * 140k with the fresh pointer). */
	qname_off = pkt_off(qname, data);
	if (qname_off > XDPMX_DNS_OFF_MAX + sizeof(struct xdpmx_dnshdr))
		return XDPMX_CNT_ABORTED;
	barrier_var(qname_off);
	return build_key(q->key, data + qname_off, cur.end, q->name_len, q->seed, &q->hash,
			 &q->qname_sum);
}

/* Stage 1, parse: every header from Ethernet to the OPT record, into q. */
static __always_inline int parse_query(struct xdp_md *ctx, struct xdpmx_query *q)
{
	const struct xdpmx_cfg *cfg;
	__u32 zero = 0, dns_len;
	int v;

	cfg = bpf_map_lookup_elem(&XDPMX_MAP_CFG, &zero);
	if (!cfg)
		return XDPMX_CNT_ABORTED;
	if (!cfg->dns_port) /* not configured yet: serve nothing */
		return XDPMX_CNT_PASS_NOT_PORT;
	q->our_size = cfg->edns_size < XDPMX_UDP_MIN ? XDPMX_UDP_MIN : cfg->edns_size;
	q->seed = cfg->hash_seed;
	q->dir_mask = cfg->dir_mask;
	v = parse_frame(ctx, cfg, q, &dns_len);
	if (v != XDPMX_GO)
		return v;
	return parse_dns(ctx, q, dns_len);
}

/*
 * A lookup in one map, kept its own call instruction. Where one stage looks
 * up one of several maps (the blob by class), clang otherwise merges the
 * calls into one whose map is chosen at run time; the verifier then cannot
 * inline the lookup, and the call goes through the map's ops: an indirect
 * call, behind a retpoline on many machines, measured at ~20 ns per lookup
 * here. The asm differs per map (tag), so clang cannot merge.
 */
#define lookup_in(map, key, tag)                                                                   \
	({                                                                                         \
		void *__v = bpf_map_lookup_elem(map, key);                                         \
		asm volatile("/* " tag " */" : "+r"(__v));                                         \
		__v;                                                                               \
	})

/* The directory slot of the question, or NULL: probe from the slot its hash
 * selects, at most XDPMX_DIR_PROBE slots, until one holds its (hash, qtype,
 * name length) or one is empty (abi.h). Each probe is an array lookup the
 * verifier inlines: a bounds check and an address, no call. */
static __always_inline const struct xdpmx_dir_slot *lookup_dir(const struct xdpmx_query *q)
{
	__u32 tl = XDPMX_DIR_TL(q->qtype_be, q->name_len), mask = q->dir_mask;
	__u32 home = (__u32)q->hash & mask, i;
	__u64 hash = q->hash;

	for (i = 0; i < XDPMX_DIR_PROBE; i++) {
		__u32 k = (home + i) & mask;
		const struct xdpmx_dir_slot *sl = bpf_map_lookup_elem(&XDPMX_MAP_DIR, &k);

		if (!sl) /* mask past the array: the map writer never does this */
			return NULL;
		if (sl->tl == tl && sl->hash == hash)
			return sl;
		if (!sl->tl && !sl->hash) /* empty: the name is not in the table */
			return NULL;
	}
	return NULL;
}

/* The blob reference of the version to answer at epoch: the largest
 * non-empty since <= epoch. XDPMX_BLOB_NONE if there is none, or if that
 * version is a deletion.
 *
 * The writer rewrites entries in place, one slot at a time, while this
 * runs (abi.h): each since is read exactly once (volatile, so clang cannot
 * read it again), and only the chosen slot's blob is read, which the writer
 * never touches while it is the one answered. */
static __always_inline __u32 pick_version(const struct xdpmx_dir_slot *dv, __u32 epoch)
{
	__u32 s0 = *(volatile const __u32 *)&dv->ver[0].since;
	__u32 s1 = *(volatile const __u32 *)&dv->ver[1].since;
	int ok0 = s0 && s0 <= epoch, ok1 = s1 && s1 <= epoch;

	if (ok0 && (!ok1 || s0 > s1))
		return dv->ver[0].blob;
	if (ok1)
		return dv->ver[1].blob;
	return XDPMX_BLOB_NONE;
}

/* The array value of blob reference ref into rs->blob and rs->lim. */
static __always_inline int lookup_blob(__u32 ref, struct xdpmx_rrset *rs)
{
	__u32 idx = XDPMX_BLOB_INDEX(ref);
	const __u8 *blob;

	switch (XDPMX_BLOB_CLASS(ref)) {
	case 0:
		blob = lookup_in(&XDPMX_MAP_BLOB0, &idx, "blob0");
		rs->lim = XDPMX_BLOB_SIZE(0);
		break;
	case 1:
		blob = lookup_in(&XDPMX_MAP_BLOB1, &idx, "blob1");
		rs->lim = XDPMX_BLOB_SIZE(1);
		break;
	case 2:
		blob = lookup_in(&XDPMX_MAP_BLOB2, &idx, "blob2");
		rs->lim = XDPMX_BLOB_SIZE(2);
		break;
	case 3:
		blob = lookup_in(&XDPMX_MAP_BLOB3, &idx, "blob3");
		rs->lim = XDPMX_BLOB_SIZE(3);
		break;
	case 4:
		blob = lookup_in(&XDPMX_MAP_BLOB4, &idx, "blob4");
		rs->lim = XDPMX_BLOB_SIZE(4);
		break;
	default:
		return XDPMX_CNT_ABORTED;
	}
	if (!blob) /* index past the array: the map writer never does this */
		return XDPMX_CNT_ABORTED;
	rs->blob = blob;
	return XDPMX_GO;
}

/* Header of rs->blob, checked against its class size before anything
 * reads by it: a blob that contradicts itself is an impossible state
 * (ABORTED), never a copy from outside the blob. name_len: the owner name's
 * length, from the directory slot. */
static __always_inline int check_blob(struct xdpmx_rrset *rs, __u32 name_len)
{
	const struct xdpmx_blob_hdr *h = (const void *)rs->blob;

	rs->an_len = h->an_len;
	rs->ad_len = h->ad_len;
	rs->an_count = h->an_count;
	rs->ad_count = h->ad_count;
	rs->order = h->order;
	if (rs->an_count < 1 || rs->an_count > XDPMX_RR_MAX || rs->ad_count > XDPMX_AD_MAX ||
	    rs->order >= XDPMX_ORDER__MAX)
		return XDPMX_CNT_ABORTED;
	/* Every record is at least 11 octets, which copy_blob() relies on. */
	if (rs->an_len < 8 || (rs->ad_len && rs->ad_len < 8) ||
	    XDPMX_BLOB_OWNER_OFF(rs->an_count, rs->an_len, rs->ad_len) + name_len > rs->lim)
		return XDPMX_CNT_ABORTED;
	rs->owner_off = XDPMX_BLOB_OWNER_OFF(rs->an_count, rs->an_len, rs->ad_len);
	return XDPMX_GO;
}

/* Whether the blob's owner name is the question name (q->key, lowercased):
 * XDPMX_GO, or MISS_NO_RRSET when another name has the same hash, qtype
 * and length. Word by word, the last word masked as build_key() masked
 * it; check_blob() put the whole owner inside the blob. */
static __always_inline int check_owner(const struct xdpmx_rrset *rs, const struct xdpmx_query *q)
{
	__u32 n = name_len_loop(q->name_len), w;
	__u64 x;

	for (w = 0; w < XDPMX_NAME_L / 8; w++) {
		__u32 off = w * 8;

		if (off >= n)
			break;
		if (blob_word(rs->blob, rs->lim, rs->owner_off + off, &x))
			return XDPMX_CNT_ABORTED;
		if (n - off < 8)
			x = first_bytes(x, n - off);
		if (x != q->key->name[w])
			return XDPMX_CNT_MISS_NO_RRSET;
	}
	return XDPMX_GO;
}

/* Stage 2, look up: directory slot, zone epoch, version, blob, owner. */
static __always_inline int lookup_rrset(struct xdpmx_query *q, struct xdpmx_rrset *rs)
{
	const struct xdpmx_dir_slot *dv;
	const struct xdpmx_blob_hdr *h;
	struct xdpmx_zone_val *zv;
	__u32 zone, epoch, ref;
	int v;

	dv = lookup_dir(q);
	if (!dv)
		return XDPMX_CNT_MISS_NO_RRSET;
	zone = dv->zone;
	zv = bpf_map_lookup_elem(&XDPMX_MAP_ZONES, &zone);
	if (!zv) /* zone id past the array: the map writer never does this */
		return XDPMX_CNT_ABORTED;
	/* Read the epoch once: this packet answers at that epoch, so it sees
	 * the old zone or the new one, never a mix (abi.h). */
	epoch = *(volatile __u32 *)&zv->epoch;
	ref = pick_version(dv, epoch);
	if (ref == XDPMX_BLOB_NONE)
		return XDPMX_CNT_MISS_NO_RRSET;
	v = lookup_blob(ref, rs);
	if (v != XDPMX_GO)
		return v;
	v = check_blob(rs, q->name_len);
	if (v != XDPMX_GO)
		return v;
	v = check_owner(rs, q);
	if (v != XDPMX_GO)
		return v;
	h = (const void *)rs->blob;
	if ((h->flags & XDPMX_BLOB_F_SIGNED) && q->edns.do_bit)
		return XDPMX_CNT_MISS_DNSSEC;
	return XDPMX_GO;
}

/* Largest UDP payload of the answer: 512 without EDNS, else the smaller of
 * the client's size and ours (RFC 6891 section 6.2.5). Both are at least
 * 512 already: parse_opt() and parse_query() raised them. */
static __always_inline __u32 answer_limit(const struct xdpmx_query *q)
{
	if (!q->edns.present)
		return XDPMX_UDP_MIN;
	return q->edns.udp_size < q->our_size ? q->edns.udp_size : q->our_size;
}

/* ceil(2^22 / n) for n = 1 .. XDPMX_RR_MAX. With it, c % n is
 * c - n * ((c * rot_recip[n]) >> 22) for every c below 2^16: the rounded
 * reciprocal is off by less than n / 2^22, which c < 2^16 keeps below the
 * 1 / n that would carry into the quotient. Two multiplications instead
 * of a division, which cost 2 ns of the 70 of an A hit here. */
static const __u32 rot_recip[XDPMX_RR_MAX + 1] = {
	0,	4194304, 2097152, 1398102, 1048576, 838861, 699051, 599187, 524288, 466034, 419431,
	381301, 349526,	 322639,  299594,  279621,  262144, 246724, 233017, 220753, 209716, 199729,
	190651, 182362,	 174763,  167773,  161320,  155345, 149797, 144632, 139811, 135301, 131072,
};

/* c % n for c < 2^16 and 1 <= n <= XDPMX_RR_MAX (check_blob() bounded
 * an_count); XDPMX_RR_MAX for any other n, which the caller aborts on. */
static __always_inline __u32 mod_small(__u32 c, __u32 n)
{
	/* Before the check: clang knows n's bounds from check_blob() and
	 * would drop the check, but the verifier does not (the count was
	 * spilled and filled), and refuses the table access. */
	barrier_var(n);
	if (n < 1 || n > XDPMX_RR_MAX)
		return XDPMX_RR_MAX;
	return c - n * (__u32)(((__u64)c * rot_recip[n]) >> 22);
}

/* Where the rotated answer section starts: the offset (from the first
 * answer octet) of the record that goes first. Cyclic: this CPU's cursor
 * mod the record count (the cursor's low 16 bits: every 65536 answers of
 * a CPU the cycle starts over); random: a random record; fixed: the first.
 * *cursor: this CPU's cursor, for the caller to bump once the answer is
 * certain to go out (every answer that carries records bumps it). */
static __always_inline int pick_start(const struct xdpmx_rrset *rs, __u32 *start, __u32 **cursor)
{
	__u32 zero = 0, n = rs->an_count, r, off;

	*cursor = bpf_map_lookup_elem(&XDPMX_MAP_ROT, &zero);
	if (!*cursor)
		return XDPMX_CNT_ABORTED;
	if (rs->order == XDPMX_ORDER_CYCLIC)
		r = mod_small(**cursor & 0xffff, n);
	else if (rs->order == XDPMX_ORDER_RANDOM)
		r = bpf_get_prandom_u32() % n;
	else
		r = 0;
	if (r >= XDPMX_RR_MAX) /* cannot happen: bounds r for the verifier */
		return XDPMX_CNT_ABORTED;
	off = *(const __u16 *)(rs->blob + sizeof(struct xdpmx_blob_hdr) + 2 * r);
	/* The records before and after the start are copied as two pieces:
	 * each must be empty or at least one record long. */
	if (off >= rs->an_len || rs->an_len - off < 8 || (off && off < 8))
		return XDPMX_CNT_ABORTED;
	*start = off;
	return XDPMX_GO;
}

/* The rest of an answer whose records (if any) are in place and summed
 * into sum, in a frame of len octets: the question added to the sum, the
 * DNS header, the OPT record if the query had one, then the Ethernet, IP
 * and UDP headers with the checksums. */
static __always_inline int finish_answer(void *data, void *end, const struct xdpmx_query *q,
					 __u32 len, __u16 tc, __u16 ancount, __u16 arcount,
					 __u64 sum)
{
	/* The question is unchanged: its name was summed while the key was
	 * built (bpf/csum.h); QTYPE and QCLASS follow it. */
	sum += q->qname_sum + csum_place(q->qtype_be + bpf_htons(XDPMX_CLASS_IN), q->qend_off - 4);
	if (answer_dns_hdr(data, end, q->dns_off, q->flags, tc, ancount, arcount, &sum))
		return -1;
	if (q->edns.present &&
	    write_opt(data, end, len - XDPMX_OPT_LEN, q->our_size, q->edns.do_bit, &sum))
		return -1;
	if (swap_eth(data, end) || answer_ip(data, end, q->l3_off, len, sum))
		return -1;
	return 0;
}

/* Stage 3, build, when no record goes in: TC=1, the question and the OPT
 * record only, which is never longer than the query. */
static __always_inline int build_tc(struct xdp_md *ctx, const struct xdpmx_query *q)
{
	__u32 len = q->qend_off + (q->edns.present ? XDPMX_OPT_LEN : 0);
	void *data, *end;

	if (resize_frame(ctx, len, q->qend_off))
		return XDPMX_CNT_ABORTED;
	/* The helper invalidated every packet pointer: re-read. */
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (finish_answer(data, end, q, len, XDPMX_DNS_TC, 0, q->edns.present, 0))
		return XDPMX_CNT_ABORTED;
	return XDPMX_CNT_HIT_TC;
}

/* Stage 3, build: turn the query frame into the answer, in place. */
static __always_inline int build_answer(struct xdp_md *ctx, const struct xdpmx_query *q,
					const struct xdpmx_rrset *rs)
{
	__u32 qend_off = q->qend_off, dns_off = q->dns_off, ad_len = 0, arcount = 0;
	__u32 an_off = XDPMX_BLOB_AN_OFF(rs->an_count);
	__u32 opt_len = q->edns.present ? XDPMX_OPT_LEN : 0;
	__u32 limit = answer_limit(q), start, len, head, *cursor;
	void *data, *end;
	__u64 sum = 0;
	int v;

	if (q->l3_off > XDPMX_L3_OFF_MAX || dns_off > XDPMX_DNS_OFF_MAX ||
	    qend_off > XDPMX_QEND_OFF_MAX || qend_off < dns_off)
		return XDPMX_CNT_ABORTED;
	head = qend_off - dns_off; /* DNS header and question */
	if (head + rs->an_len + opt_len > limit)
		return build_tc(ctx, q); /* not even the answer section fits */
	if (head + rs->an_len + rs->ad_len + opt_len <= limit) {
		ad_len = rs->ad_len; /* else without the additional section */
		arcount = rs->ad_count;
	}

	/* Everything that can fail without changing the frame comes first:
	 * an impossible blob aborts with the query as it came. */
	v = pick_start(rs, &start, &cursor);
	if (v != XDPMX_GO)
		return v;
	len = qend_off + rs->an_len + ad_len + opt_len;
	v = resize_frame(ctx, len, qend_off);
	if (v == -ENOSPC) /* too little room at both ends: frame unchanged */
		return XDPMX_CNT_MISS_NO_ROOM;
	if (v)
		return XDPMX_CNT_ABORTED;
	/* The helpers invalidated every packet pointer: re-read data and end;
	 * every write below is checked against the new end. */
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;

	*cursor += 1; /* this CPU's copy: no other CPU writes it, no atomics */
	/* Rotated: the records from the start on, then those before it, then
	 * the additional records; each piece adds itself to the UDP sum. */
	if (copy_blob(data, end, qend_off, rs->blob, rs->lim, an_off + start, rs->an_len - start,
		      &sum) ||
	    copy_blob(data, end, qend_off + rs->an_len - start, rs->blob, rs->lim, an_off, start,
		      &sum) ||
	    copy_blob(data, end, qend_off + rs->an_len, rs->blob, rs->lim, an_off + rs->an_len,
		      ad_len, &sum) ||
	    finish_answer(data, end, q, len, 0, rs->an_count, arcount + q->edns.present, sum))
		return XDPMX_CNT_ABORTED;
	return hit_counter(q->qtype_be);
}

SEC("xdp")
int xdpmx_prog(struct xdp_md *ctx)
{
	/* Zeroed: a field a path does not set (DO without EDNS) must read 0,
	 * never what the last packet left on this CPU's stack. */
	struct xdpmx_query q = {};
	struct xdpmx_rrset rs;
	int v;

	v = parse_query(ctx, &q);
	if (v == XDPMX_GO)
		v = lookup_rrset(&q, &rs);
	if (v == XDPMX_GO)
		v = build_answer(ctx, &q, &rs);
	return count_exit(v);
}
