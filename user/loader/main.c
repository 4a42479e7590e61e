// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdpmx-loader: attach the fast path to interfaces, detach it, show where
 * it runs. The command table; the commands are in loader.c, the work in
 * user/lib/attach.c.
 */
#include <stddef.h>

#include <xdpmx/abi.h>

#include "loader.h"

/* Index order matches enum xdpmx_xdp_mode. */
static const char *const mode_words[] = {"auto", "native", "generic", NULL};

#define PIN_DIR_OPT(type)                                                                          \
	{                                                                                          \
		.name = "pin-dir", .short_name = 'd', .kind = XDPMX_OPT_STR,                       \
		.off = offsetof(type, pin_dir), .metavar = "DIR",                                  \
		.help = "where the maps and programs are pinned (on a bpffs)",                     \
		.defval = XDPMX_PIN_DIR_DEFAULT                                                    \
	}

/* Defaults as in abi.h (XDPMX_*_MAX_DEFAULT), spelled out for the help. */
#define CAP_OPT(opt, field, what, def)                                                             \
	{                                                                                          \
		.name = opt, .kind = XDPMX_OPT_U32, .off = offsetof(struct load_args, field),      \
		.min = 1, .max = 1U << 28, .help = "capacity of " what " (new maps only)",         \
		.defval = def                                                                      \
	}

static const struct xdpmx_opt load_opts[] = {
	{.name = "mode",
	 .short_name = 'm',
	 .kind = XDPMX_OPT_ENUM,
	 .off = offsetof(struct load_args, mode),
	 .choices = mode_words,
	 .help = "XDP mode; auto tries native, then generic",
	 .defval = "auto"},
	PIN_DIR_OPT(struct load_args),
	{.name = "obj",
	 .short_name = 'o',
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct load_args, obj),
	 .metavar = "FILE",
	 .help = "load this BPF object instead of the one built in"},
	{.name = "force",
	 .short_name = 'F',
	 .kind = XDPMX_OPT_FLAG,
	 .off = offsetof(struct load_args, force),
	 .help = "replace xdpmx or another XDP program already attached"},
	{.name = "port",
	 .kind = XDPMX_OPT_U32,
	 .off = offsetof(struct load_args, port),
	 .min = 1,
	 .max = 65535,
	 .help = "UDP port the fast path answers on (every interface)",
	 .defval = "53"},
	{.name = "edns-size",
	 .kind = XDPMX_OPT_U32,
	 .off = offsetof(struct load_args, edns_size),
	 .min = 512,
	 .max = 65535,
	 .help = "our EDNS UDP payload size (every interface)",
	 .defval = XDPMX_STR(XDPMX_EDNS_SIZE_DEFAULT)},
	CAP_OPT("zones-max", zones_max, "the zone table", "262144"),
	CAP_OPT("dir-max", dir_max[0], "the directory (RRsets; twice as many slots)", "1048576"),
	CAP_OPT("blob64-max", blob_max[0], "the 64-byte blob array", "1048576"),
	CAP_OPT("blob128-max", blob_max[1], "the 128-byte blob array", "1048576"),
	CAP_OPT("blob256-max", blob_max[2], "the 256-byte blob array", "262144"),
	CAP_OPT("blob512-max", blob_max[3], "the 512-byte blob array", "16384"),
	CAP_OPT("blob1280-max", blob_max[4], "the 1280-byte blob array", "4096"),
	{0},
};

static const struct xdpmx_opt load_pos[] = {
	{.name = "IFACE",
	 .kind = XDPMX_OPT_STRV,
	 .off = offsetof(struct load_args, ifaces),
	 .help = "network interface to attach to"},
	{0},
};

static const struct xdpmx_opt unload_opts[] = {
	PIN_DIR_OPT(struct unload_args),
	{.name = "all",
	 .short_name = 'a',
	 .kind = XDPMX_OPT_FLAG,
	 .off = offsetof(struct unload_args, all),
	 .help = "unload from every interface that runs it"},
	{.name = "purge",
	 .short_name = 'P',
	 .kind = XDPMX_OPT_FLAG,
	 .off = offsetof(struct unload_args, purge),
	 .help = "also remove the pinned maps (refused while other interfaces run it, "
		 "unless --all)"},
	{0},
};

static const struct xdpmx_opt unload_pos[] = {
	{.name = "IFACE",
	 .kind = XDPMX_OPT_STRV,
	 .flags = XDPMX_OPT_F_OPTIONAL,
	 .off = offsetof(struct unload_args, ifaces),
	 .help = "interface to detach from"},
	{0},
};

static const struct xdpmx_opt status_opts[] = {
	PIN_DIR_OPT(struct status_args),
	{0},
};

static const struct load_args load_defaults = {.pin_dir = XDPMX_PIN_DIR_DEFAULT};
static const struct unload_args unload_defaults = {.pin_dir = XDPMX_PIN_DIR_DEFAULT};
static const struct status_args status_defaults = {.pin_dir = XDPMX_PIN_DIR_DEFAULT};

static const struct xdpmx_cmd cmds[] = {
	{.object = "load",
	 .summary = "attach the fast path to interfaces",
	 .desc = "Loads one instance of the XDP program per interface, sharing the maps\n"
		 "pinned in the pin directory (created by the first load, reused after),\n"
		 "attaches it through libxdp and pins it as prog_IFACE. Where the kernel\n"
		 "refuses libxdp's dispatcher, the program runs alone on the interface\n"
		 "(single-program mode) and another XDP program there is only replaced\n"
		 "with --force. Loading where xdpmx already runs changes nothing.",
	 .opts = load_opts,
	 .args = load_pos,
	 .args_size = sizeof(struct load_args),
	 .defaults = &load_defaults,
	 .run = loader_load},
	{.object = "unload",
	 .summary = "detach the fast path from interfaces",
	 .desc = "Detaches the program, frees the interface's counter slot and removes\n"
		 "its pin. The maps stay pinned (the daemon and other interfaces keep\n"
		 "them) unless --purge.",
	 .opts = unload_opts,
	 .args = unload_pos,
	 .synopsis = "IFACE...|--all",
	 .args_size = sizeof(struct unload_args),
	 .defaults = &unload_defaults,
	 .run = loader_unload},
	{.object = "status",
	 .summary = "show where the fast path runs, and its counters",
	 .desc = "Lists the interfaces, their XDP mode, whether libxdp's dispatcher or a\n"
		 "single program is attached, program id and tag, map ids, and the\n"
		 "headline counters (hits, misses, hit ratio) of each interface.",
	 .opts = status_opts,
	 .args_size = sizeof(struct status_args),
	 .defaults = &status_defaults,
	 .run = loader_status},
	{0},
};

static const struct xdpmx_cli_def loader_def = {
	.prog = "xdpmx-loader",
	.summary = "Attach xdpmx's XDP fast path to network interfaces.",
	.cmds = cmds,
	.footer = "Exit status: 0 success, 1 failure, 2 usage error.",
};

int main(int argc, char **argv)
{
	return xdpmx_cli_main(&loader_def, NULL, argc, argv, NULL, NULL);
}
