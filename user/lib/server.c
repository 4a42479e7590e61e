// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The slow path's UDP and TCP server: see server.h. */
#define _GNU_SOURCE /* recvmmsg, sendmmsg, accept4, in6_pktinfo */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "respond.h"
#include "server.h"

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78 /* linux/in6.h, since 4.15; glibc 2.36 lacks it */
#endif

/* Largest UDP query read: queries are small, and one that does not fit
 * (MSG_TRUNC) is dropped rather than answered from half a message. */
#define UDP_IN_MAX 4096
/* Receive buffer asked for on UDP sockets, to ride out bursts (the kernel
 * caps it at net.core.rmem_max). */
#define UDP_RCVBUF (4 << 20)
/* Initial TCP input buffer; it grows to one message of up to 65535 bytes. */
#define TCP_IN_INIT 4096
/* Output buffers larger than this are released once drained. */
#define TCP_OUT_KEEP (16 * 1024)
/* Events taken per epoll_wait, receive rounds per ready UDP socket, and
 * connections accepted per ready listener: each bounds the work done for one
 * source before the others get a turn. */
#define EPOLL_EVENTS 64
#define UDP_ROUNDS 4
#define ACCEPT_BURST 64

enum htype { H_UDP, H_TCP_LISTEN, H_TCP_CONN, H_WAKE };

/* What an epoll event points at: every object below starts with one. */
struct handle {
	enum htype type;
	int fd;
};

struct usock {
	struct handle h;
	bool pktinfo; /* bound to a wildcard: answer from the query's address */
	int family;
};

struct worker;

struct tconn {
	struct handle h;
	struct tconn *prev, *next; /* the worker's list, by deadline */
	uint64_t deadline;	   /* ms, CLOCK_MONOTONIC */
	uint32_t events;	   /* registered with epoll */
	bool eof;		   /* the client closed its side */
	uint8_t *in;
	uint32_t in_off, in_len, in_cap; /* unconsumed bytes are in[in_off, in_len) */
	uint8_t *out;
	uint32_t out_off, out_len, out_cap; /* unsent bytes are out[out_off, out_len) */
};

union cmsgbuf {
	struct cmsghdr align;
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
};

struct worker {
	struct xdpmx_sstats st; /* first: the allocation is cache-line aligned */
	struct xdpmx_server *s;
	unsigned id;
	pthread_t thread;
	bool started;
	int ep;
	struct handle wake;
	struct usock *udp;
	struct handle *tcp;
	size_t n_sock;
	int spare_fd; /* released to accept-and-close when out of descriptors */
	struct xdpmx_responder *r;
	struct xdpmx_zoneset *zs;
	uint64_t zgen;
	struct tconn *head, *tail;
	uint64_t now; /* ms, refreshed once per loop turn */
	uint8_t scratch[XDPMX_RESP_TCP_MAX];
	/* UDP batches */
	size_t out_cap;
	uint8_t *ubuf_out; /* XDPMX_UDP_BATCH * out_cap */
	uint8_t ubuf_in[XDPMX_UDP_BATCH][UDP_IN_MAX];
	struct mmsghdr msg_in[XDPMX_UDP_BATCH], msg_out[XDPMX_UDP_BATCH];
	struct iovec iov_in[XDPMX_UDP_BATCH], iov_out[XDPMX_UDP_BATCH];
	struct sockaddr_storage from[XDPMX_UDP_BATCH];
	union cmsgbuf cin[XDPMX_UDP_BATCH], cout[XDPMX_UDP_BATCH];
};

