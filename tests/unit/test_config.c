// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdpmxd's configuration (user/lib/config.c): every key of the file, the
 * errors with file and line, the flags and their precedence over the file.
 */
#define _GNU_SOURCE /* asprintf */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <xdpmx/abi.h>

#include "config.h"
#include "control.h"

static char tmpdir[] = "/tmp/xdpmx-test-config.XXXXXX";
static char err[XDPMX_CONF_ERR_MAX];

static void setup(void)
{
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char *cmd;

	cr_assert(asprintf(&cmd, "rm -rf '%s'", tmpdir) > 0);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

TestSuite(config, .init = setup, .fini = teardown);

/* Write text to tmpdir/name and return the path (malloc'd). */
static char *write_file(const char *name, const char *text)
{
	char *path;
	FILE *f;

	cr_assert(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	cr_assert_eq(fputs(text, f) >= 0, true);
	cr_assert_eq(fclose(f), 0);
	return path;
}

/* Build a configuration from a file's text and no flags. */
static int build_text(const char *text, struct xdpmx_config *c)
{
	struct xdpmx_flags f = {};
	char *path = write_file("xdpmxd.conf", text);
	int ret;

	f.config = path;
	ret = xdpmx_config_build(&f, c, err, sizeof(err));
	free(path);
	return ret;
}

static const char *addr(const struct xdpmx_sockaddr *a)
{
	static char buf[XDPMX_SOCKADDR_STRLEN];

	return xdpmx_sockaddr_str(a, buf);
}

/* The error names the config file (by its absolute path) and the line. */
static void assert_err(int ret, unsigned line, const char *text)
{
	char *want;

	cr_assert_eq(ret, -EINVAL, "expected -EINVAL, got %d (%s)", ret, err);
	cr_assert(asprintf(&want, "%s/xdpmxd.conf:%u: ", tmpdir, line) > 0);
	cr_assert(strncmp(err, want, strlen(want)) == 0, "error '%s' does not start with '%s'", err,
		  want);
	cr_assert_not_null(strstr(err, text), "error '%s' does not say '%s'", err, text);
	free(want);
}

Test(config, defaults)
{
	struct xdpmx_flags f = {};
	struct xdpmx_config c;

	cr_assert_eq(xdpmx_config_build(&f, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_null(c.file);
	/* No listen address configured: the wildcards on the DNS port. */
	cr_assert_eq(c.n_listen, 2);
	cr_assert_str_eq(addr(&c.listen[0]), "0.0.0.0@53");
	cr_assert_str_eq(addr(&c.listen[1]), "::@53");
	cr_assert_eq(c.n_ifaces, 0);
	cr_assert_eq(c.xdp_mode, XDPMX_XDP_AUTO);
	cr_assert_str_eq(c.control, XDPMX_CONTROL_PATH_DEFAULT);
	cr_assert_str_eq(c.pin_dir, XDPMX_PIN_DIR_DEFAULT);
	cr_assert_eq(c.edns_size, 1232);
	cr_assert_eq(c.port, 53);
	cr_assert_eq(c.tcp_idle_ms, 10000);
	cr_assert_eq(c.tcp_max_clients, 100);
	cr_assert_eq(c.udp_workers, (uint32_t)sysconf(_SC_NPROCESSORS_ONLN));
	cr_assert_eq(c.rotation, XDPMX_ORDER_CYCLIC);
	cr_assert_eq(c.metrics_on, false);
	cr_assert_eq(c.n_zones, 0);
	xdpmx_config_free(&c);
}

Test(config, every_key)
{
	struct xdpmx_config c;
	char *want;
	int ret;

	ret = build_text("# a full configuration\n"
			 "server:\n"
			 "    listen: [ 198.18.0.1@5353, \"fd00::1\" ]\n"
			 "    interface: [ xs0, xs1 ]\n"
			 "    xdp-mode: generic\n"
			 "    control: /run/x/ctl.sock\n"
			 "    pin-dir: /sys/fs/bpf/other\n"
			 "    edns-size: 4096\n"
			 "    port: 5300\n"
			 "    tcp-idle-timeout: 1500ms\n"
			 "    tcp-max-clients: 7\n"
			 "    udp-workers: 3\n"
			 "    rotation: random\n"
			 "    metrics: 127.0.0.1@9100\n"
			 "    metrics-allow-remote: off\n"
			 "zone:\n"
			 "  - domain: mydomain.com\n"
			 "    file: mydomain.com.zone\n"
			 "    rotation: fixed\n"
			 "  - domain: 2.168.192.in-addr.arpa.\n"
			 "    file: /abs/reverse.zone\n",
			 &c);
	cr_assert_eq(ret, 0, "%s", err);
	cr_assert_eq(c.n_listen, 2);
	cr_assert_str_eq(addr(&c.listen[0]), "198.18.0.1@5353");
	/* No port given: the server's port, even though it came later. */
	cr_assert_str_eq(addr(&c.listen[1]), "fd00::1@5300");
	cr_assert_eq(c.n_ifaces, 2);
	cr_assert_str_eq(c.ifaces[0], "xs0");
	cr_assert_str_eq(c.ifaces[1], "xs1");
	cr_assert_eq(c.xdp_mode, XDPMX_XDP_GENERIC);
	cr_assert_str_eq(c.control, "/run/x/ctl.sock");
	cr_assert_str_eq(c.pin_dir, "/sys/fs/bpf/other");
	cr_assert_eq(c.edns_size, 4096);
	cr_assert_eq(c.port, 5300);
	cr_assert_eq(c.tcp_idle_ms, 1500);
	cr_assert_eq(c.tcp_max_clients, 7);
	cr_assert_eq(c.udp_workers, 3);
	cr_assert_eq(c.rotation, XDPMX_ORDER_RANDOM);
	cr_assert_eq(c.metrics_on, true);
	cr_assert_str_eq(addr(&c.metrics), "127.0.0.1@9100");
	cr_assert_eq(c.metrics_allow_remote, false);

	cr_assert_eq(c.n_zones, 2);
	cr_assert_str_eq(c.zones[0].domain, "mydomain.com");
	/* Relative zone files are relative to the config file's directory. */
	cr_assert(asprintf(&want, "%s/mydomain.com.zone", tmpdir) > 0);
	cr_assert_str_eq(c.zones[0].file, want);
	free(want);
	cr_assert_eq(c.zones[0].order, XDPMX_ORDER_FIXED);
	cr_assert(asprintf(&want, "%s/xdpmxd.conf:18", tmpdir) > 0);
	cr_assert_str_eq(c.zones[0].where, want);
	free(want);
	cr_assert_str_eq(c.zones[1].domain, "2.168.192.in-addr.arpa.");
	cr_assert_str_eq(c.zones[1].file, "/abs/reverse.zone");
	cr_assert_eq(c.zones[1].order, -1, "no rotation: the server's");
	xdpmx_config_free(&c);
}

Test(config, scalar_lists_and_other_values)
{
	struct xdpmx_config c;
	int ret;

	ret = build_text("server:\n"
			 "  listen: 127.0.0.1\n"
			 "  interface: eth0\n"
			 "  xdp-mode: native\n"
			 "  tcp-idle-timeout: 2m\n"
			 "  metrics: ::1\n"
			 "  rotation: fixed\n",
			 &c);
	cr_assert_eq(ret, 0, "%s", err);
	cr_assert_eq(c.n_listen, 1);
	cr_assert_str_eq(addr(&c.listen[0]), "127.0.0.1@53");
	cr_assert_eq(c.n_ifaces, 1);
	cr_assert_str_eq(c.ifaces[0], "eth0");
	cr_assert_eq(c.xdp_mode, XDPMX_XDP_NATIVE);
	cr_assert_eq(c.tcp_idle_ms, 120000);
	cr_assert_str_eq(addr(&c.metrics), "::1@9153", "default metrics port");
	cr_assert_eq(c.rotation, XDPMX_ORDER_FIXED);
	xdpmx_config_free(&c);
}

Test(config, durations)
{
	static const struct {
		const char *text;
		uint32_t ms;
	} ok[] = {{"7", 7000}, {"7s", 7000}, {"250ms", 250}, {"1h", 3600000}};
	static const char *const bad[] = {"0", "-1s", "10x", "s", "5000000h"};
	struct xdpmx_config c;
	char *text;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert(asprintf(&text, "server:\n  tcp-idle-timeout: %s\n", ok[i].text) > 0);
		cr_assert_eq(build_text(text, &c), 0, "%s: %s", ok[i].text, err);
		cr_assert_eq(c.tcp_idle_ms, ok[i].ms, "%s", ok[i].text);
		xdpmx_config_free(&c);
		free(text);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert(asprintf(&text, "server:\n  tcp-idle-timeout: %s\n", bad[i]) > 0);
		assert_err(build_text(text, &c), 2, "positive duration");
		free(text);
	}
}

Test(config, metrics_remote_needs_consent)
{
	struct xdpmx_config c;

	assert_err(build_text("server:\n  metrics: 198.18.0.1@9153\n", &c), 2,
		   "not a loopback address");
	cr_assert_not_null(strstr(err, "metrics-allow-remote"));

	cr_assert_eq(build_text("server:\n"
				"  metrics: 198.18.0.1@9153\n"
				"  metrics-allow-remote: on\n",
				&c),
		     0, "%s", err);
	cr_assert_eq(c.metrics_on, true);
	cr_assert_str_eq(addr(&c.metrics), "198.18.0.1@9153");
	xdpmx_config_free(&c);

	cr_assert_eq(build_text("server:\n  metrics: off\n", &c), 0, "%s", err);
	cr_assert_eq(c.metrics_on, false);
	xdpmx_config_free(&c);
}

Test(config, empty_file_and_sections)
{
	struct xdpmx_config c;

	cr_assert_eq(build_text("", &c), 0, "%s", err);
	cr_assert_eq(c.n_zones, 0);
	xdpmx_config_free(&c);
	cr_assert_eq(build_text("server:\nzone:\n", &c), 0, "%s", err);
	cr_assert_eq(c.n_listen, 2);
	xdpmx_config_free(&c);
}

/* Each error names the file, the line of the offending key or value, and
 * the cause. */
Test(config, errors_with_lines)
{
	static const struct {
		const char *text;
		unsigned line;
		const char *msg;
	} cases[] = {
		{"server:\n  port: 53\n  lisen: 1.2.3.4\n", 3,
		 "unknown key 'lisen' in section 'server'"},
		{"server:\n  port: 53\nlog:\n  - target: stderr\n", 3, "unknown section 'log'"},
		{"zone:\n  - domain: a.example\n    file: a.zone\n    master: 1.2.3.4\n", 4,
		 "unknown key 'master' in section 'zone'"},
		{"server:\n  edns-size: 100\n", 2, "'edns-size' must be a whole number from 512"},
		{"server:\n  port: 0\n", 2, "'port' must be a whole number from 1 to 65535"},
		{"server:\n  port: 53x\n", 2, "not '53x'"},
		{"server:\n  tcp-max-clients: -1\n", 2, "'tcp-max-clients' must be a whole"},
		{"server:\n  udp-workers: 65\n", 2, "from 1 to 64"},
		{"server:\n  xdp-mode: turbo\n", 2, "'xdp-mode' must be auto, native or generic"},
		{"server:\n  rotation: roundrobin\n", 2, "'rotation' must be cyclic"},
		{"server:\n  metrics-allow-remote: maybe\n", 2, "must be on or off"},
		{"server:\n  port: 53\n  port: 54\n", 3, "key 'port' given twice"},
		{"server:\n  control:\n", 2, "'control' needs a value"},
		{"server:\n  listen: [ 1.2.3.4, nonsense ]\n", 2,
		 "listen address 'nonsense' is not ADDR[@PORT]"},
		{"server:\n  listen:\n    - 1.2.3.4\n    - 1.2.3.4@70000\n", 4,
		 "listen address '1.2.3.4@70000'"},
		{"server:\n  interface: [ averyveryverylongname0 ]\n", 2,
		 "not a valid interface name"},
		{"server:\n  listen: { a: b }\n", 2, "must be a value or a list"},
		{"server: [ a, b ]\n", 1, "section 'server' must be a mapping"},
		{"zone:\n  domain: a.example\n", 2, "section 'zone' must be a list"},
		{"zone:\n  - a.example\n", 2, "must be a mapping"},
		{"zone:\n  - domain: a.example\n    rotation: fixed\n", 2, "has no 'file'"},
		{"zone:\n  - domain: a..example\n    file: a.zone\n", 2, "not a valid domain name"},
		{"zone:\n  - domain: a.example\n    file: a.zone\n    rotation: up\n", 4,
		 "'rotation' must be cyclic"},
		{"zone:\n  - domain: a.example\n    file: a.zone\n"
		 "  - domain: A.example.\n    file: b.zone\n",
		 5, "zone A.example. is already configured at"},
		/* the first repeat in configuration order, though a. sorts first */
		{"zone:\n  - domain: x.example\n    file: a.zone\n"
		 "  - domain: z.example\n    file: b.zone\n  - domain: Z.example\n    file: "
		 "c.zone\n"
		 "  - domain: a.example\n    file: d.zone\n  - domain: A.example.\n    file: "
		 "e.zone\n",
		 7, "zone Z.example is already configured at"},
		{"server:\n  listen: [ 1.2.3.4\n", 3, "YAML syntax error"},
		{"server:\n\tport: 53\n", 2, "YAML syntax error"},
		{"- a\n- b\n", 1, "must be a mapping of sections"},
	};
	struct xdpmx_config c;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_log_info("case %zu: %s", i, cases[i].text);
		assert_err(build_text(cases[i].text, &c), cases[i].line, cases[i].msg);
	}
}

Test(config, missing_file)
{
	struct xdpmx_flags f = {.config = "/nonexistent/xdpmxd.conf"};
	struct xdpmx_config c;

	cr_assert_eq(xdpmx_config_build(&f, &c, err, sizeof(err)), -ENOENT);
	cr_assert_str_eq(err, "couldn't open config file /nonexistent/xdpmxd.conf: No such file "
			      "or directory");
}

/* ---- flags ----------------------------------------------------------------- */

static int parse_argv(struct xdpmx_flags *f, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "xdpmxd";
	va_start(ap, f);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return xdpmx_flags_parse(argc, argv, f, err, sizeof(err));
}

Test(config, flags_parse)
{
	struct xdpmx_flags f;

	cr_assert_eq(parse_argv(&f, "--config", "/etc/x.conf", "-i", "xs0", "--interface", "xs1",
				"--zone", "mydomain.com=a.zone", "-z", "b.zone", "--listen",
				"198.18.0.1", "-l", "fd00::1@5353", "--control", "/tmp/c.sock",
				"--pin-dir", "/sys/fs/bpf/p", "-vv", "--check-config", NULL),
		     0, "%s", err);
	cr_assert_str_eq(f.config, "/etc/x.conf");
	cr_assert_eq(f.n_ifaces, 2);
	cr_assert_str_eq(f.ifaces[1], "xs1");
	cr_assert_eq(f.n_zones, 2);
	cr_assert_str_eq(f.zones[0], "mydomain.com=a.zone");
	cr_assert_eq(f.n_listen, 2);
	cr_assert_str_eq(f.listen[1], "fd00::1@5353");
	cr_assert_str_eq(f.control, "/tmp/c.sock");
	cr_assert_str_eq(f.pin_dir, "/sys/fs/bpf/p");
	cr_assert_eq(f.verbosity, 2);
	cr_assert_eq(f.check_config, true);
	cr_assert_eq(f.daemonize, false, "the foreground is the default");
	xdpmx_flags_free(&f);

	cr_assert_eq(parse_argv(&f, "-d", "-V", NULL), 0);
	cr_assert_eq(f.daemonize, true);
	cr_assert_eq(f.version, true);
	xdpmx_flags_free(&f);
	cr_assert_eq(parse_argv(&f, "-d", "--foreground", NULL), 0);
	cr_assert_eq(f.daemonize, false, "the last of -d/-f wins");
	xdpmx_flags_free(&f);
}

Test(config, flags_errors)
{
	struct xdpmx_flags f;

	cr_assert_eq(parse_argv(&f, "--bogus", NULL), -EINVAL);
	cr_assert_str_eq(err, "unknown option '--bogus'");
	cr_assert_eq(parse_argv(&f, "-x", NULL), -EINVAL);
	cr_assert_str_eq(err, "unknown option '-x'");
	cr_assert_eq(parse_argv(&f, "--zone", NULL), -EINVAL);
	cr_assert_str_eq(err, "option '--zone' needs an argument");
	cr_assert_eq(parse_argv(&f, "-c", NULL), -EINVAL);
	cr_assert_str_eq(err, "option '-c' needs an argument");
	cr_assert_eq(parse_argv(&f, "start", NULL), -EINVAL);
	cr_assert_str_eq(err, "unexpected argument 'start' (options only; see --help)");
}

/* Flags replace the file's scalars and add to its lists. */
Test(config, flags_over_file)
{
	struct xdpmx_flags f;
	struct xdpmx_config c;
	char *path, *want, cwd[4096];

	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	path = write_file("xdpmxd.conf", "server:\n"
					 "  listen: 198.18.0.1\n"
					 "  interface: xs0\n"
					 "  control: /run/file.sock\n"
					 "  pin-dir: /sys/fs/bpf/file\n"
					 "  port: 5353\n"
					 "zone:\n"
					 "  - domain: a.example\n"
					 "    file: a.zone\n");
	cr_assert_eq(parse_argv(&f, "-c", path, "--listen", "fd00::1", "--listen", "198.18.0.1",
				"-i", "xs1", "-i", "xs0", "--control", "/run/flag.sock", "--zone",
				"b.example.=b.zone", "--zone", "dir/with=sign/c.zone", NULL),
		     0, "%s", err);
	cr_assert_eq(xdpmx_config_build(&f, &c, err, sizeof(err)), 0, "%s", err);

	cr_assert_eq(c.n_listen, 2, "the file's address, plus the flag's (one duplicate)");
	cr_assert_str_eq(addr(&c.listen[0]), "198.18.0.1@5353");
	cr_assert_str_eq(addr(&c.listen[1]), "fd00::1@5353");
	cr_assert_eq(c.n_ifaces, 2);
	cr_assert_str_eq(c.ifaces[0], "xs0");
	cr_assert_str_eq(c.ifaces[1], "xs1");
	cr_assert_str_eq(c.control, "/run/flag.sock");
	cr_assert_str_eq(c.pin_dir, "/sys/fs/bpf/file");

	cr_assert_eq(c.n_zones, 3);
	cr_assert_str_eq(c.zones[0].domain, "a.example");
	cr_assert_str_eq(c.zones[1].domain, "b.example.");
	cr_assert_str_eq(c.zones[1].where, "--zone");
	/* --zone paths are relative to the working directory. */
	cr_assert(asprintf(&want, "%s/b.zone", cwd) > 0);
	cr_assert_str_eq(c.zones[1].file, want);
	free(want);
	cr_assert_null(c.zones[2].domain, "'=' after a '/' is part of the path");
	cr_assert(asprintf(&want, "%s/dir/with=sign/c.zone", cwd) > 0);
	cr_assert_str_eq(c.zones[2].file, want);
	free(want);
	xdpmx_config_free(&c);
	xdpmx_flags_free(&f);

	/* A zone in the file and again on the command line. */
	cr_assert_eq(parse_argv(&f, "-c", path, "--zone", "A.EXAMPLE.=x.zone", NULL), 0);
	cr_assert_eq(xdpmx_config_build(&f, &c, err, sizeof(err)), -EINVAL);
	cr_assert(strncmp(err, "--zone: zone A.EXAMPLE. is already configured at ", 49) == 0, "%s",
		  err);
	xdpmx_flags_free(&f);

	/* Bad values in flags name the flag. */
	cr_assert_eq(parse_argv(&f, "--listen", "1.2.3.4@x", NULL), 0);
	cr_assert_eq(xdpmx_config_build(&f, &c, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "--listen: listen address '1.2.3.4@x' is not ADDR[@PORT] with an "
			      "IPv4 or IPv6 address");
	xdpmx_flags_free(&f);
	cr_assert_eq(parse_argv(&f, "--zone", "bad..name=x.zone", NULL), 0);
	cr_assert_eq(xdpmx_config_build(&f, &c, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "--zone 'bad..name=x.zone': 'bad..name' is not a valid domain name");
	xdpmx_flags_free(&f);
	cr_assert_eq(parse_argv(&f, "--zone", "a.example=", NULL), 0);
	cr_assert_eq(xdpmx_config_build(&f, &c, err, sizeof(err)), -EINVAL);
	cr_assert_str_eq(err, "--zone needs a file ([ORIGIN=]FILE)");
	xdpmx_flags_free(&f);
	free(path);
}

Test(config, sockaddr_helpers)
{
	struct xdpmx_sockaddr a;

	cr_assert_eq(xdpmx_sockaddr_parse("::1@8053", 53, &a), 0);
	cr_assert_str_eq(addr(&a), "::1@8053");
	cr_assert(xdpmx_sockaddr_is_loopback(&a));
	cr_assert_eq(xdpmx_sockaddr_parse("127.3.2.1", 53, &a), 0);
	cr_assert(xdpmx_sockaddr_is_loopback(&a));
	cr_assert_eq(xdpmx_sockaddr_parse("198.18.0.1", 53, &a), 0);
	cr_assert_not(xdpmx_sockaddr_is_loopback(&a));
	cr_assert_eq(xdpmx_sockaddr_parse("", 53, &a), -EINVAL);
	cr_assert_eq(xdpmx_sockaddr_parse("@53", 53, &a), -EINVAL);
	cr_assert_eq(xdpmx_sockaddr_parse("1.2.3.4@", 53, &a), -EINVAL);
	cr_assert_eq(xdpmx_sockaddr_parse("1.2.3.4@0", 53, &a), -EINVAL);
	cr_assert_eq(xdpmx_sockaddr_parse("[::1]@53", 53, &a), -EINVAL);
	cr_assert_eq(xdpmx_sockaddr_parse("host.example@53", 53, &a), -EINVAL);
	cr_assert_eq(xdpmx_order_parse("cyclic"), XDPMX_ORDER_CYCLIC);
	cr_assert_eq(xdpmx_order_parse("fixed"), XDPMX_ORDER_FIXED);
	cr_assert_eq(xdpmx_order_parse("Fixed"), -EINVAL);
	cr_assert_str_eq(xdpmx_order_name(XDPMX_ORDER_RANDOM), "random");
}

/* The shipped example parses, with the values its comments promise (make
 * check runs from the top of the tree). */
Test(config, shipped_example)
{
	struct xdpmx_flags f = {.config = "examples/xdpmxd.conf"};
	struct xdpmx_config c;

	cr_assert_eq(xdpmx_config_build(&f, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(c.n_listen, 2);
	cr_assert_str_eq(addr(&c.listen[1]), "2001:db8::53@53");
	cr_assert_eq(c.n_ifaces, 1);
	cr_assert_str_eq(c.ifaces[0], "eth0");
	cr_assert_eq(c.metrics_on, false);
	cr_assert_eq(c.n_zones, 2);
	cr_assert_str_eq(c.zones[1].domain, "2.168.192.in-addr.arpa");
	cr_assert_eq(c.zones[1].order, XDPMX_ORDER_FIXED);
	xdpmx_config_free(&c);
}

/*
 * - the map capacities (zones-max, dir-max, blob64-max .. blob1280-max)
 *   are read into cfg.cap, as xdpmx-loader's options of the same names;
 * - unset ones stay 0 (the defaults of abi.h);
 * - 0 and a key for a blob class that does not exist are errors with the
 *   line.
 */
Test(config, capacities)
{
	struct xdpmx_config c;
	int ret;

	ret = build_text("server:\n"
			 "    zones-max: 1000\n"
			 "    dir-max: 50000\n"
			 "    blob64-max: 10\n"
			 "    blob128-max: 20\n"
			 "    blob1280-max: 50\n",
			 &c);
	cr_assert_eq(ret, 0, "%s", err);
	cr_assert_eq(c.cap.zones, 1000);
	cr_assert_eq(c.cap.dir[0], 50000);
	cr_assert_eq(c.cap.dir[1], 0);
	cr_assert_eq(c.cap.blob[0], 10);
	cr_assert_eq(c.cap.blob[1], 20);
	cr_assert_eq(c.cap.blob[2], 0, "blob256-max not given");
	cr_assert_eq(c.cap.blob[3], 0);
	cr_assert_eq(c.cap.blob[4], 50);
	xdpmx_config_free(&c);

	assert_err(build_text("server:\n    dir-max: 0\n", &c), 2, "dir-max");
	assert_err(build_text("server:\n\n    blob100-max: 5\n", &c), 3, "blob100-max");
}
