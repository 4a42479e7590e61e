// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Zone loading (user/lib/zoneload.c, zone.c): master file syntax and
 * directives, $INCLUDE, errors with file and line, and the model they give
 * (names, types, TTLs, RDATA bytes, order, flags, lookups, references).
 *
 * Run from the top of the tree (make check does): fixtures are found at
 * tests/fixtures/zones/, and file names in messages are asserted as given.
 */
#define _GNU_SOURCE /* asprintf */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "zone.h"

#define FIX "tests/fixtures/zones/"

#define T_A 1
#define T_NS 2
#define T_CNAME 5
#define T_SOA 6
#define T_MX 15
#define T_TXT 16
#define T_AAAA 28
#define T_SRV 33
#define T_DNAME 39
#define T_DS 43
#define T_CAA 257

static struct xdpmx_diag d;
static struct xdpmx_zone *z;
static char tmpdir[] = "/tmp/xdpmx-test-zone.XXXXXX";

static void setup(void)
{
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char *cmd;

	xdpmx_zone_unref(z);
	z = NULL;
	xdpmx_diag_clear(&d);
	cr_assert(asprintf(&cmd, "rm -rf '%s'", tmpdir) > 0);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

TestSuite(zone, .init = setup, .fini = teardown);

/* Write text to tmpdir/name; returns the path (malloc'd). */
static char *write_file(const char *name, const char *text)
{
	char *path;
	FILE *f;

	cr_assert(asprintf(&path, "%s/%s", tmpdir, name) > 0);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	cr_assert(fputs(text, f) >= 0);
	cr_assert_eq(fclose(f), 0);
	return path;
}

/* Wire form of a presentation name (absolute). */
static const uint8_t *W(const char *s)
{
	static uint8_t buf[8][XDPMX_DNAME_MAX];
	static int next;
	uint8_t *out = buf[next++ % 8];

	cr_assert_gt(xdpmx_dname_from_str(out, s, NULL), 0, "bad test name %s", s);
	return out;
}

static int load(const char *path, const char *origin)
{
	struct xdpmx_zone_opts o = {.origin = origin ? W(origin) : NULL};

	return xdpmx_zone_load(path, &o, &d, &z);
}

static const struct xdpmx_node *node(const char *name)
{
	uint8_t canon[XDPMX_DNAME_MAX];
	const uint8_t *w = W(name);
	int len = xdpmx_dname_len(w, XDPMX_DNAME_MAX);

	xdpmx_dname_canon(canon, w, (size_t)len);
	return xdpmx_zone_lookup(z, canon);
}

static const struct xdpmx_rrset *rrset(const char *name, uint16_t type)
{
	const struct xdpmx_node *n = node(name);

	cr_assert_not_null(n, "no node %s", name);
	return xdpmx_node_rrset(n, type);
}

static void assert_rdata(const struct xdpmx_rrset *rs, int i, const void *want, size_t len)
{
	cr_assert_lt(i, rs->count);
	cr_assert_eq(rs->rdlen[i], len, "rdata %d: %u octets, want %zu", i, rs->rdlen[i], len);
	cr_assert_arr_eq(rs->rdata[i], want, len);
}

static void assert_msg(size_t i, enum xdpmx_sev sev, const char *file, unsigned line,
		       const char *check, const char *text)
{
	const struct xdpmx_diag_msg *m;

	cr_assert_lt(i, d.n, "message %zu missing (have %zu)", i, d.n);
	m = &d.msgs[i];
	cr_assert_eq(m->sev, sev, "message %zu: %s", i, m->text);
	if (file)
		cr_assert_str_eq(m->file, file);
	else
		cr_assert_null(m->file);
	cr_assert_eq(m->line, line, "message %zu (%s) at line %u, want %u", i, m->text, m->line,
		     line);
	cr_assert_str_eq(m->check, check, "message %zu: %s", i, m->text);
	if (text)
		cr_assert(strstr(m->text, text), "message %zu: '%s' lacks '%s'", i, m->text, text);
}

/* ---- syntax ---------------------------------------------------------------- */

Test(zone, syntax_soa_and_zone_fields)
{
	/*
	 * - the zone loads with neither errors nor warnings
	 * - the apex is canonical; the SOA's serial, TTL ($TTL 1h) and
	 *   minimum are filled in
	 * - a parenthesised SOA with comments inside gives the RDATA bytes,
	 *   relative names completed with $ORIGIN in the file's case
	 * - the zone's file is the path as given, and every RRset names it
	 */
	static const uint8_t soa[] = "\3ns1\7Example\3COM\0"
				     "\12hostmaster\7example\3com\0"
				     "\0\0\0\x2a"     /* serial 42 */
				     "\0\0\x1c\x20"   /* refresh 7200 */
				     "\0\0\x0e\x10"   /* retry 3600 */
				     "\0\x12\x75\x00" /* expire 1209600 */
				     "\0\0\x01\x2c";  /* minimum 300 */
	const struct xdpmx_rrset *rs;

	cr_assert_eq(load(FIX "syntax.zone", NULL), 0);
	cr_assert_eq(d.errors, 0);
	cr_assert_eq(d.warnings, 0);
	cr_assert_arr_eq(z->apex, "\7example\3com", 13);
	cr_assert_eq(z->apex_len, 13);
	cr_assert_eq(z->serial, 42);
	cr_assert_eq(z->soa_ttl, 3600);
	cr_assert_eq(z->soa_minimum, 300);
	cr_assert_str_eq(z->file, FIX "syntax.zone");
	cr_assert_eq(z->flags, 0);
	cr_assert_eq(z->n_records, 21);
	cr_assert_eq(z->n_nodes, 17);

	rs = rrset("example.com.", T_SOA);
	cr_assert_not_null(rs);
	cr_assert_eq(rs->count, 1);
	cr_assert_eq(rs->ttl, 3600);
	cr_assert_eq(rs->line, 6);
	cr_assert_str_eq(rs->file, FIX "syntax.zone");
	assert_rdata(rs, 0, soa, sizeof(soa) - 1);
}

Test(zone, syntax_owners_ttls_classes)
{
	/*
	 * - RRsets of a node are sorted by type (NS, SOA, MX at the apex)
	 * - a line starting with a blank continues the previous owner
	 * - "@" is the origin; an explicit TTL overrides $TTL; the class may
	 *   come before the TTL (RFC 1035 5.1)
	 * - owners keep the file's case in oname and are lowercase in name
	 */
	const struct xdpmx_node *apex;
	const struct xdpmx_node *mail;
	const struct xdpmx_rrset *rs;

	cr_assert_eq(load(FIX "syntax.zone", NULL), 0);
	apex = node("example.com.");
	cr_assert_not_null(apex);
	cr_assert_eq(apex->n_rrsets, 3);
	cr_assert_eq(apex->rrsets[0].type, T_NS);
	cr_assert_eq(apex->rrsets[1].type, T_SOA);
	cr_assert_eq(apex->rrsets[2].type, T_MX);
	cr_assert_arr_eq(apex->oname, "\7Example\3COM", 13);

	rs = &apex->rrsets[0];
	cr_assert_eq(rs->count, 2);
	cr_assert_eq(rs->line, 10);
	assert_rdata(rs, 0, "\3ns1\7Example\3COM", 17);
	assert_rdata(rs, 1, "\3ns2\7example\3com", 17);

	rs = &apex->rrsets[2];
	cr_assert_eq(rs->line, 16);
	assert_rdata(rs, 0, "\0\x0a\4Mail\7Example\3COM", 20);
	assert_rdata(rs, 1, "\0\x14\4mail\7example\3net", 20);

	cr_assert_eq(rrset("ns2.example.com.", T_A)->ttl, 300);
	assert_rdata(rrset("ns2.example.com.", T_A), 0, "\xc0\x00\x02\x02", 4);
	cr_assert_eq(rrset("ns1.example.com.", T_A)->ttl, 3600);

	mail = node("mail.example.com.");
	cr_assert_not_null(mail);
	cr_assert_arr_eq(mail->name, "\4mail\7example\3com", 18);
	cr_assert_arr_eq(mail->oname, "\4Mail\7Example\3COM", 18);
	cr_assert_eq(mail->name_len, 18);
	rs = xdpmx_node_rrset(mail, T_A);
	cr_assert_eq(rs->ttl, 300);
	cr_assert_eq(rs->line, 14);
	assert_rdata(rs, 0, "\xc0\x00\x02\x19", 4);
	rs = xdpmx_node_rrset(mail, T_AAAA);
	cr_assert_eq(rs->ttl, 3600);
	cr_assert_eq(rs->line, 15);
	assert_rdata(rs, 0, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x25", 16);
}

Test(zone, syntax_rdata_of_common_types)
{
	/*
	 * - TXT: quoted strings with blanks, ';' and \" and a bare word
	 * - SRV, CAA, CNAME and DNAME RDATA as on the wire, names
	 *   uncompressed
	 */
	static const uint8_t txt[] = "\13hello world\12semi;colon\7quote\"d\5plain";
	static const uint8_t srv[] = "\0\0\0\5\0\x19\4Mail\7Example\3COM";
	static const uint8_t caa[] = "\0\5issueletsencrypt.org";

	cr_assert_eq(load(FIX "syntax.zone", NULL), 0);
	assert_rdata(rrset("txt.example.com.", T_TXT), 0, txt, sizeof(txt) - 1);
	assert_rdata(rrset("srv.example.com.", T_SRV), 0, srv, sizeof(srv));
	assert_rdata(rrset("caa.example.com.", T_CAA), 0, caa, sizeof(caa) - 1);
	assert_rdata(rrset("alias.example.com.", T_CNAME), 0, "\3www\7example\3net", 17);
	assert_rdata(rrset("dn.example.com.", T_DNAME), 0, "\7example\3net", 13);
}

Test(zone, syntax_escapes_in_owners)
{
	/*
	 * - "esc\.dot" is one label with a dot in it
	 * - "\065bc" is "Abc": the oname keeps the capital, the name not
	 */
	const struct xdpmx_node *n;

	cr_assert_eq(load(FIX "syntax.zone", NULL), 0);
	n = xdpmx_zone_lookup(z, (const uint8_t *)"\7esc.dot\7example\3com");
	cr_assert_not_null(n);
	cr_assert_eq(xdpmx_node_rrset(n, T_A)->line, 19);
	n = xdpmx_zone_lookup(z, (const uint8_t *)"\3abc\7example\3com");
	cr_assert_not_null(n);
	cr_assert_arr_eq(n->oname, "\3Abc\7Example\3COM", 17);
}

Test(zone, syntax_unknown_types_rfc3597)
{
	/*
	 * - TYPE65280 \# 4 0A0B0C0D keeps its four octets
	 * - \# 0 is an empty RDATA
	 * - a known type in \# form (A \# 4 C0000205) is 192.0.2.5
	 */
	const struct xdpmx_rrset *rs;

	cr_assert_eq(load(FIX "syntax.zone", NULL), 0);
	rs = rrset("unk.example.com.", 65280);
	cr_assert_not_null(rs);
	assert_rdata(rs, 0, "\x0a\x0b\x0c\x0d", 4);
	cr_assert_eq(rs->line, 23);
	rs = rrset("empty.example.com.", 65281);
	cr_assert_not_null(rs);
	cr_assert_eq(rs->count, 1);
	cr_assert_eq(rs->rdlen[0], 0);
	assert_rdata(rrset("rfc3597.example.com.", T_A), 0, "\xc0\x00\x02\x05", 4);
}

Test(zone, syntax_relative_origin_and_later_ttl)
{
	/*
	 * - "$ORIGIN sub" is relative to the current origin
	 * - sub.example.com. has no records: an empty non-terminal
	 * - "$TTL 120" applies from its line on
	 */
	const struct xdpmx_node *sub;

	cr_assert_eq(load(FIX "syntax.zone", NULL), 0);
	cr_assert_eq(rrset("host.sub.example.com.", T_A)->ttl, 3600);
	cr_assert_eq(rrset("host.sub.example.com.", T_A)->line, 29);
	cr_assert_eq(rrset("host2.sub.example.com.", T_A)->ttl, 120);
	sub = node("sub.example.com.");
	cr_assert_not_null(sub);
	cr_assert_eq(sub->flags, XDPMX_NODE_ENT);
	cr_assert_eq(sub->n_rrsets, 0);
}

/* ---- $INCLUDE ---------------------------------------------------------------- */

Test(zone, include_relative_paths_and_scoping)
{
	/*
	 * - paths are relative to the including file, also one level deeper
	 * - the included file starts with the includer's origin (first
	 *   inclusion) or the one $INCLUDE names ("sub", second)
	 * - $TTL and $ORIGIN inside the included file end with it: the
	 *   includer's origin, TTL and current owner are back afterwards
	 * - every RRset records the file and line it came from
	 */
	const char *hosts = FIX "include/sub/hosts.inc";
	const char *deeper = FIX "include/sub/deeper.inc";
	const struct xdpmx_rrset *rs;

	cr_assert_eq(load(FIX "include/main.zone", NULL), 0);
	cr_assert_eq(d.errors + d.warnings, 0);

	rs = rrset("www.example.org.", T_A);
	cr_assert_str_eq(rs->file, hosts);
	cr_assert_eq(rs->line, 4);
	cr_assert_eq(rs->ttl, 60);
	rs = rrset("deep.example.org.", T_A);
	cr_assert_str_eq(rs->file, deeper);
	cr_assert_eq(rs->line, 2);
	cr_assert_eq(rs->ttl, 60);
	rs = rrset("moved.changed.example.org.", T_A);
	cr_assert_str_eq(rs->file, hosts);
	cr_assert_eq(rs->line, 7);

	rs = rrset("ns1.example.org.", T_TXT);
	cr_assert_not_null(rs, "the owner after $INCLUDE is the includer's");
	cr_assert_str_eq(rs->file, FIX "include/main.zone");
	cr_assert_eq(rs->line, 9);
	rs = rrset("after.example.org.", T_A);
	cr_assert_eq(rs->ttl, 300);
	cr_assert_eq(rs->line, 10);

	cr_assert_not_null(rrset("www.sub.example.org.", T_A));
	cr_assert_not_null(rrset("deep.sub.example.org.", T_A));
	cr_assert_not_null(rrset("moved.changed.sub.example.org.", T_A));
	rs = rrset("last.example.org.", T_A);
	cr_assert_eq(rs->ttl, 300);
	cr_assert_eq(rs->line, 12);
	cr_assert_null(node("www.changed.example.org."));
}

Test(zone, include_missing_file)
{
	/*
	 * - an included file that cannot be read is an error at the
	 *   includer's file and line, naming the path and the cause
	 * - the rest of the includer is still read (no other error)
	 */
	cr_assert_eq(load(FIX "include/missing.zone", NULL), -EINVAL);
	cr_assert_null(z);
	cr_assert_eq(d.errors, 1);
	assert_msg(0, XDPMX_SEV_ERROR, FIX "include/missing.zone", 7, "include",
		   "'" FIX "include/no-such-file.inc': No such file or directory");
}

Test(zone, include_loop_stops)
{
	/*
	 * - a file including itself stops at the depth limit with an error
	 */
	cr_assert_eq(load(FIX "include/loop.zone", NULL), -EINVAL);
	cr_assert_geq(d.errors, 1);
	assert_msg(0, XDPMX_SEV_ERROR, FIX "include/loop.zone", 4, "include", "nested files");
}

/* ---- errors ---------------------------------------------------------------- */

Test(zone, errors_each_at_its_line)
{
	/*
	 * - every bad record is reported, at the line its entry starts on
	 *   (a parenthesised entry at its first line), and reading goes on
	 * - class other than IN, names outside the zone, a bad $TTL, an
	 *   unknown directive and a bad $ORIGIN are errors too
	 * - the zone is rejected
	 */
	static const struct {
		unsigned line;
		const char *check, *text;
	} want[] = {
		{8, "syntax", "bad1"},
		{9, "syntax", "bad2"},
		{10, "syntax", "bad3"},
		{13, "syntax", "bad4"},
		{15, "bad-class", "class CH"},
		{16, "out-of-zone", "outside.example.com. is outside the zone example.net."},
		{17, "directive", "$TTL 'forever'"},
		{18, "directive", "$GENERATE"},
		{19, "directive", "'a..b.'"},
		{21, "syntax", "superfluous"},
	};

	cr_assert_eq(load(FIX "errors.zone", NULL), -EINVAL);
	cr_assert_null(z);
	cr_assert_eq(d.errors, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_msg(i, XDPMX_SEV_ERROR, FIX "errors.zone", want[i].line, want[i].check,
			   want[i].text);
}

Test(zone, errors_stop_at_one_hundred)
{
	/*
	 * - after 100 errors the loader stops with one more saying so
	 */
	char *text = NULL, *path;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	fprintf(f, "$ORIGIN example.org.\n@ SOA ns1 hostmaster 1 2 3 4 5\n");
	for (int i = 0; i < 150; i++)
		fprintf(f, "bad%d A 300.0.0.%d\n", i, i);
	fclose(f);
	path = write_file("many.zone", text);
	cr_assert_eq(xdpmx_zone_load(path, NULL, &d, &z), -EINVAL);
	cr_assert_eq(d.errors, 101);
	assert_msg(0, XDPMX_SEV_ERROR, path, 3, "syntax", "bad0");
	assert_msg(99, XDPMX_SEV_ERROR, path, 102, "syntax", "bad99");
	assert_msg(100, XDPMX_SEV_ERROR, path, 102, "too-many-errors", NULL);
	free(text);
	free(path);
}

Test(zone, errors_name_and_ttl_limits)
{
	/*
	 * - an owner over 255 octets after the origin is appended: error
	 * - a TTL above 2^31-1 is a warning and becomes 0 (RFC 2181 8)
	 */
	char *text, *path;
	char label[64];

	memset(label, 'x', 63);
	label[63] = '\0';
	cr_assert(asprintf(&text,
			   "$ORIGIN %s.%s.example.org.\n"
			   "%s.%s A 192.0.2.1\n",
			   label, label, label, label) > 0);
	path = write_file("long.zone", text);
	cr_assert_eq(load(path, "example.org."), -EINVAL);
	assert_msg(0, XDPMX_SEV_ERROR, path, 2, "syntax", "longer than 255");
	free(text);
	free(path);
	xdpmx_diag_clear(&d);

	path = write_file("ttl.zone", "$ORIGIN example.org.\n"
				      "@ SOA ns1 hostmaster 1 2 3 4 5\n"
				      "  NS ns1\n"
				      "ns1 2147483648 A 192.0.2.1\n");
	cr_assert_eq(load(path, NULL), 0);
	cr_assert_eq(d.warnings, 1);
	assert_msg(0, XDPMX_SEV_WARNING, path, 4, "ttl-range", "2147483648");
	cr_assert_eq(rrset("ns1.example.org.", T_A)->ttl, 0);
	free(path);
}

Test(zone, errors_missing_file)
{
	/*
	 * - a zone file that does not exist is -ENOENT, with a message
	 */
	cr_assert_eq(load(FIX "no-such.zone", NULL), -ENOENT);
	cr_assert_null(z);
	assert_msg(0, XDPMX_SEV_ERROR, FIX "no-such.zone", 0, "file", "No such file");
}

/* ---- the origin ------------------------------------------------------------- */

Test(zone, origin_from_an_absolute_first_soa)
{
	/*
	 * - with no origin given and no $ORIGIN, an absolute SOA owner is
	 *   the origin, also for the relative names after it
	 */
	char *path = write_file("abs.zone", "Example.org. SOA ns1 hostmaster 1 2 3 4 5\n"
					    "  NS ns1\n"
					    "ns1 A 192.0.2.1\n");

	cr_assert_eq(load(path, NULL), 0);
	cr_assert_arr_eq(z->apex, "\7example\3org", 13);
	assert_rdata(rrset("example.org.", T_NS), 0, "\3ns1\7Example\3org", 17);
	cr_assert_not_null(node("ns1.example.org."));
	free(path);
}

Test(zone, origin_cannot_be_told)
{
	/*
	 * - a relative first owner without $ORIGIN: error at its line
	 * - a first record other than the SOA: error naming it
	 * - no records at all: error
	 */
	char *p1 = write_file("rel.zone", "; no origin\n@ SOA ns1 hostmaster 1 2 3 4 5\n");
	char *p2 = write_file("notsoa.zone", "$ORIGIN example.org.\nwww A 192.0.2.1\n");
	char *p3 = write_file("empty.zone", "; nothing\n\n");

	cr_assert_eq(load(p1, NULL), -EINVAL);
	assert_msg(0, XDPMX_SEV_ERROR, p1, 2, "origin", "'@' is relative");
	xdpmx_diag_clear(&d);
	cr_assert_eq(load(p2, NULL), -EINVAL);
	assert_msg(0, XDPMX_SEV_ERROR, p2, 2, "origin", "www.example.org. A, not the SOA");
	xdpmx_diag_clear(&d);
	cr_assert_eq(load(p3, NULL), -EINVAL);
	assert_msg(0, XDPMX_SEV_ERROR, p3, 0, "origin", "no records");
	free(p1);
	free(p2);
	free(p3);
}

Test(zone, origin_given_by_the_caller)
{
	/*
	 * - opts->origin makes relative names work without $ORIGIN
	 * - records outside that origin are errors
	 */
	char *path = write_file("rel.zone", "@ SOA ns1 hostmaster 1 2 3 4 5\n"
					    "  NS ns1\n"
					    "ns1 A 192.0.2.1\n");

	cr_assert_eq(load(path, "example.org."), 0);
	cr_assert_not_null(node("ns1.example.org."));
	xdpmx_zone_unref(z);
	z = NULL;
	free(path);

	cr_assert_eq(load(FIX "syntax.zone", "example.net."), -EINVAL);
	assert_msg(0, XDPMX_SEV_ERROR, FIX "syntax.zone", 6, "out-of-zone",
		   "Example.COM. is outside the zone example.net.");
}

Test(zone, options_default_ttl_and_order)
{
	/*
	 * - without $TTL, records take opts->default_ttl, or 3600 if 0
	 * - every RRset carries opts->order
	 */
	struct xdpmx_zone_opts o = {.default_ttl = 120, .order = 2};
	char *path = write_file("nottl.zone", "$ORIGIN example.org.\n"
					      "@ SOA ns1 hostmaster 1 2 3 4 5\n"
					      "  NS ns1\n"
					      "ns1 A 192.0.2.1\n");

	cr_assert_eq(xdpmx_zone_load(path, &o, &d, &z), 0);
	cr_assert_eq(rrset("ns1.example.org.", T_A)->ttl, 120);
	cr_assert_eq(rrset("ns1.example.org.", T_A)->order, 2);
	cr_assert_eq(z->order, 2);
	xdpmx_zone_unref(z);
	z = NULL;
	cr_assert_eq(xdpmx_zone_load(path, NULL, &d, &z), 0);
	cr_assert_eq(rrset("ns1.example.org.", T_A)->ttl, 3600);
	cr_assert_eq(rrset("ns1.example.org.", T_A)->order, 0);
	free(path);
}

/* ---- the model -------------------------------------------------------------- */

Test(zone, canonical_order_rfc4034)
{
	/*
	 * - nodes come in the order of RFC 4034 section 6.1's example,
	 *   whatever the file's order, with a.example. as an ENT
	 */
	static const char *const want[] = {
		"example.",	    "a.example.",      "yljkjljk.a.example.",
		"Z.a.example.",	    "zABC.a.EXAMPLE.", "z.example.",
		"\\001.z.example.", "*.z.example.",    "\\200.z.example.",
	};

	cr_assert_eq(load(FIX "order.zone", NULL), 0);
	cr_assert_eq(z->n_nodes, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < z->n_nodes; i++) {
		uint8_t canon[XDPMX_DNAME_MAX];
		const uint8_t *w = W(want[i]);
		int len = xdpmx_dname_len(w, XDPMX_DNAME_MAX);

		xdpmx_dname_canon(canon, w, (size_t)len);
		cr_assert_eq(z->nodes[i]->name_len, len, "node %zu", i);
		cr_assert_arr_eq(z->nodes[i]->name, canon, (size_t)len, "node %zu is not %s", i,
				 want[i]);
	}
	cr_assert_eq(node("a.example.")->flags, XDPMX_NODE_ENT);
	cr_assert_eq(node("*.z.example.")->flags, XDPMX_NODE_WILDCARD);
}

Test(zone, tree_flags)
{
	/*
	 * - APEX at the apex only
	 * - ENT for every missing ancestor between the apex and a name
	 * - CUT where NS sits below the apex; the cut's own DS is its data
	 * - OCCLUDED strictly below a cut (glue, and ENTs there) and below
	 *   a DNAME owner, but not the cut or the DNAME owner themselves
	 * - WILDCARD when the first label is "*"
	 */
	cr_assert_eq(load(FIX "tree.zone", NULL), 0);
	cr_assert_eq(node("example.")->flags, XDPMX_NODE_APEX);
	cr_assert_eq(node("c.example.")->flags, XDPMX_NODE_ENT);
	cr_assert_eq(node("b.c.example.")->flags, XDPMX_NODE_ENT);
	cr_assert_eq(node("a.b.c.example.")->flags, 0);
	cr_assert_eq(node("wild.example.")->flags, XDPMX_NODE_ENT);
	cr_assert_eq(node("*.wild.example.")->flags, XDPMX_NODE_WILDCARD);
	cr_assert_eq(node("sub.example.")->flags, XDPMX_NODE_CUT);
	cr_assert_not_null(rrset("sub.example.", T_DS));
	cr_assert_eq(node("ns.sub.example.")->flags, XDPMX_NODE_OCCLUDED);
	cr_assert_eq(node("deep.ns.sub.example.")->flags, XDPMX_NODE_OCCLUDED);
	cr_assert_eq(node("y.sub.example.")->flags, XDPMX_NODE_OCCLUDED | XDPMX_NODE_ENT);
	cr_assert_eq(node("x.y.sub.example.")->flags, XDPMX_NODE_OCCLUDED);
	cr_assert_eq(node("dn.example.")->flags, 0);
	cr_assert_eq(node("below.dn.example.")->flags, XDPMX_NODE_OCCLUDED);
	cr_assert_eq(node("ns.example.")->flags, 0);
	cr_assert_eq(z->n_nodes, 14);
}

Test(zone, lookups)
{
	/*
	 * - lookups take canonical names and find nodes, ENTs included
	 * - names not in the zone, or not canonical, are not found
	 * - node_rrset finds each type of a node and nothing else
	 * - a malformed name is not found rather than read past
	 */
	static const uint8_t bad[] = {0xc0, 0x0c};
	const struct xdpmx_node *n;

	cr_assert_eq(load(FIX "tree.zone", NULL), 0);
	n = xdpmx_zone_lookup(z, (const uint8_t *)"\3sub\7example");
	cr_assert_not_null(n);
	cr_assert_not_null(xdpmx_node_rrset(n, T_NS));
	cr_assert_not_null(xdpmx_node_rrset(n, T_DS));
	cr_assert_null(xdpmx_node_rrset(n, T_A));
	cr_assert_not_null(xdpmx_zone_lookup(z, (const uint8_t *)"\1c\7example"));
	cr_assert_null(xdpmx_zone_lookup(z, (const uint8_t *)"\3SUB\7example"));
	cr_assert_null(xdpmx_zone_lookup(z, (const uint8_t *)"\4nope\7example"));
	cr_assert_null(xdpmx_zone_lookup(z, (const uint8_t *)"\7example\3net"));
	cr_assert_null(xdpmx_zone_lookup(z, bad));
	for (size_t i = 0; i < z->n_nodes; i++)
		cr_assert_eq(xdpmx_zone_lookup(z, z->nodes[i]->name), z->nodes[i]);
}

Test(zone, duplicates_and_ttl_mismatch)
{
	/*
	 * - a record repeated in an RRset is dropped with a warning naming
	 *   the first one; names in RDATA compare without case, strings not
	 * - TTLs differing inside an RRset: the lowest is used, with a
	 *   warning (RFC 2181 5.2)
	 */
	cr_assert_eq(load(FIX "dup.zone", NULL), 0);
	cr_assert_eq(d.errors, 0);
	cr_assert_eq(d.warnings, 3);
	assert_msg(0, XDPMX_SEV_WARNING, FIX "dup.zone", 8, "duplicate-record", "line 7");
	assert_msg(1, XDPMX_SEV_WARNING, FIX "dup.zone", 12, "duplicate-record", "line 10");
	assert_msg(2, XDPMX_SEV_WARNING, FIX "dup.zone", 11, "ttl-mismatch",
		   "TTL 60 differs from TTL 600");
	cr_assert_eq(rrset("example.", T_NS)->count, 1);
	cr_assert_eq(rrset("www.example.", T_A)->count, 2);
	cr_assert_eq(rrset("www.example.", T_A)->ttl, 60);
	assert_rdata(rrset("www.example.", T_A), 0, "\xc0\x00\x02\x01", 4);
	assert_rdata(rrset("www.example.", T_A), 1, "\xc0\x00\x02\x02", 4);
	cr_assert_eq(rrset("txt.example.", T_TXT)->count, 2);
	cr_assert_eq(z->n_records, 7);
}

Test(zone, duplicates_in_a_large_rrset)
{
	/*
	 * - RRsets above the small-set threshold are deduplicated too,
	 *   keeping the file order of what remains
	 */
	char *text = NULL, *path;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const struct xdpmx_rrset *rs;

	fprintf(f, "$ORIGIN example.org.\n@ SOA ns1 hostmaster 1 2 3 4 5\n  NS ns1\n");
	for (int i = 1; i <= 40; i++)
		fprintf(f, "ns1 A 192.0.2.%d\n", i);
	fprintf(f, "ns1 A 192.0.2.7\nns1 A 192.0.2.40\n");
	fclose(f);
	path = write_file("big.zone", text);
	cr_assert_eq(load(path, NULL), 0);
	cr_assert_eq(d.warnings, 2);
	assert_msg(0, XDPMX_SEV_WARNING, path, 44, "duplicate-record", "line 10");
	assert_msg(1, XDPMX_SEV_WARNING, path, 45, "duplicate-record", "line 43");
	rs = rrset("ns1.example.org.", T_A);
	cr_assert_eq(rs->count, 40);
	for (int i = 0; i < 40; i++)
		cr_assert_eq(rs->rdata[i][3], i + 1);
	free(text);
	free(path);
}

Test(zone, signed_flag)
{
	/*
	 * - a DNSKEY at the apex marks the zone signed; plain zones are not
	 */
	char *path = write_file(
		"signed.zone",
		"$ORIGIN example.org.\n"
		"@ SOA ns1 hostmaster 1 2 3 4 5\n"
		"  NS ns1\n"
		"  DNSKEY 257 3 8 AwEAAc3tM4n3hIfO8v5B8Oa7VLdMAbzqjD7M0t5Tz4LUiVJOPkLTqW0=\n"
		"ns1 A 192.0.2.1\n");

	cr_assert_eq(load(FIX "syntax.zone", NULL), 0);
	cr_assert_eq(z->flags & XDPMX_ZONE_SIGNED, 0);
	xdpmx_zone_unref(z);
	z = NULL;
	cr_assert_eq(load(path, NULL), 0);
	cr_assert_eq(z->flags & XDPMX_ZONE_SIGNED, XDPMX_ZONE_SIGNED);
	free(path);
}

Test(zone, references_and_mtime)
{
	/*
	 * - a loaded zone holds one reference; ref adds one, unref drops one
	 * - mtime is the main file's
	 */
	struct stat st;

	cr_assert_eq(load(FIX "tree.zone", NULL), 0);
	cr_assert_eq(z->refs, 1);
	cr_assert_eq(xdpmx_zone_ref(z), z);
	cr_assert_eq(z->refs, 2);
	xdpmx_zone_unref(z);
	cr_assert_eq(z->refs, 1);
	cr_assert_eq(stat(FIX "tree.zone", &st), 0);
	cr_assert_eq(z->mtime.tv_sec, st.st_mtim.tv_sec);
	cr_assert_eq(z->mtime.tv_nsec, st.st_mtim.tv_nsec);
}

Test(zone, ttl_zero_default)
{
	/*
	 * - "$TTL 0" gives records without a TTL 0, not ldns's 3600
	 * - an explicit TTL, before or after the class, still counts
	 * - "$ttl" is the same directive as "$TTL"
	 */
	char *path = write_file("ttl0.zone", "$ORIGIN example.org.\n"
					     "$ttl 0\n"
					     "@ SOA ns1 hostmaster 1 2 3 4 5\n"
					     "  NS ns1\n"
					     "ns1 A 192.0.2.1\n"
					     "ns2 IN 60 A 192.0.2.2\n"
					     "ns3 70 A 192.0.2.3\n");

	cr_assert_eq(load(path, NULL), 0);
	cr_assert_eq(rrset("ns1.example.org.", T_A)->ttl, 0);
	cr_assert_eq(rrset("ns2.example.org.", T_A)->ttl, 60);
	cr_assert_eq(rrset("ns3.example.org.", T_A)->ttl, 70);
	cr_assert_eq(z->soa_ttl, 0);
	free(path);
}
