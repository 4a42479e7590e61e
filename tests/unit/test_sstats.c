// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The daemon's statistics (user/lib/sstats.c) and their Prometheus text
 * (user/lib/metrics.c): counting by transport, RCODE and QTYPE, sums and
 * resets by base, the "stats show" JSON of control.h, and the exposition
 * lines.
 */
#define _GNU_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "counters.h"
#include "metrics.h"
#include "sstats.h"

static void count(struct xdpmx_sstats *s, bool tcp, enum xdpmx_resp_kind kind, uint16_t rcode,
		  uint16_t qtype, bool tc)
{
	struct xdpmx_resp_info info = {.kind = kind, .rcode = rcode, .qtype = qtype, .tc = tc};

	xdpmx_sstats_count(s, tcp, &info);
}

/* A worker's day: 3 MX answers over UDP (one truncated), one NXDOMAIN over
 * TCP, a BADVERS, a REFUSED for a type above the table, and a response
 * (QR=1) that gets nothing. */
static void a_day(struct xdpmx_sstats *s)
{
	count(s, false, XDPMX_RESP_ANSWER, 0, 15, false);
	count(s, false, XDPMX_RESP_ANSWER, 0, 15, false);
	count(s, false, XDPMX_RESP_ANSWER, 0, 15, true);
	count(s, true, XDPMX_RESP_NXDOMAIN, 3, 1, false);
	count(s, false, XDPMX_RESP_BADVERS, 16, 15, false);
	count(s, false, XDPMX_RESP_REFUSED, 5, 65280, false);
	count(s, false, XDPMX_RESP_NONE, 0, 0, false);
}

Test(sstats, count)
{
	struct xdpmx_sstats s = {};

	a_day(&s);
	cr_assert_eq(s.queries_udp, 6);
	cr_assert_eq(s.queries_tcp, 1);
	cr_assert_eq(s.rcode[0], 3);
	cr_assert_eq(s.rcode[3], 1);
	cr_assert_eq(s.rcode[16], 1);
	cr_assert_eq(s.rcode[5], 1);
	cr_assert_eq(s.qtype[15], 4);
	cr_assert_eq(s.qtype[1], 1);
	cr_assert_eq(s.qtype[XDPMX_SST_QTYPES], 1, "types past the table are 'other'");
	cr_assert_eq(s.qtype[0], 0, "no question, no type");
	cr_assert_eq(s.kind[XDPMX_RESP_ANSWER], 3);
	cr_assert_eq(s.tc, 1);
	cr_assert_eq(s.dropped, 1);
}

Test(sstats, add_and_reset_by_base)
{
	struct xdpmx_sstats w1 = {}, w2 = {}, sum = {}, base;

	a_day(&w1);
	a_day(&w2);
	xdpmx_sstats_add(&sum, &w1);
	xdpmx_sstats_add(&sum, &w2);
	cr_assert_eq(sum.queries_udp, 12);
	cr_assert_eq(sum.qtype[15], 8);
	base = sum;
	count(&w1, true, XDPMX_RESP_ANSWER, 0, 1, false);
	memset(&sum, 0, sizeof(sum));
	xdpmx_sstats_add(&sum, &w1);
	xdpmx_sstats_add(&sum, &w2);
	xdpmx_sstats_sub(&sum, &base);
	cr_assert_eq(sum.queries_tcp, 1, "only what came after the reset");
	cr_assert_eq(sum.queries_udp, 0);
	cr_assert_eq(sum.qtype[1], 1);
}

Test(sstats, rcode_names)
{
	cr_assert_str_eq(xdpmx_rcode_name(0), "NOERROR");
	cr_assert_str_eq(xdpmx_rcode_name(4), "NOTIMP");
	cr_assert_str_eq(xdpmx_rcode_name(16), "BADVERS");
	cr_assert_null(xdpmx_rcode_name(12));
	cr_assert_null(xdpmx_rcode_name(31));
}

static struct xdpmx_stats_snap *snapshot(void)
{
	struct xdpmx_stats_snap *s = calloc(1, sizeof(*s));

	cr_assert_not_null(s);
	a_day(&s->slow);
	s->slow.zone_loads = 2;
	s->fastpath = true;
	s->n_ifaces = 1;
	strcpy(s->iface[0].name, "eth0");
	s->iface[0].cnt[XDPMX_CNT_HIT_MX] = 30;
	s->iface[0].cnt[XDPMX_CNT_MISS_QTYPE] = 10;
	memcpy(s->fp, s->iface[0].cnt, sizeof(s->fp));
	return s;
}

