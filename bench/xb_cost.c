// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xb_cost: per-packet cost of the fast path, and the cost of loading zones
 * into it, for `make bench` (bench/run.sh).
 *
 * 1. Loads the fast-path object (user/lib/bpfobj.c, no pinning, capacities
 *    from the options) and fills its maps the way xdpmxd does: every zone
 *    of the zones.list files through xdpmx_zone_load(),
 *    xdpmx_compile_zone() and xdpmx_fp_zone_apply(), each step timed.
 *    Each --stage LIST then applies another version of the zones (diff,
 *    write, switch, grace period, reclaim: a swap), timed the same way,
 *    and the cases are measured again: so costs at different zone sizes
 *    come from one process, one program, one set of maps.
 * 2. Reports the maps' kernel memory two ways: xdpmx_fp_mem()'s estimate
 *    and the kernel's own per-map "memlock" (fdinfo).
 * 3. Measures each case with BPF_PROG_TEST_RUN through bench/xb_trun.bpf.c,
 *    which restores the query before every run: the cost of a case is the
 *    wrapper's time per run with the program under test minus its time
 *    with a bare XDP_PASS over the same frames, measured back to back.
 *    Every case is checked first (action, answer flags and counts, IPv4
 *    and UDP checksums, the counter that moved), so a figure is never the
 *    cost of something other than what its name says.
 *
 * Output: one JSON object on stdout (jansson): the program's size, then per
 * stage its load or swap times, memory and cases. Exit 0 on success, 1 when a
 * step fails or a case does not do what it should, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>
#include <linux/if_link.h>

#include <xdpmx/abi.h>
#include <xdpmx/counters.h>

#include "bpfobj.h"
#include "compile.h"
#include "counters.h"
#include "dname.h"
#include "fastpath.h"
#include "log.h"
#include "zone.h"

#include "xb_reflect.skel.h"
#include "xb_trun.skel.h"

#define FRAME_MAX 512	/* XB_FRAME_MAX of xb_trun.bpf.c */
#define FRAMES_MAX 4096 /* XB_FRAMES_MAX */
#define OUT_MAX 4096	/* test-run output buffer */
#define CASES_MAX 16
#define XB_TYPE_TXT 16 /* RFC 1035: not one the fast path answers */
#define XB_ANY 0xffff  /* expect.ancount: at least one record */

/* ---- Frames ---------------------------------------------------------------- */

struct frame {
	uint32_t len;
	uint32_t pad;
	uint8_t data[FRAME_MAX];
};
_Static_assert(sizeof(struct frame) == FRAME_MAX + 8, "xb_frame layout");

struct query {
	const char *name; /* presentation form */
	uint16_t qtype;
	bool edns;
	bool ipv6;
	uint16_t vlan; /* 0: untagged */
	uint16_t dport;
};

static const uint8_t cli_mac[6] = {0x02, 0x00, 0xc6, 0x12, 0x0a, 0x02};
static const uint8_t srv_mac[6] = {0x02, 0x00, 0xc6, 0x12, 0x0a, 0x01};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* RFC 1071 sum of len bytes, added to sum; not folded. */
static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The UDP checksum field's value for the datagram at udp (len bytes, the
 * checksum field zero or not: it is skipped) between the addresses at src
 * and dst (alen 4 or 16). */
static uint16_t udp_csum(const uint8_t *src, const uint8_t *dst, size_t alen, const uint8_t *udp,
			 size_t len)
{
	uint32_t sum = 0;
	uint16_t c;

	sum = sum16(src, alen, sum);
	sum = sum16(dst, alen, sum);
	sum += 17 + (uint32_t)len;
	sum = sum16(udp, 6, sum);
	sum = sum16(udp + 8, len - 8, sum);
	c = (uint16_t)~fold(sum);
	return c ? c : 0xffff;
}

/*
 * Build the query frame q into f: Ethernet (client MAC to server MAC), an
 * optional 802.1Q tag, IPv4 198.18.10.2 -> .1 or IPv6 fd00:b::2 -> ::1,
 * UDP 40000 -> q->dport, then the DNS query with RD set and an EDNS OPT of
 * 1232 bytes when q->edns. Returns 0 or -EINVAL (bad name, too long).
 */
