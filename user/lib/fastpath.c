// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The fast-path map writer (contract and swap protocol in fastpath.h, map
 * layout in include/xdpmx/abi.h, the reasoning and the memory cost in
 * docs/fastpath.md).
 *
 * In memory, per zone: its id, its epoch, and the RRsets the program answers
 * at that epoch (key, blob reference, version slot, blob bytes), sorted as
 * struct xdpmx_compiled so an apply is one merge pass. Per blob class: a
 * stack of free indices. All of it is rebuilt from the maps when a writer
 * takes over pinned maps, so the maps are the only state that matters.
 *
 * Not thread-safe: one writer per set of maps, serialised by the caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fastpath.h"
#include "log.h"

/* Elements per batch syscall: large enough to amortise the syscall, small
 * enough that the key and value buffers stay in cache (258 + 20 bytes each
 * for dir_l). */
#define BATCH 1024

/* A grace period through the private map-in-map must take at least this
 * long, or the kernel did not wait (see fp_grace()). synchronize_rcu() on
 * an idle machine takes milliseconds; a plain map update a microsecond. */
#define GRACE_MIN_NS 20000
/* Fallback when the update does not block: programs run for microseconds,
 * so this is orders of magnitude longer than any run. */
#define GRACE_SLEEP_NS 50000000L

static const char *const map_names[] = {
	XDPMX_STR(XDPMX_MAP_CFG),    XDPMX_STR(XDPMX_MAP_STATS), XDPMX_STR(XDPMX_MAP_ROT),
	XDPMX_STR(XDPMX_MAP_IFACES), XDPMX_STR(XDPMX_MAP_ZONES), XDPMX_STR(XDPMX_MAP_ZNAMES),
	XDPMX_STR(XDPMX_MAP_DIR_S),  XDPMX_STR(XDPMX_MAP_DIR_M), XDPMX_STR(XDPMX_MAP_DIR_L),
	XDPMX_STR(XDPMX_MAP_BLOB0),  XDPMX_STR(XDPMX_MAP_BLOB1), XDPMX_STR(XDPMX_MAP_BLOB2),
	XDPMX_STR(XDPMX_MAP_BLOB3),  XDPMX_STR(XDPMX_MAP_BLOB4),
};
#define N_MAPS (sizeof(map_names) / sizeof(map_names[0]))

/* struct xdpmx_fp_fds seen as an array in map_names order. */
_Static_assert(sizeof(struct xdpmx_fp_fds) == N_MAPS * sizeof(int), "fds match map_names");

static const uint32_t dir_key_size[3] = {sizeof(struct xdpmx_key_s), sizeof(struct xdpmx_key_m),
					 sizeof(struct xdpmx_key_l)};

static inline uint32_t blob_value_size(int c)
{
	return XDPMX_BLOB_SIZE(c) + XDPMX_BLOB_SLACK;
}

/* One RRset the program answers at the zone's epoch. */
struct fp_ent {
	uint8_t *kb;	/* qtype (network order), name; then the blob bytes */
	uint32_t ref;	/* XDPMX_BLOB_REF of the blob */
	uint32_t since; /* its version */
	uint16_t blob_len;
	uint8_t name_len;
	uint8_t slot; /* the ver[] slot holding it; the other one is empty */
};

static inline const uint8_t *ent_blob(const struct fp_ent *e)
{
	return e->kb + 2 + e->name_len;
}

enum op_kind { OP_ADD, OP_CHG, OP_DEL };

/* Step 4 of an apply, waiting for a grace period: a changed entry whose
 * old version and blob go, or a deleted entry whose key and blob go. */
struct fp_pend {
	uint8_t *kb;	/* qtype + name, in fp_zone.pend_keys */
	uint32_t ref;	/* CHG: the new blob */
	uint32_t since; /* CHG: the new version */
	uint32_t old_ref;
	uint8_t name_len;
	uint8_t kind; /* OP_CHG or OP_DEL */
	uint8_t slot; /* CHG: the new version's slot */
};

struct fp_zone {
	uint32_t id;
	uint32_t epoch;
	uint8_t apex_len; /* 0: an id the maps use without a name (left alone) */
	uint8_t apex[XDPMX_NAME_MAX + 1];
	size_t n;
	struct fp_ent *e;
	uint8_t *bytes; /* every e[i].kb */
	size_t npend;	/* step 4 not done yet (deferred mode) */
	struct fp_pend *pend;
	uint8_t *pend_keys;
};

/* A stack of free indices; the lowest index on top. */
struct idstack {
	uint32_t max, nfree;
	uint32_t *free;
};

struct xdpmx_fp {
	struct xdpmx_fp_fds fds; /* owned */
	int grace_outer, grace_inner;
	int grace;	     /* enum grace_mode */
	bool deferred;	     /* step 4 waits for xdpmx_fp_flush() */
	struct fp_zone **pz; /* zones with step 4 pending */
	size_t npz, cappz;

	uint32_t zones_max;
	uint32_t dir_max[3];
	uint64_t dir_n[3];
	struct idstack blobs[XDPMX_BLOB_CLASSES];
	struct idstack ids;

	struct fp_zone **zt; /* by id, zones_max long */
	size_t n_zones;
	struct fp_zone **zh; /* open addressing by apex, zh_cap long */
	size_t zh_cap;
	const uint8_t **list;
};

static inline int *fd_at(struct xdpmx_fp_fds *f, size_t i)
{
	return (int *)f + i;
}

/* ---- names ------------------------------------------------------------------ */

/* Length of the wire name at n within max octets, or 0 if malformed. */
static size_t wire_len(const uint8_t *n, size_t max)
{
	size_t pos = 0;

	if (max > XDPMX_NAME_MAX)
		max = XDPMX_NAME_MAX;
	while (pos < max) {
		if (n[pos] == 0)
			return pos + 1;
		if (n[pos] > XDPMX_LABEL_MAX)
			return 0;
		pos += 1 + n[pos];
	}
	return 0;
}

/* Whether the canonical name (len octets) is at or below apex. */
static bool name_in_zone(const uint8_t *name, size_t len, const uint8_t *apex, size_t alen)
{
	size_t pos = 0;

	while (len - pos > alen && name[pos])
		pos += 1 + name[pos];
	return len - pos == alen && !memcmp(name + pos, apex, alen);
}

static char *name_str(const uint8_t *n, char *buf, size_t size)
{
	size_t o = 0;

	if (!n[0])
		return strncpy(buf, ".", size);
	while (*n && o + 1 < size) {
		for (uint8_t i = 1; i <= n[0] && o + 2 < size; i++)
			buf[o++] = (char)n[i];
		buf[o++] = '.';
		n += 1 + n[0];
	}
	buf[o < size ? o : size - 1] = 0;
	return buf;
}

/* ---- id stacks ---------------------------------------------------------------- */

static int ids_init(struct idstack *s, uint32_t max, const uint8_t *used)
{
	s->max = max;
	s->nfree = 0;
	s->free = malloc((max ? max : 1) * sizeof(*s->free));
	if (!s->free)
		return -ENOMEM;
	for (uint32_t i = max; i-- > 0;)
		if (!used || !used[i])
			s->free[s->nfree++] = i;
	return 0;
}

static uint32_t ids_pop(struct idstack *s)
{
	return s->free[--s->nfree];
}

static void ids_push(struct idstack *s, uint32_t id)
{
	s->free[s->nfree++] = id;
}

static void blob_release(struct xdpmx_fp *fp, uint32_t ref)
{
	if (ref != XDPMX_BLOB_NONE)
		ids_push(&fp->blobs[XDPMX_BLOB_CLASS(ref)], XDPMX_BLOB_INDEX(ref));
}

/* ---- the apex index --------------------------------------------------------- */

static size_t apex_hash(const uint8_t *a, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ a[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

static struct fp_zone **zh_slot(struct xdpmx_fp *fp, const uint8_t *apex, size_t len)
{
	size_t i = apex_hash(apex, len) & (fp->zh_cap - 1);

	while (fp->zh[i] && !(fp->zh[i]->apex_len == len && !memcmp(fp->zh[i]->apex, apex, len)))
		i = (i + 1) & (fp->zh_cap - 1);
	return &fp->zh[i];
}

static void zh_del(struct xdpmx_fp *fp, struct fp_zone *z)
{
	size_t i = zh_slot(fp, z->apex, z->apex_len) - fp->zh, j = i;

	fp->zh[i] = NULL;
	/* Backward-shift deletion keeps every probe chain unbroken. */
	for (;;) {
		size_t home;

		j = (j + 1) & (fp->zh_cap - 1);
		if (!fp->zh[j])
			return;
		home = apex_hash(fp->zh[j]->apex, fp->zh[j]->apex_len) & (fp->zh_cap - 1);
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			fp->zh[i] = fp->zh[j];
			fp->zh[j] = NULL;
			i = j;
		}
	}
}

static struct fp_zone *zone_find(struct xdpmx_fp *fp, const uint8_t *apex, size_t len)
{
	return *zh_slot(fp, apex, len);
}

static void zone_free(struct fp_zone *z)
{
	if (!z)
		return;
	free(z->e);
	free(z->bytes);
	free(z->pend);
	free(z->pend_keys);
	free(z);
}

/* ---- map helpers ------------------------------------------------------------ */

/*
 * Every write of a directory entry that may exist goes in place
 * (BPF_F_LOCK: the kernel copies the value into the element it has, under
 * the value's bpf_spin_lock) instead of allocating a new element and
 * freeing the old one. A freed hash element can be handed to the very next
 * update, so a program still reading it after its lookup would read another
 * key's versions and answer one name with another's records. In place, the
 * program reads its own key's value, and the protocol only ever rewrites the
 * slot it does not answer from (fastpath.h; docs/fastpath.md). New keys are
 * inserted as usual (BPF_F_LOCK falls back to an insert).
 */
#define DIR_WRITE BPF_F_LOCK

/* bpf_map_update_batch(); *done is how many elements were applied. */
static int update_batch(int fd, const void *keys, const void *vals, uint32_t n, uint64_t flags,
			uint32_t *done)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o, .elem_flags = flags);
	uint32_t cnt = n;
	int err = bpf_map_update_batch(fd, keys, vals, &cnt, &o);

	*done = err ? cnt : n;
	return err;
}

