// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Tests of the map writer (user/lib/fastpath.c) and the object glue
 * (user/lib/bpfobj.c) against the real object and real maps: what
 * xdpmx_fp_zone_apply leaves in the maps, byte for byte, after a first
 * apply, a change, a removal and a refused (full) apply; where it puts
 * RRsets in the directory (every one where the program's probe finds it,
 * names with the same hash kept apart, a crowded stretch of slots); a
 * takeover of pinned maps by a new writer; and queries really answered.
 *
 * Root only: every test skips without root or when the kernel refuses BPF.
 * Zones are written as master files into a scratch directory and go
 * through xdpmx_zone_load -> xdpmx_compile_zone -> xdpmx_fp_zone_apply, as
 * in the daemon.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/bpf.h>

#include <criterion/criterion.h>

#include "bpfobj.h"
#include "compile.h"
#include "counters.h"
#include "fastpath.h"
#include "harness.h"
#include "log.h"
#include "zone.h"

/* Small capacities, so "full" is reachable. The directory takes RRsets up
 * to 3/4 of its slots: 48. */
#define CAP_ZONES 8
#define CAP_DIR 64
#define DIR_LOAD_MAX (CAP_DIR * 3 / 4)
#define CAP_BLOB0 128
#define CAP_BLOB1 4

static struct {
	struct xdpmx_bpfobj *obj;
	struct xdpmx_fp *fp;
	uint32_t dir_slots; /* 0: CAP_DIR */
	char tmp[64];	    /* scratch directory for zone files */
	char mnt[128];	    /* private bpffs mount of the takeover test, or "" */
} T;

/* ---- setup -------------------------------------------------------------------- */

static void opts_small(struct xdpmx_bpfobj_opts *bo, const char *pin_dir)
{
	memset(bo, 0, sizeof(*bo));
	bo->obj_path = getenv("XDPMX_BPF_OBJ");
	bo->pin_dir = pin_dir;
	bo->zones_max = CAP_ZONES;
	bo->dir_max[0] = (T.dir_slots ? T.dir_slots : CAP_DIR) / 2; /* RRsets: 2x slots */
	bo->blob_max[0] = CAP_BLOB0;
	bo->blob_max[1] = CAP_BLOB1;
	bo->blob_max[2] = 8;
	bo->blob_max[3] = 4;
	bo->blob_max[4] = 4;
}

static void load(const char *pin_dir)
{
	struct xdpmx_bpfobj_opts bo;
	int err;

	opts_small(&bo, pin_dir);
	err = xdpmx_bpfobj_open(&bo, &T.obj);
	if (err == -EPERM)
		cr_skip_test("the kernel refuses to load BPF here (EPERM)");
	cr_assert_eq(err, 0, "Couldn't load the XDP object: %s", strerror(-err));
	err = xdpmx_fp_open_fds(&T.obj->fds, &T.fp);
	cr_assert_eq(err, 0, "Couldn't open the maps: %s", strerror(-err));
}

static void setup(void)
{
	if (geteuid() != 0)
		cr_skip_test("map writer tests load BPF: run them as root");
	xdpmx_log_route_libs();
	strcpy(T.tmp, "/tmp/xdpmx-fptest-XXXXXX");
	cr_assert_not_null(mkdtemp(T.tmp));
	T.mnt[0] = 0;
}

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static void teardown(void)
{
	xdpmx_fp_close(T.fp);
	xdpmx_bpfobj_close(T.obj);
	T.fp = NULL;
	T.obj = NULL;
	if (T.tmp[0])
		rm_dir(T.tmp);
	if (T.mnt[0]) {
		char pins[256];

		snprintf(pins, sizeof(pins), "%s/pins", T.mnt);
		rm_dir(pins);
		umount2(T.mnt, MNT_DETACH);
		rmdir(T.mnt);
	}
	memset(&T, 0, sizeof(T));
}

TestSuite(fastpath, .init = setup, .fini = teardown);

/* ---- zones ------------------------------------------------------------------- */

#define HEAD(origin)                                                                               \
	"$ORIGIN " origin "\n$TTL 300\n@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"             \
	"@ NS ns1\nns1 A 198.18.0.53\n"

/* Compiles to 6 entries: ns1 A, @ MX, mail1 A, mail2 A, mail2 AAAA, www A. */
static const char *const ZONE_V1 = HEAD("fp.test.") "@ MX 10 mail1\n@ MX 20 mail2\n"
						    "mail1 A 198.18.0.1\nmail1 A 198.18.0.2\n"
						    "mail1 A 198.18.0.3\nmail2 A 198.18.0.4\n"
						    "mail2 AAAA fd00::4\nwww A 198.18.0.80\n";
/* mail1 A changed (and so the MX, whose additional section holds it), www
 * deleted, new added; ns1 A, mail2 A and AAAA unchanged. */
static const char *const ZONE_V2 = HEAD("fp.test.") "@ MX 10 mail1\n@ MX 20 mail2\n"
						    "mail1 A 198.18.0.1\nmail1 A 198.18.0.2\n"
						    "mail1 A 198.18.0.33\nmail2 A 198.18.0.4\n"
						    "mail2 AAAA fd00::4\nnew A 198.18.0.81\n";
static const char *const ZONE_REV =
	HEAD("0.18.198.in-addr.arpa.") "1 PTR mail1.fp.test.\n2 PTR mail1.fp.test.\n";

static const uint8_t APEX_FP[] = "\2fp\4test";
static const uint8_t APEX_REV[] = "\0010\00218\003198\7in-addr\4arpa";

static struct xdpmx_compiled *compile_text(const char *text)
{
	struct xdpmx_diag d = {0};
	struct xdpmx_zone *z = NULL;
	struct xdpmx_compiled *c = NULL;
	char path[128];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/zone", T.tmp);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	err = xdpmx_zone_load(path, NULL, &d, &z);
	if (err)
		xdpmx_diag_print(&d);
	cr_assert_eq(err, 0, "Couldn't load the test zone: %s", strerror(-err));
	xdpmx_diag_clear(&d);
	cr_assert_eq(xdpmx_compile_zone(z, &c), 0);
	xdpmx_zone_unref(z);
	return c;
}

static struct xdpmx_fp_apply_stats apply(const uint8_t *apex, const char *text)
{
	struct xdpmx_fp_apply_stats st;
	struct xdpmx_compiled *c = compile_text(text);
	int err = xdpmx_fp_zone_apply(T.fp, apex, c, &st);

	cr_assert_eq(err, 0, "Couldn't apply the zone: %s", strerror(-err));
	xdpmx_compiled_free(c);
	return st;
}

/* ---- reading the maps back -------------------------------------------------- */

/* Every directory slot, those that hold an RRset listed, and the zones. */
#define SNAP_SLOTS (2 * XDPMX_DIR_PROBE) /* the largest directory of these tests */
struct snap {
	struct xdpmx_dir_slot all[SNAP_SLOTS];
	size_t n;
	struct {
		uint32_t di;
		struct xdpmx_dir_slot v;
	} e[SNAP_SLOTS];
	struct xdpmx_zone_val zones[CAP_ZONES];
	bool named[CAP_ZONES];
	size_t tombs; /* tombstones */
	uint64_t seed;
	uint32_t mask;
};

