// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The program-test harness: see harness.h. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <net/if.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <criterion/criterion.h>

#include "bpfobj.h"
#include "compile.h"
#include "counters.h"
#include "dname.h"
#include "fastpath.h"
#include "harness.h"
#include "log.h"
#include "zone.h"

/* Small capacities: each test process loads its own object, and the blob
 * arrays are preallocated. */
#define H_CAP_ZONES 64
#define H_CAP_DIR 2048 /* RRsets the directory is sized for (4096 slots) */
#define H_CAP_BLOB 512

static struct {
	struct xdpmx_bpfobj *obj;
	struct xdpmx_fp *fp;
	int prog_fd;
	int stats_fd;
	int ncpu;
	uint64_t *percpu; /* H_NCNT * ncpu values, scratch for reads */
	uint32_t nkeys;	  /* counters read around each run (h_counter_slots()) */
} H = {.prog_fd = -1, .stats_fd = -1, .nkeys = H_NCNT};

/* ---- Loading ---------------------------------------------------------------- */

void h_setup(void)
{
	const struct h_opts o = {0};

	h_setup_opts(&o);
}

void h_setup_opts(const struct h_opts *o)
{
	struct xdpmx_bpfobj_opts bo = {0};
	int err;

	if (geteuid() != 0)
		cr_skip_test("program tests load BPF: run them as root");
	xdpmx_log_route_libs();
	bo.obj_path = getenv("XDPMX_BPF_OBJ"); /* NULL: the skeleton's own copy */
	bo.pin_dir = NULL;
	bo.iface_slot = o->iface_slot;
	bo.zones_max = H_CAP_ZONES;
	bo.dir_max[0] = H_CAP_DIR;
	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++)
		bo.blob_max[c] = H_CAP_BLOB;
	bo.dns_port = o->dns_port ? o->dns_port : XDPMX_DNS_PORT_DEFAULT;
	bo.edns_size = TEST_EDNS_SIZE;
	err = xdpmx_bpfobj_open(&bo, &H.obj);
	if (err == -EPERM)
		cr_skip_test("the kernel refuses to load BPF here (EPERM)");
	cr_assert_eq(err, 0, "Couldn't load the XDP object %s: %s",
		     bo.obj_path ? bo.obj_path : "(embedded)", strerror(-err));
	H.prog_fd = H.obj->prog_fd;
	H.stats_fd = H.obj->fds.stats;
	err = xdpmx_fp_open_fds(&H.obj->fds, &H.fp);
	cr_assert_eq(err, 0, "Couldn't open the fast-path maps: %s", strerror(-err));
	if (o->no_cfg) {
		struct xdpmx_cfg cfg = {0};
		__u32 k = 0;

		cr_assert_eq(bpf_map_update_elem(H.obj->fds.cfg, &k, &cfg, 0), 0,
			     "Couldn't clear cfg: %s", strerror(errno));
	} else {
		h_cfg(bo.dns_port, TEST_EDNS_SIZE);
	}
	H.ncpu = libbpf_num_possible_cpus();
	cr_assert_gt(H.ncpu, 0, "Couldn't count the possible CPUs: %s", strerror(-H.ncpu));
	H.percpu = calloc((size_t)H_NCNT * H.ncpu, sizeof(uint64_t));
	cr_assert_not_null(H.percpu);
}

void h_teardown(void)
{
	if (H.fp)
		xdpmx_fp_close(H.fp);
	if (H.obj)
		xdpmx_bpfobj_close(H.obj);
	free(H.percpu);
	memset(&H, 0, sizeof(H));
	H.prog_fd = H.stats_fd = -1;
	H.nkeys = H_NCNT;
}

/* ---- Zones ---------------------------------------------------------------------- */

