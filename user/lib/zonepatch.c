// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Patched zones (xdpmx_zone_patch, contract in zone.h): the daemon's record
 * edits at a cost that follows what they touch, not the zone's size.
 *
 * A patched zone shares with the zone it comes from everything the changes
 * leave alone: RRset arrays, RDATA, names. Nodes are small and carry flags
 * that a change can alter below it (a new delegation occludes a subtree),
 * so the node array itself is copied whole (one memcpy), in the same
 * places, which keeps the copied name index valid: it maps a name's hash to
 * a place in node_mem, and those do not move. New nodes go after the copied
 * ones; removed ones become holes. What the changes add (RRset arrays,
 * RDATA, names) goes into a block: a small reference-counted allocation that
 * every later patch of the line shares in turn. The zone xdpmx_zb_finish()
 * built at the start of the line (the root) stays referenced, since its
 * arena holds the shared names and RDATA.
 *
 * Per patch: two memcpy of the node array and of the index, one pass of
 * pointer arithmetic over the canonical node list (merging in new names,
 * found by binary search), the flags recomputed in one pass, and the zone
 * checks. No name is hashed again and nothing is sorted but the new names.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zone_int.h"

/* ---- blocks: what one patch adds ------------------------------------------ */

struct zbchunk {
	struct zbchunk *next;
	size_t size, used;
	max_align_t data[];
};

struct zblock {
	unsigned refs;
	struct zbchunk *head;
};

/* n bytes aligned to align from b, or NULL. Chunks start small: a patch
 * usually adds a few hundred bytes. */
static void *zb_alloc(struct zblock *b, size_t n, size_t align)
{
	struct zbchunk *c = b->head;
	uintptr_t p;
	size_t size;

	if (c) {
		p = ((uintptr_t)c->data + c->used + (align - 1)) & ~(uintptr_t)(align - 1);
		if (p + n <= (uintptr_t)c->data + c->size) {
			c->used = p + n - (uintptr_t)c->data;
			return (void *)p;
		}
	}
	size = c ? 2 * c->size : 1024;
	if (size > 65536)
		size = 65536;
	if (size < n + align)
		size = n + align;
	c = malloc(sizeof(*c) + size);
	if (!c)
		return NULL;
	c->next = b->head;
	c->size = size;
	b->head = c;
	p = ((uintptr_t)c->data + (align - 1)) & ~(uintptr_t)(align - 1);
	c->used = p + n - (uintptr_t)c->data;
	return (void *)p;
}

static void *zb_dup(struct zblock *b, const void *src, size_t n)
{
	void *p = zb_alloc(b, n ? n : 1, 1);

	if (p && n)
		memcpy(p, src, n);
	return p;
}

static void zblock_unref(struct zblock *b)
{
	struct zbchunk *c, *next;

	if (!b || __atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL))
		return;
	for (c = b->head; c; c = next) {
		next = c->next;
		free(c);
	}
	free(b);
}

void xdpmx_zpatch_release(struct zpriv *p)
{
	for (size_t i = 0; i < p->n_blocks; i++)
		zblock_unref(p->blocks[i]);
	free(p->blocks);
	p->blocks = NULL;
	p->n_blocks = 0;
	xdpmx_zone_unref(p->root);
	p->root = NULL;
}

/* ---- names ------------------------------------------------------------------ */

static int node_cmp(const void *a, const void *b)
{
	const struct xdpmx_node *x = *(struct xdpmx_node *const *)a;
	const struct xdpmx_node *y = *(struct xdpmx_node *const *)b;

	return xdpmx_dname_cmp(x->name, y->name);
}

/* ---- the working index (same layout and probing as zone.c) ------------------ */

struct work {
	struct zfull *f; /* the zone being made */
	struct zpriv *p;
	struct zblock *blk;
	size_t cap_mem;	 /* room in p->node_mem */
	uint32_t *added; /* node_mem places of new nodes */
	size_t n_added;
	uint32_t *touched; /* node_mem places whose RRsets changed */
	size_t n_touched;
};