static void snapshot(const struct xdpmx_fp_fds *fds, struct snap *s)
{
	struct xdpmx_cfg cfg;
	uint32_t k = 0;

	memset(s, 0, sizeof(*s));
	cr_assert_eq(bpf_map_lookup_elem(fds->cfg, &k, &cfg), 0);
	s->seed = cfg.hash_seed;
	s->mask = cfg.dir_mask;
	cr_assert_eq(s->mask, (T.dir_slots ? T.dir_slots : CAP_DIR) - 1, "cfg.dir_mask %u",
		     s->mask);
	cr_assert_lt(s->mask, SNAP_SLOTS);
	for (uint32_t i = 0; i <= s->mask; i++) {
		struct xdpmx_dir_slot v;

		cr_assert_eq(bpf_map_lookup_elem(fds->dir, &i, &v), 0);
		s->all[i] = v;
		if (!v.tl) {
			cr_assert(!v.hash || v.hash == XDPMX_DIR_TOMB, "slot %u: hash %#llx, tl 0",
				  i, (unsigned long long)v.hash);
			cr_assert(!v.zone && !v.ver[0].since && !v.ver[1].since,
				  "free slot %u not zeroed", i);
			s->tombs += v.hash != 0;
			continue;
		}
		s->e[s->n].di = i;
		s->e[s->n++].v = v;
	}
	for (uint32_t i = 0; i < CAP_ZONES; i++) {
		struct xdpmx_zname zn;

		cr_assert_eq(bpf_map_lookup_elem(fds->zones, &i, &s->zones[i]), 0);
		s->named[i] = !bpf_map_lookup_elem(fds->znames, &i, &zn);
	}
}

/* The slot of the directory the program finds for (qtype, name): probe
 * from the home slot of the hash as the program does; NULL if none. */
static const struct xdpmx_dir_slot *snap_lookup(const struct snap *s, uint16_t qtype_be,
						const uint8_t *name, uint8_t name_len)
{
	uint64_t h = h_name_hash(s->seed, name, name_len);
	uint32_t tl = XDPMX_DIR_TL(qtype_be, name_len);

	for (uint32_t i = 0; i < XDPMX_DIR_PROBE; i++) {
		const struct xdpmx_dir_slot *v = &s->all[((uint32_t)h + i) & s->mask];

		if (v->tl == tl && v->hash == h)
			return v;
		if (!v->tl && !v->hash)
			return NULL;
	}
	return NULL;
}

static const struct xdpmx_dir_slot *snap_find(const struct snap *s, const struct xdpmx_centry *e)
{
	return snap_lookup(s, e->key.qtype, e->key.name, e->name_len);
}

/* The version the program answers (largest since <= epoch), or -1. */
static int live_slot(const struct xdpmx_dir_slot *v, uint32_t epoch)
{
	int best = -1;

	for (int s = 0; s < 2; s++)
		if (v->ver[s].since && v->ver[s].since <= epoch &&
		    (best < 0 || v->ver[s].since > v->ver[best].since))
			best = s;
	return best;
}

/* Assert that entry e is in the maps where the program finds it, at
 * exactly one version `since` of zone id, the other version empty, its
 * blob holding e's bytes (the owner name last) then zeros; returns the
 * blob reference. */
static uint32_t assert_entry(const struct xdpmx_fp_fds *fds, const struct snap *s,
			     const struct xdpmx_centry *e, uint32_t id, uint32_t since)
{
	const struct xdpmx_dir_slot *v = snap_find(s, e);
	uint8_t blob[XDPMX_BLOB_MAX + XDPMX_BLOB_SLACK];
	const struct xdpmx_blob_hdr *h = (const void *)blob;
	uint32_t ref, idx;
	int slot, c;

	cr_assert_not_null(v, "entry of %u octets not where the program looks", e->name_len);
	cr_assert_eq(v->zone, id);
	slot = live_slot(v, s->zones[id].epoch);
	cr_assert_geq(slot, 0, "no live version");
	cr_assert_eq(v->ver[slot].since, since, "since %u, want %u", v->ver[slot].since, since);
	cr_assert(v->ver[!slot].since == 0 && v->ver[!slot].blob == 0, "other version not empty");
	ref = v->ver[slot].blob;
	c = (int)XDPMX_BLOB_CLASS(ref);
	idx = XDPMX_BLOB_INDEX(ref);
	cr_assert_eq(c, xdpmx_blob_class(e->blob_len));
	cr_assert_eq(bpf_map_lookup_elem(fds->blob[c], &idx, blob), 0);
	cr_assert_eq(memcmp(blob, e->blob, e->blob_len), 0, "blob bytes differ");
	cr_assert_eq(memcmp(blob + XDPMX_BLOB_OWNER_OFF(h->an_count, h->an_len, h->ad_len),
			    e->key.name, e->name_len),
		     0, "the blob does not end with the owner name");
	for (size_t i = e->blob_len; i < XDPMX_BLOB_SIZE(c) + XDPMX_BLOB_SLACK; i++)
		cr_assert_eq(blob[i], 0, "blob byte %zu after the blob not zero", i);
	return ref;
}

/* Assert every entry of c as assert_entry() does, at whichever single
 * version its slot holds: the maps after a flush or a takeover. */
static void assert_entries(const struct snap *s, const struct xdpmx_compiled *c, uint32_t id)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct xdpmx_dir_slot *v = snap_find(s, &c->e[i]);

		cr_assert_not_null(v);
		assert_entry(&T.obj->fds, s, &c->e[i], id, v->ver[0].since | v->ver[1].since);
	}
}

static uint64_t blobs_used(const struct xdpmx_fp_mem *m)
{
	uint64_t n = 0;

	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
		n += m->blobs[c];
	return n;
}

/* ---- tests -------------------------------------------------------------------- */

/*
 * - a first apply writes one directory entry per compiled RRset, each with
 *   the zone id, one version since 1 and an empty slot, and a blob equal
 *   to the compiled bytes (slack zeroed);
 * - zones[id].epoch is 1 and znames[id] the apex; zone_list names it;
 * - xdpmx_fp_mem counts the entries and blobs, xdpmx_fp_dump gives back
 *   every compiled blob.
 */
static int count_dump(const uint8_t *apex, const struct xdpmx_key_l *key, uint8_t name_len,
		      const uint8_t *blob, uint16_t blob_len, void *ctx)
{
	const struct xdpmx_compiled *c = ctx;

	cr_assert_eq(memcmp(apex, APEX_FP, sizeof(APEX_FP)), 0);
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].name_len == name_len &&
		    !memcmp(&c->e[i].key, key, 2 + (size_t)name_len) &&
		    c->e[i].blob_len == blob_len && !memcmp(c->e[i].blob, blob, blob_len))
			return 0;
	cr_assert_fail("dumped an entry that was not compiled");
	return -1;
}

