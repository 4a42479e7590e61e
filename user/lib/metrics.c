// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The Prometheus endpoint: see metrics.h. */
#define _GNU_SOURCE /* open_memstream, accept4 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "counters.h"
#include "evloop.h"
#include "log.h"
#include "metrics.h"

/* A request head larger than this is refused. */
#define HEAD_MAX 8192

struct mconn {
	struct xdpmx_evh h;
	struct xdpmx_metrics *m;
	struct mconn *prev, *next;
	uint64_t deadline;
	char in[HEAD_MAX];
	size_t in_len;
	char *out;
	size_t out_off, out_len;
};

struct xdpmx_metrics {
	struct xdpmx_evh h;
	int ep;
	struct xdpmx_metrics_src src;
	struct mconn *conns;
	unsigned n_conns;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the text format ------------------------------------------------------------------ */

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

int xdpmx_metrics_render(FILE *f, const struct xdpmx_stats_snap *s, uint64_t zones,
			 uint64_t tcp_clients)
{
	const struct xdpmx_sstats *sl = &s->slow;
	unsigned i;

	head(f, "xdpmx_fastpath_packets_total", "counter",
	     "Packets the XDP fast path saw, by interface and by why it answered, passed or "
	     "dropped them");
	for (size_t k = 0; k < s->n_ifaces; k++)
		for (i = 0; i < XDPMX_CNT__MAX; i++)
			fprintf(f,
				"xdpmx_fastpath_packets_total{interface=\"%s\",reason=\"%s\"} "
				"%llu\n",
				s->iface[k].name, xdpmx_counter_name(i),
				(unsigned long long)s->iface[k].cnt[i]);
	head(f, "xdpmx_fastpath_hit_ratio", "gauge",
	     "Share of the DNS queries to the fast path that it answered itself");
	fprintf(f, "xdpmx_fastpath_hit_ratio %.6f\n", xdpmx_stats_hit_ratio(s));

	head(f, "xdpmx_slowpath_queries_total", "counter",
	     "DNS messages the daemon received, by transport");
	fprintf(f, "xdpmx_slowpath_queries_total{transport=\"udp\"} %llu\n",
		(unsigned long long)sl->queries_udp);
	fprintf(f, "xdpmx_slowpath_queries_total{transport=\"tcp\"} %llu\n",
		(unsigned long long)sl->queries_tcp);
	head(f, "xdpmx_slowpath_responses_total", "counter", "Responses the daemon sent, by RCODE");
	for (i = 0; i < XDPMX_SST_RCODES; i++) {
		const char *name = xdpmx_rcode_name(i);

		if (!sl->rcode[i] && (!name || (i > 5 && i != 16)))
			continue;
		if (name)
			fprintf(f, "xdpmx_slowpath_responses_total{rcode=\"%s\"} %llu\n", name,
				(unsigned long long)sl->rcode[i]);
		else
			fprintf(f, "xdpmx_slowpath_responses_total{rcode=\"RCODE%u\"} %llu\n", i,
				(unsigned long long)sl->rcode[i]);
	}
	head(f, "xdpmx_slowpath_query_types_total", "counter",
	     "DNS queries the daemon received, by QTYPE");
	for (i = 0; i <= XDPMX_SST_QTYPES; i++) {
		char *name;

		if (!sl->qtype[i])
			continue;
		name = i < XDPMX_SST_QTYPES ? ldns_rr_type2str(i) : strdup("other");
		fprintf(f, "xdpmx_slowpath_query_types_total{qtype=\"%s\"} %llu\n",
			name ? name : "?", (unsigned long long)sl->qtype[i]);
		free(name);
	}
	head(f, "xdpmx_slowpath_truncated_total", "counter",
	     "Responses sent with TC=1 (the answer did not fit the UDP size)");
	fprintf(f, "xdpmx_slowpath_truncated_total %llu\n", (unsigned long long)sl->tc);
	head(f, "xdpmx_slowpath_dropped_total", "counter",
	     "Messages that got no answer: shorter than a header, QR=1, truncated, send errors");
	fprintf(f, "xdpmx_slowpath_dropped_total %llu\n", (unsigned long long)sl->dropped);
	head(f, "xdpmx_slowpath_tcp_connections_total", "counter",
	     "TCP connections, by what became of them: accepted, refused at the limit, closed "
	     "idle");
	fprintf(f, "xdpmx_slowpath_tcp_connections_total{result=\"accepted\"} %llu\n",
		(unsigned long long)sl->tcp_connections);
	fprintf(f, "xdpmx_slowpath_tcp_connections_total{result=\"refused\"} %llu\n",
		(unsigned long long)sl->tcp_refused);
	fprintf(f, "xdpmx_slowpath_tcp_connections_total{result=\"timeout\"} %llu\n",
		(unsigned long long)sl->tcp_timeouts);
	head(f, "xdpmx_slowpath_tcp_clients", "gauge", "TCP connections open now");
	fprintf(f, "xdpmx_slowpath_tcp_clients %llu\n", (unsigned long long)tcp_clients);
	head(f, "xdpmx_zone_loads_total", "counter",
	     "Zone versions loaded (or edited) and swapped in");
	fprintf(f, "xdpmx_zone_loads_total %llu\n", (unsigned long long)sl->zone_loads);
	head(f, "xdpmx_zone_load_failures_total", "counter",
	     "Zone loads that failed (the previous version stayed)");
	fprintf(f, "xdpmx_zone_load_failures_total %llu\n",
		(unsigned long long)sl->zone_load_failures);
	head(f, "xdpmx_zones", "gauge", "Zones served");
	fprintf(f, "xdpmx_zones %llu\n", (unsigned long long)zones);
	return ferror(f) ? -EIO : 0;
}

/* ---- HTTP/1.0 --------------------------------------------------------------------------- */

static void conn_close(struct mconn *c)
{
	struct xdpmx_metrics *m = c->m;

	close(c->h.fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		m->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	m->n_conns--;
	free(c->out);
	free(c);
}

static void respond(struct mconn *c, const char *status, const char *type, const char *body,
		    size_t blen)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (!f)
		return;
	fprintf(f,
		"HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: "
		"close\r\n\r\n",
		status, type, blen);
	fwrite(body, 1, blen, f);
	if (fclose(f)) {
		free(out);
		return;
	}
	c->out = out;
	c->out_len = len;
}

static void serve(struct mconn *c)
{
	struct xdpmx_metrics *m = c->m;
	struct xdpmx_stats_snap *snap;
	char method[16], target[256];
	uint64_t zones = 0, clients = 0;
	char *body = NULL;
	size_t blen = 0;
	FILE *f;

	if (sscanf(c->in, "%15s %255s HTTP/", method, target) != 2) {
		respond(c, "400 Bad Request", "text/plain", "bad request\n", 12);
		return;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		respond(c, "405 Method Not Allowed", "text/plain", "only GET\n", 9);
		return;
	}
	if (strcmp(target, "/metrics")) {
		respond(c, "404 Not Found", "text/plain", "see /metrics\n", 13);
		return;
	}
	snap = calloc(1, sizeof(*snap));
	f = open_memstream(&body, &blen);
	if (!snap || !f) {
		free(snap);
		if (f)
			fclose(f);
		free(body);
		respond(c, "500 Internal Server Error", "text/plain", "out of memory\n", 14);
		return;
	}
	m->src.stats(m->src.ctx, snap);
	m->src.gauges(m->src.ctx, &zones, &clients);
	xdpmx_metrics_render(f, snap, zones, clients);
	free(snap);
	if (fclose(f)) {
		free(body);
		respond(c, "500 Internal Server Error", "text/plain", "out of memory\n", 14);
		return;
	}
	respond(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body,
		strcmp(method, "HEAD") ? blen : 0);
	free(body);
}

static void conn_event(struct xdpmx_evh *h, uint32_t events)
{
	struct mconn *c = (struct mconn *)h;
	ssize_t n;

	if (events & EPOLLERR)
		goto close;
	if (!c->out) {
		n = recv(c->h.fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len, MSG_DONTWAIT);
		if (n <= 0) {
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			goto close;
		}
		c->in_len += n;
		c->in[c->in_len] = '\0';
		if (!strstr(c->in, "\r\n\r\n") && !strstr(c->in, "\n\n")) {
			if (c->in_len == sizeof(c->in) - 1)
				respond(c, "431 Request Header Fields Too Large", "text/plain",
					"request head too large\n", 23);
			else
				return;
		} else {
			serve(c);
		}
		if (!c->out)
			goto close;
		if (xdpmx_ev_mod(c->m->ep, &c->h, EPOLLOUT))
			goto close;
	}
	while (c->out_off < c->out_len) {
		n = send(c->h.fd, c->out + c->out_off, c->out_len - c->out_off,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			goto close;
		}
		c->out_off += n;
	}
close:
	conn_close(c);
}

static void accept_event(struct xdpmx_evh *h, uint32_t events)
{
	struct xdpmx_metrics *m = (struct xdpmx_metrics *)h;
	struct mconn *c;
	int fd;

	(void)events;
	for (int i = 0; i < 16; i++) {
		fd = accept4(m->h.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (m->n_conns >= XDPMX_METRICS_CONNS) {
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->h.fd = fd;
		c->h.fn = conn_event;
		c->m = m;
		c->deadline = now_ms() + XDPMX_METRICS_TIMEOUT_MS;
		if (xdpmx_ev_add(m->ep, &c->h, EPOLLIN)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = m->conns;
		if (m->conns)
			m->conns->prev = c;
		m->conns = c;
		m->n_conns++;
	}
}

void xdpmx_metrics_expire(struct xdpmx_metrics *m, uint64_t now)
{
	struct mconn *c, *next;

	if (!m)
		return;
	if (!now)
		now = now_ms();
	for (c = m->conns; c; c = next) {
		next = c->next;
		if (c->deadline <= now)
			conn_close(c);
	}
}

int xdpmx_metrics_new(const struct xdpmx_sockaddr *addr, int ep,
		      const struct xdpmx_metrics_src *src, struct xdpmx_metrics **out)
{
	char buf[XDPMX_SOCKADDR_STRLEN];
	struct xdpmx_metrics *m;
	int one = 1, ret;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->ep = ep;
	m->src = *src;
	m->h.fn = accept_event;
	m->h.fd = socket(addr->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->h.fd < 0 || setsockopt(m->h.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    (addr->ss.ss_family == AF_INET6 &&
	     setsockopt(m->h.fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one))) ||
	    bind(m->h.fd, (const struct sockaddr *)&addr->ss, addr->len) || listen(m->h.fd, 16)) {
		ret = -errno;
		pr_err("Couldn't open the metrics endpoint on %s: %s",
		       xdpmx_sockaddr_str(addr, buf), strerror(errno));
		goto fail;
	}
	ret = xdpmx_ev_add(ep, &m->h, EPOLLIN);
	if (ret)
		goto fail;
	*out = m;
	return 0;
fail:
	xdpmx_metrics_free(m);
	return ret;
}

void xdpmx_metrics_free(struct xdpmx_metrics *m)
{
	if (!m)
		return;
	while (m->conns)
		conn_close(m->conns);
	if (m->h.fd >= 0)
		close(m->h.fd);
	free(m);
}
