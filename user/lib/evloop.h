/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The daemon's control loop: one epoll set in the main thread serving the
 * signals, the control socket, the metrics endpoint and finished zone
 * jobs. Each watched object embeds a struct xdpmx_evh whose address is the
 * epoll cookie; the loop calls its fn with the ready events. Included by the
 * daemon's modules only (the DNS workers of server.c have their own loops).
 */
#ifndef XDPMX_EVLOOP_H
#define XDPMX_EVLOOP_H

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>

struct xdpmx_evh;
typedef void (*xdpmx_ev_fn)(struct xdpmx_evh *h, uint32_t events);

struct xdpmx_evh {
	int fd;
	xdpmx_ev_fn fn;
};

/* Watch h->fd for events (EPOLL_CTL_ADD), or change them (MOD). 0 or
 * -errno. */
static inline int xdpmx_ev_add(int ep, struct xdpmx_evh *h, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = h};

	return epoll_ctl(ep, EPOLL_CTL_ADD, h->fd, &ev) ? -errno : 0;
}

static inline int xdpmx_ev_mod(int ep, struct xdpmx_evh *h, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = h};

	return epoll_ctl(ep, EPOLL_CTL_MOD, h->fd, &ev) ? -errno : 0;
}

#endif /* XDPMX_EVLOOP_H */
