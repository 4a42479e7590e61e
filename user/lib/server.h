/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The slow path's network server: UDP and TCP listeners on the configured
 * addresses, served by worker threads that call the responder (respond.h)
 * inline. Included by the daemon only.
 *
 * Each worker runs one epoll loop over its own sockets: one UDP and one TCP
 * listening socket per address (SO_REUSEPORT spreads the traffic when
 * there are several workers), its TCP connections, and an eventfd that
 * wakes it for a zone swap or a stop.
 *
 *  - UDP: recvmmsg/sendmmsg in batches; wildcard addresses answer from the
 *    address the query came to (IP_PKTINFO / IPV6_RECVPKTINFO).
 *  - TCP (RFC 7766): 2-byte framing, several queries per connection,
 *    pipelined queries answered in order. Non-blocking I/O only. A
 *    connection that neither completes a query nor finishes reading its
 *    answers within the idle timeout is closed, so a slow or hostile client
 *    holds one slot for at most that long; while a client leaves more than
 *    XDPMX_TCP_OUT_HIGH bytes of answers unread, its queries are not read.
 *    Past tcp-max-clients (all workers together) a new connection is
 *    accepted and closed at once.
 *  - Zones: the daemon publishes a zone set with xdpmx_server_set_zones();
 *    each worker takes its own copy (xdpmx_zoneset_dup(): one reference per
 *    zone) before its next query and drops the old one, so a zone set is
 *    freed only once no worker can still read it.
 */
#ifndef XDPMX_SERVER_H
#define XDPMX_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sstats.h"
#include "zone.h"

/* Unread answer bytes above which a TCP connection's queries wait. */
#define XDPMX_TCP_OUT_HIGH (64 * 1024)
/* Datagrams per recvmmsg/sendmmsg call. */
#define XDPMX_UDP_BATCH 32

struct xdpmx_server_cfg {
	const struct xdpmx_sockaddr *listen;
	size_t n_listen;
	uint32_t workers;
	uint32_t tcp_idle_ms;
	uint32_t tcp_max_clients;
	uint16_t edns_size;
};

struct xdpmx_server;

/* Open and bind every socket (nothing is served yet). Returns 0 and *out,
 * or a negative errno after logging which address failed and why. */
int xdpmx_server_new(const struct xdpmx_server_cfg *cfg, struct xdpmx_server **out);
/* Start the workers. Returns 0 or a negative errno. */
int xdpmx_server_start(struct xdpmx_server *s);
/* Publish zs (the server keeps its own copy; the caller keeps zs). Workers
 * answer from it from their next query on. Returns 0 or -ENOMEM (the old
 * set stays). */
int xdpmx_server_set_zones(struct xdpmx_server *s, const struct xdpmx_zoneset *zs);
/* Sum of the workers' counters into *sum (added to what it holds). */
void xdpmx_server_stats(struct xdpmx_server *s, struct xdpmx_sstats *sum);
/* The number of TCP connections open now. */
unsigned xdpmx_server_tcp_clients(struct xdpmx_server *s);
/* Stop the workers (closing every connection) and free everything. NULL is
 * a no-op. */
void xdpmx_server_free(struct xdpmx_server *s);

#endif /* XDPMX_SERVER_H */
