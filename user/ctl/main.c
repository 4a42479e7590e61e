// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdpmxctl: the operator's control of a running xdpmxd, over its control
 * socket (user/lib/control.h). The command table; commands are in
 * daemon.c and local.c.
 */
#include <stddef.h>

#include <xdpmx/abi.h>

#include "control.h"
#include "ctl.h"

static const struct xdpmx_opt global_opts[] = {
	{.name = "control",
	 .short_name = 'c',
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct ctl_globals, control),
	 .metavar = "PATH",
	 .help = "the daemon's control socket",
	 .defval = XDPMX_CONTROL_PATH_DEFAULT},
	{.name = "pin-dir",
	 .short_name = 'd',
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct ctl_globals, pin_dir),
	 .metavar = "DIR",
	 .help = "pinned maps to read when the daemon is not running",
	 .defval = XDPMX_PIN_DIR_DEFAULT},
	{.name = "timeout",
	 .short_name = 't',
	 .kind = XDPMX_OPT_U32,
	 .off = offsetof(struct ctl_globals, timeout),
	 .metavar = "SEC",
	 .min = 1,
	 .max = 86400,
	 .help = "how long to wait for the daemon's answer",
	 .defval = "60"},
	{0},
};

static const char *const order_words[] = {"cyclic", "random", "fixed", NULL};

static const struct xdpmx_opt zone_arg[] = {
	{.name = "ZONE",
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct zone_args, zone),
	 .help = "the zone's apex, e.g. mydomain.com."},
	{0},
};

static const struct xdpmx_opt zone_arg_opt[] = {
	{.name = "ZONE",
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct zone_args, zone),
	 .flags = XDPMX_OPT_F_OPTIONAL,
	 .help = "the zone to reload (default: every zone)"},
	{0},
};

static const struct xdpmx_opt check_opts[] = {
	{.name = "origin",
	 .short_name = 'o',
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct check_args, origin),
	 .metavar = "NAME",
	 .help = "the zone's apex (default: the owner of the file's SOA)"},
	{0},
};

static const struct xdpmx_opt check_args_t[] = {
	{.name = "FILE",
	 .kind = XDPMX_OPT_STRV,
	 .off = offsetof(struct check_args, files),
	 .help = "zone file; with several, reverse-DNS (PTR) checks span them"},
	{0},
};

#define RECORD_HEAD                                                                                \
	{.name = "ZONE",                                                                           \
	 .kind = XDPMX_OPT_STR,                                                                    \
	 .off = offsetof(struct record_args, zone),                                                \
	 .help = "the zone's apex"},                                                               \
		{.name = "NAME",                                                                   \
		 .kind = XDPMX_OPT_STR,                                                            \
		 .off = offsetof(struct record_args, name),                                        \
		 .help = "owner name (relative to ZONE unless it ends with a dot)"},               \
	{                                                                                          \
		.name = "TYPE", .kind = XDPMX_OPT_STR, .off = offsetof(struct record_args, type),  \
		.help = "record type, e.g. A, MX"                                                  \
	}

static const struct xdpmx_opt record_full[] = {
	RECORD_HEAD,
	{.name = "TTL",
	 .kind = XDPMX_OPT_U32,
	 .off = offsetof(struct record_args, ttl),
	 .min = 0,
	 .max = 2147483647,
	 .help = "time to live, seconds"},
	{.name = "DATA",
	 .kind = XDPMX_OPT_STRV,
	 .off = offsetof(struct record_args, data),
	 .help = "record data in zone-file syntax, e.g. 10 mail1 (use -- before data "
		 "that starts with '-')"},
	{0},
};

static const struct xdpmx_opt record_del[] = {
	RECORD_HEAD,
	{.name = "DATA",
	 .kind = XDPMX_OPT_STRV,
	 .flags = XDPMX_OPT_F_OPTIONAL,
	 .off = offsetof(struct record_args, data),
	 .help = "the record to delete (default: the whole RRset)"},
	{0},
};

