// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The command-line framework: see cmdline.h. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <ldns/ldns.h>

#include <xdpmx/abi.h>

#include "cmdline.h"
#include "log.h"

#ifndef XDPMX_VERSION
#define XDPMX_VERSION "0.0.0"
#endif
/* libxdp has no run-time version call; the Makefile passes the version of
 * the headers we were built with. */
#ifndef XDPMX_LIBXDP_VERSION
#define XDPMX_LIBXDP_VERSION "unknown"
#endif

/* The options every xdpmx CLI has, stored in struct common_opts. */
struct common_opts {
	bool json;
	bool pretty;
	int verbose;
	bool version;
	bool help;
};

static const struct xdpmx_opt common_table[] = {
	{.name = "json",
	 .short_name = 'j',
	 .kind = XDPMX_OPT_FLAG,
	 .off = offsetof(struct common_opts, json),
	 .help = "print results as JSON; errors as {\"error\": ...}"},
	{.name = "pretty",
	 .short_name = 'p',
	 .kind = XDPMX_OPT_FLAG,
	 .off = offsetof(struct common_opts, pretty),
	 .help = "print indented JSON (implies --json)"},
	{.name = "verbose",
	 .short_name = 'v',
	 .kind = XDPMX_OPT_COUNT,
	 .off = offsetof(struct common_opts, verbose),
	 .help = "more detail; repeat (-vv) for libbpf's debug output"},
	{.name = "version",
	 .short_name = 'V',
	 .kind = XDPMX_OPT_FLAG,
	 .off = offsetof(struct common_opts, version),
	 .help = "print the version and the library versions, then exit"},
	{.name = "help",
	 .short_name = 'h',
	 .kind = XDPMX_OPT_FLAG,
	 .off = offsetof(struct common_opts, help),
	 .help = "print help for the program or the command, then exit"},
	{0},
};

/* ---- output -------------------------------------------------------------- */

/* The words naming the selected command: "zone show", "load", or "". */
static void cmd_path(const struct xdpmx_cmd *cmd, char *buf, size_t len)
{
	if (!cmd)
		snprintf(buf, len, "%s", "");
	else if (cmd->name)
		snprintf(buf, len, "%s %s", cmd->object, cmd->name);
	else
		snprintf(buf, len, "%s", cmd->object);
}

static void emit_json_error(struct xdpmx_cli *cli, const char *msg, json_t *extra)
{
	json_t *o;

	if (cli->error_printed) {
		fprintf(cli->err, "error: %s\n", msg);
		json_decref(extra);
		return;
	}
	o = json_pack("{s:s}", "error", msg);
	if (o && extra)
		json_object_update_missing(o, extra);
	json_decref(extra);
	if (o) {
		cli->error_printed = true;
		xdpmx_cli_json(cli, o);
	} else {
		fprintf(cli->err, "error: %s\n", msg);
	}
}

void xdpmx_cli_err(struct xdpmx_cli *cli, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli->json)
		emit_json_error(cli, msg, NULL);
	else
		fprintf(cli->err, "error: %s\n", msg);
}

void xdpmx_cli_err_json(struct xdpmx_cli *cli, json_t *extra, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli->json) {
		emit_json_error(cli, msg, extra);
	} else {
		json_decref(extra);
		fprintf(cli->err, "error: %s\n", msg);
	}
}

static int vusage(struct xdpmx_cli *cli, const char *fmt, va_list ap)
{
	char msg[1024], path[128], full[1400];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	cmd_path(cli->cmd, path, sizeof(path));
	cli->usage_error = true;
	if (cli->json) {
		snprintf(full, sizeof(full), "%s%s%s", path, *path ? ": " : "", msg);
		emit_json_error(cli, full, NULL);
		return -EINVAL;
	}
	fprintf(cli->err, "%s%s%s: %s\n", cli->def->prog, *path ? " " : "", path, msg);
	fprintf(cli->err, "Try '%s%s%s --help'.\n", cli->def->prog, *path ? " " : "", path);
	return -EINVAL;
}

