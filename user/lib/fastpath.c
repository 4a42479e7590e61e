// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The fast-path map writer (contract and swap protocol in fastpath.h, map
 * layout in include/xdpmx/abi.h, the reasoning and the memory cost in
 * docs/fastpath.md).
 *
 * In memory, per zone: its id, its epoch, and the RRsets the program answers
 * at that epoch (key, directory slot, blob reference, version, blob bytes),
 * sorted as struct xdpmx_compiled so an apply is one merge pass. For the
 * directory: a mirror of what every slot holds (hash, qtype and length,
 * zone), which is where a new RRset's slot is chosen and where two RRsets
 * that the program could not tell apart are caught. Per blob class: a
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
#include <sys/random.h>

#include "fastpath.h"
#include "log.h"

/* Elements per batch syscall: large enough to amortise the syscall, small
 * enough that the key and value buffers stay in cache (1288 bytes per value
 * for the largest blob class). */
#define BATCH 1024

/* A grace period through the private map-in-map must take at least this
 * long, or the kernel did not wait (see fp_grace()). synchronize_rcu() on
 * an idle machine takes milliseconds; a plain map update a microsecond. */
#define GRACE_MIN_NS 20000
/* Fallback when the update does not block: programs run for microseconds,
 * so this is orders of magnitude longer than any run. */
#define GRACE_SLEEP_NS 50000000L

/* The directory takes new RRsets while at most 3/4 of its slots hold one:
 * beyond that the runs of used slots grow long enough that new names no
 * longer find a free slot within XDPMX_DIR_PROBE of their home. */
#define DIR_LOAD_NUM 3
#define DIR_LOAD_DEN 4

enum map_idx {
	M_CFG,
	M_STATS,
	M_ROT,
	M_IFACES,
	M_ZONES,
	M_ZNAMES,
	M_DIR,
	M_BLOB0,
};

static const char *const map_names[] = {
	XDPMX_STR(XDPMX_MAP_CFG),    XDPMX_STR(XDPMX_MAP_STATS), XDPMX_STR(XDPMX_MAP_ROT),
	XDPMX_STR(XDPMX_MAP_IFACES), XDPMX_STR(XDPMX_MAP_ZONES), XDPMX_STR(XDPMX_MAP_ZNAMES),
	XDPMX_STR(XDPMX_MAP_DIR),    XDPMX_STR(XDPMX_MAP_BLOB0), XDPMX_STR(XDPMX_MAP_BLOB1),
	XDPMX_STR(XDPMX_MAP_BLOB2),  XDPMX_STR(XDPMX_MAP_BLOB3), XDPMX_STR(XDPMX_MAP_BLOB4),
};
#define N_MAPS (sizeof(map_names) / sizeof(map_names[0]))

/* struct xdpmx_fp_fds seen as an array in map_names order. */
_Static_assert(sizeof(struct xdpmx_fp_fds) == N_MAPS * sizeof(int), "fds match map_names");
_Static_assert(M_BLOB0 + XDPMX_BLOB_CLASSES == N_MAPS, "blob maps come last");

static inline uint32_t blob_value_size(int c)
{
	return XDPMX_BLOB_SIZE(c) + XDPMX_BLOB_SLACK;
}

/* One RRset the program answers at the zone's epoch. */
struct fp_ent {
	uint8_t *kb;	/* qtype (network order), name; then the blob bytes */
	uint32_t ref;	/* XDPMX_BLOB_REF of the blob */
	uint32_t since; /* its version */
	uint32_t di;	/* its directory slot */
	uint16_t blob_len;
	uint8_t name_len;
	uint8_t slot; /* the ver[] entry holding it; the other one is empty */
};

static inline const uint8_t *ent_blob(const struct fp_ent *e)
{
	return e->kb + 2 + e->name_len;
}

enum op_kind { OP_ADD, OP_CHG, OP_DEL };

/* Step 4 of an apply, waiting for a grace period: a changed entry whose
 * old version and blob go, or a deleted entry whose slot and blob go. */
struct fp_pend {
	uint32_t di;	/* the directory slot */
	uint32_t ref;	/* CHG: the new blob */
	uint32_t since; /* CHG: the new version */
	uint32_t old_ref;
	uint8_t name_len;
	uint8_t kind; /* OP_CHG or OP_DEL */
	uint8_t slot; /* CHG: the new version's ver[] entry */
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
};

/* A stack of free indices; the lowest index on top. */
struct idstack {
	uint32_t max, nfree;
	uint32_t *free;
};

/* What the writer knows of one directory slot: what the kernel holds in
 * hash, tl and zone (the versions are in the zones' entries), and whether
 * the RRset in it was deleted and waits for step 4 to become a tombstone
 * (DSLOT_DYING, in zone). */
struct dslot {
	uint64_t hash;
	uint32_t tl;
	uint32_t zone;
};
#define DSLOT_DYING 0x80000000U
#define DSLOT_ZONE(d) ((d)->zone & ~DSLOT_DYING)

static inline bool dslot_empty(const struct dslot *d)
{
	return !d->tl && !d->hash;
}

static inline bool dslot_tomb(const struct dslot *d)
{
	return !d->tl && d->hash;
}

struct xdpmx_fp {
	struct xdpmx_fp_fds fds; /* owned */
	int grace_outer, grace_inner;
	int grace;	     /* enum grace_mode */
	bool deferred;	     /* step 4 waits for xdpmx_fp_flush() */
	struct fp_zone **pz; /* zones with step 4 pending */
	size_t npz, cappz;

	uint32_t zones_max;
	uint32_t dir_slots, dir_mask;	    /* dir_mask: cfg.dir_mask */
	uint64_t seed;			    /* cfg.hash_seed */
	struct dslot *dm;		    /* mirror of the directory, dir_slots long */
	uint64_t dir_used;		    /* slots holding an RRset (dying ones too) */
	uint64_t dir_tombs;		    /* tombstones */
	uint64_t dir_n[XDPMX_NAME_CLASSES]; /* RRsets by name-length class */
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
	free(z);
}

/* ---- the directory ---------------------------------------------------------- */

/* The name hash of a canonical wire name of len octets, as the program
 * computes it (abi.h: 8-octet words in host order, the last zero padded). */
static uint64_t name_hash(uint64_t seed, const uint8_t *name, size_t len)
{
	uint64_t h = seed;

	for (size_t o = 0; o < len; o += 8) {
		uint64_t w = 0;

		memcpy(&w, name + o, len - o < 8 ? len - o : 8);
		h = xdpmx_hash_step(h, w);
	}
	return h;
}

/* The hash and tl of an RRset key (qtype, then the name of name_len). */
static void key_hash(const struct xdpmx_fp *fp, const uint8_t *kb, uint8_t name_len, uint64_t *hash,
		     uint32_t *tl)
{
	uint16_t qtype_be;

	memcpy(&qtype_be, kb, 2);
	*hash = name_hash(fp->seed, kb + 2, name_len);
	*tl = XDPMX_DIR_TL(qtype_be, name_len);
}

static inline uint32_t dir_next(const struct xdpmx_fp *fp, uint32_t di)
{
	return (di + 1) & fp->dir_mask;
}

static inline uint32_t dir_prev(const struct xdpmx_fp *fp, uint32_t di)
{
	return (di - 1) & fp->dir_mask;
}