struct xdpmx_server {
	struct xdpmx_server_cfg cfg;
	struct xdpmx_sockaddr *listen; /* cfg.listen, copied */
	struct worker **w;
	pthread_mutex_t zlock;
	struct xdpmx_zoneset *zs; /* published, under zlock */
	uint64_t zgen;		  /* bumped (under zlock) on each publish */
	unsigned tcp_clients;	  /* open connections, all workers */
	int stop;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- sockets ---------------------------------------------------------------- */

static bool is_wildcard(const struct xdpmx_sockaddr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
}

/* Open, configure and bind one socket; 0 and *out, or a negative errno
 * (logged with the address). */
static int open_sock(const struct xdpmx_sockaddr *a, int type, bool reuseport, int *out)
{
	const char *proto = type == SOCK_DGRAM ? "UDP" : "TCP";
	int family = a->ss.ss_family, one = 1, fd, ret;
	char buf[XDPMX_SOCKADDR_STRLEN];
	int rcvbuf = UDP_RCVBUF;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		pr_err("Couldn't create %s socket for %s: %s", proto, xdpmx_sockaddr_str(a, buf),
		       strerror(errno));
		return ret;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) ||
	    (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))))
		goto fail_opt;
	/* Bind even if the address is not configured yet (as Knot does), so
	 * the daemon can start before the interface is up. */
	if (family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	if (type == SOCK_DGRAM) {
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
		if (is_wildcard(a) &&
		    (family == AF_INET
			     ? setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))
			     : setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one))))
			goto fail_opt;
	}
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len)) {
		ret = -errno;
		pr_err("Couldn't bind %s socket to %s: %s", proto, xdpmx_sockaddr_str(a, buf),
		       strerror(errno));
		close(fd);
		return ret;
	}
	if (type == SOCK_STREAM && listen(fd, SOMAXCONN)) {
		ret = -errno;
		pr_err("Couldn't listen on TCP %s: %s", xdpmx_sockaddr_str(a, buf),
		       strerror(errno));
		close(fd);
		return ret;
	}
	*out = fd;
	return 0;
fail_opt:
	ret = -errno;
	pr_err("Couldn't set options of %s socket for %s: %s", proto, xdpmx_sockaddr_str(a, buf),
	       strerror(errno));
	close(fd);
	return ret;
}

static int ep_add(int ep, struct handle *h, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = h};

	return epoll_ctl(ep, EPOLL_CTL_ADD, h->fd, &ev) ? -errno : 0;
}

/* ---- TCP connections ----------------------------------------------------------- */

static void list_del(struct worker *w, struct tconn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		w->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		w->tail = c->prev;
	c->prev = c->next = NULL;
}

/* Progress: the connection may idle for another timeout. Every deadline is
 * now + the same timeout, so appending keeps the list sorted. */
static void conn_touch(struct worker *w, struct tconn *c)
{
	if (w->tail != c || !c->deadline) {
		if (c->deadline)
			list_del(w, c);
		c->prev = w->tail;
		if (w->tail)
			w->tail->next = c;
		else
			w->head = c;
		w->tail = c;
	}
	c->deadline = w->now + w->s->cfg.tcp_idle_ms;
}

static void conn_close(struct worker *w, struct tconn *c)
{
	list_del(w, c);
	close(c->h.fd);
	free(c->in);
	free(c->out);
	free(c);
	__atomic_sub_fetch(&w->s->tcp_clients, 1, __ATOMIC_RELAXED);
}

/* Send what the client will take. Draining the buffer is progress. */
static int conn_flush(struct worker *w, struct tconn *c)
{
	if (c->out_off == c->out_len)
		return 0;
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->h.fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		c->out_off += n;
	}
	c->out_off = c->out_len = 0;
	if (c->out_cap > TCP_OUT_KEEP) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	conn_touch(w, c);
	return 0;
}

static int out_reserve(struct tconn *c, uint32_t more)
{
	uint32_t cap = c->out_cap ? c->out_cap : 1024;
	uint8_t *p;

	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (c->out_len + more <= c->out_cap)
		return 0;
	if (c->out_off) { /* compact before growing */
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
		if (c->out_len + more <= c->out_cap)
			return 0;
	}
	while (cap < c->out_len + more)
		cap *= 2;
	p = realloc(c->out, cap);
	if (!p)
		return -ENOMEM;
	c->out = p;
	c->out_cap = cap;
	return 0;
}

/* Answer every complete query in the input buffer, in order, while the
 * client's unread answers stay below the high-water mark. */
static int conn_process(struct worker *w, struct tconn *c)
{
	while (c->out_len - c->out_off < XDPMX_TCP_OUT_HIGH && c->in_len - c->in_off >= 2) {
		const uint8_t *m = c->in + c->in_off;
		uint32_t mlen = (uint32_t)m[0] << 8 | m[1];
		struct xdpmx_resp_info info;
		ssize_t len;

		if (c->in_len - c->in_off < 2 + mlen)
			break;
		len = xdpmx_respond(w->r, m + 2, mlen, true, w->scratch, sizeof(w->scratch), &info);
		xdpmx_sstats_count(&w->st, true, &info);
		c->in_off += 2 + mlen;
		conn_touch(w, c);
		if (len <= 0) {
			if (len < 0 && info.kind != XDPMX_RESP_NONE)
				XDPMX_SST_INC(w->st.dropped);
			continue;
		}
		if (out_reserve(c, 2 + len))
			return -ENOMEM;
		c->out[c->out_len] = len >> 8;
		c->out[c->out_len + 1] = len & 0xff;
		memcpy(c->out + c->out_len + 2, w->scratch, len);
		c->out_len += 2 + len;
	}
	/* Keep the unconsumed bytes at the start of the buffer. */
	if (c->in_off) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	return 0;
}

