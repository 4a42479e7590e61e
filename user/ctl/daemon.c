// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdpmxctl commands answered by the daemon over the control socket:
 * requests built from the arguments, results printed as text or JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "ctl.h"
#include "ctlclient.h"

/* ---- the call ---------------------------------------------------------------- */

/* One diagnostic of a "details" array as a line: zone diagnostics carry
 * file, line, severity, check and text; anything else prints as JSON. */
static void print_detail(FILE *f, json_t *d)
{
	const char *text = json_string_value(json_object_get(d, "text"));
	const char *file = json_string_value(json_object_get(d, "file"));
	const char *sev = json_string_value(json_object_get(d, "severity"));
	const char *check = json_string_value(json_object_get(d, "check"));
	json_int_t line = json_integer_value(json_object_get(d, "line"));
	char *s;

	if (json_is_string(d)) {
		fprintf(f, "  %s\n", json_string_value(d));
		return;
	}
	if (!text) {
		s = json_dumps(d, JSON_COMPACT | JSON_ENCODE_ANY);
		fprintf(f, "  %s\n", s ? s : "?");
		free(s);
		return;
	}
	fprintf(f, "  ");
	if (file)
		fprintf(f, line ? "%s:%" JSON_INTEGER_FORMAT ": " : "%s: ", file, line);
	fprintf(f, "%s%s%s", sev ? sev : "", sev ? ": " : "", text);
	if (check)
		fprintf(f, " [%s]", check);
	fputc('\n', f);
}

int ctl_call(struct xdpmx_cli *cli, const char *cmd, json_t *args, bool may_fall_back,
	     json_t **result)
{
	const struct ctl_globals *g = cli->globals;
	struct xdpmx_ctl_reply r;
	struct xdpmx_ctl *c = NULL;
	int ret;

	*result = NULL;
	ret = xdpmx_ctl_connect(g->control, (int)g->timeout * 1000, &c);
	if (ret) {
		if (xdpmx_ctl_not_running(ret)) {
			if (may_fall_back)
				return -ENOTCONN;
			xdpmx_cli_err(
				cli,
				"Couldn't send '%s' to xdpmxd at %s: the daemon is not running "
				"(%s)",
				cmd, g->control, strerror(-ret));
			return -ENOTCONN;
		}
		if (ret == -EACCES || ret == -EPERM)
			xdpmx_cli_err(
				cli,
				"Couldn't send '%s' to xdpmxd at %s: %s (the socket is for its "
				"owner only; run as that user or root)",
				cmd, g->control, strerror(-ret));
		else
			xdpmx_cli_err(cli, "Couldn't send '%s' to xdpmxd at %s: %s", cmd,
				      g->control, strerror(-ret));
		return ret;
	}
	ret = xdpmx_ctl_call(c, cmd, args, &r);
	xdpmx_ctl_close(c);
	if (ret) {
		if (ret == -ETIMEDOUT)
			xdpmx_cli_err(cli,
				      "Couldn't get an answer to '%s' from xdpmxd within %u s "
				      "(--timeout)",
				      cmd, g->timeout);
		else if (ret == -EPROTO)
			xdpmx_cli_err(cli,
				      "Couldn't understand xdpmxd's answer to '%s': not a "
				      "control response (-v shows it)",
				      cmd);
		else
			xdpmx_cli_err(cli, "Couldn't get an answer to '%s' from xdpmxd: %s", cmd,
				      strerror(-ret));
		return ret;
	}
	if (r.error) {
		size_t i;
		json_t *d;

		if (cli->json) {
			xdpmx_cli_err_json(
				cli, r.details ? json_pack("{s:O}", "details", r.details) : NULL,
				"%s", r.error);
		} else {
			xdpmx_cli_err(cli, "%s", r.error);
			json_array_foreach(r.details, i, d) print_detail(cli->err, d);
		}
		xdpmx_ctl_reply_clear(&r);
		return -EREMOTEIO;
	}
	*result = r.result;
	r.result = NULL;
	xdpmx_ctl_reply_clear(&r);
	return 0;
}