/*
 * Where a new RRset (hash, tl) goes: the first free slot (empty or
 * tombstone) from its home on. The probe goes on past that slot to the
 * first empty one, as far as the program would probe, to find an RRset
 * with the same (hash, tl): the program would find that one first.
 * Returns 0 and *di; -EEXIST and *di the slot of that RRset; -ENOSPC
 * when no slot within XDPMX_DIR_PROBE is free.
 *
 * A dying RRset with the same (hash, tl) (deleted, its slot a tombstone
 * after step 4) is no obstacle: the new one goes after it, so the program
 * keeps finding the old one until its deletion, misses the name until the
 * tombstone, then finds the new one.
 */
static int dir_place(const struct xdpmx_fp *fp, uint64_t hash, uint32_t tl, uint32_t *di)
{
	uint32_t s = (uint32_t)hash & fp->dir_mask;
	int64_t free_at = -1;

	for (int i = 0; i < XDPMX_DIR_PROBE; i++, s = dir_next(fp, s)) {
		const struct dslot *d = &fp->dm[s];

		if (d->tl == tl && d->hash == hash) {
			if (!(d->zone & DSLOT_DYING)) {
				*di = s;
				return -EEXIST;
			}
			free_at = -1;
			continue;
		}
		if (!d->tl && free_at < 0)
			free_at = s;
		if (dslot_empty(d))
			break;
	}
	if (free_at < 0)
		return -ENOSPC;
	*di = (uint32_t)free_at;
	return 0;
}

/* Whether the program finds the RRset in slot di: no empty slot and no
 * other slot with the same (hash, tl) between its home and di, and di
 * within XDPMX_DIR_PROBE of its home. */
static bool dir_reachable(const struct xdpmx_fp *fp, uint32_t di)
{
	const struct dslot *t = &fp->dm[di];
	uint32_t s = (uint32_t)t->hash & fp->dir_mask;

	for (int i = 0; i < XDPMX_DIR_PROBE; i++, s = dir_next(fp, s)) {
		const struct dslot *d = &fp->dm[s];

		if (s == di)
			return true;
		if (dslot_empty(d) || (d->tl == t->tl && d->hash == t->hash))
			return false;
	}
	return false;
}

/* The kernel value of slot di: the mirror's hash, tl and zone, and the
 * versions given. */
static struct xdpmx_dir_slot slot_val(const struct xdpmx_fp *fp, uint32_t di, struct xdpmx_ver v0,
				      struct xdpmx_ver v1)
{
	const struct dslot *d = &fp->dm[di];

	return (struct xdpmx_dir_slot){
		.hash = d->hash, .tl = d->tl, .zone = DSLOT_ZONE(d), .ver = {v0, v1}};
}

/* A batch of directory slots to write: index and value each. */
struct slot_batch {
	uint32_t n;
	uint32_t key[BATCH];
	struct xdpmx_dir_slot val[BATCH];
};

/* Write the slots queued in b (in order: a later write of a slot wins) and
 * empty it. Returns 0 or the error of the update, logged with what. */
static int slots_flush(struct xdpmx_fp *fp, struct slot_batch *b, const char *what)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t cnt = b->n;
	int err = b->n ? bpf_map_update_batch(fp->fds.dir, b->key, b->val, &cnt, &o) : 0;

	if (err)
		pr_err("Couldn't %s in map '%s': %s", what, map_names[M_DIR], strerror(-err));
	b->n = 0;
	return err;
}

/* Queue a write of slot di; writes the batch out when it is full. */
static int slots_add(struct xdpmx_fp *fp, struct slot_batch *b, uint32_t di,
		     const struct xdpmx_dir_slot *v, const char *what)
{
	b->key[b->n] = di;
	b->val[b->n++] = *v;
	return b->n == BATCH ? slots_flush(fp, b, what) : 0;
}

/*
 * Tombstones that no probe needs any more become empty: a tombstone
 * followed by an empty slot is walked past by no RRset's probe (the RRsets
 * behind it would have to lie beyond that empty slot), so it and the
 * tombstones before it can go. Checks the tombstone at di (0 <= di, or
 * every slot when all is set) in the mirror and queues the writes.
 */
static int tombs_sweep(struct xdpmx_fp *fp, struct slot_batch *b, uint32_t di, bool all)
{
	const struct xdpmx_dir_slot empty = {0};
	uint32_t n = all ? fp->dir_slots : 1;

	for (uint32_t k = 0; k < n; k++) {
		uint32_t s = all ? k : di;

		if (!dslot_tomb(&fp->dm[s]) || !dslot_empty(&fp->dm[dir_next(fp, s)]))
			continue;
		for (uint32_t left = fp->dir_slots; left && dslot_tomb(&fp->dm[s]); left--) {
			int err;

			fp->dm[s] = (struct dslot){0};
			fp->dir_tombs--;
			err = slots_add(fp, b, s, &empty, "clear tombstones");
			if (err)
				return err;
			s = dir_prev(fp, s);
		}
	}
	return 0;
}

uint32_t xdpmx_fp_dir_slots(uint32_t rrsets)
{
	uint64_t want = 2 * (uint64_t)rrsets, slots = XDPMX_DIR_PROBE;

	while (slots < want && slots < (1ULL << 31))
		slots <<= 1;
	return (uint32_t)slots;
}

/* ---- map helpers ------------------------------------------------------------ */

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
	uint32_t type, key, value;
	uint32_t max; /* 0: any */
};

static int check_shapes(struct xdpmx_fp *fp, const char *where)
{
	const struct shape want[N_MAPS] = {
		[M_CFG] = {BPF_MAP_TYPE_ARRAY, 4, sizeof(struct xdpmx_cfg), 1},
		[M_STATS] = {BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, XDPMX_IFACE_MAX * XDPMX_CNT__MAX},
		[M_ROT] = {BPF_MAP_TYPE_PERCPU_ARRAY, 4, 4, 1},
		[M_IFACES] = {BPF_MAP_TYPE_ARRAY, 4, sizeof(struct xdpmx_iface), XDPMX_IFACE_MAX},
		[M_ZONES] = {BPF_MAP_TYPE_ARRAY, 4, sizeof(struct xdpmx_zone_val), 0},
		[M_ZNAMES] = {BPF_MAP_TYPE_HASH, 4, sizeof(struct xdpmx_zname), 0},
		[M_DIR] = {BPF_MAP_TYPE_ARRAY, 4, sizeof(struct xdpmx_dir_slot), 0},
		[M_BLOB0] = {BPF_MAP_TYPE_ARRAY, 4, XDPMX_BLOB_SIZE(0) + XDPMX_BLOB_SLACK, 0},
		[M_BLOB0 + 1] = {BPF_MAP_TYPE_ARRAY, 4, XDPMX_BLOB_SIZE(1) + XDPMX_BLOB_SLACK, 0},
		[M_BLOB0 + 2] = {BPF_MAP_TYPE_ARRAY, 4, XDPMX_BLOB_SIZE(2) + XDPMX_BLOB_SLACK, 0},
		[M_BLOB0 + 3] = {BPF_MAP_TYPE_ARRAY, 4, XDPMX_BLOB_SIZE(3) + XDPMX_BLOB_SLACK, 0},
		[M_BLOB0 + 4] = {BPF_MAP_TYPE_ARRAY, 4, XDPMX_BLOB_SIZE(4) + XDPMX_BLOB_SLACK, 0},
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
			       "key %u, value %u, max_entries %u; this build wants type %u, key "
			       "%u, value %u): unload with --purge",
			       map_names[i], where, info.type, info.key_size, info.value_size,
			       info.max_entries, want[i].type, want[i].key, want[i].value);
			return -EPROTO;
		}
		if (i == M_ZONES)
			fp->zones_max = info.max_entries;
		else if (i == M_DIR)
			fp->dir_slots = info.max_entries;
		else if (i >= M_BLOB0)
			fp->blobs[i - M_BLOB0].max = info.max_entries;
	}
	if (fp->zones_max > 0x10000000U) {
		pr_err("Couldn't use map '%s'%s: %u zones is more than the writer supports",
		       map_names[M_ZONES], where, fp->zones_max);
		return -EPROTO;
	}
	if (fp->dir_slots < XDPMX_DIR_PROBE || (fp->dir_slots & (fp->dir_slots - 1))) {
		pr_err("Couldn't use map '%s'%s: %u slots is not a power of two of at least %u",
		       map_names[M_DIR], where, fp->dir_slots, XDPMX_DIR_PROBE);
		return -EPROTO;
	}
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++) {
		if (fp->blobs[c].max > 0x10000000U) {
			pr_err("Couldn't use map '%s'%s: %u entries do not fit a blob reference",
			       map_names[M_BLOB0 + c], where, fp->blobs[c].max);
			return -EPROTO;
		}
	}
	return 0;
}

