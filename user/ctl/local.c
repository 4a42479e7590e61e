// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdpmxctl commands that also work without the daemon: `stats show` and
 * `map dump` fall back to the pinned maps (and say so), `zone check` always
 * runs here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xdpmx/abi.h>

#include "attach.h"
#include "counters.h"
#include "ctl.h"
#include "dname.h"
#include "fastpath.h"
#include "mapdump.h"
#include "zone.h"

static const char *pinned_note(struct xdpmx_cli *cli)
{
	static char note[600];
	const struct ctl_globals *g = cli->globals;

	snprintf(note, sizeof(note), "daemon not running; read from pinned maps in %s", g->pin_dir);
	return note;
}

/* ---- stats show -------------------------------------------------------------- */

static json_t *counters_json(const uint64_t *c)
{
	json_t *o = json_object();
	int i;

	for (i = 0; o && i < XDPMX_CNT__MAX; i++)
		json_object_set_new(o, xdpmx_counter_name((unsigned)i),
				    json_integer((json_int_t)c[i]));
	return o;
}

static double hit_ratio(const uint64_t *c)
{
	uint64_t hits = 0, misses = 0;
	int i;

	for (i = 0; i < XDPMX_CNT__MAX; i++) {
		if (xdpmx_counter_info[i].group == XDPMX_CG_HIT)
			hits += c[i];
		else if (xdpmx_counter_info[i].group == XDPMX_CG_MISS)
			misses += c[i];
	}
	return hits + misses ? (double)hits / (double)(hits + misses) : 0.0;
}

/* The fast-path counters straight from the pinned maps, in the shape of
 * the daemon's "stats show" result (without "slowpath"). */
static int stats_from_pins(struct xdpmx_cli *cli, json_t **out)
{
	const struct ctl_globals *g = cli->globals;
	uint64_t(*c)[XDPMX_CNT__MAX] = calloc(XDPMX_IFACE_MAX, sizeof(*c));
	uint64_t total[XDPMX_CNT__MAX] = {0};
	struct xdpmx_iface_info *ifs = NULL;
	struct xdpmx_attach_err err;
	json_t *by_if;
	size_t n = 0, i;
	int ret, s, k;

	if (!c) {
		xdpmx_cli_err(cli, "Couldn't read the counters: out of memory");
		return -ENOMEM;
	}
	ret = xdpmx_read_counters(g->pin_dir, c, &err);
	if (ret) {
		xdpmx_cli_err(cli, "%s (and the daemon is not running at %s)", err.msg, g->control);
		free(c);
		return ret;
	}
	for (s = 0; s < XDPMX_IFACE_MAX; s++)
		for (k = 0; k < XDPMX_CNT__MAX; k++)
			total[k] += c[s][k];
	by_if = json_object();
	if (!xdpmx_attach_list(g->pin_dir, &ifs, &n, &err))
		for (i = 0; i < n; i++)
			json_object_set_new(by_if, ifs[i].name, counters_json(c[ifs[i].slot]));
	free(ifs);
	*out = json_pack("{s:s, s:s, s:o, s:o, s:f}", "source", "pinned maps", "pin_dir",
			 g->pin_dir, "fastpath", counters_json(total), "fastpath_by_interface",
			 by_if, "hit_ratio", hit_ratio(total));
	free(c);
	return *out ? 0 : -ENOMEM;
}

int ctl_stats_show(struct xdpmx_cli *cli, void *args)
{
	json_t *res;
	int ret;

	(void)args;
	ret = ctl_call(cli, "stats show", NULL, true, &res);
	if (ret == -ENOTCONN) {
		xdpmx_cli_info(cli, "%s", pinned_note(cli));
		ret = stats_from_pins(cli, &res);
	} else if (!ret && json_is_object(res)) {
		json_object_set_new(res, "source", json_string("daemon"));
	}
	if (ret)
		return ret;
	if (cli->json)
		return xdpmx_cli_json(cli, res);
	ctl_print_dotted(cli->out, NULL, res);
	json_decref(res);
	return 0;
}

/* ---- map dump --------------------------------------------------------------- */

