/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The slow-path responder: the DNS logic of xdpmxd. A pure function from
 * query bytes to response bytes over a set of loaded zones, answering as an
 * authoritative server (Knot DNS, NSD) would. No sockets, no threads, no
 * allocation per query: the daemon calls it from its UDP and TCP loops, the
 * tests call it directly. Userspace only; include it where queries are
 * answered.
 *
 * One responder per thread: it holds the rotation cursor and the random
 * state for its answers and scratch space for one query, and is not
 * thread-safe. Several responders may share one zone set.
 *
 * What it answers (details in respond.c):
 *  - positive answers (AA) with the RRset rotated per the RRset's order, as
 *    the fast path does: cyclic (start at the responder's cursor, which
 *    moves once per query that used it), random (uniform start), fixed;
 *  - CNAME chains inside the zone (at most XDPMX_RESP_CHAIN_MAX links, loop
 *    safe), DNAME substitution with a synthesized CNAME (RFC 6672),
 *    wildcards (RFC 4592), NODATA and NXDOMAIN with the zone's SOA at
 *    TTL min(SOA TTL, SOA MINIMUM) (RFC 2308), referrals with glue below
 *    delegation points, DS at a delegation from the parent side;
 *  - ANY: one synthesized HINFO "RFC8482" "" (RFC 8482), over TCP too;
 *  - additional A/AAAA for MX exchanges by the fast path's rule
 *    (compile.h: in-zone, authoritative, at most XDPMX_AD_MAX records, all
 *    or nothing) and for NS targets at the apex;
 *  - EDNS (RFC 6891): OPT exactly when the query had one, BADVERS for
 *    version > 0, DO copied, no options echoed;
 *  - size: 512 over UDP without EDNS, max(512, min(client, ours)) with it,
 *    65535 over TCP; an answer that does not fit is TC=1 with the question
 *    (and OPT) only;
 *  - errors: no answer for a QR=1 message or one shorter than a header;
 *    NOTIMP for an opcode other than QUERY; FORMERR for QDCOUNT != 1, a
 *    malformed message, more than one OPT or an OPT not at the root;
 *    REFUSED for a class other than IN, AXFR/IXFR, and names outside every
 *    loaded zone.
 */
#ifndef XDPMX_RESPOND_H
#define XDPMX_RESPOND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "zone.h"

/* CNAME/DNAME links followed for one query (Knot and NSD use similar small
 * bounds; a longer chain is answered as far as it got). */
#define XDPMX_RESP_CHAIN_MAX 16
/* TTL of the synthesized RFC 8482 HINFO (RFC 8482 leaves it to the server;
 * one hour keeps resolvers from asking again soon). */
#define XDPMX_RESP_ANY_TTL 3600
/* Largest response: a TCP message (RFC 1035 section 4.2.2). */
#define XDPMX_RESP_TCP_MAX 65535

/* What a response was, for the daemon's statistics. */
enum xdpmx_resp_kind {
	XDPMX_RESP_NONE = 0,	 /* nothing to send: shorter than a header, or QR=1 */
	XDPMX_RESP_ANSWER = 1,	 /* records for the question (CNAME/DNAME chains too) */
	XDPMX_RESP_NODATA = 2,	 /* the name exists, not the type: SOA in authority */
	XDPMX_RESP_NXDOMAIN = 3, /* the name does not exist: SOA in authority */
	XDPMX_RESP_REFERRAL = 4, /* below a delegation: NS in authority, glue */
	XDPMX_RESP_ANY = 5,	 /* RFC 8482 minimal answer to QTYPE ANY */
	XDPMX_RESP_REFUSED = 6,	 /* not our zone, class not IN, or a transfer */
	XDPMX_RESP_FORMERR = 7,
	XDPMX_RESP_NOTIMP = 8,
	XDPMX_RESP_BADVERS = 9,	  /* EDNS version > 0 */
	XDPMX_RESP_YXDOMAIN = 10, /* DNAME substitution longer than 255 octets */
	XDPMX_RESP__MAX
};

/* Lowercase name of a kind ("answer", "nodata", ...), "?" when out of range. */
const char *xdpmx_resp_kind_name(enum xdpmx_resp_kind kind);

struct xdpmx_resp_info {
	enum xdpmx_resp_kind kind;
	uint16_t rcode; /* full RCODE, extended bits included (BADVERS = 16) */
	uint16_t qtype; /* of the question; 0 when none was parsed */
	uint16_t qclass;
	uint16_t an, ns, ar; /* records per section, OPT counted in ar */
	bool tc, aa;
	bool edns;		       /* the response carries an OPT */
	bool dnssec_ok;		       /* DO was set in the query */
	const struct xdpmx_zone *zone; /* the zone that answered, or NULL */
};

struct xdpmx_resp_cfg {
	uint16_t edns_size; /* our EDNS UDP payload size; 0: XDPMX_EDNS_SIZE_DEFAULT,
			       below 512 counts as 512 */
	uint64_t seed;	    /* random-order seed; 0: taken from getrandom() */
};

struct xdpmx_responder;

/* Create a responder answering from zs (borrowed, may be NULL: then every
 * query is REFUSED). cfg may be NULL for the defaults. Returns 0 and *out,
 * or -ENOMEM, or the getrandom() error. */
int xdpmx_responder_new(const struct xdpmx_zoneset *zs, const struct xdpmx_resp_cfg *cfg,
			struct xdpmx_responder **out);
void xdpmx_responder_free(struct xdpmx_responder *r);

/* Answer from another zone set from the next query on. The responder only
 * borrows it: the caller keeps zs (and its zones) alive until no
 * xdpmx_respond() call on this responder can still be using the old one,
 * i.e. until the thread owning r has returned from its current call. */
void xdpmx_responder_set_zones(struct xdpmx_responder *r, const struct xdpmx_zoneset *zs);
void xdpmx_responder_set_edns_size(struct xdpmx_responder *r, uint16_t edns_size);

/*
 * Answer one DNS message.
 *  q, qlen: the message as received (for TCP without its length prefix).
 *  tcp:     it came over TCP (size limit 65535, no EDNS size negotiation).
 *  out, cap: where the response goes. The response is never longer than the
 *           transport's limit nor than cap; give cap >= the limit
 *           (XDPMX_RESP_TCP_MAX for TCP, our EDNS size for UDP) so only the
 *           transport decides truncation.
 *  info:    filled in (may be NULL).
 * Returns the response length; 0 when nothing must be sent (shorter than a
 * header, or QR=1); -ENOBUFS when cap cannot even hold a truncated
 * response (header, question, OPT). out and q must not overlap.
 */
ssize_t xdpmx_respond(struct xdpmx_responder *r, const uint8_t *q, size_t qlen, bool tcp,
		      uint8_t *out, size_t cap, struct xdpmx_resp_info *info);

#endif /* XDPMX_RESPOND_H */