int xdpmx_cli_usage(struct xdpmx_cli *cli, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vusage(cli, fmt, ap);
	va_end(ap);
	return ret;
}

void xdpmx_cli_info(struct xdpmx_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->json)
		return;
	va_start(ap, fmt);
	vfprintf(cli->err, fmt, ap);
	va_end(ap);
	fputc('\n', cli->err);
}

void xdpmx_cli_warn(struct xdpmx_cli *cli, const char *fmt, ...)
{
	va_list ap;

	fputs("warning: ", cli->err);
	va_start(ap, fmt);
	vfprintf(cli->err, fmt, ap);
	va_end(ap);
	fputc('\n', cli->err);
}

int xdpmx_cli_json(struct xdpmx_cli *cli, json_t *v)
{
	size_t flags = JSON_ENCODE_ANY | (cli->pretty ? JSON_INDENT(2) : JSON_COMPACT);
	int ret = 0;

	if (!v)
		return -ENOMEM;
	if (json_dumpf(v, cli->out, flags) || fputc('\n', cli->out) == EOF)
		ret = -EIO;
	json_decref(v);
	fflush(cli->out);
	return ret;
}

void xdpmx_cli_print_version(const char *prog, bool json, FILE *f)
{
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "name", prog, "version",
				      XDPMX_VERSION, "abi", XDPMX_ABI_VERSION, "libbpf",
				      libbpf_version_string(), "libxdp", XDPMX_LIBXDP_VERSION,
				      "ldns", ldns_version());
		if (o) {
			json_dumpf(o, f, JSON_COMPACT);
			fputc('\n', f);
			json_decref(o);
		}
		return;
	}
	fprintf(f, "%s %s (xdpmx ABI %d)\n", prog, XDPMX_VERSION, XDPMX_ABI_VERSION);
	fprintf(f, "using libbpf %s, libxdp %s (headers), ldns %s\n", libbpf_version_string(),
		XDPMX_LIBXDP_VERSION, ldns_version());
}

/* ---- help ---------------------------------------------------------------- */

static const char *kind_metavar(const struct xdpmx_opt *o, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	if (o->metavar)
		return o->metavar;
	if (o->kind == XDPMX_OPT_ENUM && o->choices) {
		buf[0] = '\0';
		for (i = 0; o->choices[i]; i++)
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", i ? "|" : "",
				      o->choices[i]);
		return buf;
	}
	return o->kind == XDPMX_OPT_U32 ? "N" : "VALUE";
}

static bool takes_value(const struct xdpmx_opt *o)
{
	return o->kind != XDPMX_OPT_FLAG && o->kind != XDPMX_OPT_COUNT;
}

/* The argument part of a usage line: "[OPTIONS] IFACE..." */
static void synopsis(const struct xdpmx_cmd *cmd, char *buf, size_t len)
{
	const struct xdpmx_opt *a;
	char mv[256];
	size_t n = 0;

	n += snprintf(buf, len, "%s", cmd->opts && cmd->opts[0].name ? " [OPTIONS]" : "");
	if (cmd->synopsis) {
		snprintf(buf + n, n < len ? len - n : 0, " %s", cmd->synopsis);
		return;
	}
	for (a = cmd->args; a && a->name; a++) {
		const char *name =
			a->kind == XDPMX_OPT_ENUM ? kind_metavar(a, mv, sizeof(mv)) : a->name;
		bool opt = a->flags & XDPMX_OPT_F_OPTIONAL;
		bool multi = a->kind == XDPMX_OPT_STRV;

		n += snprintf(buf + n, n < len ? len - n : 0, " %s%s%s%s", opt ? "[" : "", name,
			      multi ? "..." : "", opt ? "]" : "");
	}
}

#define HELP_COL 30

static void help_line(FILE *f, const char *left, const char *text)
{
	int w = (int)strlen(left);

	if (w + 2 >= HELP_COL)
		fprintf(f, "  %s\n  %*s%s\n", left, HELP_COL, "", text ? text : "");
	else
		fprintf(f, "  %-*s%s\n", HELP_COL, left, text ? text : "");
}

