// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of the command-table framework (user/lib/cmdline.c) through
 * its one entry point, xdpmx_cli_main(), over a small made-up program:
 *  - OBJECT COMMAND selection, object-only commands, global options on
 *    either side of the command words, every option and argument kind;
 *  - each argument error has the one wording and exits 2, also as JSON;
 *  - help from the tables (program, object, command), versions;
 *  - exit 1 for a failing command, JSON errors on stdout only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <jansson.h>

#include "cmdline.h"

/* ---- the made-up program -------------------------------------------------- */

struct g_opts {
	const char *control;
	uint32_t timeout;
};

struct load_args {
	int mode;
	bool force;
	uint32_t port;
	struct xdpmx_strv tag;
	struct xdpmx_strv ifaces;
};

struct order_args {
	const char *name;
	const char *type;
	int order;
	const char *comment;
};

struct show_args {
	const char *zone;
};

/* What the last command saw, copied out of its argument struct. */
static struct {
	const char *cmd;
	struct load_args load;
	const char *tags[8], *ifaces[8];
	struct order_args order;
	struct show_args show;
	struct g_opts g;
	bool json, pretty;
	int verbose;
	int calls;
} seen;

static struct g_opts globals;

static void note(struct xdpmx_cli *cli, const char *cmd)
{
	seen.cmd = cmd;
	seen.g = *(struct g_opts *)cli->globals;
	seen.json = cli->json;
	seen.pretty = cli->pretty;
	seen.verbose = cli->verbose;
	seen.calls++;
}

static int run_status(struct xdpmx_cli *cli, void *a)
{
	(void)a;
	note(cli, "status");
	return 0;
}

static int run_load(struct xdpmx_cli *cli, void *a)
{
	struct load_args *l = a;
	size_t i;

	note(cli, "load");
	seen.load = *l;
	for (i = 0; i < l->tag.n && i < 8; i++)
		seen.tags[i] = l->tag.v[i];
	for (i = 0; i < l->ifaces.n && i < 8; i++)
		seen.ifaces[i] = l->ifaces.v[i];
	return 0;
}

static int run_show(struct xdpmx_cli *cli, void *a)
{
	note(cli, "zone show");
	seen.show = *(struct show_args *)a;
	if (!strcmp(seen.show.zone, "fail.")) {
		xdpmx_cli_info(cli, "looking for zone %s", seen.show.zone);
		xdpmx_cli_err(cli, "Couldn't show zone '%s': no such zone", seen.show.zone);
		return -ENOENT;
	}
	return 0;
}

static int run_list(struct xdpmx_cli *cli, void *a)
{
	(void)a;
	note(cli, "zone list");
	return xdpmx_cli_json(cli, json_pack("[s]", "example.com."));
}

static int run_order(struct xdpmx_cli *cli, void *a)
{
	note(cli, "rrset order");
	seen.order = *(struct order_args *)a;
	return 0;
}

static const char *const modes[] = {"native", "generic", "auto", NULL};
static const char *const orders[] = {"cyclic", "random", "fixed", NULL};

static const struct xdpmx_opt g_table[] = {
	{.name = "control",
	 .short_name = 'c',
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct g_opts, control),
	 .metavar = "PATH",
	 .help = "control socket",
	 .defval = "/run/x.sock"},
	{.name = "timeout",
	 .kind = XDPMX_OPT_U32,
	 .off = offsetof(struct g_opts, timeout),
	 .metavar = "MS",
	 .min = 1,
	 .max = 60000,
	 .help = "how long to wait"},
	{0},
};

static const struct xdpmx_opt load_opts[] = {
	{.name = "mode",
	 .short_name = 'm',
	 .kind = XDPMX_OPT_ENUM,
	 .off = offsetof(struct load_args, mode),
	 .choices = modes,
	 .help = "attach mode",
	 .defval = "auto"},
	{.name = "force",
	 .short_name = 'F',
	 .kind = XDPMX_OPT_FLAG,
	 .off = offsetof(struct load_args, force),
	 .help = "replace what is there"},
	{.name = "port",
	 .kind = XDPMX_OPT_U32,
	 .off = offsetof(struct load_args, port),
	 .min = 1,
	 .max = 65535,
	 .help = "DNS port",
	 .defval = "53"},
	{.name = "tag",
	 .short_name = 't',
	 .kind = XDPMX_OPT_STRV,
	 .off = offsetof(struct load_args, tag),
	 .metavar = "TAG",
	 .help = "a tag"},
	{0},
};