static int build_query(const struct query *q, uint16_t id, struct frame *f)
{
	uint8_t name[XDPMX_DNAME_MAX], *p = f->data, *ip, *udp, *dns;
	size_t l3, l4len, dnslen;
	int nl;

	nl = xdpmx_dname_from_str(name, q->name, NULL);
	if (nl < 0)
		return -EINVAL;
	dnslen = 12 + (size_t)nl + 4 + (q->edns ? 11 : 0);
	l3 = 14 + (q->vlan ? 4 : 0);
	if (l3 + (q->ipv6 ? 40 : 20) + 8 + dnslen > FRAME_MAX)
		return -EINVAL;
	memset(f, 0, sizeof(*f));
	memcpy(p, srv_mac, 6);
	memcpy(p + 6, cli_mac, 6);
	if (q->vlan) {
		put16(p + 12, 0x8100);
		put16(p + 14, q->vlan);
		put16(p + 16, q->ipv6 ? 0x86dd : 0x0800);
	} else {
		put16(p + 12, q->ipv6 ? 0x86dd : 0x0800);
	}
	ip = p + l3;
	udp = ip + (q->ipv6 ? 40 : 20);
	dns = udp + 8;
	l4len = 8 + dnslen;

	put16(dns, id);
	put16(dns + 2, 0x0100); /* RD */
	put16(dns + 4, 1);
	put16(dns + 10, q->edns ? 1 : 0);
	memcpy(dns + 12, name, (size_t)nl);
	put16(dns + 12 + nl, q->qtype);
	put16(dns + 14 + nl, XDPMX_CLASS_IN);
	if (q->edns) {
		uint8_t *o = dns + 16 + nl;

		o[0] = 0; /* root owner */
		put16(o + 1, XDPMX_TYPE_OPT);
		put16(o + 3, 1232); /* UDP payload size */
				    /* extended rcode, version, flags (DO=0), rdlen: all zero */
	}

	put16(udp, 40000);
	put16(udp + 2, q->dport);
	put16(udp + 4, (uint16_t)l4len);
	if (q->ipv6) {
		static const uint8_t s6[16] = {0xfd, 0, 0, 0x0b, [15] = 2};
		static const uint8_t d6[16] = {0xfd, 0, 0, 0x0b, [15] = 1};

		ip[0] = 0x60;
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = 17;
		ip[7] = 64;
		memcpy(ip + 8, s6, 16);
		memcpy(ip + 24, d6, 16);
		put16(udp + 6, udp_csum(s6, d6, 16, udp, l4len));
	} else {
		static const uint8_t s4[4] = {198, 18, 10, 2};
		static const uint8_t d4[4] = {198, 18, 10, 1};

		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + l4len));
		put16(ip + 4, id);
		put16(ip + 6, 0x4000); /* DF */
		ip[8] = 64;
		ip[9] = 17;
		memcpy(ip + 12, s4, 4);
		memcpy(ip + 16, d4, 4);
		put16(ip + 10, (uint16_t)~fold(sum16(ip, 20, 0)));
		put16(udp + 6, udp_csum(s4, d4, 4, udp, l4len));
	}
	f->len = (uint32_t)(l3 + (q->ipv6 ? 40 : 20) + l4len);
	return 0;
}

/* ---- What a case must produce ---------------------------------------------- */

struct expect {
	uint32_t action;  /* XDP_TX or XDP_PASS */
	int counter;	  /* the xdpmx counter that must move; -1: none (reflector) */
	uint16_t ancount; /* answers (XDP_TX); XB_ANY: at least one */
	uint16_t arcount; /* additional records, OPT included */
	bool tc;	  /* TC set, no records */
	bool reflect;	  /* the reflector: QR set, nothing else changed */
};

/* Checks the answer frame out (len bytes) against e, for a query frame in.
 * Returns 0, or -EBADMSG with the reason in why. */
static int check_answer(const struct frame *in, const uint8_t *out, uint32_t len,
			const struct expect *e, char *why, size_t wl)
{
	size_t l3 = 14, l4, alen;
	const uint8_t *ip, *udp, *dns, *src, *dst;
	uint16_t flags, et = get16(out + 12), ul;
	bool v6;

	if (len < 14 + 20 + 8 + 12 || memcmp(out, in->data + 6, 6) ||
	    memcmp(out + 6, in->data, 6)) {
		snprintf(why, wl, "frame of %u bytes, or MAC addresses not swapped", len);
		return -EBADMSG;
	}
	if (et == 0x8100) {
		if (get16(out + 14) != get16(in->data + 14)) {
			snprintf(why, wl, "VLAN tag changed");
			return -EBADMSG;
		}
		et = get16(out + 16);
		l3 += 4;
	}
	v6 = et == 0x86dd;
	ip = out + l3;
	if (v6) {
		l4 = l3 + 40;
		src = ip + 8;
		dst = ip + 24;
		alen = 16;
		if (get16(ip + 4) != len - l4) {
			snprintf(why, wl, "IPv6 payload length %u for %zu bytes", get16(ip + 4),
				 len - l4);
			return -EBADMSG;
		}
	} else {
		l4 = l3 + 20;
		src = ip + 12;
		dst = ip + 16;
		alen = 4;
		if (fold(sum16(ip, 20, 0)) != 0xffff) {
			snprintf(why, wl, "bad IPv4 header checksum");
			return -EBADMSG;
		}
		if (get16(ip + 2) != len - l3) {
			snprintf(why, wl, "IPv4 total length %u for %zu bytes", get16(ip + 2),
				 len - l3);
			return -EBADMSG;
		}
	}
	udp = out + l4;
	ul = get16(udp + 4);
	if (ul != len - l4 || ul < 8 + 12) {
		snprintf(why, wl, "UDP length %u for %zu bytes", ul, len - l4);
		return -EBADMSG;
	}
	if ((get16(udp + 6) || v6) && get16(udp + 6) != udp_csum(src, dst, alen, udp, ul)) {
		snprintf(why, wl, "bad UDP checksum 0x%04x, expected 0x%04x", get16(udp + 6),
			 udp_csum(src, dst, alen, udp, ul));
		return -EBADMSG;
	}
	dns = udp + 8;
	flags = get16(dns + 2);
	if (!(flags & 0x8000)) {
		snprintf(why, wl, "QR not set");
		return -EBADMSG;
	}
	if (e->reflect)
		return 0;
	if (!(flags & 0x0400) || (flags & 0x000f)) {
		snprintf(why, wl, "flags 0x%04x: want AA and NOERROR", flags);
		return -EBADMSG;
	}
	if (!!(flags & 0x0200) != e->tc ||
	    (e->ancount == XB_ANY ? !get16(dns + 6) : get16(dns + 6) != e->ancount) ||
	    get16(dns + 10) != e->arcount) {
		snprintf(why, wl, "TC %d, ANCOUNT %u, ARCOUNT %u: want TC %d, %u, %u",
			 !!(flags & 0x0200), get16(dns + 6), get16(dns + 10), e->tc, e->ancount,
			 e->arcount);
		return -EBADMSG;
	}
	return 0;
}

