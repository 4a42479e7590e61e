/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Private to the zone module (zone.c, zoneload.c, zonecheck.c, zoneset.c,
 * zonepatch.c): the arena that holds a zone's names and RDATA, the name
 * hash, the private part of a zone, and the zone builder that the master
 * file reader feeds record by record. Nothing outside
 * user/lib/zone*.c may include it; everyone else reads zone.h.
 *
 * Building a zone is linear apart from one sort of the distinct names:
 * records are appended as they are read (owners interned through a hash),
 * then xdpmx_zb_finish() adds the empty non-terminals, sorts the names once
 * into canonical order, groups the records by name with a counting sort,
 * merges RRsets, and lays the model out in a few large arrays.
 */
#ifndef XDPMX_ZONE_INT_H
#define XDPMX_ZONE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "zone.h"

/* ---- Arena: many small objects freed at once ------------------------------ */

struct zarena_chunk;

struct zarena {
	struct zarena_chunk *head;
	uint8_t *p, *end; /* free space in head */
	size_t bytes;	  /* allocated from the system, for memory reports */
};

/* n bytes aligned to align (a power of two), or NULL (ENOMEM). Pointers stay
 * valid until zarena_free(). */
void *zarena_alloc(struct zarena *a, size_t n, size_t align);
/* A copy of n bytes, or NULL. */
void *zarena_dup(struct zarena *a, const void *src, size_t n);
void zarena_free(struct zarena *a);

/* ---- Hashing ------------------------------------------------------------ */

/* Hash of len bytes (a canonical wire name). Never 0. */
uint64_t xdpmx_zhash(const uint8_t *p, size_t len);

/* ---- Builder --------------------------------------------------------------- */

#define ZREC_DROP 0x1 /* duplicate: not part of the model */

struct zrec {
	const uint8_t *rdata; /* in the arena */
	uint32_t name;	      /* index into zb.names */
	uint32_t ttl;
	uint32_t line;
	uint16_t type;
	uint16_t rdlen;
	uint16_t file; /* index into zb.files */
	uint16_t flags;
};

struct zname {
	const uint8_t *canon; /* in the arena */
	const uint8_t *oname; /* as first written, in the arena */
	uint64_t hash;
	uint8_t len;
	uint8_t ent; /* created as an empty non-terminal */
};

struct xdpmx_zb {
	struct zarena arena; /* handed to the zone by xdpmx_zb_finish() */
	struct xdpmx_diag *d;

	const char **files; /* in the arena */
	size_t n_files, cap_files;

	struct zname *names;
	size_t n_names, cap_names;
	uint32_t *ntab; /* open addressing: name index + 1, 0 = empty */
	size_t ntab_mask;

	struct zrec *recs;
	size_t n_recs, cap_recs;

	uint8_t apex[XDPMX_DNAME_MAX]; /* canonical */
	uint8_t apex_len;	       /* 0: not known yet */
	int apex_labels;
};

void xdpmx_zb_init(struct xdpmx_zb *b, struct xdpmx_diag *d);
void xdpmx_zb_release(struct xdpmx_zb *b);

/* Set the apex (any case). Must precede the first xdpmx_zb_add(). */
void xdpmx_zb_set_apex(struct xdpmx_zb *b, const uint8_t *apex, size_t len);

/* Remember a file name; returns its index (>= 0) or -ENOMEM / -E2BIG. */
int xdpmx_zb_file(struct xdpmx_zb *b, const char *path);

/*
 * Add one record. owner is a validated wire name in the file's case; rdata
 * its wire RDATA. A record whose owner is outside the apex is reported
 * (error, out-of-zone) and not added: returns 1 then. Returns 0 when added,
 * -ENOMEM on allocation failure.
 */
int xdpmx_zb_add(struct xdpmx_zb *b, const uint8_t *owner, size_t owner_len, uint16_t type,
		 uint32_t ttl, const uint8_t *rdata, size_t rdlen, int file, unsigned line);

/*
 * Build the zone from everything added: empty non-terminals, canonical
 * order, RRsets (duplicates dropped and TTLs lowered with a warning), node
 * flags, SOA fields and the name index. main_file is the path as given.
 * On success returns 0 and *out (one reference) and the builder is left
 * empty; returns -ENOMEM or -EINVAL (an RRset too large for the model,
 * reported in d) otherwise.
 */
int xdpmx_zb_finish(struct xdpmx_zb *b, const char *main_file, uint8_t order,
		    struct xdpmx_zone **out);

/* ---- The private part of a built zone (z->index) ------------------------------ */

struct zslot {
	uint32_t hash; /* upper half of the name's hash */
	uint32_t node; /* index into node_mem + 1; 0: empty */
};

struct zblock; /* zonepatch.c */

struct zpriv {
	struct zarena arena;
	struct xdpmx_node *node_mem;
	struct xdpmx_rrset *rrset_mem;
	uint16_t *rdlen_mem;
	uint8_t **rdata_mem;
	struct zslot *slots;
	size_t mask;
	const char **files;
	size_t n_files;
	/*
	 * A zone made by xdpmx_zone_patch() (zonepatch.c) owns only node_mem
	 * (n_mem nodes: those of the zone it was made from, in the same
	 * places, then its new ones; deleted nodes stay as unused holes),
	 * slots and z->nodes. The RRsets, names and RDATA its nodes point to
	 * belong to root (the zone xdpmx_zb_finish() built) and to blocks
	 * (what each patch since added), which it holds references on. All
	 * zero in a zone built by xdpmx_zb_finish().
	 */
	size_t n_mem;
	struct xdpmx_zone *root;
	struct zblock **blocks;
	size_t n_blocks;
};

struct zfull {
	struct xdpmx_zone z;
	struct zpriv p;
};

/* Drop what a patched zone holds (root, blocks); a no-op for a built zone.
 * Called by zone_free(). In zonepatch.c. */
void xdpmx_zpatch_release(struct zpriv *p);

/* Node flags (APEX, ENT, WILDCARD, CUT, OCCLUDED) from scratch: every
 * node's flags must be 0 before. In zone.c. */
void xdpmx_zone_mark_flags(struct xdpmx_zone *z);
/* serial, soa_ttl, soa_minimum and the SIGNED flag from the nodes (z->flags
 * must not hold SIGNED before). In zone.c. */
void xdpmx_zone_fill_fields(struct xdpmx_zone *z);

/* ---- Helpers shared by the checks ----------------------------------------- */

/* Presentation name of an RR type ("MX", "TYPE999") into buf (>= 16 bytes). */
const char *xdpmx_type_str(uint16_t type, char *buf, size_t size);

/*
 * Where the domain names sit in the RDATA of type (RFC 1035 and RFC 3597
 * section 4 list the types whose RDATA names are compressible or canonical):
 * fills off[] with the offset of each embedded name and returns their
 * number (0 to 2), or -EINVAL when the RDATA is malformed for the type.
 */
int xdpmx_rdata_names(uint16_t type, const uint8_t *rdata, size_t rdlen, size_t off[2]);

#endif /* XDPMX_ZONE_INT_H */
