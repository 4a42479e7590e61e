// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The control socket server: see ctlsrv.h and control.h. */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "ctlsrv.h"
#include "evloop.h"
#include "log.h"

/* Bytes read per event: bounds the work one client gets per turn. */
#define CTL_READ_CHUNK 65536

struct ctlconn {
	struct xdpmx_evh h;
	struct xdpmx_ctlsrv *cs;
	struct ctlconn *prev, *next;
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_off, out_len;
	uint32_t events;
	bool busy; /* a job of this connection is out */
	bool dead; /* closed while busy: freed when the job comes back */
	bool eof;
};

struct xdpmx_ctlsrv {
	struct xdpmx_evh h; /* the listening socket */
	int ep;
	char *path;
	struct xdpmx_zonemgr *zm;
	struct xdpmx_ctlsrv_ops ops;
	struct ctlconn *conns;
};

static void conn_update(struct ctlconn *c);

static void conn_close(struct ctlconn *c)
{
	struct xdpmx_ctlsrv *cs = c->cs;

	if (c->h.fd >= 0) {
		close(c->h.fd);
		c->h.fd = -1;
	}
	if (c->prev)
		c->prev->next = c->next;
	else if (cs->conns == c)
		cs->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->prev = c->next = NULL;
	if (c->busy) {
		c->dead = true; /* the job still points here */
		return;
	}
	free(c->in);
	free(c->out);
	free(c);
}

/* Queue one response line. */
static void conn_send(struct ctlconn *c, json_t *resp)
{
	char *s = json_dumps(resp, JSON_COMPACT | JSON_ENSURE_ASCII);
	size_t len;
	char *p;

	json_decref(resp);
	if (!s) {
		s = strdup(
			"{\"ok\":false,\"error\":\"couldn't encode the response: out of memory\"}");
		if (!s)
			return;
	}
	len = strlen(s);
	p = realloc(c->out, c->out_len + len + 1);
	if (!p) {
		free(s);
		return;
	}
	c->out = p;
	memcpy(c->out + c->out_len, s, len);
	c->out[c->out_len + len] = '\n';
	c->out_len += len + 1;
	free(s);
}

static json_t *ok(json_t *result)
{
	return json_pack("{s:b, s:o}", "ok", 1, "result", result ? result : json_null());
}

static json_t *fail(const char *error, json_t *details)
{
	json_t *o = json_pack("{s:b, s:s}", "ok", 0, "error", error ? error : "out of memory");

	if (o && details)
		json_object_set(o, "details", details);
	return o;
}

static const struct {
	const char *cmd;
	enum xdpmx_zm_op op;
} jobs[] = {
	{"zone reload", XDPMX_ZM_RELOAD},    {"zone check", XDPMX_ZM_CHECK},
	{"record add", XDPMX_ZM_RECORD_ADD}, {"record del", XDPMX_ZM_RECORD_DEL},
	{"record set", XDPMX_ZM_RECORD_SET}, {"rrset order", XDPMX_ZM_RRSET_ORDER},
	{"map dump", XDPMX_ZM_MAP_DUMP},     {"stats reset", XDPMX_ZM_STATS_RESET},
};

