/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The command-line framework of xdpmx-loader and xdpmxctl: one table per
 * command gives its options, its positional arguments and its help, so
 * parsing, `--help`, the `help` command and argument errors all come from
 * the same place and read the same in both tools (STYLE.md section 5;
 * after xdp-tools lib/util/params.h and bpftool's OBJECT COMMAND grammar).
 * Userspace CLIs only; the daemon parses its flags with its own code.
 *
 * Grammar:  PROG [OPTIONS] OBJECT [COMMAND] [OPTIONS] [ARGS]
 *
 *  - OBJECT COMMAND words select one struct xdpmx_cmd (a command whose
 *    `name` is NULL is selected by its object word alone: `status`).
 *  - Global options (the program's table plus the common ones: -j/--json,
 *    -p/--pretty, -v/--verbose, -V/--version, -h/--help) are accepted
 *    anywhere; a command's own options only after its words. "--" ends
 *    options. Long options take "--opt VALUE" or "--opt=VALUE"; short ones
 *    "-o VALUE" or "-oVALUE"; flag-like short options cluster ("-vv").
 *  - `PROG help [OBJECT [COMMAND]]`, `PROG OBJECT help` and `--help` at any
 *    point print the help generated from the tables.
 *
 * Every argument error has one wording, "PROG CMD: what was wrong", plus a
 * pointer to that command's --help, and exits 2. In JSON mode the error is
 * {"error": "..."} on stdout instead (bpftool's p_err), so the output
 * always parses, and informational lines are silent.
 *
 * Exit status: 0 success, 1 failure (a command returned a negative errno),
 * 2 usage (see XDPMX_EXIT_*).
 */
#ifndef XDPMX_CMDLINE_H
#define XDPMX_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define XDPMX_EXIT_OK 0
#define XDPMX_EXIT_FAILURE 1
#define XDPMX_EXIT_USAGE 2

/* What an option or positional argument stores at `off` in its struct. */
enum xdpmx_opt_kind {
	XDPMX_OPT_FLAG,	 /* bool: set to true; takes no value */
	XDPMX_OPT_COUNT, /* int: incremented per occurrence; takes no value */
	XDPMX_OPT_STR,	 /* const char *: points into argv */
	XDPMX_OPT_U32,	 /* uint32_t: decimal or 0x hex, within [min, max] */
	XDPMX_OPT_ENUM,	 /* int: index of the word in choices[] */
	XDPMX_OPT_STRV,	 /* struct xdpmx_strv: repeatable option, or the last
			    positional taking every remaining word */
};

/* A list of words from argv (not owned; v is malloc'd, freed by the
 * framework after the command ran). */
struct xdpmx_strv {
	size_t n;
	const char **v;
};

/* Flags of struct xdpmx_opt. */
#define XDPMX_OPT_F_OPTIONAL 0x01 /* positional that may be left out */
#define XDPMX_OPT_F_SET 0x02	  /* internal: not for tables */

/*
 * One option (`name` is the long name without "--", kebab-case) or one
 * positional argument (`name` is its metavariable, "IFACE"). Tables end
 * with an entry whose name is NULL.
 */
struct xdpmx_opt {
	const char *name;
	char short_name; /* options only; 0: none */
	enum xdpmx_opt_kind kind;
	size_t off;		    /* offset in the command's (or the global) struct */
	const char *metavar;	    /* value placeholder in help; NULL: "VALUE"
				       or the choices joined with '|' */
	const char *help;	    /* one line */
	const char *const *choices; /* XDPMX_OPT_ENUM: NULL-terminated words */
	uint32_t min, max;	    /* XDPMX_OPT_U32: inclusive range */
	unsigned flags;		    /* XDPMX_OPT_F_* */
	const char *defval;	    /* default shown in help, or NULL */
};

struct xdpmx_cli;

/* A command: OBJECT [NAME]. run() gets the filled argument struct and
 * returns 0 or a negative errno after reporting the error with
 * xdpmx_cli_err() (or xdpmx_cli_usage() for a usage error). */
struct xdpmx_cmd {
	const char *object;
	const char *name;	      /* NULL: the object word alone */
	const char *summary;	      /* one line, for the command list */
	const char *desc;	      /* paragraph(s) for --help, or NULL */
	const struct xdpmx_opt *opts; /* the command's options, or NULL */
	const struct xdpmx_opt *args; /* positionals in order, or NULL */
	const char *synopsis;	      /* replaces the generated argument part
					 of the usage line, or NULL */
	size_t args_size;	      /* size of the argument struct */
	const void *defaults;	      /* its initial contents, or NULL: zeroed */
	int (*run)(struct xdpmx_cli *cli, void *args);
};

/* A program: its global options and its commands (ended by object NULL). */
struct xdpmx_cli_def {
	const char *prog;		     /* "xdpmxctl" */
	const char *summary;		     /* one line under the usage */
	const struct xdpmx_opt *global_opts; /* besides the common ones; may be NULL */
	size_t globals_size;		     /* size of the struct they fill */
	const struct xdpmx_cmd *cmds;
	const char *footer; /* extra paragraph for the main help, or NULL */
};

/* The state of one invocation, passed to every command. */
struct xdpmx_cli {
	const struct xdpmx_cli_def *def;
	const struct xdpmx_cmd *cmd; /* selected command, NULL before */
	void *globals;		     /* caller's struct for def->global_opts */
	bool json;		     /* -j, or -p */
	bool pretty;		     /* -p */
	int verbose;		     /* -v count */
	bool error_printed;	     /* a JSON error object is on stdout */
	bool usage_error;	     /* exit 2 */
	FILE *out;		     /* results: stdout */
	FILE *err;		     /* diagnostics: stderr */
};

/*
 * Parse argv against def and run the selected command. globals (may be
 * NULL when def has no global options) is filled from def->global_opts and
 * must be initialised with its defaults by the caller. out and err may be
 * NULL for stdout and stderr. Sets the log verbosity from -v and silences
 * informational logging in JSON mode. Returns the exit status for main().
 */
int xdpmx_cli_main(const struct xdpmx_cli_def *def, void *globals, int argc, char **argv, FILE *out,
		   FILE *err);

/*
 * Report a failure of the current command. Text mode: "PROG: error: MSG"
 * on err. JSON mode: {"error": "MSG"} on out (only the first error: the
 * output stays one JSON document; later ones go to err as text). The
 * caller then returns its own negative errno.
 */
void xdpmx_cli_err(struct xdpmx_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same with more members in the JSON error object (extra: an object,
 * reference taken, may be NULL), e.g. the results of the interfaces that
 * did work, or a daemon's "details". Text mode prints only the message. */
void xdpmx_cli_err_json(struct xdpmx_cli *cli, json_t *extra, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Report a usage error of the current command in the one wording, with
 * the pointer to its --help; the exit status becomes 2. Returns -EINVAL so
 * a command can `return xdpmx_cli_usage(...)`. */
int xdpmx_cli_usage(struct xdpmx_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An informational line on err; silent in JSON mode. */
void xdpmx_cli_info(struct xdpmx_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A warning on err ("PROG: warning: MSG"), in both modes (err is not part
 * of the JSON output). */
void xdpmx_cli_warn(struct xdpmx_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print a JSON value on out (compact, or indented with -p), newline
 * terminated; takes the reference. Returns 0 or -ENOMEM/-EIO. */
int xdpmx_cli_json(struct xdpmx_cli *cli, json_t *v);

/* Print the help of one command, or of the whole program (cmd NULL), on f. */
void xdpmx_cli_help(const struct xdpmx_cli_def *def, const struct xdpmx_cmd *cmd, FILE *f);

/* The versions -V prints, one "name version" per line, or as a JSON object
 * with -j. Exposed for the daemon's --version. */
void xdpmx_cli_print_version(const char *prog, bool json, FILE *f);

#endif /* XDPMX_CMDLINE_H */