static int delete_batch(int fd, const void *keys, size_t ksz, uint32_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t cnt = n;
	int err = bpf_map_delete_batch(fd, keys, &cnt, &o);

	/* A key already gone is not an error for a delete: go on one by one
	 * from the one that was missing. */
	if (err == -ENOENT) {
		const uint8_t *k = keys;

		for (uint32_t i = cnt; i < n; i++) {
			err = bpf_map_delete_elem(fd, k + i * ksz);
			if (err && err != -ENOENT)
				return err;
		}
		return 0;
	}
	return err;
}

static void key_from_kb(uint8_t *key, uint32_t ksz, const uint8_t *kb, uint8_t name_len)
{
	memset(key, 0, ksz);
	memcpy(key, kb, 2 + (size_t)name_len);
}

/* How the writer waits for a grace period. */
enum grace_mode {
	GRACE_UNTESTED = 0, /* the map-in-map exists; the first wait checks it blocks */
	GRACE_MAP = 1,	    /* it blocks: wait through it */
	GRACE_SLEEP = 2,    /* no map-in-map, or its update did not block: sleep */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * Wait until every program run that may have read the maps before this call
 * has finished. Updating a slot of a map-in-map from userspace makes the
 * kernel call synchronize_rcu() before returning (maybe_wait_bpf_programs()
 * in kernel/bpf/syscall.c), and XDP runs inside an RCU read-side section,
 * so the update returns only after a grace period. The first wait checks
 * that it really took that long; if not, this and every later wait sleeps
 * instead. Always returns 0.
 */
static int fp_grace(struct xdpmx_fp *fp)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = GRACE_SLEEP_NS};
	uint32_t k = 0;
	uint64_t t;

	if (fp->grace != GRACE_SLEEP) {
		t = now_ns();
		if (!bpf_map_update_elem(fp->grace_outer, &k, &fp->grace_inner, 0)) {
			t = now_ns() - t;
			if (fp->grace == GRACE_MAP)
				return 0;
			if (t >= GRACE_MIN_NS) {
				fp->grace = GRACE_MAP;
				pr_debug("grace period through a map-in-map update: %llu us",
					 (unsigned long long)(t / 1000));
				return 0;
			}
			pr_warn("Couldn't wait for running XDP programs through a map-in-map "
				"update: it returned in %llu ns, too fast for an RCU grace period; "
				"sleeping %ld ms instead",
				(unsigned long long)t, GRACE_SLEEP_NS / 1000000);
		} else {
			pr_warn("Couldn't update the grace-period map: %s; sleeping %ld ms instead",
				strerror(errno), GRACE_SLEEP_NS / 1000000);
		}
		fp->grace = GRACE_SLEEP;
	}
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	return 0;
}

/* Create the private map-in-map fp_grace() waits through. */
static void fp_grace_init(struct xdpmx_fp *fp)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);

	fp->grace = GRACE_UNTESTED;
	fp->grace_inner = bpf_map_create(BPF_MAP_TYPE_ARRAY, "xdpmx_gp_in", 4, 4, 1, NULL);
	if (fp->grace_inner >= 0) {
		o.inner_map_fd = fp->grace_inner;
		fp->grace_outer =
			bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "xdpmx_gp", 4, 4, 1, &o);
	}
	if (fp->grace_inner < 0 || fp->grace_outer < 0) {
		pr_warn("Couldn't create the grace-period map: %s; sleeping %ld ms instead",
			strerror(errno), GRACE_SLEEP_NS / 1000000);
		fp->grace = GRACE_SLEEP;
	}
}

/* ---- open / takeover ----------------------------------------------------------- */

struct shape {
	uint32_t type, key, value, flags_mask, flags;
	uint32_t max; /* 0: any */
};

static int check_shapes(struct xdpmx_fp *fp, const char *where)
{
	const struct shape want[N_MAPS] = {
		{BPF_MAP_TYPE_ARRAY, 4, sizeof(struct xdpmx_cfg), 0, 0, 1},
		{BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 0, 0, XDPMX_IFACE_MAX * XDPMX_CNT__MAX},
		{BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 0, 0, 1},
		{BPF_MAP_TYPE_ARRAY, 4, sizeof(struct xdpmx_iface), 0, 0, XDPMX_IFACE_MAX},
		{BPF_MAP_TYPE_ARRAY, 4, sizeof(struct xdpmx_zone_val), 0, 0, 0},
		{BPF_MAP_TYPE_HASH, 4, sizeof(struct xdpmx_zname), 0, 0, 0},
		{BPF_MAP_TYPE_HASH, sizeof(struct xdpmx_key_s), sizeof(struct xdpmx_dir_val), 0, 0,
		 0},
		{BPF_MAP_TYPE_HASH, sizeof(struct xdpmx_key_m), sizeof(struct xdpmx_dir_val), 0, 0,
		 0},
		{BPF_MAP_TYPE_HASH, sizeof(struct xdpmx_key_l), sizeof(struct xdpmx_dir_val), 0, 0,
		 0},
		{BPF_MAP_TYPE_ARRAY, 4, XDPMX_BLOB_SIZE(0) + XDPMX_BLOB_SLACK, 0, 0, 0},
		{BPF_MAP_TYPE_ARRAY, 4, XDPMX_BLOB_SIZE(1) + XDPMX_BLOB_SLACK, 0, 0, 0},
		{BPF_MAP_TYPE_ARRAY, 4, XDPMX_BLOB_SIZE(2) + XDPMX_BLOB_SLACK, 0, 0, 0},
		{BPF_MAP_TYPE_ARRAY, 4, XDPMX_BLOB_SIZE(3) + XDPMX_BLOB_SLACK, 0, 0, 0},
		{BPF_MAP_TYPE_ARRAY, 4, XDPMX_BLOB_SIZE(4) + XDPMX_BLOB_SLACK, 0, 0, 0},
	};

	for (size_t i = 0; i < N_MAPS; i++) {
		struct bpf_map_info info = {};
		uint32_t il = sizeof(info);

		if (bpf_obj_get_info_by_fd(*fd_at(&fp->fds, i), &info, &il)) {
			int err = -errno;

			pr_err("Couldn't read map '%s'%s: %s", map_names[i], where, strerror(-err));
			return err;
		}
		if (info.type != want[i].type || info.key_size != want[i].key ||
		    info.value_size != want[i].value ||
		    (want[i].max && info.max_entries != want[i].max) || info.max_entries == 0) {
			pr_err("Couldn't use map '%s'%s: it does not match this build (type %u, "
			       "key %u, "
			       "value %u, max_entries %u; this build wants type %u, key %u, value "
			       "%u): "
			       "unload with --purge",
			       map_names[i], where, info.type, info.key_size, info.value_size,
			       info.max_entries, want[i].type, want[i].key, want[i].value);
			return -EPROTO;
		}
		if (i == 4)
			fp->zones_max = info.max_entries;
		else if (i >= 6 && i <= 8)
			fp->dir_max[i - 6] = info.max_entries;
		else if (i >= 9)
			fp->blobs[i - 9].max = info.max_entries;
	}
	if (fp->zones_max > 0x10000000U) {
		pr_err("Couldn't use map '%s'%s: %u zones is more than the writer supports",
		       map_names[4], where, fp->zones_max);
		return -EPROTO;
	}
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++) {
		if (fp->blobs[c].max > 0x10000000U) {
			pr_err("Couldn't use map '%s'%s: %u entries do not fit a blob reference",
			       map_names[9 + c], where, fp->blobs[c].max);
			return -EPROTO;
		}
	}
	return 0;
}

/* Read a whole array map of n entries of vsz bytes into vals. */
static int read_array(int fd, uint32_t n, size_t vsz, void *vals)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t *keys = malloc(BATCH * sizeof(*keys));
	uint32_t out = 0, pos = 0;
	int err = 0;

	if (!keys)
		return -ENOMEM;
	while (pos < n) {
		uint32_t cnt = n - pos < BATCH ? n - pos : BATCH;

		err = bpf_map_lookup_batch(fd, pos ? &out : NULL, &out, keys,
					   (uint8_t *)vals + (size_t)pos * vsz, &cnt, &o);
		if (err && err != -ENOENT)
			break;
		err = 0;
		if (cnt == 0)
			break;
		pos += cnt;
	}
	free(keys);
	return err;
}

/* What the takeover keeps of a directory entry. */
struct tk_ent {
	uint32_t zone;
	struct fp_ent e;
};