Test(fastpath, apply_and_read_back)
{
	struct xdpmx_compiled *c;
	struct xdpmx_fp_apply_stats st;
	struct xdpmx_zname zn;
	struct xdpmx_fp_mem m;
	const uint8_t **apexes;
	static struct snap s;
	size_t n;

	load(NULL);
	c = compile_text(ZONE_V1);
	cr_assert_eq(c->n, 6);
	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c, &st), 0);
	cr_assert_eq(st.added, 6);
	cr_assert_eq(
		st.changed + st.deleted + st.unchanged + st.failed + st.conflicts + st.unplaced, 0);
	cr_assert_eq(st.epoch, 1);

	snapshot(&T.obj->fds, &s);
	cr_assert_eq(s.n, 6, "%zu directory entries", s.n);
	cr_assert_eq(s.zones[st.zone_id].epoch, 1);
	for (size_t i = 0; i < c->n; i++)
		assert_entry(&T.obj->fds, &s, &c->e[i], st.zone_id, 1);
	cr_assert_eq(bpf_map_lookup_elem(T.obj->fds.znames, &st.zone_id, &zn), 0);
	cr_assert_eq(memcmp(zn.name, APEX_FP, sizeof(APEX_FP)), 0);

	cr_assert_eq(xdpmx_fp_zone_list(T.fp, &apexes, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(memcmp(apexes[0], APEX_FP, sizeof(APEX_FP)), 0);
	cr_assert_eq(xdpmx_fp_mem(T.fp, &m), 0);
	cr_assert_eq(m.entries[0] + m.entries[1] + m.entries[2], 6);
	cr_assert_eq(blobs_used(&m), 6);
	cr_assert_eq(m.zones, 1);
	cr_assert_gt(m.kernel_bytes, 0);
	cr_assert_eq(xdpmx_fp_dump(T.fp, count_dump, c), 0);

	/* The same zone again: nothing written, the epoch stays. */
	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c, &st), 0);
	cr_assert_eq(st.unchanged, 6);
	cr_assert_eq(st.added + st.changed + st.deleted, 0);
	cr_assert_eq(st.epoch, 1);
	xdpmx_compiled_free(c);
}

/*
 * - applying a changed zone bumps the epoch by one;
 * - only changed entries are rewritten: unchanged ones keep their value
 *   byte for byte (version since 1, same blob);
 * - a changed entry gets a new blob and a single version since 2, the old
 *   version dropped; a deleted one is gone; an added one is there;
 * - the old blobs are freed: blobs in use equal entries.
 */
Test(fastpath, apply_change)
{
	struct xdpmx_compiled *c1 = NULL, *c2;
	struct xdpmx_fp_apply_stats st;
	struct xdpmx_fp_mem m;
	static struct snap before, after;
	uint32_t id;

	load(NULL);
	c1 = compile_text(ZONE_V1);
	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c1, &st), 0);
	id = st.zone_id;
	snapshot(&T.obj->fds, &before);

	c2 = compile_text(ZONE_V2);
	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c2, &st), 0);
	cr_assert_eq(st.epoch, 2);
	cr_assert_eq(st.zone_id, id);
	cr_assert_eq(st.changed, 2, "changed %zu", st.changed);
	cr_assert_eq(st.added, 1);
	cr_assert_eq(st.deleted, 1);
	cr_assert_eq(st.unchanged, 3);
	snapshot(&T.obj->fds, &after);
	cr_assert_eq(after.n, 6);
	cr_assert_eq(after.zones[id].epoch, 2);

	for (size_t i = 0; i < c2->n; i++) {
		const struct xdpmx_centry *e = &c2->e[i];
		const struct xdpmx_dir_slot *old = snap_find(&before, e);
		bool same = false;

		for (size_t k = 0; old && k < c1->n; k++)
			if (!xdpmx_centry_cmp(&c1->e[k], e))
				same = c1->e[k].blob_len == e->blob_len &&
				       !memcmp(c1->e[k].blob, e->blob, e->blob_len);
		if (same) {
			cr_assert_eq(memcmp(old, snap_find(&after, e), sizeof(*old)), 0,
				     "an unchanged entry was rewritten");
			assert_entry(&T.obj->fds, &after, e, id, 1);
		} else {
			uint32_t ref = assert_entry(&T.obj->fds, &after, e, id, 2);

			if (old)
				cr_assert_neq(ref, old->ver[live_slot(old, 1)].blob,
					      "a changed entry kept its blob");
		}
	}
	/* www is gone */
	for (size_t k = 0; k < c1->n; k++)
		if (c1->e[k].key.name[1] == 'w')
			cr_assert_null(snap_find(&after, &c1->e[k]), "deleted entry still there");
	cr_assert_eq(xdpmx_fp_mem(T.fp, &m), 0);
	cr_assert_eq(blobs_used(&m), 6, "%llu blobs in use", (unsigned long long)blobs_used(&m));
	xdpmx_compiled_free(c1);
	xdpmx_compiled_free(c2);
}

/*
 * - in deferred mode an apply switches the zone (epoch 2, the program
 *   answers the new versions) but leaves the old versions, the tombstone of
 *   a deleted entry and the old blobs until xdpmx_fp_flush();
 * - the flush leaves the maps as an immediate apply would;
 * - applying a zone with pending work flushes it first.
 */
Test(fastpath, deferred_flush)
{
	struct xdpmx_compiled *c2;
	struct xdpmx_fp_apply_stats st;
	struct xdpmx_fp_mem m;
	static struct snap s;
	size_t two = 0, tomb = 0;
	uint32_t id;

	load(NULL);
	id = apply(APEX_FP, ZONE_V1).zone_id;
	xdpmx_fp_set_deferred(T.fp, true);
	c2 = compile_text(ZONE_V2);
	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c2, &st), 0);
	cr_assert_eq(st.epoch, 2);
	snapshot(&T.obj->fds, &s);
	cr_assert_eq(s.n, 7, "6 live entries and one tombstone, got %zu", s.n);
	for (size_t i = 0; i < s.n; i++) {
		const struct xdpmx_dir_slot *v = &s.e[i].v;
		int sl = live_slot(v, 2);

		cr_assert_geq(sl, 0);
		two += v->ver[0].since && v->ver[1].since;
		tomb += v->ver[sl].blob == XDPMX_BLOB_NONE;
	}
	cr_assert_eq(two, 3, "2 changed + 1 deleted entries hold two versions, got %zu", two);
	cr_assert_eq(tomb, 1);
	cr_assert_eq(xdpmx_fp_mem(T.fp, &m), 0);
	cr_assert_eq(blobs_used(&m), 9, "6 live + 3 old blobs, got %llu",
		     (unsigned long long)blobs_used(&m));

	cr_assert_eq(xdpmx_fp_flush(T.fp), 0);
	snapshot(&T.obj->fds, &s);
	cr_assert_eq(s.n, 6);
	assert_entries(&s, c2, id);
	cr_assert_eq(xdpmx_fp_mem(T.fp, &m), 0);
	cr_assert_eq(blobs_used(&m), 6);

	/* pending work, then the same zone again: flushed first, applies */
	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c2, &st), 0);
	cr_assert_eq(st.unchanged, 6);
	st = apply(APEX_FP, ZONE_V1);
	cr_assert_eq(st.epoch, 3);
	st = apply(APEX_FP, ZONE_V2);
	cr_assert_eq(st.epoch, 4);
	snapshot(&T.obj->fds, &s);
	for (size_t i = 0; i < c2->n; i++)
		cr_assert_not_null(snap_find(&s, &c2->e[i]));
	cr_assert_eq(s.zones[id].epoch, 4);
	xdpmx_fp_set_deferred(T.fp, false);
	cr_assert_eq(xdpmx_fp_flush(T.fp), 0);
	snapshot(&T.obj->fds, &s);
	cr_assert_eq(s.n, 6);
	assert_entries(&s, c2, id);
	xdpmx_compiled_free(c2);
}