/* Answer one request line, or hand it to the zone manager. */
static void conn_request(struct ctlconn *c, const char *line)
{
	struct xdpmx_ctlsrv *cs = c->cs;
	char err[XDPMX_CONF_ERR_MAX];
	json_error_t jerr;
	json_t *req, *args, *res;
	const char *cmd;
	size_t i;

	req = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
	if (!req || !json_is_object(req)) {
		snprintf(err, sizeof(err), "request is not a JSON object: %s",
			 req ? "another JSON value" : jerr.text);
		json_decref(req);
		conn_send(c, fail(err, NULL));
		return;
	}
	cmd = json_string_value(json_object_get(req, "cmd"));
	args = json_object_get(req, "args");
	if (!cmd) {
		conn_send(c, fail("request has no \"cmd\" string", NULL));
		goto out;
	}
	if (args && !json_is_object(args)) {
		snprintf(err, sizeof(err), "\"args\" of '%s' must be an object", cmd);
		conn_send(c, fail(err, NULL));
		goto out;
	}
	pr_debug("Control request: %s", cmd);
	if (!strcmp(cmd, "status")) {
		res = cs->ops.status(cs->ops.ctx);
		conn_send(c, res ? ok(res) : fail(NULL, NULL));
		goto out;
	}
	if (!strcmp(cmd, "stats show")) {
		struct xdpmx_stats_snap *snap = calloc(1, sizeof(*snap));

		res = NULL;
		if (snap) {
			cs->ops.stats(cs->ops.ctx, snap);
			res = xdpmx_stats_json(snap);
			free(snap);
		}
		conn_send(c, res ? ok(res) : fail(NULL, NULL));
		goto out;
	}
	if (!strcmp(cmd, "zone list")) {
		res = xdpmx_zonemgr_list_json(cs->zm);
		conn_send(c, res ? ok(res) : fail(NULL, NULL));
		goto out;
	}
	if (!strcmp(cmd, "zone show")) {
		const char *zone = json_string_value(json_object_get(args, "zone"));

		if (!zone) {
			conn_send(c, fail("zone show needs \"zone\"", NULL));
			goto out;
		}
		res = xdpmx_zonemgr_show_json(cs->zm, zone, err);
		conn_send(c, res ? ok(res) : fail(err, NULL));
		goto out;
	}
	for (i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
		struct xdpmx_zm_job *job;

		if (strcmp(cmd, jobs[i].cmd))
			continue;
		job = calloc(1, sizeof(*job));
		if (!job) {
			conn_send(c, fail(NULL, NULL));
			goto out;
		}
		job->op = jobs[i].op;
		job->args = args ? json_incref(args) : json_object();
		job->ctx = c;
		c->busy = true;
		xdpmx_zonemgr_submit(cs->zm, job);
		goto out;
	}
	snprintf(err, sizeof(err), "unknown command '%s'", cmd);
	conn_send(c, fail(err, NULL));
out:
	json_decref(req);
}

/* Handle every complete line while no job is out. */
static int conn_process(struct ctlconn *c)
{
	char *nl;

	while (!c->busy && (nl = memchr(c->in, '\n', c->in_len))) {
		size_t used = nl - c->in + 1;

		*nl = '\0';
		if (nl > c->in && nl[-1] == '\r')
			nl[-1] = '\0';
		if (c->in[0])
			conn_request(c, c->in);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
	if (c->in_len >= XDPMX_CONTROL_LINE_MAX) {
		conn_send(c, fail("request line too long", NULL));
		return -EMSGSIZE;
	}
	return 0;
}

static int conn_read(struct ctlconn *c)
{
	ssize_t n;

	if (c->in_cap - c->in_len < CTL_READ_CHUNK) {
		char *p = realloc(c->in, c->in_cap + CTL_READ_CHUNK);

		if (!p)
			return -ENOMEM;
		c->in = p;
		c->in_cap += CTL_READ_CHUNK;
	}
	n = recv(c->h.fd, c->in + c->in_len, CTL_READ_CHUNK, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	if (n == 0)
		c->eof = true;
	c->in_len += n;
	return 0;
}

static int conn_flush(struct ctlconn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->h.fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN ? 0 : -errno;
		}
		c->out_off += n;
	}
	free(c->out);
	c->out = NULL;
	c->out_off = c->out_len = 0;
	return 0;
}

/* Flush, then watch for what the connection waits for; close when done. */
static void conn_update(struct ctlconn *c)
{
	uint32_t want = 0;

	if (conn_flush(c))
		goto close;
	if (c->eof && !c->busy && c->out_off == c->out_len)
		goto close;
	if (!c->busy && !c->eof)
		want |= EPOLLIN;
	if (c->out_off < c->out_len)
		want |= EPOLLOUT;
	if (want != c->events) {
		if (xdpmx_ev_mod(c->cs->ep, &c->h, want))
			goto close;
		c->events = want;
	}
	return;
close:
	conn_close(c);
}

static void conn_event(struct xdpmx_evh *h, uint32_t events)
{
	struct ctlconn *c = (struct ctlconn *)h;

	if (events & EPOLLERR) {
		conn_close(c);
		return;
	}
	if ((events & (EPOLLIN | EPOLLHUP)) && !c->busy && !c->eof) {
		if (conn_read(c)) {
			conn_close(c);
			return;
		}
	}
	if (conn_process(c)) {
		conn_flush(c);
		conn_close(c);
		return;
	}
	conn_update(c);
}