const char *h_src(const char *rel)
{
	static char root[PATH_MAX], path[PATH_MAX + 256];
	const char *env;

	if (!root[0]) {
		env = getenv("XDPMX_SRCDIR");
		if (env) {
			snprintf(root, sizeof(root), "%s", env);
		} else if (!access("examples/mydomain.com.zone", R_OK)) {
			snprintf(root, sizeof(root), ".");
		} else {
			/* <root>/<out>/tests/prog/test_prog */
			ssize_t n = readlink("/proc/self/exe", root, sizeof(root) - 1);
			int up;

			cr_assert_gt(n, 0, "Couldn't find the source tree: set XDPMX_SRCDIR");
			root[n] = '\0';
			for (up = 0; up < 4; up++) {
				char *s = strrchr(root, '/');

				if (s)
					*s = '\0';
			}
		}
	}
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return path;
}

/* Load the zone file rel (relative to the source tree) with default order
 * as the daemon does; fails the test on any error, zone warnings aside. */
static struct xdpmx_zone *load_zone(const char *rel, uint8_t order)
{
	struct xdpmx_zone_opts zo = {.order = order};
	struct xdpmx_diag d = {0};
	struct xdpmx_zone *z = NULL;
	int err;

	err = xdpmx_zone_load(h_src(rel), &zo, &d, &z);
	if (err)
		xdpmx_diag_print(&d);
	xdpmx_diag_clear(&d);
	cr_assert_eq(err, 0, "Couldn't load zone %s: %s", rel, strerror(-err));
	return z;
}

void h_zone(const char *rel, uint8_t order)
{
	struct xdpmx_fp_apply_stats st = {0};
	struct xdpmx_compiled *c = NULL;
	struct xdpmx_zone *z = load_zone(rel, order);
	int err;

	err = xdpmx_compile_zone(z, &c);
	cr_assert_eq(err, 0, "Couldn't compile zone %s: %s", rel, strerror(-err));
	err = xdpmx_fp_zone_apply(H.fp, z->apex, c, &st);
	cr_assert_eq(err, 0, "Couldn't apply zone %s to the maps: %s", rel, strerror(-err));
	cr_assert_eq(st.failed, 0, "Couldn't write %zu RRsets of zone %s", st.failed, rel);
	xdpmx_compiled_free(c);
	xdpmx_zone_unref(z);
}

const char *const h_zones_default[] = {
	"examples/mydomain.com.zone",
	"examples/2.168.192.in-addr.arpa.zone",
	"tests/fixtures/prog/prog.test.zone",
	"tests/fixtures/prog/d.f.ip6.arpa.zone",
	"tests/fixtures/prog/signed.test.zone",
	"tests/fixtures/prog/root.zone",
	NULL,
};

void h_zones(const char *const *files, uint8_t order)
{
	for (files = files ? files : h_zones_default; *files; files++)
		h_zone(*files, order);
}

struct xdpmx_zoneset *h_zoneset(const char *const *files, uint8_t order)
{
	struct xdpmx_zoneset *zs = xdpmx_zoneset_new();

	cr_assert_not_null(zs, "Couldn't make a zone set: %s", strerror(errno));
	for (files = files ? files : h_zones_default; *files; files++) {
		struct xdpmx_zone *z = load_zone(*files, order);
		int err = xdpmx_zoneset_put(zs, z);

		cr_assert_eq(err, 0, "Couldn't add zone %s to a set: %s", *files, strerror(-err));
		xdpmx_zone_unref(z);
	}
	return zs;
}

void h_zone_remove(const char *apex)
{
	uint8_t wire[XDPMX_DNAME_MAX + 1];
	int err;

	cr_assert_gt(xdpmx_dname_from_str(wire, apex, NULL), 0, "bad apex '%s'", apex);
	err = xdpmx_fp_zone_remove(H.fp, wire);
	cr_assert_eq(err, 0, "Couldn't remove zone %s: %s", apex, strerror(-err));
}

const struct xdpmx_fp_fds *h_fds(void)
{
	return &H.obj->fds;
}

uint64_t h_name_hash(uint64_t seed, const uint8_t *name, size_t len)
{
	uint64_t h = seed;

	for (size_t o = 0; o < len; o += 8) {
		uint64_t w = 0;

		memcpy(&w, name + o, len - o < 8 ? len - o : 8);
		h = xdpmx_hash_step(h, w);
	}
	return h;
}

