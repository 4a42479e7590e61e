/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Packet builder for the program tests: Ethernet frames with up to three
 * VLAN tags (802.1Q / 802.1ad), IPv4 (with options or fragment bits) or IPv6
 * (with extension headers), UDP or TCP, and DNS queries (raw names, count
 * overrides, extra records, EDNS with options). Also the checksum code the
 * answer checker uses: written here from RFC 1071 / RFC 768 / RFC 8200, not
 * shared with the program under test.
 *
 * Included by tests/prog/ only. No BPF, no criterion: plain functions over
 * byte buffers, so the builder can be reasoned about on its own.
 */
#ifndef XDPMX_TEST_PKT_H
#define XDPMX_TEST_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest frame a test builds or receives (BPF_PROG_TEST_RUN copies the
 * frame into one page, minus headroom and skb_shared_info). */
#define PKT_MAX 4096
#define PKT_VLAN_MAX 3 /* one more than the program walks: PASS_VLAN */
#define PKT_EXT_MAX 4  /* IPv6 extension headers */
#define PKT_ETH_MIN 60 /* minimum Ethernet frame without FCS */

#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88a8

/* What goes around the DNS payload. Zero fields take defaults
 * (pkt_spec_defaults() says which), so a table entry names only what it
 * changes. */
struct pkt_spec {
	uint8_t eth_src[6], eth_dst[6]; /* all zero: 02:00:00:00:00:01 / :02 */
	unsigned n_vlan;		/* tags, outermost first */
	uint16_t vlan_tpid[PKT_VLAN_MAX];
	uint16_t vlan_tci[PKT_VLAN_MAX];
	uint16_t ethertype;		/* 0: from ip_version; else written as is with
					   the payload as raw bytes after it */
	int ip_version;			/* 0 or 4: IPv4, 6: IPv6 */
	uint8_t l4_proto;		/* 0: UDP (17); 6: TCP, a 20-byte header */
	uint8_t saddr4[4], daddr4[4];	/* zero: 198.18.0.1 -> 198.18.0.2 */
	uint8_t saddr6[16], daddr6[16]; /* zero: fd00::1 -> fd00::2 */
	uint8_t ttl;			/* 0: 61 (also the IPv6 hop limit) */
	uint8_t tos;			/* IPv4 TOS / IPv6 traffic class */
	uint16_t ip_id;			/* IPv4 identification, host order */
	uint16_t frag;			/* IPv4 flags + fragment offset, host order */
	uint32_t flowlabel;		/* IPv6, 20 bits */
	const uint8_t *ip4_opts;	/* IPv4 options, ip4_opts_len a multiple of 4 */
	size_t ip4_opts_len;
	/* IPv6 extension headers between the fixed header and the L4 header:
	 * type (0 hop-by-hop, 43 routing, 44 fragment, 60 destination) and
	 * total length in bytes (a multiple of 8, 8 for a fragment header). */
	unsigned n_ext;
	uint8_t ext_type[PKT_EXT_MAX];
	uint8_t ext_len[PKT_EXT_MAX];
	uint16_t sport, dport; /* 0: 40053 -> 53 */
	size_t pad_to;	       /* pad the frame with zeros to this length */
};

/* Where the layers of a built frame start. */
struct pkt_layout {
	size_t l3, l4, payload; /* offsets */
	size_t payload_len;
	size_t len; /* frame length, padding included */
};

/* Fill every zero field of s that has a default. */
void pkt_spec_defaults(struct pkt_spec *s);

/* The spec of the answer to a frame built from s: MACs, addresses and ports
 * swapped, TTL/hop limit 64, no padding, the rest kept. */
void pkt_spec_reply(struct pkt_spec *r, const struct pkt_spec *s);

/*
 * Build a frame from s (defaults applied) around payload into buf. Lengths
 * and checksums (IPv4 header, UDP, TCP) are computed. Returns the frame
 * length, or 0 if it does not fit cap. lay (may be NULL) gets the offsets.
 */