static int dump_from_pins(struct xdpmx_cli *cli, json_t **out)
{
	const struct ctl_globals *g = cli->globals;
	struct xdpmx_fp *fp = NULL;
	json_t *list;
	int ret;

	ret = xdpmx_fp_open_pinned(g->pin_dir, &fp);
	if (ret) {
		if (ret == -ENOENT)
			xdpmx_cli_err(cli,
				      "Couldn't dump the maps: the daemon is not running at %s "
				      "and nothing is pinned in %s",
				      g->control, g->pin_dir);
		else if (ret == -EPROTO)
			xdpmx_cli_err(cli,
				      "Couldn't dump the maps pinned in %s: ABI mismatch with "
				      "this build (ABI %d; details above)",
				      g->pin_dir, XDPMX_ABI_VERSION);
		else
			xdpmx_cli_err(cli, "Couldn't dump the maps pinned in %s: %s", g->pin_dir,
				      strerror(-ret));
		return ret;
	}
	list = xdpmx_map_dump_json(fp, &ret);
	xdpmx_fp_close(fp);
	if (!list) {
		xdpmx_cli_err(cli, "Couldn't dump the maps pinned in %s: %s", g->pin_dir,
			      strerror(-ret));
		return ret;
	}
	*out = list;
	return 0;
}

static int rrset_cmp(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	static const char *const keys[] = {"zone", "name", "type"};
	size_t i;
	int c;

	for (i = 0; i < 3; i++) {
		const char *p = json_string_value(json_object_get(x, keys[i]));
		const char *q = json_string_value(json_object_get(y, keys[i]));

		c = strcmp(p ? p : "", q ? q : "");
		if (c)
			return c;
	}
	return 0;
}

/* Sort a dump by zone, owner name and type (the maps hold it in hash
 * order), in place. */
static void sort_rrsets(json_t *list)
{
	size_t n = json_array_size(list), i;
	json_t **v;

	if (n < 2)
		return;
	v = calloc(n, sizeof(*v));
	if (!v)
		return;
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(list, i));
	qsort(v, n, sizeof(*v), rrset_cmp);
	json_array_clear(list);
	for (i = 0; i < n; i++)
		json_array_append_new(list, v[i]);
	free(v);
}

static void dump_text(FILE *f, json_t *list)
{
	json_t *e, *r;
	size_t i, j;

	json_array_foreach(list, i, e)
	{
		json_t *recs = json_object_get(e, "records"),
		       *add = json_object_get(e, "additional");
		const char *err = json_string_value(json_object_get(e, "error"));

		fprintf(f, ";; %s %s  zone %s  order %s  %zu records, %zu additional\n",
			json_string_value(json_object_get(e, "name")),
			json_string_value(json_object_get(e, "type")),
			json_string_value(json_object_get(e, "zone")),
			json_string_value(json_object_get(e, "order"))
				? json_string_value(json_object_get(e, "order"))
				: "?",
			json_array_size(recs), json_array_size(add));
		if (err)
			fprintf(f, ";; cannot decode: %s\n", err);
		json_array_foreach(recs, j, r) fprintf(f, "%s\n", json_string_value(r));
		if (json_array_size(add))
			fprintf(f, ";; additional\n");
		json_array_foreach(add, j, r) fprintf(f, "%s\n", json_string_value(r));
	}
}

int ctl_map_dump(struct xdpmx_cli *cli, void *args)
{
	json_t *res;
	int ret;

	(void)args;
	ret = ctl_call(cli, "map dump", NULL, true, &res);
	if (!ret)
		sort_rrsets(res);
	if (ret == -ENOTCONN) {
		xdpmx_cli_info(cli, "%s", pinned_note(cli));
		ret = dump_from_pins(cli, &res);
		if (!ret)
			sort_rrsets(res);
		if (!ret && cli->json) {
			const struct ctl_globals *g = cli->globals;

			res = json_pack("{s:s, s:s, s:o}", "source", "pinned maps", "pin_dir",
					g->pin_dir, "rrsets", res);
		}
	} else if (!ret && cli->json) {
		res = json_pack("{s:s, s:o}", "source", "daemon", "rrsets", res);
	}
	if (ret)
		return ret;
	if (cli->json)
		return xdpmx_cli_json(cli, res);
	dump_text(cli->out, res);
	json_decref(res);
	return 0;
}

/* ---- zone check ----------------------------------------------------------------- */

static json_t *diag_json(const struct xdpmx_diag *d)
{
	json_t *msgs = json_array();
	size_t i;

	for (i = 0; msgs && i < d->n; i++) {
		const struct xdpmx_diag_msg *m = &d->msgs[i];
		json_t *o =
			json_pack("{s:s, s:s?, s:i, s:s?, s:s}", "severity",
				  m->sev == XDPMX_SEV_ERROR ? "error" : "warning", "file", m->file,
				  "line", (int)m->line, "check", m->check, "text", m->text);

		json_array_append_new(msgs, o);
	}
	return json_pack("{s:I, s:I, s:o}", "errors", (json_int_t)d->errors, "warnings",
			 (json_int_t)d->warnings, "messages", msgs);
}