/*
 * - removing a zone leaves no directory entry, a zero epoch and no name;
 * - the slots it used are empty again, not tombstones: nothing probes
 *   past them any more;
 * - every blob is free again, and the zone is no longer listed;
 * - removing an unknown zone is -ENOENT.
 */
Test(fastpath, remove)
{
	struct xdpmx_fp_apply_stats st;
	struct xdpmx_fp_mem m;
	const uint8_t **apexes;
	static struct snap s;
	size_t n;

	load(NULL);
	st = apply(APEX_FP, ZONE_V1);
	cr_assert_eq(xdpmx_fp_zone_remove(T.fp, APEX_FP), 0);
	snapshot(&T.obj->fds, &s);
	cr_assert_eq(s.n, 0);
	cr_assert_eq(s.tombs, 0, "%zu tombstones left", s.tombs);
	cr_assert_eq(s.zones[st.zone_id].epoch, 0);
	cr_assert_not(s.named[st.zone_id]);
	cr_assert_eq(xdpmx_fp_mem(T.fp, &m), 0);
	cr_assert_eq(blobs_used(&m), 0);
	cr_assert_eq(m.entries[0] + m.entries[1] + m.entries[2], 0);
	cr_assert_eq(m.dir_tombs, 0);
	cr_assert_eq(xdpmx_fp_zone_list(T.fp, &apexes, &n), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(xdpmx_fp_zone_remove(T.fp, APEX_FP), -ENOENT);
}

/* A zone of the base plus n extra RRsets, one per line of fmt (fed the
 * index and the index mod 250). */
static char *zone_plus(int n, const char *fmt)
{
	size_t cap = 4096 + (size_t)n * 64, o;
	char *t = malloc(cap);

	o = (size_t)snprintf(t, cap, "%s", ZONE_V1);
	for (int i = 0; i < n; i++)
		o += (size_t)snprintf(t + o, cap - o, fmt, i, i % 250);
	return t;
}

/*
 * - an apply that would load the directory past 3/4 of its slots returns
 *   -ENOSPC with the number of entries over, and writes nothing: every map
 *   as before, the zone still at epoch 1;
 * - the same for a blob class that is full;
 * - afterwards the zone still applies (free lists and slots intact).
 */
Test(fastpath, enospc_leaves_old_zone)
{
	struct xdpmx_fp_apply_stats st;
	struct xdpmx_compiled *c;
	struct xdpmx_fp_mem m0, m1;
	static struct snap before, after;
	char *text;

	load(NULL);
	apply(APEX_FP, ZONE_V1);
	snapshot(&T.obj->fds, &before);
	cr_assert_eq(xdpmx_fp_mem(T.fp, &m0), 0);

	/* 6 + 44 RRsets > 48; their class-0 blobs fit. */
	text = zone_plus(DIR_LOAD_MAX - 4, "h%d A 198.18.1.%d\n");
	c = compile_text(text);
	free(text);
	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c, &st), -ENOSPC);
	cr_assert_eq(st.failed, 2, "failed %zu", st.failed);
	xdpmx_compiled_free(c);
	snapshot(&T.obj->fds, &after);
	cr_assert_eq(memcmp(&before, &after, sizeof(before)), 0, "the maps changed");
	cr_assert_eq(xdpmx_fp_mem(T.fp, &m1), 0);
	cr_assert_eq(memcmp(&m0, &m1, sizeof(m0)), 0, "the accounting changed");

	/* 5 RRsets of 4 A records (92-byte blobs, class 1) > the 3 class-1
	 * slots mail1's A RRset leaves. */
	text = zone_plus(5, "g%1$d A 198.18.2.1\ng%1$d A 198.18.2.2\ng%1$d A 198.18.2.3\n"
			    "g%1$d A 198.18.3.%1$d\n");
	c = compile_text(text);
	free(text);
	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c, &st), -ENOSPC);
	cr_assert_eq(m0.blobs[1], 1);
	cr_assert_eq(st.failed, 2, "failed %zu", st.failed);
	xdpmx_compiled_free(c);
	snapshot(&T.obj->fds, &after);
	cr_assert_eq(memcmp(&before, &after, sizeof(before)), 0, "the maps changed");

	st = apply(APEX_FP, ZONE_V2);
	cr_assert_eq(st.epoch, 2);
	cr_assert_eq(xdpmx_fp_mem(T.fp, &m1), 0);
	cr_assert_eq(blobs_used(&m1), 6);
}

/*
 * - a key another loaded zone already answers (a parent that has data at
 *   its child's apex instead of a delegation) is not overwritten: the
 *   apply skips it and counts it in conflicts; the rest of the zone goes
 *   in;
 * - once the other zone is removed, the next apply takes the key.
 */
Test(fastpath, conflict_between_zones)
{
	static const char *const child =
		HEAD("sub.fp.test.") "@ A 198.18.0.99\nwww A 198.18.0.98\n";
	static const uint8_t apex_child[] = "\3sub\2fp\4test";
	struct xdpmx_fp_apply_stats st;
	const struct xdpmx_dir_slot *v;
	static struct snap s;
	uint32_t parent;

	load(NULL);
	parent = apply(APEX_FP, HEAD("fp.test.") "sub A 198.18.0.97\n").zone_id;
	st = apply(apex_child, child);
	cr_assert_eq(st.conflicts, 1, "conflicts %zu", st.conflicts);
	cr_assert_eq(st.added, 2, "added %zu", st.added); /* www, ns1 */
	snapshot(&T.obj->fds, &s);
	v = snap_lookup(&s, htons(XDPMX_TYPE_A), apex_child, sizeof(apex_child));
	cr_assert_not_null(v);
	cr_assert_eq(v->zone, parent, "the key moved to zone %u", v->zone);

	cr_assert_eq(xdpmx_fp_zone_remove(T.fp, APEX_FP), 0);
	st = apply(apex_child, child);
	cr_assert_eq(st.added, 1);
	cr_assert_eq(st.conflicts, 0);
	snapshot(&T.obj->fds, &s);
	v = snap_lookup(&s, htons(XDPMX_TYPE_A), apex_child, sizeof(apex_child));
	cr_assert_not_null(v);
	cr_assert_eq(v->zone, st.zone_id);
}

/* The seed of the name hash the writer chose (cfg). */
static uint64_t cfg_seed(void)
{
	struct xdpmx_cfg cfg;
	uint32_t k = 0;

	cr_assert_eq(bpf_map_lookup_elem(T.obj->fds.cfg, &k, &cfg), 0);
	return cfg.hash_seed;
}

