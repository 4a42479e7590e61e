/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The daemon's zone manager: loads the configured zones, checks them,
 * publishes them to the slow path (server.h) and compiles them into the
 * fast path (fastpath.h), and reloads, edits and reports them. Included by
 * the daemon's modules only.
 *
 * Everything slow (reading files, compiling, writing maps) runs on the
 * manager's own thread, so answering never waits for a reload. Other
 * threads hand it jobs (xdpmx_zonemgr_submit) and collect them finished
 * from a queue whose eventfd (xdpmx_zonemgr_done_fd) becomes readable.
 * Reports ("zone list", "zone show", counts) read the manager's state
 * under its lock from any thread.
 *
 * A zone that fails to load or check keeps its previous version in both
 * paths; the error (file:line) is logged and kept for "zone list". A zone
 * that loads is swapped into the slow path, then applied to the fast path
 * (only changed RRsets are rewritten); a reload that finds the same content
 * changes nothing and reports "changed": false. Should the fast path refuse
 * a zone (a map is full), the zone is taken out of the fast path entirely,
 * so that no query is answered from an old version: the slow path answers
 * it all.
 *
 * A name belongs to the deepest loaded zone that holds it, in both paths:
 * a zone leaves out of the fast path the names of the zones loaded below
 * it, and gives them up (or takes them back) when such a zone is added (or
 * removed). A record edit recompiles only the RRsets it touches (fpset.h).
 */
#ifndef XDPMX_ZONEMGR_H
#define XDPMX_ZONEMGR_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "config.h"
#include "fastpath.h"
#include "server.h"
#include "sstats.h"

struct xdpmx_zonemgr;

enum xdpmx_zm_op {
	XDPMX_ZM_RELOAD_CONFIG = 0, /* SIGHUP: re-read the config, reload changed zones */
	XDPMX_ZM_RELOAD = 1,	    /* "zone reload": args {"zone"?}; every zone is
				       reloaded (without "zone": config re-read too) */
	XDPMX_ZM_CHECK = 2,	    /* "zone check": args {"file", "origin"?} */
	XDPMX_ZM_RECORD_ADD = 3,    /* "record add|del|set": args as control.h */
	XDPMX_ZM_RECORD_DEL = 4,
	XDPMX_ZM_RECORD_SET = 5,
	XDPMX_ZM_RRSET_ORDER = 6, /* "rrset order" */
	XDPMX_ZM_MAP_DUMP = 7,	  /* "map dump" */
	XDPMX_ZM_STATS_RESET = 8, /* "stats reset": the fast path's counters */
};

struct xdpmx_zm_job {
	enum xdpmx_zm_op op;
	json_t *args;	 /* owned by the job (may be NULL) */
	json_t *result;	 /* set on success */
	char *error;	 /* set on failure: one line naming object and cause */
	json_t *details; /* optional, with error */
	void *ctx;	 /* the submitter's */
	struct xdpmx_zm_job *next;
};

/*
 * Create the manager for configuration c (copied, with the flags f kept
 * for reloads: f must outlive the manager). srv and fp may be NULL (no
 * slow path: --check-config; no fast path). Nothing is loaded yet.
 */
int xdpmx_zonemgr_new(const struct xdpmx_flags *f, const struct xdpmx_config *c,
		      struct xdpmx_server *srv, struct xdpmx_fp *fp, struct xdpmx_zonemgr **out);

/*
 * Load every configured zone now, on the caller's thread (before the
 * manager thread starts), publish the set and apply it to the fast path;
 * when fp holds zones that are not configured, remove them. Returns the
 * number of zones that failed (each logged), or a negative errno.
 */
int xdpmx_zonemgr_load_all(struct xdpmx_zonemgr *zm);

/* Start the manager thread. */
int xdpmx_zonemgr_start(struct xdpmx_zonemgr *zm);
/* Queue a job (the manager owns it until it comes back from
 * xdpmx_zonemgr_take_done()). */
void xdpmx_zonemgr_submit(struct xdpmx_zonemgr *zm, struct xdpmx_zm_job *job);
/* Readable when finished jobs are waiting. */
int xdpmx_zonemgr_done_fd(struct xdpmx_zonemgr *zm);
/* The next finished job, or NULL. Drains the eventfd when the queue is
 * empty. */
struct xdpmx_zm_job *xdpmx_zonemgr_take_done(struct xdpmx_zonemgr *zm);
void xdpmx_zm_job_free(struct xdpmx_zm_job *job);

/* "zone list" result. NULL on allocation failure. */
json_t *xdpmx_zonemgr_list_json(struct xdpmx_zonemgr *zm);
/* "zone show" result for the zone named name (presentation form), or NULL
 * and a message in err (XDPMX_CONF_ERR_MAX bytes). */
json_t *xdpmx_zonemgr_show_json(struct xdpmx_zonemgr *zm, const char *name, char *err);
/* Zones loaded and served. */
size_t xdpmx_zonemgr_count(struct xdpmx_zonemgr *zm);
/* Add the manager's counters (zone loads, failures) to *sum. */
void xdpmx_zonemgr_stats(struct xdpmx_zonemgr *zm, struct xdpmx_sstats *sum);

/* Counts for a summary line (--check-config). */
struct xdpmx_zm_summary {
	size_t zones;	 /* configured */
	size_t loaded;	 /* served */
	size_t warnings; /* of the served zones' last loads, and of the PTR rule */
	struct xdpmx_ptr_stats ptr;
	bool ptr_checked; /* the PTR rule ran (ptr is its result) */
};
void xdpmx_zonemgr_summary(struct xdpmx_zonemgr *zm, struct xdpmx_zm_summary *sum);

/* Stop the thread once its current job is done; queued jobs finish with an
 * error. Every job comes back through xdpmx_zonemgr_take_done(). */
void xdpmx_zonemgr_stop(struct xdpmx_zonemgr *zm);
/* Stop, and free everything (jobs not taken back included). NULL is a
 * no-op. */
void xdpmx_zonemgr_free(struct xdpmx_zonemgr *zm);

#endif /* XDPMX_ZONEMGR_H */
