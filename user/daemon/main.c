// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xdpmxd: the xdpmx authoritative DNS daemon. Everything is in
 * user/lib/daemon.c, so the tests link the same code. */
#include "daemon.h"

int main(int argc, char **argv)
{
	return xdpmx_daemon_main(argc, argv);
}