static void help_opts(FILE *f, const char *title, const struct xdpmx_opt *t)
{
	char left[256], mv[256], text[512];

	if (!t || !t->name)
		return;
	fprintf(f, "\n%s:\n", title);
	for (; t->name; t++) {
		const char *m = kind_metavar(t, mv, sizeof(mv));

		if (t->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", t->short_name, t->name,
				 takes_value(t) ? " " : "", takes_value(t) ? m : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", t->name,
				 takes_value(t) ? " " : "", takes_value(t) ? m : "");
		snprintf(text, sizeof(text), "%s%s%s%s%s", t->help ? t->help : "",
			 t->kind == XDPMX_OPT_STRV ? " (repeatable)" : "",
			 t->defval ? " (default: " : "", t->defval ? t->defval : "",
			 t->defval ? ")" : "");
		help_line(f, left, text);
	}
}

static void help_args(FILE *f, const struct xdpmx_opt *t)
{
	char left[256], mv[256];

	if (!t || !t->name)
		return;
	fprintf(f, "\nArguments:\n");
	for (; t->name; t++) {
		snprintf(left, sizeof(left), "%s%s",
			 t->kind == XDPMX_OPT_ENUM ? kind_metavar(t, mv, sizeof(mv)) : t->name,
			 t->kind == XDPMX_OPT_STRV ? "..." : "");
		help_line(f, left, t->help);
	}
}

static bool all_object_only(const struct xdpmx_cli_def *def)
{
	const struct xdpmx_cmd *c;

	for (c = def->cmds; c->object; c++)
		if (c->name)
			return false;
	return true;
}

static void usage_line(const struct xdpmx_cli_def *def, const struct xdpmx_cmd *c, char *buf,
		       size_t len)
{
	char syn[512];

	synopsis(c, syn, sizeof(syn));
	snprintf(buf, len, "%s%s%s%s", c->object, c->name ? " " : "", c->name ? c->name : "", syn);
	(void)def;
}

static void help_cmd_list(const struct xdpmx_cli_def *def, const char *object, FILE *f)
{
	const struct xdpmx_cmd *c;
	char left[600];

	fprintf(f, "\nCommands:\n");
	for (c = def->cmds; c->object; c++) {
		if (object && strcmp(c->object, object))
			continue;
		usage_line(def, c, left, sizeof(left));
		help_line(f, left, c->summary);
	}
	if (!object)
		help_line(f, all_object_only(def) ? "help [COMMAND]" : "help [OBJECT [COMMAND]]",
			  "print this help, or a command's");
}

static void help_main(const struct xdpmx_cli_def *def, FILE *f)
{
	const struct xdpmx_cmd *c, *p;
	bool flat = all_object_only(def);

	fprintf(f, "Usage: %s [OPTIONS] %s [ARGS]\n", def->prog,
		flat ? "COMMAND" : "OBJECT COMMAND");
	if (def->summary)
		fprintf(f, "%s\n", def->summary);
	fprintf(f, "\n  %s := {", flat ? "COMMAND" : "OBJECT");
	for (c = def->cmds; c->object; c++) {
		for (p = def->cmds; p < c; p++)
			if (!strcmp(p->object, c->object))
				break;
		if (p == c)
			fprintf(f, " %s |", c->object);
	}
	fprintf(f, " help }\n");
	help_cmd_list(def, NULL, f);
	help_opts(f, "Global options", def->global_opts);
	help_opts(f, "Common options", common_table);
	fprintf(f, "\nRun '%s %s --help' for the options and arguments of a command.\n", def->prog,
		flat ? "COMMAND" : "OBJECT COMMAND");
	if (def->footer)
		fprintf(f, "\n%s\n", def->footer);
}

static void help_object(const struct xdpmx_cli_def *def, const char *object, FILE *f)
{
	fprintf(f, "Usage: %s [OPTIONS] %s COMMAND [ARGS]\n", def->prog, object);
	help_cmd_list(def, object, f);
	fprintf(f, "\nRun '%s %s COMMAND --help' for the options and arguments of a command.\n",
		def->prog, object);
}

