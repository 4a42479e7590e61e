/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * xdpmxd configuration: the YAML file (in the shape of Knot DNS's knot.conf)
 * and the command-line flags that override or extend it. Included by the
 * daemon (user/daemon/, user/lib/zonemgr.c) and its unit tests only.
 *
 * The file:
 *
 *   server:
 *       listen: [ 198.18.0.1@53, fd00::1@53 ]   # ADDR[@PORT], scalar or list
 *       interface: [ eth0 ]                      # XDP fast path interfaces
 *       xdp-mode: auto                           # auto | native | generic
 *       control: /run/xdpmx/xdpmxd.sock
 *       pin-dir: /sys/fs/bpf/xdpmx
 *       edns-size: 1232
 *       port: 53                 # DNS port: listen default and fast path
 *       tcp-idle-timeout: 10s    # ms, s, m or h; a bare number is seconds
 *       tcp-max-clients: 100
 *       udp-workers: 2           # default: one per online CPU
 *       rotation: cyclic         # cyclic | random | fixed
 *       metrics: 127.0.0.1@9153  # off by default
 *       metrics-allow-remote: off
 *   zone:
 *     - domain: mydomain.com
 *       file: mydomain.com.zone  # relative to the config file's directory
 *       rotation: cyclic         # default: the server's
 *
 * Precedence: built-in defaults, then the file, then the flags. Scalar
 * flags (--control, --pin-dir) replace the file's value; repeatable flags
 * (--listen, --interface, --zone) add to the file's lists.
 */
#ifndef XDPMX_CONFIG_H
#define XDPMX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "attach.h" /* enum xdpmx_xdp_mode */

/* Defaults (knotd's where it has one). */
#define XDPMX_CONF_TCP_IDLE_MS_DEFAULT 10000
#define XDPMX_CONF_TCP_MAX_CLIENTS_DEFAULT 100
#define XDPMX_CONF_WORKERS_MAX 64
#define XDPMX_CONF_METRICS_PORT_DEFAULT 9153

/* A socket address with its length, and how the operator wrote it. */
struct xdpmx_sockaddr {
	struct sockaddr_storage ss;
	socklen_t len;
};

struct xdpmx_zone_conf {
	char *domain; /* presentation form, NULL: the owner of the file's SOA */
	char *file;   /* path, resolved against the config file's directory */
	int order;    /* enum xdpmx_order, or -1: the server's rotation */
	char *where;  /* "FILE:LINE" or "--zone", for messages */
};

struct xdpmx_config {
	char *file; /* the config file read, NULL when none */

	struct xdpmx_sockaddr *listen;
	size_t n_listen;
	char **ifaces;
	size_t n_ifaces;
	enum xdpmx_xdp_mode xdp_mode;
	char *control;
	char *pin_dir;
	uint16_t edns_size;
	uint16_t port;
	/* Capacities of the maps when the daemon creates them (attaching with
	 * nothing pinned yet); 0: the defaults of abi.h. Keys zones-max,
	 * dir-max, blob64-max .. blob1280-max, as xdpmx-loader's options. */
	struct xdpmx_capacity cap;
	uint32_t tcp_idle_ms;
	uint32_t tcp_max_clients;
	uint32_t udp_workers; /* >= 1 after xdpmx_config_build() */
	uint8_t rotation;     /* enum xdpmx_order */
	bool metrics_on;
	struct xdpmx_sockaddr metrics;
	bool metrics_allow_remote;

	struct xdpmx_zone_conf *zones;
	size_t n_zones;
};

/* What the command line said, kept as given so a reload can re-apply it
 * over a freshly read file. */
struct xdpmx_flags {
	const char *config;  /* --config */
	const char **listen; /* --listen, repeatable */
	size_t n_listen;
	const char **ifaces; /* --interface, repeatable */
	size_t n_ifaces;
	const char **zones; /* --zone [ORIGIN=]FILE, repeatable */
	size_t n_zones;
	const char *control; /* --control */
	const char *pin_dir; /* --pin-dir */
	bool daemonize;	     /* -d/--daemonize (the default is the foreground) */
	bool check_config;   /* --check-config */
	bool version;	     /* -V/--version */
	bool help;	     /* -h/--help */
	int verbosity;	     /* -v count */
};

/* Length of the buffer that receives one error message. */
#define XDPMX_CONF_ERR_MAX 512

/*
 * Parse argv into f (pointers into argv, arrays malloc'd). Returns 0, or
 * -EINVAL with a message in err (unknown option, missing argument, stray
 * positional). Free with xdpmx_flags_free().
 */
int xdpmx_flags_parse(int argc, char **argv, struct xdpmx_flags *f, char *err, size_t errlen);
void xdpmx_flags_free(struct xdpmx_flags *f);
/* The --help text. */
void xdpmx_flags_usage(FILE *out, const char *prog);

/*
 * Build the effective configuration: defaults, then the file f->config (if
 * any), then the flags. Returns 0 and fills c, or a negative errno with one
 * message naming file, line and cause in err: -ENOENT/-EACCES (file),
 * -EINVAL (syntax, unknown key, bad value). On error c is left empty.
 * Free with xdpmx_config_free().
 */
int xdpmx_config_build(const struct xdpmx_flags *f, struct xdpmx_config *c, char *err,
		       size_t errlen);
void xdpmx_config_free(struct xdpmx_config *c);

/* Parse "ADDR[@PORT]" (IPv4, or IPv6 without brackets, as knot.conf writes
 * it) with default_port when no port is given. Returns 0 or -EINVAL. */
int xdpmx_sockaddr_parse(const char *s, uint16_t default_port, struct xdpmx_sockaddr *out);
/* "ADDR@PORT" into buf (at least XDPMX_SOCKADDR_STRLEN bytes); returns buf. */
#define XDPMX_SOCKADDR_STRLEN 64
char *xdpmx_sockaddr_str(const struct xdpmx_sockaddr *a, char *buf);
/* Whether a is a loopback address (127.0.0.0/8, ::1). */
bool xdpmx_sockaddr_is_loopback(const struct xdpmx_sockaddr *a);

/* Name of an order mode ("cyclic", ...), and its parse (-EINVAL if none). */
const char *xdpmx_order_name(int order);
int xdpmx_order_parse(const char *s);

#endif /* XDPMX_CONFIG_H */