/* What map_scan() calls for each element: 0 to go on, else a value that
 * stops the scan. */
typedef int (*scan_fn)(void *ctx, uint32_t key, const void *val);

/*
 * Call fn for every element of map m (index into map_names; fd fd; 4-byte
 * keys, values of vsz bytes), reading n elements per batch syscall. Returns
 * 0; fn's first non-zero value, where the scan stopped; -ENOMEM; or the
 * error of a read, logged.
 */
static int map_scan(int fd, int m, uint32_t n, size_t vsz, scan_fn fn, void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, o);
	uint32_t *keys = malloc(n * sizeof(*keys)), out = 0;
	uint8_t *vals = malloc(n * vsz);
	bool first = true;
	int ret = 0;

	if (!keys || !vals) {
		ret = -ENOMEM;
		goto out;
	}
	while (!ret) {
		uint32_t cnt = n;
		int e = bpf_map_lookup_batch(fd, first ? NULL : &out, &out, keys, vals, &cnt, &o);

		if (e && e != -ENOENT) {
			pr_err("Couldn't read map '%s': %s", map_names[m], strerror(-e));
			ret = e;
			break;
		}
		first = false;
		for (uint32_t i = 0; i < cnt && !ret; i++)
			ret = fn(ctx, keys[i], vals + (size_t)i * vsz);
		if (e == -ENOENT || cnt == 0)
			break;
	}
out:
	free(keys);
	free(vals);
	return ret;
}

/* What the takeover keeps of a directory slot (e.di). */
struct tk_ent {
	uint32_t zone;
	struct fp_ent e;
};

