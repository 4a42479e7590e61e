/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Names of the fast-path counters (ids in include/xdpmx/counters.h): the one
 * table every output uses, text ("hit.a=12") and JSON alike, with a one-line
 * description and the group of each. Userspace only; include it wherever a
 * counter is printed or parsed.
 */
#ifndef XDPMX_USER_COUNTERS_H
#define XDPMX_USER_COUNTERS_H

#include <xdpmx/counters.h>

/* What a counter says about a packet. */
enum xdpmx_cnt_group {
	XDPMX_CG_HIT = 0,	/* answered by the program (XDP_TX) */
	XDPMX_CG_PASS = 1,	/* not a DNS query for us: XDP_PASS */
	XDPMX_CG_MALFORMED = 2, /* cut short or inconsistent: XDP_PASS */
	XDPMX_CG_MISS = 3,	/* a query passed up to the slow path */
	XDPMX_CG_DROP = 4,	/* dropped (XDP_DROP) */
	XDPMX_CG_ABORTED = 5,	/* impossible state (XDP_ABORTED) */
	XDPMX_CG__MAX
};

struct xdpmx_counter_info {
	const char *name; /* dotted, e.g. "miss.no_rrset"; starts with its group's name */
	const char *desc; /* one line, no trailing period */
	enum xdpmx_cnt_group group;
};

/* Indexed by enum xdpmx_counter; XDPMX_CNT__MAX entries (static assert). */
extern const struct xdpmx_counter_info xdpmx_counter_info[XDPMX_CNT__MAX];

/* The dotted name of counter id, or NULL if id >= XDPMX_CNT__MAX. */
const char *xdpmx_counter_name(unsigned id);

/* The id of the counter with this dotted name, or -ENOENT. */
int xdpmx_counter_by_name(const char *name);

/* "hit", "pass", "malformed", "miss", "drop", "aborted"; NULL if out of
 * range. */
const char *xdpmx_counter_group_name(enum xdpmx_cnt_group g);

#endif /* XDPMX_USER_COUNTERS_H */