/* Place in node_mem of the node of canon, or -1: the zone being made is
 * indexed like any zone, so xdpmx_zone_lookup() finds it. */
static long w_lookup(const struct work *w, const uint8_t *canon)
{
	const struct xdpmx_node *n = xdpmx_zone_lookup(&w->f->z, canon);

	return n ? n - w->p->node_mem : -1;
}

static void w_insert(struct zpriv *p, uint32_t idx)
{
	const struct xdpmx_node *n = &p->node_mem[idx];
	uint64_t h = xdpmx_zhash(n->name, n->name_len);
	size_t i = h & p->mask;

	while (p->slots[i].node)
		i = (i + 1) & p->mask;
	p->slots[i].hash = (uint32_t)(h >> 32);
	p->slots[i].node = idx + 1;
}

/* Remove node idx from the index: linear probing's backward-shift delete,
 * so that no probe sequence is cut short and no tombstone is left. */
static void w_remove(struct zpriv *p, uint32_t idx)
{
	const struct xdpmx_node *n = &p->node_mem[idx];
	size_t i = xdpmx_zhash(n->name, n->name_len) & p->mask, j;

	while (p->slots[i].node != idx + 1) {
		if (!p->slots[i].node)
			return;
		i = (i + 1) & p->mask;
	}
	for (j = i;;) {
		const struct xdpmx_node *m;
		size_t home;

		j = (j + 1) & p->mask;
		if (!p->slots[j].node)
			break;
		m = &p->node_mem[p->slots[j].node - 1];
		home = xdpmx_zhash(m->name, m->name_len) & p->mask;
		/* the entry at j may fill the hole at i unless its home lies
		 * cyclically in (i, j] */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		p->slots[i] = p->slots[j];
		i = j;
	}
	p->slots[i] = (struct zslot){0, 0};
}

/* A fresh index of size buckets over the nodes z lists (rebased into p). */
static int w_reindex(struct zpriv *p, const struct xdpmx_zone *z, const struct zpriv *bp,
		     size_t size)
{
	struct zslot *s = calloc(size, sizeof(*s));

	if (!s)
		return -ENOMEM;
	free(p->slots);
	p->slots = s;
	p->mask = size - 1;
	for (size_t i = 0; i < z->n_nodes; i++)
		w_insert(p, (uint32_t)(z->nodes[i] - bp->node_mem));
	return 0;
}

/* ---- applying one change -------------------------------------------------------- */

static int note(uint32_t **arr, size_t *n, uint32_t v)
{
	uint32_t *a = realloc(*arr, (*n + 1) * sizeof(**arr));

	if (!a)
		return -ENOMEM;
	a[(*n)++] = v;
	*arr = a;
	return 0;
}

/* The node of canon (len octets, oname: the same name as written), made
 * with the empty non-terminals above it when missing. Returns its place in
 * node_mem or a negative errno. */
static long node_get(struct work *w, const struct xdpmx_zone *z, const uint8_t *canon,
		     const uint8_t *oname, size_t len)
{
	long idx = w_lookup(w, canon);
	struct xdpmx_node *n;
	uint8_t *mem;

	if (idx >= 0)
		return idx;
	if (len > z->apex_len) {
		size_t skip = 1 + (size_t)canon[0];
		long up = node_get(w, z, canon + skip, oname + skip, len - skip);

		if (up < 0)
			return up;
	}
	if (w->p->n_mem >= w->cap_mem)
		return -ENOMEM; /* cannot happen: room was counted */
	mem = zb_alloc(w->blk, 2 * len, 1);
	if (!mem)
		return -ENOMEM;
	memcpy(mem, canon, len);
	memcpy(mem + len, oname, len);
	idx = (long)w->p->n_mem++;
	n = &w->p->node_mem[idx];
	*n = (struct xdpmx_node){.name = mem, .oname = mem + len, .name_len = (uint8_t)len};
	w_insert(w->p, (uint32_t)idx);
	if (note(&w->added, &w->n_added, (uint32_t)idx))
		return -ENOMEM;
	return idx;
}

