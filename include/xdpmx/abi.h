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
 *   (name, qtype) --dir_s|dir_m|dir_l--> dir_val { zone, ver[2] }
 *                                            |        |
 *                      zones[zone].epoch ----+        | picks one version
 *                                                     v
 *                       blob ref (class, index) --> blob_<class>[index]
 *                                                   { hdr, rec_off[], answer
 *                                                     records, additional
 *                                                     records }
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
#define XDPMX_ABI_VERSION 2

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
#define XDPMX_MAP_DIR_S xdpmx_dir_s
#define XDPMX_MAP_DIR_M xdpmx_dir_m
#define XDPMX_MAP_DIR_L xdpmx_dir_l
#define XDPMX_MAP_BLOB0 xdpmx_blob64
#define XDPMX_MAP_BLOB1 xdpmx_blob128
#define XDPMX_MAP_BLOB2 xdpmx_blob256
#define XDPMX_MAP_BLOB3 xdpmx_blob512
#define XDPMX_MAP_BLOB4 xdpmx_blob1280

/* ---- DNS limits (RFC 1035 section 2.3.4, RFC 6891) ---------------------- */

#define XDPMX_LABEL_MAX 63        /* octets in one label */
#define XDPMX_NAME_MAX 255        /* octets in a wire name, root byte included */
#define XDPMX_LABELS_MAX 127      /* labels in a name of 255 octets */
#define XDPMX_UDP_MIN 512         /* answer size limit without EDNS */
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

/* ---- Configuration: cfg[0], written by the loader and the daemon -------- */

struct xdpmx_cfg {
	__u32 abi_version; /* XDPMX_ABI_VERSION of whoever created the maps */
	__be16 dns_port;   /* UDP destination port the fast path serves */
	__u16 edns_size;   /* our EDNS UDP payload size, >= XDPMX_UDP_MIN */
	__u32 flags;       /* XDPMX_CFG_F_*, none defined yet */
	__u32 pad;
};
_Static_assert(sizeof(struct xdpmx_cfg) == 16, "xdpmx_cfg layout");

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
	XDPMX_ORDER_FIXED = 2,  /* zone order, always */
	XDPMX_ORDER__MAX
};

/* ---- Zones ---------------------------------------------------------------- */

/* zones[zone id]: the epoch the program answers that zone at. 0: the slot is
 * unused and every entry pointing at it is a miss. */
#define XDPMX_ZONES_MAX_DEFAULT (1U << 18)

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

/* ---- Directory: (qtype, name) -> versions -------------------------------- */

/* Keys hold the owner name in wire format, lowercased, root byte included,
 * zero padded. Three maps by name length keep the key the kernel hashes
 * short for the common case: a name of len octets (root byte included) lives
 * in dir_s if len <= XDPMX_NAME_S, else dir_m if len <= XDPMX_NAME_M, else
 * dir_l. The three keys share one prefix layout, so the program fills one
 * struct xdpmx_key_l and hands it to whichever map the length selects; only
 * the first key_size bytes are hashed. */
#define XDPMX_NAME_S 46  /* "mail.example.co.uk", in-addr.arpa names */
#define XDPMX_NAME_M 126 /* ip6.arpa names (74 octets) */
#define XDPMX_NAME_L 256 /* anything up to 255 octets, plus one pad byte */

struct xdpmx_key_s {
	__be16 qtype;
	__u8 name[XDPMX_NAME_S];
};
struct xdpmx_key_m {
	__be16 qtype;
	__u8 name[XDPMX_NAME_M];
};
struct xdpmx_key_l {
	__be16 qtype;
	__u8 name[XDPMX_NAME_L];
};
_Static_assert(sizeof(struct xdpmx_key_s) == 48, "xdpmx_key_s layout");
_Static_assert(sizeof(struct xdpmx_key_m) == 128, "xdpmx_key_m layout");
_Static_assert(sizeof(struct xdpmx_key_l) == 258, "xdpmx_key_l layout");
_Static_assert(__builtin_offsetof(struct xdpmx_key_s, name) ==
		       __builtin_offsetof(struct xdpmx_key_l, name) &&
	       __builtin_offsetof(struct xdpmx_key_m, name) ==
		       __builtin_offsetof(struct xdpmx_key_l, name),
	       "directory keys share one prefix layout");

