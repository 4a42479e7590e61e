/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Edits of a served zone, for the control commands "record add|del|set"
 * and "rrset order": each makes a new zone (xdpmx_zone_patch) that shares
 * with the old one everything the edit leaves alone, checked like a loaded
 * zone, for the zone manager to swap in: an edit costs what it touches,
 * not the zone's size. The old zone is not touched. Edits live in memory
 * only: nothing is written to the zone file. Included by the zone manager
 * only.
 */
#ifndef XDPMX_ZONEEDIT_H
#define XDPMX_ZONEEDIT_H

#include <stdint.h>

#include "zone.h"

enum xdpmx_edit_op {
	XDPMX_EDIT_ADD = 0, /* add one record to its RRset (or a new RRset) */
	XDPMX_EDIT_DEL = 1, /* delete one record, or the whole RRset without data */
	XDPMX_EDIT_SET = 2, /* replace the RRset with one record */
};

struct xdpmx_edit {
	enum xdpmx_edit_op op;
	const char *name; /* owner, presentation form, absolute (final dot optional) */
	const char *type; /* "MX", "TYPE65280", ... */
	uint32_t ttl;	  /* add, set */
	const char *data; /* RDATA in presentation form; NULL: del of the RRset */
};

/* Length of the error message buffer of the functions below. */
#define XDPMX_EDIT_ERR_MAX 512

/*
 * Build the zone z becomes with edit e applied, its SOA serial incremented
 * (unless the edit is to the SOA itself), and every RRset keeping the order
 * it had in z. Returns 0 and *out, or a negative errno with a message in
 * err: -EINVAL (bad name, type or data, or the result fails the zone
 * checks: the messages are in d), -ENOENT (no such record or RRset to
 * delete), -EEXIST (the record to add is there already), -ERANGE (the name
 * is not in this zone), -ENOMEM. *owner and *type get the edited RRset's
 * canonical owner and type (owner: XDPMX_DNAME_MAX bytes).
 */
int xdpmx_zone_edit(const struct xdpmx_zone *z, const struct xdpmx_edit *e, struct xdpmx_diag *d,
		    struct xdpmx_zone **out, uint8_t *owner, uint16_t *type, char *err);

/*
 * Build z with the order of one RRset set to order (enum xdpmx_order).
 * Errors as above (-ENOENT: no such RRset).
 */
int xdpmx_zone_set_order(const struct xdpmx_zone *z, const char *name, const char *type,
			 uint8_t order, struct xdpmx_zone **out, uint8_t *owner, uint16_t *rtype,
			 char *err);

#endif /* XDPMX_ZONEEDIT_H */
