/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The program-test harness: loads the real XDP object (through the same
 * object glue the daemon uses, without pinning, with small map capacities),
 * fills its maps from zone files the way the daemon does (xdpmx_zone_load ->
 * xdpmx_compile_zone -> xdpmx_fp_zone_apply), runs frames through
 * BPF_PROG_TEST_RUN and reports what the counters did. On a failed check it
 * prints a hex diff and writes the frames to a pcap file under the build
 * directory.
 *
 * Included by tests/prog/ only. Every function that can fail fails the
 * current criterion test (or skips it, when BPF is not available) instead
 * of returning an error: tests read as straight lines.
 */
#ifndef XDPMX_TEST_HARNESS_H
#define XDPMX_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

#include <xdpmx/abi.h>
#include <xdpmx/counters.h>

#include "check.h"
#include "fastpath.h"
#include "pkt.h"
#include "zone.h"

/* Counters in the stats map: XDPMX_IFACE_MAX slots of XDPMX_CNT__MAX. */
#define H_NCNT (XDPMX_IFACE_MAX * XDPMX_CNT__MAX)

/* Load options for h_setup_opts(); zero means the default. */
struct h_opts {
	uint32_t iface_slot; /* rodata iface_slot of the program */
	uint16_t dns_port;   /* host order; 0: 53 */
	bool no_cfg;	     /* leave cfg unwritten (dns_port 0: "not configured") */
};

/* Load the object with default options: criterion .init of every program
 * test. Skips the test when not root or when the kernel refuses BPF
 * (EPERM); fails it on any other load error (a verifier rejection is a
 * failure: `make check` must catch it). */
void h_setup(void);
void h_setup_opts(const struct h_opts *o);
/* Release everything h_setup() made: criterion .fini. */
void h_teardown(void);

/* Path of a file of the source tree (examples/..., tests/fixtures/...). */
const char *h_src(const char *rel);

/* Load a zone file (path relative to the source tree) with this default
 * order (enum xdpmx_order), compile it and apply it to the maps, as the
 * daemon does. Fails the test on any error, zone warnings aside. */
void h_zone(const char *rel, uint8_t order);
/* The zones most cases use: the whitepaper examples and the fixtures of
 * tests/fixtures/prog/ (NULL-terminated paths relative to the source tree). */
extern const char *const h_zones_default[];
/* Load each zone of files (NULL: h_zones_default) as h_zone() does. */
void h_zones(const char *const *files, uint8_t order);
static inline void h_zones_all(uint8_t order)
{
	h_zones(NULL, order);
}
/* The same zones loaded into a zone set for the slow-path responder (free
 * with xdpmx_zoneset_free()). Fails the test on error. */
struct xdpmx_zoneset *h_zoneset(const char *const *files, uint8_t order);
/* Remove the zone with this apex (presentation form) from the maps. */
void h_zone_remove(const char *apex);
/* The map fds of the loaded object (owned by the harness). */
const struct xdpmx_fp_fds *h_fds(void);
/* The name hash of a lowercased wire name of len octets (include/xdpmx/
 * abi.h), computed here as the program and the writer compute it. */
uint64_t h_name_hash(uint64_t seed, const uint8_t *name, size_t len);
/* The directory slot the program finds for name (presentation form,
 * lowercase) and qtype: its index into *di, its value into *v. Fails the
 * test when the program would find none. */
void h_dir_slot(const char *name, uint16_t qtype, uint32_t *di, struct xdpmx_dir_slot *v);
/* Write cfg (dns_port host order, edns_size; the directory's seed and mask
 * stay as the map writer set them). */
void h_cfg(uint16_t dns_port, uint16_t edns_size);

/* One BPF_PROG_TEST_RUN. */
struct h_run {
	int err;	 /* bpf_prog_test_run_opts(): 0 or -errno */
	uint32_t action; /* XDP_* */
	uint8_t out[PKT_MAX];
	size_t out_len;
	uint64_t delta[H_NCNT]; /* counters after - before, summed over CPUs */
};

/* Run a frame through the program with ctx_in ingress_ifindex = loopback,
 * rx_queue_index = 0 (what a real receive would carry). */
void h_run(const uint8_t *frame, size_t len, struct h_run *r);
/* The same with a caller's context (NULL: none at all). */
void h_run_ctx(const uint8_t *frame, size_t len, const struct xdp_md *ctx, struct h_run *r);

/* Read only the counters of the first `slots` interface slots around each
 * run from now on (default: all XDPMX_IFACE_MAX). A full read costs about
 * 0.4 ms; tests of thousands of packets narrow it to slot 0. Counters not
 * read show a delta of 0. */
void h_counter_slots(uint32_t slots);

/* Note in v unless exactly counter c of iface slot moved, by one, and no
 * other counter moved. */
void h_check_counter(struct verdict *v, const struct h_run *r, uint32_t slot, enum xdpmx_counter c);
/* Note in v unless the program returned action with its input unchanged. */
void h_check_unchanged(struct verdict *v, const struct h_run *r, uint32_t action, const uint8_t *in,
		       size_t len);

/*
 * End a check: if v holds failures, print them with a hex diff of want
 * (may be NULL) against got, write in, want (if any) and got to
 * <build>/tests/prog/fail-<name>.pcap ($XDPMX_BUILD, else /tmp), and fail
 * (abort) the test naming the file.
 */
void h_verdict(const char *name, const struct verdict *v, const uint8_t *in, size_t in_len,
	       const uint8_t *want, size_t want_len, const uint8_t *got, size_t got_len);

const char *h_action_str(uint32_t action);
const char *h_counter_str(unsigned c);

/* Pin the calling process to one CPU, so per-CPU state (the rotation
 * cursor) is one sequence. Fails the test on error. */
void h_pin_cpu(void);

#endif /* XDPMX_TEST_HARNESS_H */