static const struct xdpmx_opt load_args_t[] = {
	{.name = "IFACE",
	 .kind = XDPMX_OPT_STRV,
	 .off = offsetof(struct load_args, ifaces),
	 .help = "interface to attach to"},
	{0},
};

static const struct xdpmx_opt show_args_t[] = {
	{.name = "ZONE",
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct show_args, zone),
	 .help = "the zone's apex"},
	{0},
};

static const struct xdpmx_opt order_args_t[] = {
	{.name = "NAME",
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct order_args, name),
	 .help = "owner name"},
	{.name = "TYPE",
	 .kind = XDPMX_OPT_STR,
	 .off = offsetof(struct order_args, type),
	 .help = "record type"},
	{.name = "ORDER",
	 .kind = XDPMX_OPT_ENUM,
	 .off = offsetof(struct order_args, order),
	 .choices = orders,
	 .help = "the new order"},
	{.name = "COMMENT",
	 .kind = XDPMX_OPT_STR,
	 .flags = XDPMX_OPT_F_OPTIONAL,
	 .off = offsetof(struct order_args, comment),
	 .help = "why"},
	{0},
};

static const struct load_args load_defaults = {.mode = 2, .port = 53};

static const struct xdpmx_cmd cmds[] = {
	{.object = "status", .summary = "show the state", .run = run_status},
	{.object = "load",
	 .summary = "attach to interfaces",
	 .desc = "Attaches things.",
	 .opts = load_opts,
	 .args = load_args_t,
	 .args_size = sizeof(struct load_args),
	 .defaults = &load_defaults,
	 .run = run_load},
	{.object = "zone", .name = "list", .summary = "list zones", .run = run_list},
	{.object = "zone",
	 .name = "show",
	 .summary = "show a zone",
	 .args = show_args_t,
	 .args_size = sizeof(struct show_args),
	 .run = run_show},
	{.object = "rrset",
	 .name = "order",
	 .summary = "set an RRset's order",
	 .args = order_args_t,
	 .args_size = sizeof(struct order_args),
	 .run = run_order},
	{0},
};

static const struct xdpmx_cli_def tool = {
	.prog = "tool",
	.summary = "A made-up tool.",
	.global_opts = g_table,
	.globals_size = sizeof(struct g_opts),
	.cmds = cmds,
};

/* ---- harness ------------------------------------------------------------- */

static char *out_buf, *err_buf;
static size_t out_len, err_len;

