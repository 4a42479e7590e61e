// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of the counter name table (user/lib/counters.c): every id of
 * include/xdpmx/counters.h has the agreed dotted name, a description and
 * the group its name starts with; names are unique and map back to ids.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "counters.h"

/* The names every output (xdpmxctl text and JSON, the daemon) promises. */
static const struct {
	unsigned id;
	const char *name;
	enum xdpmx_cnt_group group;
} expected[] = {
	{XDPMX_CNT_HIT_A, "hit.a", XDPMX_CG_HIT},
	{XDPMX_CNT_HIT_AAAA, "hit.aaaa", XDPMX_CG_HIT},
	{XDPMX_CNT_HIT_MX, "hit.mx", XDPMX_CG_HIT},
	{XDPMX_CNT_HIT_PTR, "hit.ptr", XDPMX_CG_HIT},
	{XDPMX_CNT_HIT_TC, "hit.tc", XDPMX_CG_HIT},
	{XDPMX_CNT_PASS_NOT_IP, "pass.not_ip", XDPMX_CG_PASS},
	{XDPMX_CNT_PASS_VLAN, "pass.vlan", XDPMX_CG_PASS},
	{XDPMX_CNT_PASS_NOT_UDP, "pass.not_udp", XDPMX_CG_PASS},
	{XDPMX_CNT_PASS_NOT_PORT, "pass.not_port", XDPMX_CG_PASS},
	{XDPMX_CNT_PASS_IP_OPT, "pass.ip_opt", XDPMX_CG_PASS},
	{XDPMX_CNT_PASS_IP_FRAG, "pass.ip_frag", XDPMX_CG_PASS},
	{XDPMX_CNT_PASS_IP6_EXT, "pass.ip6_ext", XDPMX_CG_PASS},
	{XDPMX_CNT_MALFORMED, "malformed", XDPMX_CG_MALFORMED},
	{XDPMX_CNT_MISS_OPCODE, "miss.opcode", XDPMX_CG_MISS},
	{XDPMX_CNT_MISS_FLAGS, "miss.flags", XDPMX_CG_MISS},
	{XDPMX_CNT_MISS_COUNTS, "miss.counts", XDPMX_CG_MISS},
	{XDPMX_CNT_MISS_NAME, "miss.name", XDPMX_CG_MISS},
	{XDPMX_CNT_MISS_QCLASS, "miss.qclass", XDPMX_CG_MISS},
	{XDPMX_CNT_MISS_QTYPE, "miss.qtype", XDPMX_CG_MISS},
	{XDPMX_CNT_MISS_EDNS, "miss.edns", XDPMX_CG_MISS},
	{XDPMX_CNT_MISS_NO_RRSET, "miss.no_rrset", XDPMX_CG_MISS},
	{XDPMX_CNT_MISS_DNSSEC, "miss.dnssec", XDPMX_CG_MISS},
	{XDPMX_CNT_DROP_RESPONSE, "drop.response", XDPMX_CG_DROP},
	{XDPMX_CNT_ABORTED, "aborted", XDPMX_CG_ABORTED},
	{XDPMX_CNT_MISS_NO_ROOM, "miss.no_room", XDPMX_CG_MISS},
};

/*
 * - the expected list covers every id exactly once;
 * - each id has its agreed name and group.
 */
Test(counters, names_and_groups)
{
	cr_assert_eq(sizeof(expected) / sizeof(expected[0]), XDPMX_CNT__MAX);
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		const struct xdpmx_counter_info *c = &xdpmx_counter_info[expected[i].id];

		cr_assert_not_null(c->name, "counter %u has no name", expected[i].id);
		cr_assert_str_eq(c->name, expected[i].name);
		cr_assert_str_eq(xdpmx_counter_name(expected[i].id), expected[i].name);
		cr_assert_eq(c->group, expected[i].group, "%s: group %d", c->name, c->group);
	}
}

/*
 * - every name starts with its group's name (then "." or the end);
 * - every description is one non-empty line without a trailing period;
 * - names are unique and xdpmx_counter_by_name() maps each back to its id.
 */
Test(counters, table_consistent)
{
	for (unsigned i = 0; i < XDPMX_CNT__MAX; i++) {
		const struct xdpmx_counter_info *c = &xdpmx_counter_info[i];
		const char *g = xdpmx_counter_group_name(c->group);
		size_t gl, dl;

		cr_assert_not_null(g);
		gl = strlen(g);
		cr_assert(!strncmp(c->name, g, gl) && (c->name[gl] == '.' || !c->name[gl]),
			  "%s is not in group %s", c->name, g);
		cr_assert_not_null(c->desc);
		dl = strlen(c->desc);
		cr_assert(dl > 0 && !strchr(c->desc, '\n') && c->desc[dl - 1] != '.',
			  "description of %s", c->name);
		cr_assert_eq(xdpmx_counter_by_name(c->name), (int)i);
		for (unsigned j = 0; j < i; j++)
			cr_assert_str_neq(xdpmx_counter_info[j].name, c->name);
	}
}

/* - out-of-range ids and unknown names are refused. */
Test(counters, out_of_range)
{
	cr_assert_null(xdpmx_counter_name(XDPMX_CNT__MAX));
	cr_assert_null(xdpmx_counter_group_name(XDPMX_CG__MAX));
	cr_assert_eq(xdpmx_counter_by_name("hit"), -ENOENT);
	cr_assert_eq(xdpmx_counter_by_name("hit.a "), -ENOENT);
	cr_assert_eq(xdpmx_counter_by_name(NULL), -ENOENT);
}