struct takeover {
	struct xdpmx_fp *fp;
	struct tk_ent *ents;
	size_t n, cap;
	struct slot_batch *b; /* the slots to rewrite or to turn into tombstones */
	size_t ndel, nrw;
	uint8_t *id_used;			/* zones_max long */
	uint8_t *blob_used[XDPMX_BLOB_CLASSES]; /* blobs[c].max long each */
	uint32_t *del_ids;			/* znames of zones that are not live */
	size_t ndel_ids, capdel_ids;
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

/* Turn the RRset in slot di into a tombstone, in the mirror and (queued)
 * in the map. */
static int dir_kill(struct xdpmx_fp *fp, struct slot_batch *b, uint32_t di, const char *what)
{
	const struct xdpmx_dir_slot tomb = {.hash = XDPMX_DIR_TOMB, .zone = XDPMX_ZONE_NONE};

	fp->dm[di] = (struct dslot){.hash = XDPMX_DIR_TOMB, .zone = XDPMX_ZONE_NONE};
	fp->dir_used--;
	fp->dir_tombs++;
	return slots_add(fp, b, di, &tomb, what);
}

/* The ver[] entry of slot v that the program answers from at epoch (as
 * pick_version() in bpf/xdpmx.bpf.c): the largest since <= epoch; -1 if
 * there is none or that version is a deletion. */
static int live_ver(const struct xdpmx_dir_slot *v, uint32_t epoch)
{
	int best = -1;

	for (int s = 0; s < 2; s++)
		if (v->ver[s].since && v->ver[s].since <= epoch &&
		    (best < 0 || v->ver[s].since > v->ver[best].since))
			best = s;
	return best >= 0 && v->ver[best].blob != XDPMX_BLOB_NONE ? best : -1;
}

/* Where the owner name ends the blob val (an array value of class cls),
 * from the blob's header: 0 and *off when an owner name of len octets fits
 * there and is a well-formed name; -1 otherwise (the program aborts on
 * such a blob, or misses). */
static int blob_owner(const uint8_t *val, int cls, size_t len, size_t *off)
{
	struct xdpmx_blob_hdr h;

	memcpy(&h, val, sizeof(h));
	*off = XDPMX_BLOB_OWNER_OFF(h.an_count, h.an_len, h.ad_len);
	if (*off + len > XDPMX_BLOB_SIZE(cls) || wire_len(val + *off, len) != len)
		return -1;
	return 0;
}

/* One element of map zones (map_scan()): a live zone gets its struct. */
static int tk_zone(void *ctx, uint32_t id, const void *val)
{
	struct takeover *tk = ctx;
	struct xdpmx_fp *fp = tk->fp;
	const struct xdpmx_zone_val *zv = val;
	struct fp_zone *z;

	if (!zv->epoch || id == XDPMX_ZONE_NONE || id >= fp->zones_max)
		return 0;
	z = calloc(1, sizeof(*z));
	if (!z)
		return -ENOMEM;
	z->id = id;
	z->epoch = zv->epoch;
	fp->zt[id] = z;
	tk->id_used[id] = 1;
	return 0;
}

/* One element of map znames (map_scan()): the apex of a live zone, or the
 * name of a dead one, deleted once the takeover is done. */
static int tk_zname(void *ctx, uint32_t id, const void *val)
{
	struct takeover *tk = ctx;
	const struct xdpmx_zname *zn = val;
	struct fp_zone *z = id < tk->fp->zones_max ? tk->fp->zt[id] : NULL;
	size_t len = wire_len(zn->name, sizeof(zn->name));

	if (!z || !len) {
		if (grow((void **)&tk->del_ids, &tk->capdel_ids, tk->ndel_ids + 1,
			 sizeof(*tk->del_ids)))
			return -ENOMEM;
		tk->del_ids[tk->ndel_ids++] = id;
		return 0;
	}
	memcpy(z->apex, zn->name, len);
	z->apex_len = (uint8_t)len;
	return 0;
}

/* One slot of map dir (map_scan()). */
static int tk_slot(void *ctx, uint32_t di, const void *val)
{
	struct takeover *tk = ctx;
	struct xdpmx_fp *fp = tk->fp;
	const struct xdpmx_dir_slot *v = val;
	struct fp_zone *z = v->zone && v->zone < fp->zones_max ? fp->zt[v->zone] : NULL;
	uint32_t cls, idx, len = XDPMX_DIR_TL_LEN(v->tl);
	struct tk_ent *te;
	int best;

	if (di >= fp->dir_slots)
		return 0;
	if (!v->tl) {
		if (v->hash) {
			fp->dm[di] = (struct dslot){.hash = XDPMX_DIR_TOMB};
			fp->dir_tombs++;
		}
		return 0;
	}
	fp->dm[di] = (struct dslot){.hash = v->hash, .tl = v->tl, .zone = v->zone};
	fp->dir_used++;
	/* Unreachable (no live zone) or a miss already: dropping it changes
	 * no answer. */
	if (!z || len == 0 || len > XDPMX_NAME_MAX)
		goto drop;
	best = live_ver(v, z->epoch);
	if (best < 0)
		goto drop;
	cls = XDPMX_BLOB_CLASS(v->ver[best].blob);
	idx = XDPMX_BLOB_INDEX(v->ver[best].blob);
	if (cls >= XDPMX_BLOB_CLASSES || idx >= fp->blobs[cls].max) {
		pr_warn("Directory slot %u points at blob %#x, outside the blob maps: the program "
			"aborts on it; left alone",
			di, v->ver[best].blob);
		return 0;
	}
	if (tk->blob_used[cls][idx])
		pr_warn("Directory slot %u shares blob %#x with another slot: kept, but the maps "
			"were not written by this writer",
			di, v->ver[best].blob);
	tk->blob_used[cls][idx] = 1;
	if (v->ver[!best].since || v->ver[!best].blob) {
		/* An old version, or one of an apply that never completed:
		 * invisible to the program, dropped. */
		struct xdpmx_dir_slot nv = *v;
		int err;

		nv.ver[!best] = (struct xdpmx_ver){0};
		err = slots_add(fp, tk->b, di, &nv, "drop stale versions");
		if (err)
			return err;
		tk->nrw++;
	}
	if (grow((void **)&tk->ents, &tk->cap, tk->n + 1, sizeof(*tk->ents)))
		return -ENOMEM;
	te = &tk->ents[tk->n++];
	te->zone = v->zone;
	/* kb comes from the blob (the owner name ends it). */
	te->e = (struct fp_ent){.ref = v->ver[best].blob,
				.since = v->ver[best].since,
				.di = di,
				.name_len = (uint8_t)len,
				.slot = (uint8_t)best};
	return 0;
drop:
	tk->ndel++;
	return dir_kill(fp, tk->b, di, "delete dead slots");
}

/* Keep entry i's key and blob bytes (val: the blob's array value), the key
 * from the owner name that ends the blob. Returns 0, 1 when the blob's
 * owner is not one the program would find in that slot (the entry is
 * dropped), or -ENOMEM. */
static int tk_keep_blob(struct takeover *tk, size_t i, const uint8_t *val)
{
	struct fp_ent *e = &tk->ents[i].e;
	const struct dslot *d = &tk->fp->dm[e->di];
	uint16_t qtype_be = XDPMX_DIR_TL_QTYPE(d->tl);
	const uint8_t *owner;
	size_t off;

	if (blob_owner(val, (int)XDPMX_BLOB_CLASS(e->ref), e->name_len, &off))
		return 1;
	owner = val + off;
	if (name_hash(tk->fp->seed, owner, e->name_len) != d->hash)
		return 1;
	for (size_t k = 0; k < e->name_len; k++)
		if (owner[k] >= 'A' && owner[k] <= 'Z') /* the program hashes lowercase */
			return 1;
	e->blob_len = (uint16_t)(off + e->name_len);
	e->kb = malloc(2 + (size_t)e->name_len + e->blob_len);
	if (!e->kb)
		return -ENOMEM;
	memcpy(e->kb, &qtype_be, 2);
	memcpy(e->kb + 2, owner, e->name_len);
	memcpy(e->kb + 2 + e->name_len, val, e->blob_len);
	return 0;
}

/* Blob class read whole by tk_read_blobs(): owner[idx] is the first entry
 * of blob idx (UINT32_MAX: none), same[i] the next entry of entry i's. */
struct tk_class {
	struct takeover *tk;
	uint32_t *owner, *same, max;
};

/* One element of a blob map read whole (map_scan()). */
static int tk_blob(void *ctx, uint32_t idx, const void *val)
{
	const struct tk_class *tc = ctx;
	int err = 0;

	for (uint32_t i = idx < tc->max ? tc->owner[idx] : UINT32_MAX; i != UINT32_MAX && err >= 0;
	     i = tc->same[i])
		err = tk_keep_blob(tc->tk, i, val);
	return err < 0 ? err : 0;
}

/*
 * Read back the blob of every kept entry. A class with a quarter or more of
 * its slots in use is read whole in batches (a million lookups one by one
 * take over a second); a sparser one blob by blob. An entry whose blob does
 * not end with the owner the slot was hashed from keeps e.kb NULL.
 */
static int tk_read_blobs(struct xdpmx_fp *fp, struct takeover *tk)
{
	uint8_t val[XDPMX_BLOB_MAX + XDPMX_BLOB_SLACK];
	size_t used[XDPMX_BLOB_CLASSES] = {};
	uint32_t *owner[XDPMX_BLOB_CLASSES] = {};
	/* entries of one blob (slots sharing it: warned about in tk_slot()) */
	uint32_t *same = malloc((tk->n ? tk->n : 1) * sizeof(*same));
	int err = 0;

	if (!same)
		return -ENOMEM;
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
			same[i] = owner[c][idx];
			owner[c][idx] = (uint32_t)i;
			continue;
		}
		if (bpf_map_lookup_elem(fp->fds.blob[c], &idx, val)) {
			err = -errno;
			pr_err("Couldn't read blob %u of map '%s': %s", idx, map_names[M_BLOB0 + c],
			       strerror(-err));
			goto out;
		}
		if ((err = tk_keep_blob(tk, i, val)) < 0)
			goto out;
		err = 0;
	}
	for (int c = 0; c < XDPMX_BLOB_CLASSES && !err; c++) {
		struct tk_class tc = {tk, owner[c], same, fp->blobs[c].max};

		if (owner[c])
			err = map_scan(fp->fds.blob[c], M_BLOB0 + c, 256, blob_value_size(c),
				       tk_blob, &tc);
	}
out:
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
		free(owner[c]);
	free(same);
	return err < 0 ? err : 0;
}

/* Drop the kept entries the program would not answer from: a blob whose
 * owner is not what the slot was hashed from (e.kb NULL), or a slot the
 * program's probe never reaches. The first pass turns the former into
 * tombstones, which keeps every probe that walked past them intact. */
