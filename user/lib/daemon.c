// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xdpmxd from start to stop: see daemon.h. */
#define _GNU_SOURCE /* pipe2 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <ldns/ldns.h>

#include <xdpmx/abi.h>

#include "attach.h"
#include "config.h"
#include "ctlsrv.h"
#include "daemon.h"
#include "evloop.h"
#include "fastpath.h"
#include "log.h"
#include "metrics.h"
#include "server.h"
#include "sstats.h"
#include "zonemgr.h"

#ifndef XDPMX_VERSION
#define XDPMX_VERSION "0.0.0"
#endif
#ifndef XDPMX_LIBXDP_VERSION
#define XDPMX_LIBXDP_VERSION "?"
#endif

/* Control loop wake-ups when idle, to expire metrics connections. */
#define LOOP_TICK_MS 1000

struct daemon {
	struct xdpmx_flags flags;
	struct xdpmx_config cfg;
	struct xdpmx_fp *fp;
	struct xdpmx_server *srv;
	struct xdpmx_zonemgr *zm;
	struct xdpmx_ctlsrv *ctl;
	struct xdpmx_metrics *metrics;
	int ep;
	struct xdpmx_evh sig, jobs;
	struct timespec started;
	struct xdpmx_sstats base; /* the slow path's counters at the last reset */
	int stop_signal;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- statistics and status, for the control socket and /metrics --------------------- */

static void slow_stats(struct daemon *d, struct xdpmx_sstats *s)
{
	memset(s, 0, sizeof(*s));
	xdpmx_server_stats(d->srv, s);
	xdpmx_zonemgr_stats(d->zm, s);
}

static void snap_stats(void *ctx, struct xdpmx_stats_snap *s)
{
	struct daemon *d = ctx;
	struct xdpmx_iface_info *list = NULL;
	struct xdpmx_attach_err err;
	uint64_t(*cnt)[XDPMX_CNT__MAX];
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	slow_stats(d, &s->slow);
	xdpmx_sstats_sub(&s->slow, &d->base);
	if (!d->fp)
		return;
	s->fastpath = true;
	cnt = calloc(XDPMX_IFACE_MAX, sizeof(*cnt));
	if (!cnt || xdpmx_read_counters(d->cfg.pin_dir, cnt, &err)) {
		if (cnt)
			pr_warn("%s", err.msg);
		free(cnt);
		return;
	}
	for (unsigned slot = 0; slot < XDPMX_IFACE_MAX; slot++)
		for (unsigned i = 0; i < XDPMX_CNT__MAX; i++)
			s->fp[i] += cnt[slot][i];
	if (!xdpmx_attach_list(d->cfg.pin_dir, &list, &n, &err)) {
		for (size_t i = 0; i < n && s->n_ifaces < XDPMX_IFACE_MAX; i++) {
			struct xdpmx_fp_iface_stats *f = &s->iface[s->n_ifaces++];

			snprintf(f->name, sizeof(f->name), "%s", list[i].name);
			f->slot = list[i].slot;
			memcpy(f->cnt, cnt[list[i].slot % XDPMX_IFACE_MAX], sizeof(f->cnt));
		}
	}
	free(list);
	free(cnt);
}

static void reset_stats(void *ctx)
{
	struct daemon *d = ctx;

	slow_stats(d, &d->base);
	pr_info("Statistics reset");
}

static void gauges(void *ctx, uint64_t *zones, uint64_t *tcp_clients)
{
	struct daemon *d = ctx;

	*zones = xdpmx_zonemgr_count(d->zm);
	*tcp_clients = xdpmx_server_tcp_clients(d->srv);
}

static json_t *status_json(void *ctx)
{
	struct daemon *d = ctx;
	struct xdpmx_iface_info *list = NULL;
	struct xdpmx_attach_err err;
	json_t *ifs = json_array(), *listen = json_array(), *o;
	char buf[XDPMX_SOCKADDR_STRLEN];
	struct timespec now;
	size_t n = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (d->fp && !xdpmx_attach_list(d->cfg.pin_dir, &list, &n, &err))
		for (size_t i = 0; i < n; i++)
			json_array_append_new(
				ifs, json_pack("{s:s, s:I, s:s, s:I, s:b, s:b}", "name",
					       list[i].name, "ifindex", (json_int_t)list[i].ifindex,
					       "mode", xdpmx_xdp_mode_name(list[i].mode), "prog_id",
					       (json_int_t)list[i].prog_id, "multiprog",
					       list[i].multiprog, "attached", list[i].attached));
	free(list);
	for (size_t i = 0; i < d->cfg.n_listen; i++)
		json_array_append_new(listen,
				      json_string(xdpmx_sockaddr_str(&d->cfg.listen[i], buf)));
	o = json_pack("{s:s, s:i, s:I, s:I, s:s, s:I, s:o, s:o, s:b, s:s, s:I, s:s?}", "version",
		      XDPMX_VERSION, "abi", XDPMX_ABI_VERSION, "pid", (json_int_t)getpid(),
		      "uptime_s", (json_int_t)(now.tv_sec - d->started.tv_sec), "pin_dir",
		      d->cfg.pin_dir, "zones", (json_int_t)xdpmx_zonemgr_count(d->zm), "interfaces",
		      ifs, "listen", listen, "fastpath", d->fp != NULL, "control", d->cfg.control,
		      "udp_workers", (json_int_t)d->cfg.udp_workers, "config", d->cfg.file);
	return o;
}

/* ---- the control loop ------------------------------------------------------------------ */

static void on_signal(struct xdpmx_evh *h, uint32_t events)
{
	struct daemon *d = (struct daemon *)((char *)h - offsetof(struct daemon, sig));
	struct signalfd_siginfo si;

	(void)events;
	while (read(h->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			struct xdpmx_zm_job *job = calloc(1, sizeof(*job));

			pr_info("SIGHUP: reloading");
			if (!job) {
				pr_err("Couldn't reload on SIGHUP: out of memory");
				continue;
			}
			job->op = XDPMX_ZM_RELOAD_CONFIG;
			xdpmx_zonemgr_submit(d->zm, job);
		} else {
			d->stop_signal = (int)si.ssi_signo;
		}
	}
}

static void on_jobs(struct xdpmx_evh *h, uint32_t events)
{
	struct daemon *d = (struct daemon *)((char *)h - offsetof(struct daemon, jobs));
	struct xdpmx_zm_job *job;

	(void)events;
	while ((job = xdpmx_zonemgr_take_done(d->zm))) {
		if (job->ctx) {
			xdpmx_ctlsrv_job_done(d->ctl, job);
			continue;
		}
		if (job->error)
			pr_err("Reload failed: %s", job->error);
		xdpmx_zm_job_free(job);
	}
}

static void run_loop(struct daemon *d)
{
	struct epoll_event ev[32];
	int n, i;

	while (!d->stop_signal) {
		n = epoll_wait(d->ep, ev, 32, LOOP_TICK_MS);
		if (n < 0 && errno != EINTR) {
			pr_err("Control loop stopped: epoll_wait failed: %s", strerror(errno));
			d->stop_signal = SIGTERM;
			break;
		}
		for (i = 0; i < n; i++) {
			struct xdpmx_evh *h = ev[i].data.ptr;

			h->fn(h, ev[i].events);
		}
		xdpmx_metrics_expire(d->metrics, now_ms());
	}
}

/* ---- start-up ------------------------------------------------------------------------------ */

/* Tell systemd (Type=notify) how we are, when it asked. */
static void sd_notify_msg(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	socklen_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, strlen(path));
	if (path[0] == '@')
		sun.sun_path[0] = '\0'; /* abstract namespace */
	len = offsetof(struct sockaddr_un, sun_path) + strlen(path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&sun, len) < 0)
		pr_debug("Couldn't notify systemd: %s", strerror(errno));
	close(fd);
}