/* A deep copy of rs (as type) in the block. */
static int rrset_copy(struct zblock *b, struct xdpmx_rrset *dst, const struct xdpmx_rrset *rs,
		      uint16_t type)
{
	*dst = *rs;
	dst->type = type;
	dst->rdlen = zb_alloc(b, rs->count * sizeof(*dst->rdlen), _Alignof(uint16_t));
	dst->rdata = zb_alloc(b, rs->count * sizeof(*dst->rdata), _Alignof(uint8_t *));
	dst->file = rs->file ? zb_dup(b, rs->file, strlen(rs->file) + 1) : NULL;
	if (!dst->rdlen || !dst->rdata || (rs->file && !dst->file))
		return -ENOMEM;
	for (uint16_t i = 0; i < rs->count; i++) {
		dst->rdlen[i] = rs->rdlen[i];
		dst->rdata[i] = zb_dup(b, rs->rdata[i], rs->rdlen[i]);
		if (!dst->rdata[i])
			return -ENOMEM;
	}
	return 0;
}

static int apply_change(struct work *w, const struct xdpmx_zone *z,
			const struct xdpmx_zone_change *c, long *records)
{
	uint8_t canon[XDPMX_DNAME_MAX];
	const struct xdpmx_rrset *rs = c->rs && c->rs->count ? c->rs : NULL;
	struct xdpmx_rrset *arr;
	struct xdpmx_node *n;
	int len = xdpmx_dname_len(c->owner, XDPMX_DNAME_MAX);
	uint16_t k = 0, m = 0, at;
	bool found = false;
	long idx;

	if (len < 0)
		return -EINVAL;
	xdpmx_dname_canon(canon, c->owner, (size_t)len);
	if (!xdpmx_dname_is_sub(canon, z->apex))
		return -EINVAL;
	idx = w_lookup(w, canon);
	if (idx < 0 && !rs)
		return 0; /* nothing there to remove */
	if (idx < 0)
		idx = node_get(w, z, canon, c->owner, (size_t)len);
	if (idx < 0)
		return (int)idx;
	n = &w->p->node_mem[idx];
	for (at = 0; at < n->n_rrsets && n->rrsets[at].type < c->type; at++)
		;
	found = at < n->n_rrsets && n->rrsets[at].type == c->type;
	if (!found && !rs)
		return 0;

	/* A new RRset array: the node's is shared with the older zones. */
	arr = zb_alloc(w->blk, (size_t)(n->n_rrsets + 1) * sizeof(*arr),
		       _Alignof(struct xdpmx_rrset));
	if (!arr)
		return -ENOMEM;
	for (k = 0; k < n->n_rrsets; k++) {
		if (k == at && rs) {
			if (rrset_copy(w->blk, &arr[m++], rs, c->type))
				return -ENOMEM;
			*records += rs->count;
		}
		if (k == at && found) {
			*records -= n->rrsets[k].count;
			continue;
		}
		arr[m++] = n->rrsets[k];
	}
	if (at == n->n_rrsets && rs) {
		if (rrset_copy(w->blk, &arr[m++], rs, c->type))
			return -ENOMEM;
		*records += rs->count;
	}
	n->rrsets = m ? arr : NULL;
	n->n_rrsets = m;
	return note(&w->touched, &w->n_touched, (uint32_t)idx);
}

/* ---- the node list ------------------------------------------------------------------ */

#define NODE_GONE 0x80000000u /* working mark: removed by this patch */