Test(sstats, json)
{
	struct xdpmx_stats_snap *s = snapshot();
	json_t *j = xdpmx_stats_json(s), *slow;

	cr_assert_not_null(j);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(j, "fastpath"), "hit.mx")),
		     30);
	cr_assert_eq(json_integer_value(json_object_get(
			     json_object_get(json_object_get(j, "fastpath_by_interface"), "eth0"),
			     "miss.qtype")),
		     10);
	cr_assert_float_eq(json_real_value(json_object_get(j, "hit_ratio")), 0.75, 1e-9);
	slow = json_object_get(j, "slowpath");
	cr_assert_eq(json_integer_value(json_object_get(slow, "queries")), 7);
	cr_assert_eq(json_integer_value(json_object_get(slow, "queries_tcp")), 1);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(slow, "rcode"), "NOERROR")),
		     3);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(slow, "rcode"), "BADVERS")),
		     1);
	cr_assert_eq(json_integer_value(json_object_get(json_object_get(slow, "qtype"), "MX")), 4);
	cr_assert_eq(
		json_integer_value(json_object_get(json_object_get(slow, "qtype"), "TYPE65280")) +
			json_integer_value(
				json_object_get(json_object_get(slow, "qtype"), "other")),
		1);
	cr_assert_eq(json_integer_value(json_object_get(slow, "tc")), 1);
	cr_assert_eq(json_integer_value(json_object_get(slow, "dropped")), 1);
	cr_assert_eq(json_integer_value(json_object_get(slow, "zone_loads")), 2);
	json_decref(j);
	free(s);
}

Test(sstats, prometheus_text)
{
	static const char *const want[] = {
		"# TYPE xdpmx_fastpath_packets_total counter",
		"xdpmx_fastpath_packets_total{interface=\"eth0\",reason=\"hit.mx\"} 30",
		"xdpmx_fastpath_packets_total{interface=\"eth0\",reason=\"aborted\"} 0",
		"xdpmx_fastpath_hit_ratio 0.750000",
		"xdpmx_slowpath_queries_total{transport=\"udp\"} 6",
		"xdpmx_slowpath_queries_total{transport=\"tcp\"} 1",
		"xdpmx_slowpath_responses_total{rcode=\"NOERROR\"} 3",
		"xdpmx_slowpath_responses_total{rcode=\"NXDOMAIN\"} 1",
		"xdpmx_slowpath_responses_total{rcode=\"BADVERS\"} 1",
		"xdpmx_slowpath_query_types_total{qtype=\"MX\"} 4",
		"xdpmx_slowpath_query_types_total{qtype=\"other\"} 1",
		"xdpmx_slowpath_truncated_total 1",
		"xdpmx_slowpath_tcp_clients 5",
		"xdpmx_zone_loads_total 2",
		"xdpmx_zones 3",
	};
	struct xdpmx_stats_snap *s = snapshot();
	char *text = NULL, *line, *save;
	size_t len = 0, i, seen = 0, samples = 0;
	FILE *f = open_memstream(&text, &len);

	cr_assert_not_null(f);
	cr_assert_eq(xdpmx_metrics_render(f, s, 3, 5), 0);
	cr_assert_eq(fclose(f), 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *needle;

		cr_assert(asprintf(&needle, "\n%s\n", want[i]) > 0);
		cr_assert_not_null(strstr(text, needle), "no line '%s' in:\n%s", want[i], text);
		free(needle);
	}
	/* Every sample line is "name{labels} value" or "name value", and
	 * every metric has its HELP and TYPE. */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "# TYPE ", 7))
			seen++;
		if (line[0] == '#')
			continue;
		samples++;
		cr_assert(strncmp(line, "xdpmx_", 6) == 0 && strrchr(line, ' ')[1] >= '0' &&
				  strrchr(line, ' ')[1] <= '9',
			  "bad sample line '%s'", line);
	}
	cr_assert_eq(seen, 12, "one TYPE line per metric family");
	/* packets, hit ratio, queries by transport, 7 RCODEs, 3 QTYPEs, truncated,
	 * dropped, TCP by result, TCP clients, zone loads, failures, zones */
	cr_assert_eq(samples, XDPMX_CNT__MAX + 1 + 2 + 7 + 3 + 1 + 1 + 3 + 1 + 1 + 1 + 1);
	free(text);
	free(s);
}