/*
 * Detach: the parent waits until the child says it is ready (a 0 byte on
 * the pipe) and exits 0, or exits 1 when the child dies first. Returns the
 * child's end of the pipe, or -1 on failure.
 */
static int daemonize(void)
{
	int p[2], fd;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC)) {
		pr_err("Couldn't daemonize: pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		pr_err("Couldn't daemonize: fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		_exit(read(p[0], &c, 1) == 1 && c == 0 ? 0 : 1);
	}
	close(p[0]);
	if (setsid() < 0)
		pr_warn("Couldn't start a new session: %s", strerror(errno));
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	return p[1];
}

static void raise_nofile(uint32_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (rl.rlim_cur >= want + 256 || rl.rlim_cur == rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		pr_warn("Couldn't raise the open file limit: %s", strerror(errno));
}

/* Take the pinned maps over and make their configuration ours. */
static int take_over(struct daemon *d)
{
	const struct xdpmx_config *c = &d->cfg;
	struct xdpmx_cfg fcfg;
	int ret;

	ret = xdpmx_fp_open_pinned(c->pin_dir, &d->fp);
	if (ret) {
		pr_err("Couldn't take over the fast path's maps in %s: %s", c->pin_dir,
		       strerror(-ret));
		return ret;
	}
	pr_info("Took over the fast path's maps pinned in %s", c->pin_dir);
	/* The port and EDNS size the program uses follow the configuration. */
	ret = xdpmx_fp_cfg_get(d->fp, &fcfg);
	if (!ret && (ntohs(fcfg.dns_port) != c->port || fcfg.edns_size != c->edns_size)) {
		pr_info("Fast path: DNS port %u -> %u, EDNS size %u -> %u", ntohs(fcfg.dns_port),
			c->port, fcfg.edns_size, c->edns_size);
		fcfg.dns_port = htons(c->port);
		fcfg.edns_size = c->edns_size;
		ret = xdpmx_fp_cfg_set(d->fp, &fcfg);
	}
	if (ret)
		pr_warn("Couldn't update the fast path's configuration: %s", strerror(-ret));
	return 0;
}

/* Answers as large as our EDNS size must fit the MTU of every interface the
 * program runs on (XDP_TX drops larger frames). xdpmx_attach() warns for
 * the interfaces it attaches to; these are the others, loaded by
 * xdpmx-loader. */
static void check_mtus(struct daemon *d)
{
	struct xdpmx_iface_info *list = NULL;
	struct xdpmx_attach_err err;
	char msg[512];
	size_t n = 0;

	if (xdpmx_attach_list(d->cfg.pin_dir, &list, &n, &err))
		return;
	for (size_t i = 0; i < n; i++) {
		bool ours = false;

		for (size_t j = 0; j < d->cfg.n_ifaces; j++)
			ours |= !strcmp(d->cfg.ifaces[j], list[i].name);
		if (!ours && list[i].attached &&
		    xdpmx_mtu_check(list[i].name, d->cfg.edns_size, msg, sizeof(msg)) == 1)
			pr_warn("%s", msg);
	}
	free(list);
}

/* Take the pinned maps over (so that the configuration's port and EDNS size
 * are in them before anything is attached), attach to the configured
 * interfaces, and take over the maps the first attach made. */
static int setup_fastpath(struct daemon *d)
{
	const struct xdpmx_config *c = &d->cfg;
	struct xdpmx_attach_opts ao = {
		.pin_dir = c->pin_dir,
		.mode = c->xdp_mode,
		.dns_port = c->port,
		.edns_size = c->edns_size,
		.cap = c->cap,
	};
	struct xdpmx_attach_err err;
	struct xdpmx_iface_info info;
	char path[4096];
	size_t i;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", c->pin_dir, XDPMX_STR(XDPMX_MAP_CFG));
	if (!access(path, F_OK) && (ret = take_over(d)))
		return ret;
	for (i = 0; i < c->n_ifaces; i++) {
		ret = xdpmx_attach(c->ifaces[i], &ao, &info, &err);
		if (ret) {
			pr_err("%s", err.msg);
			return ret;
		}
		if (info.already)
			pr_info("Fast path already runs on %s (program %u, %s mode): keeping it",
				info.name, info.prog_id, xdpmx_xdp_mode_name(info.mode));
		else
			pr_info("Fast path attached to %s (program %u, %s mode, %s)", info.name,
				info.prog_id, xdpmx_xdp_mode_name(info.mode),
				info.multiprog ? "through libxdp's dispatcher"
					       : "single-program mode");
	}
	if (!d->fp && access(path, F_OK)) {
		pr_info("No fast path: no maps pinned in %s and no interface configured; "
			"answering from the slow path only",
			c->pin_dir);
		return 0;
	}
	if (!d->fp && (ret = take_over(d)))
		return ret;
	check_mtus(d);
	return 0;
}

static void print_version(void)
{
	printf("xdpmxd %s (ABI %d)\nlibbpf %u.%u, libxdp %s, ldns %s\n", XDPMX_VERSION,
	       XDPMX_ABI_VERSION, libbpf_major_version(), libbpf_minor_version(),
	       XDPMX_LIBXDP_VERSION, ldns_version());
}

/* --check-config: the configuration, then every zone, loaded and checked;
 * the zone manager logs the PTR rule's result. */
static int check_config(struct daemon *d)
{
	struct xdpmx_zm_summary sum;
	int failed, bad_if = 0;

	for (size_t i = 0; i < d->cfg.n_ifaces; i++)
		if (!if_nametoindex(d->cfg.ifaces[i])) {
			pr_err("Interface %s: no such interface", d->cfg.ifaces[i]);
			bad_if++;
		}
	if (xdpmx_zonemgr_new(&d->flags, &d->cfg, NULL, NULL, &d->zm))
		return 1;
	failed = xdpmx_zonemgr_load_all(d->zm);
	if (bad_if)
		return 1;
	if (failed) {
		pr_err("Configuration %s: %d of %zu zones failed", d->cfg.file ? d->cfg.file : "",
		       failed < 0 ? (int)d->cfg.n_zones : failed, d->cfg.n_zones);
		return 1;
	}
	/* Valid, and what it still warns about: never one without the other. */
	xdpmx_zonemgr_summary(d->zm, &sum);
	pr_info("Configuration%s%s is valid: %zu zone%s load%s cleanly, %zu warning%s",
		d->cfg.file ? " " : "", d->cfg.file ? d->cfg.file : "", d->cfg.n_zones,
		d->cfg.n_zones == 1 ? "" : "s", d->cfg.n_zones == 1 ? "s" : "", sum.warnings,
		sum.warnings == 1 ? "" : "s");
	return 0;
}

static int run(struct daemon *d, int ready_fd)
{
	struct xdpmx_server_cfg scfg = {
		.listen = d->cfg.listen,
		.n_listen = d->cfg.n_listen,
		.workers = d->cfg.udp_workers,
		.tcp_idle_ms = d->cfg.tcp_idle_ms,
		.tcp_max_clients = d->cfg.tcp_max_clients,
		.edns_size = d->cfg.edns_size,
	};
	const struct xdpmx_ctlsrv_ops ops = {
		.status = status_json,
		.stats = snap_stats,
		.stats_reset = reset_stats,
		.ctx = d,
	};
	const struct xdpmx_metrics_src msrc = {.stats = snap_stats, .gauges = gauges, .ctx = d};
	char buf[XDPMX_SOCKADDR_STRLEN], listen[512] = "";
	sigset_t sigs;
	int failed;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	/* Blocked in every thread (they inherit the mask); read from a
	 * signalfd in the control loop. */
	if (pthread_sigmask(SIG_BLOCK, &sigs, NULL))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	d->sig.fd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	d->sig.fn = on_signal;
	d->ep = epoll_create1(EPOLL_CLOEXEC);
	if (d->sig.fd < 0 || d->ep < 0) {
		pr_err("Couldn't set up the control loop: %s", strerror(errno));
		return 1;
	}
	raise_nofile(d->cfg.tcp_max_clients);
	clock_gettime(CLOCK_MONOTONIC, &d->started);

	if (setup_fastpath(d))
		return 1;
	if (xdpmx_server_new(&scfg, &d->srv))
		return 1;
	if (xdpmx_zonemgr_new(&d->flags, &d->cfg, d->srv, d->fp, &d->zm)) {
		pr_err("Couldn't create the zone manager: out of memory");
		return 1;
	}
	failed = xdpmx_zonemgr_load_all(d->zm);
	if (failed < 0)
		return 1;
	if (xdpmx_ctlsrv_new(d->cfg.control, d->ep, d->zm, &ops, &d->ctl))
		return 1;
	if (d->cfg.metrics_on && xdpmx_metrics_new(&d->cfg.metrics, d->ep, &msrc, &d->metrics))
		return 1;
	d->jobs.fd = xdpmx_zonemgr_done_fd(d->zm);
	d->jobs.fn = on_jobs;
	if (xdpmx_ev_add(d->ep, &d->sig, EPOLLIN) || xdpmx_ev_add(d->ep, &d->jobs, EPOLLIN)) {
		pr_err("Couldn't set up the control loop: %s", strerror(errno));
		return 1;
	}
	if (xdpmx_server_start(d->srv) || xdpmx_zonemgr_start(d->zm))
		return 1;

	for (size_t i = 0; i < d->cfg.n_listen; i++)
		snprintf(listen + strlen(listen), sizeof(listen) - strlen(listen), "%s%s",
			 i ? ", " : "", xdpmx_sockaddr_str(&d->cfg.listen[i], buf));
	pr_info("xdpmxd %s started: %zu zones (%d failed), listening on %s (UDP and TCP, %u "
		"workers), control socket %s%s%s, fast path %s",
		XDPMX_VERSION, xdpmx_zonemgr_count(d->zm), failed, listen, d->cfg.udp_workers,
		d->cfg.control, d->metrics ? ", metrics on http://" : "",
		d->metrics ? xdpmx_sockaddr_str(&d->cfg.metrics, buf) : "",
		d->fp ? "on" : "off (slow path only)");
	if (ready_fd >= 0) {
		char zero = 0;

		if (write(ready_fd, &zero, 1) != 1)
			pr_warn("Couldn't tell the parent process we are ready: %s",
				strerror(errno));
		close(ready_fd);
	}
	sd_notify_msg("READY=1");

	run_loop(d);
	pr_info("Stopping on %s", strsignal(d->stop_signal));
	sd_notify_msg("STOPPING=1");
	return 0;
}

static void shutdown_all(struct daemon *d)
{
	struct xdpmx_zm_job *job;

	xdpmx_metrics_free(d->metrics);
	if (d->zm) {
		/* Let a reload in progress finish, and answer what waited. */
		xdpmx_zonemgr_stop(d->zm);
		while ((job = xdpmx_zonemgr_take_done(d->zm))) {
			if (job->ctx && d->ctl)
				xdpmx_ctlsrv_job_done(d->ctl, job);
			else
				xdpmx_zm_job_free(job);
		}
	}
	xdpmx_ctlsrv_free(d->ctl);
	xdpmx_server_free(d->srv);
	xdpmx_zonemgr_free(d->zm);
	if (d->fp) {
		xdpmx_fp_close(d->fp);
		pr_info("Stopped; the XDP program and its maps stay in place under %s",
			d->cfg.pin_dir);
	} else if (d->srv) {
		pr_info("Stopped");
	}
	if (d->sig.fd > 0)
		close(d->sig.fd);
	if (d->ep > 0)
		close(d->ep);
}

int xdpmx_daemon_main(int argc, char **argv)
{
	char err[XDPMX_CONF_ERR_MAX];
	struct daemon d = {.sig.fd = -1, .ep = -1};
	int ret, ready_fd = -1;

	if (xdpmx_flags_parse(argc, argv, &d.flags, err, sizeof(err))) {
		fprintf(stderr, "xdpmxd: %s\n", err);
		fprintf(stderr, "Try 'xdpmxd --help'.\n");
		return 2;
	}
	if (d.flags.help) {
		xdpmx_flags_usage(stdout, "xdpmxd");
		xdpmx_flags_free(&d.flags);
		return 0;
	}
	if (d.flags.version) {
		print_version();
		xdpmx_flags_free(&d.flags);
		return 0;
	}
	xdpmx_log_set_verbosity(d.flags.verbosity);
	xdpmx_log_set_timestamps(true, "xdpmxd");
	xdpmx_log_route_libs();

	ret = xdpmx_config_build(&d.flags, &d.cfg, err, sizeof(err));
	if (ret) {
		pr_err("%s", err);
		xdpmx_flags_free(&d.flags);
		return 1;
	}
	if (d.flags.check_config) {
		ret = check_config(&d);
		goto out;
	}
	if (xdpmx_ctlsrv_probe(d.cfg.control)) {
		pr_err("Couldn't start: another xdpmxd answers on control socket %s",
		       d.cfg.control);
		ret = 1;
		goto out;
	}
	if (d.flags.daemonize) {
		ready_fd = daemonize();
		if (ready_fd < 0) {
			ret = 1;
			goto out;
		}
	}
	ret = run(&d, ready_fd);
out:
	shutdown_all(&d);
	xdpmx_config_free(&d.cfg);
	xdpmx_flags_free(&d.flags);
	return ret;
}