/* Place of canon in the canonical list nodes[0..n) (which holds it). */
static size_t list_find(struct xdpmx_node **nodes, size_t n, const uint8_t *canon)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = xdpmx_dname_cmp(nodes[mid]->name, canon);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Whether the node at place i of the list has a descendant left. In
 * canonical order descendants follow a name directly. */
static bool has_descendant(struct xdpmx_node **nodes, size_t n, size_t i)
{
	for (size_t j = i + 1; j < n; j++) {
		if (nodes[j]->flags & NODE_GONE)
			continue;
		return xdpmx_dname_is_sub(nodes[j]->name, nodes[i]->name);
	}
	return false;
}

/* Remove the node at place i if it has no RRsets and nothing below it, and
 * the same for its parents. Returns the number removed. */
static size_t prune(struct work *w, const struct xdpmx_zone *z, struct xdpmx_node **nodes, size_t n,
		    size_t i)
{
	size_t gone = 0;

	for (;;) {
		struct xdpmx_node *nd = nodes[i];
		const uint8_t *up;

		if (nd->n_rrsets || (nd->flags & NODE_GONE) || nd->name_len == z->apex_len ||
		    has_descendant(nodes, n, i))
			return gone;
		nd->flags |= NODE_GONE;
		w_remove(w->p, (uint32_t)(nd - w->p->node_mem));
		gone++;
		up = xdpmx_dname_parent(nd->name);
		if (!up)
			return gone;
		i = list_find(nodes, n, up);
		if (i >= n || !xdpmx_dname_eq(nodes[i]->name, up))
			return gone;
	}
}