static int tk_verify(struct xdpmx_fp *fp, struct takeover *tk)
{
	size_t k = 0;
	int err = 0;

	for (int pass = 0; pass < 2 && !err; pass++) {
		for (size_t i = 0; i < tk->n && !err; i++) {
			struct fp_ent *e = &tk->ents[i].e;
			char buf[XDPMX_NAME_MAX * 4 + 2];

			if (!e->name_len) /* dropped by the first pass */
				continue;
			if (pass == 0 ? e->kb != NULL : dir_reachable(fp, e->di))
				continue;
			if (e->kb)
				pr_warn("Directory slot %u (%s, type %u) is not where the program "
					"looks for it: dropped",
					e->di, name_str(e->kb + 2, buf, sizeof(buf)),
					ntohs(*(const uint16_t *)e->kb));
			else
				pr_warn("Directory slot %u does not match the owner name of its "
					"blob: dropped",
					e->di);
			free(e->kb);
			e->kb = NULL;
			e->name_len = 0; /* marks it dropped */
			tk->ndel++;
			err = dir_kill(fp, tk->b, e->di, "delete unreachable slots");
		}
	}
	/* Keep the rest. */
	for (size_t i = 0; i < tk->n; i++)
		if (tk->ents[i].e.name_len)
			tk->ents[k++] = tk->ents[i];
	tk->n = k;
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
			bytes += 2 + (size_t)tk->ents[j].e.name_len + tk->ents[j].e.blob_len;
			j++;
		}
		z->e = malloc((j - i) * sizeof(*z->e));
		z->bytes = malloc(bytes ? bytes : 1);
		if (!z->e || !z->bytes)
			return -ENOMEM;
		for (size_t k = i; k < j; k++) {
			struct fp_ent *e = &tk->ents[k].e;
			size_t l = 2 + (size_t)e->name_len + e->blob_len;

			memcpy(z->bytes + off, e->kb, l);
			free(e->kb);
			e->kb = NULL;
			z->e[z->n] = *e;
			z->e[z->n].kb = z->bytes + off;
			z->n++;
			fp->dir_n[xdpmx_name_class(e->name_len)]++;
			off += l;
		}
		i = j;
	}
	return 0;
}

static void tk_free(struct takeover *tk)
{
	for (size_t i = 0; i < tk->n; i++)
		free(tk->ents[i].e.kb);
	free(tk->ents);
	free(tk->b);
	free(tk->id_used);
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
		free(tk->blob_used[c]);
	free(tk->del_ids);
}

/* Rebuild the zone table, the directory mirror and the allocators from the
 * maps. */
static int fp_takeover(struct xdpmx_fp *fp)
{
	struct takeover tk = {.fp = fp};
	int err = -ENOMEM;

	tk.id_used = calloc(fp->zones_max, 1);
	tk.b = malloc(sizeof(*tk.b));
	if (!tk.id_used || !tk.b)
		goto out;
	tk.b->n = 0;
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
		if (!(tk.blob_used[c] = calloc(fp->blobs[c].max, 1)))
			goto out;

	tk.id_used[XDPMX_ZONE_NONE] = 1; /* never a zone's: free slots point at it */
	err = map_scan(fp->fds.zones, M_ZONES, BATCH, sizeof(struct xdpmx_zone_val), tk_zone, &tk);
	/* Names of live zones; names of dead ones are deleted. */
	if (!err)
		err = map_scan(fp->fds.znames, M_ZNAMES, 64, sizeof(struct xdpmx_zname), tk_zname,
			       &tk);
	if (err)
		goto out;
	for (uint32_t id = 0; id < fp->zones_max; id++) {
		struct fp_zone *z = fp->zt[id];

		if (!z)
			continue;
		fp->n_zones++;
		if (!z->apex_len) {
			pr_warn("Zone id %u is live in map '%s' but has no name in '%s': its "
				"entries "
				"are kept as they are and the id is not reused",
				id, map_names[M_ZONES], map_names[M_ZNAMES]);
			continue;
		}
		*zh_slot(fp, z->apex, z->apex_len) = z;
	}

	err = map_scan(fp->fds.dir, M_DIR, BATCH, sizeof(struct xdpmx_dir_slot), tk_slot, &tk);
	if (!err)
		err = tk_read_blobs(fp, &tk);
	if (!err)
		err = tk_verify(fp, &tk);
	if (!err)
		err = tk_distribute(fp, &tk);
	if (err)
		goto out;
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++) {
		free(fp->blobs[c].free);
		err = ids_init(&fp->blobs[c], fp->blobs[c].max, tk.blob_used[c]);
		if (err)
			goto out;
	}
	free(fp->ids.free);
	err = ids_init(&fp->ids, fp->zones_max, tk.id_used);
	if (err)
		goto out;
	/* The dropped slots and versions, then tombstones nothing needs. */
	err = tombs_sweep(fp, tk.b, 0, true);
	if (!err)
		err = slots_flush(fp, tk.b, "clean up the directory");
	if (err)
		goto out;
	if (tk.ndel || tk.nrw)
		pr_info("Took over map '%s': dropped %zu dead or unreachable slots, stale versions "
			"of %zu",
			map_names[M_DIR], tk.ndel, tk.nrw);
	for (size_t i = 0; i < tk.ndel_ids; i++)
		bpf_map_delete_elem(fp->fds.znames, &tk.del_ids[i]);
	/* Blobs only the dropped versions pointed at are free now; a program
	 * that started before the previous writer died may still read one. */
	if (tk.ndel || tk.nrw)
		fp_grace(fp);
	err = 0;
out:
	tk_free(&tk);
	return err;
}

/* A random seed for the name hash; time and pid if the kernel has no
 * random bytes to give (it is not a secret key, only hard to guess). */
static uint64_t new_seed(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) == (ssize_t)sizeof(s))
		return s;
	pr_warn("Couldn't read random bytes for the directory's hash seed: %s; using the time",
		strerror(errno));
	return (now_ns() * XDPMX_HASH_MUL) ^ ((uint64_t)getpid() << 32);
}

/*
 * How the directory is hashed: cfg.dir_mask and cfg.hash_seed. Maps the
 * loader has just created carry zeros: then this writer picks a seed and
 * writes both, before anything is in the directory (a program that read
 * the zeros finds nothing either way). Otherwise they are the ones the
 * directory was filled with and stay.
 */
static int fp_dir_init(struct xdpmx_fp *fp, struct xdpmx_cfg *cfg, const char *where)
{
	uint32_t k = 0;

	if (cfg->dir_mask == fp->dir_slots - 1) {
		fp->dir_mask = cfg->dir_mask;
		fp->seed = cfg->hash_seed;
		return 0;
	}
	if (cfg->dir_mask || cfg->hash_seed) {
		pr_err("Couldn't use the maps%s: cfg hashes into %u directory slots, map '%s' has "
		       "%u: unload with --purge",
		       where, cfg->dir_mask + 1, map_names[M_DIR], fp->dir_slots);
		return -EPROTO;
	}
	fp->dir_mask = fp->dir_slots - 1;
	fp->seed = new_seed();
	cfg->dir_mask = fp->dir_mask;
	cfg->hash_seed = fp->seed;
	if (bpf_map_update_elem(fp->fds.cfg, &k, cfg, BPF_ANY)) {
		int err = -errno;

		pr_err("Couldn't write map '%s'%s: %s", map_names[M_CFG], where, strerror(-err));
		return err;
	}
	return 0;
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
		pr_err("Couldn't read map '%s'%s: %s", map_names[M_CFG], where, strerror(-err));
		return err;
	}
	if (cfg.abi_version && cfg.abi_version != XDPMX_ABI_VERSION) {
		pr_err("Couldn't use the maps%s: they carry ABI version %u, this build %u: unload "
		       "with --purge",
		       where, cfg.abi_version, XDPMX_ABI_VERSION);
		return -EPROTO;
	}
	err = fp_dir_init(fp, &cfg, where);
	if (err)
		return err;
	fp->zt = calloc(fp->zones_max, sizeof(*fp->zt));
	for (fp->zh_cap = 64; fp->zh_cap < 2 * (size_t)fp->zones_max;)
		fp->zh_cap *= 2;
	fp->zh = calloc(fp->zh_cap, sizeof(*fp->zh));
	fp->dm = calloc(fp->dir_slots, sizeof(*fp->dm));
	if (!fp->zt || !fp->zh || !fp->dm)
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
	free(fp->dm);
	free(fp->list);
	free(fp);
}