/* ---- Helpers ------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(const double *v, int n)
{
	double s[64];
	int i;

	if (n <= 0 || n > 64)
		return 0;
	for (i = 0; i < n; i++)
		s[i] = v[i];
	qsort(s, (size_t)n, sizeof(s[0]), cmp_double);
	return n & 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static json_t *jarr(const double *v, int n)
{
	json_t *a = json_array();
	int i;

	for (i = 0; a && i < n; i++)
		json_array_append_new(a, json_real(v[i]));
	return a;
}

/* The kernel's "memlock" of the map behind fd (its own memory accounting),
 * from /proc/self/fdinfo, or 0 when it is not there. */
static uint64_t map_memlock(int fd)
{
	char path[64], line[256];
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* ---- Loading zones ------------------------------------------------------------- */

struct load_stats {
	size_t zones, rrsets, records, failed, conflicts, added, changed, deleted, unchanged;
	double parse_s, compile_s, apply_s, flush_s, total_s;
};

static json_t *load_json(const struct load_stats *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f}",
			 "zones", (json_int_t)s->zones, "rrsets", (json_int_t)s->rrsets, "records",
			 (json_int_t)s->records, "added", (json_int_t)s->added, "changed",
			 (json_int_t)s->changed, "deleted", (json_int_t)s->deleted, "unchanged",
			 (json_int_t)s->unchanged, "failed", (json_int_t)s->failed, "conflicts",
			 (json_int_t)s->conflicts, "parse_s", s->parse_s, "compile_s", s->compile_s,
			 "apply_s", s->apply_s, "flush_s", s->flush_s, "total_s", s->total_s);
}

/*
 * Load every zone of a zones.list file ("domain<TAB>path" lines) into the
 * fast path: parse, compile, apply, each timed and added to st. Returns 0,
 * or a negative errno after logging which zone and step failed.
 */
static int load_list(struct xdpmx_fp *fp, const char *list, struct load_stats *st)
{
	char line[4096];
	double t0 = now_s();
	FILE *f = fopen(list, "r");
	int ret = 0;

	if (!f) {
		ret = -errno;
		pr_err("Couldn't open zone list %s: %s", list, strerror(-ret));
		return ret;
	}
	xdpmx_fp_set_deferred(fp, true);
	while (fgets(line, sizeof(line), f)) {
		struct xdpmx_zone_opts zo = {0};
		struct xdpmx_fp_apply_stats as = {0};
		struct xdpmx_diag d = {0};
		struct xdpmx_compiled *c = NULL;
		struct xdpmx_zone *z = NULL;
		char *tab = strchr(line, '\t'), *path;
		double a, b, cc, dd;

		if (!tab)
			continue;
		path = tab + 1;
		path[strcspn(path, "\n")] = 0;
		a = now_s();
		ret = xdpmx_zone_load(path, &zo, &d, &z);
		if (ret) {
			xdpmx_diag_print(&d);
			xdpmx_diag_clear(&d);
			pr_err("Couldn't load zone file %s: %s", path, strerror(-ret));
			break;
		}
		xdpmx_diag_clear(&d);
		b = now_s();
		ret = xdpmx_compile_zone(z, &c);
		if (ret) {
			pr_err("Couldn't compile zone file %s: %s", path, strerror(-ret));
			xdpmx_zone_unref(z);
			break;
		}
		cc = now_s();
		ret = xdpmx_fp_zone_apply(fp, z->apex, c, &as);
		dd = now_s();
		st->zones++;
		st->rrsets += c->n;
		st->records += z->n_records;
		st->added += as.added;
		st->changed += as.changed;
		st->deleted += as.deleted;
		st->unchanged += as.unchanged;
		st->failed += as.failed;
		st->conflicts += as.conflicts;
		st->parse_s += b - a;
		st->compile_s += cc - b;
		st->apply_s += dd - cc;
		xdpmx_compiled_free(c);
		xdpmx_zone_unref(z);
		if (ret) {
			pr_err("Couldn't apply zone file %s to the fast path: %s", path,
			       strerror(-ret));
			break;
		}
	}
	fclose(f);
	if (!ret) {
		double a = now_s();

		/* The deferred reclaims of every apply, after one grace period. */
		ret = xdpmx_fp_flush(fp);
		st->flush_s += now_s() - a;
		if (ret)
			pr_err("Couldn't reclaim the old versions after loading %s: %s", list,
			       strerror(-ret));
	}
	xdpmx_fp_set_deferred(fp, false);
	st->total_s += now_s() - t0;
	return ret;
}

