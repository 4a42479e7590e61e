/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpmx ABI: the one definition of everything the fast path (bpf/) and
 * userspace (user/) share: map names, keys, values, limits, blob layout.
 *
 * Included by both sides. Types and constants only: no BPF helpers, no libc.
 * Every struct has its size and key offsets asserted next to it, and padding
 * is written out as named fields, because hash maps compare every key byte.
 *
 * Data layout (why it looks like this is explained in docs/fastpath.md):
 *
 *   name hash, qtype, length --dir--> slot { hash, tl, zone, ver[2] }
 *   (open addressing in one array)         |     |
 *                      zones[zone].epoch --+     | picks one version
 *                                                v
 *                  blob ref (class, index) --> blob_<class>[index]
 *                                              { hdr, rec_off[], answer
 *                                                records, additional
 *                                                records, owner name }
 *
 * The program hashes the lowercased question name (seeded, cfg), probes the
 * directory from the slot the hash selects, and answers only if the blob's
 * owner name is the question's: a hash collision is a miss, never a wrong
 * answer.
 *
 * A zone is replaced atomically: userspace writes the new version of every
 * changed RRset into the free ver[] slot with since = epoch + 1 (invisible to
 * the program, which only takes versions with since <= the zone's epoch),
 * then bumps zones[zone].epoch with one array update. A query that read the
 * old epoch answers from the old zone, one that read the new epoch answers
 * from the new one, never a mix. Unchanged RRsets are not touched.
 */
#ifndef XDPMX_ABI_H
#define XDPMX_ABI_H

#include <linux/types.h>
#include <linux/bpf.h> /* struct bpf_spin_lock (uapi) */

/* Bump on any change to this file or counters.h that changes a map's layout,
 * a value's meaning, or a counter's id. The loader writes it into cfg; the
 * daemon and CLI refuse pinned maps that carry another one. */
#define XDPMX_ABI_VERSION 3

#define XDPMX__STR(x) #x
#define XDPMX_STR(x) XDPMX__STR(x)

/* ---- Pinning ------------------------------------------------------------ */

/* Default pin directory. Maps are pinned by name (LIBBPF_PIN_BY_NAME) below
 * it; the loader also pins one program per interface as prog_<ifname>. */
#define XDPMX_PIN_DIR_DEFAULT "/sys/fs/bpf/xdpmx"

/* Map names double as pin names. They are identifiers so the BPF side can
 * declare the maps with them; userspace uses XDPMX_STR(). Each stays within
 * 15 characters so bpftool shows it whole. */
#define XDPMX_MAP_CFG xdpmx_cfg
#define XDPMX_MAP_STATS xdpmx_stats
#define XDPMX_MAP_ROT xdpmx_rot
#define XDPMX_MAP_IFACES xdpmx_ifaces
#define XDPMX_MAP_ZONES xdpmx_zones
#define XDPMX_MAP_ZNAMES xdpmx_znames
#define XDPMX_MAP_DIR xdpmx_dir
#define XDPMX_MAP_BLOB0 xdpmx_blob64
#define XDPMX_MAP_BLOB1 xdpmx_blob128
#define XDPMX_MAP_BLOB2 xdpmx_blob256
#define XDPMX_MAP_BLOB3 xdpmx_blob512
#define XDPMX_MAP_BLOB4 xdpmx_blob1280

/* ---- DNS limits (RFC 1035 section 2.3.4, RFC 6891) ---------------------- */

#define XDPMX_LABEL_MAX 63	     /* octets in one label */
#define XDPMX_NAME_MAX 255	     /* octets in a wire name, root byte included */
#define XDPMX_LABELS_MAX 127	     /* labels in a name of 255 octets */
#define XDPMX_UDP_MIN 512	     /* answer size limit without EDNS */
#define XDPMX_EDNS_SIZE_DEFAULT 1232 /* our EDNS UDP payload size (DNS flag day 2020) */
#define XDPMX_DNS_PORT_DEFAULT 53

/* The qtypes the fast path answers (host order; the program compares the
 * packet's big-endian field against bpf_htons() of these). */
#define XDPMX_TYPE_A 1
#define XDPMX_TYPE_PTR 12
#define XDPMX_TYPE_MX 15
#define XDPMX_TYPE_AAAA 28
#define XDPMX_TYPE_OPT 41
#define XDPMX_CLASS_IN 1

/* ---- Configuration: cfg[0] ------------------------------------------------ */

/* Written by the loader when it creates the maps (abi_version, dns_port,
 * edns_size) and by the daemon (dns_port, edns_size); dir_mask and
 * hash_seed by the map writer (user/lib/fastpath.c) when it first opens an
 * empty directory, and never changed while the directory holds anything.
 * Until then both are 0 and every lookup is a miss. */
struct xdpmx_cfg {
	__u32 abi_version; /* XDPMX_ABI_VERSION of whoever created the maps */
	__be16 dns_port;   /* UDP destination port the fast path serves */
	__u16 edns_size;   /* our EDNS UDP payload size, >= XDPMX_UDP_MIN */
	__u32 flags;	   /* XDPMX_CFG_F_*, none defined yet */
	__u32 dir_mask;	   /* slots of the directory - 1 (a power of two - 1) */
	__u64 hash_seed;   /* seed of the name hash (xdpmx_hash_step()) */
};
_Static_assert(sizeof(struct xdpmx_cfg) == 24, "xdpmx_cfg layout");
_Static_assert(__builtin_offsetof(struct xdpmx_cfg, hash_seed) == 16, "xdpmx_cfg layout");

/* ---- Statistics ---------------------------------------------------------- */

/* Counters live in a PERCPU_ARRAY of XDPMX_IFACE_MAX * XDPMX_CNT__MAX __u64,
 * indexed slot * XDPMX_CNT__MAX + counter (ids in xdpmx/counters.h). Each
 * attached program instance gets its interface slot as a load-time constant,
 * so per-interface counters cost nothing per packet. */
#define XDPMX_IFACE_MAX 64

/* ifaces[slot]: which interface a slot belongs to; written by the loader. */
struct xdpmx_iface {
	__u32 ifindex; /* 0: slot free */
	__u32 prog_id; /* id of the program instance attached there */
	__u32 mode;    /* XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE */
	__u32 pad;
	char name[16]; /* IFNAMSIZ, NUL terminated */
};
_Static_assert(sizeof(struct xdpmx_iface) == 32, "xdpmx_iface layout");

/* ---- Rotation ------------------------------------------------------------ */

/* Order modes, carried per RRset in its blob header. */
enum xdpmx_order {
	XDPMX_ORDER_CYCLIC = 0, /* start at (per-CPU cursor mod n): round robin */
	XDPMX_ORDER_RANDOM = 1, /* start at a uniformly random record */
	XDPMX_ORDER_FIXED = 2,	/* zone order, always */
	XDPMX_ORDER__MAX
};

/* ---- Zones ---------------------------------------------------------------- */

/* zones[zone id]: the epoch the program answers that zone at. 0: the slot is
 * unused and every entry pointing at it is a miss. Zone id XDPMX_ZONE_NONE
 * is never given to a zone: free directory slots point at it. */
#define XDPMX_ZONES_MAX_DEFAULT (1U << 18)
#define XDPMX_ZONE_NONE 0

/* Named _val (as xdpmx_dir_val) because struct xdpmx_zone is the zone model
 * of user/lib/zone.h, and userspace includes both headers. */
struct xdpmx_zone_val {
	__u32 epoch;
	__u32 pad;
};
_Static_assert(sizeof(struct xdpmx_zone_val) == 8, "xdpmx_zone_val layout");

/* znames[zone id]: the zone's apex as a lowercase wire name. Userspace
 * bookkeeping only (the daemon takes over pinned maps after a restart by
 * it); the program never reads it. */
struct xdpmx_zname {
	__u8 name[XDPMX_NAME_MAX + 1]; /* zero padded */
};
_Static_assert(sizeof(struct xdpmx_zname) == 256, "xdpmx_zname layout");

/* ---- Directory: (name hash, qtype, name length) -> versions ------------- */

/*
 * The (qtype, owner name) pair an RRset answers, as userspace handles it:
 * the name in wire format, lowercased, root byte included, zero padded.
 * Not a map key since ABI 3 (the name was the key of the long-name
 * directory, hence _l); the program builds the same bytes in its key
 * buffer, and the owner name also ends the blob.
 */
#define XDPMX_NAME_L 256 /* XDPMX_NAME_MAX octets, plus one pad byte */

struct xdpmx_key_l {
	__be16 qtype;
	__u8 name[XDPMX_NAME_L];
};
_Static_assert(sizeof(struct xdpmx_key_l) == 258, "xdpmx_key_l layout");

/*
 * The name hash, the same on both sides: the wire name, lowercased, as
 * 8-octet words loaded in host byte order (the last one zero padded),
 * folded into h = cfg.hash_seed by xdpmx_hash_step(). Multiply-xorshift:
 * one multiplication per word, so the program can hash in the same pass
 * that lowercases the name. It spreads names evenly over the slots, and
 * the random seed keeps anyone who does not know it from aiming names at
 * one slot; it is not collision resistant against names built with
 * knowledge of the function, which is why the program compares the owner
 * name before answering (a collision only ever costs the fast path).
 */
#define XDPMX_HASH_MUL 0x9e3779b97f4a7c15ULL /* 2^64 / golden ratio, odd */

static __inline__ __attribute__((always_inline)) __u64 xdpmx_hash_step(__u64 h, __u64 w)
{
	h = (h ^ w) * XDPMX_HASH_MUL;
	return h ^ (h >> 32);
}

/* A slot's qtype (network order, as in the packet) and owner name length
 * (octets, root byte included) as one word: what the program compares
 * after the hash. Never 0 for an RRset, since every name has its root. */
#define XDPMX_DIR_TL(qtype_be, name_len) ((__u32)(qtype_be) | ((__u32)(name_len) << 16))
#define XDPMX_DIR_TL_QTYPE(tl) ((__be16)((tl)&0xffff))
#define XDPMX_DIR_TL_LEN(tl) ((tl) >> 16)

/*
 * The directory: one ARRAY of slots, a power of two of them, used as an
 * open-addressing hash table. An RRset lives in one of the XDPMX_DIR_PROBE
 * slots from home = hash & cfg.dir_mask on (wrapping), and every slot from
 * home up to it is in use or a tombstone: the program probes from home and
 * stops at the first slot with its (hash, tl), or at the first empty slot.
 * An array element is always written in place, so the program never reads
 * an element that was freed and handed to another key (the hazard of hash
 * map elements), and its lookup is inlined by the verifier, without the
 * hash map's call, jhash and memcmp.
 *
 * Slot states: tl != 0: an RRset; tl == 0 and hash == 0: empty (ends every
 * probe); tl == 0 and hash == XDPMX_DIR_TOMB: a tombstone, left by a deleted
 * RRset so that probes still walk past it, reused by the next insert.
 * Userspace never puts two RRsets with the same (hash, tl) in the table, so
 * the first match is the only candidate.
 */
#define XDPMX_DIR_PROBE 64
#define XDPMX_DIR_TOMB 1ULL

/* The version protocol: the program answers from the version with the
 * largest since <= the zone's epoch; none, or XDPMX_BLOB_NONE, is a miss.
 * The other ver[] entry is empty or holds a superseded version (a smaller
 * since), which the writer reuses for the next change.
 *
 * The program never locks: it reads a slot while userspace may rewrite it
 * in place, field by field in no particular order. So every rewrite is
 * one that a read mixing old and new fields answers correctly or misses:
 *  - a change keeps hash, tl, zone and the version the program answers
 *    from as they are, and writes only the other one, whose since is above
 *    the zone's epoch (a new version) or below the live one's (a dropped
 *    one);
 *  - an RRset goes into a free slot with since = its zone's epoch + 1, and
 *    a deleted RRset (whose live version is a deletion) becomes a
 *    tombstone. Free slots carry zone XDPMX_ZONE_NONE, whose epoch is
 *    always 0: a read that sees the new hash and tl with the old zone, or
 *    the old hash and tl with the new zone, finds no version at all. */
struct xdpmx_ver {
	__u32 since; /* valid from this epoch on; 0: empty */
	__u32 blob;  /* blob reference */
};

struct xdpmx_dir_slot {
	__u64 hash; /* name hash of the owner; with tl == 0: 0 or XDPMX_DIR_TOMB */
	__u32 tl;   /* XDPMX_DIR_TL(qtype, owner name length); 0: free */
	__u32 zone; /* index into zones; XDPMX_ZONE_NONE when free */
	struct xdpmx_ver ver[2];
};
_Static_assert(sizeof(struct xdpmx_dir_slot) == 32, "xdpmx_dir_slot layout");
_Static_assert(__builtin_offsetof(struct xdpmx_dir_slot, ver) == 16, "xdpmx_dir_slot layout");

/* Default slots: holds about a million RRsets at the half load the writer
 * aims for (docs/fastpath.md, "Sizing the directory"). */
#define XDPMX_DIR_MAX_DEFAULT (1U << 21)

/* A blob reference: class in the top 4 bits, index in that class's array
 * below. XDPMX_BLOB_NONE marks a version in which the RRset does not exist
 * (deleted as of that epoch). */
#define XDPMX_BLOB_NONE 0xffffffffU
#define XDPMX_BLOB_REF(cls, idx) (((__u32)(cls) << 28) | ((__u32)(idx)&0x0fffffffU))
#define XDPMX_BLOB_CLASS(ref) ((ref) >> 28)
#define XDPMX_BLOB_INDEX(ref) ((ref)&0x0fffffffU)

/* ---- Blobs: the compiled RRsets ------------------------------------------ */

/* Blobs live in ARRAY maps, one per size class. A blob of class c is at most
 * XDPMX_BLOB_SIZE(c) bytes; each array value has XDPMX_BLOB_SLACK more bytes
 * so the program can copy in 8-byte words from any offset inside the blob
 * without the verifier seeing a read past the value. */
#define XDPMX_BLOB_CLASSES 5
#define XDPMX_BLOB_SLACK 8
#define XDPMX_BLOB_SIZE(c) ((c) == 0 ? 64 : (c) == 1 ? 128 : (c) == 2 ? 256 : (c) == 3 ? 512 : 1280)
#define XDPMX_BLOB_MAX 1280 /* XDPMX_BLOB_SIZE(XDPMX_BLOB_CLASSES - 1) */

/* Kernel memory per hot RRset. Every map is an ARRAY, preallocated when the
 * object is loaded (max_entries x value size), so applying a zone allocates
 * nothing in the kernel. One RRset occupies:
 *   - a directory slot, 32 B; the writer keeps the directory about half full,
 *     so about 64 B of directory per RRset at the design load (the default
 *     2,097,152 slots, 67 MB, for 1,048,576 RRsets);
 *   - one blob slot of its class, the class size + XDPMX_BLOB_SLACK: 72, 136,
 *     264, 520 or 1,288 B. One A record with its owner name fits blob64,
 *     three A records blob128, the whitepaper's three MX with their three
 *     additional A records blob256.
 * An RRset of three A records thus costs about 200 to 220 B: 208 B measured
 * (memlock) with the maps sized for 1,000,013 such RRsets, 221 B (vmalloc)
 * sized for 100,000 (docs/fastpath.md "Memory per RRset", BENCHMARKS.md).
 * The defaults below preallocate about 370 MB; size the maps to the zones
 * served (xdpmx-loader --dir-max ..., or xdpmxd's dir-max, blobNNN-max). */
#define XDPMX_BLOB0_MAX_DEFAULT (1U << 20)
/* blob128 holds the typical small RRset (three A records and its owner name)
 * and blob64 a single record: both sized, like the directory, for a million
 * RRsets. Loading preallocates every array (docs/fastpath.md). */
#define XDPMX_BLOB1_MAX_DEFAULT (1U << 20)
#define XDPMX_BLOB2_MAX_DEFAULT (1U << 18)
#define XDPMX_BLOB3_MAX_DEFAULT (1U << 14)
#define XDPMX_BLOB4_MAX_DEFAULT (1U << 12)

/* At most this many records in the answer section of a compiled RRset, and
 * in its additional section. Larger RRsets stay in the slow path. */
#define XDPMX_RR_MAX 32
#define XDPMX_AD_MAX 32

/* Blob flags. */
#define XDPMX_BLOB_F_SIGNED 0x01 /* zone is signed: DO=1 queries are misses */

/*
 * Blob layout, every field in host order except the DNS wire bytes:
 *
 *   struct xdpmx_blob_hdr hdr;
 *   __u16 rec_off[hdr.an_count];   offset of each answer record from the
 *                                  first answer byte; rec_off[0] == 0
 *   __u8  an[hdr.an_len];          answer records, zone order, wire format
 *   __u8  ad[hdr.ad_len];          additional records, wire format
 *   __u8  owner[];                 the owner name, lowercased wire format
 *                                  (its length is the directory slot's)
 *
 * an starts at XDPMX_BLOB_AN_OFF(an_count), the owner at
 * XDPMX_BLOB_OWNER_OFF(). The wire bytes are final except for their
 * position: owner names are compression pointers to the question
 * (0xc00c), and names inside RDATA (MX exchange, PTR target) and the owners
 * of additional records are compressed only against suffixes of the question
 * name, whose offsets (12 + octets before the suffix) do not depend on the
 * rotation. Rotation by r writes an[rec_off[r]..an_len) then an[0..rec_off[r]).
 * The program compares the owner with the question name (lowercased)
 * before it answers; it is never copied into the answer.
 */
struct xdpmx_blob_hdr {
	__u16 an_len;
	__u16 ad_len;
	__u8 an_count;
	__u8 ad_count;
	__u8 order; /* enum xdpmx_order */
	__u8 flags; /* XDPMX_BLOB_F_* */
};
_Static_assert(sizeof(struct xdpmx_blob_hdr) == 8, "xdpmx_blob_hdr layout");

#define XDPMX_BLOB_AN_OFF(an_count) (sizeof(struct xdpmx_blob_hdr) + 2 * (an_count))
#define XDPMX_BLOB_OWNER_OFF(an_count, an_len, ad_len)                                             \
	(XDPMX_BLOB_AN_OFF(an_count) + (an_len) + (ad_len))

#endif /* XDPMX_ABI_H */