struct takeover {
	struct tk_ent *ents;
	size_t n, cap;
	uint8_t *kbytes; /* 2 + name bytes of each ent, NAME_MAX + 3 apart */
	/* keys to delete and values to rewrite, per directory */
	uint8_t *del[3];
	size_t ndel[3], capdel[3];
	uint8_t *rw_keys[3];
	struct xdpmx_dir_val *rw_vals[3];
	size_t nrw[3], caprw[3];
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	void *np;
	size_t nc;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap * 2 : 256;
	while (nc < need)
		nc *= 2;
	np = realloc(*p, nc * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

/* Sort order of struct xdpmx_compiled over fp_ent. */
static int ent_cmp(const void *pa, const void *pb)
{
	const struct fp_ent *a = pa, *b = pb;

	if (a->name_len != b->name_len)
		return a->name_len < b->name_len ? -1 : 1;
	return memcmp(a->kb, b->kb, 2 + (size_t)a->name_len);
}

static int tk_add_del(struct takeover *tk, int d, const uint8_t *key)
{
	size_t ksz = dir_key_size[d];

	if (grow((void **)&tk->del[d], &tk->capdel[d], tk->ndel[d] + 1, ksz))
		return -ENOMEM;
	memcpy(tk->del[d] + tk->ndel[d]++ * ksz, key, ksz);
	return 0;
}

static int tk_add_rw(struct takeover *tk, int d, const uint8_t *key, const struct xdpmx_dir_val *v)
{
	size_t ksz = dir_key_size[d], cap = tk->caprw[d];

	if (grow((void **)&tk->rw_keys[d], &tk->caprw[d], tk->nrw[d] + 1, ksz) ||
	    grow((void **)&tk->rw_vals[d], &cap, tk->nrw[d] + 1, sizeof(*v)))
		return -ENOMEM;
	memcpy(tk->rw_keys[d] + tk->nrw[d] * ksz, key, ksz);
	tk->rw_vals[d][tk->nrw[d]++] = *v;
	return 0;
}

/* One directory entry found in the maps. */
static int tk_entry(struct xdpmx_fp *fp, struct takeover *tk, int d, const uint8_t *key,
		    const struct xdpmx_dir_val *v, uint8_t *blob_used[XDPMX_BLOB_CLASSES])
{
	const uint8_t *name = key + 2;
	struct fp_zone *z = v->zone < fp->zones_max ? fp->zt[v->zone] : NULL;
	size_t nlen = wire_len(name, dir_key_size[d] - 2);
	int best = -1;
	uint32_t cls, idx;
	struct tk_ent *te;

	/* Unreachable (no live zone, or a key the program never builds) or a
	 * miss already: deleting it changes no answer. */
	if (!z || nlen == 0 || xdpmx_dir_index(nlen) != d)
		return tk_add_del(tk, d, key);
	for (int s = 0; s < 2; s++)
		if (v->ver[s].since && v->ver[s].since <= z->epoch &&
		    (best < 0 || v->ver[s].since > v->ver[best].since))
			best = s;
	if (best < 0 || v->ver[best].blob == XDPMX_BLOB_NONE)
		return tk_add_del(tk, d, key);
	cls = XDPMX_BLOB_CLASS(v->ver[best].blob);
	idx = XDPMX_BLOB_INDEX(v->ver[best].blob);
	if (cls >= XDPMX_BLOB_CLASSES || idx >= fp->blobs[cls].max) {
		char buf[XDPMX_NAME_MAX * 4 + 2];

		pr_warn("Directory entry %s (type %u) points at blob %#x, outside the blob maps: "
			"the program aborts on it; left alone",
			name_str(name, buf, sizeof(buf)), ntohs(*(const uint16_t *)key),
			v->ver[best].blob);
		return 0;
	}
	if (blob_used[cls][idx]) {
		char buf[XDPMX_NAME_MAX * 4 + 2];

		pr_warn("Directory entry %s shares blob %#x with another entry: kept, but the "
			"maps were not written by this writer",
			name_str(name, buf, sizeof(buf)), v->ver[best].blob);
	}
	blob_used[cls][idx] = 1;
	if (v->ver[!best].since || v->ver[!best].blob) {
		/* An old version, or one of an apply that never completed:
		 * invisible to the program, dropped. */
		struct xdpmx_dir_val nv = {.zone = v->zone};

		nv.ver[best] = v->ver[best];
		if (tk_add_rw(tk, d, key, &nv))
			return -ENOMEM;
	}
	if (grow((void **)&tk->ents, &tk->cap, tk->n + 1, sizeof(*tk->ents)))
		return -ENOMEM;
	te = &tk->ents[tk->n++];
	te->zone = v->zone;
	te->e = (struct fp_ent){.ref = v->ver[best].blob,
				.since = v->ver[best].since,
				.name_len = (uint8_t)nlen,
				.slot = (uint8_t)best};
	/* kb is filled once every entry is known (the array may move). */
	te->e.kb = NULL;
	return 0;
}

static int tk_scan_dir(struct xdpmx_fp *fp, struct takeover *tk, int d,
		       uint8_t *blob_used[XDPMX_BLOB_CLASSES], uint8_t **kstore, size_t *kn,
		       size_t *kcap)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	size_t ksz = dir_key_size[d];
	uint8_t *keys = malloc(BATCH * ksz), *batch = malloc(ksz);
	struct xdpmx_dir_val *vals = malloc(BATCH * sizeof(*vals));
	bool first = true;
	int err = 0;

	if (!keys || !vals || !batch) {
		err = -ENOMEM;
		goto out;
	}
	for (;;) {
		uint32_t cnt = BATCH;
		int e = bpf_map_lookup_batch(fp->fds.dir[d], first ? NULL : batch, batch, keys,
					     vals, &cnt, &o);

		if (e && e != -ENOENT) {
			err = e;
			pr_err("Couldn't read map '%s': %s", map_names[6 + d], strerror(-e));
			goto out;
		}
		first = false;
		for (uint32_t i = 0; i < cnt; i++) {
			size_t before = tk->n;

			err = tk_entry(fp, tk, d, keys + i * ksz, &vals[i], blob_used);
			if (err)
				goto out;
			if (tk->n > before) {
				/* keep the key bytes: qtype + name */
				if (grow((void **)kstore, kcap, *kn + 1, XDPMX_NAME_MAX + 3)) {
					err = -ENOMEM;
					goto out;
				}
				memcpy(*kstore + *kn * (XDPMX_NAME_MAX + 3), keys + i * ksz,
				       2 + (size_t)tk->ents[before].e.name_len);
				(*kn)++;
			}
		}
		if (e == -ENOENT || cnt == 0)
			break;
	}
out:
	free(keys);
	free(vals);
	free(batch);
	return err;
}

/* Keep entry i's key and blob bytes (val: the blob's array value). */
static int tk_keep_blob(struct takeover *tk, size_t i, const uint8_t *kstore, const uint8_t *val)
{
	struct fp_ent *e = &tk->ents[i].e;
	int c = (int)XDPMX_BLOB_CLASS(e->ref);
	struct xdpmx_blob_hdr h;
	size_t len;

	memcpy(&h, val, sizeof(h));
	len = XDPMX_BLOB_AN_OFF(h.an_count) + h.an_len + h.ad_len;
	if (len > XDPMX_BLOB_SIZE(c))
		len = XDPMX_BLOB_SIZE(c);
	e->blob_len = (uint16_t)len;
	e->kb = malloc(2 + (size_t)e->name_len + len);
	if (!e->kb)
		return -ENOMEM;
	memcpy(e->kb, kstore + i * (XDPMX_NAME_MAX + 3), 2 + (size_t)e->name_len);
	memcpy(e->kb + 2 + e->name_len, val, len);
	return 0;
}

/*
 * Read back the blob of every kept entry. A class with a quarter or more of
 * its slots in use is read whole in batches (a million lookups one by one
 * take over a second); a sparser one blob by blob.
 */
static int tk_read_blobs(struct xdpmx_fp *fp, struct takeover *tk, const uint8_t *kstore)
{
	uint8_t val[XDPMX_BLOB_MAX + XDPMX_BLOB_SLACK];
	size_t used[XDPMX_BLOB_CLASSES] = {};
	uint32_t *owner[XDPMX_BLOB_CLASSES] = {};
	int err = 0;

	for (size_t i = 0; i < tk->n; i++)
		used[XDPMX_BLOB_CLASS(tk->ents[i].e.ref)]++;
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++) {
		if (used[c] * 4 < fp->blobs[c].max)
			continue;
		owner[c] = malloc((size_t)fp->blobs[c].max * sizeof(*owner[c]));
		if (!owner[c]) {
			err = -ENOMEM;
			goto out;
		}
		memset(owner[c], 0xff, (size_t)fp->blobs[c].max * sizeof(*owner[c]));
	}
	for (size_t i = 0; i < tk->n; i++) {
		struct fp_ent *e = &tk->ents[i].e;
		int c = (int)XDPMX_BLOB_CLASS(e->ref);
		uint32_t idx = XDPMX_BLOB_INDEX(e->ref);

		if (owner[c]) {
			owner[c][idx] = (uint32_t)i;
			continue;
		}
		if (bpf_map_lookup_elem(fp->fds.blob[c], &idx, val)) {
			err = -errno;
			pr_err("Couldn't read blob %u of map '%s': %s", idx, map_names[9 + c],
			       strerror(-err));
			goto out;
		}
		if ((err = tk_keep_blob(tk, i, kstore, val)))
			goto out;
	}
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++) {
		LIBBPF_OPTS(bpf_map_batch_opts, o);
		size_t vsz = blob_value_size(c);
		uint32_t keys[256], pos = 0, out = 0;
		uint8_t *vals;

		if (!owner[c])
			continue;
		vals = malloc(256 * vsz);
		if (!vals) {
			err = -ENOMEM;
			goto out;
		}
		while (pos < fp->blobs[c].max) {
			uint32_t cnt = 256;
			int e = bpf_map_lookup_batch(fp->fds.blob[c], pos ? &out : NULL, &out, keys,
						     vals, &cnt, &o);

			if (e && e != -ENOENT) {
				err = e;
				pr_err("Couldn't read map '%s': %s", map_names[9 + c],
				       strerror(-e));
				break;
			}
			for (uint32_t k = 0; k < cnt && !err; k++)
				if (keys[k] < fp->blobs[c].max && owner[c][keys[k]] != UINT32_MAX)
					err = tk_keep_blob(tk, owner[c][keys[k]], kstore,
							   vals + (size_t)k * vsz);
			if (err || !cnt || e == -ENOENT)
				break;
			pos += cnt;
		}
		free(vals);
		if (err)
			goto out;
	}
out:
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
		free(owner[c]);
	return err;
}

static int tk_cmp_zone(const void *pa, const void *pb)
{
	const struct tk_ent *a = pa, *b = pb;

	if (a->zone != b->zone)
		return a->zone < b->zone ? -1 : 1;
	return ent_cmp(&a->e, &b->e);
}

/* Hand the kept entries to their zones: one ent array and one byte buffer
 * per zone. */