size_t pkt_frame(uint8_t *buf, size_t cap, const struct pkt_spec *s, const uint8_t *payload,
		 size_t len, struct pkt_layout *lay);

/* ---- DNS queries ---------------------------------------------------------- */

/* Header flag bits (RFC 1035 4.1.1, RFC 4035 3.2: AD and CD). */
#define DNS_QR 0x8000
#define DNS_OPCODE_SHIFT 11
#define DNS_OPCODE_MASK 0x7800
#define DNS_AA 0x0400
#define DNS_TC 0x0200
#define DNS_RD 0x0100
#define DNS_RA 0x0080
#define DNS_Z 0x0040
#define DNS_AD 0x0020
#define DNS_CD 0x0010
#define DNS_RCODE_MASK 0x000f

#define DNS_HDR_LEN 12
#define DNS_OPT_LEN 11 /* an OPT record without options */

/* EDNS option codes used in tests (RFC 7873, 5001, 7871). */
#define EDNS_OPT_NSID 3
#define EDNS_OPT_ECS 8
#define EDNS_OPT_COOKIE 10

struct dnsq {
	uint16_t id;
	uint16_t flags;		   /* header flags word, host order */
	const char *qname;	   /* presentation form, case kept, no escapes */
	const uint8_t *qname_wire; /* or a raw name (any bytes), used if set */
	size_t qname_wire_len;
	uint16_t qtype;
	uint16_t qclass; /* 0: IN */
	bool counts_set; /* use the counts below instead of computing them */
	uint16_t qdcount, ancount, nscount, arcount;
	const uint8_t *extra; /* raw bytes after the question, before the OPT */
	size_t extra_len;
	bool edns;
	uint16_t edns_size; /* the OPT class: the client's UDP payload size */
	uint8_t edns_version;
	bool edns_do;
	const uint8_t *edns_opts; /* option TLVs as on the wire */
	size_t edns_opts_len;
	bool edns_rdlen_set; /* write edns_rdlen instead of edns_opts_len */
	uint16_t edns_rdlen;
	size_t cut; /* keep only the first cut bytes of the message (0: all) */
};

/* Presentation name ("MaIl.mydomain.com." or without the final dot) to wire
 * form, case kept. Returns the wire length, or 0 on an empty label, a label
 * over 63 octets or a name that does not fit cap. */
size_t dname_wire(uint8_t *out, size_t cap, const char *s);

/* Build the DNS message of q into buf. Returns its length, 0 if it does not
 * fit. qlen (may be NULL) gets the length of the question (name, type,
 * class) that follows the 12-byte header. */
size_t dnsq_build(uint8_t *buf, size_t cap, const struct dnsq *q, size_t *qlen);

/* ---- Checksums (RFC 1071) ------------------------------------------------- */

/* One's-complement sum of len bytes as big-endian 16-bit words, odd byte
 * padded with zero, added to sum; not folded. */
uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len);
/* Fold to 16 bits and complement: the value that goes in a header. */
uint16_t csum_fold(uint32_t sum);
/* IPv4 header checksum over ihl*4 bytes at ip, with its checksum field taken
 * as zero. Host order. */
uint16_t csum_ip4(const uint8_t *ip);
/* UDP or TCP checksum over the pseudo header (RFC 768 / RFC 8200 8.1) and
 * len bytes of segment at l4, with its checksum field (at csum_off within
 * the segment) taken as zero. saddr/daddr are 4 or 16 bytes per version.
 * For UDP a computed 0 is returned as 0xffff. Host order. */
uint16_t csum_l4(int version, const uint8_t *saddr, const uint8_t *daddr, uint8_t proto,
		 const uint8_t *l4, size_t len, size_t csum_off);

/* Big-endian loads and stores. */
static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

#endif /* XDPMX_TEST_PKT_H */