/* ---- apply -------------------------------------------------------------------- */

/* Why an ADD is not written: the slow path answers those RRsets. */
enum op_skip {
	SKIP_NONE = 0,
	SKIP_CONFLICT = 1, /* another RRset has its (hash, tl): st->conflicts */
	SKIP_UNPLACED = 2, /* no free slot within reach: st->unplaced */
};

struct op {
	const struct xdpmx_centry *ce; /* new (ADD, CHG) */
	const struct fp_ent *old;      /* old (CHG, DEL) */
	uint32_t ref;		       /* new blob (ADD, CHG) */
	uint32_t di;		       /* directory slot (ADD: once placed) */
	uint8_t kind;
	uint8_t skip;	  /* enum op_skip (ADD only) */
	uint8_t placed;	  /* ADD: di is taken in the mirror */
	uint8_t was_tomb; /* ADD: di was a tombstone before */
	uint8_t written;  /* its directory slot was written */
};

static int ce_ent_cmp(const struct xdpmx_centry *c, const struct fp_ent *e)
{
	if (c->name_len != e->name_len)
		return c->name_len < e->name_len ? -1 : 1;
	return memcmp(&c->key, e->kb, 2 + (size_t)c->name_len);
}

static const uint8_t *op_kb(const struct op *o)
{
	return o->ce ? (const uint8_t *)&o->ce->key : o->old->kb;
}

static uint8_t op_name_len(const struct op *o)
{
	return o->ce ? o->ce->name_len : o->old->name_len;
}

/* The directory slot value while the new version is invisible (step 2). */
static struct xdpmx_dir_slot op_pending_val(const struct xdpmx_fp *fp, const struct fp_zone *z,
					    const struct op *o)
{
	struct xdpmx_ver nv = {z->epoch + 1, o->kind == OP_DEL ? XDPMX_BLOB_NONE : o->ref};
	struct xdpmx_ver ov, none = {0};

	if (o->kind == OP_ADD)
		return slot_val(fp, o->di, nv, none);
	ov = (struct xdpmx_ver){o->old->since, o->old->ref};
	return o->old->slot ? slot_val(fp, o->di, nv, ov) : slot_val(fp, o->di, ov, nv);
}

/* The directory slot value with only the version of e (what it holds at
 * rest, and what a rollback puts back). */
static struct xdpmx_dir_slot ent_val(const struct xdpmx_fp *fp, const struct fp_ent *e)
{
	struct xdpmx_ver v = {e->since, e->ref}, none = {0};

	return e->slot ? slot_val(fp, e->di, none, v) : slot_val(fp, e->di, v, none);
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
					       map_names[M_BLOB0 + c], strerror(-err));
				n = 0;
			}
		}
	}
out:
	free(vals);
	free(keys);
	return err;
}

/* Step 2 for the directory, batched: every op that is not skipped, its
 * new version invisible until the switch. Marks what was written. */
static int write_slots(struct xdpmx_fp *fp, const struct fp_zone *z, struct op *ops, size_t nops)
{
	struct slot_batch *b = malloc(sizeof(*b));
	size_t idx[BATCH];
	int err = 0;

	if (!b)
		return -ENOMEM;
	b->n = 0;
	for (size_t i = 0; i <= nops && !err; i++) {
		uint32_t done;

		if (i < nops && !ops[i].skip) {
			b->key[b->n] = ops[i].di;
			b->val[b->n] = op_pending_val(fp, z, &ops[i]);
			idx[b->n++] = i;
		}
		if (!b->n || (b->n < BATCH && i < nops))
			continue;
		err = update_batch(fp->fds.dir, b->key, b->val, b->n, 0, &done);
		for (uint32_t q = 0; q < done; q++)
			ops[idx[q]].written = 1;
		if (err)
			pr_err("Couldn't write directory map '%s': %s", map_names[M_DIR],
			       strerror(-err));
		b->n = 0;
	}
	free(b);
	return err;
}

/* Give back the slots reserve() took for ADDs, in the mirror, and the
 * RRsets of DELs are not dying after all. */
static void unplace(struct xdpmx_fp *fp, struct op *ops, size_t nops)
{
	for (size_t i = 0; i < nops; i++) {
		struct op *o = &ops[i];

		if (o->kind == OP_DEL)
			fp->dm[o->di].zone &= ~DSLOT_DYING;
		if (!o->placed)
			continue;
		if (o->was_tomb) {
			fp->dm[o->di] = (struct dslot){.hash = XDPMX_DIR_TOMB};
			fp->dir_tombs++;
		} else {
			fp->dm[o->di] = (struct dslot){0};
		}
		fp->dir_used--;
		o->placed = 0;
	}
}

/* Undo step 2 after a failure: nothing the apply wrote stays. */
static void rollback(struct xdpmx_fp *fp, struct op *ops, size_t nops)
{
	const struct xdpmx_dir_slot tomb = {.hash = XDPMX_DIR_TOMB, .zone = XDPMX_ZONE_NONE};
	const struct xdpmx_dir_slot empty = {0};

	for (size_t i = 0; i < nops; i++) {
		struct op *o = &ops[i];

		if (o->written) {
			struct xdpmx_dir_slot v;

			if (o->kind == OP_ADD)
				v = o->was_tomb ? tomb : empty;
			else
				v = ent_val(fp, o->old);
			bpf_map_update_elem(fp->fds.dir, &o->di, &v, BPF_ANY);
			o->written = 0;
		}
		if (o->kind != OP_DEL)
			blob_release(fp, o->ref);
	}
	unplace(fp, ops, nops);
}

/* Step 4 for one zone, after the grace period: drop old versions, turn
 * deleted RRsets' slots into tombstones (and clear the tombstones nothing
 * needs), free old blobs. */
