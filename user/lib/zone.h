/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The zone model: master files parsed with ldns into an immutable, indexed
 * set of nodes and RRsets that the RRset compiler, the slow-path responder
 * and the zone checks all read. Userspace only.
 *
 * Names are held twice: canonical (lowercase) for lookups, and as written in
 * the file for output. RDATA is wire format with embedded names uncompressed
 * and in the case the file gave them. Every RRset remembers the file and
 * line of its first record, so checks can point at it.
 *
 * A loaded zone is never modified: a reload or an edit builds a new one, and
 * whoever still reads the old one (a responder thread, a compile) keeps a
 * valid view until it drops its reference.
 */
#ifndef XDPMX_ZONE_H
#define XDPMX_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "dname.h"

/* ---- Diagnostics: errors and warnings with file and line ---------------- */

enum xdpmx_sev {
	XDPMX_SEV_ERROR = 0, /* the zone is rejected */
	XDPMX_SEV_WARNING = 1,
};

struct xdpmx_diag_msg {
	enum xdpmx_sev sev;
	char *file;    /* NULL when no file applies */
	unsigned line; /* 0 when no line applies */
	char *check;   /* short id of the check, e.g. "cname-and-other-data" */
	char *text;    /* the message, without file or line */
};

struct xdpmx_diag {
	size_t n, cap;
	size_t errors, warnings;
	struct xdpmx_diag_msg *msgs;
};

