/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Open and load the fast-path BPF object (bpf/xdpmx.bpf.c), one way for the
 * loader, the daemon, the program tests and the benchmark: through the
 * generated skeleton (build/xdpmx.skel.h), from its embedded ELF or from an
 * object file of the same build. Attaching to an interface is not here (the
 * loader does it through libxdp with the program fd). Userspace only.
 *
 * Messages name the action, the object and the cause; libbpf's own output,
 * the verifier log above all, goes through the log module when the caller
 * routed it there (xdpmx_log_route_libs()), else to stderr.
 */
#ifndef XDPMX_BPFOBJ_H
#define XDPMX_BPFOBJ_H

#include <stdbool.h>
#include <stdint.h>

#include <xdpmx/abi.h>

#include "fastpath.h"

struct xdpmx; /* the skeleton, from xdpmx.skel.h */
struct bpf_program;

struct xdpmx_bpfobj_opts {
	/* Object file to load instead of the skeleton's embedded ELF; its
	 * rodata xdpmx_abi must be XDPMX_ABI_VERSION. NULL: embedded. */
	const char *obj_path;
	/* Pin (and reuse) the maps by name under this bpffs directory,
	 * created if missing. NULL: no pinning at all (tests). */
	const char *pin_dir;
	/* Interface slot of this program instance (rodata), < XDPMX_IFACE_MAX. */
	uint32_t iface_slot;
	/* max_entries of the zones, directory and blob maps; 0: the default
	 * of abi.h for new maps, the pinned map's own size for reused ones.
	 * dir_max[0]: the RRsets the directory is sized for (its slots are
	 * xdpmx_fp_dir_slots() of it); dir_max[1] and [2] must be 0 (they
	 * sized the medium- and long-name directories up to ABI 2). */
	uint32_t zones_max;
	uint32_t dir_max[3];
	uint32_t blob_max[XDPMX_BLOB_CLASSES];
	/* Written into cfg only when the maps are new: UDP port (host order,
	 * 0: 53) and our EDNS payload size (0: XDPMX_EDNS_SIZE_DEFAULT). */
	uint16_t dns_port;
	uint16_t edns_size;
};

struct xdpmx_bpfobj {
	struct xdpmx *skel;	  /* typed maps, progs, rodata */
	struct bpf_program *prog; /* the XDP program */
	int prog_fd;
	struct xdpmx_fp_fds fds; /* owned by skel: xdpmx_fp_open_fds() dups them */
	bool cfg_written;	 /* the maps were new: cfg was initialised now */
	void *obj_data;		 /* private: the object file's bytes */
};

/*
 * The object file to load when the operator named none (--obj): the path in
 * $XDPMX_BPF_OBJ if set; else the installed object, XDPMX_BPF_OBJ_DIR
 * "/xdpmx.bpf.o", when this binary runs from where `make install` put it
 * (XDPMX_SBINDIR) and the file is there; else NULL, for the copy embedded
 * in the binary. A binary run from a build tree so never loads an object
 * installed by another build. The result is a static string or getenv()'s.
 */
const char *xdpmx_bpfobj_default_path(void);

/*
 * Open, configure and load the object. Returns 0 and *out, or a negative
 * errno with the cause logged: -ENOENT (object file missing, or bpffs not
 * mounted under pin_dir), -EPROTO (ABI version of the file or of the pinned
 * cfg differs from this build; a pinned map of another shape), -EPERM (no
 * privilege), -EINVAL (bad options), or libbpf's error (a verifier
 * rejection: the verifier log is printed through libbpf's print callback).
 */
int xdpmx_bpfobj_open(const struct xdpmx_bpfobj_opts *opts, struct xdpmx_bpfobj **out);

/* Destroy the skeleton: the program and any unpinned map go away once no
 * other fd or attachment holds them. NULL is a no-op. */
void xdpmx_bpfobj_close(struct xdpmx_bpfobj *o);

#endif /* XDPMX_BPFOBJ_H */