static int finish_zone(struct xdpmx_fp *fp, struct fp_zone *z)
{
	struct slot_batch *b = malloc(sizeof(*b));
	int err = b ? 0 : -ENOMEM;

	if (b)
		b->n = 0;
	for (size_t i = 0; i < z->npend && !err; i++) {
		const struct fp_pend *pe = &z->pend[i];

		if (pe->kind == OP_CHG) {
			struct xdpmx_ver v = {pe->since, pe->ref}, none = {0};
			struct xdpmx_dir_slot val = pe->slot ? slot_val(fp, pe->di, none, v)
							     : slot_val(fp, pe->di, v, none);

			err = slots_add(fp, b, pe->di, &val, "drop old versions");
		} else {
			fp->dir_n[xdpmx_name_class(pe->name_len)]--;
			err = dir_kill(fp, b, pe->di, "delete entries");
		}
	}
	for (size_t i = 0; i < z->npend && !err; i++)
		if (z->pend[i].kind == OP_DEL)
			err = tombs_sweep(fp, b, z->pend[i].di, false);
	if (!err)
		err = slots_flush(fp, b, "finish an apply");
	free(b);
	/* The blobs are free whatever the directory writes did: no version
	 * the program can pick points at them any more. */
	for (size_t i = 0; i < z->npend; i++)
		blob_release(fp, z->pend[i].old_ref);
	free(z->pend);
	z->pend = NULL;
	z->npend = 0;
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
	size_t n = 0;

	for (size_t i = 0; i < nops; i++)
		n += ops[i].kind != OP_ADD;
	if (!n)
		return 0;
	if (grow((void **)&fp->pz, &fp->cappz, fp->npz + 1, sizeof(*fp->pz)))
		return -ENOMEM;
	z->pend = malloc(n * sizeof(*z->pend));
	if (!z->pend)
		return -ENOMEM;
	for (size_t i = 0; i < nops; i++) {
		const struct op *o = &ops[i];
		struct fp_pend *pe;

		if (o->kind == OP_ADD)
			continue;
		pe = &z->pend[z->npend++];
		pe->di = o->di;
		pe->name_len = op_name_len(o);
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
	z->pend = NULL;
	z->npend = 0;
}

/* make_pending() reserved the room in fp->pz. The switch is done: the
 * deleted RRsets' slots wait for step 4 (a new RRset with the same key
 * must not take their place before). */
static void queue_pending(struct xdpmx_fp *fp, struct fp_zone *z)
{
	for (size_t i = 0; i < z->npend; i++)
		if (z->pend[i].kind == OP_DEL)
			fp->dm[z->pend[i].di].zone |= DSLOT_DYING;
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
			if (ops[k].skip) {
				k++;
				ci++;
				continue;
			}
			*e = (struct fp_ent){.ref = ops[k].ref,
					     .since = since,
					     .di = ops[k].di,
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
		    e->blob_len < sizeof(struct xdpmx_blob_hdr) + e->name_len) {
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

/* Say why the ADD o of zone z is left to the slow path: the RRset in slot
 * di (of zone oz) has the same (hash, tl). */
static void warn_conflict(struct xdpmx_fp *fp, const struct fp_zone *z, const struct op *o,
			  uint32_t di)
{
	uint32_t zid = DSLOT_ZONE(&fp->dm[di]);
	const struct fp_zone *oz = zid < fp->zones_max ? fp->zt[zid] : NULL;
	struct fp_ent probe = {.kb = (uint8_t *)op_kb(o), .name_len = op_name_len(o)};
	char buf[XDPMX_NAME_MAX * 4 + 2], zb[XDPMX_NAME_MAX * 4 + 2], ob[XDPMX_NAME_MAX * 4 + 2];
	const char *oname = oz && oz->apex_len ? name_str(oz->apex, ob, sizeof(ob))
			    : oz == z	       ? name_str(z->apex, ob, sizeof(ob))
					       : "(unnamed)";

	name_str(o->ce->key.name, buf, sizeof(buf));
	name_str(z->apex, zb, sizeof(zb));
	if (oz && oz->n && bsearch(&probe, oz->e, oz->n, sizeof(*oz->e), ent_cmp))
		pr_warn("Couldn't add %s (type %u) to zone %s: zone %s already answers it; left "
			"to the slow path",
			buf, ntohs(o->ce->key.qtype), zb, oname);
	else
		pr_warn("Couldn't add %s (type %u) to zone %s: an RRset of zone %s has a name of "
			"the same hash and length; left to the slow path",
			buf, ntohs(o->ce->key.qtype), zb, oname);
}

/*
 * Choose a directory slot for every ADD, reserve blobs, and check room,
 * before anything is written. An ADD that another RRset's (hash, tl)
 * blocks, or that finds no free slot, is skipped (op.skip). -EAGAIN when
 * may_flush and the deferred step 4 of some zone would make room; -ENOSPC
 * when a blob class is full or the directory would be loaded past
 * DIR_LOAD_NUM / DIR_LOAD_DEN; nothing is kept then.
 */
static int reserve(struct xdpmx_fp *fp, const struct fp_zone *z, struct op *ops, size_t nops,
		   struct xdpmx_fp_apply_stats *st, bool may_flush)
{
	uint64_t need[XDPMX_BLOB_CLASSES] = {};
	uint64_t load_max = (uint64_t)fp->dir_slots * DIR_LOAD_NUM / DIR_LOAD_DEN;
	char buf[XDPMX_NAME_MAX * 4 + 2], zb[XDPMX_NAME_MAX * 4 + 2];
	size_t unplaced = 0;
	int full = -1;

	name_str(z->apex, zb, sizeof(zb));

	/* The RRsets this apply deletes are dying from the switch on: a new
	 * one with the same (hash, tl) may go in after them (dir_place()). */
	for (size_t i = 0; i < nops; i++) {
		ops[i].ref = XDPMX_BLOB_NONE;
		ops[i].skip = SKIP_NONE;
		if (ops[i].kind == OP_ADD)
			continue;
		ops[i].di = ops[i].old->di;
		if (ops[i].kind == OP_DEL)
			fp->dm[ops[i].di].zone |= DSLOT_DYING;
	}
	for (size_t i = 0; i < nops; i++) {
		struct op *o = &ops[i];
		uint64_t hash;
		uint32_t tl, di;
		int r;

		if (o->kind != OP_ADD)
			continue;
		key_hash(fp, op_kb(o), op_name_len(o), &hash, &tl);
		r = dir_place(fp, hash, tl, &di);
		if (r == -ENOSPC && may_flush) {
			/* The deferred step 4 turns dying RRsets into free slots. */
			unplace(fp, ops, nops);
			return -EAGAIN;
		}
		if (r == -EEXIST) {
			o->skip = SKIP_CONFLICT;
			warn_conflict(fp, z, o, di);
			continue;
		}
		if (r == -ENOSPC) {
			o->skip = SKIP_UNPLACED;
			if (!unplaced++)
				pr_warn("Couldn't add %s (type %u) to zone %s: no free slot in map "
					"'%s' within %u of its home slot (%llu of %u slots in "
					"use); "
					"left to the slow path",
					name_str(o->ce->key.name, buf, sizeof(buf)),
					ntohs(o->ce->key.qtype), zb, map_names[M_DIR],
					XDPMX_DIR_PROBE, (unsigned long long)fp->dir_used,
					fp->dir_slots);
			continue;
		}
		o->di = di;
		o->placed = 1;
		o->was_tomb = dslot_tomb(&fp->dm[di]);
		if (o->was_tomb)
			fp->dir_tombs--;
		fp->dm[di] = (struct dslot){.hash = hash, .tl = tl, .zone = z->id};
		fp->dir_used++;
	}
	if (unplaced > 1)
		pr_warn("Couldn't add %zu more RRsets of zone %s for the same reason", unplaced - 1,
			zb);

	for (size_t i = 0; i < nops; i++)
		if (ops[i].kind != OP_DEL && !ops[i].skip)
			need[xdpmx_blob_class(ops[i].ce->blob_len)]++;
	if (may_flush) {
		bool short_ = fp->dir_used > load_max;

		for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
			short_ |= need[c] > fp->blobs[c].nfree;
		if (short_) {
			unplace(fp, ops, nops);
			return -EAGAIN;
		}
	}
	if (fp->dir_used > load_max) {
		st->failed += fp->dir_used - load_max;
		pr_err("Couldn't apply zone %s: directory map '%s' is full (%llu of %u slots "
		       "would be in use, at most %llu)",
		       zb, map_names[M_DIR], (unsigned long long)fp->dir_used, fp->dir_slots,
		       (unsigned long long)load_max);
		full = 0;
	}
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++) {
		if (need[c] > fp->blobs[c].nfree) {
			st->failed += need[c] - fp->blobs[c].nfree;
			pr_err("Couldn't apply zone %s: blob map '%s' is full (%u of %u free, %llu "
			       "needed)",
			       zb, map_names[M_BLOB0 + c], fp->blobs[c].nfree, fp->blobs[c].max,
			       (unsigned long long)need[c]);
			full = c;
		}
	}
	if (full >= 0) {
		unplace(fp, ops, nops);
		return -ENOSPC;
	}
	for (size_t i = 0; i < nops; i++) {
		if (ops[i].kind != OP_DEL && !ops[i].skip) {
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
			pr_err("Couldn't add a zone: map '%s' is full (%u zones)",
			       map_names[M_ZONES], fp->zones_max - 1);
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
			pr_err("Couldn't write map '%s': %s", map_names[M_ZNAMES],
			       err == -E2BIG ? "map is full" : strerror(-err));
		}
	}
	if (!err)
		err = write_slots(fp, z, ops, nops);
	if (err) {
		rollback(fp, ops, nops);
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
		rollback(fp, ops, nops);
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
			       map_names[M_ZONES], strerror(-err));
			drop_pending(z);
			free(ne);
			free(nb);
			rollback(fp, ops, nops);
			if (nz)
				bpf_map_delete_elem(fp->fds.znames, &z->id);
			goto out;
		}
	}
	for (size_t i = 0; i < nops; i++)
		if (ops[i].kind == OP_ADD && !ops[i].skip)
			fp->dir_n[xdpmx_name_class(op_name_len(&ops[i]))]++;
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
		if (ops[i].skip == SKIP_CONFLICT)
			st->conflicts++;
		else if (ops[i].skip == SKIP_UNPLACED)
			st->unplaced++;
		if (ops[i].skip)
			st->added--;
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
		       map_names[M_ZONES], strerror(-err));
		return err;
	}
	/* Every entry of the zone is a miss from here on; after a grace
	 * period its keys and blobs go. */
	ops = malloc((z->n ? z->n : 1) * sizeof(*ops));
	if (!ops)
		return -ENOMEM;
	for (size_t i = 0; i < z->n; i++)
		ops[i] = (struct op){.old = &z->e[i], .di = z->e[i].di, .kind = OP_DEL};
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

		pr_err("Couldn't read map '%s': %s", map_names[M_CFG], strerror(-err));
		return err;
	}
	return 0;
}