/* ---- Test runs ------------------------------------------------------------------ */

struct bench {
	struct xdpmx_bpfobj *obj;
	struct xdpmx_fp *fp;
	struct xb_reflect *refl;
	struct xb_trun *trun;
	int frames_fd, progs_fd;
	uint32_t repeat;
};

struct bcase {
	const char *name;
	const char *what;
	int prog_fd;
	struct frame *frames;
	uint32_t n;
	struct expect e;
	double ns[64], base[64], ratio[64];
	uint32_t out_len;
};

static int set_frames(struct bench *b, const struct frame *fr, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (bpf_map_update_elem(b->frames_fd, &i, &fr[i], BPF_ANY))
			return -errno;
	}
	b->trun->data->xb_nframes = n;
	b->trun->bss->xb_next = 0;
	return 0;
}

static int set_prog(struct bench *b, int prog_fd)
{
	uint32_t k = 0;

	return bpf_map_update_elem(b->progs_fd, &k, &prog_fd, BPF_ANY) ? -errno : 0;
}

/* CPU time of this thread, in ns. */
static double thread_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/*
 * One BPF_PROG_TEST_RUN of the wrapper: ns per run in *ns; the output of
 * the last run in out (when not NULL, out_len bytes). The time is this
 * thread's CPU time over the call divided by repeat: the kernel's own
 * figure (o.duration) is the same time rounded down to whole nanoseconds,
 * too coarse for a program of a few; CPU time also leaves out whatever else
 * ran on the CPU meanwhile. The syscall's fixed cost, a few microseconds,
 * is below 0.1 ns per run at the repeat counts used.
 */
static int trun(struct bench *b, const struct frame *first, uint32_t repeat, double *ns,
		uint32_t *retval, uint8_t *out, uint32_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = first->data, .data_size_in = first->len,
		    .data_out = out, .data_size_out = out ? OUT_MAX : 0, .repeat = repeat);
	double t0;
	int ret;

	b->trun->bss->xb_next = 0;
	b->trun->bss->xb_orig = 0;
	t0 = thread_ns();
	ret = bpf_prog_test_run_opts(bpf_program__fd(b->trun->progs.xb_trun), &o);
	if (ret)
		return -errno;
	if (ns)
		*ns = (thread_ns() - t0) / repeat;
	if (retval)
		*retval = o.retval;
	if (out_len)
		*out_len = o.data_size_out;
	return 0;
}

static uint64_t counter_sum(struct bench *b, int id)
{
	uint64_t(*st)[XDPMX_CNT__MAX] = calloc(XDPMX_IFACE_MAX, sizeof(*st));
	uint64_t v = 0;
	int s;

	if (!st)
		return 0;
	if (!xdpmx_fp_stats_read(b->fp, st))
		for (s = 0; s < XDPMX_IFACE_MAX; s++)
			v += st[s][id];
	free(st);
	return v;
}

/* Run every frame of the case once and check what comes out. */
static int check_case(struct bench *b, struct bcase *c)
{
	static uint8_t out[OUT_MAX];
	char why[256];
	uint32_t i, rv, ol;
	uint64_t before = 0, after;
	int ret;

	if ((ret = set_frames(b, c->frames, c->n)) || (ret = set_prog(b, c->prog_fd))) {
		pr_err("Couldn't set up case %s: %s", c->name, strerror(-ret));
		return ret;
	}
	if (c->e.counter >= 0)
		before = counter_sum(b, c->e.counter);
	for (i = 0; i < c->n; i++) {
		b->trun->data->xb_nframes = c->n;
		b->trun->bss->xb_next = i;
		b->trun->bss->xb_orig = 0;
		{
			LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = c->frames[i].data,
				    .data_size_in = c->frames[i].len, .data_out = out,
				    .data_size_out = OUT_MAX, .repeat = 1);

			if (bpf_prog_test_run_opts(bpf_program__fd(b->trun->progs.xb_trun), &o)) {
				ret = -errno;
				pr_err("Couldn't test-run case %s: %s", c->name, strerror(-ret));
				return ret;
			}
			rv = o.retval;
			ol = o.data_size_out;
		}
		if (rv != c->e.action) {
			pr_err("Case %s, frame %u: action %u, expected %u", c->name, i, rv,
			       c->e.action);
			return -EBADMSG;
		}
		if (rv == XDP_PASS &&
		    (ol != c->frames[i].len || memcmp(out, c->frames[i].data, ol))) {
			pr_err("Case %s, frame %u: passed a changed frame", c->name, i);
			return -EBADMSG;
		}
		if (rv == XDP_TX && check_answer(&c->frames[i], out, ol, &c->e, why, sizeof(why))) {
			pr_err("Case %s, frame %u: wrong answer: %s", c->name, i, why);
			return -EBADMSG;
		}
		c->out_len = ol;
	}
	if (c->e.counter >= 0) {
		after = counter_sum(b, c->e.counter);
		if (after - before != c->n) {
			pr_err("Case %s: counter %s moved by %lu, expected %u", c->name,
			       xdpmx_counter_name((unsigned)c->e.counter),
			       (unsigned long)(after - before), c->n);
			return -EBADMSG;
		}
	}
	return 0;
}