static const struct xdpmx_opt order_args_t[] = {
	{.name = "NAME",
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct order_args, name),
	 .help = "owner name of the RRset (absolute)"},
	{.name = "TYPE",
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct order_args, type),
	 .help = "its type, e.g. A, MX"},
	{.name = "ORDER",
	 .kind = XDPMX_OPT_ENUM,
	 .off = offsetof(struct order_args, order),
	 .choices = order_words,
	 .help = "cyclic: round robin; random: random start; fixed: zone order"},
	{0},
};

static const struct xdpmx_cmd cmds[] = {
	{.object = "status",
	 .summary = "show the daemon, its zones and interfaces",
	 .run = ctl_status},
	{.object = "stats",
	 .name = "show",
	 .summary = "show the counters: fast path by reason and interface, slow path",
	 .desc = "Text output is one dotted.key=value line per counter. When the daemon\n"
		 "is not running, the fast-path counters are read from the pinned maps\n"
		 "(--pin-dir) and a note says so (\"source\" in JSON).",
	 .run = ctl_stats_show},
	{.object = "stats",
	 .name = "reset",
	 .summary = "zero every counter",
	 .run = ctl_stats_reset},
	{.object = "zone",
	 .name = "list",
	 .summary = "list the zones, their serials and state",
	 .run = ctl_zone_list},
	{.object = "zone",
	 .name = "show",
	 .summary = "print a zone's records",
	 .args = zone_arg,
	 .args_size = sizeof(struct zone_args),
	 .run = ctl_zone_show},
	{.object = "zone",
	 .name = "reload",
	 .summary = "reload zones from their files (a failing zone keeps serving the old)",
	 .args = zone_arg_opt,
	 .args_size = sizeof(struct zone_args),
	 .run = ctl_zone_reload},
	{.object = "zone",
	 .name = "check",
	 .summary = "check zone files here, without the daemon",
	 .opts = check_opts,
	 .args = check_args_t,
	 .args_size = sizeof(struct check_args),
	 .run = ctl_zone_check},
	{.object = "record",
	 .name = "add",
	 .summary = "add a record to a zone in the daemon",
	 .desc = "The change is answered by both paths within a second; it is not\n"
		 "written to the zone file, so a reload forgets it (a warning says so).",
	 .args = record_full,
	 .args_size = sizeof(struct record_args),
	 .run = ctl_record_add},
	{.object = "record",
	 .name = "del",
	 .summary = "delete a record, or a whole RRset",
	 .desc = "Without DATA the whole RRset goes. Not written to the zone file.",
	 .args = record_del,
	 .args_size = sizeof(struct record_args),
	 .run = ctl_record_del},
	{.object = "record",
	 .name = "set",
	 .summary = "replace an RRset by one record",
	 .desc = "Not written to the zone file.",
	 .args = record_full,
	 .args_size = sizeof(struct record_args),
	 .run = ctl_record_set},
	{.object = "rrset",
	 .name = "order",
	 .summary = "set the order an RRset is answered in",
	 .args = order_args_t,
	 .args_size = sizeof(struct order_args),
	 .run = ctl_rrset_order},
	{.object = "map",
	 .name = "dump",
	 .summary = "print what the fast path answers, as DNS records",
	 .desc = "Reads the daemon's view, or the pinned maps when it is not running.",
	 .run = ctl_map_dump},
	{0},
};

static const struct xdpmx_cli_def ctl_def = {
	.prog = "xdpmxctl",
	.summary = "Control xdpmxd, the mail-DNS server with an XDP fast path.",
	.global_opts = global_opts,
	.globals_size = sizeof(struct ctl_globals),
	.cmds = cmds,
	.footer = "Exit status: 0 success, 1 failure, 2 usage error.",
};

int main(int argc, char **argv)
{
	struct ctl_globals g = {
		.control = XDPMX_CONTROL_PATH_DEFAULT,
		.pin_dir = XDPMX_PIN_DIR_DEFAULT,
		.timeout = 60,
	};

	return xdpmx_cli_main(&ctl_def, &g, argc, argv, NULL, NULL);
}