/* One read, of at most the buffer's free space: the work done for one
 * event is bounded. The buffer grows to hold the message at its start. */
static int conn_read(struct tconn *c)
{
	uint32_t need = TCP_IN_INIT;
	ssize_t n;

	if (c->in_len >= 2) {
		uint32_t mlen = (uint32_t)c->in[0] << 8 | c->in[1];

		if (2 + mlen > need)
			need = 2 + mlen;
	}
	if (need > c->in_cap) {
		uint8_t *p = realloc(c->in, need);

		if (!p)
			return -ENOMEM;
		c->in = p;
		c->in_cap = need;
	}
	if (c->in_len == c->in_cap)
		return 0; /* a full buffer of complete queries waits for the client to read */
	n = recv(c->h.fd, c->in + c->in_len, c->in_cap - c->in_len, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	if (n == 0)
		c->eof = true;
	c->in_len += n;
	return 0;
}

static void conn_event(struct worker *w, struct tconn *c, uint32_t events)
{
	struct epoll_event ev = {.data.ptr = &c->h};
	uint32_t want = 0;

	if (events & EPOLLERR)
		goto close;
	if ((events & EPOLLOUT) && conn_flush(w, c))
		goto close;
	if ((events & (EPOLLIN | EPOLLHUP)) && !c->eof &&
	    c->out_len - c->out_off < XDPMX_TCP_OUT_HIGH && conn_read(c))
		goto close;
	if (conn_process(w, c) || conn_flush(w, c))
		goto close;
	if (c->eof && c->out_off == c->out_len)
		goto close; /* nothing left to answer (a partial query never will be) */
	if (!c->eof && c->out_len - c->out_off < XDPMX_TCP_OUT_HIGH)
		want |= EPOLLIN;
	if (c->out_off < c->out_len)
		want |= EPOLLOUT;
	if (want != c->events) {
		ev.events = want;
		if (epoll_ctl(w->ep, EPOLL_CTL_MOD, c->h.fd, &ev))
			goto close;
		c->events = want;
	}
	return;
close:
	conn_close(w, c);
}

static void tcp_accept(struct worker *w, struct handle *l)
{
	struct xdpmx_server *s = w->s;
	int i, fd, one = 1;

	for (i = 0; i < ACCEPT_BURST; i++) {
		struct tconn *c;

		fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) && w->spare_fd >= 0) {
				/* Out of descriptors: refuse this one rather than
				 * leave it to spin the loop. */
				close(w->spare_fd);
				fd = accept(l->fd, NULL, NULL);
				if (fd >= 0)
					close(fd);
				w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
				XDPMX_SST_INC(w->st.tcp_refused);
				pr_warn("Refused a TCP connection: out of file descriptors");
			}
			return;
		}
		if (__atomic_fetch_add(&s->tcp_clients, 1, __ATOMIC_RELAXED) >=
		    s->cfg.tcp_max_clients) {
			__atomic_sub_fetch(&s->tcp_clients, 1, __ATOMIC_RELAXED);
			close(fd);
			XDPMX_SST_INC(w->st.tcp_refused);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			__atomic_sub_fetch(&s->tcp_clients, 1, __ATOMIC_RELAXED);
			close(fd);
			XDPMX_SST_INC(w->st.tcp_refused);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->h.type = H_TCP_CONN;
		c->h.fd = fd;
		c->events = EPOLLIN;
		if (ep_add(w->ep, &c->h, EPOLLIN)) {
			__atomic_sub_fetch(&s->tcp_clients, 1, __ATOMIC_RELAXED);
			close(fd);
			free(c);
			XDPMX_SST_INC(w->st.tcp_refused);
			continue;
		}
		conn_touch(w, c);
		XDPMX_SST_INC(w->st.tcp_connections);
	}
}