/* The inverse of one xdpmx_hash_step() without its word: the x with
 * (x * MUL) ^ ((x * MUL) >> 32) == z. */
static uint64_t unmix(uint64_t z)
{
	uint64_t y = z ^ (z >> 32), inv = XDPMX_HASH_MUL;

	for (int i = 0; i < 5; i++) /* Newton: inv = MUL^-1 mod 2^64 */
		inv *= 2 - XDPMX_HASH_MUL * inv;
	return y * inv;
}

/* Append "\DDD" escapes of n bytes to a master-file name at t. */
static size_t escaped(char *t, const uint8_t *b, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++)
		o += (size_t)sprintf(t + o, "\\%03u", b[i]);
	return o;
}

/* Ask the program for (qname, A) once: the action, and *addr the last
 * octet of the first answer's address (0 if none). */
static uint32_t ask_a(const uint8_t *qname, size_t qlen, uint8_t *addr);

/*
 * - two names of equal length whose name hashes are equal (built from the
 *   seed: the second name's middle word solves for the first's hash) go
 *   in one zone: the first (in compile order) is written, the second is
 *   skipped and counted in conflicts, nothing else;
 * - the program answers the first from its own records, and passes the
 *   second up (miss.no_rrset): it finds the first's slot, but the blob's
 *   owner is not its name;
 * - with the first deleted, the second goes in and is answered.
 */
Test(fastpath, hash_collision_is_a_miss)
{
	/* a: \15 "aaaaaaaaaaaaaaa" .fp.test.; b: \15 "bbbbbbb" w1 .fp.test.,
	 * 25 octets each: words 0-7, 8-15 (w1), 16-23, 24 */
	uint8_t a[25], b[25];
	struct xdpmx_fp_apply_stats st;
	char text[1024], *t;
	uint64_t seed, ha, h, w[4];
	uint8_t addr = 0;
	int tries;

	load(NULL);
	seed = cfg_seed();
	memcpy(a,
	       "\x0f"
	       "aaaaaaaaaaaaaaa"
	       "\x02"
	       "fp"
	       "\x04"
	       "test",
	       25);
	ha = h_name_hash(seed, a, sizeof(a));
	for (tries = 0; tries < 256; tries++) {
		bool upper = false;

		memcpy(b,
		       "\x0f"
		       "bbbbbbbxxxxxxxx"
		       "\x02"
		       "fp"
		       "\x04"
		       "test",
		       25);
		/* low octets of word 0: they change every octet of word 1 */
		b[1] = (uint8_t)('a' + tries % 26);
		b[2] = (uint8_t)('a' + tries / 26);
		memset(w, 0, sizeof(w));
		for (int k = 0; k < 4; k++)
			memcpy(&w[k], b + 8 * k, k < 3 ? 8 : 1);
		/* the state after word 1 that words 2 and 3 turn into ha */
		h = unmix(unmix(ha) ^ w[3]) ^ w[2];
		w[1] = unmix(h) ^ xdpmx_hash_step(seed, w[0]);
		memcpy(b + 8, &w[1], 8);
		for (int k = 8; k < 16; k++)
			upper |= b[k] >= 'A' && b[k] <= 'Z'; /* the zone would lowercase it */
		if (!upper)
			break;
	}
	cr_assert_lt(tries, 256);
	cr_assert_eq(h_name_hash(seed, b, sizeof(b)), ha, "the collision was not built");

	t = text + sprintf(text, "%s", HEAD("fp.test."));
	t += escaped(t, a + 1, 15);
	t += sprintf(t, " A 198.18.0.11\n");
	t += escaped(t, b + 1, 15);
	sprintf(t, " A 198.18.0.12\n");
	st = apply(APEX_FP, text);
	cr_assert_eq(st.conflicts, 1, "conflicts %zu", st.conflicts);
	cr_assert_eq(st.added, 2, "added %zu (ns1 and the first name)", st.added);
	cr_assert_eq(st.unplaced + st.failed, 0);

	cr_assert_eq(ask_a(a, sizeof(a), &addr), XDP_TX);
	cr_assert_eq(addr, 11, "the first name answered with .%u", addr);
	cr_assert_eq(ask_a(b, sizeof(b), &addr), XDP_PASS, "the second name was answered");

	t = text + sprintf(text, "%s", HEAD("fp.test."));
	t += escaped(t, b + 1, 15);
	sprintf(t, " A 198.18.0.12\n");
	st = apply(APEX_FP, text);
	cr_assert_eq(st.added, 1);
	cr_assert_eq(st.deleted, 1);
	cr_assert_eq(st.conflicts, 0);
	cr_assert_eq(ask_a(b, sizeof(b), &addr), XDP_TX);
	cr_assert_eq(addr, 12);
	cr_assert_eq(ask_a(a, sizeof(a), &addr), XDP_PASS);
}

/*
 * - names whose hashes all select slot 0 fill the XDPMX_DIR_PROBE slots
 *   from there; the ones that find no free slot within reach are skipped
 *   and counted in unplaced, the apply succeeds with the rest;
 * - the program answers every name that went in, and passes up every
 *   name that did not (it probes the full stretch and stops);
 * - every written RRset is where the program's probe finds it.
 */
Test(fastpath, crowded_home_unplaced)
{
	enum { SLOTS = 2 * XDPMX_DIR_PROBE, N = XDPMX_DIR_PROBE + 8 };
	static char text[16384];
	static struct snap s;
	struct xdpmx_fp_apply_stats st;
	struct xdpmx_compiled *c;
	uint8_t names[N][16];
	size_t lens[N], n = 0, tx = 0;
	uint64_t seed;
	char *t;

	T.dir_slots = SLOTS;
	load(NULL);
	seed = cfg_seed();
	t = text + sprintf(text, "%s", HEAD("fp.test."));
	for (unsigned i = 0; n < N && i < 10000000; i++) {
		uint8_t *w = names[n];
		int l = sprintf((char *)w + 1, "u%u", i);

		w[0] = (uint8_t)l;
		memcpy(w + 1 + l,
		       "\x02"
		       "fp"
		       "\x04"
		       "test",
		       9);
		lens[n] = (size_t)l + 10;
		if ((h_name_hash(seed, w, lens[n]) & (SLOTS - 1)) != 0)
			continue;
		t += sprintf(t, "u%u A 198.18.7.%zu\n", i, n + 1);
		n++;
	}
	cr_assert_eq(n, N);
	c = compile_text(text);
	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c, &st), 0);
	cr_assert_eq(st.added + st.unplaced, c->n, "%zu added, %zu unplaced of %zu", st.added,
		     st.unplaced, c->n);
	cr_assert_geq(st.unplaced, N - XDPMX_DIR_PROBE, "unplaced %zu", st.unplaced);
	cr_assert_leq(st.unplaced, N - XDPMX_DIR_PROBE + 1, "unplaced %zu", st.unplaced);
	cr_assert_eq(st.conflicts + st.failed, 0);

	for (size_t i = 0; i < N; i++) {
		uint8_t addr = 0;
		uint32_t act = ask_a(names[i], lens[i], &addr);

		cr_assert(act == XDP_TX || act == XDP_PASS, "action %u", act);
		if (act == XDP_TX) {
			cr_assert_eq(addr, i + 1, "name %zu answered with .%u", i, addr);
			tx++;
		}
	}
	{
		uint8_t addr;
		bool ns1_in = ask_a((const uint8_t *)"\3ns1\2fp\4test", 13, &addr) == XDP_TX;

		cr_assert_eq(tx + st.unplaced, N + !ns1_in, "%zu answered, %zu unplaced", tx,
			     st.unplaced);
	}
	cr_assert_leq(tx, XDPMX_DIR_PROBE);
	snapshot(&T.obj->fds, &s);
	for (size_t i = 0; i < c->n; i++) {
		const struct xdpmx_dir_slot *v = snap_find(&s, &c->e[i]);

		if (v)
			assert_entry(&T.obj->fds, &s, &c->e[i], st.zone_id, 1);
	}
	xdpmx_compiled_free(c);
}