/* Run the tool on a NULL-terminated word list; out/err are captured. */
static int run(const char *first, ...)
{
	char *argv[32];
	int argc = 0, rc;
	FILE *out, *err;
	va_list ap;
	const char *w;

	free(out_buf);
	free(err_buf);
	memset(&seen, 0, sizeof(seen));
	globals = (struct g_opts){.control = "/run/x.sock", .timeout = 1000};
	argv[argc++] = "tool";
	va_start(ap, first);
	for (w = first; w; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	out = open_memstream(&out_buf, &out_len);
	err = open_memstream(&err_buf, &err_len);
	cr_assert(out && err);
	rc = xdpmx_cli_main(&tool, &globals, argc, argv, out, err);
	fclose(out);
	fclose(err);
	return rc;
}

static void teardown(void)
{
	free(out_buf);
	free(err_buf);
	out_buf = err_buf = NULL;
}

TestSuite(cmdline, .fini = teardown);

/* The JSON error object printed on stdout, or fail. */
static const char *json_error(void)
{
	static char msg[1024];
	json_error_t je;
	json_t *o = json_loads(out_buf, 0, &je);
	const char *s;

	cr_assert(o, "stdout is not JSON: '%s' (%s)", out_buf, je.text);
	s = json_string_value(json_object_get(o, "error"));
	cr_assert(s, "no \"error\" in '%s'", out_buf);
	snprintf(msg, sizeof(msg), "%s", s);
	json_decref(o);
	return msg;
}

/* ---- selection and values ------------------------------------------------- */

Test(cmdline, object_only_command_runs_with_defaults)
{
	cr_assert_eq(run("status", NULL), XDPMX_EXIT_OK);
	cr_assert_str_eq(seen.cmd, "status");
	cr_assert_str_eq(seen.g.control, "/run/x.sock");
	cr_assert_eq(seen.g.timeout, 1000);
	cr_assert_not(seen.json);
	cr_assert_str_empty(err_buf);
}

Test(cmdline, object_command_and_argument)
{
	cr_assert_eq(run("zone", "show", "example.com.", NULL), 0);
	cr_assert_str_eq(seen.cmd, "zone show");
	cr_assert_str_eq(seen.show.zone, "example.com.");
}

Test(cmdline, defaults_from_the_table)
{
	cr_assert_eq(run("load", "eth0", NULL), 0);
	cr_assert_eq(seen.load.mode, 2, "mode default is index 2 (auto)");
	cr_assert_eq(seen.load.port, 53);
	cr_assert_not(seen.load.force);
	cr_assert_eq(seen.load.ifaces.n, 1);
	cr_assert_str_eq(seen.ifaces[0], "eth0");
}

Test(cmdline, every_option_form)
{
	cr_assert_eq(run("load", "--mode=native", "-F", "--port", "5353", "-t", "a", "--tag=b",
			 "-tc", "eth0", "eth1", NULL),
		     0, "%s", err_buf);
	cr_assert_eq(seen.load.mode, 0);
	cr_assert(seen.load.force);
	cr_assert_eq(seen.load.port, 5353);
	cr_assert_eq(seen.load.tag.n, 3);
	cr_assert_str_eq(seen.tags[0], "a");
	cr_assert_str_eq(seen.tags[1], "b");
	cr_assert_str_eq(seen.tags[2], "c");
	cr_assert_eq(seen.load.ifaces.n, 2);
	cr_assert_str_eq(seen.ifaces[1], "eth1");
}

Test(cmdline, short_value_attached_and_separate)
{
	cr_assert_eq(run("load", "-mgeneric", "eth0", NULL), 0);
	cr_assert_eq(seen.load.mode, 1);
	cr_assert_eq(run("load", "-m", "native", "eth0", NULL), 0);
	cr_assert_eq(seen.load.mode, 0);
}

Test(cmdline, hex_numbers)
{
	cr_assert_eq(run("load", "--port", "0x35", "eth0", NULL), 0);
	cr_assert_eq(seen.load.port, 53);
}

Test(cmdline, global_options_anywhere_and_clustered)
{
	cr_assert_eq(run("-c", "/tmp/a", "zone", "list", "-vv", "--timeout=5", NULL), 0);
	cr_assert_str_eq(seen.g.control, "/tmp/a");
	cr_assert_eq(seen.g.timeout, 5);
	cr_assert_eq(seen.verbose, 2);
	cr_assert(seen.json == false);
	cr_assert_eq(run("zone", "list", "-jp", NULL), 0);
	cr_assert(seen.json && seen.pretty);
	cr_assert_eq(run("-p", "status", NULL), 0);
	cr_assert(seen.json, "-p implies -j");
}

Test(cmdline, enum_positional_and_optional_positional)
{
	cr_assert_eq(run("rrset", "order", "mail.example.", "A", "fixed", NULL), 0);
	cr_assert_str_eq(seen.order.name, "mail.example.");
	cr_assert_str_eq(seen.order.type, "A");
	cr_assert_eq(seen.order.order, 2);
	cr_assert_null(seen.order.comment);
	cr_assert_eq(run("rrset", "order", "n.", "MX", "random", "because", NULL), 0);
	cr_assert_eq(seen.order.order, 1);
	cr_assert_str_eq(seen.order.comment, "because");
}

Test(cmdline, double_dash_ends_options)
{
	cr_assert_eq(run("rrset", "order", "--", "-weird", "A", "cyclic", NULL), 0);
	cr_assert_str_eq(seen.order.name, "-weird");
}

Test(cmdline, json_result_printed)
{
	cr_assert_eq(run("-j", "zone", "list", NULL), 0);
	cr_assert_str_eq(out_buf, "[\"example.com.\"]\n");
}

/* ---- usage errors: one wording, exit 2, the command is not run ------------ */

static void assert_usage(int rc, const char *path, const char *msg)
{
	char want[512];

	cr_assert_eq(rc, XDPMX_EXIT_USAGE, "exit %d, stderr '%s'", rc, err_buf);
	cr_assert_eq(seen.calls, 0, "the command must not run");
	snprintf(want, sizeof(want), "tool%s%s: %s\nTry 'tool%s%s --help'.\n", *path ? " " : "",
		 path, msg, *path ? " " : "", path);
	cr_assert_str_eq(err_buf, want);
	cr_assert_str_empty(out_buf);
}

Test(cmdline, unknown_object)
{
	assert_usage(run("bogus", NULL), "", "unknown object 'bogus' (try 'tool help')");
}

Test(cmdline, unknown_command_lists_the_commands)
{
	assert_usage(run("zone", "frob", NULL), "",
		     "unknown command 'frob' for object 'zone' (one of: list, show)");
}

Test(cmdline, missing_command)
{
	assert_usage(run("zone", NULL), "",
		     "missing command for object 'zone' (one of: list, show)");
}

Test(cmdline, unknown_option)
{
	assert_usage(run("zone", "list", "--bogus", NULL), "zone list",
		     "unrecognized option '--bogus'");
	assert_usage(run("zone", "list", "-x", NULL), "zone list", "unrecognized option '-x'");
}

Test(cmdline, command_option_before_its_command)
{
	assert_usage(run("--force", "load", "eth0", NULL), "",
		     "option '--force' belongs to a command: put it after the command");
}

Test(cmdline, option_value_missing)
{
	assert_usage(run("load", "eth0", "--mode", NULL), "load",
		     "option '--mode' needs a value native|generic|auto");
	assert_usage(run("load", "eth0", "-t", NULL), "load", "option '-t' needs a value TAG");
}

Test(cmdline, flag_with_a_value)
{
	assert_usage(run("load", "--force=yes", "eth0", NULL), "load",
		     "option '--force' takes no value");
}

Test(cmdline, bad_numbers)
{
	static const char *bad[] = {
		"abc", "", "-1", "+5", "65536", "0", "0x", "12x", "99999999999999999999", " 5"};
	char want[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want),
			 "invalid value '%s' for --port: expected a number from 1 to 65535",
			 bad[i]);
		assert_usage(run("load", "--port", bad[i], "eth0", NULL), "load", want);
	}
}

