// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xdpmxd configuration: the YAML file and the flags. See config.h. */
#define _GNU_SOURCE /* asprintf */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include <xdpmx/abi.h>

#include "config.h"
#include "control.h"
#include "dname.h"

/* ---- small helpers -------------------------------------------------------- */

static const char *const order_names[XDPMX_ORDER__MAX] = {
	[XDPMX_ORDER_CYCLIC] = "cyclic",
	[XDPMX_ORDER_RANDOM] = "random",
	[XDPMX_ORDER_FIXED] = "fixed",
};

const char *xdpmx_order_name(int order)
{
	if (order < 0 || order >= XDPMX_ORDER__MAX)
		return "?";
	return order_names[order];
}

int xdpmx_order_parse(const char *s)
{
	int i;

	for (i = 0; i < XDPMX_ORDER__MAX; i++)
		if (!strcmp(s, order_names[i]))
			return i;
	return -EINVAL;
}

static void seterr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int push_ptr(void *arrp, size_t *n, size_t size, const void *elem)
{
	char **arr = arrp;
	char *p = realloc(*arr, (*n + 1) * size);

	if (!p)
		return -ENOMEM;
	memcpy(p + *n * size, elem, size);
	*arr = p;
	(*n)++;
	return 0;
}

int xdpmx_sockaddr_parse(const char *s, uint16_t default_port, struct xdpmx_sockaddr *out)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *at = strrchr(s, '@');
	size_t hlen = at ? (size_t)(at - s) : strlen(s);
	unsigned long port = default_port;
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;

	memset(out, 0, sizeof(*out));
	if (!hlen || hlen >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (at) {
		char *end;

		if (!at[1] || at[1] == '-' || at[1] == '+')
			return -EINVAL;
		errno = 0;
		port = strtoul(at + 1, &end, 10);
		if (errno || *end || port == 0 || port > 65535)
			return -EINVAL;
	}
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		out->len = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		out->len = sizeof(*sin6);
		return 0;
	}
	return -EINVAL;
}

char *xdpmx_sockaddr_str(const struct xdpmx_sockaddr *a, char *buf)
{
	char host[INET6_ADDRSTRLEN];
	unsigned port = 0;

	host[0] = '\0';
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&a->ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		port = ntohs(sin->sin_port);
	} else if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)&a->ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		port = ntohs(sin6->sin6_port);
	}
	snprintf(buf, XDPMX_SOCKADDR_STRLEN, "%s@%u", host, port);
	return buf;
}

bool xdpmx_sockaddr_is_loopback(const struct xdpmx_sockaddr *a)
{
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)&a->ss;

		return (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)&a->ss;

		return IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	}
	return false;
}

static bool sockaddr_eq(const struct xdpmx_sockaddr *a, const struct xdpmx_sockaddr *b)
{
	return a->len == b->len && !memcmp(&a->ss, &b->ss, a->len);
}

/* ---- the flags ------------------------------------------------------------ */

enum {
	OPT_PIN_DIR = 0x100,
	OPT_CHECK_CONFIG,
};

static const struct option long_opts[] = {
	{"config", required_argument, NULL, 'c'},
	{"interface", required_argument, NULL, 'i'},
	{"zone", required_argument, NULL, 'z'},
	{"listen", required_argument, NULL, 'l'},
	{"control", required_argument, NULL, 's'},
	{"pin-dir", required_argument, NULL, OPT_PIN_DIR},
	{"foreground", no_argument, NULL, 'f'},
	{"daemonize", no_argument, NULL, 'd'},
	{"check-config", no_argument, NULL, OPT_CHECK_CONFIG},
	{"verbose", no_argument, NULL, 'v'},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},
	{},
};

