// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of the control-socket client (user/lib/ctlclient.c) against a
 * scripted server on a UNIX socket in a temporary directory:
 *  - "no daemon" is told apart: no socket (-ENOENT), a socket nobody
 *    listens on (-ECONNREFUSED);
 *  - the request line is {"cmd", "args"}; a success gives the result, a
 *    failure the error and the details;
 *  - responses split over writes, or two in one write, are read right;
 *  - a malformed answer is -EPROTO, a closed connection -ECONNRESET, no
 *    answer -ETIMEDOUT.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "ctlclient.h"

static char dir[64], path[96];
static int lfd = -1;
static pthread_t server;
static bool server_running;

/* What the server does: for each request line it reads, it writes the
 * next reply chunk list (NULL entries end the script; "" = close). */
struct script {
	const char *replies[4][4]; /* per request: chunks written one by one */
	char got[4][512];	   /* the request lines received */
	int n_got;
};

static struct script sc;

static void *serve(void *arg)
{
	struct script *s = arg;
	char buf[4096];
	size_t len = 0;
	int fd, r, i;

	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		return NULL;
	for (r = 0; r < 4 && s->replies[r][0]; r++) {
		char *nl;

		while (!(nl = memchr(buf, '\n', len))) {
			ssize_t n = read(fd, buf + len, sizeof(buf) - len);

			if (n <= 0)
				goto out;
			len += (size_t)n;
		}
		*nl = '\0';
		snprintf(s->got[s->n_got++], sizeof(s->got[0]), "%.511s", buf);
		len -= (size_t)(nl + 1 - buf);
		memmove(buf, nl + 1, len);
		for (i = 0; i < 4 && s->replies[r][i]; i++) {
			if (!*s->replies[r][i])
				goto out;
			if (write(fd, s->replies[r][i], strlen(s->replies[r][i])) < 0)
				goto out;
			usleep(1000);
		}
	}
	/* Keep the connection open until the client is done. */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
out:
	close(fd);
	return NULL;
}

static void setup(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(&sc, 0, sizeof(sc));
	snprintf(dir, sizeof(dir), "/tmp/xdpmx-ctltest.XXXXXX");
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	cr_assert(lfd >= 0);
	cr_assert(!bind(lfd, (struct sockaddr *)&sa, sizeof(sa)));
	cr_assert(!listen(lfd, 4));
	server_running = false;
}

static void start(void)
{
	cr_assert(!pthread_create(&server, NULL, serve, &sc));
	server_running = true;
}

static void teardown(void)
{
	if (lfd >= 0)
		close(lfd);
	lfd = -1;
	if (server_running)
		pthread_join(server, NULL);
	unlink(path);
	rmdir(dir);
}

TestSuite(ctlclient, .init = setup, .fini = teardown);

static struct xdpmx_ctl *connect_ok(int timeout_ms)
{
	struct xdpmx_ctl *c = NULL;
	int ret = xdpmx_ctl_connect(path, timeout_ms, &c);

	cr_assert_eq(ret, 0, "connect: %s", strerror(-ret));
	return c;
}

Test(ctlclient, no_socket_means_not_running)
{
	struct xdpmx_ctl *c = NULL;
	char missing[200];
	int ret;

	snprintf(missing, sizeof(missing), "%s/nothing", dir);
	ret = xdpmx_ctl_connect(missing, 1000, &c);
	cr_assert_eq(ret, -ENOENT);
	cr_assert(xdpmx_ctl_not_running(ret));
}

Test(ctlclient, socket_without_listener_means_not_running)
{
	struct xdpmx_ctl *c = NULL;
	int ret;

	close(lfd); /* the socket file stays, nobody listens: a dead daemon's */
	lfd = -1;
	ret = xdpmx_ctl_connect(path, 1000, &c);
	cr_assert_eq(ret, -ECONNREFUSED);
	cr_assert(xdpmx_ctl_not_running(ret));
	cr_assert_not(xdpmx_ctl_not_running(-EACCES), "EACCES is a daemon that refused us");
}

Test(ctlclient, request_and_result)
{
	struct xdpmx_ctl_reply r;
	struct xdpmx_ctl *c;
	json_t *args = json_pack("{s:s}", "zone", "mydomain.com."), *req;

	sc.replies[0][0] = "{\"ok\": true, \"result\": {\"serial\": 7}}\n";
	start();
	c = connect_ok(2000);
	cr_assert_eq(xdpmx_ctl_call(c, "zone show", args, &r), 0);
	cr_assert_null(r.error);
	cr_assert_eq(json_integer_value(json_object_get(r.result, "serial")), 7);
	req = json_loads(sc.got[0], 0, NULL);
	cr_assert(req, "request is not JSON: %s", sc.got[0]);
	cr_assert_str_eq(json_string_value(json_object_get(req, "cmd")), "zone show");
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(req, "args"), "zone")),
			 "mydomain.com.");
	cr_assert_eq(args->refcount, 1, "args are borrowed");
	json_decref(req);
	json_decref(args);
	xdpmx_ctl_reply_clear(&r);
	xdpmx_ctl_close(c);
}