/* One measurement of a case: baseline then case over the same frames. */
static int measure(struct bench *b, struct bcase *c, int run)
{
	int ret;

	if ((ret = set_frames(b, c->frames, c->n)) ||
	    (ret = set_prog(b, bpf_program__fd(b->trun->progs.xb_pass))) ||
	    (ret = trun(b, &c->frames[0], b->repeat, &c->base[run], NULL, NULL, NULL)) ||
	    (ret = set_prog(b, c->prog_fd)) ||
	    (ret = trun(b, &c->frames[0], b->repeat, &c->ns[run], NULL, NULL, NULL))) {
		pr_err("Couldn't measure case %s: %s", c->name, strerror(-ret));
		return ret;
	}
	c->ns[run] -= c->base[run];
	return 0;
}

/* ---- Main ----------------------------------------------------------------------- */

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: xb_cost [OPTIONS]\n"
		"Per-packet cost of the xdpmx fast path through BPF_PROG_TEST_RUN, and the\n"
		"time and kernel memory of loading zones into it. JSON on stdout.\n\n"
		"  -z, --zones LIST      load the zones of LIST (domain<TAB>file lines); "
		"repeatable\n"
		"  -q, --queries FILE    case 'set': up to 4096 A queries of FILE (kxdpgun lines)\n"
		"  -S, --stage LIST[:FILE]  then swap in the zones of LIST (new versions, more or\n"
		"                        fewer names), take case 'set' from FILE, measure again;\n"
		"                        repeatable, in order\n"
		"  -r, --runs N          measurements per case and stage (default 5)\n"
		"  -n, --repeat N        test-run repetitions per measurement (default 200000)\n"
		"  -c, --cpu N           run on this CPU\n"
		"  -L, --load-only       load, time and report memory; no cases\n"
		"  -P, --pin-dir DIR     fill the maps pinned in DIR (an attached fast path:\n"
		"                        xdpmx-loader load) instead of loading the object;\n"
		"                        implies --load-only\n"
		"      --dir-max N       RRsets the directory is sized for (and --zones-max,\n"
		"                        --blob64-max ... --blob1280-max: slots per blob class);\n"
		"                        0: abi.h's default\n"
		"  -v, --verbose\n"
		"  -h, --help\n");
}

enum { OPT_DIR = 256, OPT_ZONES, OPT_B0, OPT_B1, OPT_B2, OPT_B3, OPT_B4 };

#define STAGES_MAX 8

/* The fixed cases: the five plus the floor and three that show
 * where the time goes (pass before DNS, miss before lookup, miss after). */
static const struct {
	const char *name, *what;
	struct query q;
	struct expect e;
	bool reflect;
} case_defs[] = {
	{"reflect",
	 "bare reflector, MX query with EDNS (IPv4)",
	 {"mydomain.com", XDPMX_TYPE_MX, true, false, 0, 53},
	 {XDP_TX, -1, 0, 0, false, true},
	 true},
	{"mx",
	 "MX hit: 3 MX + 3 additional A, EDNS (IPv4)",
	 {"mydomain.com", XDPMX_TYPE_MX, true, false, 0, 53},
	 {XDP_TX, XDPMX_CNT_HIT_MX, 3, 4, false, false},
	 false},
	{"a",
	 "A hit: 3 A, no EDNS (IPv4)",
	 {"mail.mydomain.com", XDPMX_TYPE_A, false, false, 0, 53},
	 {XDP_TX, XDPMX_CNT_HIT_A, 3, 0, false, false},
	 false},
	{"aaaa6v",
	 "AAAA hit: 3 AAAA, EDNS, IPv6 with one VLAN tag",
	 {"mail.mydomain.com", XDPMX_TYPE_AAAA, true, true, 100, 53},
	 {XDP_TX, XDPMX_CNT_HIT_AAAA, 3, 1, false, false},
	 false},
	{"ptr",
	 "PTR hit: 1 PTR, no EDNS (IPv4)",
	 {"1.20.18.198.in-addr.arpa", XDPMX_TYPE_PTR, false, false, 0, 53},
	 {XDP_TX, XDPMX_CNT_HIT_PTR, 1, 0, false, false},
	 false},
	{"tc",
	 "TC answer: 32 A do not fit 512 bytes (no EDNS)",
	 {"big.mydomain.com", XDPMX_TYPE_A, false, false, 0, 53},
	 {XDP_TX, XDPMX_CNT_HIT_TC, 0, 0, true, false},
	 false},
	{"miss",
	 "miss: unknown name (A), passed up after the lookup",
	 {"nx.mydomain.com", XDPMX_TYPE_A, false, false, 0, 53},
	 {XDP_PASS, XDPMX_CNT_MISS_NO_RRSET, 0, 0, false, false},
	 false},
	{"qtype",
	 "miss: TXT, passed up before any lookup",
	 {"mydomain.com", XB_TYPE_TXT, true, false, 0, 53},
	 {XDP_PASS, XDPMX_CNT_MISS_QTYPE, 0, 0, false, false},
	 false},
	{"notport",
	 "not for us: UDP to port 5353, passed after the L2-L4 parse",
	 {"mydomain.com", XDPMX_TYPE_MX, true, false, 0, 5353},
	 {XDP_PASS, XDPMX_CNT_PASS_NOT_PORT, 0, 0, false, false},
	 false},
};
#define N_FIXED (sizeof(case_defs) / sizeof(case_defs[0]))