void xdpmx_flags_usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [OPTIONS]\n"
		"The xdpmx authoritative DNS daemon: loads zones, fills the XDP fast path's\n"
		"maps and answers every query the fast path passes up, over UDP and TCP.\n"
		"\n"
		"  -c, --config FILE        read the configuration file FILE (YAML, as knot.conf)\n"
		"  -i, --interface IFACE    run the XDP fast path on IFACE (repeatable)\n"
		"  -z, --zone [ORIGIN=]FILE serve the zone in FILE (repeatable; the origin\n"
		"                           is the owner of its SOA unless given)\n"
		"  -l, --listen ADDR[@PORT] answer on ADDR, UDP and TCP (repeatable;\n"
		"                           default 0.0.0.0 and :: on the DNS port)\n"
		"  -s, --control PATH       control socket (default %s)\n"
		"      --pin-dir DIR        bpffs directory of the fast path's maps\n"
		"                           (default %s)\n"
		"  -f, --foreground         stay in the foreground (the default)\n"
		"  -d, --daemonize          detach and run in the background once started\n"
		"      --check-config       check the configuration and the zones, then exit\n"
		"  -v, --verbose            more messages (-vv: libbpf's debug output too)\n"
		"  -V, --version            print the version and exit\n"
		"  -h, --help               print this help and exit\n"
		"\n"
		"Flags override the file's scalar settings and add to its lists.\n"
		"Signals: SIGHUP reloads the configuration and the changed zones; SIGTERM\n"
		"and SIGINT stop the daemon and leave the XDP program and its maps in place.\n",
		prog, XDPMX_CONTROL_PATH_DEFAULT, XDPMX_PIN_DIR_DEFAULT);
}

void xdpmx_flags_free(struct xdpmx_flags *f)
{
	free(f->listen);
	free(f->ifaces);
	free(f->zones);
	memset(f, 0, sizeof(*f));
}

int xdpmx_flags_parse(int argc, char **argv, struct xdpmx_flags *f, char *err, size_t errlen)
{
	int opt, ret = 0;

	memset(f, 0, sizeof(*f));
	/* 0 rather than 1: glibc re-initialises its scanner, so the parse can
	 * run more than once in one process (the unit tests do). */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":c:i:z:l:s:fdvVh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			f->config = optarg;
			break;
		case 'i':
			ret = push_ptr(&f->ifaces, &f->n_ifaces, sizeof(char *), &optarg);
			break;
		case 'z':
			ret = push_ptr(&f->zones, &f->n_zones, sizeof(char *), &optarg);
			break;
		case 'l':
			ret = push_ptr(&f->listen, &f->n_listen, sizeof(char *), &optarg);
			break;
		case 's':
			f->control = optarg;
			break;
		case OPT_PIN_DIR:
			f->pin_dir = optarg;
			break;
		case 'f':
			f->daemonize = false;
			break;
		case 'd':
			f->daemonize = true;
			break;
		case OPT_CHECK_CONFIG:
			f->check_config = true;
			break;
		case 'v':
			f->verbosity++;
			break;
		case 'V':
			f->version = true;
			break;
		case 'h':
			f->help = true;
			break;
		case ':':
			seterr(err, errlen, "option '%s' needs an argument", argv[optind - 1]);
			ret = -EINVAL;
			break;
		default:
			if (optopt)
				seterr(err, errlen, "unknown option '-%c'", optopt);
			else
				seterr(err, errlen, "unknown option '%s'", argv[optind - 1]);
			ret = -EINVAL;
			break;
		}
		if (ret)
			goto fail;
	}
	if (optind < argc) {
		seterr(err, errlen, "unexpected argument '%s' (options only; see --help)",
		       argv[optind]);
		ret = -EINVAL;
		goto fail;
	}
	return 0;
fail:
	if (ret == -ENOMEM)
		seterr(err, errlen, "couldn't parse the command line: out of memory");
	xdpmx_flags_free(f);
	return ret;
}

/* ---- the file --------------------------------------------------------------- */

/* Listen addresses are parsed once the file's `port` (their default port)
 * is known, so they wait here with where they came from. */
struct pending_addr {
	char *text; /* owned: the YAML document is gone by then */
	char where[PATH_MAX + 32];
};

struct parse {
	struct xdpmx_config *c;
	const char *file;
	yaml_document_t *doc;
	char *err;
	size_t errlen;
	struct pending_addr *listen;
	size_t n_listen;
	char *metrics; /* "ADDR[@PORT]" or NULL */
	char metrics_where[PATH_MAX + 32];
	unsigned metrics_line;
	char *dir; /* the config file's directory, for relative zone files */
};