void xdpmx_cli_help(const struct xdpmx_cli_def *def, const struct xdpmx_cmd *cmd, FILE *f)
{
	char line[600];

	if (!cmd) {
		help_main(def, f);
		return;
	}
	usage_line(def, cmd, line, sizeof(line));
	fprintf(f, "Usage: %s [OPTIONS] %s\n", def->prog, line);
	if (cmd->summary)
		fprintf(f, "%s\n", cmd->summary);
	if (cmd->desc)
		fprintf(f, "\n%s\n", cmd->desc);
	help_args(f, cmd->args);
	help_opts(f, "Options", cmd->opts);
	help_opts(f, "Global options", def->global_opts);
	help_opts(f, "Common options", common_table);
}

/* ---- parsing ------------------------------------------------------------- */

struct parse {
	struct xdpmx_cli *cli;
	struct common_opts common;
	void *args; /* the selected command's struct */
	const char *object;
	bool help_cmd;		   /* first word was "help" */
	bool object_help;	   /* OBJECT help */
	const char *help_words[2]; /* help OBJECT COMMAND */
	int n_help_words;
	const char **pos; /* positional words */
	int n_pos;
};

static const struct xdpmx_opt *find_long(const struct xdpmx_opt *t, const char *name, size_t len)
{
	for (; t && t->name; t++)
		if (strlen(t->name) == len && !strncmp(t->name, name, len))
			return t;
	return NULL;
}

static const struct xdpmx_opt *find_short(const struct xdpmx_opt *t, char c)
{
	for (; t && t->name; t++)
		if (t->short_name == c)
			return t;
	return NULL;
}

/* Where an option found in one of the three tables stores its value. */
struct optref {
	const struct xdpmx_opt *o;
	void *base;
};

static struct optref lookup(struct parse *p, const char *name, size_t len, char c)
{
	struct xdpmx_cli *cli = p->cli;
	const struct xdpmx_opt *tables[3] = {cli->cmd ? cli->cmd->opts : NULL,
					     cli->def->global_opts, common_table};
	void *bases[3] = {p->args, cli->globals, &p->common};
	struct optref r = {0};
	int i;

	for (i = 0; i < 3; i++) {
		r.o = name ? find_long(tables[i], name, len) : find_short(tables[i], c);
		if (r.o) {
			r.base = bases[i];
			return r;
		}
	}
	return r;
}

/* Whether some command (not selected yet) has this option: for a better
 * message when an option precedes its command. */
static bool any_cmd_has(const struct xdpmx_cli_def *def, const char *name, size_t len, char c)
{
	const struct xdpmx_cmd *cmd;

	for (cmd = def->cmds; cmd->object; cmd++)
		if (name ? find_long(cmd->opts, name, len) : find_short(cmd->opts, c))
			return true;
	return false;
}

static void opt_label(const struct xdpmx_opt *o, bool positional, char *buf, size_t len)
{
	if (positional)
		snprintf(buf, len, "%s", o->name);
	else
		snprintf(buf, len, "--%s", o->name);
}

