/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * DNS messages by hand: the header layout with mask/shift macros for its
 * flags (no bitfields), the type/class/rcode numbers userspace needs beyond
 * include/xdpmx/abi.h, and two bounded buffers: a reader that never reads
 * past the bytes it was given, and a writer that never writes past its
 * capacity, plus name output with RFC 1035 section 4.1.4 compression.
 * Userspace only (the BPF side has its own parser in bpf/dns.h); included
 * by the slow-path responder and by anything else that builds or walks DNS
 * messages in userspace.
 *
 * RFC 1035 section 4.1.1, the header (every field big-endian on the wire):
 *
 *                                     1  1  1  1  1  1
 *       0  1  2  3  4  5  6  7  8  9  0  1  2  3  4  5
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                      ID                       |   offset 0
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |QR|   Opcode  |AA|TC|RD|RA| Z|AD|CD|   RCODE   |   offset 2
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                    QDCOUNT                    |   offset 4
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                    ANCOUNT                    |   offset 6
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                    NSCOUNT                    |   offset 8
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |                    ARCOUNT                    |   offset 10
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *
 * AD and CD are RFC 4035 section 3.2; Z is the one bit still reserved.
 * The flag macros work on the 16-bit flags word in host order, read with
 * xdpmx_get16(msg + XDPMX_DNS_OFF_FLAGS).
 */
#ifndef XDPMX_WIRE_H
#define XDPMX_WIRE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <xdpmx/abi.h>

/* ---- Header --------------------------------------------------------------- */

#define XDPMX_DNS_HDR_LEN 12
#define XDPMX_DNS_OFF_ID 0
#define XDPMX_DNS_OFF_FLAGS 2
#define XDPMX_DNS_OFF_QDCOUNT 4
#define XDPMX_DNS_OFF_ANCOUNT 6
#define XDPMX_DNS_OFF_NSCOUNT 8
#define XDPMX_DNS_OFF_ARCOUNT 10

#define XDPMX_DNS_F_QR 0x8000
#define XDPMX_DNS_F_OPCODE_MASK 0x7800
#define XDPMX_DNS_F_OPCODE_SHIFT 11
#define XDPMX_DNS_F_AA 0x0400
#define XDPMX_DNS_F_TC 0x0200
#define XDPMX_DNS_F_RD 0x0100
#define XDPMX_DNS_F_RA 0x0080
#define XDPMX_DNS_F_Z 0x0040
#define XDPMX_DNS_F_AD 0x0020
#define XDPMX_DNS_F_CD 0x0010
#define XDPMX_DNS_F_RCODE_MASK 0x000f

#define XDPMX_DNS_OPCODE(flags) (((flags)&XDPMX_DNS_F_OPCODE_MASK) >> XDPMX_DNS_F_OPCODE_SHIFT)
#define XDPMX_DNS_RCODE(flags) ((flags)&XDPMX_DNS_F_RCODE_MASK)

#define XDPMX_OPCODE_QUERY 0

/* RCODEs; values above 15 live partly in the OPT record (RFC 6891 6.1.3). */
#define XDPMX_RCODE_NOERROR 0
#define XDPMX_RCODE_FORMERR 1
#define XDPMX_RCODE_SERVFAIL 2
#define XDPMX_RCODE_NXDOMAIN 3
#define XDPMX_RCODE_NOTIMP 4
#define XDPMX_RCODE_REFUSED 5
#define XDPMX_RCODE_YXDOMAIN 6
#define XDPMX_RCODE_BADVERS 16

/* Types beyond the ones the fast path answers (abi.h has A, PTR, MX, AAAA,
 * OPT and class IN). */