void ctl_print_dotted(FILE *f, const char *prefix, json_t *v)
{
	const char *key;
	char name[512];
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, m)
		{
			snprintf(name, sizeof(name), "%s%s%s", prefix ? prefix : "",
				 prefix ? "." : "", key);
			ctl_print_dotted(f, name, m);
		}
		return;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, m)
		{
			snprintf(name, sizeof(name), "%s.%zu", prefix ? prefix : "", i);
			ctl_print_dotted(f, name, m);
		}
		return;
	}
	fprintf(f, "%s=", prefix ? prefix : "");
	if (json_is_integer(v))
		fprintf(f, "%" JSON_INTEGER_FORMAT "\n", json_integer_value(v));
	else if (json_is_real(v))
		fprintf(f, "%.6f\n", json_real_value(v));
	else if (json_is_string(v))
		fprintf(f, "%s\n", json_string_value(v));
	else if (json_is_boolean(v))
		fprintf(f, "%s\n", json_is_true(v) ? "yes" : "no");
	else
		fprintf(f, "\n");
}

/* A simple command: send, then print the result as JSON or through a text
 * printer (NULL: dotted lines). */
static int simple(struct xdpmx_cli *cli, const char *cmd, json_t *args,
		  void (*text)(struct xdpmx_cli *cli, json_t *result))
{
	json_t *res;
	int ret;

	ret = ctl_call(cli, cmd, args, false, &res);
	json_decref(args);
	if (ret)
		return ret;
	if (cli->json)
		return xdpmx_cli_json(cli, res);
	if (text)
		text(cli, res);
	else
		ctl_print_dotted(cli->out, NULL, res);
	json_decref(res);
	return 0;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "-";
}

static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* ---- status ---------------------------------------------------------------- */

static void status_text(struct xdpmx_cli *cli, json_t *r)
{
	json_t *ifs = json_object_get(r, "interfaces"), *l = json_object_get(r, "listen"), *v;
	FILE *f = cli->out;
	size_t i;

	fprintf(f, "xdpmxd %s (ABI %lld), pid %lld, up %lld s\n", str(r, "version"), num(r, "abi"),
		num(r, "pid"), num(r, "uptime_s"));
	fprintf(f, "pin dir: %s\n", str(r, "pin_dir"));
	fprintf(f, "zones: %lld\n", num(r, "zones"));
	fprintf(f, "listen:");
	json_array_foreach(l, i, v)
		fprintf(f, " %s", json_string_value(v) ? json_string_value(v) : "?");
	fprintf(f, "%s\n", json_array_size(l) ? "" : " -");
	if (!json_array_size(ifs))
		fprintf(f, "interfaces: none (slow path only, or the fast path is managed by "
			   "xdpmx-loader)\n");
	json_array_foreach(ifs, i, v) fprintf(
		f, "interface %s (ifindex %lld): %s mode, program id %lld, %s\n", str(v, "name"),
		num(v, "ifindex"), str(v, "mode"), num(v, "prog_id"),
		json_is_true(json_object_get(v, "multiprog")) ? "through libxdp's dispatcher"
							      : "single-program mode");
}

int ctl_status(struct xdpmx_cli *cli, void *args)
{
	(void)args;
	return simple(cli, "status", NULL, status_text);
}

/* ---- stats reset --------------------------------------------------------------- */

static void reset_text(struct xdpmx_cli *cli, json_t *r)
{
	(void)r;
	fprintf(cli->out, "counters reset\n");
}

int ctl_stats_reset(struct xdpmx_cli *cli, void *args)
{
	(void)args;
	return simple(cli, "stats reset", NULL, reset_text);
}

/* ---- zones ------------------------------------------------------------------ */