static void diag_text(FILE *f, const struct xdpmx_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct xdpmx_diag_msg *m = &d->msgs[i];

		if (m->file && m->line)
			fprintf(f, "%s:%u: ", m->file, m->line);
		else if (m->file)
			fprintf(f, "%s: ", m->file);
		fprintf(f, "%s: %s", m->sev == XDPMX_SEV_ERROR ? "error" : "warning", m->text);
		if (m->check)
			fprintf(f, " [%s]", m->check);
		fputc('\n', f);
	}
}

int ctl_zone_check(struct xdpmx_cli *cli, void *args)
{
	struct check_args *a = args;
	struct xdpmx_zone_opts zo = {0};
	struct xdpmx_zoneset *set = NULL;
	struct xdpmx_diag d = {0};
	struct xdpmx_ptr_stats pst = {0};
	char rule[256];
	uint8_t origin[XDPMX_DNAME_MAX + 1];
	size_t i, loaded = 0;
	json_t *zones = json_array();
	int ret = 0, r;

	if (a->origin) {
		char abs[1100];

		if (a->files.n > 1) {
			json_decref(zones);
			return xdpmx_cli_usage(cli, "--origin applies to one FILE only");
		}
		snprintf(abs, sizeof(abs), "%s%s", a->origin,
			 a->origin[strlen(a->origin) - 1] == '.' ? "" : ".");
		if (xdpmx_dname_from_str(origin, abs, NULL) < 0) {
			json_decref(zones);
			return xdpmx_cli_usage(cli,
					       "invalid value '%s' for --origin: not a domain "
					       "name",
					       a->origin);
		}
		zo.origin = origin;
	}
	set = xdpmx_zoneset_new();
	if (!set) {
		json_decref(zones);
		xdpmx_cli_err(cli, "Couldn't check the zones: out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < a->files.n; i++) {
		struct xdpmx_zone *z = NULL;
		char apex[XDPMX_DNAME_STRLEN];

		/* Unreadable files and every syntax or check error come
		 * back as diagnostics in d. */
		r = xdpmx_zone_load(a->files.v[i], &zo, &d, &z);
		if (r == -ENOMEM) {
			xdpmx_cli_err(cli, "Couldn't check %s: out of memory", a->files.v[i]);
			ret = r;
			break;
		}
		if (r) {
			json_array_append_new(
				zones, json_pack("{s:s, s:b}", "file", a->files.v[i], "ok", 0));
			if (!cli->json)
				fprintf(cli->out, "%s: rejected\n", a->files.v[i]);
			continue;
		}
		xdpmx_dname_str(z->apex, apex);
		json_array_append_new(zones, json_pack("{s:s, s:b, s:s, s:I, s:I}", "file",
						       a->files.v[i], "ok", 1, "zone", apex,
						       "serial", (json_int_t)z->serial, "records",
						       (json_int_t)z->n_records));
		if (!cli->json)
			fprintf(cli->out, "%s: zone %s, serial %u, %zu records\n", a->files.v[i],
				apex, z->serial, z->n_records);
		if (xdpmx_zoneset_put(set, z) == 0)
			loaded++;
		xdpmx_zone_unref(z);
	}
	/* The reverse-DNS rule spans zones: only meaningful with several. */
	if (!ret && loaded > 1)
		xdpmx_zoneset_check_ptr_stats(set, &d, &pst);
	xdpmx_zoneset_free(set);
	if (loaded > 1)
		xdpmx_ptr_rule_str(&pst, rule, sizeof(rule));
	else
		snprintf(rule, sizeof(rule),
			 "PTR rule: not checked: it needs the forward and the reverse zones, "
			 "given together");

	if (!ret) {
		if (cli->json) {
			json_t *o = diag_json(&d);

			json_object_set_new(o, "zones", zones);
			zones = NULL;
			json_object_set_new(
				o, "ptr_rule",
				loaded > 1 ? json_pack("{s:I, s:I, s:I, s:I, s:s}", "hosts",
						       (json_int_t)pst.hosts, "addresses",
						       (json_int_t)pst.addresses, "confirmed",
						       (json_int_t)pst.confirmed, "warnings",
						       (json_int_t)(pst.addresses - pst.confirmed),
						       "text", rule)
					   : json_null());
			if (d.errors)
				xdpmx_cli_err_json(cli, o, "zone check found %zu errors", d.errors);
			else
				xdpmx_cli_json(cli, o);
		} else {
			diag_text(cli->out, &d);
			fprintf(cli->out, "%s\n", rule);
			fprintf(cli->out, "%zu errors, %zu warnings\n", d.errors, d.warnings);
		}
		ret = d.errors ? -EINVAL : 0;
	}
	json_decref(zones);
	xdpmx_diag_clear(&d);
	return ret;
}
