/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The server side of the control protocol (user/lib/control.h): a UNIX
 * stream socket, mode 0600, served from the daemon's control loop
 * (evloop.h). Included by the daemon only.
 *
 * Requests that only read ("status", "stats show", "zone list", "zone
 * show") are answered at once. Those that load, compile or write the maps
 * become zone-manager jobs: the connection reads no further request until
 * the job comes back (xdpmx_ctlsrv_job_done) and its response is sent, so
 * responses keep the order of requests.
 */
#ifndef XDPMX_CTLSRV_H
#define XDPMX_CTLSRV_H

#include <jansson.h>

#include "sstats.h"
#include "zonemgr.h"

/* What the daemon answers for the requests that are not about zones. */
struct xdpmx_ctlsrv_ops {
	json_t *(*status)(void *ctx);			      /* "status" result */
	void (*stats)(void *ctx, struct xdpmx_stats_snap *s); /* "stats show" */
	void (*stats_reset)(void *ctx); /* "stats reset" of the slow path's counters,
					   once the zone manager reset the fast path's */
	void *ctx;
};

struct xdpmx_ctlsrv;

/*
 * Create the socket at path (its directory too, if missing), replacing a
 * stale socket file; -EADDRINUSE when a daemon answers on it already.
 * Watched on the epoll set ep. Errors are logged. ops is copied.
 */
int xdpmx_ctlsrv_new(const char *path, int ep, struct xdpmx_zonemgr *zm,
		     const struct xdpmx_ctlsrv_ops *ops, struct xdpmx_ctlsrv **out);
/* Whether something answers on the control socket at path. */
bool xdpmx_ctlsrv_probe(const char *path);
/* A job this server submitted came back: answer its connection. Takes the
 * job. */
void xdpmx_ctlsrv_job_done(struct xdpmx_ctlsrv *cs, struct xdpmx_zm_job *job);
/* Close every connection and remove the socket file. NULL is a no-op. */
void xdpmx_ctlsrv_free(struct xdpmx_ctlsrv *cs);

#endif /* XDPMX_CTLSRV_H */
