// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Logging: see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

static enum xdpmx_log_level log_level = XDPMX_LOG_INFO;
static bool lib_debug;
static bool log_quiet;
static bool log_stamps;
static const char *log_prog;

static const char *const level_names[] = {
	[XDPMX_LOG_ERR] = "error",
	[XDPMX_LOG_WARN] = "warning",
	[XDPMX_LOG_INFO] = "info",
	[XDPMX_LOG_DEBUG] = "debug",
};

void xdpmx_log_set_level(enum xdpmx_log_level level)
{
	log_level = level;
}

enum xdpmx_log_level xdpmx_log_get_level(void)
{
	return log_level;
}

void xdpmx_log_set_verbosity(int v)
{
	log_level = v > 0 ? XDPMX_LOG_DEBUG : XDPMX_LOG_INFO;
	lib_debug = v > 1;
}

void xdpmx_log_set_timestamps(bool on, const char *prog)
{
	log_stamps = on;
	log_prog = prog;
}

void xdpmx_log_set_quiet(bool quiet)
{
	log_quiet = quiet;
}

static void vlog(enum xdpmx_log_level level, const char *fmt, va_list ap)
{
	char buf[4096];
	size_t n;

	if (level > log_level || (log_quiet && level > XDPMX_LOG_ERR))
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (log_stamps) {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ldZ %s[%s]: %s\n", when, ts.tv_nsec / 1000000,
			log_prog ? log_prog : "xdpmx", level_names[level], buf);
	} else if (level <= XDPMX_LOG_WARN) {
		fprintf(stderr, "%s: %s\n", level_names[level], buf);
	} else {
		fprintf(stderr, "%s\n", buf);
	}
}

void xdpmx_log(enum xdpmx_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

/* libbpf and libxdp levels, demoted one step: their warnings become info
 * (still shown by default, the verifier log included), their info becomes
 * debug, and their debug shows only at -vv. */
static int route_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum xdpmx_log_level l;

	switch (level) {
	case LIBBPF_WARN:
		l = XDPMX_LOG_INFO;
		break;
	case LIBBPF_INFO:
		l = XDPMX_LOG_DEBUG;
		break;
	default:
		if (!lib_debug)
			return 0;
		l = XDPMX_LOG_DEBUG;
		break;
	}
	vlog(l, fmt, ap);
	return 0;
}

static int route_libxdp(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return route_libbpf((enum libbpf_print_level)level, fmt, ap);
}

void xdpmx_log_route_libs(void)
{
	libbpf_set_print(route_libbpf);
	libxdp_set_print(route_libxdp);
}
