// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Control-socket client: see ctlclient.h. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "ctlclient.h"
#include "log.h"

struct xdpmx_ctl {
	int fd;
	int timeout_ms;
	char *buf; /* bytes received after the last line */
	size_t len, cap;
};

int xdpmx_ctl_connect(const char *path, int timeout_ms, struct xdpmx_ctl **out)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct xdpmx_ctl *c;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	*out = c;
	return 0;
}

bool xdpmx_ctl_not_running(int err)
{
	return err == -ENOENT || err == -ECONNREFUSED || err == -ENOTDIR;
}

void xdpmx_ctl_close(struct xdpmx_ctl *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}

void xdpmx_ctl_reply_clear(struct xdpmx_ctl_reply *r)
{
	json_decref(r->result);
	json_decref(r->details);
	free(r->error);
	memset(r, 0, sizeof(*r));
}

static int send_all(struct xdpmx_ctl *c, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read until a newline is buffered; returns the line length (newline
 * excluded, replaced by NUL) or a negative errno. */
static int recv_line(struct xdpmx_ctl *c, size_t *line_len)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	char *nl;

	for (;;) {
		ssize_t r;

		nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		if (nl) {
			*nl = '\0';
			*line_len = (size_t)(nl - c->buf);
			return 0;
		}
		if (c->len >= XDPMX_CONTROL_LINE_MAX)
			return -EMSGSIZE;
		if (c->cap - c->len < 4096) {
			size_t cap = c->cap ? 2 * c->cap : 65536;
			char *nb = realloc(c->buf, cap + 1);

			if (!nb)
				return -ENOMEM;
			c->buf = nb;
			c->cap = cap;
		}
		r = poll(&pfd, 1, c->timeout_ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ECONNRESET;
		c->len += (size_t)r;
	}
}

int xdpmx_ctl_call(struct xdpmx_ctl *c, const char *cmd, json_t *args, struct xdpmx_ctl_reply *r)
{
	json_t *req, *resp = NULL, *ok;
	json_error_t je;
	size_t line_len = 0;
	char *text;
	int err;

	memset(r, 0, sizeof(*r));
	req = args ? json_pack("{s:s, s:O}", "cmd", cmd, "args", args)
		   : json_pack("{s:s, s:{}}", "cmd", cmd, "args");
	if (!req)
		return -ENOMEM;
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return -ENOMEM;
	pr_debug("control request: %s", text);
	err = send_all(c, text, strlen(text));
	if (!err)
		err = send_all(c, "\n", 1);
	free(text);
	if (err)
		return err;

	err = recv_line(c, &line_len);
	if (err)
		return err;
	resp = json_loadb(c->buf, line_len, 0, &je);
	if (!resp || !json_is_object(resp)) {
		pr_debug("control response is not a JSON object (%s): %.200s",
			 resp ? "not an object" : je.text, c->buf);
		err = -EPROTO;
		goto out;
	}
	ok = json_object_get(resp, "ok");
	if (!json_is_boolean(ok)) {
		pr_debug("control response has no \"ok\": %.200s", c->buf);
		err = -EPROTO;
		goto out;
	}
	if (json_is_true(ok)) {
		r->result = json_object_get(resp, "result");
		r->result = r->result ? json_incref(r->result) : json_null();
	} else {
		const char *e = json_string_value(json_object_get(resp, "error"));
		json_t *d = json_object_get(resp, "details");

		r->error = strdup(e ? e : "the daemon reported an error without a message");
		if (!r->error) {
			err = -ENOMEM;
			goto out;
		}
		r->details = d ? json_incref(d) : NULL;
	}
out:
	json_decref(resp);
	/* Drop the line (and keep whatever followed it). */
	memmove(c->buf, c->buf + line_len + 1, c->len - line_len - 1);
	c->len -= line_len + 1;
	return err;
}