int xdpmx_fp_cfg_set(struct xdpmx_fp *fp, const struct xdpmx_cfg *cfg_in)
{
	struct xdpmx_cfg cfg = *cfg_in;
	uint32_t k = 0;

	if (cfg.abi_version != XDPMX_ABI_VERSION) {
		pr_err("Couldn't write map '%s': ABI version %u, this build %u", map_names[M_CFG],
		       cfg.abi_version, XDPMX_ABI_VERSION);
		return -EPROTO;
	}
	/* How the directory is hashed is the writer's to say (fp_dir_init()):
	 * another seed or mask would hide everything in it. */
	cfg.dir_mask = fp->dir_mask;
	cfg.hash_seed = fp->seed;
	if (bpf_map_update_elem(fp->fds.cfg, &k, &cfg, BPF_ANY)) {
		int err = -errno;

		pr_err("Couldn't write map '%s': %s", map_names[M_CFG], strerror(-err));
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
			pr_err("Couldn't read map '%s': %s", map_names[M_STATS], strerror(-err));
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
			pr_err("Couldn't reset map '%s': %s", map_names[M_STATS], strerror(-err));
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
	for (int k = 0; k < XDPMX_NAME_CLASSES; k++)
		m->entries[k] = fp->dir_n[k];
	m->max_entries[0] = fp->dir_slots;
	m->dir_tombs = fp->dir_tombs;
	b += (uint64_t)fp->dir_slots * sizeof(struct xdpmx_dir_slot);
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

/* What xdpmx_fp_dump() reports to. */
struct dump_ctx {
	struct xdpmx_fp *fp;
	xdpmx_fp_dump_cb cb;
	void *ctx;
};

/* One slot of map dir (map_scan()) for the dump: if live, the version its
 * zone answers at now, the blob, and the key from the owner name that ends
 * the blob. */
static int dump_slot(void *ctx, uint32_t di, const void *val)
{
	const struct dump_ctx *d = ctx;
	struct xdpmx_fp *fp = d->fp;
	const struct xdpmx_dir_slot *v = val;
	uint8_t blob[XDPMX_BLOB_MAX + XDPMX_BLOB_SLACK];
	uint32_t len = XDPMX_DIR_TL_LEN(v->tl), cls, idx;
	struct xdpmx_zone_val zv;
	struct xdpmx_key_l key = {.qtype = XDPMX_DIR_TL_QTYPE(v->tl)};
	const uint8_t *apex;
	size_t off;
	int best;

	(void)di;
	if (!v->tl || bpf_map_lookup_elem(fp->fds.zones, &v->zone, &zv) || !zv.epoch)
		return 0;
	best = live_ver(v, zv.epoch);
	if (best < 0)
		return 0;
	cls = XDPMX_BLOB_CLASS(v->ver[best].blob);
	idx = XDPMX_BLOB_INDEX(v->ver[best].blob);
	if (cls >= XDPMX_BLOB_CLASSES || bpf_map_lookup_elem(fp->fds.blob[cls], &idx, blob) ||
	    blob_owner(blob, (int)cls, len, &off))
		return 0; /* the program aborts on it or misses */
	memcpy(key.name, blob + off, len);
	apex = v->zone < fp->zones_max && fp->zt[v->zone] && fp->zt[v->zone]->apex_len
		       ? fp->zt[v->zone]->apex
		       : (const uint8_t *)"";
	return d->cb(apex, &key, (uint8_t)len, blob, (uint16_t)(off + len), d->ctx);
}

int xdpmx_fp_dump(struct xdpmx_fp *fp, xdpmx_fp_dump_cb cb, void *ctx)
{
	struct dump_ctx d = {fp, cb, ctx};

	/* Read from the maps, not from memory: this is what the program
	 * answers, whoever wrote it. */
	return map_scan(fp->fds.dir, M_DIR, BATCH, sizeof(struct xdpmx_dir_slot), dump_slot, &d);
}