Test(ctlclient, no_args_sends_an_empty_object_and_null_result)
{
	struct xdpmx_ctl_reply r;
	struct xdpmx_ctl *c;

	sc.replies[0][0] = "{\"ok\": true}\n";
	start();
	c = connect_ok(2000);
	cr_assert_eq(xdpmx_ctl_call(c, "stats reset", NULL, &r), 0);
	cr_assert_str_eq(sc.got[0], "{\"cmd\":\"stats reset\",\"args\":{}}");
	cr_assert(json_is_null(r.result));
	xdpmx_ctl_reply_clear(&r);
	xdpmx_ctl_close(c);
}

Test(ctlclient, daemon_error_with_details)
{
	struct xdpmx_ctl_reply r;
	struct xdpmx_ctl *c;

	sc.replies[0][0] = "{\"ok\": false, \"error\": \"zone x.: no such zone\", "
			   "\"details\": [{\"file\": \"x.zone\", \"line\": 3}]}\n";
	start();
	c = connect_ok(2000);
	cr_assert_eq(xdpmx_ctl_call(c, "zone show", NULL, &r), 0);
	cr_assert_null(r.result);
	cr_assert_str_eq(r.error, "zone x.: no such zone");
	cr_assert_eq(json_array_size(r.details), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_array_get(r.details, 0), "line")), 3);
	xdpmx_ctl_reply_clear(&r);
	cr_assert_null(r.error);
	xdpmx_ctl_close(c);
}

Test(ctlclient, reply_split_over_writes)
{
	struct xdpmx_ctl_reply r;
	struct xdpmx_ctl *c;

	sc.replies[0][0] = "{\"ok\": tr";
	sc.replies[0][1] = "ue, \"result\": [1, 2";
	sc.replies[0][2] = ", 3]}\n";
	start();
	c = connect_ok(2000);
	cr_assert_eq(xdpmx_ctl_call(c, "zone list", NULL, &r), 0);
	cr_assert_eq(json_array_size(r.result), 3);
	xdpmx_ctl_reply_clear(&r);
	xdpmx_ctl_close(c);
}

Test(ctlclient, two_replies_in_one_write)
{
	struct xdpmx_ctl_reply r;
	struct xdpmx_ctl *c;

	/* The second reply arrives with the first: it must be kept for the
	 * second call, not lost or mixed into the first. */
	sc.replies[0][0] = "{\"ok\": true, \"result\": 1}\n{\"ok\": true, \"result\": 2}\n";
	start();
	c = connect_ok(2000);
	cr_assert_eq(xdpmx_ctl_call(c, "a", NULL, &r), 0);
	cr_assert_eq(json_integer_value(r.result), 1);
	xdpmx_ctl_reply_clear(&r);
	cr_assert_eq(xdpmx_ctl_call(c, "b", NULL, &r), 0);
	cr_assert_eq(json_integer_value(r.result), 2);
	xdpmx_ctl_reply_clear(&r);
	xdpmx_ctl_close(c);
}

Test(ctlclient, malformed_replies)
{
	struct xdpmx_ctl_reply r;
	struct xdpmx_ctl *c;

	sc.replies[0][0] = "hello\n";
	sc.replies[1][0] = "[1, 2]\n";
	sc.replies[2][0] = "{\"result\": 1}\n";
	start();
	c = connect_ok(2000);
	cr_assert_eq(xdpmx_ctl_call(c, "a", NULL, &r), -EPROTO, "not JSON");
	cr_assert_null(r.result);
	cr_assert_eq(xdpmx_ctl_call(c, "b", NULL, &r), -EPROTO, "not an object");
	cr_assert_eq(xdpmx_ctl_call(c, "c", NULL, &r), -EPROTO, "no \"ok\"");
	xdpmx_ctl_close(c);
}

Test(ctlclient, daemon_goes_away)
{
	struct xdpmx_ctl_reply r;
	struct xdpmx_ctl *c;

	sc.replies[0][0] = "{\"ok\": tr";
	sc.replies[0][1] = ""; /* close mid-line */
	start();
	c = connect_ok(2000);
	cr_assert_eq(xdpmx_ctl_call(c, "a", NULL, &r), -ECONNRESET);
	xdpmx_ctl_close(c);
}

Test(ctlclient, no_answer_times_out)
{
	struct xdpmx_ctl_reply r;
	struct xdpmx_ctl *c;

	/* Accepted, read, never answered. */
	sc.replies[0][0] = "{\"ok\": true";
	start();
	c = connect_ok(100);
	cr_assert_eq(xdpmx_ctl_call(c, "a", NULL, &r), -ETIMEDOUT);
	xdpmx_ctl_close(c);
}
