/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpmxctl's commands, their argument structs and the helpers they share:
 * main.c holds the command table, daemon.c the commands answered by xdpmxd
 * over the control socket, local.c those that also work without it (stats
 * and map dump from the pinned maps, zone check). Private to user/ctl/.
 */
#ifndef XDPMX_CTL_H
#define XDPMX_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "cmdline.h"

struct ctl_globals {
	const char *control; /* the daemon's control socket */
	const char *pin_dir; /* where to read the maps without the daemon */
	uint32_t timeout;    /* seconds to wait for an answer */
};

struct zone_args {
	const char *zone; /* show; reload (optional) */
};

struct check_args {
	const char *origin;
	struct xdpmx_strv files;
};

struct record_args {
	const char *zone, *name, *type;
	uint32_t ttl;
	struct xdpmx_strv data;
};

struct order_args {
	const char *name, *type;
	int order; /* index into the order words: cyclic, random, fixed */
};

/* daemon.c */
int ctl_status(struct xdpmx_cli *cli, void *args);
int ctl_stats_reset(struct xdpmx_cli *cli, void *args);
int ctl_zone_list(struct xdpmx_cli *cli, void *args);
int ctl_zone_show(struct xdpmx_cli *cli, void *args);
int ctl_zone_reload(struct xdpmx_cli *cli, void *args);
int ctl_record_add(struct xdpmx_cli *cli, void *args);
int ctl_record_del(struct xdpmx_cli *cli, void *args);
int ctl_record_set(struct xdpmx_cli *cli, void *args);
int ctl_rrset_order(struct xdpmx_cli *cli, void *args);

/* local.c */
int ctl_stats_show(struct xdpmx_cli *cli, void *args);
int ctl_map_dump(struct xdpmx_cli *cli, void *args);
int ctl_zone_check(struct xdpmx_cli *cli, void *args);

/*
 * Send one command to the daemon. Returns 0 and *result (a new reference)
 * on success. When the daemon is not running and may_fall_back is set,
 * returns -ENOTCONN without printing anything; every other failure is
 * reported (with the daemon's "details" when it sent some) and returned as
 * a negative errno.
 */
int ctl_call(struct xdpmx_cli *cli, const char *cmd, json_t *args, bool may_fall_back,
	     json_t **result);

/* Print an object as dotted.key=value lines, nested objects joined with
 * dots under prefix (NULL: none), as nsd-control prints its statistics. */
void ctl_print_dotted(FILE *f, const char *prefix, json_t *v);

#endif /* XDPMX_CTL_H */