static int tk_distribute(struct xdpmx_fp *fp, struct takeover *tk)
{
	size_t i = 0;

	qsort(tk->ents, tk->n, sizeof(*tk->ents), tk_cmp_zone);
	while (i < tk->n) {
		struct fp_zone *z = fp->zt[tk->ents[i].zone];
		size_t j = i, bytes = 0, off = 0;

		while (j < tk->n && tk->ents[j].zone == tk->ents[i].zone) {
			if (tk->ents[j].e.kb)
				bytes +=
					2 + (size_t)tk->ents[j].e.name_len + tk->ents[j].e.blob_len;
			j++;
		}
		z->e = malloc((j - i) * sizeof(*z->e));
		z->bytes = malloc(bytes ? bytes : 1);
		if (!z->e || !z->bytes)
			return -ENOMEM;
		for (size_t k = i; k < j; k++) {
			struct fp_ent *e = &tk->ents[k].e;
			size_t l = 2 + (size_t)e->name_len + e->blob_len;

			if (!e->kb)
				continue; /* blob outside the maps: not ours to track */
			memcpy(z->bytes + off, e->kb, l);
			free(e->kb);
			e->kb = NULL;
			z->e[z->n] = *e;
			z->e[z->n].kb = z->bytes + off;
			z->n++;
			fp->dir_n[xdpmx_dir_index(e->name_len)]++;
			off += l;
		}
		i = j;
	}
	return 0;
}

static int tk_cleanup(struct xdpmx_fp *fp, struct takeover *tk)
{
	for (int d = 0; d < 3; d++) {
		size_t ksz = dir_key_size[d];

		for (size_t p = 0; p < tk->nrw[d]; p += BATCH) {
			uint32_t n = tk->nrw[d] - p < BATCH ? tk->nrw[d] - p : BATCH, done;
			int err = update_batch(fp->fds.dir[d], tk->rw_keys[d] + p * ksz,
					       tk->rw_vals[d] + p, n, DIR_WRITE, &done);

			if (err && err != -ENOENT) {
				pr_err("Couldn't drop stale versions in map '%s': %s",
				       map_names[6 + d], strerror(-err));
				return err;
			}
		}
		for (size_t p = 0; p < tk->ndel[d]; p += BATCH) {
			uint32_t n = tk->ndel[d] - p < BATCH ? tk->ndel[d] - p : BATCH;
			int err = delete_batch(fp->fds.dir[d], tk->del[d] + p * ksz, ksz, n);

			if (err) {
				pr_err("Couldn't delete dead entries of map '%s': %s",
				       map_names[6 + d], strerror(-err));
				return err;
			}
		}
		if (tk->ndel[d] || tk->nrw[d])
			pr_info("Took over map '%s': deleted %zu dead entries, dropped stale "
				"versions of %zu",
				map_names[6 + d], tk->ndel[d], tk->nrw[d]);
	}
	return 0;
}

static void tk_free(struct takeover *tk)
{
	for (size_t i = 0; i < tk->n; i++)
		free(tk->ents[i].e.kb);
	free(tk->ents);
	for (int d = 0; d < 3; d++) {
		free(tk->del[d]);
		free(tk->rw_keys[d]);
		free(tk->rw_vals[d]);
	}
}

/* Rebuild the zone table and the allocators from the maps. */
static int fp_takeover(struct xdpmx_fp *fp)
{
	struct xdpmx_zone_val *zv = NULL;
	uint8_t *blob_used[XDPMX_BLOB_CLASSES] = {};
	uint8_t *id_used = NULL, *kstore = NULL;
	size_t kn = 0, kcap = 0;
	struct takeover tk = {};
	uint32_t *del_ids = NULL;
	size_t ndel_ids = 0, capdel_ids = 0;
	int err = -ENOMEM;

	zv = calloc(fp->zones_max, sizeof(*zv));
	id_used = calloc(fp->zones_max, 1);
	if (!zv || !id_used)
		goto out;
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
		if (!(blob_used[c] = calloc(fp->blobs[c].max, 1)))
			goto out;

	err = read_array(fp->fds.zones, fp->zones_max, sizeof(*zv), zv);
	if (err) {
		pr_err("Couldn't read map '%s': %s", map_names[4], strerror(-err));
		goto out;
	}
	for (uint32_t id = 0; id < fp->zones_max; id++) {
		struct fp_zone *z;

		if (!zv[id].epoch)
			continue;
		z = calloc(1, sizeof(*z));
		if (!z) {
			err = -ENOMEM;
			goto out;
		}
		z->id = id;
		z->epoch = zv[id].epoch;
		fp->zt[id] = z;
		id_used[id] = 1;
	}

	/* Names of live zones; names of dead ones are deleted. */
	{
		LIBBPF_OPTS(bpf_map_batch_opts, o);
		uint32_t keys[64], batch = 0;
		struct xdpmx_zname *names = malloc(64 * sizeof(*names));
		bool first = true;

		if (!names) {
			err = -ENOMEM;
			goto out;
		}
		for (;;) {
			uint32_t cnt = 64;
			int e = bpf_map_lookup_batch(fp->fds.znames, first ? NULL : &batch, &batch,
						     keys, names, &cnt, &o);

			if (e && e != -ENOENT) {
				pr_err("Couldn't read map '%s': %s", map_names[5], strerror(-e));
				free(names);
				err = e;
				goto out;
			}
			first = false;
			for (uint32_t i = 0; i < cnt; i++) {
				struct fp_zone *z =
					keys[i] < fp->zones_max ? fp->zt[keys[i]] : NULL;
				size_t len = wire_len(names[i].name, sizeof(names[i].name));

				if (!z || !len) {
					if (grow((void **)&del_ids, &capdel_ids, ndel_ids + 1,
						 sizeof(*del_ids))) {
						free(names);
						err = -ENOMEM;
						goto out;
					}
					del_ids[ndel_ids++] = keys[i];
					continue;
				}
				memcpy(z->apex, names[i].name, len);
				z->apex_len = (uint8_t)len;
			}
			if (e == -ENOENT || cnt == 0)
				break;
		}
		free(names);
	}
	for (uint32_t id = 0; id < fp->zones_max; id++) {
		struct fp_zone *z = fp->zt[id];

		if (!z)
			continue;
		fp->n_zones++;
		if (!z->apex_len) {
			pr_warn("Zone id %u is live in map '%s' but has no name in '%s': its "
				"entries "
				"are kept as they are and the id is not reused",
				id, map_names[4], map_names[5]);
			continue;
		}
		*zh_slot(fp, z->apex, z->apex_len) = z;
	}

	for (int d = 0; d < 3; d++) {
		err = tk_scan_dir(fp, &tk, d, blob_used, &kstore, &kn, &kcap);
		if (err)
			goto out;
	}
	err = tk_read_blobs(fp, &tk, kstore);
	if (err)
		goto out;
	err = tk_distribute(fp, &tk);
	if (err)
		goto out;
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++) {
		free(fp->blobs[c].free);
		err = ids_init(&fp->blobs[c], fp->blobs[c].max, blob_used[c]);
		if (err)
			goto out;
	}
	free(fp->ids.free);
	err = ids_init(&fp->ids, fp->zones_max, id_used);
	if (err)
		goto out;
	err = tk_cleanup(fp, &tk);
	if (err)
		goto out;
	for (size_t i = 0; i < ndel_ids; i++)
		bpf_map_delete_elem(fp->fds.znames, &del_ids[i]);
	/* Blobs only the dropped versions pointed at are free now; a program
	 * that started before the previous writer died may still read one. */
	if (tk.ndel[0] + tk.ndel[1] + tk.ndel[2] + tk.nrw[0] + tk.nrw[1] + tk.nrw[2])
		fp_grace(fp);
	err = 0;
out:
	tk_free(&tk);
	free(kstore);
	free(del_ids);
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
		free(blob_used[c]);
	free(id_used);
	free(zv);
	return err;
}

static int fp_init(struct xdpmx_fp *fp, const char *where)
{
	struct xdpmx_cfg cfg = {};
	uint32_t k = 0;
	int err;

	fp->grace_outer = fp->grace_inner = -1;
	err = check_shapes(fp, where);
	if (err)
		return err;
	if (bpf_map_lookup_elem(fp->fds.cfg, &k, &cfg)) {
		err = -errno;
		pr_err("Couldn't read map '%s'%s: %s", map_names[0], where, strerror(-err));
		return err;
	}
	if (cfg.abi_version && cfg.abi_version != XDPMX_ABI_VERSION) {
		pr_err("Couldn't use the maps%s: they carry ABI version %u, this build %u: unload "
		       "with --purge",
		       where, cfg.abi_version, XDPMX_ABI_VERSION);
		return -EPROTO;
	}
	fp->zt = calloc(fp->zones_max, sizeof(*fp->zt));
	for (fp->zh_cap = 64; fp->zh_cap < 2 * (size_t)fp->zones_max;)
		fp->zh_cap *= 2;
	fp->zh = calloc(fp->zh_cap, sizeof(*fp->zh));
	if (!fp->zt || !fp->zh)
		return -ENOMEM;
	fp_grace_init(fp);
	return fp_takeover(fp);
}

int xdpmx_fp_open_fds(const struct xdpmx_fp_fds *fds, struct xdpmx_fp **out)
{
	struct xdpmx_fp *fp = calloc(1, sizeof(*fp));
	int err;

	if (!fp)
		return -ENOMEM;
	for (size_t i = 0; i < N_MAPS; i++)
		*fd_at(&fp->fds, i) = -1;
	for (size_t i = 0; i < N_MAPS; i++) {
		int fd = fcntl(*fd_at((struct xdpmx_fp_fds *)fds, i), F_DUPFD_CLOEXEC, 3);

		if (fd < 0) {
			err = -errno;
			pr_err("Couldn't duplicate the fd of map '%s': %s", map_names[i],
			       strerror(-err));
			goto err;
		}
		*fd_at(&fp->fds, i) = fd;
	}
	err = fp_init(fp, "");
	if (err)
		goto err;
	*out = fp;
	return 0;
err:
	xdpmx_fp_close(fp);
	return err;
}

