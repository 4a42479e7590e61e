// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The zone manager: see zonemgr.h.
 *
 * One batch does every change (start-up, reload, edit):
 *   1. load (or take) the new version of each zone, off the lock, and see
 *      whether its content differs from the served version;
 *   2. refuse a zone whose apex another configured zone already serves;
 *   3. build the new zone set;
 *   4. compile the zones that changed (when there is a fast path): an edit
 *      patches the zone's kept set (fpset.h), anything else compiles
 *      whole; each set leaves out the names of the zones loaded below it,
 *      and when a zone appears or goes, the nearest zone above it is
 *      compiled again so that it gives those names up or takes them back;
 *   5. publish the set to the slow path, then update the bookkeeping;
 *   6. apply the sets to the fast path, upper zones before lower ones (the
 *      map writer skips a key another live zone holds, so a name must be
 *      given up before it is claimed);
 *   7. run the cross-zone PTR rule over the new set (warnings only, and the
 *      slowest step with many zones: it delays no answer), and report.
 * A zone that fails in 1 or 2 keeps its served version everywhere.
 */
#define _GNU_SOURCE /* asprintf */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "compile.h"
#include "dname.h"
#include "fpset.h"
#include "log.h"
#include "mapdump.h"
#include "zone.h"
#include "zoneedit.h"
#include "zonemgr.h"

struct zentry {
	/* From the configuration. */
	char *domain;			    /* as configured; NULL: the owner of the file's SOA */
	uint8_t conf_apex[XDPMX_DNAME_MAX]; /* canonical; valid when domain */
	char *file;
	int order; /* resolved: the zone's rotation or the server's */
	char *where;

	/* State, under zm->lock. */
	struct xdpmx_zone *zone; /* the served version (one reference) or NULL */
	struct stat st;		 /* of the file the served version came from */
	time_t loaded_at;
	char *last_error; /* NULL when the last load succeeded */
	json_t *details;  /* messages of the last load (errors, warnings) */
	size_t warnings;
	size_t rrsets;	  /* of zone */
	size_t fp_rrsets; /* RRsets the fast path answers for it */
	size_t fp_below;  /* compiled RRsets left to zones loaded below it */
	bool in_fp;	  /* the fast path holds it */
	bool edited;	  /* changed by record/rrset commands since loaded */

	/* The manager thread's own. */
	struct xdpmx_fpset *fs; /* what the fast path was given, when in_fp */
	size_t fp_conflicts;	/* RRsets the last apply left out: another zone held them */
	size_t fp_unplaced;	/* ... or no directory slot was free near their home */
	bool batch;		/* one of the zones of the batch running */
	bool reapply;		/* compiled again in it: a zone below appeared or went */
	bool adopted, queued;	/* reload_config(): kept, and to be reloaded */
};

/* Two loaded zones, down directly below up (no loaded zone between them):
 * up leaves down's names out of the fast path. Canonical wire names. */
struct nest {
	uint8_t up[XDPMX_DNAME_MAX];
	uint8_t down[XDPMX_DNAME_MAX];
};

struct xdpmx_zonemgr {
	const struct xdpmx_flags *flags;
	const struct xdpmx_config *running; /* the daemon's, for restart warnings */
	uint8_t rotation;		    /* the server's default order now */
	struct xdpmx_server *srv;
	struct xdpmx_fp *fp;

	pthread_mutex_t lock; /* entries, zs, st */
	struct zentry **e;
	size_t n;
	struct xdpmx_zoneset *zs;   /* the set the slow path serves */
	struct xdpmx_sstats st;	    /* zone_loads, zone_load_failures */
	struct xdpmx_ptr_stats ptr; /* the PTR rule over zs, last run */
	size_t ptr_warnings;
	bool ptr_checked;

	/* The manager thread's own: the nesting of the loaded zones, sorted
	 * by up, rebuilt when the set of apexes changes. */
	struct nest *nest;
	size_t n_nest;
	bool nest_ok;
	/* In the batch of xdpmx_zonemgr_load_all() until
	 * fp_drop_unconfigured() ran: the pinned maps may hold zones that
	 * are not configured any more. */
	bool first_load;

	pthread_t thread;
	bool started, stop;
	pthread_cond_t cond; /* jobs queued, or stop; with qlock */
	pthread_mutex_t qlock;
	struct xdpmx_zm_job *q_head, *q_tail;
	struct xdpmx_zm_job *d_head, *d_tail;
	int done_fd;
};

/* ---- helpers ---------------------------------------------------------------------- */

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Canonical wire form of a configured domain (absolute with or without
 * the final dot). Returns the length or a negative errno. */
static int domain_wire(const char *s, uint8_t *wire)
{
	char buf[XDPMX_DNAME_STRLEN + 2];
	size_t len = strlen(s);
	int ret;

	if (!len || len > XDPMX_DNAME_STRLEN)
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s%s", s, s[len - 1] == '.' ? "" : ".");
	ret = xdpmx_dname_from_str(wire, buf, NULL);
	if (ret > 0)
		xdpmx_dname_canon(wire, wire, ret);
	return ret;
}

static const char *entry_name(const struct zentry *e, char *buf)
{
	if (e->zone)
		return xdpmx_dname_str(e->zone->apex, buf);
	if (e->domain)
		return xdpmx_dname_str(e->conf_apex, buf);
	snprintf(buf, XDPMX_DNAME_STRLEN, "(zone in %s)", e->file);
	return buf;
}

static void log_diag(const struct xdpmx_diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct xdpmx_diag_msg *m = &d->msgs[i];
		enum xdpmx_log_level l = m->sev == XDPMX_SEV_ERROR ? XDPMX_LOG_ERR : XDPMX_LOG_WARN;

		if (m->file && m->line)
			xdpmx_log(l, "%s:%u: %s [%s]", m->file, m->line, m->text, m->check);
		else if (m->file)
			xdpmx_log(l, "%s: %s [%s]", m->file, m->text, m->check);
		else
			xdpmx_log(l, "%s [%s]", m->text, m->check);
	}
}

static json_t *diag_msg_json(const struct xdpmx_diag_msg *m)
{
	return json_pack("{s:s, s:s?, s:I, s:s, s:s}", "severity",
			 m->sev == XDPMX_SEV_ERROR ? "error" : "warning", "file", m->file, "line",
			 (json_int_t)m->line, "check", m->check, "text", m->text);
}

/* Append the messages of d (those about file, when file is not NULL). */
static void diag_append_json(json_t *arr, const struct xdpmx_diag *d, const char *file)
{
	for (size_t i = 0; i < d->n; i++)
		if (!file || (d->msgs[i].file && !strcmp(d->msgs[i].file, file)))
			json_array_append_new(arr, diag_msg_json(&d->msgs[i]));
}

/* The messages of a diag grouped by file, to hand each zone its own in one
 * lookup (the PTR rule's can be one per mail host of every zone). */
struct diag_by_file {
	const struct xdpmx_diag *d;
	size_t *idx; /* indexes of d's messages with a file, sorted by it */
	size_t n;
};

static const struct xdpmx_diag *dbf_diag;

static int dbf_cmp(const void *a, const void *b)
{
	const struct xdpmx_diag_msg *x = &dbf_diag->msgs[*(const size_t *)a];
	const struct xdpmx_diag_msg *y = &dbf_diag->msgs[*(const size_t *)b];
	int c = strcmp(x->file, y->file);

	/* the same file: in the order the check reported them */
	return c ? c
		 : (*(const size_t *)a > *(const size_t *)b) -
			       (*(const size_t *)a < *(const size_t *)b);
}

/* Only the manager thread sorts (dbf_diag is its). With no memory, the
 * lookups find nothing: the messages are still in the log. */
static void dbf_init(struct diag_by_file *g, const struct xdpmx_diag *d)
{
	g->d = d;
	g->n = 0;
	g->idx = malloc((d->n ? d->n : 1) * sizeof(*g->idx));
	for (size_t i = 0; g->idx && i < d->n; i++)
		if (d->msgs[i].file)
			g->idx[g->n++] = i;
	dbf_diag = d;
	if (g->idx)
		qsort(g->idx, g->n, sizeof(*g->idx), dbf_cmp);
}

/* Append the messages about file to arr. */
static void dbf_append_json(json_t *arr, const struct diag_by_file *g, const char *file)
{
	size_t lo = 0, hi = g->idx ? g->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(g->d->msgs[g->idx[mid]].file, file) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < g->n && !strcmp(g->d->msgs[g->idx[lo]].file, file); lo++)
		json_array_append_new(arr, diag_msg_json(&g->d->msgs[g->idx[lo]]));
}

/* "file:line: text" of the first error, or a message for a file error. */
static char *first_error(const struct xdpmx_diag *d, int ret, const char *file)
{
	char *s;

	for (size_t i = 0; i < d->n; i++) {
		const struct xdpmx_diag_msg *m = &d->msgs[i];

		if (m->sev != XDPMX_SEV_ERROR)
			continue;
		if (m->file && m->line)
			return asprintf(&s, "%s:%u: %s", m->file, m->line, m->text) < 0 ? NULL : s;
		if (m->file)
			return asprintf(&s, "%s: %s", m->file, m->text) < 0 ? NULL : s;
		return strdup(m->text);
	}
	if (ret == -EINVAL && d->errors)
		return asprintf(&s, "%s: %zu errors", file, d->errors) < 0 ? NULL : s;
	return asprintf(&s, "couldn't load zone file %s: %s", file, strerror(-ret)) < 0 ? NULL : s;
}

static size_t count_rrsets(const struct xdpmx_zone *z)
{
	size_t n = 0;

	for (size_t i = 0; i < z->n_nodes; i++)
		n += z->nodes[i]->n_rrsets;
	return n;
}

/* Whether a and b hold the same data: names as written, RRsets with their
 * TTLs, orders and records in zone order. Where it came from (file, line)
 * is not data. */