void h_dir_slot(const char *name, uint16_t qtype, uint32_t *di, struct xdpmx_dir_slot *v)
{
	uint8_t wire[XDPMX_NAME_MAX + 1];
	struct xdpmx_cfg cfg;
	size_t len = dname_wire(wire, sizeof(wire), name);
	uint32_t k = 0, tl;
	uint64_t h;

	cr_assert_gt(len, 0, "Couldn't make a wire name of %s", name);
	cr_assert_eq(bpf_map_lookup_elem(H.obj->fds.cfg, &k, &cfg), 0);
	h = h_name_hash(cfg.hash_seed, wire, len);
	tl = XDPMX_DIR_TL(htons(qtype), len);
	for (uint32_t i = 0; i < XDPMX_DIR_PROBE; i++) {
		*di = ((uint32_t)h + i) & cfg.dir_mask;
		cr_assert_eq(bpf_map_lookup_elem(H.obj->fds.dir, di, v), 0);
		if (v->tl == tl && v->hash == h)
			return;
		if (!v->tl && !v->hash)
			break;
	}
	cr_assert_fail("No directory slot for %s (type %u)", name, qtype);
}

void h_cfg(uint16_t dns_port, uint16_t edns_size)
{
	struct xdpmx_cfg cfg = {
		.abi_version = XDPMX_ABI_VERSION,
		.dns_port = htons(dns_port),
		.edns_size = edns_size,
	};
	int err = xdpmx_fp_cfg_set(H.fp, &cfg);

	cr_assert_eq(err, 0, "Couldn't write cfg: %s", strerror(-err));
}

/* ---- Running -------------------------------------------------------------------- */

void h_counter_slots(uint32_t slots)
{
	cr_assert(slots >= 1 && slots <= XDPMX_IFACE_MAX);
	H.nkeys = slots * XDPMX_CNT__MAX;
}

/* The counters of the first H.nkeys / XDPMX_CNT__MAX slots, summed over
 * CPUs, into out[]; the rest of out[H_NCNT] zero. Per-CPU values of 8
 * bytes come back as ncpu consecutive values per key. */
static void read_counters(uint64_t *out)
{
	__u32 keys[H_NCNT], out_batch = 0, count = H.nkeys, k;
	int err, cpu;

	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	err = bpf_map_lookup_batch(H.stats_fd, NULL, &out_batch, keys, H.percpu, &count, &bo);
	if (err && errno == ENOENT)
		err = 0; /* the whole map came back in one batch */
	if (err || count != H.nkeys) {
		/* Batch lookups not supported: one key at a time. */
		for (k = 0; k < H.nkeys; k++) {
			err = bpf_map_lookup_elem(H.stats_fd, &k, H.percpu + (size_t)k * H.ncpu);
			cr_assert_eq(err, 0, "Couldn't read counter %u: %s", k, strerror(errno));
			keys[k] = k;
		}
	}
	memset(out, 0, H_NCNT * sizeof(*out));
	for (k = 0; k < H.nkeys; k++) {
		cr_assert_lt(keys[k], H_NCNT);
		for (cpu = 0; cpu < H.ncpu; cpu++)
			out[keys[k]] += H.percpu[(size_t)k * H.ncpu + cpu];
	}
}

void h_run_ctx(const uint8_t *frame, size_t len, const struct xdp_md *ctx, struct h_run *r)
{
	static uint64_t before[H_NCNT];
	struct xdp_md c = {0};
	size_t i;

	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_size_in = (__u32)len,
		    .data_out = r->out, .data_size_out = sizeof(r->out), .repeat = 1);
	if (ctx) {
		c = *ctx;
		c.data = 0;
		c.data_meta = 0;
		c.data_end = (__u32)len; /* the kernel wants the whole frame as data */
		o.ctx_in = &c;
		o.ctx_size_in = sizeof(c);
	}
	read_counters(before);
	r->err = bpf_prog_test_run_opts(H.prog_fd, &o) ? -errno : 0;
	r->action = o.retval;
	r->out_len = r->err ? 0 : o.data_size_out;
	read_counters(r->delta);
	for (i = 0; i < H_NCNT; i++)
		r->delta[i] -= before[i];
}

