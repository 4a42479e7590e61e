/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The daemon's statistics: the slow path's own counters, and one snapshot
 * type that adds the fast path's per-CPU counters (summed) so the control
 * socket ("stats show", JSON) and the Prometheus endpoint render the same
 * numbers. Included by the daemon's modules (server, zone manager, control
 * server, metrics) only.
 *
 * Counting is lock-free: every counter block has exactly one writing thread
 * (a worker, or the zone manager), which increments with relaxed atomic
 * stores (plain moves on x86 and arm64); readers sum the blocks with relaxed
 * loads. A reset does not write the blocks: it records the sums as a base
 * that later snapshots subtract.
 */
#ifndef XDPMX_SSTATS_H
#define XDPMX_SSTATS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include <xdpmx/abi.h>
#include <xdpmx/counters.h>

#include "respond.h"

/* Query types counted one by one (every type in use is below 512, save
 * a handful counted as "other"), and RCODEs (extended ones included). */
#define XDPMX_SST_QTYPES 512
#define XDPMX_SST_RCODES 32

struct xdpmx_sstats {
	uint64_t queries_udp;
	uint64_t queries_tcp;
	uint64_t rcode[XDPMX_SST_RCODES];     /* responses sent, by RCODE */
	uint64_t qtype[XDPMX_SST_QTYPES + 1]; /* queries by QTYPE; last: others */
	uint64_t kind[XDPMX_RESP__MAX];	      /* responses by what they were */
	uint64_t tc;			      /* responses sent with TC=1 */
	uint64_t dropped;		      /* messages answered with nothing: shorter than a
						 header, QR=1, truncated datagrams, send errors */
	uint64_t tcp_connections;	      /* accepted */
	uint64_t tcp_refused;		      /* closed at once: tcp-max-clients reached */
	uint64_t tcp_timeouts;		      /* closed for idling (or not reading) */
	uint64_t zone_loads;		      /* zone versions loaded and swapped in */
	uint64_t zone_load_failures;
};

/* Add one to a counter of a block this thread owns. */
#define XDPMX_SST_INC(field) XDPMX_SST_ADD(field, 1)
#define XDPMX_SST_ADD(field, n)                                                                    \
	__atomic_store_n(&(field), __atomic_load_n(&(field), __ATOMIC_RELAXED) + (n),              \
			 __ATOMIC_RELAXED)

/* Count one message a worker answered (or not: info->kind NONE). */
void xdpmx_sstats_count(struct xdpmx_sstats *s, bool tcp, const struct xdpmx_resp_info *info);

/* dst += src (src read with relaxed loads: it may be another thread's). */
void xdpmx_sstats_add(struct xdpmx_sstats *dst, const struct xdpmx_sstats *src);
/* dst -= base, each counter clamped at 0. */
void xdpmx_sstats_sub(struct xdpmx_sstats *dst, const struct xdpmx_sstats *base);

/* "NOERROR", "BADVERS", ... or NULL for RCODEs without a name. */
const char *xdpmx_rcode_name(unsigned rcode);

/* The fast path's counters as one interface slot saw them. */
struct xdpmx_fp_iface_stats {
	char name[16];
	uint32_t slot;
	uint64_t cnt[XDPMX_CNT__MAX];
};

/* Everything "stats show" and /metrics report. */
struct xdpmx_stats_snap {
	struct xdpmx_sstats slow;
	bool fastpath;		     /* the daemon has the fast path's maps */
	uint64_t fp[XDPMX_CNT__MAX]; /* summed over CPUs and interfaces */
	size_t n_ifaces;
	struct xdpmx_fp_iface_stats iface[XDPMX_IFACE_MAX];
};

/* hits / (hits + misses) of the fast path, 0 when it saw no query. */
double xdpmx_stats_hit_ratio(const struct xdpmx_stats_snap *s);

/* The "stats show" result of control.h. NULL on allocation failure. */
json_t *xdpmx_stats_json(const struct xdpmx_stats_snap *s);

#endif /* XDPMX_SSTATS_H */