static bool same_content(const struct xdpmx_zone *a, const struct xdpmx_zone *b)
{
	if (a->n_nodes != b->n_nodes || a->n_records != b->n_records ||
	    a->apex_len != b->apex_len || memcmp(a->apex, b->apex, a->apex_len) ||
	    a->order != b->order || a->flags != b->flags)
		return false;
	for (size_t i = 0; i < a->n_nodes; i++) {
		const struct xdpmx_node *x = a->nodes[i], *y = b->nodes[i];

		if (x->name_len != y->name_len || memcmp(x->oname, y->oname, x->name_len) ||
		    x->flags != y->flags || x->n_rrsets != y->n_rrsets)
			return false;
		for (size_t j = 0; j < x->n_rrsets; j++) {
			const struct xdpmx_rrset *r = &x->rrsets[j], *q = &y->rrsets[j];

			if (r->type != q->type || r->ttl != q->ttl || r->order != q->order ||
			    r->count != q->count)
				return false;
			for (size_t k = 0; k < r->count; k++)
				if (r->rdlen[k] != q->rdlen[k] ||
				    memcmp(r->rdata[k], q->rdata[k], r->rdlen[k]))
					return false;
		}
	}
	return true;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void entry_free(struct zentry *e)
{
	if (!e)
		return;
	free(e->domain);
	free(e->file);
	free(e->where);
	free(e->last_error);
	json_decref(e->details);
	xdpmx_zone_unref(e->zone);
	xdpmx_fpset_free(e->fs);
	free(e);
}

/* A new entry for configured zone zc (its state empty). */
static struct zentry *entry_new(const struct xdpmx_zone_conf *zc, uint8_t rotation)
{
	struct zentry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->domain = xstrdup(zc->domain);
	e->file = strdup(zc->file);
	e->where = strdup(zc->where);
	e->order = zc->order >= 0 ? zc->order : rotation;
	if ((zc->domain && (!e->domain || domain_wire(zc->domain, e->conf_apex) < 0)) || !e->file ||
	    !e->where) {
		entry_free(e);
		return NULL;
	}
	return e;
}

/* ---- one batch --------------------------------------------------------------------- */

struct pending {
	struct zentry *e;
	struct xdpmx_zone *z; /* the new version (one reference), NULL if failed */
	struct stat st;
	struct xdpmx_diag d;
	char *error;		/* why it failed */
	struct xdpmx_fpset *fs; /* what to give the fast path; NULL: nothing */
	struct xdpmx_fp_apply_stats ast;
	int fp_ret;	   /* of the fast-path apply; 1: not applied */
	bool edit;	   /* z was built by an edit, not read from the file */
	bool same;	   /* z holds what the served version holds */
	bool reapply;	   /* z is the served version, compiled again because a
			      zone appeared or went below it */
	bool swapped;	   /* z is served now */
	size_t recompiled; /* RRsets compiled for fs (all, unless an edit) */
	/* The apex e served before, when the new version has another one (a
	 * zone whose origin comes from its SOA). */
	bool moved;
	uint8_t moved_from[XDPMX_DNAME_MAX];
	/* An RRset to look for in the fast path once applied (edits). */
	uint16_t probe_type; /* 0: none */
	uint8_t probe_name[XDPMX_DNAME_MAX];
	bool probe_fp; /* the fast path answers it */
};

static void pending_fail(struct pending *p, char *error)
{
	free(p->error);
	p->error = error ? error : strdup("out of memory");
	xdpmx_zone_unref(p->z);
	p->z = NULL;
}

static void pending_load(struct pending *p)
{
	struct xdpmx_zone_opts opts = {
		.origin = p->e->domain ? p->e->conf_apex : NULL,
		.order = p->e->order,
	};
	int ret;

	p->z = NULL;
	if (stat(p->e->file, &p->st)) {
		ret = -errno;
		pending_fail(p, first_error(&p->d, ret, p->e->file));
		return;
	}
	ret = xdpmx_zone_load(p->e->file, &opts, &p->d, &p->z);
	if (ret) {
		p->z = NULL;
		pending_fail(p, first_error(&p->d, ret, p->e->file));
	}
}

/* FNV-1a of a canonical apex. */
static uint64_t apex_hash(const uint8_t *apex, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ apex[i]) * 0x100000001b3ULL;
	return h;
}

/*
 * One apex, one zone: refuse each zone of p whose apex an earlier zone of p
 * takes, or another entry serves and keeps serving (one not in p: the
 * entries of p have batch set). Linear in the zones: a reload of 100,000
 * zones checks each once.
 */
static void refuse_taken(struct xdpmx_zonemgr *zm, struct pending *p, size_t np)
{
	size_t size = 16, mask;
	uint32_t *tab; /* open addressing over p: index + 1, 0 = empty */
	char name[XDPMX_DNAME_STRLEN];

	while (size < 2 * np)
		size <<= 1;
	mask = size - 1;
	tab = calloc(size, sizeof(*tab));
	for (size_t i = 0; i < np; i++) {
		const uint8_t *apex;
		const struct zentry *o = NULL;
		const struct xdpmx_zone *z;
		size_t j = 0;
		char *msg;

		if (!p[i].z)
			continue;
		apex = p[i].z->apex;
		if (tab) {
			for (j = apex_hash(apex, p[i].z->apex_len) & mask; tab[j];
			     j = (j + 1) & mask)
				if (xdpmx_dname_eq(p[tab[j] - 1].z->apex, apex)) {
					o = p[tab[j] - 1].e;
					break;
				}
		} else {
			for (size_t k = 0; k < i && !o; k++)
				if (p[k].z && xdpmx_dname_eq(p[k].z->apex, apex))
					o = p[k].e;
		}
		z = o ? NULL : xdpmx_zoneset_get(zm->zs, apex);
		for (size_t k = 0; z && z != p[i].e->zone && k < zm->n && !o; k++)
			if (zm->e[k]->zone == z && !zm->e[k]->batch)
				o = zm->e[k];
		if (!o) {
			if (tab)
				tab[j] = (uint32_t)i + 1;
			continue;
		}
		if (asprintf(&msg, "%s: zone %s is already served from %s (%s)", p[i].e->where,
			     xdpmx_dname_str(apex, name), o->file, o->where) < 0)
			msg = NULL;
		pending_fail(&p[i], msg);
	}
	free(tab);
}

static json_t *apply_json(const struct pending *p)
{
	const struct xdpmx_fpset *fs = p->fs ? p->fs : p->e->fs;
	struct xdpmx_fp_apply_stats ast = p->ast;
	bool ok = p->fp_ret == 0;

	if (p->fp_ret == 1) {
		if (!(p->same && fs && p->e->in_fp))
			return json_null();
		/* unchanged: nothing written, the fast path holds what it had */
		ast = (struct xdpmx_fp_apply_stats){.unchanged = fs->c.n,
						    .conflicts = p->e->fp_conflicts,
						    .unplaced = p->e->fp_unplaced};
		ok = true;
	}
	return json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "ok", ok, "compiled",
			 (json_int_t)(fs ? fs->c.n : 0), "skipped",
			 (json_int_t)(fs ? fs->c.skipped[XDPMX_SKIP_TOO_BIG] +
						      fs->c.skipped[XDPMX_SKIP_TOO_MANY]
					 : 0),
			 "below", (json_int_t)(fs ? fs->filtered : 0), "added",
			 (json_int_t)ast.added, "changed", (json_int_t)ast.changed, "deleted",
			 (json_int_t)ast.deleted, "unchanged", (json_int_t)ast.unchanged,
			 "conflicts", (json_int_t)ast.conflicts, "unplaced",
			 (json_int_t)ast.unplaced);
}

/* Whether an apply changed what the fast path answers. */
static bool fp_changed(const struct pending *p)
{
	return p->fp_ret == 0 && p->ast.added + p->ast.changed + p->ast.deleted > 0;
}

/* Write one zone into the fast path; on refusal take it out entirely. */
static void fp_apply(struct xdpmx_zonemgr *zm, struct pending *p)
{
	const struct xdpmx_compiled *c = &p->fs->c;
	char name[XDPMX_DNAME_STRLEN];
	int ret;

	xdpmx_dname_str(p->z->apex, name);
	p->fp_ret = xdpmx_fp_zone_apply(zm->fp, p->z->apex, c, &p->ast);
	if (p->fp_ret) {
		pr_err("Couldn't apply zone %s to the fast path: %s; the slow path answers all "
		       "of it",
		       name, strerror(-p->fp_ret));
		ret = xdpmx_fp_zone_remove(zm->fp, p->z->apex);
		if (ret && ret != -ENOENT)
			pr_err("Couldn't remove zone %s from the fast path: %s", name,
			       strerror(-ret));
		return;
	}
	if (p->ast.conflicts || p->ast.unplaced)
		pr_warn("Zone %s: %zu RRsets left to the slow path: %zu have the name (or the "
			"name's hash) and type of another zone's fast-path entries, %zu found no "
			"free directory slot",
			name, p->ast.conflicts + p->ast.unplaced, p->ast.conflicts,
			p->ast.unplaced);
	pr_info("Zone %s in the fast path: %zu RRsets compiled (%zu of them now), %zu skipped "
		"(too big %zu, too many records %zu), %zu without additional records, %zu left to "
		"zones below; %zu added, %zu changed, %zu deleted, %zu unchanged (epoch %u)",
		name, c->n, p->recompiled,
		c->skipped[XDPMX_SKIP_TOO_BIG] + c->skipped[XDPMX_SKIP_TOO_MANY],
		c->skipped[XDPMX_SKIP_TOO_BIG], c->skipped[XDPMX_SKIP_TOO_MANY], c->ad_trimmed,
		p->fs->filtered, p->ast.added, p->ast.changed, p->ast.deleted, p->ast.unchanged,
		p->ast.epoch);
}

static void fp_remove(struct xdpmx_zonemgr *zm, const uint8_t *apex)
{
	char name[XDPMX_DNAME_STRLEN];
	int ret = xdpmx_fp_zone_remove(zm->fp, apex);

	if (ret && ret != -ENOENT)
		pr_err("Couldn't remove zone %s from the fast path: %s",
		       xdpmx_dname_str(apex, name), strerror(-ret));
}

