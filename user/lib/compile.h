/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The RRset compiler: turns the authoritative MX, A, AAAA and PTR RRsets of a
 * zone into the blobs the fast path copies into answers (layout in
 * include/xdpmx/abi.h). Pure userspace, no BPF calls: the daemon, the CLI,
 * the program tests and the benchmark all compile through here, so what the
 * tests prove is what production writes.
 *
 * What is compiled (a wrong answer is worse than a miss):
 *  - MX, A, AAAA and PTR RRsets of nodes that are authoritative: not at or
 *    below a delegation point (glue), not below a DNAME, not wildcards;
 *    names that own a CNAME have no other data (the zone check rejects it).
 *  - For MX, the additional section holds the A then AAAA RRsets of each
 *    exchange (in MX zone order, each host once) that is in this zone and
 *    authoritative (RFC 1034 section 4.3.2). Exchanges elsewhere are left out.
 *  - Only what fits: at most XDPMX_RR_MAX answer and XDPMX_AD_MAX additional
 *    records, and a blob of at most XDPMX_BLOB_MAX bytes, the owner name at
 *    its end included. Anything else is skipped (counted by reason) and
 *    answered by the slow path.
 */
#ifndef XDPMX_COMPILE_H
#define XDPMX_COMPILE_H

#include <stddef.h>
#include <stdint.h>

#include <xdpmx/abi.h>

#include "zone.h"

/* One compiled RRset: the directory key and the blob bytes. */
struct xdpmx_centry {
	struct xdpmx_key_l key; /* qtype (network order) + canonical name, zero padded */
	uint8_t name_len;	/* octets of key.name used, root byte included */
	uint8_t flags;		/* XDPMX_CENTRY_F_* */
	uint16_t blob_len;
	uint8_t *blob; /* blob_len bytes, owned by the entry (xdpmx_compile_rrset)
			  or by its set's arena (xdpmx_compile_zone) */
};

/* Entry flags. */
#define XDPMX_CENTRY_F_AD_TRIMMED                                                                  \
	0x01 /* MX compiled without its additional                                                 \
		records: more than XDPMX_AD_MAX, or                                                \
		the blob (owner included) would                                                    \
		exceed XDPMX_BLOB_MAX */

enum xdpmx_skip {
	XDPMX_SKIP_TOO_BIG = 0,	 /* blob larger than XDPMX_BLOB_MAX */
	XDPMX_SKIP_TOO_MANY = 1, /* more than XDPMX_RR_MAX records */
	XDPMX_SKIP_SIGNED = 2,	 /* reserved: signed RRsets are compiled, flagged */
	XDPMX_SKIP__MAX
};

struct xdpmx_compiled {
	size_t n;
	struct xdpmx_centry *e; /* sorted by (name_len, key) so two compiles diff in one pass */
	size_t skipped[XDPMX_SKIP__MAX];
	size_t ad_trimmed;   /* entries with XDPMX_CENTRY_F_AD_TRIMMED */
	uint64_t blob_bytes; /* sum of blob_len */
	void *arena;	     /* private: holds every e[i].blob of a compiled
				zone; NULL when each entry owns its blob */
};

/* Order of xdpmx_compiled.e: name_len, then the key bytes (qtype in network
 * order, then the name). <0, 0, >0 as memcmp. */
int xdpmx_centry_cmp(const struct xdpmx_centry *a, const struct xdpmx_centry *b);

/* Size class for a blob of len bytes, or -E2BIG. */
int xdpmx_blob_class(size_t len);

/* Name-length classes the fast path's statistics count RRsets by
 * (xdpmx_fp_mem()): most mail names and in-addr.arpa names fit 46 octets,
 * ip6.arpa names (74) fit 126. (Up to ABI 2 each class had a directory of
 * its own; since ABI 3 one directory holds every name.) */
#define XDPMX_NAME_CLASS_S 46
#define XDPMX_NAME_CLASS_M 126
#define XDPMX_NAME_CLASSES 3

/* The class of a name of name_len octets (root byte included): 0 (up to
 * XDPMX_NAME_CLASS_S), 1 (up to XDPMX_NAME_CLASS_M), 2 (longer). */
int xdpmx_name_class(size_t name_len);

/* Compile one RRset of node n (of zone z) into e. Returns 0, -E2BIG or
 * -ENOSPC (too big / too many: skipped), -EINVAL (not a compiled type or
 * not authoritative) or -ENOMEM. */
int xdpmx_compile_rrset(const struct xdpmx_zone *z, const struct xdpmx_node *n,
			const struct xdpmx_rrset *rs, struct xdpmx_centry *e);

/* Compile every eligible RRset of z. Returns 0 and *out, or -ENOMEM. */
int xdpmx_compile_zone(const struct xdpmx_zone *z, struct xdpmx_compiled **out);

/* Free the blob of an entry filled by xdpmx_compile_rrset() (not of an
 * entry inside an xdpmx_compiled with an arena). */
void xdpmx_centry_release(struct xdpmx_centry *e);
/* Free c, its entries and their blobs (the arena, or each e[i].blob when
 * c->arena is NULL, for sets built entry by entry). NULL is a no-op. */
void xdpmx_compiled_free(struct xdpmx_compiled *c);

#endif /* XDPMX_COMPILE_H */