int xdpmx_fp_open_pinned(const char *pin_dir, struct xdpmx_fp **out)
{
	struct xdpmx_fp *fp = calloc(1, sizeof(*fp));
	char path[4096], where[4200];
	int err;

	if (!fp)
		return -ENOMEM;
	if (!pin_dir)
		pin_dir = XDPMX_PIN_DIR_DEFAULT;
	for (size_t i = 0; i < N_MAPS; i++)
		*fd_at(&fp->fds, i) = -1;
	for (size_t i = 0; i < N_MAPS; i++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", pin_dir, map_names[i]);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			if (err == -ENOENT)
				pr_err("Couldn't open pinned map %s: not pinned (is the program "
				       "loaded, and bpffs mounted?)",
				       path);
			else
				pr_err("Couldn't open pinned map %s: %s", path, strerror(-err));
			goto err;
		}
		*fd_at(&fp->fds, i) = fd;
	}
	snprintf(where, sizeof(where), " pinned under %s", pin_dir);
	err = fp_init(fp, where);
	if (err)
		goto err;
	*out = fp;
	return 0;
err:
	xdpmx_fp_close(fp);
	return err;
}

void xdpmx_fp_close(struct xdpmx_fp *fp)
{
	if (!fp)
		return;
	if (fp->npz)
		xdpmx_fp_flush(fp);
	free(fp->pz);
	for (size_t i = 0; i < N_MAPS; i++)
		if (*fd_at(&fp->fds, i) >= 0)
			close(*fd_at(&fp->fds, i));
	if (fp->grace_outer >= 0)
		close(fp->grace_outer);
	if (fp->grace_inner >= 0)
		close(fp->grace_inner);
	if (fp->zt)
		for (uint32_t i = 0; i < fp->zones_max; i++)
			zone_free(fp->zt[i]);
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
		free(fp->blobs[c].free);
	free(fp->ids.free);
	free(fp->zt);
	free(fp->zh);
	free(fp->list);
	free(fp);
}

/* ---- apply -------------------------------------------------------------------- */

struct op {
	const struct xdpmx_centry *ce; /* new (ADD, CHG) */
	const struct fp_ent *old;      /* old (CHG, DEL) */
	uint32_t ref;		       /* new blob (ADD, CHG) */
	uint8_t kind;
	uint8_t written;  /* its directory entry was written */
	uint8_t conflict; /* ADD of a key another live zone owns: skipped */
};

static int ce_ent_cmp(const struct xdpmx_centry *c, const struct fp_ent *e)
{
	if (c->name_len != e->name_len)
		return c->name_len < e->name_len ? -1 : 1;
	return memcmp(&c->key, e->kb, 2 + (size_t)c->name_len);
}

static int op_dir(const struct op *o)
{
	return xdpmx_dir_index(o->ce ? o->ce->name_len : o->old->name_len);
}

static const uint8_t *op_kb(const struct op *o)
{
	return o->ce ? (const uint8_t *)&o->ce->key : o->old->kb;
}

static uint8_t op_name_len(const struct op *o)
{
	return o->ce ? o->ce->name_len : o->old->name_len;
}

/* The directory value while the new version is invisible (step 2). */
static struct xdpmx_dir_val op_pending_val(const struct fp_zone *z, const struct op *o)
{
	struct xdpmx_dir_val v = {.zone = z->id};
	uint32_t ne = z->epoch + 1;

	if (o->kind == OP_ADD) {
		v.ver[0] = (struct xdpmx_ver){ne, o->ref};
		return v;
	}
	v.ver[o->old->slot] = (struct xdpmx_ver){o->old->since, o->old->ref};
	v.ver[!o->old->slot] = (struct xdpmx_ver){ne, o->kind == OP_DEL ? XDPMX_BLOB_NONE : o->ref};
	return v;
}

/* Write the blobs of every ADD and CHG op, batched per class. */
static int write_blobs(struct xdpmx_fp *fp, struct op *ops, size_t nops)
{
	size_t nb = nops < BATCH ? nops : BATCH;
	uint8_t *vals = malloc((nb ? nb : 1) * (XDPMX_BLOB_MAX + XDPMX_BLOB_SLACK));
	uint32_t *keys = malloc((nb ? nb : 1) * sizeof(*keys));
	int err = 0;

	if (!vals || !keys) {
		err = -ENOMEM;
		goto out;
	}
	for (int c = 0; c < XDPMX_BLOB_CLASSES && !err; c++) {
		uint32_t vsz = blob_value_size(c), n = 0, done;

		for (size_t i = 0; i <= nops && !err; i++) {
			if (i < nops &&
			    (ops[i].kind == OP_DEL || XDPMX_BLOB_CLASS(ops[i].ref) != (uint32_t)c))
				continue;
			if (i < nops) {
				uint8_t *v = vals + (size_t)n * vsz;

				keys[n] = XDPMX_BLOB_INDEX(ops[i].ref);
				memcpy(v, ops[i].ce->blob, ops[i].ce->blob_len);
				memset(v + ops[i].ce->blob_len, 0, vsz - ops[i].ce->blob_len);
				n++;
			}
			if (n && (n == nb || i == nops)) {
				err = update_batch(fp->fds.blob[c], keys, vals, n, BPF_ANY, &done);
				if (err)
					pr_err("Couldn't write blobs into map '%s': %s",
					       map_names[9 + c], strerror(-err));
				n = 0;
			}
		}
	}
out:
	free(vals);
	free(keys);
	return err;
}

/* The zone, other than z, whose state holds the key kb (qtype + name of
 * name_len octets), or NULL. Only zones whose apex is an ancestor of the
 * name can hold it: those above z (anc, found once per apply) and those
 * between z's apex and the name (delegated children loaded as zones). */
static struct fp_zone *key_owner(struct xdpmx_fp *fp, struct fp_zone *z, struct fp_zone **anc,
				 size_t nanc, const uint8_t *kb, uint8_t name_len)
{
	struct fp_ent probe = {.kb = (uint8_t *)kb, .name_len = name_len};
	const uint8_t *name = kb + 2, *p = name;
	struct fp_zone *cand[XDPMX_LABELS_MAX + 1];
	size_t nc = 0;

	while ((size_t)(name + name_len - p) > z->apex_len && *p) {
		struct fp_zone *o = zone_find(fp, p, name + name_len - p);

		if (o && o != z)
			cand[nc++] = o;
		p += 1 + *p;
	}
	for (size_t i = 0; i < nanc; i++)
		cand[nc++] = anc[i];
	for (size_t i = 0; i < nc; i++)
		if (cand[i]->n &&
		    bsearch(&probe, cand[i]->e, cand[i]->n, sizeof(*cand[i]->e), ent_cmp))
			return cand[i];
	return NULL;
}

/* Mark the ADDs whose key another zone already answers: they are skipped
 * (a name belongs to one zone; the deeper one should be delegated to). */
static void find_conflicts(struct xdpmx_fp *fp, struct fp_zone *z, struct op *ops, size_t nops)
{
	struct fp_zone *anc[XDPMX_LABELS_MAX];
	const uint8_t *p = z->apex;
	size_t nanc = 0;

	if (fp->n_zones == 0 || (fp->n_zones == 1 && fp->zt[z->id] == z))
		return;
	while (*p) {
		struct fp_zone *o;

		p += 1 + *p;
		o = zone_find(fp, p, z->apex + z->apex_len - p);
		if (o)
			anc[nanc++] = o;
	}
	for (size_t i = 0; i < nops; i++) {
		struct fp_zone *o;
		char buf[XDPMX_NAME_MAX * 4 + 2], zb[XDPMX_NAME_MAX * 4 + 2];
		char ob[XDPMX_NAME_MAX * 4 + 2];

		if (ops[i].kind != OP_ADD)
			continue;
		o = key_owner(fp, z, anc, nanc, (const uint8_t *)&ops[i].ce->key,
			      ops[i].ce->name_len);
		if (!o)
			continue;
		ops[i].conflict = 1;
		pr_warn("Couldn't add %s (type %u) to zone %s: zone %s already answers it; left to "
			"the slow path",
			name_str(ops[i].ce->key.name, buf, sizeof(buf)),
			ntohs(ops[i].ce->key.qtype), name_str(z->apex, zb, sizeof(zb)),
			o->apex_len ? name_str(o->apex, ob, sizeof(ob)) : "(unnamed)");
	}
}

/* Step 2 for the directories, batched per directory. Batch updates take
 * no BPF_NOEXIST (the kernel allows only BPF_F_LOCK in elem_flags), so
 * keys of other zones were filtered out before (find_conflicts()). */
static int write_dirs(struct xdpmx_fp *fp, struct fp_zone *z, struct op *ops, size_t nops)
{
	size_t nb = nops < BATCH ? (nops ? nops : 1) : BATCH;
	uint8_t *keys = malloc(nb * sizeof(struct xdpmx_key_l));
	struct xdpmx_dir_val *vals = malloc(nb * sizeof(*vals));
	size_t *idx = malloc(nb * sizeof(*idx));
	int err = 0;

	if (!keys || !vals || !idx) {
		err = -ENOMEM;
		goto out;
	}
	{
		for (int d = 0; d < 3 && !err; d++) {
			uint32_t ksz = dir_key_size[d], n = 0;

			for (size_t i = 0; i <= nops && !err; i++) {
				if (i < nops && (op_dir(&ops[i]) != d || ops[i].conflict))
					continue;
				if (i < nops) {
					key_from_kb(keys + (size_t)n * ksz, ksz, op_kb(&ops[i]),
						    op_name_len(&ops[i]));
					vals[n] = op_pending_val(z, &ops[i]);
					idx[n++] = i;
				}
				if (!n || (n < nb && i < nops))
					continue;
				for (uint32_t p = 0; p < n && !err;) {
					uint32_t done;
					int e = update_batch(fp->fds.dir[d], keys + (size_t)p * ksz,
							     vals + p, n - p, DIR_WRITE, &done);

					for (uint32_t q = p; q < p + done; q++)
						ops[idx[q]].written = 1;
					p += done;
					if (!e)
						break;
					{
						err = e == -E2BIG ? -ENOSPC : e;
						pr_err("Couldn't write directory map '%s': %s",
						       map_names[6 + d],
						       e == -E2BIG ? "map is full" : strerror(-e));
					}
				}
				n = 0;
			}
		}
	}
out:
	free(keys);
	free(vals);
	free(idx);
	return err;
}