static void fp_report(struct xdpmx_zonemgr *zm)
{
	struct xdpmx_fp_mem m;
	int ret = xdpmx_fp_mem(zm->fp, &m);

	if (ret) {
		pr_warn("Couldn't read the fast path's memory use: %s", strerror(-ret));
		return;
	}
	pr_info("Fast path holds %llu zones, %llu RRsets (%llu + %llu + %llu by name length), "
		"%llu KiB of kernel memory",
		(unsigned long long)m.zones,
		(unsigned long long)(m.entries[0] + m.entries[1] + m.entries[2]),
		(unsigned long long)m.entries[0], (unsigned long long)m.entries[1],
		(unsigned long long)m.entries[2], (unsigned long long)(m.kernel_bytes / 1024));
}

/* ---- nesting: a name belongs to the deepest zone that holds it -------------------- */

/* The loaded zone nearest above name (name itself excluded), or NULL. */
static struct xdpmx_zone *zone_above(const struct xdpmx_zoneset *zs, const uint8_t *name)
{
	for (const uint8_t *p = xdpmx_dname_parent(name); p; p = xdpmx_dname_parent(p)) {
		struct xdpmx_zone *z = xdpmx_zoneset_get(zs, p);

		if (z)
			return z;
	}
	return NULL;
}

/* Names sorted and searched by xdpmx_dname_cmp(): many zones at once, not
 * each compared with each (100,000 zones would take minutes). */
static int pname_cmp(const void *a, const void *b)
{
	return xdpmx_dname_cmp(*(const uint8_t *const *)a, *(const uint8_t *const *)b);
}

static bool pname_in(const uint8_t *name, const uint8_t **sorted, size_t n)
{
	return n && bsearch(&name, sorted, n, sizeof(*sorted), pname_cmp);
}

static int nest_cmp(const void *a, const void *b)
{
	return xdpmx_dname_cmp(((const struct nest *)a)->up, ((const struct nest *)b)->up);
}

/* zm->nest from the zones of zs. On failure (memory) there is no nesting
 * known and nest_ok stays false: the next batch tries again. */
static void nest_build(struct xdpmx_zonemgr *zm, const struct xdpmx_zoneset *zs)
{
	struct nest *n = NULL;
	size_t k = 0, cap = 0;

	zm->nest_ok = false;
	for (size_t i = 0; i < zs->n; i++) {
		const struct xdpmx_zone *down = zs->zones[i];
		const struct xdpmx_zone *up = zone_above(zs, down->apex);

		if (!up)
			continue;
		if (k == cap) {
			size_t c = cap ? 2 * cap : 8;
			struct nest *m = realloc(n, c * sizeof(*m));

			if (!m) {
				pr_err("Couldn't work out which zones lie below others: out of "
				       "memory");
				free(n);
				return;
			}
			n = m;
			cap = c;
		}
		memcpy(n[k].up, up->apex, up->apex_len);
		memcpy(n[k].down, down->apex, down->apex_len);
		k++;
	}
	if (k)
		qsort(n, k, sizeof(*n), nest_cmp);
	free(zm->nest);
	zm->nest = n;
	zm->n_nest = k;
	zm->nest_ok = true;
}

/* The apexes of the zones directly below apex into *out (a malloc'd array
 * of pointers into zm->nest, or NULL when there are none), *n of them.
 * Returns 0 or -ENOMEM. */
