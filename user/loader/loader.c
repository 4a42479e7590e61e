// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdpmx-loader's commands: presentation over user/lib/attach.c (text or
 * JSON), and the rules that span interfaces (--all, --purge).
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xdpmx/abi.h>

#include "loader.h"

static double ratio(uint64_t hits, uint64_t misses)
{
	return hits + misses ? (double)hits / (double)(hits + misses) : 0.0;
}

static const char *attach_kind(bool multiprog)
{
	return multiprog ? "dispatcher" : "single-program";
}

static json_t *iface_json(const struct xdpmx_iface_info *i)
{
	json_t *o, *ids = json_array();
	uint32_t k;

	for (k = 0; ids && k < i->n_maps; k++)
		json_array_append_new(ids, json_integer(i->map_ids[k]));
	o = json_pack("{s:s, s:I, s:I, s:s, s:b, s:s, s:b, s:I, s:s, s:o, s:I, s:I, s:f}",
		      "interface", i->name, "ifindex", (json_int_t)i->ifindex, "slot",
		      (json_int_t)i->slot, "mode", xdpmx_xdp_mode_name(i->mode), "multiprog",
		      i->multiprog, "attach", attach_kind(i->multiprog), "attached", i->attached,
		      "prog_id", (json_int_t)i->prog_id, "tag", i->tag, "map_ids",
		      ids ? ids : json_array(), "hits", (json_int_t)i->hits, "misses",
		      (json_int_t)i->misses, "hit_ratio", ratio(i->hits, i->misses));
	return o;
}

/* ---- load ------------------------------------------------------------------ */

int loader_load(struct xdpmx_cli *cli, void *args)
{
	struct load_args *a = args;
	struct xdpmx_attach_opts o = {
		.pin_dir = a->pin_dir,
		.obj_path = a->obj,
		.mode = (enum xdpmx_xdp_mode)a->mode,
		.force = a->force,
		.dns_port = (uint16_t)a->port,
		.edns_size = (uint16_t)a->edns_size,
	};
	json_t *results = json_array();
	char errors[4096] = "";
	size_t i, nerr = 0, el = 0;
	int ret = 0;

	o.cap.zones = a->zones_max;
	memcpy(o.cap.dir, a->dir_max, sizeof(o.cap.dir));
	memcpy(o.cap.blob, a->blob_max, sizeof(o.cap.blob));

	for (i = 0; i < a->ifaces.n; i++) {
		const char *ifname = a->ifaces.v[i];
		struct xdpmx_iface_info info;
		struct xdpmx_attach_err err;
		const char *what;
		int r;

		r = xdpmx_attach(ifname, &o, &info, &err);
		if (r) {
			ret = ret ? ret : r;
			nerr++;
			if (!cli->json)
				xdpmx_cli_err(cli, "%s", err.msg);
			el += (size_t)snprintf(errors + el,
					       el < sizeof(errors) ? sizeof(errors) - el : 0,
					       "%s%s", el ? "; " : "", err.msg);
			continue;
		}
		what = info.already ? "already loaded" : info.replaced ? "replaced" : "loaded";
		if (cli->json) {
			json_t *j = iface_json(&info);

			json_object_set_new(j, "status", json_string(what));
			if (info.replaced)
				json_object_set_new(j, "replaced_prog_id",
						    json_integer(info.replaced_id));
			json_array_append_new(results, j);
			continue;
		}
		if (info.already)
			fprintf(cli->out,
				"%s: already loaded (program id %u, %s mode); nothing done "
				"(--force replaces it)\n",
				ifname, info.prog_id, xdpmx_xdp_mode_name(info.mode));
		else
			fprintf(cli->out, "%s: %s in %s mode%s, program id %u, counter slot %u\n",
				ifname, what, xdpmx_xdp_mode_name(info.mode),
				o.mode == XDPMX_XDP_AUTO && info.mode == XDPMX_XDP_GENERIC &&
						!info.replaced
					? " (--mode auto: native refused)"
					: "",
				info.prog_id, info.slot);
		if (info.replaced)
			fprintf(cli->out, "%s: replaced XDP program id %u\n", ifname,
				info.replaced_id);
		if (!info.multiprog)
			fprintf(cli->out,
				"%s: single-program mode: the kernel refused libxdp's dispatcher, "
				"so no other XDP program can run beside xdpmx there\n",
				ifname);
		else
			fprintf(cli->out,
				"%s: attached through libxdp's dispatcher (multi-program)\n",
				ifname);
	}
	if (cli->json) {
		if (nerr)
			xdpmx_cli_err_json(cli, json_pack("{s:o}", "results", results), "%s",
					   errors);
		else
			xdpmx_cli_json(cli, results);
	} else {
		json_decref(results);
	}
	return ret;
}

