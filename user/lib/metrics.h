/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The Prometheus endpoint: a minimal HTTP/1.0 server in the daemon's
 * control loop (evloop.h) that answers GET /metrics with the statistics of
 * sstats.h in the Prometheus text format (version 0.0.4). Off unless the
 * configuration names an address (config.h: loopback unless the operator
 * insists). Included by the daemon only.
 *
 * Each connection gets one response and is closed; one that has not sent a
 * complete request head within XDPMX_METRICS_TIMEOUT_MS is closed too, and
 * at most XDPMX_METRICS_CONNS are open at once.
 */
#ifndef XDPMX_METRICS_H
#define XDPMX_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "sstats.h"

#define XDPMX_METRICS_TIMEOUT_MS 5000
#define XDPMX_METRICS_CONNS 16

/* What the endpoint reports, filled on each scrape. */
struct xdpmx_metrics_src {
	void (*stats)(void *ctx, struct xdpmx_stats_snap *s);
	/* Gauges: zones served, open TCP connections. */
	void (*gauges)(void *ctx, uint64_t *zones, uint64_t *tcp_clients);
	void *ctx;
};

struct xdpmx_metrics;

/* Listen on addr (TCP) and serve from the epoll set ep. Errors are logged. */
int xdpmx_metrics_new(const struct xdpmx_sockaddr *addr, int ep,
		      const struct xdpmx_metrics_src *src, struct xdpmx_metrics **out);
/* Close connections past their deadline; now in ms (CLOCK_MONOTONIC). */
void xdpmx_metrics_expire(struct xdpmx_metrics *m, uint64_t now);
void xdpmx_metrics_free(struct xdpmx_metrics *m);

/* Write the Prometheus text for s and the gauges to f. Returns 0 or -EIO. */
int xdpmx_metrics_render(FILE *f, const struct xdpmx_stats_snap *s, uint64_t zones,
			 uint64_t tcp_clients);

#endif /* XDPMX_METRICS_H */