static int nest_below(struct xdpmx_zonemgr *zm, const uint8_t *apex, const uint8_t ***out,
		      size_t *n)
{
	size_t lo = 0, hi = zm->n_nest, k;

	*n = 0;
	*out = NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (xdpmx_dname_cmp(zm->nest[mid].up, apex) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < zm->n_nest && !xdpmx_dname_cmp(zm->nest[k].up, apex); k++)
		;
	if (k == lo)
		return 0;
	*out = malloc((k - lo) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (size_t i = lo; i < k; i++)
		(*out)[(*n)++] = zm->nest[i].down;
	return 0;
}

/* ---- one batch, continued ------------------------------------------------------------ */

/* The set p->z gives the fast path: e's kept set patched after an edit, else
 * a whole compile. p->fp_ret = 1 (not applied) unless something fails: then
 * a negative errno, and fp_apply_all() takes the zone out of the fast path
 * rather than let it answer an old version. */
static void fp_prepare(struct xdpmx_zonemgr *zm, struct pending *p, bool apexes_changed)
{
	struct zentry *e = p->e;
	const uint8_t **below;
	char name[XDPMX_DNAME_STRLEN];
	size_t nb;
	int ret;

	p->fp_ret = 1;
	if (!p->z)
		return;
	if (p->same && !apexes_changed && e->fs && e->in_fp)
		return; /* what the fast path holds is right already */
	ret = nest_below(zm, p->z->apex, &below, &nb);
	if (ret) {
		pr_err("Couldn't compile zone %s for the fast path: %s",
		       xdpmx_dname_str(p->z->apex, name), strerror(-ret));
		p->fp_ret = ret;
		return;
	}
	if (p->edit && e->fs && e->in_fp && e->zone && !p->moved) {
		/* Taken from e: it is e's again once applied. */
		struct xdpmx_fpset *fs = e->fs;

		e->fs = NULL;
		ret = xdpmx_fpset_edit(fs, e->zone, p->z, p->probe_name, p->probe_type, below, nb);
		if (!ret) {
			p->fs = fs;
			p->recompiled = fs->recompiled;
			free(below);
			return;
		}
		if (ret != -EAGAIN)
			pr_warn("Couldn't recompile the edit of zone %s alone: %s; compiling all "
				"of it",
				xdpmx_dname_str(p->z->apex, name), strerror(-ret));
		xdpmx_fpset_free(fs);
	}
	ret = xdpmx_fpset_build(p->z, below, nb, &p->fs);
	free(below);
	if (!ret)
		p->recompiled = p->fs->recompiled;
	if (ret) {
		pr_err("Couldn't compile zone %s for the fast path: %s",
		       xdpmx_dname_str(p->z->apex, name), strerror(-ret));
		p->fs = NULL;
		p->fp_ret = ret;
	}
}

/* Which entry serves each zone of the new set: a table keyed by the zone,
 * built on first use. */
struct zmap {
	const struct xdpmx_zone **zone;
	struct zentry **e;
	size_t mask;
};

static size_t zmap_home(const struct zmap *m, const struct xdpmx_zone *z)
{
	return (size_t)(((uintptr_t)z >> 4) * 0x9e3779b97f4a7c15ULL >> 20) & m->mask;
}

static void zmap_put(struct zmap *m, const struct xdpmx_zone *z, struct zentry *e)
{
	size_t j = zmap_home(m, z);

	while (m->zone[j])
		j = (j + 1) & m->mask;
	m->zone[j] = z;
	m->e[j] = e;
}

static int zmap_build(struct zmap *m, struct xdpmx_zonemgr *zm, const struct pending *p, size_t np)
{
	size_t size = 16;

	while (size < 2 * (zm->n + np))
		size <<= 1;
	m->zone = calloc(size, sizeof(*m->zone));
	m->e = calloc(size, sizeof(*m->e));
	if (!m->zone || !m->e)
		return -ENOMEM;
	m->mask = size - 1;
	for (size_t i = 0; i < np; i++)
		if (p[i].z)
			zmap_put(m, p[i].z, p[i].e);
	for (size_t i = 0; i < zm->n; i++)
		if (zm->e[i]->zone && !zm->e[i]->batch)
			zmap_put(m, zm->e[i]->zone, zm->e[i]);
	return 0;
}

static struct zentry *zmap_get(const struct zmap *m, const struct xdpmx_zone *z)
{
	for (size_t j = zmap_home(m, z); m->zone[j]; j = (j + 1) & m->mask)
		if (m->zone[j] == z)
			return m->e[j];
	return NULL;
}

/* Add to *re (growing it) the served zone nearest above name, unless it is
 * one of this batch's zones (compiled anyway) or there already. */
static int add_reapply(struct xdpmx_zonemgr *zm, const struct xdpmx_zoneset *zs,
		       const uint8_t *name, const struct pending *p, size_t np, struct zmap *m,
		       struct pending **re, size_t *nre)
{
	const struct xdpmx_zone *up = zone_above(zs, name);
	struct zentry *e;
	struct pending *r;

	if (!up)
		return 0;
	if (!m->zone && zmap_build(m, zm, p, np))
		return -ENOMEM;
	e = zmap_get(m, up);
	if (!e || e->batch || e->reapply)
		return 0;
	r = realloc(*re, (*nre + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	*re = r;
	r[*nre] = (struct pending){.e = e, .z = xdpmx_zone_ref(e->zone), .reapply = true};
	(*nre)++;
	e->reapply = true;
	return 0;
}

static int apply_order_cmp(const void *a, const void *b)
{
	const struct pending *x = *(struct pending *const *)a, *y = *(struct pending *const *)b;
	int lx = xdpmx_dname_labels(x->z->apex), ly = xdpmx_dname_labels(y->z->apex);

	return lx != ly ? (lx < ly ? -1 : 1) : 0;
}

/* Apply the prepared sets, upper zones first; keep what was applied. */
static void fp_apply_all(struct xdpmx_zonemgr *zm, struct pending *p, size_t np, struct pending *re,
			 size_t nre)
{
	struct pending **ord = malloc((np + nre + 1) * sizeof(*ord));
	size_t n = 0;
	int ret;

	if (!ord) {
		pr_err("Couldn't apply zones to the fast path: out of memory; the slow path "
		       "answers their changes");
		return;
	}
	for (size_t i = 0; i < np + nre; i++) {
		struct pending *q = i < np ? &p[i] : &re[i - np];

		if (q->z && q->fs)
			ord[n++] = q;
		if (q->z && q->fp_ret < 0 && q->e->in_fp) {
			/* Not compiled: the slow path answers all of it. */
			fp_remove(zm, q->e->zone->apex);
			xdpmx_fpset_free(q->e->fs);
			q->e->fs = NULL;
			pthread_mutex_lock(&zm->lock);
			q->e->in_fp = false;
			q->e->fp_rrsets = q->e->fp_below = 0;
			pthread_mutex_unlock(&zm->lock);
		}
	}
	qsort(ord, n, sizeof(*ord), apply_order_cmp);
	/* With several zones, one grace period for all: but a zone below
	 * another may claim names the upper one just gave up, whose entries
	 * must be gone first (flushed) or the upper zone's reclaim would
	 * delete the lower zone's new ones. Once per depth (labels of the
	 * apex) is enough: zones of one depth hold disjoint names, so only
	 * the shallower ones, all applied by then, give up what they claim;
	 * a flush per zone would wait a grace period for each. */
	xdpmx_fp_set_deferred(zm->fp, n > 1);
	for (size_t i = 0, flushed = 0; i < n; i++) {
		struct pending *q = ord[i];
		struct zentry *e = q->e;
		size_t depth = (size_t)xdpmx_dname_labels(q->z->apex) + 1;

		if (n > 1 && depth != flushed && zone_above(zm->zs, q->z->apex)) {
			flushed = depth;
			ret = xdpmx_fp_flush(zm->fp);
			if (ret)
				pr_warn("Couldn't free the fast path's old versions: %s",
					strerror(-ret));
		}
		fp_apply(zm, q);
		if (!q->fp_ret && q->probe_type)
			q->probe_fp = xdpmx_fpset_has(q->fs, q->probe_name, q->probe_type);
		xdpmx_fpset_free(e->fs);
		e->fs = NULL;
		e->fp_conflicts = q->fp_ret ? 0 : q->ast.conflicts;
		e->fp_unplaced = q->fp_ret ? 0 : q->ast.unplaced;
		pthread_mutex_lock(&zm->lock);
		e->in_fp = q->fp_ret == 0;
		e->fp_rrsets = e->in_fp ? q->fs->c.n - q->ast.conflicts - q->ast.unplaced : 0;
		e->fp_below = e->in_fp ? q->fs->filtered : 0;
		pthread_mutex_unlock(&zm->lock);
		if (!q->fp_ret) {
			e->fs = q->fs;
			q->fs = NULL;
		}
	}
	if (n > 1) {
		ret = xdpmx_fp_flush(zm->fp);
		if (ret)
			pr_warn("Couldn't free the fast path's old versions: %s", strerror(-ret));
	}
	xdpmx_fp_set_deferred(zm->fp, false);
	free(ord);
}

/*
 * The start-up batch's first step in the fast path, before the loaded zones
 * are applied: zones the pinned maps hold that are not configured any more
 * go, so that the configured zones claim their names in one apply.
 * Configured zones that failed to load keep the version the maps hold, as
 * on a reload. Clears zm->first_load.
 */
static void fp_drop_unconfigured(struct xdpmx_zonemgr *zm)
{
	uint8_t(*drop)[XDPMX_DNAME_MAX] = NULL;
	const uint8_t **apexes, **cfg = NULL, **pinned = NULL;
	char name[XDPMX_DNAME_STRLEN];
	size_t i, n, ndrop = 0, ncfg = 0;

	zm->first_load = false;
	/* apexes belongs to fp (fastpath.c keeps it until the next call) */
	if (!zm->fp || xdpmx_fp_zone_list(zm->fp, &apexes, &n) || !n)
		return;
	drop = calloc(n + 1, sizeof(*drop));
	cfg = calloc(2 * zm->n + 1, sizeof(*cfg));
	pinned = calloc(n + 1, sizeof(*pinned));
	if (!drop || !cfg || !pinned) {
		pr_err("Couldn't compare the pinned zones with the configured ones: out of "
		       "memory; zones no longer configured stay in the fast path");
		goto out;
	}
	for (i = 0; i < zm->n; i++) {
		const struct zentry *e = zm->e[i];

		if (e->zone)
			cfg[ncfg++] = e->zone->apex;
		if (e->domain)
			cfg[ncfg++] = e->conf_apex;
	}
	qsort(cfg, ncfg, sizeof(*cfg), pname_cmp);
	memcpy(pinned, apexes, n * sizeof(*pinned));
	qsort(pinned, n, sizeof(*pinned), pname_cmp);
	for (i = 0; i < zm->n; i++) {
		const struct zentry *e = zm->e[i];

		if (!e->zone && e->domain && pname_in(e->conf_apex, pinned, n))
			pr_warn("Zone %s did not load: the fast path keeps answering the version "
				"in the pinned maps",
				xdpmx_dname_str(e->conf_apex, name));
	}
	/* copied: removals change the list */
	for (i = 0; i < n; i++)
		if (!pname_in(apexes[i], cfg, ncfg))
			memcpy(drop[ndrop++], apexes[i],
			       xdpmx_dname_len(apexes[i], XDPMX_DNAME_MAX));
	for (i = 0; i < ndrop; i++) {
		pr_info("Zone %s is in the pinned maps but not configured: removing it from the "
			"fast path",
			xdpmx_dname_str(drop[i], name));
		fp_remove(zm, drop[i]);
	}
out:
	free(drop);
	free(cfg);
	free(pinned);
}

static void log_ptr_rule(const struct xdpmx_ptr_stats *st)
{
	char text[256];

	xdpmx_ptr_rule_str(st, text, sizeof(text));
	if (st->addresses > st->confirmed)
		pr_warn("%s", text);
	else
		pr_info("%s", text);
}

/* Set "changed" in the result of the zone named name, if res has one. */
static void res_mark_changed(json_t *res, const char *name)
{
	size_t i;
	json_t *o;

	json_array_foreach(res, i, o)
	{
		const char *n = json_string_value(json_object_get(o, "name"));

		if (n && !strcmp(n, name))
			json_object_set_new(o, "changed", json_true());
	}
}

/*
 * Run one batch: the zones of p (loaded here unless p[i].z is set), and the
 * entries of gone (removed from everything and freed). When adopt is set,
 * zm->e becomes exactly the entries of adopt (the reconciled
 * configuration). Fills res (when not NULL) with one object per zone.
 */
static void run_batch(struct xdpmx_zonemgr *zm, struct pending *p, size_t np, struct zentry **gone,
		      size_t ngone, struct zentry **adopt, size_t nadopt, json_t *res)
{
	struct xdpmx_zoneset *zs = NULL, *old_zs = NULL;
	struct xdpmx_diag ptr = {};
	struct diag_by_file ptr_by = {.d = &ptr};
	struct xdpmx_ptr_stats pst = {};
	char name[XDPMX_DNAME_STRLEN], other[XDPMX_DNAME_STRLEN];
	struct zentry **new_e = NULL, **old_e = NULL;
	struct pending *re = NULL;
	struct zmap zmap = {};
	size_t i, ok = 0, nre = 0;
	bool swapped = false, apexes_changed = false, ptr_run = false;

	/* 1. Load, off the lock: only this thread changes entries. */
	for (i = 0; i < np; i++) {
		if (!p[i].z && !p[i].error)
			pending_load(&p[i]);
		p[i].fp_ret = 1;
		p[i].same =
			p[i].z && !p[i].edit && p[i].e->zone && same_content(p[i].e->zone, p[i].z);
	}

	/* 2. One apex, one zone. */
	for (i = 0; i < np; i++)
		p[i].e->batch = true;
	refuse_taken(zm, p, np);

	/* 3. The new set. */
	zs = xdpmx_zoneset_dup(zm->zs);
	if (!zs)
		goto nomem;
	for (i = 0; i < ngone; i++)
		if (gone[i]->zone) {
			xdpmx_zoneset_del(zs, gone[i]->zone->apex);
			apexes_changed = true;
		}
	for (i = 0; i < np; i++) {
		if (!p[i].z)
			continue;
		if (p[i].e->zone && !xdpmx_dname_eq(p[i].e->zone->apex, p[i].z->apex)) {
			xdpmx_zoneset_del(zs, p[i].e->zone->apex);
			memcpy(p[i].moved_from, p[i].e->zone->apex, p[i].e->zone->apex_len);
			p[i].moved = true;
		}
		apexes_changed |= !p[i].e->zone || p[i].moved;
		if (xdpmx_zoneset_put(zs, p[i].z))
			goto nomem;
		ok++;
	}

	/* 4. The fast path's sets. */
	if (zm->fp) {
		if (apexes_changed || !zm->nest_ok)
			nest_build(zm, zs);
		/* The zone above each zone that appeared or went. */
		for (i = 0; apexes_changed && i < np; i++)
			if (p[i].z && (!p[i].e->zone || p[i].moved) &&
			    add_reapply(zm, zs, p[i].z->apex, p, np, &zmap, &re, &nre))
				goto nomem;
		for (i = 0; apexes_changed && i < np; i++)
			if (p[i].moved &&
			    add_reapply(zm, zs, p[i].moved_from, p, np, &zmap, &re, &nre))
				goto nomem;
		for (i = 0; i < ngone; i++)
			if (gone[i]->zone &&
			    add_reapply(zm, zs, gone[i]->zone->apex, p, np, &zmap, &re, &nre))
				goto nomem;
		for (i = 0; i < np; i++)
			fp_prepare(zm, &p[i], apexes_changed);
		for (i = 0; i < nre; i++)
			fp_prepare(zm, &re[i], apexes_changed);
	}

	/* 5. Publish to the slow path, then the bookkeeping. */
	if (adopt) {
		new_e = malloc((nadopt ? nadopt : 1) * sizeof(*new_e));
		if (!new_e)
			goto nomem;
		memcpy(new_e, adopt, nadopt * sizeof(*new_e));
	}
	if (zm->srv && (ok || ngone) && xdpmx_server_set_zones(zm->srv, zs))
		goto nomem;
	pthread_mutex_lock(&zm->lock);
	old_zs = zm->zs;
	zm->zs = zs;
	zs = NULL;
	swapped = true;
	for (i = 0; i < np; i++) {
		struct zentry *e = p[i].e;
		json_t *details = json_array();

		diag_append_json(details, &p[i].d, NULL);
		if (p[i].z || !p[i].edit) {
			json_decref(e->details);
			e->details = details;
			e->warnings = p[i].d.warnings;
		} else {
			json_decref(details);
		}
		if (!p[i].z) {
			if (!p[i].edit) {
				free(e->last_error);
				e->last_error = xstrdup(p[i].error);
				XDPMX_SST_INC(zm->st.zone_load_failures);
			}
			continue;
		}
		xdpmx_zone_unref(e->zone);
		e->zone = xdpmx_zone_ref(p[i].z);
		p[i].swapped = true;
		e->rrsets = count_rrsets(p[i].z);
		e->edited = p[i].edit;
		if (!p[i].edit) {
			e->st = p[i].st;
			e->loaded_at = time(NULL);
			free(e->last_error);
			e->last_error = NULL;
		}
		XDPMX_SST_INC(zm->st.zone_loads);
	}
	if (new_e) {
		old_e = zm->e;
		zm->e = new_e;
		zm->n = nadopt;
		new_e = NULL;
	}
	pthread_mutex_unlock(&zm->lock);
	xdpmx_zoneset_free(old_zs);
	free(old_e);

	/* What happened, in the log. */
	for (i = 0; i < np; i++) {
		if (!p[i].z) {
			log_diag(&p[i].d);
			if (p[i].e->zone)
				pr_err("Couldn't %s zone %s: %s; still serving serial %u",
				       p[i].edit ? "edit" : "reload", entry_name(p[i].e, name),
				       p[i].error, p[i].e->zone->serial);
			else
				pr_err("Couldn't load zone %s: %s", entry_name(p[i].e, name),
				       p[i].error);
			continue;
		}
		log_diag(&p[i].d);
		if (p[i].same)
			pr_info("Zone %s serial %u reloaded from %s: nothing changed, %zu "
				"warnings",
				xdpmx_dname_str(p[i].z->apex, name), p[i].z->serial, p[i].e->file,
				p[i].d.warnings);
		else
			pr_info("Zone %s serial %u %s%s: %zu records, %zu RRsets, %zu warnings",
				xdpmx_dname_str(p[i].z->apex, name), p[i].z->serial,
				p[i].edit ? "edited (not written to its file)" : "loaded from ",
				p[i].edit ? "" : p[i].e->file, p[i].z->n_records,
				count_rrsets(p[i].z), p[i].d.warnings);
	}
	for (i = 0; i < nre; i++)
		pr_info("Zone %s compiled again for the fast path: a zone below it %s",
			xdpmx_dname_str(re[i].z->apex, name),
			"appeared or went, and a name belongs to the deepest zone holding it");

	/* 6. The fast path: removals first, then upper zones before lower. */
	if (zm->fp) {
		for (i = 0; i < ngone; i++)
			if (gone[i]->zone && gone[i]->in_fp)
				fp_remove(zm, gone[i]->zone->apex);
		for (i = 0; i < np; i++)
			if (p[i].moved)
				fp_remove(zm, p[i].moved_from);
		if (zm->first_load)
			fp_drop_unconfigured(zm);
		fp_apply_all(zm, p, np, re, nre);
		if (ok || ngone || nre)
			fp_report(zm);
	}

	/* 7. The PTR rule across the zones: warnings only, and with 100,000
	 * zones it takes a while, so it comes after the fast path. */
	if (ok || ngone) {
		xdpmx_zoneset_check_ptr_stats(zm->zs, &ptr, &pst);
		ptr_run = true;
	}
	dbf_init(&ptr_by, &ptr);
	if (ptr_run) {
		pthread_mutex_lock(&zm->lock);
		zm->ptr = pst;
		zm->ptr_warnings = pst.addresses - pst.confirmed;
		zm->ptr_checked = true;
		for (i = 0; i < np; i++) {
			struct zentry *e = p[i].e;
			json_t *details;

			if (!p[i].swapped)
				continue;
			/* a new array: readers may hold the one published */
			details = json_array();
			if (!details || json_array_extend(details, e->details)) {
				json_decref(details);
				continue;
			}
			dbf_append_json(details, &ptr_by, e->file);
			json_decref(e->details);
			e->details = details;
		}
		pthread_mutex_unlock(&zm->lock);
		log_diag(&ptr);
		log_ptr_rule(&pst);
	}

	/* The results. */
	for (i = 0; res && i < np; i++) {
		struct zentry *e = p[i].e;
		json_t *o = json_object(), *details = json_array();

		if (!p[i].z) {
			diag_append_json(details, &p[i].d, NULL);
			json_object_set_new(o, "name", json_string(entry_name(e, name)));
			json_object_set_new(o, "ok", json_false());
			json_object_set_new(o, "serial",
					    e->zone ? json_integer(e->zone->serial) : json_null());
			json_object_set_new(o, "changed", json_false());
			json_object_set_new(o, "error", json_string(p[i].error));
		} else {
			diag_append_json(details, &p[i].d, NULL);
			dbf_append_json(details, &ptr_by, e->file);
			json_object_set_new(o, "name",
					    json_string(xdpmx_dname_str(p[i].z->apex, name)));
			json_object_set_new(o, "ok", json_true());
			json_object_set_new(o, "serial", json_integer(p[i].z->serial));
			json_object_set_new(o, "changed",
					    json_boolean(!p[i].same || fp_changed(&p[i])));
			json_object_set_new(o, "records", json_integer(p[i].z->n_records));
			json_object_set_new(o, "fastpath", apply_json(&p[i]));
		}
		json_object_set_new(o, "details", details);
		json_array_append_new(res, o);
	}
	for (i = 0; res && i < nre; i++)
		if (fp_changed(&re[i]))
			res_mark_changed(res, xdpmx_dname_str(re[i].z->apex, name));
	for (i = 0; res && i < ngone; i++)
		json_array_append_new(res, json_pack("{s:s, s:b, s:b, s:b}", "name",
						     entry_name(gone[i], other), "ok", 1, "changed",
						     1, "removed", 1));
	for (i = 0; i < ngone; i++)
		pr_info("Zone %s removed from the configuration: no longer served",
			entry_name(gone[i], name));
	goto out;

nomem:
	xdpmx_zoneset_free(zs);
	free(new_e);
	for (i = 0; i < np; i++)
		if (p[i].z)
			pending_fail(&p[i], strdup("out of memory while swapping the zone in"));
	pr_err("Couldn't swap zones in: out of memory; the previous versions stay");
	for (i = 0; res && i < np; i++)
		json_array_append_new(res, json_pack("{s:s, s:b, s:b, s:s}", "name",
						     entry_name(p[i].e, name), "ok", 0, "changed",
						     0, "error", p[i].error));
out:
	/* before entries new in this batch may go (below) */
	for (i = 0; i < np; i++)
		p[i].e->batch = false;
	for (i = 0; i < nre; i++)
		re[i].e->reapply = false;
	if (swapped) {
		for (i = 0; i < ngone; i++)
			entry_free(gone[i]);
	} else {
		/* Nothing changed: entries new in this batch go again.
		 * Kept ones are marked (adopted is free again here). */
		for (i = 0; i < zm->n; i++)
			zm->e[i]->adopted = true;
		for (i = 0; i < nadopt; i++)
			if (!adopt[i]->adopted)
				entry_free(adopt[i]);
		for (i = 0; i < zm->n; i++)
			zm->e[i]->adopted = false;
	}
	for (i = 0; i < np; i++) {
		xdpmx_zone_unref(p[i].z);
		xdpmx_diag_clear(&p[i].d);
		xdpmx_fpset_free(p[i].fs);
		p[i].fs = NULL;
		free(p[i].error);
	}
	for (i = 0; i < nre; i++) {
		xdpmx_zone_unref(re[i].z);
		xdpmx_fpset_free(re[i].fs);
	}
	free(re);
	free(zmap.zone);
	free(zmap.e);
	free(ptr_by.idx);
	xdpmx_diag_clear(&ptr);
}

/* ---- reloads ------------------------------------------------------------------------- */

/*
 * The running entries by what identifies them in the configuration: the
 * domain, or the file when the origin comes from the SOA. One probe per
 * configured zone, so that a reload of 100,000 zones is linear.
 */
struct eindex {
	struct zentry **slot;
	size_t mask;
};

static uint64_t entry_key_hash(bool domain, const uint8_t *apex, const char *file)
{
	uint64_t h = domain ? 0x9e3779b97f4a7c15ULL : 0xcbf29ce484222325ULL;

	if (domain)
		return h ^ apex_hash(apex, (size_t)xdpmx_dname_len(apex, XDPMX_DNAME_MAX));
	for (const char *c = file; *c; c++)
		h = (h ^ (uint8_t)*c) * 0x100000001b3ULL;
	return h;
}

static int eindex_build(struct eindex *ix, struct xdpmx_zonemgr *zm)
{
	size_t size = 16;

	while (size < 2 * zm->n)
		size <<= 1;
	ix->slot = calloc(size, sizeof(*ix->slot));
	if (!ix->slot)
		return -ENOMEM;
	ix->mask = size - 1;
	/* In configuration order: a lookup finds the first of equal keys. */
	for (size_t i = 0; i < zm->n; i++) {
		struct zentry *e = zm->e[i];
		size_t j = entry_key_hash(e->domain != NULL, e->conf_apex, e->file) & ix->mask;

		while (ix->slot[j])
			j = (j + 1) & ix->mask;
		ix->slot[j] = e;
	}
	return 0;
}

/* The running entry a configured zone is (same domain; or same file when
 * the origin comes from the SOA). */
static struct zentry *match_entry(const struct eindex *ix, const struct xdpmx_zone_conf *zc,
				  const uint8_t *apex)
{
	size_t j = entry_key_hash(zc->domain != NULL, apex, zc->file) & ix->mask;

	for (; ix->slot[j]; j = (j + 1) & ix->mask) {
		struct zentry *e = ix->slot[j];

		if (zc->domain && e->domain && xdpmx_dname_eq(e->conf_apex, apex))
			return e;
		if (!zc->domain && !e->domain && !strcmp(e->file, zc->file))
			return e;
	}
	return NULL;
}

static bool file_changed(const struct zentry *e)
{
	struct stat st;

	if (!e->zone || stat(e->file, &st))
		return true; /* never loaded, or now unreadable: try, and say why */
	return !same_file(&st, &e->st);
}

static void note(char *what, size_t size, bool changed, const char *key)
{
	if (changed)
		snprintf(what + strlen(what), size - strlen(what), " %s", key);
}

/* Settings that only a restart changes. */
static void warn_restart(const struct xdpmx_config *a, const struct xdpmx_config *b)
{
	char what[256] = "";
	bool same_listen = a->n_listen == b->n_listen, same_if = a->n_ifaces == b->n_ifaces;

	for (size_t i = 0; same_listen && i < a->n_listen; i++)
		same_listen = a->listen[i].len == b->listen[i].len &&
			      !memcmp(&a->listen[i].ss, &b->listen[i].ss, a->listen[i].len);
	for (size_t i = 0; same_if && i < a->n_ifaces; i++)
		same_if = !strcmp(a->ifaces[i], b->ifaces[i]);
	note(what, sizeof(what), !same_listen, "listen");
	note(what, sizeof(what), !same_if, "interface");
	note(what, sizeof(what), a->xdp_mode != b->xdp_mode, "xdp-mode");
	note(what, sizeof(what), strcmp(a->control, b->control), "control");
	note(what, sizeof(what), strcmp(a->pin_dir, b->pin_dir), "pin-dir");
	note(what, sizeof(what), a->edns_size != b->edns_size, "edns-size");
	note(what, sizeof(what), a->port != b->port, "port");
	note(what, sizeof(what), a->tcp_idle_ms != b->tcp_idle_ms, "tcp-idle-timeout");
	note(what, sizeof(what), a->tcp_max_clients != b->tcp_max_clients, "tcp-max-clients");
	note(what, sizeof(what), a->udp_workers != b->udp_workers, "udp-workers");
	note(what, sizeof(what),
	     a->metrics_on != b->metrics_on || a->metrics_allow_remote != b->metrics_allow_remote ||
		     (a->metrics_on && memcmp(&a->metrics.ss, &b->metrics.ss, a->metrics.len)),
	     "metrics");
	if (what[0])
		pr_warn("Configuration changed that takes effect only on restart:%s", what);
}

/*
 * Re-read the configuration and reconcile: new zones are loaded, removed
 * ones dropped, changed settings (file, rotation) reload the zone; every
 * other zone reloads if force, or if its file changed. Returns the result
 * array, or NULL with *error set.
 */
static json_t *reload_config(struct xdpmx_zonemgr *zm, bool force, char **error)
{
	char err[XDPMX_CONF_ERR_MAX];
	struct xdpmx_config c;
	struct zentry **adopt = NULL, **gone = NULL;
	struct eindex ix = {};
	struct pending *p = NULL;
	size_t i, np = 0, ngone = 0, nadopt;
	json_t *res;
	int ret;

	ret = xdpmx_config_build(zm->flags, &c, err, sizeof(err));
	if (ret) {
		pr_err("Couldn't reload the configuration: %s; nothing changed", err);
		if (asprintf(error, "couldn't reload the configuration: %s", err) < 0)
			*error = NULL;
		return NULL;
	}
	if (zm->running)
		warn_restart(zm->running, &c);
	res = json_array();
	adopt = calloc(c.n_zones + 1, sizeof(*adopt));
	gone = calloc(zm->n + 1, sizeof(*gone));
	p = calloc(c.n_zones + 1, sizeof(*p));
	if (!res || !adopt || !gone || !p || eindex_build(&ix, zm))
		goto nomem;

	for (i = 0; i < c.n_zones; i++) {
		const struct xdpmx_zone_conf *zc = &c.zones[i];
		uint8_t apex[XDPMX_DNAME_MAX];
		int order = zc->order >= 0 ? zc->order : c.rotation;
		struct zentry *e;
		bool reload = force;

		if (zc->domain && domain_wire(zc->domain, apex) < 0)
			continue; /* the config check refused it already */
		e = match_entry(&ix, zc, apex);
		if (e && e->adopted)
			e = NULL; /* the same file twice: the second is new */
		if (!e) {
			e = entry_new(zc, c.rotation);
			if (!e)
				goto nomem;
			reload = true;
		} else {
			/* Settings are swapped by this thread only, and
			 * readers take the lock. */
			pthread_mutex_lock(&zm->lock);
			if (strcmp(e->file, zc->file) || e->order != order) {
				char *file = strdup(zc->file);

				if (!file) {
					pthread_mutex_unlock(&zm->lock);
					goto nomem;
				}
				free(e->file);
				e->file = file;
				e->order = order;
				reload = true;
			}
			pthread_mutex_unlock(&zm->lock);
			reload |= file_changed(e);
		}
		adopt[i] = e;
		e->adopted = true;
		e->queued = reload;
		if (reload)
			p[np++].e = e;
	}
	for (i = 0; i < zm->n; i++)
		if (!zm->e[i]->adopted)
			gone[ngone++] = zm->e[i];
	/* Unchanged zones are in the result too, as not changed. */
	for (i = 0; i < c.n_zones; i++) {
		char name[XDPMX_DNAME_STRLEN];

		if (adopt[i] && !adopt[i]->queued)
			json_array_append_new(
				res, json_pack("{s:s, s:b, s:o, s:b}", "name",
					       entry_name(adopt[i], name), "ok", 1, "serial",
					       adopt[i]->zone ? json_integer(adopt[i]->zone->serial)
							      : json_null(),
					       "changed", 0));
	}
	zm->rotation = c.rotation;
	/* Compact adopt: skipped invalid domains leave holes. */
	for (i = 0, nadopt = 0; i < c.n_zones; i++)
		if (adopt[i]) {
			adopt[i]->adopted = adopt[i]->queued = false;
			adopt[nadopt++] = adopt[i];
		}
	free(ix.slot);
	run_batch(zm, p, np, gone, ngone, adopt, nadopt, res);
	free(p);
	free(gone);
	free(adopt);
	xdpmx_config_free(&c);
	return res;
nomem:
	pr_err("Couldn't reload the configuration: out of memory");
	free(ix.slot);
	for (i = 0; adopt && i < c.n_zones; i++)
		if (adopt[i])
			adopt[i]->adopted = false;
	for (i = 0; i < zm->n; i++) {
		zm->e[i]->adopted = true; /* marks the kept entries, below */
		zm->e[i]->queued = false;
	}
	for (i = 0; adopt && i < c.n_zones; i++)
		if (adopt[i] && !adopt[i]->adopted)
			entry_free(adopt[i]);
	for (i = 0; i < zm->n; i++)
		zm->e[i]->adopted = false;
	free(p);
	free(gone);
	free(adopt);
	json_decref(res);
	xdpmx_config_free(&c);
	*error = strdup("couldn't reload the configuration: out of memory");
	return NULL;
}

static struct zentry *find_entry(struct xdpmx_zonemgr *zm, const char *name)
{
	uint8_t apex[XDPMX_DNAME_MAX];

	if (domain_wire(name, apex) < 0)
		return NULL;
	for (size_t i = 0; i < zm->n; i++) {
		struct zentry *e = zm->e[i];

		if ((e->zone && xdpmx_dname_eq(e->zone->apex, apex)) ||
		    (e->domain && xdpmx_dname_eq(e->conf_apex, apex)))
			return e;
	}
	return NULL;
}

static json_t *reload_one(struct xdpmx_zonemgr *zm, const char *name, char **error)
{
	struct pending p = {};
	json_t *res;

	p.e = find_entry(zm, name);
	if (!p.e) {
		if (asprintf(error, "zone %s is not configured", name) < 0)
			*error = NULL;
		return NULL;
	}
	res = json_array();
	if (!res) {
		*error = NULL;
		return NULL;
	}
	run_batch(zm, &p, 1, NULL, 0, NULL, 0, res);
	return res;
}

/* ---- zone check -------------------------------------------------------------------- */

static json_t *check_file(struct xdpmx_zonemgr *zm, json_t *args, char **error)
{
	const char *file = json_string_value(json_object_get(args, "file"));
	const char *origin = json_string_value(json_object_get(args, "origin"));
	struct xdpmx_zone_opts opts = {.order = zm->rotation};
	uint8_t apex[XDPMX_DNAME_MAX];
	struct xdpmx_diag d = {};
	struct xdpmx_zone *z = NULL;
	struct xdpmx_ptr_stats pst = {};
	char rule[256];
	json_t *msgs, *res;
	bool ptr_run = false;
	int ret;

	if (!file) {
		*error = strdup("zone check needs \"file\"");
		return NULL;
	}
	if (origin) {
		if (domain_wire(origin, apex) < 0) {
			if (asprintf(error, "origin '%s' is not a valid domain name", origin) < 0)
				*error = NULL;
			return NULL;
		}
		opts.origin = apex;
	}
	ret = xdpmx_zone_load(file, &opts, &d, &z);
	if (ret && !d.errors) {
		if (asprintf(error, "couldn't load zone file %s: %s", file, strerror(-ret)) < 0)
			*error = NULL;
		xdpmx_diag_clear(&d);
		return NULL;
	}
	if (!ret) {
		/* The PTR rule against the zones served now, with this one in
		 * place of its served version. */
		struct xdpmx_zoneset *zs;
		struct xdpmx_diag ptr = {};

		pthread_mutex_lock(&zm->lock);
		zs = xdpmx_zoneset_dup(zm->zs);
		pthread_mutex_unlock(&zm->lock);
		if (zs && !xdpmx_zoneset_put(zs, z)) {
			xdpmx_zoneset_check_ptr_stats(zs, &ptr, &pst);
			ptr_run = true;
			for (size_t i = 0; i < ptr.n; i++)
				if (ptr.msgs[i].file && !strcmp(ptr.msgs[i].file, file))
					xdpmx_diag_add(&d, ptr.msgs[i].sev, ptr.msgs[i].file,
						       ptr.msgs[i].line, ptr.msgs[i].check, "%s",
						       ptr.msgs[i].text);
		}
		xdpmx_diag_clear(&ptr);
		xdpmx_zoneset_free(zs);
		xdpmx_zone_unref(z);
	}
	msgs = json_array();
	diag_append_json(msgs, &d, NULL);
	res = json_pack("{s:I, s:I, s:o}", "errors", (json_int_t)d.errors, "warnings",
			(json_int_t)d.warnings, "messages", msgs);
	/* Over the served zones with this one in their place: every warning
	 * it counts, about this file or not. */
	if (res && ptr_run)
		json_object_set_new(res, "ptr_rule",
				    json_pack("{s:I, s:I, s:I, s:I, s:s}", "hosts",
					      (json_int_t)pst.hosts, "addresses",
					      (json_int_t)pst.addresses, "confirmed",
					      (json_int_t)pst.confirmed, "warnings",
					      (json_int_t)(pst.addresses - pst.confirmed), "text",
					      xdpmx_ptr_rule_str(&pst, rule, sizeof(rule))));
	xdpmx_diag_clear(&d);
	if (!res)
		*error = NULL;
	return res;
}

/* ---- edits ---------------------------------------------------------------------------- */

static const char *const edit_words[] = {"added", "deleted", "replaced"};

/* "record add|del|set" {"zone", "name", "type", "ttl", "data"}. */
static json_t *edit_record(struct xdpmx_zonemgr *zm, enum xdpmx_edit_op op, json_t *args,
			   char **error, json_t **details)
{
	const char *zone = json_string_value(json_object_get(args, "zone"));
	json_t *ttl = json_object_get(args, "ttl");
	struct xdpmx_edit ed = {
		.op = op,
		.name = json_string_value(json_object_get(args, "name")),
		.type = json_string_value(json_object_get(args, "type")),
		.data = json_string_value(json_object_get(args, "data")),
	};
	char err[XDPMX_EDIT_ERR_MAX], name[XDPMX_DNAME_STRLEN];
	struct pending p = {.edit = true};
	json_t *res;
	uint32_t serial;
	int ret;

	if (!zone || !ed.name || !ed.type || (op != XDPMX_EDIT_DEL && (!ed.data || !ttl)) ||
	    (ttl && (!json_is_integer(ttl) || json_integer_value(ttl) < 0 ||
		     json_integer_value(ttl) > INT32_MAX))) {
		*error = strdup(op == XDPMX_EDIT_DEL
					? "record del needs \"zone\", \"name\", \"type\" (and "
					  "\"data\" for one record)"
					: "this record command needs \"zone\", \"name\", \"type\", "
					  "\"ttl\" (0 to 2147483647) and \"data\"");
		return NULL;
	}
	ed.ttl = (uint32_t)json_integer_value(ttl);
	p.e = find_entry(zm, zone);
	if (!p.e || !p.e->zone) {
		if (asprintf(error, p.e ? "zone %s is not loaded" : "zone %s is not configured",
			     zone) < 0)
			*error = NULL;
		return NULL;
	}
	ret = xdpmx_zone_edit(p.e->zone, &ed, &p.d, &p.z, p.probe_name, &p.probe_type, err);
	if (ret) {
		json_t *d = json_array();

		diag_append_json(d, &p.d, NULL);
		*details = d;
		xdpmx_diag_clear(&p.d);
		if (asprintf(error, "couldn't edit zone %s: %s", zone, err) < 0)
			*error = NULL;
		return NULL;
	}
	serial = p.z->serial;
	xdpmx_dname_str(p.z->apex, name);
	run_batch(zm, &p, 1, NULL, 0, NULL, 0, NULL);
	if (!p.swapped) {
		*error = strdup("couldn't swap the edited zone in: out of memory");
		return NULL;
	}
	pr_warn("Zone %s: %s %s record %s (serial %u); not written to %s: a reload or restart "
		"forgets it",
		name, ed.name, ed.type, edit_words[op], serial, p.e->file);
	res = json_pack("{s:b, s:b, s:I, s:s, s:I}", "persisted", 0, "fastpath", p.probe_fp,
			"serial", (json_int_t)serial, "zone", name, "recompiled",
			(json_int_t)p.recompiled);
	if (!res)
		*error = NULL;
	return res;
}

/* "rrset order" {"name", "type", "order"}: in the deepest zone holding name. */
static json_t *rrset_order(struct xdpmx_zonemgr *zm, json_t *args, char **error)
{
	const char *rname = json_string_value(json_object_get(args, "name"));
	const char *type = json_string_value(json_object_get(args, "type"));
	const char *order = json_string_value(json_object_get(args, "order"));
	char err[XDPMX_EDIT_ERR_MAX], name[XDPMX_DNAME_STRLEN];
	uint8_t canon[XDPMX_DNAME_MAX];
	struct pending p = {.edit = true};
	struct xdpmx_zone *z;
	int o;

	o = order ? xdpmx_order_parse(order) : -EINVAL;
	if (!rname || !type || o < 0) {
		*error = strdup("rrset order needs \"name\", \"type\" and \"order\" (cyclic, "
				"random or fixed)");
		return NULL;
	}
	if (domain_wire(rname, canon) < 0) {
		if (asprintf(error, "'%s' is not a valid domain name", rname) < 0)
			*error = NULL;
		return NULL;
	}
	z = xdpmx_zoneset_find(zm->zs, canon);
	for (size_t i = 0; z && i < zm->n; i++)
		if (zm->e[i]->zone == z)
			p.e = zm->e[i];
	if (!p.e) {
		if (asprintf(error, "%s is in no zone served here", rname) < 0)
			*error = NULL;
		return NULL;
	}
	if (xdpmx_zone_set_order(z, rname, type, (uint8_t)o, &p.z, p.probe_name, &p.probe_type,
				 err)) {
		if (asprintf(error, "couldn't change the order of %s %s: %s", rname, type, err) < 0)
			*error = NULL;
		return NULL;
	}
	xdpmx_dname_str(z->apex, name);
	run_batch(zm, &p, 1, NULL, 0, NULL, 0, NULL);
	if (!p.swapped) {
		*error = strdup("couldn't swap the edited zone in: out of memory");
		return NULL;
	}
	pr_info("Zone %s: %s %s now in %s order (until the zone is reloaded from its file)", name,
		rname, type, order);
	return json_pack("{s:s, s:b, s:b, s:I}", "zone", name, "fastpath", p.probe_fp, "persisted",
			 0, "recompiled", (json_int_t)p.recompiled);
}

/* ---- the thread ---------------------------------------------------------------------- */

static void run_job(struct xdpmx_zonemgr *zm, struct xdpmx_zm_job *job)
{
	const char *zone = json_string_value(json_object_get(job->args, "zone"));
	char *error = NULL;
	json_t *res = NULL;

	switch (job->op) {
	case XDPMX_ZM_RELOAD_CONFIG:
		pr_info("Reloading the configuration and changed zones");
		res = reload_config(zm, false, &error);
		break;
	case XDPMX_ZM_RELOAD:
		if (zone) {
			pr_info("Reloading zone %s", zone);
			res = reload_one(zm, zone, &error);
		} else {
			pr_info("Reloading the configuration and every zone");
			res = reload_config(zm, true, &error);
		}
		break;
	case XDPMX_ZM_CHECK:
		res = check_file(zm, job->args, &error);
		break;
	case XDPMX_ZM_STATS_RESET: {
		int ret = zm->fp ? xdpmx_fp_stats_reset(zm->fp) : 0;

		if (ret && asprintf(&error, "couldn't reset the fast path's counters: %s",
				    strerror(-ret)) < 0)
			error = NULL;
		res = ret ? NULL : json_object();
		break;
	}
	case XDPMX_ZM_RECORD_ADD:
		res = edit_record(zm, XDPMX_EDIT_ADD, job->args, &error, &job->details);
		break;
	case XDPMX_ZM_RECORD_DEL:
		res = edit_record(zm, XDPMX_EDIT_DEL, job->args, &error, &job->details);
		break;
	case XDPMX_ZM_RECORD_SET:
		res = edit_record(zm, XDPMX_EDIT_SET, job->args, &error, &job->details);
		break;
	case XDPMX_ZM_RRSET_ORDER:
		res = rrset_order(zm, job->args, &error);
		break;
	case XDPMX_ZM_MAP_DUMP: {
		int ret = 0;

		if (!zm->fp) {
			error = strdup(
				"couldn't dump the maps: the daemon runs without a fast path");
			break;
		}
		res = xdpmx_map_dump_json(zm->fp, &ret);
		if (!res && asprintf(&error, "couldn't dump the maps: %s", strerror(-ret)) < 0)
			error = NULL;
		break;
	}
	}
	if (res) {
		job->result = res;
	} else {
		job->error = error ? error : strdup("out of memory");
	}
}

static void finish_job(struct xdpmx_zonemgr *zm, struct xdpmx_zm_job *job)
{
	uint64_t one = 1;

	pthread_mutex_lock(&zm->qlock);
	job->next = NULL;
	if (zm->d_tail)
		zm->d_tail->next = job;
	else
		zm->d_head = job;
	zm->d_tail = job;
	pthread_mutex_unlock(&zm->qlock);
	if (write(zm->done_fd, &one, sizeof(one)) < 0)
		pr_warn("Couldn't signal a finished zone job: %s", strerror(errno));
}

static void *zonemgr_main(void *arg)
{
	struct xdpmx_zonemgr *zm = arg;
	struct xdpmx_zm_job *job;

	pthread_mutex_lock(&zm->qlock);
	for (;;) {
		while (!zm->stop && !zm->q_head)
			pthread_cond_wait(&zm->cond, &zm->qlock);
		if (zm->stop)
			break;
		job = zm->q_head;
		zm->q_head = job->next;
		if (!zm->q_head)
			zm->q_tail = NULL;
		pthread_mutex_unlock(&zm->qlock);
		run_job(zm, job);
		finish_job(zm, job);
		pthread_mutex_lock(&zm->qlock);
	}
	pthread_mutex_unlock(&zm->qlock);
	return NULL;
}

void xdpmx_zonemgr_submit(struct xdpmx_zonemgr *zm, struct xdpmx_zm_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&zm->qlock);
	if (zm->stop) {
		pthread_mutex_unlock(&zm->qlock);
		job->error = strdup("the daemon is stopping");
		finish_job(zm, job);
		return;
	}
	if (zm->q_tail)
		zm->q_tail->next = job;
	else
		zm->q_head = job;
	zm->q_tail = job;
	pthread_cond_signal(&zm->cond);
	pthread_mutex_unlock(&zm->qlock);
}

int xdpmx_zonemgr_done_fd(struct xdpmx_zonemgr *zm)
{
	return zm->done_fd;
}

struct xdpmx_zm_job *xdpmx_zonemgr_take_done(struct xdpmx_zonemgr *zm)
{
	struct xdpmx_zm_job *job;
	uint64_t v;

	pthread_mutex_lock(&zm->qlock);
	job = zm->d_head;
	if (job) {
		zm->d_head = job->next;
		if (!zm->d_head)
			zm->d_tail = NULL;
		job->next = NULL;
	} else if (read(zm->done_fd, &v, sizeof(v)) < 0 && errno != EAGAIN) {
		pr_debug("Couldn't drain the zone jobs' eventfd: %s", strerror(errno));
	}
	pthread_mutex_unlock(&zm->qlock);
	return job;
}

void xdpmx_zm_job_free(struct xdpmx_zm_job *job)
{
	if (!job)
		return;
	json_decref(job->args);
	json_decref(job->result);
	json_decref(job->details);
	free(job->error);
	free(job);
}

int xdpmx_zonemgr_start(struct xdpmx_zonemgr *zm)
{
	int ret = pthread_create(&zm->thread, NULL, zonemgr_main, zm);

	if (ret) {
		pr_err("Couldn't start the zone manager thread: %s", strerror(ret));
		return -ret;
	}
	zm->started = true;
	return 0;
}

/* ---- creation, first load --------------------------------------------------------------- */

int xdpmx_zonemgr_new(const struct xdpmx_flags *f, const struct xdpmx_config *c,
		      struct xdpmx_server *srv, struct xdpmx_fp *fp, struct xdpmx_zonemgr **out)
{
	struct xdpmx_zonemgr *zm = calloc(1, sizeof(*zm));

	if (!zm)
		return -ENOMEM;
	zm->flags = f;
	zm->running = c;
	zm->rotation = c->rotation;
	zm->srv = srv;
	zm->fp = fp;
	zm->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	zm->zs = xdpmx_zoneset_new();
	zm->e = calloc(c->n_zones + 1, sizeof(*zm->e));
	pthread_mutex_init(&zm->lock, NULL);
	pthread_mutex_init(&zm->qlock, NULL);
	pthread_cond_init(&zm->cond, NULL);
	if (zm->done_fd < 0 || !zm->zs || !zm->e)
		goto fail;
	for (size_t i = 0; i < c->n_zones; i++) {
		zm->e[i] = entry_new(&c->zones[i], c->rotation);
		if (!zm->e[i])
			goto fail;
		zm->n++;
	}
	*out = zm;
	return 0;
fail:
	xdpmx_zonemgr_free(zm);
	return -ENOMEM;
}

int xdpmx_zonemgr_load_all(struct xdpmx_zonemgr *zm)
{
	struct pending *p = calloc(zm->n + 1, sizeof(*p));
	size_t i, failed = 0;

	if (!p)
		return -ENOMEM;
	for (i = 0; i < zm->n; i++)
		p[i].e = zm->e[i];
	zm->first_load = true;
	run_batch(zm, p, zm->n, NULL, 0, NULL, 0, NULL);
	if (zm->first_load) /* the batch failed before the fast path */
		fp_drop_unconfigured(zm);
	for (i = 0; i < zm->n; i++)
		failed += !zm->e[i]->zone;
	free(p);
	return (int)failed;
}

/* ---- reports ----------------------------------------------------------------------------- */

static json_t *entry_json(const struct zentry *e)
{
	char name[XDPMX_DNAME_STRLEN], when[32] = "";
	json_t *o;

	if (e->zone) {
		struct tm tm;

		gmtime_r(&e->loaded_at, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:I, s:o, s:o, s:b, s:b, s:I}", "name",
		      entry_name(e, name), "file", e->file, "serial",
		      e->zone ? json_integer(e->zone->serial) : json_null(), "records",
		      e->zone ? json_integer(e->zone->n_records) : json_null(), "rrsets",
		      e->zone ? json_integer(e->rrsets) : json_null(), "fastpath_rrsets",
		      (json_int_t)e->fp_rrsets, "loaded_at",
		      e->zone ? json_string(when) : json_null(), "last_error",
		      e->last_error ? json_string(e->last_error) : json_null(), "loaded",
		      e->zone != NULL, "edited", e->edited, "warnings", (json_int_t)e->warnings);
	if (o)
		json_object_set_new(o, "fastpath_below", json_integer((json_int_t)e->fp_below));
	if (o && e->details)
		json_object_set(o, "details", e->details);
	return o;
}

json_t *xdpmx_zonemgr_list_json(struct xdpmx_zonemgr *zm)
{
	json_t *arr = json_array();

	pthread_mutex_lock(&zm->lock);
	for (size_t i = 0; arr && i < zm->n; i++)
		if (json_array_append_new(arr, entry_json(zm->e[i]))) {
			json_decref(arr);
			arr = NULL;
		}
	pthread_mutex_unlock(&zm->lock);
	return arr;
}

/* One record as text, through ldns (the owner as the file wrote it). */
static char *rr_text(const struct xdpmx_node *n, const struct xdpmx_rrset *rs, size_t i)
{
	size_t olen = n->name_len, len = olen + 10 + rs->rdlen[i], pos = 0;
	uint8_t *wire = malloc(len);
	ldns_rr *rr = NULL;
	char *s = NULL;

	if (!wire)
		return NULL;
	memcpy(wire, n->oname, olen);
	wire[olen] = rs->type >> 8;
	wire[olen + 1] = rs->type & 0xff;
	wire[olen + 2] = 0;
	wire[olen + 3] = XDPMX_CLASS_IN;
	wire[olen + 4] = rs->ttl >> 24;
	wire[olen + 5] = rs->ttl >> 16;
	wire[olen + 6] = rs->ttl >> 8;
	wire[olen + 7] = rs->ttl;
	wire[olen + 8] = rs->rdlen[i] >> 8;
	wire[olen + 9] = rs->rdlen[i] & 0xff;
	memcpy(wire + olen + 10, rs->rdata[i], rs->rdlen[i]);
	if (ldns_wire2rr(&rr, wire, len, &pos, LDNS_SECTION_ANSWER) == LDNS_STATUS_OK) {
		s = ldns_rr2str(rr);
		if (s && s[0] && s[strlen(s) - 1] == '\n')
			s[strlen(s) - 1] = '\0';
	}
	ldns_rr_free(rr);
	free(wire);
	return s;
}

json_t *xdpmx_zonemgr_show_json(struct xdpmx_zonemgr *zm, const char *name, char *err)
{
	struct xdpmx_zone *z = NULL;
	struct zentry *e;
	char buf[XDPMX_DNAME_STRLEN];
	json_t *recs, *o;

	pthread_mutex_lock(&zm->lock);
	e = find_entry(zm, name);
	if (e && e->zone)
		z = xdpmx_zone_ref(e->zone);
	pthread_mutex_unlock(&zm->lock);
	if (!z) {
		snprintf(err, XDPMX_CONF_ERR_MAX,
			 e ? "zone %s is configured but not loaded" : "zone %s is not configured",
			 name);
		return NULL;
	}
	recs = json_array();
	for (size_t i = 0; recs && i < z->n_nodes; i++) {
		const struct xdpmx_node *n = z->nodes[i];

		for (size_t j = 0; j < n->n_rrsets; j++)
			for (size_t k = 0; k < n->rrsets[j].count; k++) {
				char *s = rr_text(n, &n->rrsets[j], k);

				json_array_append_new(recs, s ? json_string(s) : json_null());
				free(s);
			}
	}
	o = json_pack("{s:s, s:I, s:o}", "name", xdpmx_dname_str(z->apex, buf), "serial",
		      (json_int_t)z->serial, "records", recs);
	xdpmx_zone_unref(z);
	if (!o)
		snprintf(err, XDPMX_CONF_ERR_MAX, "couldn't show zone %s: out of memory", name);
	return o;
}

size_t xdpmx_zonemgr_count(struct xdpmx_zonemgr *zm)
{
	size_t n;

	pthread_mutex_lock(&zm->lock);
	n = zm->zs ? zm->zs->n : 0;
	pthread_mutex_unlock(&zm->lock);
	return n;
}

void xdpmx_zonemgr_stats(struct xdpmx_zonemgr *zm, struct xdpmx_sstats *sum)
{
	xdpmx_sstats_add(sum, &zm->st);
}

void xdpmx_zonemgr_stop(struct xdpmx_zonemgr *zm)
{
	struct xdpmx_zm_job *job;

	pthread_mutex_lock(&zm->qlock);
	zm->stop = true;
	pthread_cond_signal(&zm->cond);
	pthread_mutex_unlock(&zm->qlock);
	if (zm->started) {
		pthread_join(zm->thread, NULL);
		zm->started = false;
	}
	while ((job = zm->q_head)) {
		zm->q_head = job->next;
		job->error = strdup("the daemon is stopping");
		finish_job(zm, job);
	}
	zm->q_tail = NULL;
}

void xdpmx_zonemgr_summary(struct xdpmx_zonemgr *zm, struct xdpmx_zm_summary *sum)
{
	memset(sum, 0, sizeof(*sum));
	pthread_mutex_lock(&zm->lock);
	sum->zones = zm->n;
	for (size_t i = 0; i < zm->n; i++) {
		sum->loaded += zm->e[i]->zone != NULL;
		sum->warnings += zm->e[i]->warnings;
	}
	sum->ptr = zm->ptr;
	sum->ptr_checked = zm->ptr_checked;
	sum->warnings += zm->ptr_warnings;
	pthread_mutex_unlock(&zm->lock);
}

void xdpmx_zonemgr_free(struct xdpmx_zonemgr *zm)
{
	struct xdpmx_zm_job *job;

	if (!zm)
		return;
	xdpmx_zonemgr_stop(zm);
	while ((job = zm->d_head)) {
		zm->d_head = job->next;
		xdpmx_zm_job_free(job);
	}
	for (size_t i = 0; i < zm->n; i++)
		entry_free(zm->e[i]);
	free(zm->e);
	xdpmx_zoneset_free(zm->zs);
	free(zm->nest);
	if (zm->done_fd >= 0)
		close(zm->done_fd);
	pthread_cond_destroy(&zm->cond);
	pthread_mutex_destroy(&zm->qlock);
	pthread_mutex_destroy(&zm->lock);
	free(zm);
}