#define XDPMX_TYPE_NS 2
#define XDPMX_TYPE_MD 3
#define XDPMX_TYPE_MF 4
#define XDPMX_TYPE_CNAME 5
#define XDPMX_TYPE_SOA 6
#define XDPMX_TYPE_MB 7
#define XDPMX_TYPE_MG 8
#define XDPMX_TYPE_MR 9
#define XDPMX_TYPE_HINFO 13
#define XDPMX_TYPE_MINFO 14
#define XDPMX_TYPE_DNAME 39
#define XDPMX_TYPE_DS 43
#define XDPMX_TYPE_IXFR 251
#define XDPMX_TYPE_AXFR 252
#define XDPMX_TYPE_ANY 255

/* ---- EDNS (RFC 6891 section 6.1) ------------------------------------------ */

/*
 * The OPT pseudo-RR: owner root, TYPE 41, CLASS = requestor's UDP payload
 * size, TTL = extended RCODE and flags:
 *
 *       0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |  EXTENDED-RCODE (upper 8 bits) |    VERSION    |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *     |DO|                    Z                       |
 *     +--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+--+
 *
 * RDATA is a sequence of {OPTION-CODE, OPTION-LENGTH, OPTION-DATA}.
 * The macros below take the 32-bit TTL field in host order.
 */
#define XDPMX_EDNS_EXT_RCODE(ttl) (((ttl) >> 24) & 0xff)
#define XDPMX_EDNS_VERSION(ttl) (((ttl) >> 16) & 0xff)
#define XDPMX_EDNS_F_DO 0x00008000U
#define XDPMX_EDNS_TTL(ext_rcode, version, flags)                                                  \
	((((uint32_t)(ext_rcode)&0xff) << 24) | (((uint32_t)(version)&0xff) << 16) |               \
	 ((uint32_t)(flags)&0xffff))
/* An OPT with no options: root (1) + type, class (4) + ttl (4) + rdlen (2). */
#define XDPMX_OPT_LEN 11

/* ---- Big-endian access ---------------------------------------------------- */

static inline uint16_t xdpmx_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t xdpmx_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void xdpmx_put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void xdpmx_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* ---- Reader --------------------------------------------------------------- */

/* A cursor over len bytes at p. Every get checks the bytes are present and
 * returns 0, or -EBADMSG (and does not move) when they are not. */
struct xdpmx_rbuf {
	const uint8_t *p;
	size_t pos, len;
};

static inline void xdpmx_rbuf_init(struct xdpmx_rbuf *b, const uint8_t *p, size_t len)
{
	b->p = p;
	b->pos = 0;
	b->len = len;
}

static inline size_t xdpmx_rbuf_left(const struct xdpmx_rbuf *b)
{
	return b->len - b->pos;
}

static inline int xdpmx_rbuf_skip(struct xdpmx_rbuf *b, size_t n)
{
	if (xdpmx_rbuf_left(b) < n)
		return -EBADMSG;
	b->pos += n;
	return 0;
}

static inline int xdpmx_rbuf_u8(struct xdpmx_rbuf *b, uint8_t *v)
{
	if (xdpmx_rbuf_left(b) < 1)
		return -EBADMSG;
	*v = b->p[b->pos++];
	return 0;
}

static inline int xdpmx_rbuf_u16(struct xdpmx_rbuf *b, uint16_t *v)
{
	if (xdpmx_rbuf_left(b) < 2)
		return -EBADMSG;
	*v = xdpmx_get16(b->p + b->pos);
	b->pos += 2;
	return 0;
}

static inline int xdpmx_rbuf_u32(struct xdpmx_rbuf *b, uint32_t *v)
{
	if (xdpmx_rbuf_left(b) < 4)
		return -EBADMSG;
	*v = xdpmx_get32(b->p + b->pos);
	b->pos += 4;
	return 0;
}

/*
 * Step over a name in a message: labels, ending in a root byte or a
 * compression pointer. With allow_ptr false a pointer is an error (a
 * question name has nothing before it to point at). Checks label length
 * (<= 63), the extended label types 01 and 10 (RFC 6891 section 5: not
 * supported, an error) and the 255-octet limit of the uncompressed part.
 * Does not follow pointers. Returns the octets of the name as it appears
 * in the message (root byte or pointer included), or -EBADMSG; the cursor
 * moves past the name only on success.
 */