void xdpmx_diag_add(struct xdpmx_diag *d, enum xdpmx_sev sev, const char *file, unsigned line,
		    const char *check, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Print every message as "file:line: error|warning: text [check]". */
void xdpmx_diag_print(const struct xdpmx_diag *d);
void xdpmx_diag_clear(struct xdpmx_diag *d);

/* ---- The model ------------------------------------------------------------ */

struct xdpmx_rrset {
	uint16_t type;
	uint16_t count;	  /* records; > 0 */
	uint32_t ttl;	  /* one TTL per RRset (RFC 2181 5.2): the lowest seen */
	uint8_t order;	  /* enum xdpmx_order, from the zone's default or an override */
	const char *file; /* where the first record was */
	unsigned line;
	uint16_t *rdlen; /* count lengths */
	uint8_t **rdata; /* count RDATA in wire format, zone order */
};

#define XDPMX_NODE_APEX 0x01 /* the zone's apex */
#define XDPMX_NODE_CUT 0x02  /* NS below the apex: a delegation point */
#define XDPMX_NODE_OCCLUDED                                                                        \
	0x04			 /* strictly below a cut or below a DNAME owner:                   \
				    not authoritative data (glue, occluded) */
#define XDPMX_NODE_WILDCARD 0x08 /* first label is "*" */
#define XDPMX_NODE_ENT 0x10	 /* empty non-terminal: no RRsets of its own */

struct xdpmx_node {
	uint8_t *name;	/* canonical wire name */
	uint8_t *oname; /* wire name as written in the file */
	uint8_t name_len;
	uint32_t flags; /* XDPMX_NODE_* */
	uint16_t n_rrsets;
	struct xdpmx_rrset *rrsets; /* sorted by type */
};

#define XDPMX_ZONE_SIGNED 0x01 /* has DNSKEY at the apex or any RRSIG */

struct xdpmx_zone {
	char *file;    /* path as given */
	uint8_t *apex; /* canonical wire name */
	uint8_t apex_len;
	uint32_t serial;
	uint32_t soa_ttl;
	uint32_t soa_minimum;
	uint32_t flags; /* XDPMX_ZONE_* */
	uint8_t order;	/* default enum xdpmx_order for its RRsets */
	size_t n_nodes;
	struct xdpmx_node **nodes; /* every node, ENTs included, in canonical
				      DNS order (RFC 4034 section 6.1) */
	size_t n_records;
	struct timespec mtime; /* of the main file when loaded */
	unsigned refs;
	void *index; /* private: the name index */
};

struct xdpmx_zone_opts {
	const uint8_t *origin; /* wire name; NULL: taken from the first SOA */
	uint32_t default_ttl;  /* when the file has no $TTL; 0: 3600 */
	uint8_t order;	       /* default rotation order of the zone's RRsets */
};

/*
 * Load and check a zone from a master file: $ORIGIN, $TTL, $INCLUDE (paths
 * relative to the including file), relative names, @, parentheses,
 * comments, escapes, every type ldns knows and RFC 3597 unknown types. Runs
 * xdpmx_zone_check(). Returns 0 and *out (one reference) if no error was
 * found, else -EINVAL (syntax or check errors, all in d), -ENOENT/-EACCES
 * (file) or -ENOMEM. Warnings never fail a load.
 */
int xdpmx_zone_load(const char *path, const struct xdpmx_zone_opts *opts, struct xdpmx_diag *d,
		    struct xdpmx_zone **out);

/*
 * The per-zone checks, each reported with the file and line of the RRset:
 * missing SOA or apex NS (error), CNAME beside other data (error), MX or NS
 * target that is a CNAME in the zone (error, RFC 2181 10.3), MX target in
 * the zone without address records (warning). Returns the number of errors.
 */
int xdpmx_zone_check(const struct xdpmx_zone *z, struct xdpmx_diag *d);

/* One record for xdpmx_zone_build(). */
struct xdpmx_zone_rec {
	const uint8_t *owner; /* wire name, in the case answers should use */
	uint16_t type;
	uint16_t rdlen;
	uint32_t ttl;
	const uint8_t *rdata; /* wire RDATA, embedded names uncompressed */
	const char *file;     /* where it came from, for messages (NULL: main_file) */
	unsigned line;
};

/*
 * Build and check a zone from records rather than a file. Same model,
 * checks and results as xdpmx_zone_load(), whose options it takes;
 * opts->origin is required. main_file becomes the zone's file. Added by
 * "daemon" for record edits; the edits now go through xdpmx_zone_patch(),
 * and the unit tests build with this the zone a patch must equal.
 */
int xdpmx_zone_build(const struct xdpmx_zone_rec *recs, size_t n, const char *main_file,
		     const struct xdpmx_zone_opts *opts, struct xdpmx_diag *d,
		     struct xdpmx_zone **out);

/* One RRset change for xdpmx_zone_patch(). */
struct xdpmx_zone_change {
	const uint8_t *owner; /* wire name, any case; a new node keeps this case */
	uint16_t type;
	/* The RRset's new content (count, ttl, order, file, line, rdlen and
	 * rdata: copied; its type is ignored), or NULL (or count 0): the
	 * RRset goes, and the node with it if nothing else needs it. */
	const struct xdpmx_rrset *rs;
};

/*
 * The zone z becomes with each change made, in order, checked like a
 * loaded zone: the daemon's edit path, at a cost that follows what the
 * changes touch rather than the size of z. The new zone shares with z
 * every RRset, name and RDATA the changes leave alone (it holds a
 * reference on what it shares; z is not modified and may be dropped); it
 * has its own copy of the node array and the name index, so flags and
 * empty non-terminals are its own. Nodes are added (with the empty
 * non-terminals above them) and removed (with empty non-terminals left
 * without descendants) as the changes require; the apex never goes.
 * Returns 0 and *out (one reference), -EINVAL (an owner outside the zone,
 * or the result fails the zone checks: the messages are in d, which may be
 * NULL) or -ENOMEM. Added by "daemon2" for record edits.
 */
int xdpmx_zone_patch(const struct xdpmx_zone *z, const struct xdpmx_zone_change *ch, size_t n,
		     struct xdpmx_diag *d, struct xdpmx_zone **out);

struct xdpmx_zone *xdpmx_zone_ref(struct xdpmx_zone *z);
void xdpmx_zone_unref(struct xdpmx_zone *z);

/* Exact lookup of a canonical wire name; NULL if the zone has no such node
 * (ENT nodes are found). */
const struct xdpmx_node *xdpmx_zone_lookup(const struct xdpmx_zone *z, const uint8_t *canon);

/* The RRset of a type at a node, or NULL. */
const struct xdpmx_rrset *xdpmx_node_rrset(const struct xdpmx_node *n, uint16_t type);

/* ---- A set of zones ------------------------------------------------------- */

struct xdpmx_zoneset {
	size_t n;
	struct xdpmx_zone **zones; /* each holds one reference */
	void *index;		   /* private: apex index */
};

struct xdpmx_zoneset *xdpmx_zoneset_new(void);
/* Add (taking a new reference), or replace the zone with the same apex. */
int xdpmx_zoneset_put(struct xdpmx_zoneset *s, struct xdpmx_zone *z);
int xdpmx_zoneset_del(struct xdpmx_zoneset *s, const uint8_t *apex);
/* The zone with exactly this apex, or NULL. */
struct xdpmx_zone *xdpmx_zoneset_get(const struct xdpmx_zoneset *s, const uint8_t *apex);
/* The deepest zone whose apex is name or an ancestor of it, or NULL. */
struct xdpmx_zone *xdpmx_zoneset_find(const struct xdpmx_zoneset *s, const uint8_t *canon);
/* A copy sharing every zone (new references). */
struct xdpmx_zoneset *xdpmx_zoneset_dup(const struct xdpmx_zoneset *s);
void xdpmx_zoneset_free(struct xdpmx_zoneset *s);

/*
 * The whitepaper's rule across zones: every A/AAAA record of a mail exchange
 * host (an MX target with addresses in a loaded zone) should have a PTR in a
 * loaded reverse zone (in-addr.arpa / ip6.arpa) that points back to that
 * host. "Points back" is what receiving MTAs verify, forward-confirmed
 * reverse DNS: one of the PTR targets resolves, in the loaded zones, to that
 * same address. A PTR naming the exchange itself passes; so does one naming
 * another host that carries the address (the whitepaper's PTRs name
 * mail.mydomain.com, whose A RRset holds all three addresses). Warnings,
 * each naming the address and the host: no PTR; a PTR whose targets do not
 * resolve back to the address (mismatch, listing them); a target outside
 * the loaded zones (cannot confirm); no reverse zone loaded for the address.
 * Returns the number of warnings.
 */
int xdpmx_zoneset_check_ptr(const struct xdpmx_zoneset *s, struct xdpmx_diag *d);

/* What xdpmx_zoneset_check_ptr() looked at, for a summary line. */
struct xdpmx_ptr_stats {
	size_t hosts;	  /* mail exchange hosts with an A or AAAA in a loaded zone */
	size_t addresses; /* their addresses, each (host, address) once */
	size_t confirmed; /* addresses whose PTR resolves back: no warning */
};

/* xdpmx_zoneset_check_ptr(), also counting into *st (zeroed first).
 * addresses - confirmed is the number of warnings. Added by "daemon2" for
 * the summary of --check-config and zone check. */
int xdpmx_zoneset_check_ptr_stats(const struct xdpmx_zoneset *s, struct xdpmx_diag *d,
				  struct xdpmx_ptr_stats *st);

/* The PTR rule's result as one line into buf: "PTR rule: satisfied, 3
 * addresses of 3 mail hosts forward-confirmed", "PTR rule: 2 warnings (1 of
 * 3 addresses of 3 mail hosts forward-confirmed)", or that there was no
 * mail host address to check. Returns buf. */
char *xdpmx_ptr_rule_str(const struct xdpmx_ptr_stats *st, char *buf, size_t size);

#endif /* XDPMX_ZONE_H */