/* Undo step 2 after a failure: nothing the apply wrote stays. */
static void rollback(struct xdpmx_fp *fp, struct fp_zone *z, struct op *ops, size_t nops)
{
	struct xdpmx_key_l key;

	for (size_t i = 0; i < nops; i++) {
		struct op *o = &ops[i];
		int d = op_dir(o);

		if (o->written) {
			key_from_kb((uint8_t *)&key, sizeof(key), op_kb(o), op_name_len(o));
			if (o->kind == OP_ADD) {
				bpf_map_delete_elem(fp->fds.dir[d], &key);
			} else {
				struct xdpmx_dir_val v = {.zone = z->id};

				v.ver[o->old->slot] =
					(struct xdpmx_ver){o->old->since, o->old->ref};
				bpf_map_update_elem(fp->fds.dir[d], &key, &v, DIR_WRITE);
			}
		}
		if (o->kind != OP_DEL)
			blob_release(fp, o->ref);
	}
}

/* Step 4 for one zone, after the grace period: drop old versions, delete
 * tombstoned keys, free old blobs. */
static int finish_zone(struct xdpmx_fp *fp, struct fp_zone *z)
{
	size_t half = z->npend < BATCH / 2 ? (z->npend ? z->npend : 1) : BATCH / 2;
	uint8_t *keys = malloc(2 * half * sizeof(struct xdpmx_key_l));
	struct xdpmx_dir_val *vals = malloc(half * sizeof(*vals));
	int err = 0;

	if (!keys || !vals) {
		err = -ENOMEM;
		goto out;
	}
	for (int d = 0; d < 3; d++) {
		uint32_t ksz = dir_key_size[d], nu = 0, nd = 0, done;
		uint8_t *dkeys = keys + half * ksz;

		for (size_t i = 0; i <= z->npend; i++) {
			const struct fp_pend *pe = i < z->npend ? &z->pend[i] : NULL;

			if (pe && xdpmx_dir_index(pe->name_len) == d) {
				if (pe->kind == OP_CHG) {
					struct xdpmx_dir_val *v = &vals[nu];

					key_from_kb(keys + (size_t)nu * ksz, ksz, pe->kb,
						    pe->name_len);
					*v = (struct xdpmx_dir_val){.zone = z->id};
					v->ver[pe->slot] = (struct xdpmx_ver){pe->since, pe->ref};
					nu++;
				} else {
					key_from_kb(dkeys + (size_t)nd * ksz, ksz, pe->kb,
						    pe->name_len);
					nd++;
				}
			}
			if (nu && (nu == half || !pe)) {
				int e = update_batch(fp->fds.dir[d], keys, vals, nu, DIR_WRITE,
						     &done);

				if (e && !err) {
					err = e;
					pr_err("Couldn't drop old versions in map '%s': %s",
					       map_names[6 + d], strerror(-e));
				}
				nu = 0;
			}
			if (nd && (nd == half || !pe)) {
				int e = delete_batch(fp->fds.dir[d], dkeys, ksz, nd);

				if (e && !err) {
					err = e;
					pr_err("Couldn't delete entries from map '%s': %s",
					       map_names[6 + d], strerror(-e));
				}
				nd = 0;
			}
		}
	}
out:
	/* The blobs are free whatever the directory writes did: no version
	 * the program can pick points at them any more. */
	for (size_t i = 0; i < z->npend; i++) {
		blob_release(fp, z->pend[i].old_ref);
		if (z->pend[i].kind == OP_DEL)
			fp->dir_n[xdpmx_dir_index(z->pend[i].name_len)]--;
	}
	free(z->pend);
	free(z->pend_keys);
	z->pend = NULL;
	z->pend_keys = NULL;
	z->npend = 0;
	free(keys);
	free(vals);
	return err;
}

int xdpmx_fp_flush(struct xdpmx_fp *fp)
{
	int err = 0;

	if (!fp->npz)
		return 0;
	fp_grace(fp);
	for (size_t i = 0; i < fp->npz; i++) {
		int e = finish_zone(fp, fp->pz[i]);

		if (e && !err)
			err = e;
	}
	fp->npz = 0;
	return err;
}

void xdpmx_fp_set_deferred(struct xdpmx_fp *fp, bool on)
{
	fp->deferred = on;
}

/* Prepare step 4 of ops in z->pend, with `since` of the new versions;
 * queue_pending() puts z on the flush list once the switch is done. */
static int make_pending(struct xdpmx_fp *fp, struct fp_zone *z, const struct op *ops, size_t nops,
			uint32_t since)
{
	size_t n = 0, bytes = 0, off = 0;

	for (size_t i = 0; i < nops; i++) {
		if (ops[i].kind == OP_ADD)
			continue;
		n++;
		bytes += 2 + (size_t)op_name_len(&ops[i]);
	}
	if (!n)
		return 0;
	if (grow((void **)&fp->pz, &fp->cappz, fp->npz + 1, sizeof(*fp->pz)))
		return -ENOMEM;
	z->pend = malloc(n * sizeof(*z->pend));
	z->pend_keys = malloc(bytes);
	if (!z->pend || !z->pend_keys) {
		free(z->pend);
		free(z->pend_keys);
		z->pend = NULL;
		z->pend_keys = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < nops; i++) {
		const struct op *o = &ops[i];
		struct fp_pend *pe;

		if (o->kind == OP_ADD)
			continue;
		pe = &z->pend[z->npend++];
		pe->kb = z->pend_keys + off;
		pe->name_len = op_name_len(o);
		memcpy(pe->kb, op_kb(o), 2 + (size_t)pe->name_len);
		off += 2 + (size_t)pe->name_len;
		pe->kind = o->kind;
		pe->old_ref = o->old->ref;
		pe->ref = o->ref;
		pe->since = since;
		pe->slot = !o->old->slot;
	}
	return 0;
}

static void drop_pending(struct fp_zone *z)
{
	free(z->pend);
	free(z->pend_keys);
	z->pend = NULL;
	z->pend_keys = NULL;
	z->npend = 0;
}

/* make_pending() reserved the room in fp->pz. */
static void queue_pending(struct xdpmx_fp *fp, struct fp_zone *z)
{
	if (z->npend)
		fp->pz[fp->npz++] = z;
}

/* The new in-memory state of z: unchanged entries kept, ADD/CHG from c. */
static int build_state(struct fp_zone *z, const struct xdpmx_compiled *c, struct op *ops,
		       size_t nops, uint32_t since, struct fp_ent **oute, uint8_t **outb,
		       size_t *outn)
{
	size_t bytes = 0, n = 0, oi = 0, ci = 0, k = 0, off = 0;
	struct fp_ent *ne;
	uint8_t *nb;

	for (size_t i = 0; i < c->n; i++)
		bytes += 2 + (size_t)c->e[i].name_len + c->e[i].blob_len;
	ne = malloc((c->n ? c->n : 1) * sizeof(*ne));
	nb = malloc(bytes ? bytes : 1);
	if (!ne || !nb) {
		free(ne);
		free(nb);
		return -ENOMEM;
	}
	/* Walk new entries in order; ops are in the same merge order. */
	while (ci < c->n) {
		const struct xdpmx_centry *ce = &c->e[ci];
		struct fp_ent *e = &ne[n];
		size_t l = 2 + (size_t)ce->name_len + ce->blob_len;

		while (k < nops && ops[k].kind == OP_DEL)
			k++;
		while (oi < z->n && ce_ent_cmp(ce, &z->e[oi]) > 0)
			oi++;
		memcpy(nb + off, &ce->key, 2 + (size_t)ce->name_len);
		memcpy(nb + off + 2 + ce->name_len, ce->blob, ce->blob_len);
		if (k < nops && ops[k].ce == ce) {
			if (ops[k].conflict) {
				k++;
				ci++;
				continue;
			}
			*e = (struct fp_ent){.ref = ops[k].ref,
					     .since = since,
					     .slot = ops[k].kind == OP_ADD ? 0 : !ops[k].old->slot};
			k++;
		} else {
			*e = z->e[oi]; /* unchanged */
		}
		e->kb = nb + off;
		e->blob_len = ce->blob_len;
		e->name_len = ce->name_len;
		off += l;
		n++;
		ci++;
	}
	*oute = ne;
	*outb = nb;
	*outn = n;
	return 0;
}

static int check_compiled(const uint8_t *apex, size_t alen, const struct xdpmx_compiled *c)
{
	char buf[XDPMX_NAME_MAX * 4 + 2];

	for (size_t i = 0; i < c->n; i++) {
		const struct xdpmx_centry *e = &c->e[i];

		if (e->name_len == 0 || wire_len(e->key.name, e->name_len) != e->name_len ||
		    !name_in_zone(e->key.name, e->name_len, apex, alen) ||
		    xdpmx_blob_class(e->blob_len) < 0 ||
		    e->blob_len < sizeof(struct xdpmx_blob_hdr)) {
			pr_err("Couldn't apply zone %s: entry %zu is malformed or outside the zone",
			       name_str(apex, buf, sizeof(buf)), i);
			return -EINVAL;
		}
		if (i && xdpmx_centry_cmp(&c->e[i - 1], e) >= 0) {
			pr_err("Couldn't apply zone %s: entries are not sorted (entry %zu)",
			       name_str(apex, buf, sizeof(buf)), i);
			return -EINVAL;
		}
	}
	return 0;
}