/* Mount a private bpffs instance for the pins of this test. */
static const char *private_bpffs(void)
{
	snprintf(T.mnt, sizeof(T.mnt), "%s-bpffs", T.tmp);
	cr_assert_eq(mkdir(T.mnt, 0700), 0);
	if (mount("bpf", T.mnt, "bpf", 0, NULL)) {
		int err = errno;

		rmdir(T.mnt);
		T.mnt[0] = 0;
		cr_skip_test("Couldn't mount a scratch bpffs: %s", strerror(err));
	}
	static char pins[160];

	snprintf(pins, sizeof(pins), "%s/pins", T.mnt);
	return pins;
}

struct dumped {
	size_t n;
	uint8_t key[16][2 + XDPMX_NAME_MAX];
	uint8_t blob[16][XDPMX_BLOB_MAX];
	uint16_t len[16];
};

static int collect(const uint8_t *apex, const struct xdpmx_key_l *key, uint8_t name_len,
		   const uint8_t *blob, uint16_t blob_len, void *ctx)
{
	struct dumped *d = ctx;

	(void)apex;
	cr_assert_lt(d->n, 16);
	memset(d->key[d->n], 0, sizeof(d->key[0]));
	memcpy(d->key[d->n], key, 2 + (size_t)name_len);
	memcpy(d->blob[d->n], blob, blob_len);
	d->len[d->n++] = blob_len;
	return 0;
}

static bool dumped_has(const struct dumped *d, const uint8_t *key, const uint8_t *blob,
		       uint16_t len)
{
	for (size_t i = 0; i < d->n; i++)
		if (!memcmp(d->key[i], key, sizeof(d->key[0])) && d->len[i] == len &&
		    !memcmp(d->blob[i], blob, len))
			return true;
	return false;
}

/*
 * - a new writer over pinned maps (xdpmx_fp_open_pinned) sees the same
 *   zones, entries, blobs and dump as the one that wrote them;
 * - its in-memory state equals the maps: the same zone applies as
 *   unchanged (blob bytes were read back right), a changed one applies;
 * - its free lists were rebuilt: the next blob is the lowest index the
 *   first writer left free;
 * - reloading the object over the pins reuses the maps (cfg kept), and
 *   asking for another capacity than the pinned one is refused (-EPROTO).
 */
Test(fastpath, takeover_pinned)
{
	struct xdpmx_fp_apply_stats st;
	struct xdpmx_fp_mem m0, m1;
	struct xdpmx_bpfobj_opts bo;
	struct xdpmx_bpfobj *o2 = NULL;
	static struct dumped d0, d1;
	const uint8_t **apexes;
	struct xdpmx_compiled *c;
	bool used0[CAP_BLOB0] = {0};
	static struct snap s;
	uint32_t lowest = CAP_BLOB0, fpid;
	const char *pins;
	size_t n;

	pins = private_bpffs();
	load(pins);
	cr_assert(T.obj->cfg_written);
	fpid = apply(APEX_FP, ZONE_V1).zone_id;
	apply(APEX_REV, ZONE_REV);
	cr_assert_eq(xdpmx_fp_mem(T.fp, &m0), 0);
	memset(&d0, 0, sizeof(d0));
	cr_assert_eq(xdpmx_fp_dump(T.fp, collect, &d0), 0);
	cr_assert_eq(d0.n, 9); /* 6 + PTR 1, PTR 2, ns1 A */
	snapshot(&T.obj->fds, &s);
	for (size_t i = 0; i < s.n; i++) {
		int sl = live_slot(&s.e[i].v, s.zones[s.e[i].v.zone].epoch);

		cr_assert_geq(sl, 0);

		if (XDPMX_BLOB_CLASS(s.e[i].v.ver[sl].blob) == 0)
			used0[XDPMX_BLOB_INDEX(s.e[i].v.ver[sl].blob)] = true;
	}
	for (uint32_t i = 0; i < CAP_BLOB0 && lowest == CAP_BLOB0; i++)
		if (!used0[i])
			lowest = i;

	/* The writer goes away; the program too (the pins keep the maps). */
	xdpmx_fp_close(T.fp);
	T.fp = NULL;
	xdpmx_bpfobj_close(T.obj);
	T.obj = NULL;

	cr_assert_eq(xdpmx_fp_open_pinned(pins, &T.fp), 0);
	cr_assert_eq(xdpmx_fp_zone_list(T.fp, &apexes, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(xdpmx_fp_mem(T.fp, &m1), 0);
	cr_assert_eq(memcmp(m0.entries, m1.entries, sizeof(m0.entries)), 0);
	cr_assert_eq(memcmp(m0.blobs, m1.blobs, sizeof(m0.blobs)), 0);
	cr_assert_eq(m1.zones, 2);
	memset(&d1, 0, sizeof(d1));
	cr_assert_eq(xdpmx_fp_dump(T.fp, collect, &d1), 0);
	cr_assert_eq(d1.n, d0.n);
	for (size_t i = 0; i < d0.n; i++)
		cr_assert(dumped_has(&d1, d0.key[i], d0.blob[i], d0.len[i]), "entry %zu lost", i);

	st = apply(APEX_FP, ZONE_V1);
	cr_assert_eq(st.unchanged, 6, "after takeover: %zu unchanged, %zu changed", st.unchanged,
		     st.changed);
	cr_assert_eq(st.zone_id, fpid);
	cr_assert_eq(st.epoch, 1);

	/* One class-0 RRset added: it takes the lowest free index. */
	{
		char *text = zone_plus(1, "h%d A 198.18.1.%d\n");

		c = compile_text(text);
		free(text);
	}
	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c, &st), 0);
	cr_assert_eq(st.added, 1);
	cr_assert_eq(st.epoch, 2);
	xdpmx_compiled_free(c);
	{
		/* h0's slot, read straight from the pinned maps */
		struct xdpmx_fp_fds fds;
		const struct xdpmx_dir_slot *v;
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", pins, XDPMX_STR(XDPMX_MAP_DIR));
		fds.dir = bpf_obj_get(path);
		snprintf(path, sizeof(path), "%s/%s", pins, XDPMX_STR(XDPMX_MAP_CFG));
		fds.cfg = bpf_obj_get(path);
		snprintf(path, sizeof(path), "%s/%s", pins, XDPMX_STR(XDPMX_MAP_ZONES));
		fds.zones = bpf_obj_get(path);
		snprintf(path, sizeof(path), "%s/%s", pins, XDPMX_STR(XDPMX_MAP_ZNAMES));
		fds.znames = bpf_obj_get(path);
		cr_assert(fds.dir >= 0 && fds.cfg >= 0 && fds.zones >= 0 && fds.znames >= 0);
		snapshot(&fds, &s);
		close(fds.dir);
		close(fds.cfg);
		close(fds.zones);
		close(fds.znames);
		v = snap_lookup(&s, htons(XDPMX_TYPE_A), (const uint8_t *)"\2h0\2fp\4test", 12);
		cr_assert_not_null(v);
		cr_assert_eq(v->ver[0].since, 2);
		cr_assert_eq(v->ver[0].blob, XDPMX_BLOB_REF(0, lowest), "blob %#x, want index %u",
			     v->ver[0].blob, lowest);
	}

	/* The program reloaded over the pins: maps reused, cfg kept. */
	opts_small(&bo, pins);
	cr_assert_eq(xdpmx_bpfobj_open(&bo, &o2), 0);
	cr_assert_not(o2->cfg_written);
	xdpmx_bpfobj_close(o2);
	o2 = NULL;
	bo.dir_max[0] = CAP_DIR * 2;
	cr_assert_eq(xdpmx_bpfobj_open(&bo, &o2), -EPROTO);
}