#define XDPMX_DIR_S_MAX_DEFAULT (1U << 20)
#define XDPMX_DIR_M_MAX_DEFAULT (1U << 18)
#define XDPMX_DIR_L_MAX_DEFAULT (1U << 14)

/* A blob reference: class in the top 4 bits, index in that class's array
 * below. XDPMX_BLOB_NONE marks a version in which the RRset does not exist
 * (deleted as of that epoch). */
#define XDPMX_BLOB_NONE 0xffffffffU
#define XDPMX_BLOB_REF(cls, idx) (((__u32)(cls) << 28) | ((__u32)(idx)&0x0fffffffU))
#define XDPMX_BLOB_CLASS(ref) ((ref) >> 28)
#define XDPMX_BLOB_INDEX(ref) ((ref)&0x0fffffffU)

/* One version of an RRset: valid from epoch `since` (0: empty slot). */
struct xdpmx_ver {
	__u32 since;
	__u32 blob;
};

/* The program answers from the version with the largest since <= the zone's
 * epoch; none, or XDPMX_BLOB_NONE, is a miss. The other slot is empty or
 * holds a superseded version (a smaller since), which the writer reuses for
 * the next change.
 *
 * Userspace writes entries in place (BPF_F_LOCK, hence the lock: the
 * kernel takes it to copy the value into the element it already has).
 * Replacing an element instead would free the old one, and the kernel may
 * hand a freed hash element to the very next update, so a program still
 * reading it could see another key's versions. The program never takes the
 * lock: it reads one slot's since and blob, and a write only ever changes the
 * slot the program does not answer from (its since is above the epoch, or
 * below the live slot's), so a half-written slot is never picked. */
struct xdpmx_dir_val {
	__u32 zone; /* index into zones */
	struct xdpmx_ver ver[2];
	struct bpf_spin_lock lock; /* for BPF_F_LOCK writes; never read */
};
_Static_assert(sizeof(struct xdpmx_dir_val) == 24, "xdpmx_dir_val layout");

/* ---- Blobs: the compiled RRsets ------------------------------------------ */

/* Blobs live in ARRAY maps, one per size class. A blob of class c is at most
 * XDPMX_BLOB_SIZE(c) bytes; each array value has XDPMX_BLOB_SLACK more bytes
 * so the program can copy in 8-byte words from any offset inside the blob
 * without the verifier seeing a read past the value. */
#define XDPMX_BLOB_CLASSES 5
#define XDPMX_BLOB_SLACK 8
#define XDPMX_BLOB_SIZE(c)                                                  \
	((c) == 0 ? 64 : (c) == 1 ? 128 : (c) == 2 ? 256 : (c) == 3 ? 512 : 1280)
#define XDPMX_BLOB_MAX 1280 /* XDPMX_BLOB_SIZE(XDPMX_BLOB_CLASSES - 1) */

#define XDPMX_BLOB0_MAX_DEFAULT (1U << 20)
#define XDPMX_BLOB1_MAX_DEFAULT (1U << 18)
#define XDPMX_BLOB2_MAX_DEFAULT (1U << 17)
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
 *
 * an starts at XDPMX_BLOB_AN_OFF(an_count). The wire bytes are final except
 * for their position: owner names are compression pointers to the question
 * (0xc00c), and names inside RDATA (MX exchange, PTR target) and the owners
 * of additional records are compressed only against suffixes of the question
 * name, whose offsets (12 + octets before the suffix) do not depend on the
 * rotation. Rotation by r writes an[rec_off[r]..an_len) then an[0..rec_off[r]).
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

#endif /* XDPMX_ABI_H */