void h_run(const uint8_t *frame, size_t len, struct h_run *r)
{
	struct xdp_md ctx = {.ingress_ifindex = if_nametoindex("lo"), .rx_queue_index = 0};

	h_run_ctx(frame, len, &ctx, r);
}

/* ---- Checks --------------------------------------------------------------------- */

const char *h_action_str(uint32_t action)
{
	static const char *const names[] = {"XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_TX",
					    "XDP_REDIRECT"};

	return action < 5 ? names[action] : "XDP_(unknown)";
}

const char *h_counter_str(unsigned c)
{
	const char *n = xdpmx_counter_name(c);

	return n ? n : "(unknown counter)";
}

void h_check_counter(struct verdict *v, const struct h_run *r, uint32_t slot, enum xdpmx_counter c)
{
	size_t want = (size_t)slot * XDPMX_CNT__MAX + c, i;

	for (i = 0; i < H_NCNT; i++) {
		uint64_t w = i == want ? 1 : 0;

		if (r->delta[i] != w)
			v_fail(v, "counter %s (slot %zu) moved by %lld, want %llu",
			       h_counter_str(i % XDPMX_CNT__MAX), i / XDPMX_CNT__MAX,
			       (long long)r->delta[i], (unsigned long long)w);
	}
	if (r->delta[want] != 1)
		v_fail(v, "expected counter: %s in slot %u", h_counter_str(c), slot);
}

void h_check_unchanged(struct verdict *v, const struct h_run *r, uint32_t action, const uint8_t *in,
		       size_t len)
{
	size_t i;

	if (r->action != action)
		v_fail(v, "action %s, want %s", h_action_str(r->action), h_action_str(action));
	if (r->out_len != len) {
		v_fail(v, "data_size_out %zu, want %zu (unchanged)", r->out_len, len);
		return;
	}
	for (i = 0; i < len && r->out[i] == in[i]; i++)
		;
	if (i < len)
		v_fail(v, "frame changed from byte %zu on, want it unchanged", i);
}

void h_verdict(const char *name, const struct verdict *v, const uint8_t *in, size_t in_len,
	       const uint8_t *want, size_t want_len, const uint8_t *got, size_t got_len)
{
	const uint8_t *frames[3] = {in, want, got};
	size_t lens[3] = {in_len, want_len, got_len}, n = 3, i;
	char path[PATH_MAX], safe[128];
	const char *dir = getenv("XDPMX_BUILD");
	int err;

	if (!v->fails)
		return;
	if (!want) { /* no expected frame: input and got only */
		frames[1] = got;
		lens[1] = got_len;
		n = 2;
	}
	for (i = 0; name[i] && i < sizeof(safe) - 1; i++)
		safe[i] = isalnum((unsigned char)name[i]) ? name[i] : '-';
	safe[i] = '\0';
	if (dir)
		snprintf(path, sizeof(path), "%s/tests/prog/fail-%s.pcap", dir, safe);
	else
		snprintf(path, sizeof(path), "/tmp/xdpmx-progtest-fail-%s.pcap", safe);
	err = pcap_write(path, frames, lens, n);

	fprintf(stderr, "\n=== case '%s': %d check(s) failed\n%s", name, v->fails, v->msg);
	if (want) {
		fprintf(stderr, "--- expected vs got:\n");
		hexdiff(stderr, want, want_len, got, got_len);
	}
	cr_assert_fail("case '%s': %d check(s) failed; frames (%s) %s %s\n%s", name, v->fails,
		       want ? "input, expected, got" : "input, got",
		       err ? "could not be written to" : "in", path, v->msg);
}

void h_pin_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	cr_assert_geq(cpu, 0, "Couldn't get the current CPU: %s", strerror(errno));
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	cr_assert_eq(sched_setaffinity(0, sizeof(set), &set), 0, "Couldn't pin to CPU %d: %s", cpu,
		     strerror(errno));
}
