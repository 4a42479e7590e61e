// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The daemon's statistics: see sstats.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "counters.h"
#include "sstats.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

void xdpmx_sstats_count(struct xdpmx_sstats *s, bool tcp, const struct xdpmx_resp_info *info)
{
	if (tcp)
		XDPMX_SST_INC(s->queries_tcp);
	else
		XDPMX_SST_INC(s->queries_udp);
	if (info->qtype)
		XDPMX_SST_INC(
			s->qtype[info->qtype < XDPMX_SST_QTYPES ? info->qtype : XDPMX_SST_QTYPES]);
	if (info->kind == XDPMX_RESP_NONE || info->kind >= XDPMX_RESP__MAX) {
		XDPMX_SST_INC(s->dropped);
		return;
	}
	XDPMX_SST_INC(s->kind[info->kind]);
	XDPMX_SST_INC(s->rcode[info->rcode < XDPMX_SST_RCODES ? info->rcode : 0]);
	if (info->tc)
		XDPMX_SST_INC(s->tc);
}

/* The struct is all uint64_t: walk it as an array. */
#define N_U64 (sizeof(struct xdpmx_sstats) / sizeof(uint64_t))
_Static_assert(sizeof(struct xdpmx_sstats) % sizeof(uint64_t) == 0, "sstats is only counters");

void xdpmx_sstats_add(struct xdpmx_sstats *dst, const struct xdpmx_sstats *src)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *s = (const uint64_t *)src;

	for (size_t i = 0; i < N_U64; i++)
		d[i] += LOAD(s[i]);
}

void xdpmx_sstats_sub(struct xdpmx_sstats *dst, const struct xdpmx_sstats *base)
{
	uint64_t *d = (uint64_t *)dst;
	const uint64_t *b = (const uint64_t *)base;

	for (size_t i = 0; i < N_U64; i++)
		d[i] = d[i] > b[i] ? d[i] - b[i] : 0;
}

const char *xdpmx_rcode_name(unsigned rcode)
{
	/* RFC 1035, 2136, 6891, 8490 (the IANA DNS RCODE registry). */
	static const char *const names[] = {
		"NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
		"YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE", "DSOTYPENI",
		NULL,	    NULL,      NULL,	   NULL,       "BADVERS",
	};

	return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : NULL;
}

double xdpmx_stats_hit_ratio(const struct xdpmx_stats_snap *s)
{
	uint64_t hits = 0, misses = 0;

	for (unsigned i = 0; i < XDPMX_CNT__MAX; i++) {
		if (xdpmx_counter_info[i].group == XDPMX_CG_HIT)
			hits += s->fp[i];
		else if (xdpmx_counter_info[i].group == XDPMX_CG_MISS)
			misses += s->fp[i];
	}
	return hits + misses ? (double)hits / (double)(hits + misses) : 0.0;
}

static json_t *counters_json(const uint64_t *cnt)
{
	json_t *o = json_object();

	for (unsigned i = 0; o && i < XDPMX_CNT__MAX; i++)
		if (json_object_set_new(o, xdpmx_counter_name(i), json_integer(cnt[i]))) {
			json_decref(o);
			return NULL;
		}
	return o;
}

/* Set key to v (taking it) in o; a NULL v makes the whole build fail. */
static int put(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

static json_t *slow_json(const struct xdpmx_sstats *s)
{
	json_t *o = json_object(), *rc = json_object(), *qt = json_object();
	char buf[32];
	int err = 0;

	if (!o || !rc || !qt)
		goto fail;
	err |= put(o, "queries", json_integer(s->queries_udp + s->queries_tcp));
	err |= put(o, "queries_udp", json_integer(s->queries_udp));
	err |= put(o, "queries_tcp", json_integer(s->queries_tcp));
	for (unsigned i = 0; i < XDPMX_SST_RCODES; i++) {
		const char *name = xdpmx_rcode_name(i);

		/* The common ones always, so a client can rely on them. */
		if (!s->rcode[i] && i > 5 && i != 16)
			continue;
		if (!name) {
			snprintf(buf, sizeof(buf), "RCODE%u", i);
			name = buf;
		}
		err |= put(rc, name, json_integer(s->rcode[i]));
	}
	for (unsigned i = 0; i <= XDPMX_SST_QTYPES; i++) {
		char *name;

		if (!s->qtype[i])
			continue;
		if (i == XDPMX_SST_QTYPES) {
			err |= put(qt, "other", json_integer(s->qtype[i]));
			continue;
		}
		name = ldns_rr_type2str(i);
		if (!name)
			goto fail;
		err |= put(qt, name, json_integer(s->qtype[i]));
		free(name);
	}
	err |= json_object_set(o, "rcode", rc);
	err |= json_object_set(o, "qtype", qt);
	err |= put(o, "tc", json_integer(s->tc));
	err |= put(o, "dropped", json_integer(s->dropped));
	err |= put(o, "tcp_connections", json_integer(s->tcp_connections));
	err |= put(o, "tcp_refused", json_integer(s->tcp_refused));
	err |= put(o, "tcp_timeouts", json_integer(s->tcp_timeouts));
	err |= put(o, "zone_loads", json_integer(s->zone_loads));
	err |= put(o, "zone_load_failures", json_integer(s->zone_load_failures));
	if (err)
		goto fail;
	json_decref(rc);
	json_decref(qt);
	return o;
fail:
	json_decref(o);
	json_decref(rc);
	json_decref(qt);
	return NULL;
}

json_t *xdpmx_stats_json(const struct xdpmx_stats_snap *s)
{
	json_t *o = json_object(), *by_if = json_object();
	int err = 0;

	if (!o || !by_if)
		goto fail;
	err |= put(o, "fastpath", counters_json(s->fp));
	for (size_t i = 0; i < s->n_ifaces; i++)
		err |= put(by_if, s->iface[i].name, counters_json(s->iface[i].cnt));
	err |= json_object_set(o, "fastpath_by_interface", by_if);
	err |= put(o, "fastpath_maps", json_boolean(s->fastpath));
	err |= put(o, "slowpath", slow_json(&s->slow));
	err |= put(o, "hit_ratio", json_real(xdpmx_stats_hit_ratio(s)));
	if (err)
		goto fail;
	json_decref(by_if);
	return o;
fail:
	json_decref(o);
	json_decref(by_if);
	return NULL;
}
