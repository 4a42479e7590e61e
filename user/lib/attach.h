/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Attach, detach and inspect the fast path on network interfaces, through
 * libxdp. Used by xdpmx-loader and by xdpmxd's --interface. Userspace only.
 *
 * Model (the decisions of issue 4):
 *  - One program instance per interface, each loaded with its own
 *    iface_slot (rodata), so its counters land in its own slice of the
 *    stats map; every instance shares the maps pinned under the pin
 *    directory (the first load creates and pins them, later loads reuse
 *    them). The slot is recorded in the ifaces map, and the program is
 *    pinned as <pin-dir>/prog_<ifname> so it outlives the loader.
 *  - libxdp attaches through its dispatcher where the kernel allows
 *    (freplace programs); a kernel in lockdown integrity mode refuses them
 *    with EPERM and libxdp falls back to a single program on the
 *    interface. Which one we got is reported (multiprog), never an error.
 *  - Idempotent: attaching where xdpmx already runs is "already" and
 *    changes nothing, unless forced. In single-program mode a foreign XDP
 *    program is refused unless forced (then replaced atomically when the
 *    kernel allows it, with XDP_FLAGS_REPLACE).
 *  - Every change to the pin directory happens under flock() on it.
 *
 * Threads: xdpmx_attach() routes libbpf's and libxdp's output to itself
 * while it loads and attaches (to show a verifier log cut to its end), so
 * call it when no other thread uses libbpf, e.g. at the daemon's start.
 *
 * Errors: functions return 0 or a negative errno, and fill a struct
 * xdpmx_attach_err with one complete message that names the action, the
 * object and the cause, plus what to do where there is something to do:
 *   -ENODEV     no such interface
 *   -ENOMEDIUM  bpffs not mounted where the pin directory lives
 *   -EPERM      not privileged (CAP_BPF, CAP_NET_ADMIN needed)
 *   -EOPNOTSUPP native mode refused by the driver
 *   -EEXIST     a foreign XDP program is attached (single-program mode)
 *   -EPROTO     pinned maps or program of another ABI version
 *   -EINVAL     verifier rejection (msg holds the tail of its log) and
 *               other invalid requests
 *   -ENOSPC     every interface slot in use
 *   -EBUSY      --purge while other interfaces still run the program
 */
#ifndef XDPMX_ATTACH_H
#define XDPMX_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xdpmx/abi.h>
#include <xdpmx/counters.h>

enum xdpmx_xdp_mode {
	XDPMX_XDP_AUTO = 0, /* native, else generic */
	XDPMX_XDP_NATIVE = 1,
	XDPMX_XDP_GENERIC = 2,
};

/* "auto", "native", "generic". */
const char *xdpmx_xdp_mode_name(enum xdpmx_xdp_mode m);

struct xdpmx_attach_err {
	char msg[2048];
};

/* Capacities of the maps created by the first load (0: the default from
 * abi.h). Ignored when the maps are already pinned. */
struct xdpmx_capacity {
	uint32_t zones;
	uint32_t dir[3];		   /* [0]: RRsets of the directory; [1], [2]: 0 */
	uint32_t blob[XDPMX_BLOB_CLASSES]; /* blob64 .. blob1280 */
};

struct xdpmx_attach_opts {
	const char *pin_dir;  /* NULL: XDPMX_PIN_DIR_DEFAULT */
	const char *obj_path; /* NULL: the object embedded in this binary */
	enum xdpmx_xdp_mode mode;
	bool force;	    /* replace xdpmx or a foreign program */
	uint16_t dns_port;  /* written to cfg when the maps are new; 0: 53 */
	uint16_t edns_size; /* idem; 0: XDPMX_EDNS_SIZE_DEFAULT */
	struct xdpmx_capacity cap;
};

/* One interface that runs (or ran) the fast path. */
struct xdpmx_iface_info {
	char name[16];
	uint32_t ifindex;
	uint32_t slot;		  /* its slice of the stats map */
	uint32_t prog_id;	  /* the instance recorded for it */
	enum xdpmx_xdp_mode mode; /* NATIVE or GENERIC */
	bool attached;		  /* that instance is attached there now */
	bool multiprog;		  /* through libxdp's dispatcher; false:
				     single-program (legacy) mode */
	bool already;		  /* attach: it was running already, untouched */
	bool replaced;		  /* attach: --force replaced a program */
	uint32_t replaced_id;	  /* the program it replaced */
	char tag[2 * 8 + 1];	  /* the program's tag, hex */
	uint32_t n_maps;
	uint32_t map_ids[32];
	uint64_t counters[XDPMX_CNT__MAX]; /* its per-interface counters */
	uint64_t hits, misses;		   /* sums of the hit and miss groups */
};

/*
 * Load an instance of the program for ifname (reusing or creating the
 * pinned maps), attach it, record it in the ifaces map and pin it. Fills
 * *info (what was done: mode, multiprog, already, replaced). On failure
 * nothing this call created remains.
 */
int xdpmx_attach(const char *ifname, const struct xdpmx_attach_opts *opts,
		 struct xdpmx_iface_info *info, struct xdpmx_attach_err *err);

/*
 * Detach the instance from ifname, free its slot and unpin prog_<ifname>.
 * A foreign program found there is left alone (reported in err, returns
 * -EEXIST). Detaching where xdpmx does not run returns -ENOENT after
 * removing any stale record. pin_dir NULL: the default.
 */
int xdpmx_detach(const char *ifname, const char *pin_dir, struct xdpmx_attach_err *err);

/* The interfaces the ifaces map records, with whether each instance is
 * still attached, its tag, map ids and counters. *out is malloc'd (free
 * it); *n may be 0. -ENOENT when nothing is pinned in pin_dir. */
int xdpmx_attach_list(const char *pin_dir, struct xdpmx_iface_info **out, size_t *n,
		      struct xdpmx_attach_err *err);

/*
 * Remove the map pins (and stray prog_* pins) under pin_dir, and the
 * directory if it is then empty. Refuses with -EBUSY while an interface
 * still runs an instance.
 */
int xdpmx_purge(const char *pin_dir, struct xdpmx_attach_err *err);

/*
 * Counters of every slot read from the pinned stats map (summed over
 * CPUs), without taking the maps over: out[slot][counter]. For status
 * commands that must not cost a walk of the directory maps.
 */
int xdpmx_read_counters(const char *pin_dir, uint64_t (*out)[XDPMX_CNT__MAX],
			struct xdpmx_attach_err *err);

/*
 * Whether answers of up to edns_size bytes fit the MTU of ifname: XDP_TX
 * drops a frame larger than the interface's MTU, and an answer carries 48
 * bytes of IPv6 and UDP headers (28 over IPv4). Returns 0 when they fit, 1
 * when they may not (msg holds a warning with both numbers and what to
 * do), or a negative errno (no such interface). xdpmx_attach() warns with
 * it for the EDNS size of the pinned maps. Added by "daemon2".
 */
int xdpmx_mtu_check(const char *ifname, uint16_t edns_size, char *msg, size_t size);

#endif /* XDPMX_ATTACH_H */