int xdpmx_rbuf_name(struct xdpmx_rbuf *b, bool allow_ptr);

/* ---- Writer --------------------------------------------------------------- */

/* A cursor over cap bytes at p. Every put checks the space and returns 0,
 * or -ENOSPC (and writes nothing) when it does not fit. */
struct xdpmx_wbuf {
	uint8_t *p;
	size_t pos, cap;
};

static inline void xdpmx_wbuf_init(struct xdpmx_wbuf *b, uint8_t *p, size_t cap)
{
	b->p = p;
	b->pos = 0;
	b->cap = cap;
}

static inline size_t xdpmx_wbuf_left(const struct xdpmx_wbuf *b)
{
	return b->cap - b->pos;
}

static inline int xdpmx_wbuf_bytes(struct xdpmx_wbuf *b, const void *src, size_t n)
{
	if (xdpmx_wbuf_left(b) < n)
		return -ENOSPC;
	memcpy(b->p + b->pos, src, n);
	b->pos += n;
	return 0;
}

static inline int xdpmx_wbuf_u8(struct xdpmx_wbuf *b, uint8_t v)
{
	if (xdpmx_wbuf_left(b) < 1)
		return -ENOSPC;
	b->p[b->pos++] = v;
	return 0;
}

static inline int xdpmx_wbuf_u16(struct xdpmx_wbuf *b, uint16_t v)
{
	if (xdpmx_wbuf_left(b) < 2)
		return -ENOSPC;
	xdpmx_put16(b->p + b->pos, v);
	b->pos += 2;
	return 0;
}

static inline int xdpmx_wbuf_u32(struct xdpmx_wbuf *b, uint32_t v)
{
	if (xdpmx_wbuf_left(b) < 4)
		return -ENOSPC;
	xdpmx_put32(b->p + b->pos, v);
	b->pos += 4;
	return 0;
}

/* ---- Name compression (RFC 1035 section 4.1.4) ----------------------------- */

/* Names already in the message that later names may point at. Bounded:
 * once full, further names are still written, only not remembered. */
#define XDPMX_CTABLE_MAX 64
/* A pointer holds a 14-bit offset. */
#define XDPMX_CPTR_MAX 0x3fff

struct xdpmx_ctable_ent {
	const uint8_t *name; /* uncompressed wire name (any case), not owned:
				must stay valid while the table is used */
	uint16_t off;	     /* where that name starts in the message */
	uint8_t len;	     /* octets of name, root byte included */
};

struct xdpmx_ctable {
	unsigned n;
	struct xdpmx_ctable_ent e[XDPMX_CTABLE_MAX];
};

static inline void xdpmx_ctable_init(struct xdpmx_ctable *t)
{
	t->n = 0;
}

/* Forget every entry at or after message offset off (after the writer was
 * rolled back to off). */
void xdpmx_ctable_trim(struct xdpmx_ctable *t, size_t off);

/*
 * Remember that the uncompressed wire name `name` (len octets, root byte
 * included) was written literally at message offset off: each of its
 * suffixes but the root becomes a target. name must stay valid while t is
 * used. Entries past XDPMX_CTABLE_MAX or beyond pointer range are dropped.
 */
void xdpmx_ctable_add(struct xdpmx_ctable *t, const uint8_t *name, size_t len, size_t off);

/*
 * Write the uncompressed wire name `name` (len octets, root byte included,
 * well formed) at the writer's position. With t != NULL the longest suffix
 * found in t (case-insensitively) is replaced by a pointer, and the labels
 * written literally are added to t; with t == NULL the name is written in
 * full and not remembered. Letter case is written as given. Returns 0, or
 * -ENOSPC with nothing written (the table unchanged).
 */
int xdpmx_wbuf_name(struct xdpmx_wbuf *b, struct xdpmx_ctable *t, const uint8_t *name, size_t len);

#endif /* XDPMX_WIRE_H */