static void zone_list_text(struct xdpmx_cli *cli, json_t *r)
{
	FILE *f = cli->out;
	json_t *z;
	size_t i;

	fprintf(f, "%-32s %10s %8s %8s %9s  %s\n", "ZONE", "SERIAL", "RECORDS", "RRSETS",
		"FASTPATH", "FILE");
	json_array_foreach(r, i, z)
	{
		const char *e = json_string_value(json_object_get(z, "last_error"));

		fprintf(f, "%-32s %10lld %8lld %8lld %9lld  %s\n", str(z, "name"), num(z, "serial"),
			num(z, "records"), num(z, "rrsets"), num(z, "fastpath_rrsets"),
			str(z, "file"));
		if (e && *e)
			fprintf(f, "  last reload failed: %s\n", e);
	}
}

int ctl_zone_list(struct xdpmx_cli *cli, void *args)
{
	(void)args;
	return simple(cli, "zone list", NULL, zone_list_text);
}

static void zone_show_text(struct xdpmx_cli *cli, json_t *r)
{
	json_t *rec;
	size_t i;

	fprintf(cli->out, "; zone %s, serial %lld\n", str(r, "name"), num(r, "serial"));
	json_array_foreach(json_object_get(r, "records"), i, rec)
		fprintf(cli->out, "%s\n", json_string_value(rec) ? json_string_value(rec) : "");
}

int ctl_zone_show(struct xdpmx_cli *cli, void *args)
{
	struct zone_args *a = args;

	return simple(cli, "zone show", json_pack("{s:s}", "zone", a->zone), zone_show_text);
}

int ctl_zone_reload(struct xdpmx_cli *cli, void *args)
{
	struct zone_args *a = args;
	json_t *req, *res, *z, *d;
	size_t i, j, failed = 0;
	int ret;

	req = a->zone ? json_pack("{s:s}", "zone", a->zone) : NULL;
	ret = ctl_call(cli, "zone reload", req, false, &res);
	json_decref(req);
	if (ret)
		return ret;
	json_array_foreach(res, i, z) if (!json_is_true(json_object_get(z, "ok"))) failed++;
	if (cli->json) {
		if (failed)
			xdpmx_cli_err_json(cli, json_pack("{s:O}", "results", res),
					   "Couldn't reload %zu of %zu zones", failed,
					   json_array_size(res));
		else
			xdpmx_cli_json(cli, json_incref(res));
		json_decref(res);
		return failed ? -EINVAL : 0;
	}
	json_array_foreach(res, i, z)
	{
		if (json_is_true(json_object_get(z, "ok"))) {
			fprintf(cli->out, "%s: reloaded, serial %lld, %s\n", str(z, "name"),
				num(z, "serial"),
				json_is_true(json_object_get(z, "changed")) ? "changed"
									    : "unchanged");
			continue;
		}
		xdpmx_cli_err(cli,
			      "Couldn't reload zone %s: %s (the previous version keeps "
			      "serving)",
			      str(z, "name"), str(z, "error"));
		json_array_foreach(json_object_get(z, "details"), j, d) print_detail(cli->err, d);
	}
	json_decref(res);
	return failed ? -EINVAL : 0;
}

/* ---- records ------------------------------------------------------------------ */

/* The record data words joined by spaces (malloc'd), "" for none. */
static char *join(const struct xdpmx_strv *v)
{
	size_t len = 1, i;
	char *s;

	for (i = 0; i < v->n; i++)
		len += strlen(v->v[i]) + 1;
	s = calloc(1, len);
	if (!s)
		return NULL;
	for (i = 0; i < v->n; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, v->v[i]);
	}
	return s;
}

static int check_type(struct xdpmx_cli *cli, const char *type)
{
	if (!ldns_get_rr_type_by_name(type))
		return xdpmx_cli_usage(cli, "invalid value '%s' for TYPE: not a record type", type);
	return 0;
}

