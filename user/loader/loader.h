/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpmx-loader's commands and their argument structs, shared by main.c
 * (the command table) and loader.c (the commands). Private to
 * user/loader/.
 */
#ifndef XDPMX_LOADER_H
#define XDPMX_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "attach.h"
#include "cmdline.h"

struct load_args {
	int mode; /* enum xdpmx_xdp_mode: index into the mode words */
	const char *pin_dir;
	const char *obj;
	bool force;
	uint32_t port, edns_size;
	uint32_t zones_max, dir_max[3], blob_max[XDPMX_BLOB_CLASSES];
	struct xdpmx_strv ifaces;
};

struct unload_args {
	const char *pin_dir;
	bool purge, all;
	struct xdpmx_strv ifaces;
};

struct status_args {
	const char *pin_dir;
};

int loader_load(struct xdpmx_cli *cli, void *args);
int loader_unload(struct xdpmx_cli *cli, void *args);
int loader_status(struct xdpmx_cli *cli, void *args);

#endif /* XDPMX_LOADER_H */