Test(cmdline, bad_enum)
{
	assert_usage(run("load", "--mode", "hw", "eth0", NULL), "load",
		     "invalid value 'hw' for --mode: expected one of native|generic|auto");
	assert_usage(run("rrset", "order", "n.", "A", "sorted", NULL), "rrset order",
		     "invalid value 'sorted' for ORDER: expected one of cyclic|random|fixed");
}

Test(cmdline, missing_and_extra_arguments)
{
	assert_usage(run("zone", "show", NULL), "zone show", "missing argument ZONE");
	assert_usage(run("load", NULL), "load", "missing argument IFACE");
	assert_usage(run("rrset", "order", "n.", "A", NULL), "rrset order",
		     "missing argument ORDER");
	assert_usage(run("zone", "show", "a.", "b.", NULL), "zone show",
		     "unexpected argument 'b.'");
	assert_usage(run("status", "now", NULL), "status", "unexpected argument 'now'");
}

Test(cmdline, no_arguments_prints_help_and_exits_2)
{
	cr_assert_eq(run(NULL), XDPMX_EXIT_USAGE);
	cr_assert(strstr(err_buf, "Usage: tool [OPTIONS] OBJECT COMMAND [ARGS]"), "%s", err_buf);
	cr_assert_str_empty(out_buf);
}

Test(cmdline, usage_errors_as_json)
{
	cr_assert_eq(run("-j", "zone", "show", NULL), XDPMX_EXIT_USAGE);
	cr_assert_str_eq(json_error(), "zone show: missing argument ZONE");
	cr_assert_str_empty(err_buf);
	/* -j seen after the error position still makes the error JSON. */
	cr_assert_eq(run("bogus", "--json", NULL), XDPMX_EXIT_USAGE);
	cr_assert_str_eq(json_error(), "unknown object 'bogus' (try 'tool help')");
	cr_assert_str_empty(err_buf);
}

/* ---- failures ------------------------------------------------------------- */

Test(cmdline, failing_command_exits_1)
{
	cr_assert_eq(run("zone", "show", "fail.", NULL), XDPMX_EXIT_FAILURE);
	cr_assert_str_eq(
		err_buf,
		"looking for zone fail.\nerror: Couldn't show zone 'fail.': no such zone\n");
	cr_assert_str_empty(out_buf);
}

Test(cmdline, failing_command_as_json)
{
	cr_assert_eq(run("zone", "show", "fail.", "-j", NULL), XDPMX_EXIT_FAILURE);
	cr_assert_str_eq(json_error(), "Couldn't show zone 'fail.': no such zone");
	cr_assert_str_empty(err_buf, "info is silent in JSON mode, got '%s'", err_buf);
}

/* ---- help and version ----------------------------------------------------- */