/* Decimal, or hexadecimal with 0x; no sign, no blanks. 0 or -EINVAL. */
static int parse_u32(const char *s, uint32_t *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *digits = hex ? s + 2 : s;
	unsigned long long v;
	char *end;

	if (!*digits || !strchr("0123456789abcdefABCDEF", *digits) ||
	    (!hex && (*digits < '0' || *digits > '9')))
		return -EINVAL;
	errno = 0;
	v = strtoull(digits, &end, hex ? 16 : 10);
	if (errno || *end || v > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Store one value; returns 0 or a usage error (-EINVAL). */
static int store(struct parse *p, const struct xdpmx_opt *o, void *base, const char *val,
		 bool positional)
{
	char *where = (char *)base + o->off;
	char label[128], mv[256];
	uint32_t u;
	int i;

	opt_label(o, positional, label, sizeof(label));
	switch (o->kind) {
	case XDPMX_OPT_FLAG:
		*(bool *)where = true;
		return 0;
	case XDPMX_OPT_COUNT:
		(*(int *)where)++;
		return 0;
	case XDPMX_OPT_STR:
		*(const char **)where = val;
		return 0;
	case XDPMX_OPT_U32:
		if (parse_u32(val, &u) || u < o->min || u > o->max)
			return xdpmx_cli_usage(p->cli,
					       "invalid value '%s' for %s: expected a number from "
					       "%u to %u",
					       val, label, o->min, o->max);
		*(uint32_t *)where = u;
		return 0;
	case XDPMX_OPT_ENUM:
		for (i = 0; o->choices && o->choices[i]; i++) {
			if (!strcmp(o->choices[i], val)) {
				*(int *)where = i;
				return 0;
			}
		}
		return xdpmx_cli_usage(p->cli, "invalid value '%s' for %s: expected one of %s", val,
				       label, kind_metavar(o, mv, sizeof(mv)));
	case XDPMX_OPT_STRV: {
		struct xdpmx_strv *sv = (struct xdpmx_strv *)where;
		const char **nv = realloc(sv->v, (sv->n + 1) * sizeof(*nv));

		if (!nv) {
			xdpmx_cli_err(p->cli, "Couldn't parse the command line: out of memory");
			return -ENOMEM;
		}
		nv[sv->n++] = val;
		sv->v = nv;
		return 0;
	}
	}
	return -EINVAL;
}

static int select_cmd(struct parse *p, const struct xdpmx_cmd *c)
{
	struct xdpmx_cli *cli = p->cli;

	cli->cmd = c;
	p->args = calloc(1, c->args_size ? c->args_size : 1);
	if (!p->args) {
		xdpmx_cli_err(cli, "Couldn't parse the command line: out of memory");
		return -ENOMEM;
	}
	if (c->defaults && c->args_size)
		memcpy(p->args, c->defaults, c->args_size);
	return 0;
}

static void list_cmds(const struct xdpmx_cli_def *def, const char *object, char *buf, size_t len)
{
	const struct xdpmx_cmd *c;
	size_t n = 0;

	buf[0] = '\0';
	for (c = def->cmds; c->object; c++)
		if (!strcmp(c->object, object) && c->name)
			n += snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? ", " : "",
				      c->name);
}

static bool object_exists(const struct xdpmx_cli_def *def, const char *object)
{
	const struct xdpmx_cmd *c;

	for (c = def->cmds; c->object; c++)
		if (!strcmp(c->object, object))
			return true;
	return false;
}

static const struct xdpmx_cmd *find_cmd(const struct xdpmx_cli_def *def, const char *object,
					const char *name)
{
	const struct xdpmx_cmd *c;

	for (c = def->cmds; c->object; c++)
		if (!strcmp(c->object, object) &&
		    ((!name && !c->name) || (name && c->name && !strcmp(c->name, name))))
			return c;
	return NULL;
}

/* A word before the command is complete: object, command, or help words. */
static int take_word(struct parse *p, const char *w)
{
	const struct xdpmx_cli_def *def = p->cli->def;
	const struct xdpmx_cmd *c;
	char names[512];

	if (p->help_cmd) {
		if (p->n_help_words == 2)
			return xdpmx_cli_usage(p->cli, "unexpected argument '%s' after help", w);
		p->help_words[p->n_help_words++] = w;
		return 0;
	}
	if (!p->object) {
		if (!strcmp(w, "help")) {
			p->help_cmd = true;
			return 0;
		}
		if (!object_exists(def, w))
			return xdpmx_cli_usage(p->cli, "unknown %s '%s' (try '%s help')",
					       all_object_only(def) ? "command" : "object", w,
					       def->prog);
		p->object = w;
		c = find_cmd(def, w, NULL);
		return c ? select_cmd(p, c) : 0;
	}
	if (!strcmp(w, "help")) {
		p->object_help = true;
		return 0;
	}
	c = find_cmd(def, p->object, w);
	if (!c) {
		list_cmds(def, p->object, names, sizeof(names));
		return xdpmx_cli_usage(p->cli, "unknown command '%s' for object '%s' (one of: %s)",
				       w, p->object, names);
	}
	return select_cmd(p, c);
}

static int take_option(struct parse *p, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	struct optref r;
	const char *val = NULL;

	if (a[1] == '-') {
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);

		r = lookup(p, name, len, 0);
		if (!r.o) {
			if (!p->cli->cmd && any_cmd_has(p->cli->def, name, len, 0))
				return xdpmx_cli_usage(
					p->cli,
					"option '--%.*s' belongs to a command: put it "
					"after the command",
					(int)len, name);
			return xdpmx_cli_usage(p->cli, "unrecognized option '--%.*s'", (int)len,
					       name);
		}
		if (!takes_value(r.o)) {
			if (eq)
				return xdpmx_cli_usage(p->cli, "option '--%s' takes no value",
						       r.o->name);
			return store(p, r.o, r.base, NULL, false);
		}
		if (eq) {
			val = eq + 1;
		} else {
			if (*i + 1 >= argc) {
				char mv[256];

				return xdpmx_cli_usage(p->cli, "option '--%s' needs a value %s",
						       r.o->name,
						       kind_metavar(r.o, mv, sizeof(mv)));
			}
			val = argv[++*i];
		}
		return store(p, r.o, r.base, val, false);
	}

	/* A cluster of short options: -vv, -jp, -mnative, -m native. */
	for (a++; *a; a++) {
		int err;

		r = lookup(p, NULL, 0, *a);
		if (!r.o) {
			if (!p->cli->cmd && any_cmd_has(p->cli->def, NULL, 0, *a))
				return xdpmx_cli_usage(p->cli,
						       "option '-%c' belongs to a command: put it "
						       "after the command",
						       *a);
			return xdpmx_cli_usage(p->cli, "unrecognized option '-%c'", *a);
		}
		if (!takes_value(r.o)) {
			err = store(p, r.o, r.base, NULL, false);
			if (err)
				return err;
			continue;
		}
		if (a[1]) {
			val = a + 1;
		} else if (*i + 1 < argc) {
			val = argv[++*i];
		} else {
			char mv[256];

			return xdpmx_cli_usage(p->cli, "option '-%c' needs a value %s", *a,
					       kind_metavar(r.o, mv, sizeof(mv)));
		}
		return store(p, r.o, r.base, val, false);
	}
	return 0;
}