/* ---- unload ---------------------------------------------------------------- */

/* Interfaces to unload for --all: those recorded in the ifaces map and
 * those with a prog_* pin (a record lost, the pin left). */
static int all_ifaces(const char *pin_dir, struct xdpmx_strv *out, char ***owned,
		      struct xdpmx_attach_err *err)
{
	struct xdpmx_iface_info *list = NULL;
	struct dirent *de;
	size_t n = 0, i, k = 0, j;
	char **names;
	DIR *d;
	int ret;

	ret = xdpmx_attach_list(pin_dir, &list, &n, err);
	if (ret && ret != -ENOENT)
		return ret;
	names = calloc(n + 256, sizeof(*names));
	if (!names) {
		free(list);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		names[k++] = strdup(list[i].name);
	free(list);
	d = opendir(pin_dir);
	while (d && (de = readdir(d)) && k < n + 256) {
		if (strncmp(de->d_name, "prog_", 5))
			continue;
		for (j = 0; j < k; j++)
			if (names[j] && !strcmp(names[j], de->d_name + 5))
				break;
		if (j == k)
			names[k++] = strdup(de->d_name + 5);
	}
	if (d)
		closedir(d);
	out->v = calloc(k ? k : 1, sizeof(*out->v));
	if (!out->v) {
		for (i = 0; i < k; i++)
			free(names[i]);
		free(names);
		return -ENOMEM;
	}
	for (i = 0; i < k; i++)
		if (names[i])
			out->v[out->n++] = names[i];
	*owned = names;
	return 0;
}

int loader_unload(struct xdpmx_cli *cli, void *args)
{
	struct unload_args *a = args;
	struct xdpmx_strv todo = a->ifaces, all = {0};
	struct xdpmx_attach_err err;
	json_t *results = json_array();
	char **owned = NULL, errors[4096] = "";
	size_t i, el = 0, nerr = 0;
	int ret = 0, r;

	if (!a->all && !a->ifaces.n)
		return xdpmx_cli_usage(cli, "missing argument IFACE (or --all)");
	if (a->all && a->ifaces.n)
		return xdpmx_cli_usage(cli, "give interfaces or --all, not both");

	if (a->all) {
		r = all_ifaces(a->pin_dir, &all, &owned, &err);
		if (r) {
			json_decref(results);
			xdpmx_cli_err(cli, "%s",
				      r == -ENOMEM ? "Couldn't unload: out of memory" : err.msg);
			return r;
		}
		todo = all;
	} else if (a->purge) {
		/* Refuse before changing anything if others still run it. */
		struct xdpmx_iface_info *list = NULL;
		size_t n = 0, k;
		char busy[512] = "";
		size_t bl = 0;

		if (!xdpmx_attach_list(a->pin_dir, &list, &n, &err)) {
			for (k = 0; k < n; k++) {
				bool listed = false;

				for (i = 0; i < a->ifaces.n; i++)
					listed |= !strcmp(a->ifaces.v[i], list[k].name);
				if (list[k].attached && !listed)
					bl += (size_t)snprintf(
						busy + bl,
						bl < sizeof(busy) ? sizeof(busy) - bl : 0, "%s%s",
						bl ? ", " : "", list[k].name);
			}
			free(list);
		}
		if (bl) {
			json_decref(results);
			xdpmx_cli_err(cli,
				      "Couldn't unload with --purge: xdpmx still runs on %s, which "
				      "would lose its maps; unload those too, or use --all",
				      busy);
			return -EBUSY;
		}
	}

	for (i = 0; i < todo.n; i++) {
		const char *ifname = todo.v[i];
		const char *what = "unloaded";

		r = xdpmx_detach(ifname, a->pin_dir, &err);
		if (r == -ENOENT) {
			what = "not loaded";
			xdpmx_cli_info(cli, "%s", err.msg);
		} else if (r) {
			ret = ret ? ret : r;
			nerr++;
			if (!cli->json)
				xdpmx_cli_err(cli, "%s", err.msg);
			el += (size_t)snprintf(errors + el,
					       el < sizeof(errors) ? sizeof(errors) - el : 0,
					       "%s%s", el ? "; " : "", err.msg);
			continue;
		}
		if (cli->json)
			json_array_append_new(results, json_pack("{s:s, s:s}", "interface", ifname,
								 "status", what));
		else if (!r)
			fprintf(cli->out, "%s: %s\n", ifname, what);
	}
	if (a->all && !todo.n && !cli->json)
		fprintf(cli->out, "nothing to unload in %s\n", a->pin_dir);

	if (!ret && a->purge) {
		r = xdpmx_purge(a->pin_dir, &err);
		if (r) {
			ret = r;
			nerr++;
			if (!cli->json)
				xdpmx_cli_err(cli, "%s", err.msg);
			el += (size_t)snprintf(errors + el,
					       el < sizeof(errors) ? sizeof(errors) - el : 0,
					       "%s%s", el ? "; " : "", err.msg);
		} else if (!cli->json) {
			fprintf(cli->out, "removed the pinned maps in %s\n", a->pin_dir);
		}
	}
	if (cli->json) {
		json_t *o = json_pack("{s:o, s:b}", "results", results, "purged", a->purge && !ret);

		if (nerr)
			xdpmx_cli_err_json(cli, o, "%s", errors);
		else
			xdpmx_cli_json(cli, o);
	} else {
		json_decref(results);
	}
	if (owned) {
		for (i = 0; i < all.n; i++)
			free((char *)all.v[i]);
		free(owned);
		free(all.v);
	}
	return ret;
}

/* ---- status ------------------------------------------------------------------ */

int loader_status(struct xdpmx_cli *cli, void *args)
{
	struct status_args *a = args;
	struct xdpmx_iface_info *list = NULL;
	struct xdpmx_attach_err err;
	json_t *arr;
	size_t n = 0, i;
	uint32_t k;
	int ret;

	ret = xdpmx_attach_list(a->pin_dir, &list, &n, &err);
	if (ret == -ENOENT) {
		if (cli->json)
			return xdpmx_cli_json(cli,
					      json_pack("{s:s, s:b, s:[]}", "pin_dir", a->pin_dir,
							"loaded", 0, "interfaces"));
		fprintf(cli->out, "xdpmx is not loaded (nothing pinned in %s)\n", a->pin_dir);
		return 0;
	}
	if (ret) {
		xdpmx_cli_err(cli, "%s", err.msg);
		return ret;
	}
	/* An ABI mismatch is worth saying even when listing works. */
	{
		uint64_t(*c)[XDPMX_CNT__MAX] = calloc(XDPMX_IFACE_MAX, sizeof(*c));

		if (c && xdpmx_read_counters(a->pin_dir, c, &err) == -EPROTO)
			xdpmx_cli_warn(cli, "%s", err.msg);
		free(c);
	}

	if (cli->json) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, iface_json(&list[i]));
		free(list);
		return xdpmx_cli_json(cli, json_pack("{s:s, s:b, s:i, s:o}", "pin_dir", a->pin_dir,
						     "loaded", 1, "abi", XDPMX_ABI_VERSION,
						     "interfaces", arr));
	}
	fprintf(cli->out, "pin dir %s\n", a->pin_dir);
	if (!n)
		fprintf(cli->out, "maps pinned, no interface runs xdpmx\n");
	else
		fprintf(cli->out, "%-16s %-7s %-4s %-7s %-14s %-8s %-16s %12s %12s %9s\n",
			"INTERFACE", "IFINDEX", "SLOT", "MODE", "ATTACH", "PROG ID", "TAG", "HITS",
			"MISSES", "HIT RATIO");
	for (i = 0; i < n; i++) {
		const struct xdpmx_iface_info *f = &list[i];

		fprintf(cli->out, "%-16s %-7u %-4u %-7s %-14s %-8u %-16s %12llu %12llu %8.1f%%\n",
			f->name, f->ifindex, f->slot, xdpmx_xdp_mode_name(f->mode),
			f->attached ? attach_kind(f->multiprog) : "NOT ATTACHED", f->prog_id,
			*f->tag ? f->tag : "-", (unsigned long long)f->hits,
			(unsigned long long)f->misses, 100.0 * ratio(f->hits, f->misses));
		fprintf(cli->out, "  map ids:");
		for (k = 0; k < f->n_maps; k++)
			fprintf(cli->out, " %u", f->map_ids[k]);
		fprintf(cli->out, "%s\n", f->n_maps ? "" : " -");
		if (!f->attached)
			fprintf(cli->out,
				"  the recorded program is no longer attached to %s "
				"(detached by someone else?); 'xdpmx-loader load %s' "
				"attaches it again\n",
				f->name, f->name);
		else if (!f->multiprog)
			fprintf(cli->out, "  single-program mode: the kernel refused libxdp's "
					  "dispatcher, nothing else can run beside it\n");
	}
	free(list);
	return 0;
}
