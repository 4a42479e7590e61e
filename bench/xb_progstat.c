// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xb_progstat: per-packet run time of the XDP program attached to an
 * interface, under real traffic, from the kernel's BPF statistics.
 *
 * Turns the statistics on with BPF_ENABLE_STATS (they stay on only while
 * this process holds the returned fd, so nothing is left switched on if it
 * dies), snapshots run_time_ns and run_cnt of the program attached to
 * IFNAME, prints "ready", waits for SIGINT or SIGTERM, snapshots again and prints the difference as
 * one JSON object:
 *
 *   {"prog_id": N, "name": "...", "run_cnt": N, "run_time_ns": N,
 *    "ns_per_run": X, "xlated_bytes": N, "jited_bytes": N}
 *
 * Run it in the interface's network namespace (bench/run.sh uses nsenter).
 * Exit 0, 1 on failure (no program attached, no privilege), 2 on usage.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Statistics of program fd into *info. Returns 0 or a negative errno. */
static int prog_info(int fd, struct bpf_prog_info *info)
{
	uint32_t len = sizeof(*info);

	memset(info, 0, sizeof(*info));
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

int main(int argc, char **argv)
{
	struct bpf_prog_info a, b;
	struct sigaction sa = {.sa_handler = on_signal};
	unsigned int ifindex;
	uint32_t id = 0;
	int stats_fd, fd, ret;

	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fprintf(argc == 2 ? stdout : stderr, "Usage: xb_progstat IFNAME\n");
		return argc == 2 ? 0 : 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "xb_progstat: no interface %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	ret = bpf_xdp_query_id((int)ifindex, 0, &id);
	if (ret || !id) {
		fprintf(stderr, "xb_progstat: no XDP program attached to %s%s%s\n", argv[1],
			ret ? ": " : "", ret ? strerror(-ret) : "");
		return 1;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0) {
		fprintf(stderr, "xb_progstat: couldn't open program %u: %s\n", id, strerror(errno));
		return 1;
	}
	stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats_fd < 0) {
		fprintf(stderr, "xb_progstat: couldn't enable BPF run-time statistics: %s\n",
			strerror(errno));
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = prog_info(fd, &a);
	if (ret) {
		fprintf(stderr, "xb_progstat: couldn't read program %u: %s\n", id, strerror(-ret));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		usleep(20000);
	ret = prog_info(fd, &b);
	close(stats_fd);
	if (ret) {
		fprintf(stderr, "xb_progstat: couldn't read program %u: %s\n", id, strerror(-ret));
		return 1;
	}
	printf("{\"prog_id\": %u, \"name\": \"%s\", \"run_cnt\": %llu, \"run_time_ns\": %llu, "
	       "\"ns_per_run\": %.2f, \"xlated_bytes\": %u, \"jited_bytes\": %u}\n",
	       id, b.name, (unsigned long long)(b.run_cnt - a.run_cnt),
	       (unsigned long long)(b.run_time_ns - a.run_time_ns),
	       b.run_cnt > a.run_cnt
		       ? (double)(b.run_time_ns - a.run_time_ns) / (double)(b.run_cnt - a.run_cnt)
		       : 0.0,
	       b.xlated_prog_len, b.jited_prog_len);
	close(fd);
	return 0;
}