/*
 * - a writer taking over maps keeps only what the program answers: a slot
 *   whose hash is not the hash of its blob's owner, and a copy of a live
 *   slot where the program's probe never looks (beyond its reach from the
 *   home slot), are dropped (tombstones or empty), the rest kept;
 * - the next apply of the zone writes the dropped RRset again (added 1),
 *   finds the others unchanged, and every entry is where the program looks.
 */
Test(fastpath, takeover_drops_unreachable)
{
	static struct snap s;
	struct xdpmx_fp_apply_stats st;
	struct xdpmx_compiled *c;
	struct xdpmx_dir_slot bad, copy;
	static struct dumped d;
	uint32_t di_bad, di_copy, far;
	uint32_t id;

	load(NULL);
	c = compile_text(ZONE_V1);
	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c, &st), 0);
	id = st.zone_id;
	snapshot(&T.obj->fds, &s);
	cr_assert_eq(s.n, 6);
	/* entry 0: its hash no longer matches its owner */
	di_bad = s.e[0].di;
	bad = s.e[0].v;
	bad.hash ^= 1;
	cr_assert_eq(bpf_map_update_elem(T.obj->fds.dir, &di_bad, &bad, 0), 0);
	/* entry 1: copied XDPMX_DIR_PROBE + 1 slots past its home, which no
	 * probe reaches */
	copy = s.e[1].v;
	far = ((uint32_t)copy.hash + XDPMX_DIR_PROBE + 1) & (CAP_DIR - 1);
	for (di_copy = far; s.all[di_copy].tl || s.all[di_copy].hash;)
		di_copy = (di_copy + 1) & (CAP_DIR - 1);
	cr_assert_eq(bpf_map_update_elem(T.obj->fds.dir, &di_copy, &copy, 0), 0);

	xdpmx_fp_close(T.fp);
	T.fp = NULL;
	cr_assert_eq(xdpmx_fp_open_fds(&T.obj->fds, &T.fp), 0);
	snapshot(&T.obj->fds, &s);
	cr_assert_eq(s.n, 5, "%zu slots kept, want 5", s.n);
	cr_assert(!s.all[di_bad].tl && !s.all[di_copy].tl, "a dropped slot is still there");
	memset(&d, 0, sizeof(d));
	cr_assert_eq(xdpmx_fp_dump(T.fp, collect, &d), 0);
	cr_assert_eq(d.n, 5);

	cr_assert_eq(xdpmx_fp_zone_apply(T.fp, APEX_FP, c, &st), 0);
	cr_assert_eq(st.added, 1, "added %zu", st.added);
	cr_assert_eq(st.unchanged, 5);
	snapshot(&T.obj->fds, &s);
	cr_assert_eq(s.n, 6);
	assert_entries(&s, c, id);
	xdpmx_compiled_free(c);
}

/* Copy the object under test to path with its rodata xdpmx_abi set to abi. */
static void object_with_abi(const char *path, uint32_t abi)
{
	const char *src = getenv("XDPMX_BPF_OBJ");
	size_t rodata = 0, off = 0;
	Elf_Scn *scn = NULL;
	uint8_t *buf;
	long size;
	FILE *f;
	Elf *elf;

	if (!src)
		cr_skip_test("XDPMX_BPF_OBJ is not set (make check sets it)");
	f = fopen(src, "rb");
	cr_assert_not_null(f, "Couldn't open %s", src);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size);
	cr_assert_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);

	elf_version(EV_CURRENT);
	elf = elf_memory((char *)buf, (size_t)size);
	cr_assert_not_null(elf);
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		size_t shstrndx;

		gelf_getshdr(scn, &sh);
		elf_getshdrstrndx(elf, &shstrndx);
		if (!strcmp(elf_strptr(elf, shstrndx, sh.sh_name), ".rodata"))
			rodata = elf_ndxscn(scn), off = sh.sh_offset;
	}
	cr_assert_neq(rodata, 0, "no .rodata in %s", src);
	scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_SYMTAB)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;

			gelf_getsym(d, (int)i, &sym);
			if (sym.st_shndx == rodata &&
			    !strcmp(elf_strptr(elf, sh.sh_link, sym.st_name), "xdpmx_abi")) {
				memcpy(buf + off + sym.st_value, &abi, sizeof(abi));
				off = 0;
				break;
			}
		}
	}
	elf_end(elf);
	cr_assert_eq(off, 0, "no xdpmx_abi in the rodata of %s", src);
	f = fopen(path, "wb");
	cr_assert_not_null(f);
	cr_assert_eq(fwrite(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	free(buf);
}

/*
 * - an object file that is missing: -ENOENT;
 * - an object file whose rodata xdpmx_abi is another version: -EPROTO,
 *   before anything is loaded;
 * - a pin directory that is not on bpffs: -ENOENT;
 * - pinned maps whose cfg carries another ABI version: -EPROTO from both
 *   xdpmx_bpfobj_open and xdpmx_fp_open_pinned;
 * - a pinned map of another shape under a map's name: -EPROTO.
 */
Test(fastpath, bpfobj_refusals)
{
	struct xdpmx_bpfobj_opts bo;
	struct xdpmx_bpfobj *o = NULL;
	struct xdpmx_fp *fp = NULL;
	struct xdpmx_cfg cfg;
	char path[256], tmp_pins[128];
	const char *pins;
	uint32_t k = 0;
	int fd;

	opts_small(&bo, NULL);
	bo.obj_path = "/nonexistent/xdpmx.bpf.o";
	cr_assert_eq(xdpmx_bpfobj_open(&bo, &o), -ENOENT);

	snprintf(path, sizeof(path), "%s/abi.bpf.o", T.tmp);
	object_with_abi(path, XDPMX_ABI_VERSION + 1);
	opts_small(&bo, NULL);
	bo.obj_path = path;
	cr_assert_eq(xdpmx_bpfobj_open(&bo, &o), -EPROTO);

	snprintf(tmp_pins, sizeof(tmp_pins), "%s/pins", T.tmp);
	opts_small(&bo, tmp_pins);
	cr_assert_eq(xdpmx_bpfobj_open(&bo, &o), -ENOENT);

	pins = private_bpffs();
	load(pins);
	cfg = (struct xdpmx_cfg){
		.abi_version = XDPMX_ABI_VERSION + 1, .dns_port = htons(53), .edns_size = 1232};
	cr_assert_eq(bpf_map_update_elem(T.obj->fds.cfg, &k, &cfg, 0), 0);
	xdpmx_fp_close(T.fp);
	T.fp = NULL;
	xdpmx_bpfobj_close(T.obj);
	T.obj = NULL;
	opts_small(&bo, pins);
	cr_assert_eq(xdpmx_bpfobj_open(&bo, &o), -EPROTO);
	cr_assert_eq(xdpmx_fp_open_pinned(pins, &fp), -EPROTO);

	/* Another map pinned as xdpmx_dir. */
	snprintf(path, sizeof(path), "%s/%s", pins, XDPMX_STR(XDPMX_MAP_DIR));
	cr_assert_eq(unlink(path), 0);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "not_dir", 4, 4, 1, NULL);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bpf_obj_pin(fd, path), 0);
	close(fd);
	cfg.abi_version = XDPMX_ABI_VERSION;
	snprintf(path, sizeof(path), "%s/%s", pins, XDPMX_STR(XDPMX_MAP_CFG));
	fd = bpf_obj_get(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(bpf_map_update_elem(fd, &k, &cfg, 0), 0);
	close(fd);
	cr_assert_eq(xdpmx_bpfobj_open(&bo, &o), -EPROTO);
	cr_assert_eq(xdpmx_fp_open_pinned(pins, &fp), -EPROTO);
}