/* Hand the collected positional words to the command's argument table. */
static int take_positionals(struct parse *p)
{
	const struct xdpmx_opt *a = p->cli->cmd->args;
	int k = 0, err;

	for (; a && a->name; a++) {
		if (a->kind == XDPMX_OPT_STRV) {
			if (k >= p->n_pos && !(a->flags & XDPMX_OPT_F_OPTIONAL))
				return xdpmx_cli_usage(p->cli, "missing argument %s", a->name);
			for (; k < p->n_pos; k++) {
				err = store(p, a, p->args, p->pos[k], true);
				if (err)
					return err;
			}
			break;
		}
		if (k >= p->n_pos) {
			if (a->flags & XDPMX_OPT_F_OPTIONAL)
				continue;
			return xdpmx_cli_usage(p->cli, "missing argument %s", a->name);
		}
		err = store(p, a, p->args, p->pos[k++], true);
		if (err)
			return err;
	}
	if (k < p->n_pos)
		return xdpmx_cli_usage(p->cli, "unexpected argument '%s'", p->pos[k]);
	return 0;
}

/* Whether argv asks for JSON (checked before parsing, so that errors found
 * while parsing are already JSON). */
static bool prescan_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--json") || !strcmp(a, "--pretty"))
			return true;
		if (a[0] == '-' && a[1] && a[1] != '-' && strspn(a + 1, "jpvVh") == strlen(a + 1) &&
		    strpbrk(a + 1, "jp"))
			return true;
	}
	return false;
}

static void free_strv(const struct xdpmx_opt *t, void *base)
{
	for (; base && t && t->name; t++) {
		if (t->kind == XDPMX_OPT_STRV) {
			struct xdpmx_strv *sv = (struct xdpmx_strv *)((char *)base + t->off);

			free(sv->v);
			sv->v = NULL;
			sv->n = 0;
		}
	}
}