/* Reserve blobs and check directory room before anything is written. */
static int reserve(struct xdpmx_fp *fp, const struct fp_zone *z, struct op *ops, size_t nops,
		   struct xdpmx_fp_apply_stats *st, bool may_flush)
{
	uint64_t need[XDPMX_BLOB_CLASSES] = {}, add[3] = {};
	char buf[XDPMX_NAME_MAX * 4 + 2];
	int full = -1;

	for (size_t i = 0; i < nops; i++) {
		ops[i].ref = XDPMX_BLOB_NONE;
		if (ops[i].conflict)
			continue;
		if (ops[i].kind != OP_DEL)
			need[xdpmx_blob_class(ops[i].ce->blob_len)]++;
		if (ops[i].kind == OP_ADD)
			add[op_dir(&ops[i])]++;
	}
	for (int d = 0; d < 3 && may_flush; d++)
		if (fp->dir_n[d] + add[d] > fp->dir_max[d])
			return -EAGAIN;
	for (int c = 0; c < XDPMX_BLOB_CLASSES && may_flush; c++)
		if (need[c] > fp->blobs[c].nfree)
			return -EAGAIN;
	for (int d = 0; d < 3; d++) {
		if (fp->dir_n[d] + add[d] > fp->dir_max[d]) {
			st->failed += fp->dir_n[d] + add[d] - fp->dir_max[d];
			pr_err("Couldn't apply zone %s: directory map '%s' is full (%llu of %u "
			       "entries used, %llu to add)",
			       name_str(z->apex, buf, sizeof(buf)), map_names[6 + d],
			       (unsigned long long)fp->dir_n[d], fp->dir_max[d],
			       (unsigned long long)add[d]);
			full = d;
		}
	}
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++) {
		if (need[c] > fp->blobs[c].nfree) {
			st->failed += need[c] - fp->blobs[c].nfree;
			pr_err("Couldn't apply zone %s: blob map '%s' is full (%u of %u free, %llu "
			       "needed)",
			       name_str(z->apex, buf, sizeof(buf)), map_names[9 + c],
			       fp->blobs[c].nfree, fp->blobs[c].max, (unsigned long long)need[c]);
			full = c;
		}
	}
	if (full >= 0)
		return -ENOSPC;
	for (size_t i = 0; i < nops; i++) {
		if (ops[i].kind != OP_DEL && !ops[i].conflict) {
			int c = xdpmx_blob_class(ops[i].ce->blob_len);

			ops[i].ref = XDPMX_BLOB_REF(c, ids_pop(&fp->blobs[c]));
		}
	}
	return 0;
}

/* Lowercase copy of the wire name at n; its length or 0 if malformed. */
static size_t canon_apex(uint8_t *dst, const uint8_t *n)
{
	size_t len = n ? wire_len(n, XDPMX_NAME_MAX) : 0;

	for (size_t i = 0; i < len; i++)
		dst[i] = n[i] >= 'A' && n[i] <= 'Z' ? n[i] + ('a' - 'A') : n[i];
	return len;
}

int xdpmx_fp_zone_apply(struct xdpmx_fp *fp, const uint8_t *apex_in, const struct xdpmx_compiled *c,
			struct xdpmx_fp_apply_stats *st)
{
	struct xdpmx_fp_apply_stats dummy;
	uint8_t apex[XDPMX_NAME_MAX + 1];
	size_t alen = canon_apex(apex, apex_in);
	struct fp_zone *z, *nz = NULL;
	struct op *ops = NULL;
	size_t nops = 0, oi = 0, ci = 0;
	struct fp_ent *ne = NULL;
	uint8_t *nb = NULL;
	size_t nn = 0;
	int err;

	if (!st)
		st = &dummy;
	memset(st, 0, sizeof(*st));
	if (!fp || !c || !alen)
		return -EINVAL;
	err = check_compiled(apex, alen, c);
	if (err)
		return err;

	z = zone_find(fp, apex, alen);
	if (!z) {
		if (!fp->ids.nfree) {
			pr_err("Couldn't add a zone: map '%s' is full (%u zones)", map_names[4],
			       fp->zones_max);
			st->failed = c->n;
			return -ENOSPC;
		}
		nz = z = calloc(1, sizeof(*z));
		if (!z)
			return -ENOMEM;
		memcpy(z->apex, apex, alen);
		z->apex_len = (uint8_t)alen;
		z->id = fp->ids.free[fp->ids.nfree - 1];
	}
	if (z->npend) {
		/* Its free version slots are still taken by the last apply. */
		err = xdpmx_fp_flush(fp);
		if (err)
			goto out;
	}
	if (z->epoch == UINT32_MAX) {
		pr_err("Couldn't apply zone: its epoch would wrap; remove and re-add it");
		err = -EOVERFLOW;
		goto out;
	}

	/* 1. diff: one merge pass over two sorted arrays */
	ops = malloc((z->n + c->n + 1) * sizeof(*ops));
	if (!ops) {
		err = -ENOMEM;
		goto out;
	}
	while (oi < z->n || ci < c->n) {
		int cmp = oi == z->n ? -1 : ci == c->n ? 1 : ce_ent_cmp(&c->e[ci], &z->e[oi]);
		struct op *o = &ops[nops];

		if (cmp < 0) {
			*o = (struct op){.ce = &c->e[ci++], .kind = OP_ADD};
			nops++;
			st->added++;
		} else if (cmp > 0) {
			*o = (struct op){.old = &z->e[oi++], .kind = OP_DEL};
			nops++;
			st->deleted++;
		} else {
			const struct fp_ent *e = &z->e[oi];

			if (e->blob_len == c->e[ci].blob_len &&
			    !memcmp(ent_blob(e), c->e[ci].blob, e->blob_len)) {
				st->unchanged++;
			} else {
				*o = (struct op){.ce = &c->e[ci], .old = e, .kind = OP_CHG};
				nops++;
				st->changed++;
			}
			oi++;
			ci++;
		}
	}
	st->zone_id = z->id;
	st->epoch = z->epoch;
	if (!nops && !nz)
		goto out; /* nothing changed: nothing written, epoch kept */

	/* 2. new blobs and invisible versions */
	find_conflicts(fp, z, ops, nops);
	err = reserve(fp, z, ops, nops, st, fp->npz > 0);
	if (err == -EAGAIN) {
		/* Deferred frees may make room. */
		err = xdpmx_fp_flush(fp);
		if (!err)
			err = reserve(fp, z, ops, nops, st, false);
	}
	if (err)
		goto out;
	err = write_blobs(fp, ops, nops);
	if (!err && nz) {
		struct xdpmx_zname zn = {};

		memcpy(zn.name, apex, alen);
		if (bpf_map_update_elem(fp->fds.znames, &z->id, &zn, BPF_ANY)) {
			err = -errno;
			pr_err("Couldn't write map '%s': %s", map_names[5],
			       err == -E2BIG ? "map is full" : strerror(-err));
		}
	}
	if (!err)
		err = write_dirs(fp, z, ops, nops);
	if (err) {
		rollback(fp, z, ops, nops);
		if (nz)
			bpf_map_delete_elem(fp->fds.znames, &z->id);
		if (err == -E2BIG)
			err = -ENOSPC;
		goto out;
	}
	/* Memory for after the switch, so nothing can fail once it is done. */
	err = make_pending(fp, z, ops, nops, z->epoch + 1);
	if (!err)
		err = build_state(z, c, ops, nops, z->epoch + 1, &ne, &nb, &nn);
	if (err) {
		drop_pending(z);
		rollback(fp, z, ops, nops);
		if (nz)
			bpf_map_delete_elem(fp->fds.znames, &z->id);
		goto out;
	}

	/* 3. the switch: one array update */
	{
		struct xdpmx_zone_val zv = {.epoch = z->epoch + 1};

		if (bpf_map_update_elem(fp->fds.zones, &z->id, &zv, BPF_ANY)) {
			err = -errno;
			pr_err("Couldn't bump the epoch of zone id %u in map '%s': %s", z->id,
			       map_names[4], strerror(-err));
			drop_pending(z);
			free(ne);
			free(nb);
			rollback(fp, z, ops, nops);
			if (nz)
				bpf_map_delete_elem(fp->fds.znames, &z->id);
			goto out;
		}
	}
	for (size_t i = 0; i < nops; i++)
		if (ops[i].kind == OP_ADD && !ops[i].conflict)
			fp->dir_n[op_dir(&ops[i])]++;
	z->epoch++;
	st->epoch = z->epoch;
	if (nz) {
		ids_pop(&fp->ids);
		fp->zt[z->id] = z;
		*zh_slot(fp, z->apex, z->apex_len) = z;
		fp->n_zones++;
		nz = NULL;
	}
	for (size_t i = 0; i < nops; i++) {
		if (ops[i].conflict) {
			st->conflicts++;
			st->added--;
		}
	}

	/* 4. after a grace period nobody reads the old versions: now, or at
	 * the next xdpmx_fp_flush() in deferred mode */
	queue_pending(fp, z);
	free(z->e);
	free(z->bytes);
	z->e = ne;
	z->bytes = nb;
	z->n = nn;
	if (!fp->deferred)
		err = xdpmx_fp_flush(fp);
out:
	free(ops);
	zone_free(nz);
	return err;
}

int xdpmx_fp_zone_remove(struct xdpmx_fp *fp, const uint8_t *apex_in)
{
	uint8_t apex[XDPMX_NAME_MAX + 1];
	size_t alen = canon_apex(apex, apex_in);
	struct xdpmx_zone_val zv = {.epoch = 0};
	struct fp_zone *z;
	struct op *ops;
	int err;

	if (!fp || !alen)
		return -EINVAL;
	z = zone_find(fp, apex, alen);
	if (!z)
		return -ENOENT;
	if (z->npend && (err = xdpmx_fp_flush(fp)))
		return err;
	if (bpf_map_update_elem(fp->fds.zones, &z->id, &zv, BPF_ANY)) {
		err = -errno;
		pr_err("Couldn't clear the epoch of zone id %u in map '%s': %s", z->id,
		       map_names[4], strerror(-err));
		return err;
	}
	/* Every entry of the zone is a miss from here on; after a grace
	 * period its keys and blobs go. */
	ops = malloc((z->n ? z->n : 1) * sizeof(*ops));
	if (!ops)
		return -ENOMEM;
	for (size_t i = 0; i < z->n; i++)
		ops[i] = (struct op){.old = &z->e[i], .kind = OP_DEL};
	err = make_pending(fp, z, ops, z->n, 0);
	free(ops);
	if (!err) {
		queue_pending(fp, z);
		err = xdpmx_fp_flush(fp);
	}
	bpf_map_delete_elem(fp->fds.znames, &z->id);
	zh_del(fp, z);
	fp->zt[z->id] = NULL;
	ids_push(&fp->ids, z->id);
	fp->n_zones--;
	zone_free(z);
	return err;
}

