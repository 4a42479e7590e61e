// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The compiled set a zone gives the fast path (user/lib/fpset.c): names at
 * or below a zone loaded under it are left out, and after every edit the
 * set an edit patches is the set a whole compile of the edited zone gives.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <xdpmx/abi.h>

#include "dname.h"
#include "fpset.h"
#include "zone.h"
#include "zoneedit.h"

#define APEX "t.test."

static const char zone_text[] = "$ORIGIN t.test.\n"
				"$TTL 300\n"
				"@ SOA ns1 hostmaster 1 7200 3600 1209600 60\n"
				"@ NS ns1\n"
				"@ MX 10 a\n"
				"@ MX 20 x\n"
				"ns1 A 198.18.0.53\n"
				"a A 198.18.0.1\n"
				"x A 198.18.0.2\n"
				"x AAAA fd00::2\n"
				"m MX 5 a\n"
				"m MX 6 h.sub2\n"
				"sub2 A 198.18.2.1\n"
				"h.sub2 A 198.18.2.2\n"
				"sub2 MX 10 h.sub2\n"
				"h.sub NS ns1\n";

static struct xdpmx_zone *load_text(const char *text)
{
	char path[] = "/tmp/xdpmx-fpset-XXXXXX";
	struct xdpmx_diag d = {};
	struct xdpmx_zone *z = NULL;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	cr_assert_eq(xdpmx_zone_load(path, NULL, &d, &z), 0);
	unlink(path);
	xdpmx_diag_clear(&d);
	return z;
}

static void wire(uint8_t *w, const char *s)
{
	cr_assert_gt(xdpmx_dname_from_str(w, s, NULL), 0);
	xdpmx_dname_canon(w, w, (size_t)xdpmx_dname_len(w, XDPMX_DNAME_MAX));
}

/* got (patched) holds what want (built from scratch) holds. */
static void same_set(const struct xdpmx_fpset *got, const struct xdpmx_fpset *want, int step)
{
	cr_assert_eq(got->c.n, want->c.n, "step %d: %zu entries, want %zu", step, got->c.n,
		     want->c.n);
	for (size_t i = 0; i < want->c.n; i++) {
		const struct xdpmx_centry *a = &got->c.e[i], *b = &want->c.e[i];
		char name[XDPMX_DNAME_STRLEN];

		xdpmx_dname_str(b->key.name, name);
		cr_assert(xdpmx_centry_cmp(a, b) == 0, "step %d: entry %zu is %s/%u", step, i, name,
			  ntohs(b->key.qtype));
		cr_assert(a->flags == b->flags && a->blob_len == b->blob_len &&
				  !memcmp(a->blob, b->blob, b->blob_len),
			  "step %d: blob of %s/%u", step, name, ntohs(b->key.qtype));
	}
	cr_assert_eq(got->filtered, want->filtered, "step %d: filtered", step);
	cr_assert_eq(got->c.skipped[XDPMX_SKIP_TOO_BIG], want->c.skipped[XDPMX_SKIP_TOO_BIG],
		     "step %d: skipped (too big)", step);
	cr_assert_eq(got->c.skipped[XDPMX_SKIP_TOO_MANY], want->c.skipped[XDPMX_SKIP_TOO_MANY],
		     "step %d: skipped (too many)", step);
	cr_assert_eq(got->c.ad_trimmed, want->c.ad_trimmed, "step %d: trimmed", step);
	cr_assert_eq(got->c.blob_bytes, want->c.blob_bytes, "step %d: blob bytes", step);
}

Test(fpset, below_is_left_out)
{
	struct xdpmx_zone *z = load_text(zone_text);
	uint8_t sub2[XDPMX_DNAME_MAX], name[XDPMX_DNAME_MAX];
	const uint8_t *below[] = {sub2};
	struct xdpmx_fpset *all, *s;

	wire(sub2, "sub2." APEX);
	cr_assert_eq(xdpmx_fpset_build(z, NULL, 0, &all), 0);
	cr_assert_eq(xdpmx_fpset_build(z, below, 1, &s), 0);
	wire(name, "h.sub2." APEX);
	cr_assert(xdpmx_fpset_has(all, name, XDPMX_TYPE_A));
	cr_assert_not(xdpmx_fpset_has(s, name, XDPMX_TYPE_A), "below sub2: left out");
	wire(name, "sub2." APEX);
	cr_assert_not(xdpmx_fpset_has(s, name, XDPMX_TYPE_A), "sub2 itself: left out");
	cr_assert_not(xdpmx_fpset_has(s, name, XDPMX_TYPE_MX));
	/* m's MX still has h.sub2's address in its additional section: the
	 * zone says so, and m is this zone's name */
	wire(name, "m." APEX);
	cr_assert(xdpmx_fpset_has(s, name, XDPMX_TYPE_MX));
	wire(name, "a." APEX);
	cr_assert(xdpmx_fpset_has(s, name, XDPMX_TYPE_A));
	cr_assert_eq(s->filtered, 3);
	cr_assert_eq(s->c.n + 3, all->c.n);
	xdpmx_fpset_free(all);
	xdpmx_fpset_free(s);
	xdpmx_zone_unref(z);
}

