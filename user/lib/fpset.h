/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The compiled set the daemon gives the fast path for one zone, kept between
 * applies: the zone's compiled RRsets (compile.h) minus those at or below the
 * apex of another loaded zone below it. A name belongs to the deepest zone
 * that holds it (the slow path answers from that zone, xdpmx_zoneset_find),
 * so a parent without a delegation must not answer its child's names from
 * the fast path either.
 *
 * Kept so that a record edit recompiles only what it touches: the edited
 * RRset's owner and the MX RRsets whose additional section holds that
 * owner's addresses; the fast path's apply then diffs the set against what
 * the maps hold. Memory: one struct xdpmx_centry and one blob per RRset.
 *
 * Used by the zone manager (zonemgr.c) only, on its thread.
 */
#ifndef XDPMX_FPSET_H
#define XDPMX_FPSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compile.h"
#include "zone.h"

struct xdpmx_fpset {
	/* What the fast path is given (xdpmx_fp_zone_apply): e[] sorted by
	 * xdpmx_centry_cmp(), n entries. skipped[] and ad_trimmed count over
	 * the whole zone, filtered names included. arena is NULL: never pass
	 * this to xdpmx_compiled_free(). */
	struct xdpmx_compiled c;
	size_t filtered;   /* compiled RRsets left out: zones below answer them */
	size_t recompiled; /* RRsets the last build or edit compiled */
	/* private */
	size_t cap;		     /* room in c.e */
	struct xdpmx_compiled *full; /* owns the blobs of the last full compile */
	uint8_t **own;		     /* blobs compiled one at a time since */
	size_t n_own, cap_own;
};

/*
 * Compile z whole and leave out every RRset at or below one of the n_below
 * apexes (canonical wire names of the loaded zones under z's apex; the
 * nearest ones suffice). Returns 0 and *out, or -ENOMEM.
 */
int xdpmx_fpset_build(const struct xdpmx_zone *z, const uint8_t *const *below, size_t n_below,
		      struct xdpmx_fpset **out);

/*
 * Bring s, the set of zone zo, to zone zn: zo with the RRset (owner: a
 * canonical wire name; type) changed by an edit, the SOA serial aside.
 * Recompiles the A, AAAA, MX and PTR RRsets of owner and, when an address
 * or a CNAME of owner changed, every MX RRset with owner as an exchange.
 * Returns 0; -EAGAIN when the change reaches further than that (NS or
 * DNAME: what is below owner changes; DNSKEY or RRSIG: the zone's signed
 * flag, in every blob, changed), s untouched: build anew; -ENOMEM with s
 * partly changed: free it and build anew.
 */
int xdpmx_fpset_edit(struct xdpmx_fpset *s, const struct xdpmx_zone *zo,
		     const struct xdpmx_zone *zn, const uint8_t *owner, uint16_t type,
		     const uint8_t *const *below, size_t n_below);

/* Whether s holds the RRset (canonical owner, type). */
bool xdpmx_fpset_has(const struct xdpmx_fpset *s, const uint8_t *owner, uint16_t type);

/* NULL is a no-op. */
void xdpmx_fpset_free(struct xdpmx_fpset *s);

#endif /* XDPMX_FPSET_H */