/* An IPv4/UDP query frame for qname (wire) and qtype, with no EDNS. */
static size_t query_frame(uint8_t *f, const uint8_t *qname, size_t qlen, uint16_t qtype)
{
	static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
	size_t dns = 14 + 20 + 8, o = dns;
	uint32_t sum = 0;
	uint16_t ipl, udpl;

	memcpy(f, eth, 14);
	memset(f + 14, 0, 28);
	f[o++] = 0x12, f[o++] = 0x34; /* id */
	f[o++] = 0x01, f[o++] = 0x00; /* RD */
	f[o++] = 0, f[o++] = 1;	      /* QDCOUNT 1 */
	memset(f + o, 0, 6), o += 6;
	memcpy(f + o, qname, qlen), o += qlen;
	f[o++] = (uint8_t)(qtype >> 8), f[o++] = (uint8_t)qtype;
	f[o++] = 0, f[o++] = 1; /* IN */
	udpl = (uint16_t)(o - 34);
	ipl = (uint16_t)(o - 14);
	f[14] = 0x45;
	f[16] = (uint8_t)(ipl >> 8), f[17] = (uint8_t)ipl;
	f[22] = 64, f[23] = 17;
	memcpy(f + 26, (uint8_t[]){198, 18, 0, 1}, 4);
	memcpy(f + 30, (uint8_t[]){198, 18, 0, 2}, 4);
	for (int i = 14; i < 34; i += 2)
		sum += (uint32_t)(f[i] << 8 | f[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	f[24] = (uint8_t)(~sum >> 8), f[25] = (uint8_t)~sum;
	f[34] = 0xc0, f[35] = 0x01; /* sport 49153 */
	f[36] = 0, f[37] = 53;
	f[38] = (uint8_t)(udpl >> 8), f[39] = (uint8_t)udpl; /* checksum 0: none */
	return o;
}

/*
 * - with a zone applied, one A query through BPF_PROG_TEST_RUN is answered
 *   (XDP_TX) with the three records of the RRset;
 * - the hit.a counter of slot 0 moved by one (xdpmx_fp_stats_read), and
 *   xdpmx_fp_stats_reset zeroes it.
 */
Test(fastpath, answer_served)
{
	/* dig @198.18.0.2 mail1.fp.test A +noedns */
	static const uint8_t qname[] = "\5mail1\2fp\4test";
	static uint64_t stats[XDPMX_IFACE_MAX][XDPMX_CNT__MAX];
	uint8_t in[256], out[1600];
	LIBBPF_OPTS(bpf_test_run_opts, ro);
	size_t len;
	int err;

	load(NULL);
	apply(APEX_FP, ZONE_V1);
	len = query_frame(in, qname, sizeof(qname), XDPMX_TYPE_A);
	cr_assert_eq(xdpmx_fp_stats_reset(T.fp), 0);
	ro.data_in = in;
	ro.data_size_in = (uint32_t)len;
	ro.data_out = out;
	ro.data_size_out = sizeof(out);
	err = bpf_prog_test_run_opts(T.obj->prog_fd, &ro);
	cr_assert_eq(err, 0, "BPF_PROG_TEST_RUN: %s", strerror(-err));
	cr_assert_eq(ro.retval, XDP_TX, "action %u, want XDP_TX", ro.retval);
	cr_assert_gt(ro.data_size_out, len);
	cr_assert_eq(out[42 + 2] & 0x80, 0x80, "QR not set");
	cr_assert_eq(out[42 + 7], 3, "ANCOUNT %u", out[42 + 7]);

	cr_assert_eq(xdpmx_fp_stats_read(T.fp, stats), 0);
	cr_assert_eq(stats[0][XDPMX_CNT_HIT_A], 1, "%s = %llu", xdpmx_counter_name(XDPMX_CNT_HIT_A),
		     (unsigned long long)stats[0][XDPMX_CNT_HIT_A]);
	cr_assert_eq(xdpmx_fp_stats_reset(T.fp), 0);
	cr_assert_eq(xdpmx_fp_stats_read(T.fp, stats), 0);
	cr_assert_eq(stats[0][XDPMX_CNT_HIT_A], 0);
}

static uint32_t ask_a(const uint8_t *qname, size_t qlen, uint8_t *addr)
{
	uint8_t in[512], out[1600];
	LIBBPF_OPTS(bpf_test_run_opts, ro);
	size_t len = query_frame(in, qname, qlen, XDPMX_TYPE_A);
	int err;

	ro.data_in = in;
	ro.data_size_in = (uint32_t)len;
	ro.data_out = out;
	ro.data_size_out = sizeof(out);
	err = bpf_prog_test_run_opts(T.obj->prog_fd, &ro);
	cr_assert_eq(err, 0, "BPF_PROG_TEST_RUN: %s", strerror(-err));
	*addr = 0;
	/* the first answer record follows the question: 12 octets of RR
	 * header (pointer, type, class, TTL, RDLENGTH), then 4 of address */
	if (ro.retval == XDP_TX && ro.data_size_out >= len + 16)
		*addr = out[len + 15];
	return ro.retval;
}
