/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpmxd from start to stop: flags and configuration, the fast path (take
 * over pinned maps, or attach to the configured interfaces), the slow
 * path's server, the zone manager, the control socket, the metrics
 * endpoint, and the control loop that serves signals and control requests.
 * Included by user/daemon/main.c only.
 *
 * Lifetime of the fast path: the XDP program and its pinned maps outlive
 * the daemon. On start, maps pinned under the pin directory are taken over
 * (unchanged RRsets are not rewritten, so the program never stops
 * answering); else, with interfaces configured, the program is loaded,
 * pinned and attached; else the daemon serves from the slow path only and
 * says so. SIGTERM and SIGINT stop the daemon and leave program and maps
 * in place.
 */
#ifndef XDPMX_DAEMON_H
#define XDPMX_DAEMON_H

/* Run xdpmxd; returns the process exit status: 0, 1 (failure), 2 (usage). */
int xdpmx_daemon_main(int argc, char **argv);

#endif /* XDPMX_DAEMON_H */
