/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Logging for every xdpmx binary: one line per event on stderr, with a level.
 * libbpf and libxdp messages are routed here, demoted one level, so their
 * warnings (a verifier log above all) stay visible at the default level.
 * Userspace only.
 */
#ifndef XDPMX_LOG_H
#define XDPMX_LOG_H

#include <stdbool.h>

enum xdpmx_log_level {
	XDPMX_LOG_ERR = 0,
	XDPMX_LOG_WARN = 1,
	XDPMX_LOG_INFO = 2,
	XDPMX_LOG_DEBUG = 3,
};

/* Messages above this level are dropped. Default XDPMX_LOG_INFO; -v raises it
 * to DEBUG, and libbpf's own debug output appears at -vv. */
void xdpmx_log_set_level(enum xdpmx_log_level level);
enum xdpmx_log_level xdpmx_log_get_level(void);
/* Verbosity as counted -v flags: 0 = info, 1 = debug, 2 = debug + libbpf debug. */
void xdpmx_log_set_verbosity(int v);
/* Prefix each line with a timestamp and the program name (the daemon does). */
void xdpmx_log_set_timestamps(bool on, const char *prog);
/* Silence everything below ERR (JSON mode of the CLIs: only {"error":..}). */
void xdpmx_log_set_quiet(bool quiet);
/* Route libbpf (and libxdp, where linked) output through this module. */
void xdpmx_log_route_libs(void);

void xdpmx_log(enum xdpmx_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_err(...) xdpmx_log(XDPMX_LOG_ERR, __VA_ARGS__)
#define pr_warn(...) xdpmx_log(XDPMX_LOG_WARN, __VA_ARGS__)
#define pr_info(...) xdpmx_log(XDPMX_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) xdpmx_log(XDPMX_LOG_DEBUG, __VA_ARGS__)

#endif /* XDPMX_LOG_H */