static void tcp_expire(struct worker *w)
{
	while (w->head && w->head->deadline <= w->now) {
		XDPMX_SST_INC(w->st.tcp_timeouts);
		conn_close(w, w->head);
	}
}

/* ---- UDP ------------------------------------------------------------------------ */

/* The reply's source: the address the query was sent to. */
static size_t reply_pktinfo(const struct msghdr *in, union cmsgbuf *out)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(in); cm; cm = CMSG_NXTHDR((struct msghdr *)in, cm)) {
		struct cmsghdr *o = &out->align;

		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi, ri = {};

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			ri.ipi_spec_dst = pi.ipi_addr;
			o->cmsg_level = IPPROTO_IP;
			o->cmsg_type = IP_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(ri));
			memcpy(CMSG_DATA(o), &ri, sizeof(ri));
			return CMSG_SPACE(sizeof(ri));
		}
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			o->cmsg_level = IPPROTO_IPV6;
			o->cmsg_type = IPV6_PKTINFO;
			o->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
			memcpy(CMSG_DATA(o), CMSG_DATA(cm), sizeof(struct in6_pktinfo));
			return CMSG_SPACE(sizeof(struct in6_pktinfo));
		}
	}
	return 0;
}

static void udp_send(struct worker *w, struct usock *u, unsigned k)
{
	unsigned off = 0;
	int n;

	while (off < k) {
		n = sendmmsg(u->h.fd, w->msg_out + off, k - off, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				XDPMX_SST_ADD(w->st.dropped, k - off);
				return;
			}
			/* This datagram cannot go (the route vanished, say):
			 * drop it and go on with the rest. */
			XDPMX_SST_INC(w->st.dropped);
			off++;
			continue;
		}
		off += n;
	}
}

static void udp_ready(struct worker *w, struct usock *u)
{
	int round, n, i;

	for (round = 0; round < UDP_ROUNDS; round++) {
		unsigned k = 0;

		for (i = 0; i < XDPMX_UDP_BATCH; i++) {
			struct msghdr *h = &w->msg_in[i].msg_hdr;

			w->iov_in[i].iov_base = w->ubuf_in[i];
			w->iov_in[i].iov_len = UDP_IN_MAX;
			h->msg_name = &w->from[i];
			h->msg_namelen = sizeof(w->from[i]);
			h->msg_iov = &w->iov_in[i];
			h->msg_iovlen = 1;
			h->msg_control = u->pktinfo ? w->cin[i].buf : NULL;
			h->msg_controllen = u->pktinfo ? sizeof(w->cin[i].buf) : 0;
			h->msg_flags = 0;
		}
		n = recvmmsg(u->h.fd, w->msg_in, XDPMX_UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			const struct msghdr *h = &w->msg_in[i].msg_hdr;
			struct msghdr *o = &w->msg_out[k].msg_hdr;
			uint8_t *out = w->ubuf_out + k * w->out_cap;
			struct xdpmx_resp_info info = {};
			ssize_t len;

			if (h->msg_flags & MSG_TRUNC) {
				xdpmx_sstats_count(&w->st, false, &info);
				continue;
			}
			len = xdpmx_respond(w->r, w->ubuf_in[i], w->msg_in[i].msg_len, false, out,
					    w->out_cap, &info);
			xdpmx_sstats_count(&w->st, false, &info);
			if (len <= 0) {
				if (len < 0 && info.kind != XDPMX_RESP_NONE)
					XDPMX_SST_INC(w->st.dropped);
				continue;
			}
			w->iov_out[k].iov_base = out;
			w->iov_out[k].iov_len = len;
			o->msg_name = &w->from[i];
			o->msg_namelen = h->msg_namelen;
			o->msg_iov = &w->iov_out[k];
			o->msg_iovlen = 1;
			o->msg_controllen = u->pktinfo ? reply_pktinfo(h, &w->cout[k]) : 0;
			o->msg_control = o->msg_controllen ? w->cout[k].buf : NULL;
			o->msg_flags = 0;
			k++;
		}
		udp_send(w, u, k);
		if (n < XDPMX_UDP_BATCH)
			return;
	}
}

/* ---- the worker loop -------------------------------------------------------------- */

