/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Every map of the fast path, BTF style, pinned by name (LIBBPF_PIN_BY_NAME)
 * below the pin root the loader chooses (XDPMX_PIN_DIR_DEFAULT). Names, keys,
 * values and default sizes all come from include/xdpmx/abi.h; the loader
 * overrides max_entries before load. What each hot RRset costs in kernel
 * memory is worked out in abi.h, above XDPMX_BLOB0_MAX_DEFAULT.
 *
 * BPF only. This header defines the maps, so exactly one BPF unit
 * (bpf/xdpmx.bpf.c) includes it. Needs bpf/dns.h for the name buffer.
 *
 * The counters and the rotation cursor are PERCPU_ARRAYs: every CPU bumps its
 * own copy with a plain increment, so there are no atomics and no cache line
 * shared between CPUs on the per-packet path; userspace sums the copies.
 */
#ifndef XDPMX_BPF_MAPS_H
#define XDPMX_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include <xdpmx/abi.h>
#include <xdpmx/counters.h>

#include "dns.h"

/* Blob array values: a blob of class c plus XDPMX_BLOB_SLACK bytes, so an
 * 8-byte word read at any offset <= XDPMX_BLOB_SIZE(c) stays in the value. */
struct xdpmx_blob64_val {
	__u8 b[XDPMX_BLOB_SIZE(0) + XDPMX_BLOB_SLACK];
};
struct xdpmx_blob128_val {
	__u8 b[XDPMX_BLOB_SIZE(1) + XDPMX_BLOB_SLACK];
};
struct xdpmx_blob256_val {
	__u8 b[XDPMX_BLOB_SIZE(2) + XDPMX_BLOB_SLACK];
};
struct xdpmx_blob512_val {
	__u8 b[XDPMX_BLOB_SIZE(3) + XDPMX_BLOB_SLACK];
};
struct xdpmx_blob1280_val {
	__u8 b[XDPMX_BLOB_SIZE(4) + XDPMX_BLOB_SLACK];
};
_Static_assert(sizeof(struct xdpmx_blob1280_val) == XDPMX_BLOB_MAX + XDPMX_BLOB_SLACK,
	       "largest blob class is XDPMX_BLOB_MAX");

/* cfg: 0 -> struct xdpmx_cfg; written by the loader (before attach) and the
 * daemon, read by the program on every packet. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpmx_cfg);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_CFG SEC(".maps");

/* Counters of all interface slots (named: clang-format takes a product
 * inside __uint() for a pointer type). */
#define XDPMX_STATS_MAX (XDPMX_IFACE_MAX * XDPMX_CNT__MAX)

/* stats: iface slot * XDPMX_CNT__MAX + counter -> packets (per CPU);
 * written by the program, read and reset by the daemon and xdpmxctl. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPMX_STATS_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_STATS SEC(".maps");

/* rot: 0 -> rotation cursor (per CPU); written by the program only. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_ROT SEC(".maps");

/* ifaces: iface slot -> struct xdpmx_iface; written by the loader, never
 * read by the program. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPMX_IFACE_MAX);
	__type(key, __u32);
	__type(value, struct xdpmx_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_IFACES SEC(".maps");

/* zones: zone id -> struct xdpmx_zone_val (the epoch answered); written by
 * the daemon's map writer, read by the program. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPMX_ZONES_MAX_DEFAULT);
	__type(key, __u32);
	__type(value, struct xdpmx_zone_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_ZONES SEC(".maps");

/* znames: zone id -> struct xdpmx_zname (apex); written and read by the
 * daemon only (takeover after a restart), never read by the program. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDPMX_ZONES_MAX_DEFAULT);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct xdpmx_zname);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_ZNAMES SEC(".maps");

/* dir: slot -> struct xdpmx_dir_slot, an open-addressing hash table of
 * the RRsets by (name hash, qtype, name length) (abi.h); written by the
 * daemon's map writer, read by the program. An ARRAY: preallocated, written
 * in place, and looked up without a call (the verifier inlines it). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPMX_DIR_MAX_DEFAULT);
	__type(key, __u32);
	__type(value, struct xdpmx_dir_slot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_DIR SEC(".maps");

/* keybuf: 0 -> the question name, lowercased (per CPU); private to the
 * program: not in abi.h, not pinned, never read by userspace. The name is
 * up to 256 octets, too much for the 512-octet BPF stack next to everything
 * else the program keeps. One program run at a time per CPU (XDP runs in
 * softirq), so a per-CPU buffer is never shared. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdpmx_keybuf);
} xdpmx_keybuf SEC(".maps");

/* blob64 .. blob1280: blob index -> compiled RRset of that size class;
 * written by the daemon's map writer, read by the program. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPMX_BLOB0_MAX_DEFAULT);
	__type(key, __u32);
	__type(value, struct xdpmx_blob64_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_BLOB0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPMX_BLOB1_MAX_DEFAULT);
	__type(key, __u32);
	__type(value, struct xdpmx_blob128_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_BLOB1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPMX_BLOB2_MAX_DEFAULT);
	__type(key, __u32);
	__type(value, struct xdpmx_blob256_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_BLOB2 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPMX_BLOB3_MAX_DEFAULT);
	__type(key, __u32);
	__type(value, struct xdpmx_blob512_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_BLOB3 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPMX_BLOB4_MAX_DEFAULT);
	__type(key, __u32);
	__type(value, struct xdpmx_blob1280_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XDPMX_MAP_BLOB4 SEC(".maps");

#endif /* XDPMX_BPF_MAPS_H */