Test(cmdline, main_help)
{
	cr_assert_eq(run("help", NULL), 0);
	cr_assert_eq(seen.calls, 0);
	cr_assert(strstr(out_buf, "Usage: tool [OPTIONS] OBJECT COMMAND [ARGS]\n"), "%s", out_buf);
	cr_assert(strstr(out_buf, "OBJECT := { status | load | zone | rrset | help }"), "%s",
		  out_buf);
	cr_assert(strstr(out_buf, "  zone show ZONE"), "%s", out_buf);
	cr_assert(strstr(out_buf, "  load [OPTIONS] IFACE..."), "%s", out_buf);
	cr_assert(strstr(out_buf, "  rrset order NAME TYPE cyclic|random|fixed [COMMENT]"), "%s",
		  out_buf);
	cr_assert(strstr(out_buf, "-c, --control PATH"), "%s", out_buf);
	cr_assert(strstr(out_buf, "control socket (default: /run/x.sock)"), "%s", out_buf);
	cr_assert(strstr(out_buf, "-j, --json"), "%s", out_buf);
	cr_assert_str_empty(err_buf);
	/* --help alone says the same. */
	{
		char *first = strdup(out_buf);

		cr_assert_eq(run("--help", NULL), 0);
		cr_assert_str_eq(out_buf, first);
		free(first);
	}
}

Test(cmdline, command_help_every_spelling)
{
	char *want;

	cr_assert_eq(run("load", "--help", NULL), 0);
	cr_assert_eq(seen.calls, 0, "--help does not run the command");
	cr_assert(strstr(out_buf, "Usage: tool [OPTIONS] load [OPTIONS] IFACE...\n"), "%s",
		  out_buf);
	cr_assert(strstr(out_buf, "Attaches things."), "%s", out_buf);
	cr_assert(strstr(out_buf, "-m, --mode native|generic|auto"), "%s", out_buf);
	cr_assert(strstr(out_buf, "attach mode (default: auto)"), "%s", out_buf);
	cr_assert(strstr(out_buf, "-t, --tag TAG"), "%s", out_buf);
	cr_assert(strstr(out_buf, "a tag (repeatable)"), "%s", out_buf);
	cr_assert(strstr(out_buf, "    --port N"), "%s", out_buf);
	cr_assert(strstr(out_buf, "IFACE..."), "%s", out_buf);
	want = strdup(out_buf);
	cr_assert_eq(run("help", "load", NULL), 0);
	cr_assert_str_eq(out_buf, want);
	cr_assert_eq(run("load", "eth0", "-h", NULL), 0);
	cr_assert_str_eq(out_buf, want);
	free(want);
}

Test(cmdline, help_even_with_missing_arguments)
{
	cr_assert_eq(run("zone", "show", "--help", NULL), 0);
	cr_assert(strstr(out_buf, "Usage: tool [OPTIONS] zone show ZONE\n"), "%s", out_buf);
	cr_assert(strstr(out_buf, "the zone's apex"), "%s", out_buf);
}

Test(cmdline, object_help)
{
	char *want;

	cr_assert_eq(run("zone", "help", NULL), 0);
	cr_assert(strstr(out_buf, "Usage: tool [OPTIONS] zone COMMAND [ARGS]\n"), "%s", out_buf);
	cr_assert(strstr(out_buf, "zone list"), "%s", out_buf);
	cr_assert(strstr(out_buf, "zone show ZONE"), "%s", out_buf);
	cr_assert_null(strstr(out_buf, "rrset order"), "%s", out_buf);
	want = strdup(out_buf);
	cr_assert_eq(run("zone", "--help", NULL), 0);
	cr_assert_str_eq(out_buf, want);
	cr_assert_eq(run("help", "zone", NULL), 0);
	cr_assert_str_eq(out_buf, want);
	free(want);
}

Test(cmdline, help_of_unknown_things)
{
	assert_usage(run("help", "nope", NULL), "", "unknown object 'nope' (try 'tool help')");
	assert_usage(run("help", "zone", "nope", NULL), "",
		     "unknown command 'nope' for object 'zone' (one of: list, show)");
}

Test(cmdline, version)
{
	json_t *o;

	cr_assert_eq(run("-V", NULL), 0);
	cr_assert(strncmp(out_buf, "tool ", 5) == 0, "%s", out_buf);
	cr_assert(strstr(out_buf, "libbpf v"), "%s", out_buf);
	cr_assert(strstr(out_buf, "libxdp "), "%s", out_buf);
	cr_assert(strstr(out_buf, "ldns "), "%s", out_buf);
	cr_assert_eq(run("--version", "-j", NULL), 0);
	o = json_loads(out_buf, 0, NULL);
	cr_assert(o, "%s", out_buf);
	cr_assert_str_eq(json_string_value(json_object_get(o, "name")), "tool");
	cr_assert(json_is_string(json_object_get(o, "libbpf")));
	cr_assert(json_is_string(json_object_get(o, "libxdp")));
	cr_assert(json_is_string(json_object_get(o, "ldns")));
	cr_assert(json_is_integer(json_object_get(o, "abi")));
	json_decref(o);
}