/* Frames for case 'set' from the A lines of a kxdpgun query file, at most
 * FRAMES_MAX, into f. Returns how many, or a negative errno. */
static int read_set(const char *qfile, struct frame *f)
{
	char line[512], name[300], type[16];
	FILE *fp = fopen(qfile, "r");
	int n = 0;

	if (!fp) {
		n = -errno;
		pr_err("Couldn't read query file %s: %s", qfile, strerror(-n));
		return n;
	}
	while (n < FRAMES_MAX && fgets(line, sizeof(line), fp)) {
		struct query q = {name, XDPMX_TYPE_A, false, false, 0, 53};

		if (sscanf(line, "%299s %15s", name, type) != 2 || strcmp(type, "A") ||
		    strchr(line, 'E'))
			continue;
		if (build_query(&q, (uint16_t)(0x1000 + n), &f[n])) {
			pr_err("Couldn't build a query for %s", name);
			fclose(fp);
			return -EINVAL;
		}
		n++;
	}
	fclose(fp);
	if (!n) {
		pr_err("No A query without EDNS in %s", qfile);
		return -ENOENT;
	}
	return n;
}

static json_t *mem_json(struct bench *b)
{
	struct xdpmx_fp_mem m;
	const int *fds = b->obj ? (const int *)&b->obj->fds : NULL;
	uint64_t memlock = 0, ent = 0;
	json_t *maps = json_object(), *e, *mx, *bl, *mb;
	size_t k;
	int r;

	r = xdpmx_fp_mem(b->fp, &m);
	if (r) {
		pr_err("Couldn't read the fast-path memory: %s", strerror(-r));
		json_decref(maps);
		return NULL;
	}
	/* The kernel's own figure for each map, by name. */
	for (k = 0; b->obj && k < sizeof(b->obj->fds) / sizeof(int); k++) {
		struct bpf_map_info mi = {0};
		uint32_t ml = sizeof(mi);
		uint64_t v = map_memlock(fds[k]);

		memlock += v;
		if (!bpf_obj_get_info_by_fd(fds[k], &mi, &ml))
			json_object_set_new(maps, mi.name,
					    json_pack("{s:I, s:I, s:I}", "memlock", (json_int_t)v,
						      "max_entries", (json_int_t)mi.max_entries,
						      "value_size", (json_int_t)mi.value_size));
	}
	e = json_array();
	mx = json_array();
	bl = json_array();
	mb = json_array();
	for (k = 0; k < XDPMX_NAME_CLASSES; k++) {
		ent += m.entries[k];
		json_array_append_new(e, json_integer((json_int_t)m.entries[k]));
	}
	for (k = 0; k < 3; k++)
		json_array_append_new(mx, json_integer((json_int_t)m.max_entries[k]));
	for (k = 0; k < XDPMX_BLOB_CLASSES; k++) {
		json_array_append_new(bl, json_integer((json_int_t)m.blobs[k]));
		json_array_append_new(mb, json_integer((json_int_t)m.max_blobs[k]));
	}
	return json_pack("{s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}", "kernel_bytes",
			 (json_int_t)m.kernel_bytes, "memlock_bytes", (json_int_t)memlock, "rrsets",
			 (json_int_t)ent, "entries", e, "max_entries", mx, "blobs", bl, "max_blobs",
			 mb, "maps", maps);
}

/* Check, then measure every case runs times, interleaved so that drift
 * over the stage touches every case alike. Returns the stage's "cases"
 * object, or NULL after logging what failed. */