int xdpmx_fp_zone_list(struct xdpmx_fp *fp, const uint8_t ***apexes, size_t *n)
{
	const uint8_t **l = realloc(fp->list, (fp->n_zones + 1) * sizeof(*l));
	size_t k = 0;

	if (!l)
		return -ENOMEM;
	fp->list = l;
	for (uint32_t i = 0; i < fp->zones_max; i++)
		if (fp->zt[i] && fp->zt[i]->apex_len)
			l[k++] = fp->zt[i]->apex;
	*apexes = l;
	*n = k;
	return 0;
}

/* ---- cfg, stats, memory, dump -------------------------------------------------- */

int xdpmx_fp_cfg_get(struct xdpmx_fp *fp, struct xdpmx_cfg *cfg)
{
	uint32_t k = 0;

	if (bpf_map_lookup_elem(fp->fds.cfg, &k, cfg)) {
		int err = -errno;

		pr_err("Couldn't read map '%s': %s", map_names[0], strerror(-err));
		return err;
	}
	return 0;
}

int xdpmx_fp_cfg_set(struct xdpmx_fp *fp, const struct xdpmx_cfg *cfg)
{
	uint32_t k = 0;

	if (cfg->abi_version != XDPMX_ABI_VERSION) {
		pr_err("Couldn't write map '%s': ABI version %u, this build %u", map_names[0],
		       cfg->abi_version, XDPMX_ABI_VERSION);
		return -EPROTO;
	}
	if (bpf_map_update_elem(fp->fds.cfg, &k, cfg, BPF_ANY)) {
		int err = -errno;

		pr_err("Couldn't write map '%s': %s", map_names[0], strerror(-err));
		return err;
	}
	return 0;
}

#define N_STATS (XDPMX_IFACE_MAX * XDPMX_CNT__MAX)

int xdpmx_fp_stats_read(struct xdpmx_fp *fp, uint64_t (*out)[XDPMX_CNT__MAX])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *vals;
	int err = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc((size_t)N_STATS * ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	/* One lookup per key: 1536 syscalls, about a millisecond, and no
	 * reliance on batch support for per-CPU arrays. */
	for (uint32_t k = 0; k < N_STATS; k++) {
		if (bpf_map_lookup_elem(fp->fds.stats, &k, vals + (size_t)k * ncpu)) {
			err = -errno;
			pr_err("Couldn't read map '%s': %s", map_names[1], strerror(-err));
			goto out;
		}
	}
	for (uint32_t k = 0; k < N_STATS; k++) {
		uint64_t sum = 0;

		for (int c = 0; c < ncpu; c++)
			sum += vals[(size_t)k * ncpu + c];
		out[k / XDPMX_CNT__MAX][k % XDPMX_CNT__MAX] = sum;
	}
out:
	free(vals);
	return err;
}

int xdpmx_fp_stats_reset(struct xdpmx_fp *fp)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *zero;
	int err = 0;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	zero = calloc(ncpu, sizeof(*zero));
	if (!zero)
		return -ENOMEM;
	for (uint32_t k = 0; k < N_STATS; k++) {
		if (bpf_map_update_elem(fp->fds.stats, &k, zero, BPF_ANY)) {
			err = -errno;
			pr_err("Couldn't reset map '%s': %s", map_names[1], strerror(-err));
			break;
		}
	}
	free(zero);
	return err;
}

/* Kernel object sizes behind the estimate (docs/fastpath.md shows where
 * they come from and how the estimate compares with measurements). */
#define HTAB_ELEM_HDR 48 /* struct htab_elem up to key[] */
#define BPF_MA_HDR 8	 /* bpf_mem_alloc's llist_node before each object */
#define HTAB_BUCKET 16	 /* struct bucket: hlist_nulls_head + raw_spinlock_t */

static uint64_t round_up8(uint64_t x)
{
	return (x + 7) & ~7ULL;
}

/* The kmalloc size class an object of n bytes comes from. */
static uint64_t kmalloc_class(uint64_t n)
{
	static const uint64_t cls[] = {8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096};

	for (size_t i = 0; i < sizeof(cls) / sizeof(cls[0]); i++)
		if (n <= cls[i])
			return cls[i];
	return round_up8(n);
}

static uint64_t pow2_ge(uint64_t n)
{
	uint64_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* Cost of a hash map without preallocation holding n elements. */
static uint64_t htab_bytes(uint32_t max, uint32_t ksz, uint32_t vsz, uint64_t n)
{
	uint64_t elem = kmalloc_class(HTAB_ELEM_HDR + round_up8(ksz) + round_up8(vsz) + BPF_MA_HDR);

	return pow2_ge(max) * HTAB_BUCKET + n * elem;
}

int xdpmx_fp_mem(struct xdpmx_fp *fp, struct xdpmx_fp_mem *m)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t b = 0;

	memset(m, 0, sizeof(*m));
	if (ncpu <= 0)
		ncpu = 1;
	for (int d = 0; d < 3; d++) {
		m->entries[d] = fp->dir_n[d];
		m->max_entries[d] = fp->dir_max[d];
		b += htab_bytes(fp->dir_max[d], dir_key_size[d], sizeof(struct xdpmx_dir_val),
				fp->dir_n[d]);
	}
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++) {
		m->blobs[c] = fp->blobs[c].max - fp->blobs[c].nfree;
		m->max_blobs[c] = fp->blobs[c].max;
		b += (uint64_t)fp->blobs[c].max * round_up8(blob_value_size(c));
	}
	m->zones = 0;
	for (uint32_t i = 0; i < fp->zones_max; i++)
		m->zones += fp->zt[i] && fp->zt[i]->apex_len;
	b += (uint64_t)fp->zones_max * sizeof(struct xdpmx_zone_val);
	b += htab_bytes(fp->zones_max, 4, sizeof(struct xdpmx_zname), fp->n_zones);
	b += (uint64_t)N_STATS * 8 * ncpu + 8ULL * ncpu;
	b += XDPMX_IFACE_MAX * sizeof(struct xdpmx_iface) + sizeof(struct xdpmx_cfg);
	m->kernel_bytes = b;
	return 0;
}

int xdpmx_fp_dump(struct xdpmx_fp *fp, xdpmx_fp_dump_cb cb, void *ctx)
{
	uint8_t val[XDPMX_BLOB_MAX + XDPMX_BLOB_SLACK];

	/* Read from the maps, not from memory: this is what the program
	 * answers, whoever wrote it. */
	for (int d = 0; d < 3; d++) {
		LIBBPF_OPTS(bpf_map_batch_opts, o);
		size_t ksz = dir_key_size[d];
		uint8_t *keys = malloc(BATCH * ksz), batch[sizeof(struct xdpmx_key_l)];
		struct xdpmx_dir_val *vals = malloc(BATCH * sizeof(*vals));
		bool first = true;
		int ret = 0;

		if (!keys || !vals) {
			free(keys);
			free(vals);
			return -ENOMEM;
		}
		for (;;) {
			uint32_t cnt = BATCH;
			int e = bpf_map_lookup_batch(fp->fds.dir[d], first ? NULL : batch, batch,
						     keys, vals, &cnt, &o);

			if (e && e != -ENOENT) {
				pr_err("Couldn't read map '%s': %s", map_names[6 + d],
				       strerror(-e));
				ret = e;
				break;
			}
			first = false;
			for (uint32_t i = 0; i < cnt && !ret; i++) {
				const struct xdpmx_dir_val *v = &vals[i];
				struct xdpmx_zone_val zv;
				struct xdpmx_key_l key = {};
				struct xdpmx_blob_hdr h;
				uint32_t cls, idx;
				const uint8_t *apex;
				int best = -1;
				size_t len;

				if (bpf_map_lookup_elem(fp->fds.zones, &v->zone, &zv) || !zv.epoch)
					continue;
				for (int s = 0; s < 2; s++)
					if (v->ver[s].since && v->ver[s].since <= zv.epoch &&
					    (best < 0 || v->ver[s].since > v->ver[best].since))
						best = s;
				if (best < 0 || v->ver[best].blob == XDPMX_BLOB_NONE)
					continue;
				cls = XDPMX_BLOB_CLASS(v->ver[best].blob);
				idx = XDPMX_BLOB_INDEX(v->ver[best].blob);
				if (cls >= XDPMX_BLOB_CLASSES ||
				    bpf_map_lookup_elem(fp->fds.blob[cls], &idx, val))
					continue;
				memcpy(&h, val, sizeof(h));
				len = XDPMX_BLOB_AN_OFF(h.an_count) + h.an_len + h.ad_len;
				if (len > XDPMX_BLOB_SIZE(cls))
					len = XDPMX_BLOB_SIZE(cls);
				memcpy(&key, keys + i * ksz, ksz);
				apex = v->zone < fp->zones_max && fp->zt[v->zone] &&
						       fp->zt[v->zone]->apex_len
					       ? fp->zt[v->zone]->apex
					       : (const uint8_t *)"";
				ret = cb(apex, &key, (uint8_t)wire_len(key.name, ksz - 2), val,
					 (uint16_t)len, ctx);
			}
			if (ret || e == -ENOENT || cnt == 0)
				break;
		}
		free(keys);
		free(vals);
		if (ret)
			return ret;
	}
	return 0;
}
