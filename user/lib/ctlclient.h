/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The client side of the control protocol (user/lib/control.h): connect to
 * xdpmxd's UNIX socket, send one JSON request line, read one JSON response
 * line. Used by xdpmxctl. Userspace only.
 */
#ifndef XDPMX_CTLCLIENT_H
#define XDPMX_CTLCLIENT_H

#include <stdbool.h>

#include <jansson.h>

struct xdpmx_ctl;

/* What the daemon answered. */
struct xdpmx_ctl_reply {
	json_t *result;	 /* "result" on success (a new reference; JSON null if
			    the daemon sent none), NULL on error */
	char *error;	 /* "error" on failure (malloc'd), NULL on success */
	json_t *details; /* "details" on failure, if any (a new reference) */
};

/*
 * Connect to the control socket at path, waiting at most timeout_ms for
 * each later reply. Returns 0 and *out, or a negative errno: -ENOENT (no
 * socket: the daemon is not running), -ECONNREFUSED (a socket nobody
 * listens on: the daemon is not running), -EACCES/-EPERM (not allowed:
 * the socket is owner-only), -ENAMETOOLONG (path too long for sun_path).
 */
int xdpmx_ctl_connect(const char *path, int timeout_ms, struct xdpmx_ctl **out);

/* Whether a negative errno of xdpmx_ctl_connect() means that no daemon is
 * listening (as opposed to one that refused us). */
bool xdpmx_ctl_not_running(int err);

/*
 * Send {"cmd": cmd, "args": args} (args borrowed; NULL sends {}) and wait
 * for the response. Returns 0 and fills r (release it with
 * xdpmx_ctl_reply_clear) when the daemon answered, successfully or not:
 * r->error is set when it reported a failure. Transport errors return a
 * negative errno and leave r empty: -ETIMEDOUT (no answer in time), -EPIPE
 * or -ECONNRESET (the daemon went away), -EPROTO (the answer is not a
 * response object; the line is logged at debug level), -EMSGSIZE (longer
 * than XDPMX_CONTROL_LINE_MAX), -ENOMEM.
 */
int xdpmx_ctl_call(struct xdpmx_ctl *c, const char *cmd, json_t *args, struct xdpmx_ctl_reply *r);

void xdpmx_ctl_reply_clear(struct xdpmx_ctl_reply *r);

/* Close the connection; NULL is a no-op. */
void xdpmx_ctl_close(struct xdpmx_ctl *c);

#endif /* XDPMX_CTLCLIENT_H */