static json_t *measure_cases(struct bench *b, struct bcase *cases, int ncases, int runs)
{
	json_t *jc;
	int i, r;

	for (i = 0; i < ncases; i++)
		if (check_case(b, &cases[i]))
			return NULL;
	for (r = 0; r < runs; r++) {
		for (i = 0; i < ncases; i++)
			if (measure(b, &cases[i], r))
				return NULL;
		for (i = 0; i < ncases; i++)
			cases[i].ratio[r] =
				cases[0].ns[r] > 0 ? cases[i].ns[r] / cases[0].ns[r] : 0;
	}
	jc = json_object();
	for (i = 0; i < ncases; i++) {
		struct bcase *c = &cases[i];

		json_object_set_new(
			jc, c->name,
			json_pack("{s:s, s:I, s:I, s:o, s:f, s:o, s:f, s:o, s:f}", "what", c->what,
				  "frames", (json_int_t)c->n, "answer_bytes",
				  (json_int_t)c->out_len, "ns", jarr(c->ns, runs), "ns_median",
				  median(c->ns, runs), "baseline_ns", jarr(c->base, runs),
				  "baseline_median", median(c->base, runs), "ratio_to_reflect",
				  jarr(c->ratio, runs), "ratio_median", median(c->ratio, runs)));
	}
	return jc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"zones", required_argument, NULL, 'z'},
		{"stage", required_argument, NULL, 'S'},
		{"queries", required_argument, NULL, 'q'},
		{"runs", required_argument, NULL, 'r'},
		{"repeat", required_argument, NULL, 'n'},
		{"cpu", required_argument, NULL, 'c'},
		{"load-only", no_argument, NULL, 'L'},
		{"pin-dir", required_argument, NULL, 'P'},
		{"dir-max", required_argument, NULL, OPT_DIR},
		{"zones-max", required_argument, NULL, OPT_ZONES},
		{"blob64-max", required_argument, NULL, OPT_B0},
		{"blob128-max", required_argument, NULL, OPT_B1},
		{"blob256-max", required_argument, NULL, OPT_B2},
		{"blob512-max", required_argument, NULL, OPT_B3},
		{"blob1280-max", required_argument, NULL, OPT_B4},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct xdpmx_bpfobj_opts bo = {.dns_port = 53, .edns_size = XDPMX_EDNS_SIZE_DEFAULT};
	const char *lists[8], *stage_list[STAGES_MAX], *stage_q[STAGES_MAX] = {NULL};
	int nlists = 0, nstages = 1, runs = 5, cpu = -1, verbose = 0, opt, ret = 1, i, r, s;
	bool load_only = false;
	const char *pin_dir = NULL;
	struct bench b = {.repeat = 200000};
	struct bcase cases[CASES_MAX];
	struct frame *setf = NULL;
	int ncases = 0, nset = 0;
	json_t *root = json_object(), *stages = json_array();

	while ((opt = getopt_long(argc, argv, "z:S:q:r:n:c:LP:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'z':
			if (nlists == 8) {
				fprintf(stderr, "xb_cost: at most 8 --zones\n");
				return 2;
			}
			lists[nlists++] = optarg;
			break;
		case 'S': {
			char *colon = strchr(optarg, ':');

			if (nstages == STAGES_MAX) {
				fprintf(stderr, "xb_cost: at most %d --stage\n", STAGES_MAX - 1);
				return 2;
			}
			if (colon)
				*colon = 0;
			stage_list[nstages] = optarg;
			stage_q[nstages++] = colon ? colon + 1 : NULL;
			break;
		}
		case 'q':
			stage_q[0] = optarg;
			break;
		case 'r':
			runs = atoi(optarg);
			break;
		case 'n':
			b.repeat = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'c':
			cpu = atoi(optarg);
			break;
		case 'L':
			load_only = true;
			break;
		case 'P':
			pin_dir = optarg;
			load_only = true;
			break;
		case OPT_DIR:
			bo.dir_max[0] = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case OPT_ZONES:
			bo.zones_max = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case OPT_B0:
		case OPT_B1:
		case OPT_B2:
		case OPT_B3:
		case OPT_B4:
			bo.blob_max[opt - OPT_B0] = (uint32_t)strtoul(optarg, NULL, 0);
			break;
		case 'v':
			verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || runs < 1 || runs > 64 || !b.repeat || !nlists) {
		usage(stderr);
		return 2;
	}
	xdpmx_log_set_verbosity(verbose);
	xdpmx_log_route_libs();
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			pr_warn("Couldn't pin xb_cost to CPU %d: %s", cpu, strerror(errno));
	}

	if (pin_dir) {
		/* The maps of a fast path already attached: fill them, as the
		 * daemon would, for a throughput run without the daemon. */
		r = xdpmx_fp_open_pinned(pin_dir, &b.fp);
		if (r) {
			pr_err("Couldn't open the fast-path maps pinned in %s: %s", pin_dir,
			       strerror(-r));
			goto out;
		}
		goto stages;
	}
	/* The object and its maps; the daemon's loader, without pinning. */
	r = xdpmx_bpfobj_open(&bo, &b.obj);
	if (r) {
		pr_err("Couldn't load the fast-path object: %s", strerror(-r));
		goto out;
	}
	r = xdpmx_fp_open_fds(&b.obj->fds, &b.fp);
	if (r) {
		pr_err("Couldn't open the fast-path maps: %s", strerror(-r));
		goto out;
	}
	/* The program's size: what the verifier walked and what runs. */
	{
		struct bpf_prog_info pi = {0};
		uint32_t pl = sizeof(pi);

		if (!bpf_obj_get_info_by_fd(b.obj->prog_fd, &pi, &pl))
			json_object_set_new(
				root, "prog",
				json_pack("{s:I, s:I, s:I, s:I}", "id", (json_int_t)pi.id,
					  "xlated_bytes", (json_int_t)pi.xlated_prog_len,
					  "jited_bytes", (json_int_t)pi.jited_prog_len,
					  "verified_insns", (json_int_t)pi.verified_insns));
	}

	if (!load_only) {
		/* The wrapper and the reflector, loaded like the program under
		 * test: a prog array takes only programs of one kind (frags). */
		__u32 fl = bpf_program__flags(b.obj->prog) & BPF_F_XDP_HAS_FRAGS;

		b.refl = xb_reflect__open();
		b.trun = xb_trun__open();
		if (!b.refl || !b.trun) {
			pr_err("Couldn't open the bench programs: %s", strerror(errno));
			goto out;
		}
		bpf_program__set_flags(b.refl->progs.xb_reflect, fl);
		bpf_program__set_flags(b.trun->progs.xb_trun, fl);
		bpf_program__set_flags(b.trun->progs.xb_pass, fl);
		if ((r = xb_reflect__load(b.refl)) || (r = xb_trun__load(b.trun))) {
			pr_err("Couldn't load the bench programs: %s", strerror(-r));
			goto out;
		}
		b.frames_fd = bpf_map__fd(b.trun->maps.xb_frames);
		b.progs_fd = bpf_map__fd(b.trun->maps.xb_progs);

		for (i = 0; i < (int)N_FIXED; i++) {
			struct bcase *c = &cases[ncases++];

			memset(c, 0, sizeof(*c));
			c->name = case_defs[i].name;
			c->what = case_defs[i].what;
			c->e = case_defs[i].e;
			c->n = 1;
			c->frames = calloc(1, sizeof(struct frame));
			c->prog_fd = case_defs[i].reflect
					     ? bpf_program__fd(b.refl->progs.xb_reflect)
					     : b.obj->prog_fd;
			if (!c->frames || build_query(&case_defs[i].q, 0x2b2b, c->frames)) {
				pr_err("Couldn't build the frame of case %s", c->name);
				goto out;
			}
		}
		setf = calloc(FRAMES_MAX, sizeof(*setf));
		if (!setf)
			goto out;
	}

stages:
	for (s = 0; s < nstages; s++) {
		struct load_stats ls = {0};
		json_t *js = json_object(), *jm, *jc;

		json_array_append_new(stages, js);
		if (s == 0) {
			for (i = 0; i < nlists; i++)
				if (load_list(b.fp, lists[i], &ls))
					goto out;
			json_object_set_new(js, "zones", json_string(lists[nlists - 1]));
		} else {
			if (load_list(b.fp, stage_list[s], &ls))
				goto out;
			json_object_set_new(js, "zones", json_string(stage_list[s]));
		}
		json_object_set_new(js, "load", load_json(&ls));
		jm = mem_json(&b);
		if (!jm)
			goto out;
		json_object_set_new(js, "mem", jm);
		if (load_only)
			continue;
		if (stage_q[s]) {
			nset = read_set(stage_q[s], setf);
			if (nset < 0)
				goto out;
			if (ncases == (int)N_FIXED)
				ncases++;
			cases[N_FIXED] = (struct bcase){
				.name = "set",
				.what = "A hits, no EDNS, spread over up to 4096 of the loaded "
					"names",
				.frames = setf,
				.n = (uint32_t)nset,
				.prog_fd = b.obj->prog_fd,
				.e = {XDP_TX, XDPMX_CNT_HIT_A, XB_ANY, 0, false, false},
			};
			json_object_set_new(js, "set_queries", json_string(stage_q[s]));
		}
		jc = measure_cases(&b, cases, ncases, runs);
		if (!jc)
			goto out;
		json_object_set_new(js, "cases", jc);
	}
	json_object_set_new(root, "stages", stages);
	stages = NULL;
	json_object_set_new(
		root, "method",
		json_pack("{s:s, s:I, s:I}", "name",
			  "BPF_PROG_TEST_RUN, frame restored before every run (start, length and "
			  "bytes; the head and tail adjustments called every time) "
			  "(bench/xb_trun.bpf.c), minus the same wrapper with XDP_PASS; "
			  "thread CPU time / repeat",
			  "repeat", (json_int_t)b.repeat, "runs", (json_int_t)runs));
	ret = 0;
out:
	if (!ret) {
		json_dumpf(root, stdout, JSON_INDENT(1));
		fputc('\n', stdout);
	}
	json_decref(stages);
	json_decref(root);
	for (i = 0; i < ncases && i < (int)N_FIXED; i++)
		free(cases[i].frames);
	free(setf);
	xb_trun__destroy(b.trun);
	xb_reflect__destroy(b.refl);
	xdpmx_fp_close(b.fp);
	xdpmx_bpfobj_close(b.obj);
	return ret;
}