/* libyaml marks count lines from 0. */
static unsigned line_of(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

static int node_err(struct parse *p, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int node_err(struct parse *p, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[XDPMX_CONF_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	seterr(p->err, p->errlen, "%s:%u: %s", p->file, line_of(n), msg);
	return -EINVAL;
}

static const char *scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A plain empty value ("server:" with nothing under it). */
static bool is_empty(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.length == 0 &&
	       n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static int get_scalar(struct parse *p, const yaml_node_t *v, const char *key, const char **out)
{
	*out = scalar(v);
	if (!*out || !**out)
		return node_err(p, v, "'%s' needs a value", key);
	return 0;
}

static int get_uint(struct parse *p, const yaml_node_t *v, const char *key, unsigned long min,
		    unsigned long max, unsigned long *out)
{
	const char *s;
	char *end;
	int ret = get_scalar(p, v, key, &s);

	if (ret)
		return ret;
	errno = 0;
	*out = strtoul(s, &end, 10);
	if (*s == '-' || *s == '+' || errno || *end || *out < min || *out > max)
		return node_err(p, v, "'%s' must be a whole number from %lu to %lu, not '%s'", key,
				min, max, s);
	return 0;
}

static int get_bool(struct parse *p, const yaml_node_t *v, const char *key, bool *out)
{
	static const char *const on[] = {"on", "true", "yes"};
	static const char *const off[] = {"off", "false", "no"};
	const char *s;
	size_t i;
	int ret = get_scalar(p, v, key, &s);

	if (ret)
		return ret;
	for (i = 0; i < 3; i++) {
		if (!strcasecmp(s, on[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, off[i])) {
			*out = false;
			return 0;
		}
	}
	return node_err(p, v, "'%s' must be on or off, not '%s'", key, s);
}

/* "10s", "500ms", "2m", "1h", or a bare number of seconds, into ms. */
static int get_duration(struct parse *p, const yaml_node_t *v, const char *key, uint32_t *ms)
{
	static const struct {
		const char *unit;
		unsigned long long ms;
	} units[] = {{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
	const char *s;
	char *end;
	unsigned long long n;
	size_t i;
	int ret = get_scalar(p, v, key, &s);

	if (ret)
		return ret;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (end == s || *s == '-' || *s == '+' || errno)
		goto bad;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		n *= units[i].ms;
		if (n == 0 || n > UINT32_MAX)
			goto bad;
		*ms = n;
		return 0;
	}
bad:
	return node_err(p, v,
			"'%s' must be a positive duration such as 500ms, 10s, 2m or 1h, not '%s'",
			key, s);
}

/* A scalar or a sequence of scalars: call fn for each. */
static int for_each_item(struct parse *p, const yaml_node_t *v, const char *key,
			 int (*fn)(struct parse *p, const yaml_node_t *item, const char *s))
{
	yaml_node_item_t *it;
	int ret;

	if (v->type == YAML_SCALAR_NODE) {
		if (is_empty(v))
			return node_err(p, v, "'%s' needs a value", key);
		return fn(p, v, scalar(v));
	}
	if (v->type != YAML_SEQUENCE_NODE)
		return node_err(p, v, "'%s' must be a value or a list of values", key);
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *n = yaml_document_get_node(p->doc, *it);
		const char *s = scalar(n);

		if (!s || !*s)
			return node_err(p, n, "each item of '%s' must be a plain value", key);
		ret = fn(p, n, s);
		if (ret)
			return ret;
	}
	return 0;
}

static int add_listen(struct parse *p, const char *text, const char *where)
{
	struct pending_addr a = {.text = strdup(text)};
	int ret;

	if (!a.text)
		return -ENOMEM;
	snprintf(a.where, sizeof(a.where), "%s", where);
	ret = push_ptr(&p->listen, &p->n_listen, sizeof(a), &a);
	if (ret)
		free(a.text);
	return ret;
}

static int file_listen(struct parse *p, const yaml_node_t *item, const char *s)
{
	char where[PATH_MAX + 32];

	snprintf(where, sizeof(where), "%s:%u", p->file, line_of(item));
	return add_listen(p, s, where);
}

static int add_iface(struct xdpmx_config *c, const char *name)
{
	char *dup;
	size_t i;
	int ret;

	for (i = 0; i < c->n_ifaces; i++)
		if (!strcmp(c->ifaces[i], name))
			return 0; /* named twice: once is enough */
	dup = strdup(name);
	if (!dup)
		return -ENOMEM;
	ret = push_ptr(&c->ifaces, &c->n_ifaces, sizeof(char *), &dup);
	if (ret)
		free(dup);
	return ret;
}

static int file_iface(struct parse *p, const yaml_node_t *item, const char *s)
{
	if (strlen(s) >= IFNAMSIZ || strchr(s, '/') || strchr(s, ' '))
		return node_err(p, item, "'%s' is not a valid interface name", s);
	return add_iface(p->c, s);
}

static int set_str(char **dst, const char *s)
{
	char *dup = strdup(s);

	if (!dup)
		return -ENOMEM;
	free(*dst);
	*dst = dup;
	return 0;
}

/* The blob class a "blobNNN-max" key sizes (blob64-max .. blob1280-max),
 * or -1. */
static int blob_class_key(const char *key)
{
	char name[32];

	for (int c = 0; c < XDPMX_BLOB_CLASSES; c++) {
		snprintf(name, sizeof(name), "blob%d-max", (int)XDPMX_BLOB_SIZE(c));
		if (!strcmp(key, name))
			return c;
	}
	return -1;
}

static int parse_server(struct parse *p, const yaml_node_t *sec)
{
	struct xdpmx_config *c = p->c;
	yaml_node_pair_t *pair, *q;
	unsigned long u;
	const char *s;
	int ret = 0, cls;

	if (is_empty(sec))
		return 0;
	if (sec->type != YAML_MAPPING_NODE)
		return node_err(p, sec, "section 'server' must be a mapping of keys to values");
	for (pair = sec->data.mapping.pairs.start; pair < sec->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(p->doc, pair->value);
		const char *key = scalar(k);

		if (!key)
			return node_err(p, k, "keys in section 'server' must be plain names");
		for (q = sec->data.mapping.pairs.start; q < pair; q++) {
			const char *prev = scalar(yaml_document_get_node(p->doc, q->key));

			if (prev && !strcmp(prev, key))
				return node_err(p, k, "key '%s' given twice in section 'server'",
						key);
		}
		if (!strcmp(key, "listen")) {
			ret = for_each_item(p, v, key, file_listen);
		} else if (!strcmp(key, "interface")) {
			ret = for_each_item(p, v, key, file_iface);
		} else if (!strcmp(key, "xdp-mode")) {
			ret = get_scalar(p, v, key, &s);
			if (ret)
				return ret;
			if (!strcmp(s, "auto"))
				c->xdp_mode = XDPMX_XDP_AUTO;
			else if (!strcmp(s, "native"))
				c->xdp_mode = XDPMX_XDP_NATIVE;
			else if (!strcmp(s, "generic"))
				c->xdp_mode = XDPMX_XDP_GENERIC;
			else
				return node_err(
					p, v,
					"'xdp-mode' must be auto, native or generic, not '%s'", s);
		} else if (!strcmp(key, "control")) {
			ret = get_scalar(p, v, key, &s);
			if (!ret)
				ret = set_str(&c->control, s);
		} else if (!strcmp(key, "pin-dir")) {
			ret = get_scalar(p, v, key, &s);
			if (!ret)
				ret = set_str(&c->pin_dir, s);
		} else if (!strcmp(key, "edns-size")) {
			ret = get_uint(p, v, key, XDPMX_UDP_MIN, 65535, &u);
			c->edns_size = u;
		} else if (!strcmp(key, "port")) {
			ret = get_uint(p, v, key, 1, 65535, &u);
			c->port = u;
		} else if (!strcmp(key, "zones-max")) {
			ret = get_uint(p, v, key, 1, UINT32_MAX, &u);
			c->cap.zones = u;
		} else if (!strcmp(key, "dir-max")) {
			ret = get_uint(p, v, key, 1, UINT32_MAX, &u);
			c->cap.dir[0] = u;
		} else if ((cls = blob_class_key(key)) >= 0) {
			ret = get_uint(p, v, key, 1, UINT32_MAX, &u);
			c->cap.blob[cls] = u;
		} else if (!strcmp(key, "tcp-idle-timeout")) {
			ret = get_duration(p, v, key, &c->tcp_idle_ms);
		} else if (!strcmp(key, "tcp-max-clients")) {
			ret = get_uint(p, v, key, 1, 1000000, &u);
			c->tcp_max_clients = u;
		} else if (!strcmp(key, "udp-workers")) {
			ret = get_uint(p, v, key, 1, XDPMX_CONF_WORKERS_MAX, &u);
			c->udp_workers = u;
		} else if (!strcmp(key, "rotation")) {
			ret = get_scalar(p, v, key, &s);
			if (ret)
				return ret;
			ret = xdpmx_order_parse(s);
			if (ret < 0)
				return node_err(
					p, v,
					"'rotation' must be cyclic, random or fixed, not '%s'", s);
			c->rotation = ret;
			ret = 0;
		} else if (!strcmp(key, "metrics")) {
			ret = get_scalar(p, v, key, &s);
			if (ret)
				return ret;
			free(p->metrics);
			p->metrics = NULL;
			if (strcmp(s, "off")) {
				p->metrics = strdup(s);
				if (!p->metrics)
					return -ENOMEM;
			}
			snprintf(p->metrics_where, sizeof(p->metrics_where), "%s:%u", p->file,
				 line_of(v));
		} else if (!strcmp(key, "metrics-allow-remote")) {
			ret = get_bool(p, v, key, &c->metrics_allow_remote);
		} else {
			return node_err(p, k, "unknown key '%s' in section 'server'", key);
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int zone_push(struct xdpmx_config *c, struct xdpmx_zone_conf *z)
{
	int ret = push_ptr(&c->zones, &c->n_zones, sizeof(*z), z);

	if (ret) {
		free(z->domain);
		free(z->file);
		free(z->where);
	}
	return ret;
}

/* A path: absolute as given, else relative to dir, or to the working
 * directory when dir is NULL. Paths are made absolute once, here, so a
 * reload finds the same files whatever the working directory is by then.
 * NULL and errno on failure. */
static char *resolve_path(const char *dir, const char *file)
{
	char cwd[PATH_MAX];
	char *out;

	if (file[0] == '/')
		return strdup(file);
	if (!dir) {
		if (!getcwd(cwd, sizeof(cwd)))
			return NULL;
		dir = cwd;
	}
	if (asprintf(&out, "%s/%s", dir, file) < 0) {
		errno = ENOMEM;
		return NULL;
	}
	return out;
}

static int check_domain(const char *s)
{
	uint8_t wire[XDPMX_DNAME_MAX];
	char *abs = NULL;
	int ret;

	/* Domains in the config are absolute with or without the final dot. */
	if (!strcmp(s, "."))
		return xdpmx_dname_from_str(wire, s, NULL) < 0 ? -EINVAL : 0;
	if (s[strlen(s) - 1] != '.') {
		if (asprintf(&abs, "%s.", s) < 0)
			return -ENOMEM;
		s = abs;
	}
	ret = xdpmx_dname_from_str(wire, s, NULL);
	free(abs);
	return ret < 0 ? ret : 0;
}

static int parse_zone_item(struct parse *p, const yaml_node_t *item)
{
	struct xdpmx_zone_conf z = {.order = -1};
	const yaml_node_t *file_node = NULL;
	yaml_node_pair_t *pair, *q;
	const char *s;
	int ret;

	if (item->type != YAML_MAPPING_NODE)
		return node_err(p, item,
				"each item of section 'zone' must be a mapping (domain, file, "
				"rotation)");
	for (pair = item->data.mapping.pairs.start; pair < item->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(p->doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(p->doc, pair->value);
		const char *key = scalar(k);

		ret = 0;
		if (!key) {
			ret = node_err(p, k, "keys in section 'zone' must be plain names");
			goto fail;
		}
		for (q = item->data.mapping.pairs.start; q < pair; q++) {
			const char *prev = scalar(yaml_document_get_node(p->doc, q->key));

			if (prev && !strcmp(prev, key)) {
				ret = node_err(p, k, "key '%s' given twice in this zone", key);
				goto fail;
			}
		}
		if (!strcmp(key, "domain")) {
			ret = get_scalar(p, v, key, &s);
			if (ret)
				goto fail;
			ret = check_domain(s);
			if (ret == -ENOMEM)
				goto fail;
			if (ret) {
				ret = node_err(p, v, "'%s' is not a valid domain name", s);
				goto fail;
			}
			ret = set_str(&z.domain, s);
		} else if (!strcmp(key, "file")) {
			ret = get_scalar(p, v, key, &s);
			if (ret)
				goto fail;
			free(z.file);
			z.file = resolve_path(p->dir, s);
			if (!z.file)
				ret = -ENOMEM;
			file_node = v;
		} else if (!strcmp(key, "rotation")) {
			ret = get_scalar(p, v, key, &s);
			if (ret)
				goto fail;
			z.order = xdpmx_order_parse(s);
			if (z.order < 0) {
				ret = node_err(
					p, v,
					"'rotation' must be cyclic, random or fixed, not '%s'", s);
				goto fail;
			}
		} else {
			ret = node_err(p, k, "unknown key '%s' in section 'zone'", key);
		}
		if (ret)
			goto fail;
	}
	if (!z.file) {
		ret = node_err(p, item, "zone %s has no 'file'", z.domain ? z.domain : "");
		goto fail;
	}
	if (asprintf(&z.where, "%s:%u", p->file, line_of(file_node)) < 0) {
		z.where = NULL;
		ret = -ENOMEM;
		goto fail;
	}
	return zone_push(p->c, &z);
fail:
	free(z.domain);
	free(z.file);
	return ret;
}

static int parse_zones(struct parse *p, const yaml_node_t *sec)
{
	yaml_node_item_t *it;
	int ret;

	if (is_empty(sec))
		return 0;
	if (sec->type != YAML_SEQUENCE_NODE)
		return node_err(p, sec,
				"section 'zone' must be a list of zones ('- domain: ...' items)");
	for (it = sec->data.sequence.items.start; it < sec->data.sequence.items.top; it++) {
		ret = parse_zone_item(p, yaml_document_get_node(p->doc, *it));
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_file(struct parse *p)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_pair_t *pair, *q;
	char *slash;
	FILE *fp;
	int ret = 0;

	fp = fopen(p->file, "r");
	if (!fp) {
		ret = -errno;
		seterr(p->err, p->errlen, "couldn't open config file %s: %s", p->file,
		       strerror(errno));
		return ret;
	}
	p->dir = strdup(p->file);
	if (!p->dir) {
		fclose(fp);
		return -ENOMEM;
	}
	slash = strrchr(p->dir, '/');
	if (slash)
		slash[slash == p->dir ? 1 : 0] = '\0';
	else
		strcpy(p->dir, ".");

	if (!yaml_parser_initialize(&parser)) {
		fclose(fp);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &doc)) {
		seterr(p->err, p->errlen, "%s:%zu: YAML syntax error: %s%s%s", p->file,
		       parser.problem_mark.line + 1, parser.problem ? parser.problem : "unknown",
		       parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		fclose(fp);
		return -EINVAL;
	}
	p->doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root || is_empty(root))
		goto out; /* an empty file: defaults */
	if (root->type != YAML_MAPPING_NODE) {
		ret = node_err(p, root, "the file must be a mapping of sections (server, zone)");
		goto out;
	}
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = yaml_document_get_node(&doc, pair->key);
		yaml_node_t *v = yaml_document_get_node(&doc, pair->value);
		const char *key = scalar(k);

		if (!key) {
			ret = node_err(p, k, "section names must be plain names");
			goto out;
		}
		for (q = root->data.mapping.pairs.start; q < pair; q++) {
			const char *prev = scalar(yaml_document_get_node(&doc, q->key));

			if (prev && !strcmp(prev, key)) {
				ret = node_err(p, k, "section '%s' given twice", key);
				goto out;
			}
		}
		if (!strcmp(key, "server"))
			ret = parse_server(p, v);
		else if (!strcmp(key, "zone"))
			ret = parse_zones(p, v);
		else
			ret = node_err(p, k, "unknown section '%s' (known: server, zone)", key);
		if (ret)
			goto out;
	}
out:
	if (ret == -ENOMEM)
		seterr(p->err, p->errlen, "couldn't read config file %s: out of memory", p->file);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(fp);
	return ret;
}

/* ---- building the configuration ------------------------------------------- */

void xdpmx_config_free(struct xdpmx_config *c)
{
	size_t i;

	free(c->file);
	free(c->listen);
	for (i = 0; i < c->n_ifaces; i++)
		free(c->ifaces[i]);
	free(c->ifaces);
	free(c->control);
	free(c->pin_dir);
	for (i = 0; i < c->n_zones; i++) {
		free(c->zones[i].domain);
		free(c->zones[i].file);
		free(c->zones[i].where);
	}
	free(c->zones);
	memset(c, 0, sizeof(*c));
}

/* --zone [ORIGIN=]FILE: an '=' before any '/' separates the origin. */
static int flag_zone(struct parse *p, const char *arg)
{
	struct xdpmx_zone_conf z = {.order = -1};
	const char *eq = strchr(arg, '=');
	const char *slash = strchr(arg, '/');
	int ret;

	if (eq && (!slash || eq < slash)) {
		z.domain = strndup(arg, eq - arg);
		if (!z.domain)
			return -ENOMEM;
		ret = z.domain[0] ? check_domain(z.domain) : -EINVAL;
		if (ret) {
			free(z.domain);
			if (ret == -ENOMEM)
				return ret;
			seterr(p->err, p->errlen, "--zone '%s': '%.*s' is not a valid domain name",
			       arg, (int)(eq - arg), arg);
			return -EINVAL;
		}
		arg = eq + 1;
	}
	if (!*arg) {
		free(z.domain);
		seterr(p->err, p->errlen, "--zone needs a file ([ORIGIN=]FILE)");
		return -EINVAL;
	}
	z.file = resolve_path(NULL, arg);
	z.where = strdup("--zone");
	if (!z.file || !z.where) {
		free(z.domain);
		free(z.file);
		free(z.where);
		return -ENOMEM;
	}
	return zone_push(p->c, &z);
}

/* Zone domains compare without case and without a final dot. */
struct dom_key {
	const char *d;
	size_t len; /* without a final dot */
	size_t idx;
};

static int dom_key_cmp(const void *a, const void *b)
{
	const struct dom_key *x = a, *y = b;
	int c = strncasecmp(x->d, y->d, x->len < y->len ? x->len : y->len);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* The first zone (in configuration order) whose domain an earlier zone has
 * already: *dup gets its index and *first the earlier one's. Returns 1 when
 * there is one, 0 when not, -ENOMEM. One sort, not a comparison of every
 * pair: a configuration may list 100,000 zones. */
static int find_dup_domain(const struct xdpmx_config *c, size_t *dup, size_t *first)
{
	struct dom_key *k = malloc((c->n_zones ? c->n_zones : 1) * sizeof(*k));
	size_t n = 0;
	int found = 0;

	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_zones; i++) {
		const char *d = c->zones[i].domain;
		size_t len;

		if (!d)
			continue;
		len = strlen(d);
		if (len > 1 && d[len - 1] == '.')
			len--;
		k[n++] = (struct dom_key){d, len, i};
	}
	qsort(k, n, sizeof(*k), dom_key_cmp);
	for (size_t i = 1; i < n; i++) {
		if (k[i].len != k[i - 1].len || strncasecmp(k[i].d, k[i - 1].d, k[i].len) ||
		    (i > 1 && k[i - 2].len == k[i].len &&
		     !strncasecmp(k[i].d, k[i - 2].d, k[i].len)))
			continue; /* not the second of its group */
		if (!found || k[i].idx < *dup) {
			*dup = k[i].idx;
			*first = k[i - 1].idx;
			found = 1;
		}
	}
	free(k);
	return found;
}

static int finish(struct parse *p, const struct xdpmx_flags *f)
{
	struct xdpmx_config *c = p->c;
	char buf[XDPMX_SOCKADDR_STRLEN];
	size_t i, j;
	int ret;

	for (i = 0; i < f->n_listen; i++) {
		ret = add_listen(p, f->listen[i], "--listen");
		if (ret)
			return ret;
	}
	for (i = 0; i < p->n_listen; i++) {
		struct xdpmx_sockaddr a;

		if (xdpmx_sockaddr_parse(p->listen[i].text, c->port, &a)) {
			seterr(p->err, p->errlen,
			       "%s: listen address '%s' is not ADDR[@PORT] with an IPv4 or IPv6 "
			       "address",
			       p->listen[i].where, p->listen[i].text);
			return -EINVAL;
		}
		for (j = 0; j < c->n_listen; j++)
			if (sockaddr_eq(&c->listen[j], &a))
				break;
		if (j < c->n_listen)
			continue; /* named twice: once is enough */
		ret = push_ptr(&c->listen, &c->n_listen, sizeof(a), &a);
		if (ret)
			return ret;
	}
	if (!c->n_listen) {
		const char *const any[] = {"0.0.0.0", "::"};

		for (i = 0; i < 2; i++) {
			struct xdpmx_sockaddr a;

			xdpmx_sockaddr_parse(any[i], c->port, &a);
			ret = push_ptr(&c->listen, &c->n_listen, sizeof(a), &a);
			if (ret)
				return ret;
		}
	}

	for (i = 0; i < f->n_ifaces; i++) {
		if (strlen(f->ifaces[i]) >= IFNAMSIZ || !f->ifaces[i][0] ||
		    strchr(f->ifaces[i], '/')) {
			seterr(p->err, p->errlen, "--interface '%s': not a valid interface name",
			       f->ifaces[i]);
			return -EINVAL;
		}
		ret = add_iface(c, f->ifaces[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < f->n_zones; i++) {
		ret = flag_zone(p, f->zones[i]);
		if (ret)
			return ret;
	}
	i = j = 0;
	ret = find_dup_domain(c, &i, &j);
	if (ret < 0)
		return ret;
	if (ret) {
		seterr(p->err, p->errlen, "%s: zone %s is already configured at %s",
		       c->zones[i].where, c->zones[i].domain, c->zones[j].where);
		return -EINVAL;
	}
	if (f->control && (ret = set_str(&c->control, f->control)))
		return ret;
	if (f->pin_dir && (ret = set_str(&c->pin_dir, f->pin_dir)))
		return ret;

	if (p->metrics) {
		if (xdpmx_sockaddr_parse(p->metrics, XDPMX_CONF_METRICS_PORT_DEFAULT,
					 &c->metrics)) {
			seterr(p->err, p->errlen,
			       "%s: metrics address '%s' is not ADDR[@PORT] with an IPv4 or IPv6 "
			       "address",
			       p->metrics_where, p->metrics);
			return -EINVAL;
		}
		if (!c->metrics_allow_remote && !xdpmx_sockaddr_is_loopback(&c->metrics)) {
			seterr(p->err, p->errlen,
			       "%s: metrics address %s is not a loopback address; set "
			       "'metrics-allow-remote: on' to serve metrics to other hosts",
			       p->metrics_where, xdpmx_sockaddr_str(&c->metrics, buf));
			return -EINVAL;
		}
		c->metrics_on = true;
	}
	return 0;
}

int xdpmx_config_build(const struct xdpmx_flags *f, struct xdpmx_config *c, char *err,
		       size_t errlen)
{
	struct parse p = {.c = c, .err = err, .errlen = errlen};
	long ncpu;
	int ret;

	memset(c, 0, sizeof(*c));
	if (err && errlen)
		err[0] = '\0';
	c->xdp_mode = XDPMX_XDP_AUTO;
	c->edns_size = XDPMX_EDNS_SIZE_DEFAULT;
	c->port = XDPMX_DNS_PORT_DEFAULT;
	c->tcp_idle_ms = XDPMX_CONF_TCP_IDLE_MS_DEFAULT;
	c->tcp_max_clients = XDPMX_CONF_TCP_MAX_CLIENTS_DEFAULT;
	c->rotation = XDPMX_ORDER_CYCLIC;
	c->control = strdup(XDPMX_CONTROL_PATH_DEFAULT);
	c->pin_dir = strdup(XDPMX_PIN_DIR_DEFAULT);
	if (!c->control || !c->pin_dir) {
		ret = -ENOMEM;
		goto out;
	}

	if (f->config) {
		c->file = resolve_path(NULL, f->config);
		if (!c->file) {
			ret = -ENOMEM;
			goto out;
		}
		p.file = c->file;
		ret = parse_file(&p);
		if (ret)
			goto out;
	}
	ret = finish(&p, f);
	if (ret)
		goto out;
	if (!c->udp_workers) {
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		c->udp_workers = ncpu < 1			 ? 1
				 : ncpu > XDPMX_CONF_WORKERS_MAX ? XDPMX_CONF_WORKERS_MAX
								 : (uint32_t)ncpu;
	}
out:
	if (ret == -ENOMEM)
		seterr(err, errlen, "couldn't build the configuration: out of memory");
	if (ret)
		xdpmx_config_free(c);
	for (size_t i = 0; i < p.n_listen; i++)
		free(p.listen[i].text);
	free(p.listen);
	free(p.metrics);
	free(p.dir);
	return ret;
}