static void record_text(struct xdpmx_cli *cli, json_t *r, const char *done, const char *zone)
{
	fprintf(cli->out, "%s in %s, serial %lld; %s\n", done, zone, num(r, "serial"),
		json_is_true(json_object_get(r, "fastpath"))
			? "the fast path answers it within a second"
			: "answered by the slow path (not a fast-path RRset)");
	if (!json_is_true(json_object_get(r, "persisted")))
		xdpmx_cli_warn(cli,
			       "the change is not persisted to the zone file of %s: a reload "
			       "or restart forgets it",
			       zone);
}

/* NAME relative to ZONE unless it ends with a dot ("@" is the apex), as in
 * a zone file: the daemon always gets an absolute name. */
static void absolute_name(const char *name, const char *zone, char *buf, size_t len)
{
	size_t zl = strlen(zone);
	const char *dot = zl && zone[zl - 1] == '.' ? "" : ".";

	if (!strcmp(name, "@"))
		snprintf(buf, len, "%s%s", zone, dot);
	else if (*name && name[strlen(name) - 1] == '.')
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%s.%s%s", name, zone, dot);
}

static int record(struct xdpmx_cli *cli, const char *cmd, struct record_args *a, bool with_ttl,
		  const char *done)
{
	char name[1100];
	json_t *req, *res;
	char *data;
	int ret;

	ret = check_type(cli, a->type);
	if (ret)
		return ret;
	data = join(&a->data);
	if (!data) {
		xdpmx_cli_err(cli, "Couldn't build the request: out of memory");
		return -ENOMEM;
	}
	absolute_name(a->name, a->zone, name, sizeof(name));
	req = json_pack("{s:s, s:s, s:s}", "zone", a->zone, "name", name, "type", a->type);
	if (req && with_ttl)
		json_object_set_new(req, "ttl", json_integer(a->ttl));
	if (req && (with_ttl || a->data.n))
		json_object_set_new(req, "data", json_string(data));
	free(data);
	ret = ctl_call(cli, cmd, req, false, &res);
	json_decref(req);
	if (ret)
		return ret;
	if (cli->json)
		return xdpmx_cli_json(cli, res);
	record_text(cli, res, done, a->zone);
	json_decref(res);
	return 0;
}

int ctl_record_add(struct xdpmx_cli *cli, void *args)
{
	return record(cli, "record add", args, true, "record added");
}

int ctl_record_del(struct xdpmx_cli *cli, void *args)
{
	struct record_args *a = args;

	return record(cli, "record del", a, false, a->data.n ? "record deleted" : "RRset deleted");
}

int ctl_record_set(struct xdpmx_cli *cli, void *args)
{
	return record(cli, "record set", args, true, "RRset replaced");
}

static const char *const order_words[] = {"cyclic", "random", "fixed"};

int ctl_rrset_order(struct xdpmx_cli *cli, void *args)
{
	struct order_args *a = args;
	json_t *res;
	int ret;

	ret = check_type(cli, a->type);
	if (ret)
		return ret;
	{
		char name[1100];
		json_t *req;

		/* Owner names here are absolute; a missing final dot is implied. */
		snprintf(name, sizeof(name), "%s%s", a->name,
			 *a->name && a->name[strlen(a->name) - 1] == '.' ? "" : ".");
		req = json_pack("{s:s, s:s, s:s}", "name", name, "type", a->type, "order",
				order_words[a->order]);
		ret = ctl_call(cli, "rrset order", req, false, &res);
		json_decref(req);
	}
	if (ret)
		return ret;
	if (cli->json)
		return xdpmx_cli_json(cli, res);
	fprintf(cli->out, "%s %s in zone %s: order %s%s\n", a->name, a->type, str(res, "zone"),
		order_words[a->order],
		json_is_true(json_object_get(res, "fastpath"))
			? "; the fast path answers it so within a second"
			: " (slow path only: not a fast-path RRset)");
	json_decref(res);
	return 0;
}