static void accept_event(struct xdpmx_evh *h, uint32_t events)
{
	struct xdpmx_ctlsrv *cs = (struct xdpmx_ctlsrv *)h;
	struct ctlconn *c;
	int fd, i;

	(void)events;
	for (i = 0; i < 16; i++) {
		fd = accept4(cs->h.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				pr_warn("Couldn't accept a control connection: %s",
					strerror(errno));
			return;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->h.fd = fd;
		c->h.fn = conn_event;
		c->cs = cs;
		c->events = EPOLLIN;
		if (xdpmx_ev_add(cs->ep, &c->h, EPOLLIN)) {
			close(fd);
			free(c);
			continue;
		}
		c->next = cs->conns;
		if (cs->conns)
			cs->conns->prev = c;
		cs->conns = c;
	}
}

void xdpmx_ctlsrv_job_done(struct xdpmx_ctlsrv *cs, struct xdpmx_zm_job *job)
{
	struct ctlconn *c = job->ctx;

	if (job->op == XDPMX_ZM_STATS_RESET && !job->error)
		cs->ops.stats_reset(cs->ops.ctx);
	c->busy = false;
	if (c->dead) {
		free(c->in);
		free(c->out);
		free(c);
		xdpmx_zm_job_free(job);
		return;
	}
	if (job->error)
		conn_send(c, fail(job->error, job->details));
	else
		conn_send(c, ok(json_incref(job->result)));
	xdpmx_zm_job_free(job);
	/* Requests that came while the job was out wait in the buffer. */
	if (conn_process(c)) {
		conn_flush(c);
		conn_close(c);
		return;
	}
	conn_update(c);
}

static int sun_of(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	strcpy(sun->sun_path, path);
	return 0;
}

bool xdpmx_ctlsrv_probe(const char *path)
{
	struct sockaddr_un sun;
	bool alive;
	int fd;

	if (sun_of(path, &sun))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	alive = !connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return alive;
}

/* mkdir -p of the socket's directory. */
static int make_parent(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

int xdpmx_ctlsrv_new(const char *path, int ep, struct xdpmx_zonemgr *zm,
		     const struct xdpmx_ctlsrv_ops *ops, struct xdpmx_ctlsrv **out)
{
	struct xdpmx_ctlsrv *cs;
	struct sockaddr_un sun;
	struct stat st;
	mode_t old;
	int ret;

	ret = sun_of(path, &sun);
	if (ret) {
		pr_err("Couldn't create control socket %s: path longer than %zu bytes", path,
		       sizeof(sun.sun_path) - 1);
		return ret;
	}
	if (xdpmx_ctlsrv_probe(path)) {
		pr_err("Couldn't create control socket %s: a daemon answers on it already", path);
		return -EADDRINUSE;
	}
	ret = make_parent(path);
	if (ret) {
		pr_err("Couldn't create the directory of control socket %s: %s", path,
		       strerror(-ret));
		return ret;
	}
	if (!lstat(path, &st)) {
		if (!S_ISSOCK(st.st_mode)) {
			pr_err("Couldn't create control socket %s: a file that is not a socket is "
			       "there",
			       path);
			return -EEXIST;
		}
		unlink(path); /* stale: nobody answered */
	}
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return -ENOMEM;
	cs->ep = ep;
	cs->zm = zm;
	cs->ops = *ops;
	cs->h.fn = accept_event;
	cs->path = strdup(path);
	cs->h.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (!cs->path || cs->h.fd < 0) {
		ret = cs->path ? -errno : -ENOMEM;
		goto fail;
	}
	/* Owner-only from the start: no window in which others could connect. */
	old = umask(0177);
	ret = bind(cs->h.fd, (struct sockaddr *)&sun, sizeof(sun)) ? -errno : 0;
	umask(old);
	if (ret || listen(cs->h.fd, 16)) {
		ret = ret ? ret : -errno;
		pr_err("Couldn't create control socket %s: %s", path, strerror(-ret));
		free(cs->path);
		cs->path = NULL; /* not ours to unlink */
		goto fail;
	}
	ret = xdpmx_ev_add(ep, &cs->h, EPOLLIN);
	if (ret)
		goto fail;
	*out = cs;
	return 0;
fail:
	xdpmx_ctlsrv_free(cs);
	return ret;
}

void xdpmx_ctlsrv_free(struct xdpmx_ctlsrv *cs)
{
	if (!cs)
		return;
	while (cs->conns)
		conn_close(cs->conns);
	if (cs->h.fd >= 0)
		close(cs->h.fd);
	if (cs->path)
		unlink(cs->path);
	free(cs->path);
	free(cs);
}
