/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The fast path's maps seen from userspace: open them (pinned, or from a
 * freshly loaded object), swap compiled zones in atomically, change single
 * RRsets, read and reset counters, report memory, dump what the program
 * answers. Userspace only; the layout it writes is include/xdpmx/abi.h.
 *
 * Zone swap protocol (the program's side is in bpf/xdpmx.bpf.c):
 *  1. diff the new compiled zone against what the maps hold for it;
 *  2. write every changed or added RRset's blob into a free blob slot and its
 *     directory entry with the new version in the free ver[] slot, since =
 *     epoch + 1; deleted RRsets get a XDPMX_BLOB_NONE version; unchanged
 *     entries are not touched. The program still answers at epoch;
 *  3. bump zones[zone].epoch (one array update): the program now answers
 *     the new zone for every query, atomically;
 *  4. wait until no program run can still hold the old versions (an RCU
 *     grace period), then drop old versions, delete tombstoned entries and
 *     free the old blobs.
 */
#ifndef XDPMX_FASTPATH_H
#define XDPMX_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>

#include <xdpmx/abi.h>
#include <xdpmx/counters.h>

#include "compile.h"

/* File descriptors of every fast-path map (not owned by this struct). */
struct xdpmx_fp_fds {
	int cfg, stats, rot, ifaces, zones, znames;
	int dir;
	int blob[XDPMX_BLOB_CLASSES];
};

struct xdpmx_fp;

/* Open the maps pinned under pin_dir (NULL: XDPMX_PIN_DIR_DEFAULT) and take
 * them over: check the ABI version and map shapes, and rebuild the zone
 * table and the blob allocator from what the maps hold. -ENOENT when nothing
 * is pinned, -EPROTO on an ABI mismatch (logged with both versions). */
int xdpmx_fp_open_pinned(const char *pin_dir, struct xdpmx_fp **out);
/* The same over maps of a loaded object (fds are duplicated). */
int xdpmx_fp_open_fds(const struct xdpmx_fp_fds *fds, struct xdpmx_fp **out);
void xdpmx_fp_close(struct xdpmx_fp *fp);

struct xdpmx_fp_apply_stats {
	uint32_t zone_id;
	uint32_t epoch; /* the zone's epoch after the swap */
	size_t added, changed, deleted, unchanged;
	size_t failed;	  /* not written: a blob class or directory was full */
	size_t conflicts; /* not written: another zone already answers the key,
			     or an RRset whose name has the same hash, qtype
			     and length (the slow path answers it) */
	size_t unplaced;  /* not written: no free directory slot within
			     XDPMX_DIR_PROBE of the name's home slot (the slow
			     path answers it; docs/fastpath.md, sizing) */
};

/* Swap the compiled zone c in for the zone with this apex (canonical wire
 * name), creating it if new. Atomic for the program. c must be sorted as
 * xdpmx_compile_zone() leaves it and hold only names at or below apex
 * (-EINVAL otherwise). Nothing changed: nothing is written and the epoch
 * stays. A blob class or the zone table full, or the directory past its
 * load limit (3/4 of its slots): -ENOSPC, nothing written, the zone keeps
 * answering at its old epoch; st->failed says how many entries did not
 * fit. Single RRsets that cannot go in (conflicts, unplaced) are left to
 * the slow path and counted; the rest of the zone is applied. */
int xdpmx_fp_zone_apply(struct xdpmx_fp *fp, const uint8_t *apex, const struct xdpmx_compiled *c,
			struct xdpmx_fp_apply_stats *st);
/*
 * Step 4 waits for a grace period (milliseconds: synchronize_rcu() in the
 * kernel) whenever an apply changed or deleted entries. To apply many zones
 * at once (a reload of every zone), defer it: with deferred mode on, an
 * apply leaves its old versions and blobs in place (invisible to the
 * program) until xdpmx_fp_flush(), which waits once for all of them. A zone
 * with pending work is flushed before it is applied again or removed, and
 * a full blob class or directory flushes before -ENOSPC is decided; close
 * flushes too. Off by default: each apply completes all four steps.
 */
void xdpmx_fp_set_deferred(struct xdpmx_fp *fp, bool on);
int xdpmx_fp_flush(struct xdpmx_fp *fp);

/* Remove a zone: every entry becomes a miss at once, then is freed. */
int xdpmx_fp_zone_remove(struct xdpmx_fp *fp, const uint8_t *apex);

/* Apex names of the zones the maps hold (canonical wire). The array and the
 * names belong to fp: do not free them; they are valid until the next call
 * that changes the zones. */
int xdpmx_fp_zone_list(struct xdpmx_fp *fp, const uint8_t ***apexes, size_t *n);

int xdpmx_fp_cfg_get(struct xdpmx_fp *fp, struct xdpmx_cfg *cfg);
int xdpmx_fp_cfg_set(struct xdpmx_fp *fp, const struct xdpmx_cfg *cfg);

/* Counters summed over CPUs: out[slot][counter]. */
int xdpmx_fp_stats_read(struct xdpmx_fp *fp, uint64_t (*out)[XDPMX_CNT__MAX]);
int xdpmx_fp_stats_reset(struct xdpmx_fp *fp);

/* Slots of a directory sized for `rrsets` RRsets: twice as many (the
 * directory serves best at half load, docs/fastpath.md), rounded up to a
 * power of two, at least XDPMX_DIR_PROBE. */
uint32_t xdpmx_fp_dir_slots(uint32_t rrsets);

struct xdpmx_fp_mem {
	uint64_t entries[XDPMX_NAME_CLASSES]; /* RRsets in the directory, by
						 name-length class (compile.h) */
	uint64_t max_entries[3];	      /* [0]: slots of the directory; [1], [2]: 0
						 (three directories up to ABI 2) */
	uint64_t dir_tombs;		      /* directory slots that are tombstones */
	uint64_t blobs[XDPMX_BLOB_CLASSES];   /* slots in use per class */
	uint64_t max_blobs[XDPMX_BLOB_CLASSES];
	uint64_t zones;
	uint64_t kernel_bytes; /* what the maps cost the kernel now, estimated
				  from their shapes (see docs/fastpath.md) */
};
int xdpmx_fp_mem(struct xdpmx_fp *fp, struct xdpmx_fp_mem *m);

/* Call cb for every RRset the program currently answers (the version at the
 * zone's epoch), with its zone apex, key, and blob bytes. Stops and returns
 * cb's value if it is non-zero. */
typedef int (*xdpmx_fp_dump_cb)(const uint8_t *apex, const struct xdpmx_key_l *key,
				uint8_t name_len, const uint8_t *blob, uint16_t blob_len,
				void *ctx);
int xdpmx_fp_dump(struct xdpmx_fp *fp, xdpmx_fp_dump_cb cb, void *ctx);

#endif /* XDPMX_FASTPATH_H */