Test(fpset, edits_match_a_whole_compile)
{
	static const char *const names[] = {APEX,	    "a." APEX,	 "x." APEX,
					    "m." APEX,	    "c." APEX,	 "sub2." APEX,
					    "h.sub2." APEX, "sub." APEX, "h.sub." APEX};
	static const char *const types[] = {"A", "AAAA", "MX", "CNAME", "PTR", "TXT", "NS"};
	static const char *const mx[] = {"10 a.t.test.", "20 x.t.test.", "30 h.sub2.t.test.",
					 "40 c.t.test.", "50 m.t.test."};
	struct xdpmx_zone *cur = load_text(zone_text), *nz;
	uint8_t sub2[XDPMX_DNAME_MAX], owner[XDPMX_DNAME_MAX];
	const uint8_t *below[] = {sub2};
	struct xdpmx_fpset *s, *want;
	char err[XDPMX_EDIT_ERR_MAX], data[64];
	unsigned seed = 77;
	int patched = 0, rebuilt = 0, at_limits = 0;
	uint16_t type;

	wire(sub2, "sub2." APEX);
	cr_assert_eq(xdpmx_fpset_build(cur, below, 1, &s), 0);
	for (int step = 0; step < 4000; step++) {
		/* a third of the edits add addresses to a or x, which grows
		   their RRsets past XDPMX_RR_MAX and the apex MX's additional
		   section past XDPMX_AD_MAX */
		bool grow = rand_r(&seed) % 3 == 0;
		int ti = grow ? 0 : rand_r(&seed) % 7, op = grow ? 0 : rand_r(&seed) % 5;
		struct xdpmx_edit e = {
			.name = grow ? (rand_r(&seed) & 1 ? "a." APEX : "x." APEX)
				     : names[rand_r(&seed) % (sizeof(names) / sizeof(names[0]))],
			.type = types[ti],
			.ttl = 300,
			.data = data,
		};
		int ret;

		switch (ti) {
		case 0:
			snprintf(data, sizeof(data), "198.18.1.%d", rand_r(&seed) % 40);
			break;
		case 1:
			snprintf(data, sizeof(data), "fd00::%x", rand_r(&seed) % 4);
			break;
		case 2:
			snprintf(data, sizeof(data), "%s", mx[rand_r(&seed) % 5]);
			break;
		case 3:
			snprintf(data, sizeof(data), "%s",
				 rand_r(&seed) & 1 ? "a.t.test." : "o.test.");
			break;
		case 4:
			snprintf(data, sizeof(data), "%s",
				 rand_r(&seed) & 1 ? "a.t.test." : "x.t.test.");
			break;
		case 5:
			snprintf(data, sizeof(data), "\"t%d\"", rand_r(&seed) % 3);
			break;
		default:
			snprintf(data, sizeof(data), "ns1.t.test.");
			break;
		}
		/* additions grow the RRsets; deletions and replacements shrink them */
		e.op = op < 3 ? XDPMX_EDIT_ADD : op == 3 ? XDPMX_EDIT_DEL : XDPMX_EDIT_SET;
		if (e.op == XDPMX_EDIT_DEL && rand_r(&seed) % 4 == 0)
			e.data = NULL;
		ret = xdpmx_zone_edit(cur, &e, NULL, &nz, owner, &type, err);
		if (ret)
			continue;
		ret = xdpmx_fpset_edit(s, cur, nz, owner, type, below, 1);
		if (ret == -EAGAIN) {
			cr_assert(type == 2 || type == 39, "step %d: type %u built anew", step,
				  type);
			xdpmx_fpset_free(s);
			cr_assert_eq(xdpmx_fpset_build(nz, below, 1, &s), 0);
			rebuilt++;
		} else {
			cr_assert_eq(ret, 0, "step %d", step);
			patched++;
		}
		cr_assert_eq(xdpmx_fpset_build(nz, below, 1, &want), 0);
		same_set(s, want, step);
		at_limits += want->c.skipped[XDPMX_SKIP_TOO_MANY] + want->c.ad_trimmed > 0;
		xdpmx_fpset_free(want);
		xdpmx_zone_unref(cur);
		cur = nz;
	}
	cr_assert_geq(patched, 1000, "%d patched", patched);
	cr_assert_geq(rebuilt, 10, "%d built anew", rebuilt);
	cr_assert_geq(at_limits, 100,
		      "%d steps at the limits (too many records, trimmed "
		      "additional sections)",
		      at_limits);
	xdpmx_fpset_free(s);
	xdpmx_zone_unref(cur);
}