/* z->nodes rebased into p->node_mem, merged with the added nodes. */
static struct xdpmx_node **merge_list(struct work *w, const struct xdpmx_zone *z,
				      const struct zpriv *bp, size_t *out_n)
{
	size_t n = z->n_nodes + w->n_added, k = 0, from = 0;
	struct xdpmx_node **nodes = malloc((n ? n : 1) * sizeof(*nodes));
	struct xdpmx_node **add = malloc((w->n_added ? w->n_added : 1) * sizeof(*add));
	struct xdpmx_node *mem = w->p->node_mem;

	if (!nodes || !add) {
		free(nodes);
		free(add);
		return NULL;
	}
	for (size_t i = 0; i < w->n_added; i++)
		add[i] = &mem[w->added[i]];
	qsort(add, w->n_added, sizeof(*add), node_cmp);
	for (size_t a = 0; a <= w->n_added; a++) {
		size_t to = z->n_nodes;

		if (a < w->n_added) {
			/* where add[a] goes among z's nodes (it is not one) */
			size_t lo = from, hi = z->n_nodes;

			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (xdpmx_dname_cmp(z->nodes[mid]->name, add[a]->name) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			to = lo;
		}
		for (; from < to; from++)
			nodes[k++] = mem + (z->nodes[from] - bp->node_mem);
		if (a < w->n_added)
			nodes[k++] = add[a];
	}
	free(add);
	*out_n = k;
	return nodes;
}

/* ---- the patch ---------------------------------------------------------------------- */

int xdpmx_zone_patch(const struct xdpmx_zone *z, const struct xdpmx_zone_change *ch, size_t n,
		     struct xdpmx_diag *d, struct xdpmx_zone **out)
{
	const struct zpriv *bp = z->index;
	struct xdpmx_diag local = {};
	struct work w = {};
	struct xdpmx_zone *nz;
	struct zpriv *p;
	size_t base_mem = bp->n_mem ? bp->n_mem : z->n_nodes, extra = 0, size, n_list = 0, gone = 0;
	struct xdpmx_node **list = NULL;
	long records = 0;
	int err = -ENOMEM;

	*out = NULL;
	if (!bp || !bp->slots)
		return -EINVAL;
	if (!d)
		d = &local;
	/* Room for each owner and its missing ancestors. */
	for (size_t i = 0; i < n; i++) {
		int labels = xdpmx_dname_labels(ch[i].owner);

		if (labels < 0 || xdpmx_dname_len(ch[i].owner, XDPMX_DNAME_MAX) < 0)
			return -EINVAL;
		extra += (size_t)labels;
	}

	w.f = calloc(1, sizeof(*w.f));
	w.blk = calloc(1, sizeof(*w.blk));
	if (!w.f || !w.blk) {
		free(w.f);
		free(w.blk);
		return -ENOMEM;
	}
	w.blk->refs = 1;
	nz = &w.f->z;
	p = w.p = &w.f->p;
	nz->index = p;
	nz->refs = 1;

	/* What the new zone holds on to: the root, the blocks of the patches
	 * before, its own block. */
	p->root = xdpmx_zone_ref(bp->root ? bp->root : (struct xdpmx_zone *)z);
	p->blocks = malloc((bp->n_blocks + 1) * sizeof(*p->blocks));
	if (!p->blocks) {
		zblock_unref(w.blk);
		goto fail;
	}
	for (size_t i = 0; i < bp->n_blocks; i++) {
		__atomic_add_fetch(&bp->blocks[i]->refs, 1, __ATOMIC_RELAXED);
		p->blocks[p->n_blocks++] = bp->blocks[i];
	}
	p->blocks[p->n_blocks++] = w.blk;

	/* The node array, in the same places, and the index over it. */
	w.cap_mem = base_mem + extra;
	p->node_mem = malloc((w.cap_mem ? w.cap_mem : 1) * sizeof(*p->node_mem));
	if (!p->node_mem)
		goto fail;
	memcpy(p->node_mem, bp->node_mem, base_mem * sizeof(*p->node_mem));
	p->n_mem = base_mem;
	size = bp->mask + 1;
	if (2 * (z->n_nodes + extra) > size) {
		while (2 * (z->n_nodes + extra) > size)
			size <<= 1;
		if (w_reindex(p, z, bp, size))
			goto fail;
	} else {
		p->slots = malloc(size * sizeof(*p->slots));
		if (!p->slots)
			goto fail;
		memcpy(p->slots, bp->slots, size * sizeof(*p->slots));
		p->mask = bp->mask;
	}

	for (size_t i = 0; i < n; i++) {
		err = apply_change(&w, z, &ch[i], &records);
		if (err)
			goto fail;
	}

	err = -ENOMEM;
	list = merge_list(&w, z, bp, &n_list);
	if (!list)
		goto fail;
	/* Nodes left without RRsets go, unless something is below them. */
	for (size_t i = 0; i < w.n_touched; i++) {
		struct xdpmx_node *nd = &p->node_mem[w.touched[i]];

		if (!nd->n_rrsets && !(nd->flags & NODE_GONE))
			gone += prune(&w, z, list, n_list, list_find(list, n_list, nd->name));
	}
	if (gone) {
		size_t k = 0;

		for (size_t i = 0; i < n_list; i++)
			if (!(list[i]->flags & NODE_GONE))
				list[k++] = list[i];
		n_list = k;
	}
	nz->nodes = list;
	nz->n_nodes = n_list;
	nz->file = z->file;
	nz->apex = z->apex;
	nz->apex_len = z->apex_len;
	nz->order = z->order;
	nz->mtime = z->mtime;
	nz->n_records = (size_t)((long)z->n_records + records);
	for (size_t i = 0; i < n_list; i++)
		list[i]->flags = 0;
	xdpmx_zone_mark_flags(nz);
	xdpmx_zone_fill_fields(nz);

	if (xdpmx_zone_check(nz, d) > 0) {
		err = -EINVAL;
		goto fail;
	}
	free(w.added);
	free(w.touched);
	if (d == &local)
		xdpmx_diag_clear(&local);
	*out = nz;
	return 0;

fail:
	free(w.added);
	free(w.touched);
	if (d == &local)
		xdpmx_diag_clear(&local);
	xdpmx_zone_unref(nz);
	return err;
}