static int finish(struct parse *p)
{
	struct xdpmx_cli *cli = p->cli;
	const struct xdpmx_cli_def *def = cli->def;
	const struct xdpmx_cmd *c;
	char names[512];

	if (p->common.version) {
		xdpmx_cli_print_version(def->prog, cli->json, cli->out);
		return 0;
	}
	if (p->help_cmd) {
		const char *obj = p->help_words[0], *name = p->help_words[1];

		if (!obj) {
			xdpmx_cli_help(def, NULL, cli->out);
			return 0;
		}
		if (!object_exists(def, obj))
			return xdpmx_cli_usage(cli, "unknown %s '%s' (try '%s help')",
					       all_object_only(def) ? "command" : "object", obj,
					       def->prog);
		c = find_cmd(def, obj, name);
		if (!c && !name) {
			help_object(def, obj, cli->out);
			return 0;
		}
		if (!c) {
			list_cmds(def, obj, names, sizeof(names));
			return xdpmx_cli_usage(cli,
					       "unknown command '%s' for object '%s' (one of: %s)",
					       name, obj, names);
		}
		xdpmx_cli_help(def, c, cli->out);
		return 0;
	}
	if (p->common.help || p->object_help) {
		if (cli->cmd)
			xdpmx_cli_help(def, cli->cmd, cli->out);
		else if (p->object)
			help_object(def, p->object, cli->out);
		else
			xdpmx_cli_help(def, NULL, cli->out);
		return 0;
	}
	if (!p->object) {
		if (cli->json)
			return xdpmx_cli_usage(cli, "missing %s",
					       all_object_only(def) ? "COMMAND" : "OBJECT");
		xdpmx_cli_help(def, NULL, cli->err);
		cli->usage_error = true;
		return -EINVAL;
	}
	if (!cli->cmd) {
		list_cmds(def, p->object, names, sizeof(names));
		return xdpmx_cli_usage(cli, "missing command for object '%s' (one of: %s)",
				       p->object, names);
	}
	return 1; /* run the command */
}

int xdpmx_cli_main(const struct xdpmx_cli_def *def, void *globals, int argc, char **argv, FILE *out,
		   FILE *err)
{
	struct xdpmx_cli cli = {
		.def = def,
		.globals = globals,
		.out = out ? out : stdout,
		.err = err ? err : stderr,
	};
	struct parse p = {.cli = &cli};
	bool only_pos = false;
	int i, ret = 0;

	cli.json = prescan_json(argc, argv);
	p.pos = calloc(argc > 0 ? argc : 1, sizeof(*p.pos));
	if (!p.pos) {
		xdpmx_cli_err(&cli, "Couldn't parse the command line: out of memory");
		return XDPMX_EXIT_FAILURE;
	}

	for (i = 1; i < argc && !ret; i++) {
		const char *a = argv[i];

		if (!only_pos && !strcmp(a, "--")) {
			only_pos = true;
		} else if (!only_pos && a[0] == '-' && a[1]) {
			ret = take_option(&p, argc, argv, &i);
			cli.json = cli.json || p.common.json || p.common.pretty;
		} else if (!cli.cmd || p.help_cmd) {
			ret = take_word(&p, a);
		} else {
			p.pos[p.n_pos++] = a;
		}
	}
	cli.json = cli.json || p.common.json || p.common.pretty;
	cli.pretty = p.common.pretty;
	cli.verbose = p.common.verbose;
	xdpmx_log_set_verbosity(cli.verbose);
	xdpmx_log_set_quiet(cli.json);
	xdpmx_log_route_libs();

	if (!ret)
		ret = finish(&p);
	if (ret == 1) {
		ret = take_positionals(&p);
		if (!ret)
			ret = cli.cmd->run(&cli, p.args);
	}

	if (cli.cmd)
		free_strv(cli.cmd->opts, p.args), free_strv(cli.cmd->args, p.args);
	free_strv(def->global_opts, globals);
	free(p.args);
	free(p.pos);
	fflush(cli.out);
	if (cli.usage_error)
		return XDPMX_EXIT_USAGE;
	return ret < 0 ? XDPMX_EXIT_FAILURE : XDPMX_EXIT_OK;
}