/* Take the published zone set if it changed since this worker last looked. */
static void zones_refresh(struct worker *w)
{
	struct xdpmx_server *s = w->s;
	struct xdpmx_zoneset *mine = NULL;
	uint64_t gen = __atomic_load_n(&s->zgen, __ATOMIC_ACQUIRE);

	if (gen == w->zgen)
		return;
	pthread_mutex_lock(&s->zlock);
	if (s->zs)
		mine = xdpmx_zoneset_dup(s->zs);
	gen = s->zgen;
	pthread_mutex_unlock(&s->zlock);
	if (!mine)
		return; /* out of memory: keep answering from the old set, try again */
	xdpmx_responder_set_zones(w->r, mine);
	if (w->zs)
		xdpmx_zoneset_free(w->zs);
	w->zs = mine;
	w->zgen = gen;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event ev[EPOLL_EVENTS];
	uint64_t v;
	int n, i, timeout;

	while (!__atomic_load_n(&w->s->stop, __ATOMIC_ACQUIRE)) {
		w->now = now_ms();
		timeout = -1;
		if (w->head)
			timeout =
				w->head->deadline > w->now ? (int)(w->head->deadline - w->now) : 0;
		n = epoll_wait(w->ep, ev, EPOLL_EVENTS, timeout);
		if (n < 0 && errno != EINTR) {
			pr_err("Worker %u stopped: epoll_wait failed: %s", w->id, strerror(errno));
			break;
		}
		w->now = now_ms();
		zones_refresh(w);
		for (i = 0; i < n; i++) {
			struct handle *h = ev[i].data.ptr;

			switch (h->type) {
			case H_UDP:
				udp_ready(w, (struct usock *)h);
				break;
			case H_TCP_LISTEN:
				tcp_accept(w, h);
				break;
			case H_TCP_CONN:
				conn_event(w, (struct tconn *)h, ev[i].events);
				break;
			case H_WAKE:
				if (read(h->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
					pr_debug("Worker %u: reading its eventfd: %s", w->id,
						 strerror(errno));
				break;
			}
		}
		tcp_expire(w);
	}
	while (w->head)
		conn_close(w, w->head);
	return NULL;
}

/* ---- life cycle ------------------------------------------------------------------ */

static void worker_free(struct worker *w)
{
	size_t i;

	if (!w)
		return;
	while (w->head)
		conn_close(w, w->head);
	for (i = 0; i < w->n_sock; i++) {
		if (w->udp[i].h.fd >= 0)
			close(w->udp[i].h.fd);
		if (w->tcp[i].fd >= 0)
			close(w->tcp[i].fd);
	}
	free(w->udp);
	free(w->tcp);
	if (w->wake.fd >= 0)
		close(w->wake.fd);
	if (w->ep >= 0)
		close(w->ep);
	if (w->spare_fd >= 0)
		close(w->spare_fd);
	xdpmx_responder_free(w->r);
	if (w->zs)
		xdpmx_zoneset_free(w->zs);
	free(w->ubuf_out);
	free(w);
}

static int worker_new(struct xdpmx_server *s, unsigned id, struct worker **out)
{
	struct xdpmx_resp_cfg rcfg = {.edns_size = s->cfg.edns_size};
	bool reuseport = s->cfg.workers > 1;
	struct worker *w;
	size_t i;
	int ret;

	w = aligned_alloc(64, (sizeof(*w) + 63) & ~(size_t)63);
	if (!w)
		return -ENOMEM;
	memset(w, 0, sizeof(*w));
	w->s = s;
	w->id = id;
	w->ep = w->wake.fd = w->spare_fd = -1;
	w->udp = calloc(s->cfg.n_listen, sizeof(*w->udp));
	w->tcp = calloc(s->cfg.n_listen, sizeof(*w->tcp));
	/* Room for our largest UDP answer (the responder never goes past the
	 * EDNS size we announce). */
	w->out_cap = s->cfg.edns_size > XDPMX_UDP_MIN ? s->cfg.edns_size : XDPMX_UDP_MIN;
	w->ubuf_out = malloc(XDPMX_UDP_BATCH * w->out_cap);
	if (!w->udp || !w->tcp || !w->ubuf_out) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < s->cfg.n_listen; i++)
		w->udp[i].h.fd = w->tcp[i].fd = -1;
	w->n_sock = s->cfg.n_listen;
	ret = xdpmx_responder_new(NULL, &rcfg, &w->r);
	if (ret) {
		pr_err("Couldn't create the responder of worker %u: %s", id, strerror(-ret));
		goto fail;
	}
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (w->ep < 0 || w->wake.fd < 0) {
		ret = -errno;
		pr_err("Couldn't create the event loop of worker %u: %s", id, strerror(errno));
		goto fail;
	}
	w->wake.type = H_WAKE;
	ret = ep_add(w->ep, &w->wake, EPOLLIN);
	for (i = 0; !ret && i < s->cfg.n_listen; i++) {
		const struct xdpmx_sockaddr *a = &s->listen[i];

		w->udp[i].h.type = H_UDP;
		w->udp[i].family = a->ss.ss_family;
		w->udp[i].pktinfo = is_wildcard(a);
		w->tcp[i].type = H_TCP_LISTEN;
		ret = open_sock(a, SOCK_DGRAM, reuseport, &w->udp[i].h.fd);
		if (!ret)
			ret = open_sock(a, SOCK_STREAM, reuseport, &w->tcp[i].fd);
		if (!ret)
			ret = ep_add(w->ep, &w->udp[i].h, EPOLLIN);
		if (!ret)
			ret = ep_add(w->ep, &w->tcp[i], EPOLLIN);
	}
	if (ret)
		goto fail;
	*out = w;
	return 0;
fail:
	worker_free(w);
	return ret;
}

int xdpmx_server_new(const struct xdpmx_server_cfg *cfg, struct xdpmx_server **out)
{
	struct xdpmx_server *s;
	unsigned i;
	int ret;

	if (!cfg->workers || !cfg->n_listen || !cfg->tcp_idle_ms)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cfg = *cfg;
	s->listen = calloc(cfg->n_listen, sizeof(*s->listen));
	s->w = calloc(cfg->workers, sizeof(*s->w));
	if (!s->listen || !s->w) {
		free(s->listen);
		free(s->w);
		free(s);
		return -ENOMEM;
	}
	memcpy(s->listen, cfg->listen, cfg->n_listen * sizeof(*s->listen));
	s->cfg.listen = s->listen;
	pthread_mutex_init(&s->zlock, NULL);
	for (i = 0; i < cfg->workers; i++) {
		ret = worker_new(s, i, &s->w[i]);
		if (ret) {
			xdpmx_server_free(s);
			return ret;
		}
	}
	*out = s;
	return 0;
}

int xdpmx_server_start(struct xdpmx_server *s)
{
	unsigned i;
	int ret;

	for (i = 0; i < s->cfg.workers; i++) {
		ret = pthread_create(&s->w[i]->thread, NULL, worker_main, s->w[i]);
		if (ret) {
			pr_err("Couldn't start worker %u: %s", i, strerror(ret));
			return -ret;
		}
		s->w[i]->started = true;
	}
	return 0;
}

static void wake_all(struct xdpmx_server *s)
{
	uint64_t one = 1;
	unsigned i;

	for (i = 0; i < s->cfg.workers; i++)
		if (s->w[i] && write(s->w[i]->wake.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			pr_warn("Couldn't wake worker %u: %s", i, strerror(errno));
}

int xdpmx_server_set_zones(struct xdpmx_server *s, const struct xdpmx_zoneset *zs)
{
	struct xdpmx_zoneset *mine = xdpmx_zoneset_dup(zs), *old;

	if (!mine)
		return -ENOMEM;
	pthread_mutex_lock(&s->zlock);
	old = s->zs;
	s->zs = mine;
	__atomic_store_n(&s->zgen, s->zgen + 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&s->zlock);
	if (old)
		xdpmx_zoneset_free(old);
	wake_all(s);
	return 0;
}

void xdpmx_server_stats(struct xdpmx_server *s, struct xdpmx_sstats *sum)
{
	unsigned i;

	for (i = 0; i < s->cfg.workers; i++)
		xdpmx_sstats_add(sum, &s->w[i]->st);
}

unsigned xdpmx_server_tcp_clients(struct xdpmx_server *s)
{
	return __atomic_load_n(&s->tcp_clients, __ATOMIC_RELAXED);
}

void xdpmx_server_free(struct xdpmx_server *s)
{
	unsigned i;

	if (!s)
		return;
	__atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
	wake_all(s);
	for (i = 0; i < s->cfg.workers; i++)
		if (s->w[i] && s->w[i]->started)
			pthread_join(s->w[i]->thread, NULL);
	for (i = 0; i < s->cfg.workers; i++)
		worker_free(s->w[i]);
	if (s->zs)
		xdpmx_zoneset_free(s->zs);
	pthread_mutex_destroy(&s->zlock);
	free(s->w);
	free(s->listen);
	free(s);
}
