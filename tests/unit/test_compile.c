// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of the RRset compiler (user/lib/compile.c): the exact blob
 * bytes for each kind of RRset, what is left out and why, the skip reasons,
 * and the order of the compiled set.
 *
 * Zones come from fixture files (tests/fixtures/compile/, one per test,
 * named in its comment) through the zone loader, as in the daemon. One
 * case the loader refuses (a CNAME beside other data) is built by hand with
 * a small builder below. Expected blobs are byte arrays with their meaning
 * in comments; the header and rec_off[] are host order (H16), the records
 * DNS wire order. Run from the top of the source tree (make check does).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "compile.h"
#include "zone.h"

#define FIXTURES "tests/fixtures/compile/"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define H16(x) ((x)&0xff), (((x) >> 8) & 0xff)
#else
#define H16(x) (((x) >> 8) & 0xff), ((x)&0xff)
#endif

#define T_A 1
#define T_NS 2
#define T_CNAME 5
#define T_PTR 12
#define T_MX 15
#define T_TXT 16
#define T_AAAA 28

/* ---- a zone builder ------------------------------------------------------- */

/* Presentation name ("mail.Example.com.", absolute, no escapes) to wire,
 * case kept. Returns the length. */
static size_t wire(uint8_t *out, const char *s)
{
	size_t o = 0;

	while (*s && strcmp(s, ".")) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		cr_assert(l > 0 && l <= 63, "bad label in %s", s);
		out[o++] = (uint8_t)l;
		memcpy(out + o, s, l);
		o += l;
		s += l + (dot ? 1 : 0);
	}
	out[o++] = 0;
	cr_assert(o <= 255);
	return o;
}

static void lower(uint8_t *d, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i];
}

static int nlabels(const uint8_t *n, const uint8_t **lab)
{
	int c = 0;

	while (*n) {
		lab[c++] = n;
		n += 1 + *n;
	}
	return c;
}

/* RFC 4034 section 6.1 order of two canonical names. */
static int canon_order(const uint8_t *a, const uint8_t *b)
{
	const uint8_t *la[128], *lb[128];
	int na = nlabels(a, la), nb = nlabels(b, lb);

	while (na && nb) {
		const uint8_t *x = la[--na], *y = lb[--nb];
		int c = memcmp(x + 1, y + 1, x[0] < y[0] ? x[0] : y[0]);

		if (c)
			return c;
		if (x[0] != y[0])
			return x[0] < y[0] ? -1 : 1;
	}
	return na - nb;
}

static int node_order(const void *a, const void *b)
{
	return canon_order((*(struct xdpmx_node *const *)a)->name,
			   (*(struct xdpmx_node *const *)b)->name);
}

static struct xdpmx_zone *tz_new(const char *apex)
{
	struct xdpmx_zone *z = calloc(1, sizeof(*z));
	uint8_t w[256];

	z->apex_len = (uint8_t)wire(w, apex);
	z->apex = malloc(z->apex_len);
	lower(z->apex, w, z->apex_len);
	z->nodes = calloc(256, sizeof(*z->nodes));
	return z;
}

static struct xdpmx_node *tz_node(struct xdpmx_zone *z, const char *owner)
{
	uint8_t w[256], c[256];
	size_t len = wire(w, owner);
	struct xdpmx_node *n;

	lower(c, w, len);
	for (size_t i = 0; i < z->n_nodes; i++)
		if (z->nodes[i]->name_len == len && !memcmp(z->nodes[i]->name, c, len))
			return z->nodes[i];
	cr_assert(z->n_nodes < 256);
	n = calloc(1, sizeof(*n));
	n->name = malloc(len);
	n->oname = malloc(len);
	memcpy(n->name, c, len);
	memcpy(n->oname, w, len);
	n->name_len = (uint8_t)len;
	n->rrsets = calloc(16, sizeof(*n->rrsets));
	z->nodes[z->n_nodes++] = n;
	return n;
}

/* Add one record; RRsets keep insertion order, the lowest TTL wins. */
static void tz_rr(struct xdpmx_zone *z, const char *owner, uint16_t type, uint32_t ttl,
		  const void *rd, size_t rdlen)
{
	struct xdpmx_node *n = tz_node(z, owner);
	struct xdpmx_rrset *rs = NULL;

	for (uint16_t i = 0; i < n->n_rrsets; i++)
		if (n->rrsets[i].type == type)
			rs = &n->rrsets[i];
	if (!rs) {
		cr_assert(n->n_rrsets < 16);
		rs = &n->rrsets[n->n_rrsets++];
		rs->type = type;
		rs->ttl = ttl;
		rs->order = z->order;
		rs->rdlen = calloc(64, sizeof(*rs->rdlen));
		rs->rdata = calloc(64, sizeof(*rs->rdata));
	}
	cr_assert(rs->count < 64);
	if (ttl < rs->ttl)
		rs->ttl = ttl;
	rs->rdata[rs->count] = malloc(rdlen ? rdlen : 1);
	memcpy(rs->rdata[rs->count], rd, rdlen);
	rs->rdlen[rs->count++] = (uint16_t)rdlen;
	z->n_records++;
}

static void tz_a(struct xdpmx_zone *z, const char *owner, uint32_t ttl, const char *addr)
{
	uint8_t a[4];

	cr_assert(inet_pton(AF_INET, addr, a) == 1);
	tz_rr(z, owner, T_A, ttl, a, 4);
}

static void tz_name(struct xdpmx_zone *z, const char *owner, uint16_t type, uint32_t ttl,
		    const char *target)
{
	uint8_t w[256];

	tz_rr(z, owner, type, ttl, w, wire(w, target));
}

static void tz_mx(struct xdpmx_zone *z, const char *owner, uint32_t ttl, uint16_t pref,
		  const char *target)
{
	uint8_t w[258];

	w[0] = (uint8_t)(pref >> 8);
	w[1] = (uint8_t)pref;
	tz_rr(z, owner, T_MX, ttl, w, 2 + wire(w + 2, target));
}

static int rrset_order(const void *a, const void *b)
{
	return (int)((const struct xdpmx_rrset *)a)->type - ((const struct xdpmx_rrset *)b)->type;
}

static bool is_below(const uint8_t *name, uint8_t len, const uint8_t *anc, uint8_t alen)
{
	const uint8_t *p = name;

	if (len <= alen)
		return false;
	while (*p && (size_t)(p - name) < (size_t)(len - alen))
		p += 1 + *p;
	return (size_t)(p - name) == (size_t)(len - alen) && !memcmp(p, anc, alen);
}

/* Sort as the loader does and set the node flags: APEX, CUT (NS below the
 * apex), OCCLUDED (strictly below a cut), WILDCARD. */
static void tz_finish(struct xdpmx_zone *z)
{
	for (size_t i = 0; i < z->n_nodes; i++) {
		struct xdpmx_node *n = z->nodes[i];
		bool ns = false;

		qsort(n->rrsets, n->n_rrsets, sizeof(*n->rrsets), rrset_order);
		for (uint16_t r = 0; r < n->n_rrsets; r++)
			ns |= n->rrsets[r].type == T_NS;
		if (n->name_len == z->apex_len && !memcmp(n->name, z->apex, z->apex_len))
			n->flags |= XDPMX_NODE_APEX;
		else if (ns)
			n->flags |= XDPMX_NODE_CUT;
		if (n->name[0] == 1 && n->name[1] == '*')
			n->flags |= XDPMX_NODE_WILDCARD;
	}
	for (size_t i = 0; i < z->n_nodes; i++)
		for (size_t j = 0; j < z->n_nodes; j++)
			if ((z->nodes[j]->flags & XDPMX_NODE_CUT) &&
			    is_below(z->nodes[i]->name, z->nodes[i]->name_len, z->nodes[j]->name,
				     z->nodes[j]->name_len))
				z->nodes[i]->flags |= XDPMX_NODE_OCCLUDED;
	qsort(z->nodes, z->n_nodes, sizeof(*z->nodes), node_order);
}

static void tz_free(struct xdpmx_zone *z)
{
	for (size_t i = 0; i < z->n_nodes; i++) {
		struct xdpmx_node *n = z->nodes[i];

		for (uint16_t r = 0; r < n->n_rrsets; r++) {
			for (uint16_t k = 0; k < n->rrsets[r].count; k++)
				free(n->rrsets[r].rdata[k]);
			free(n->rrsets[r].rdata);
			free(n->rrsets[r].rdlen);
		}
		free(n->rrsets);
		free(n->name);
		free(n->oname);
		free(n);
	}
	free(z->nodes);
	free(z->apex);
	free(z);
}

/* ---- helpers over the compiled set ---------------------------------------- */

static struct xdpmx_compiled *compile(const struct xdpmx_zone *z)
{
	struct xdpmx_compiled *c = NULL;

	cr_assert_eq(xdpmx_compile_zone(z, &c), 0);
	cr_assert_not_null(c);
	return c;
}

static const struct xdpmx_centry *find(const struct xdpmx_compiled *c, const char *name,
				       uint16_t type)
{
	uint8_t w[256], k[256];
	size_t len = wire(w, name);

	lower(k, w, len);
	for (size_t i = 0; i < c->n; i++)
		if (c->e[i].name_len == len && ntohs(c->e[i].key.qtype) == type &&
		    !memcmp(c->e[i].key.name, k, len))
			return &c->e[i];
	return NULL;
}

static void hexdump(const char *what, const uint8_t *p, size_t n)
{
	fprintf(stderr, "%s (%zu bytes):", what, n);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", p[i]);
	fprintf(stderr, "\n");
}

#define assert_blob(e, exp)                                                                        \
	do {                                                                                       \
		const struct xdpmx_centry *e_ = (e);                                               \
		cr_assert_not_null(e_, "entry not compiled");                                      \
		if (e_->blob_len != sizeof(exp) || memcmp(e_->blob, exp, sizeof(exp))) {           \
			hexdump("expected", exp, sizeof(exp));                                     \
			hexdump("got", e_->blob, e_->blob_len);                                    \
			cr_assert_fail("blob of %s differs", #e);                                  \
		}                                                                                  \
	} while (0)

static struct xdpmx_zone *z;  /* loaded from a fixture */
static struct xdpmx_zone *zb; /* built by hand */
static struct xdpmx_compiled *cz;

static void teardown(void)
{
	xdpmx_compiled_free(cz);
	cz = NULL;
	if (z)
		xdpmx_zone_unref(z);
	z = NULL;
	if (zb)
		tz_free(zb);
	zb = NULL;
}

/* Load tests/fixtures/compile/<name> with this default order. */
static struct xdpmx_zone *fixture(const char *name, uint8_t order)
{
	struct xdpmx_zone_opts o = {.order = order};
	struct xdpmx_diag d = {0};
	struct xdpmx_zone *zl = NULL;
	char path[256];
	int err;

	snprintf(path, sizeof(path), FIXTURES "%s", name);
	err = xdpmx_zone_load(path, &o, &d, &zl);
	if (err)
		xdpmx_diag_print(&d);
	xdpmx_diag_clear(&d);
	cr_assert_eq(err, 0, "Couldn't load %s: %s", path, strerror(-err));
	return zl;
}

/* The node of a loaded zone with this (presentation) name. */
static const struct xdpmx_node *node(const struct xdpmx_zone *zl, const char *name)
{
	uint8_t w[256], c[256];
	size_t len = wire(w, name);
	const struct xdpmx_node *n;

	lower(c, w, len);
	n = xdpmx_zone_lookup(zl, c);
	cr_assert_not_null(n, "no node %s", name);
	return n;
}

TestSuite(compile, .fini = teardown);

/* ---- size classes and directories ----------------------------------------- */

/*
 * - a blob goes to the smallest class it fits, up to 1280 bytes; beyond
 *   that -E2BIG;
 * - a name is in length class 0 up to 46 octets, 1 up to 126, else 2 (the
 *   statistics count RRsets by these; up to ABI 2 they were directories).
 */
Test(compile, classes_and_dirs)
{
	cr_assert_eq(xdpmx_blob_class(0), 0);
	cr_assert_eq(xdpmx_blob_class(64), 0);
	cr_assert_eq(xdpmx_blob_class(65), 1);
	cr_assert_eq(xdpmx_blob_class(128), 1);
	cr_assert_eq(xdpmx_blob_class(129), 2);
	cr_assert_eq(xdpmx_blob_class(256), 2);
	cr_assert_eq(xdpmx_blob_class(257), 3);
	cr_assert_eq(xdpmx_blob_class(512), 3);
	cr_assert_eq(xdpmx_blob_class(513), 4);
	cr_assert_eq(xdpmx_blob_class(1280), 4);
	cr_assert_eq(xdpmx_blob_class(1281), -E2BIG);
	cr_assert_eq(xdpmx_name_class(1), 0);
	cr_assert_eq(xdpmx_name_class(46), 0);
	cr_assert_eq(xdpmx_name_class(47), 1);
	cr_assert_eq(xdpmx_name_class(126), 1);
	cr_assert_eq(xdpmx_name_class(127), 2);
	cr_assert_eq(xdpmx_name_class(255), 2);
}

/* ---- answer blobs ----------------------------------------------------------- */

/*
 * - three A records: header, rec_off 0/16/32, each record owner 0xc00c,
 *   type A, class IN, the RRset TTL, RDLENGTH 4, the address, zone order;
 *   then the owner name, lowercase, for the program to compare;
 * - the key is (A, "www.example.com." lowercase), zero padded.
 */
Test(compile, a_x3)
{
	/* clang-format off */
	static const uint8_t exp[] = {
		/* an_len 48, ad_len 0, an_count 3, ad_count 0, cyclic, no flags */
		H16(48), H16(0), 3, 0, 0, 0,
		/* rec_off[3] */
		H16(0), H16(16), H16(32),
		/* www.example.com. 300 IN A 192.0.2.1 */
		0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04,
		192, 0, 2, 1,
		/* www.example.com. 300 IN A 192.0.2.2 */
		0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04,
		192, 0, 2, 2,
		/* www.example.com. 300 IN A 192.0.2.3 */
		0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x04,
		192, 0, 2, 3,
		/* owner: www.example.com. */
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	};
	static const uint8_t key[] = { 0x00, 0x01, 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm',
				       'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	/* clang-format on */
	const struct xdpmx_centry *e;

	z = fixture("a3.zone", XDPMX_ORDER_CYCLIC);
	cz = compile(z);

	cr_assert_eq(cz->n, 1);
	e = &cz->e[0];
	assert_blob(e, exp);
	cr_assert_eq(e->name_len, 17);
	cr_assert_eq(memcmp(&e->key, key, sizeof(key)), 0);
	for (size_t i = sizeof(key); i < sizeof(e->key); i++)
		cr_assert_eq(((const uint8_t *)&e->key)[i], 0, "key byte %zu not zero", i);
	cr_assert_eq(e->flags, 0);
	cr_assert_eq(cz->blob_bytes, sizeof(exp));
	cr_assert_eq(xdpmx_blob_class(e->blob_len), 1); /* 62 + 17 > 64 */
}

/*
 * - one AAAA record: RDLENGTH 16, the TTL of the RRset;
 * - the lowest TTL of an RRset is the one compiled (the model holds it).
 */
Test(compile, aaaa_x1)
{
	/* clang-format off */
	static const uint8_t exp[] = {
		/* an_len 28, ad_len 0, an_count 1, ad_count 0, cyclic, no flags */
		H16(28), H16(0), 1, 0, 0, 0,
		/* rec_off[1] */
		H16(0),
		/* v6.example.com. 3600 IN AAAA 2001:db8::1 */
		0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		/* owner: v6.example.com. */
		2, 'v', '6', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	};
	/* clang-format on */

	z = fixture("aaaa1.zone", XDPMX_ORDER_CYCLIC);
	cz = compile(z);
	cr_assert_eq(cz->n, 1);
	assert_blob(find(cz, "v6.example.com.", T_AAAA), exp);
}

/*
 * - a PTR target sharing no suffix with the question but the root is
 *   written in full (no pointer to the bare root);
 * - a target sharing "in-addr.arpa." points there: offset 12 + 10;
 * - a target equal to the owner is the pointer 0xc00c alone;
 * - RDLENGTH is the compressed length.
 */
Test(compile, ptr)
{
	/* clang-format off */
	static const uint8_t exp_full[] = {
		/* an_len 31, ad_len 0, an_count 1, ad_count 0, cyclic, no flags */
		H16(31), H16(0), 1, 0, 0, 0,
		H16(0),
		/* 1.2.0.192.in-addr.arpa. 86400 IN PTR mail1.example.com. */
		0xc0, 0x0c, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x51, 0x80, 0x00, 0x13,
		5, 'm', 'a', 'i', 'l', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e',
		3, 'c', 'o', 'm', 0,
		/* owner */
		1, '1', 1, '2', 1, '0', 3, '1', '9', '2', 7, 'i', 'n', '-', 'a', 'd', 'd', 'r',
		4, 'a', 'r', 'p', 'a', 0,
	};
	static const uint8_t exp_suffix[] = {
		/* an_len 19, ad_len 0, an_count 1, ad_count 0, cyclic, no flags */
		H16(19), H16(0), 1, 0, 0, 0,
		H16(0),
		/* 2.2.0.192.in-addr.arpa. 86400 IN PTR host.in-addr.arpa.:
		 * "host" then a pointer to "in-addr.arpa." in the question,
		 * 10 octets into "\1 2\1 2\1 0\3 192\7in-addr\4arpa\0" */
		0xc0, 0x0c, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x51, 0x80, 0x00, 0x07,
		4, 'h', 'o', 's', 't', 0xc0, 12 + 10,
		/* owner */
		1, '2', 1, '2', 1, '0', 3, '1', '9', '2', 7, 'i', 'n', '-', 'a', 'd', 'd', 'r',
		4, 'a', 'r', 'p', 'a', 0,
	};
	static const uint8_t exp_self[] = {
		/* an_len 14, ad_len 0, an_count 1, ad_count 0, cyclic, no flags */
		H16(14), H16(0), 1, 0, 0, 0,
		H16(0),
		/* 3.2.0.192.in-addr.arpa. 86400 IN PTR 3.2.0.192.in-addr.arpa. */
		0xc0, 0x0c, 0x00, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x51, 0x80, 0x00, 0x02,
		0xc0, 0x0c,
		/* owner */
		1, '3', 1, '2', 1, '0', 3, '1', '9', '2', 7, 'i', 'n', '-', 'a', 'd', 'd', 'r',
		4, 'a', 'r', 'p', 'a', 0,
	};
	/* clang-format on */

	z = fixture("ptr.zone", XDPMX_ORDER_CYCLIC);
	cz = compile(z);
	cr_assert_eq(cz->n, 3);
	assert_blob(find(cz, "1.2.0.192.in-addr.arpa.", T_PTR), exp_full);
	assert_blob(find(cz, "2.2.0.192.in-addr.arpa.", T_PTR), exp_suffix);
	assert_blob(find(cz, "3.2.0.192.in-addr.arpa.", T_PTR), exp_self);
}

/*
 * - MX at the apex to two in-zone exchanges: each exchange is "\5mailN"
 *   plus a pointer to the question (0xc00c), RDLENGTH 10;
 * - the additional section holds, per exchange in MX order, its A then
 *   AAAA records, each owner "\5mailN" 0xc00c, with their own TTLs;
 * - ad_count counts records (3), not RRsets (2).
 */
Test(compile, mx_in_zone)
{
	/* clang-format off */
	static const uint8_t exp[] = {
		/* an_len 44, ad_len 78, an_count 2, ad_count 3, cyclic, no flags */
		H16(44), H16(78), 2, 3, 0, 0,
		H16(0), H16(22),
		/* example.com. 3600 IN MX 10 mail1.example.com. */
		0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x0a,
		0x00, 0x0a, 5, 'm', 'a', 'i', 'l', '1', 0xc0, 0x0c,
		/* example.com. 3600 IN MX 20 mail2.example.com. */
		0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x0a,
		0x00, 0x14, 5, 'm', 'a', 'i', 'l', '2', 0xc0, 0x0c,
		/* mail1.example.com. 300 IN A 192.0.2.1 */
		5, 'm', 'a', 'i', 'l', '1', 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 192, 0, 2, 1,
		/* mail1.example.com. 300 IN AAAA 2001:db8::1 */
		5, 'm', 'a', 'i', 'l', '1', 0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01,
		0x00, 0x00, 0x01, 0x2c, 0x00, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		/* mail2.example.com. 600 IN A 192.0.2.2 */
		5, 'm', 'a', 'i', 'l', '2', 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x02, 0x58, 0x00, 0x04, 192, 0, 2, 2,
		/* owner: example.com. */
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	};
	/* clang-format on */

	z = fixture("mx-in-zone.zone", XDPMX_ORDER_CYCLIC);
	cz = compile(z);

	assert_blob(find(cz, "example.com.", T_MX), exp);
	cr_assert_eq(find(cz, "example.com.", T_MX)->flags, 0);

	const struct xdpmx_centry *o = find(cz, "other.example.com.", T_MX);
	const struct xdpmx_blob_hdr *h = (const void *)o->blob;

	cr_assert_eq(h->an_count, 2);
	cr_assert_eq(h->ad_count, 2, "mail1 A and AAAA once, got %u", h->ad_count);
	cr_assert_eq(cz->n, 5); /* 2 MX, mail1 A and AAAA, mail2 A */
}

/*
 * - an MX whose exchange is outside the zone gets no additional section,
 *   and its name shares no suffix with the question but the root: written
 *   in full;
 * - an exchange that is not a node of the zone gets none either.
 */
Test(compile, mx_out_of_zone)
{
	/* clang-format off */
	static const uint8_t exp[] = {
		/* an_len 28, ad_len 0, an_count 1, ad_count 0, cyclic, no flags */
		H16(28), H16(0), 1, 0, 0, 0,
		H16(0),
		/* example.com. 3600 IN MX 5 mx.other.net. */
		0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x10,
		0x00, 0x05, 2, 'm', 'x', 5, 'o', 't', 'h', 'e', 'r', 3, 'n', 'e', 't', 0,
		/* owner: example.com. */
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	};
	/* clang-format on */

	z = fixture("mx-out.zone", XDPMX_ORDER_CYCLIC);
	cz = compile(z);
	assert_blob(find(cz, "example.com.", T_MX), exp);
	cr_assert_eq(
		((const struct xdpmx_blob_hdr *)find(cz, "www.example.com.", T_MX)->blob)->ad_count,
		0);
}

/*
 * - exchanges at a delegation point or below it (glue) get no additional
 *   records: that data is not authoritative;
 * - the exchange names compress against "example.com." at offset 12 + 6
 *   of the question "deleg.example.com.";
 * - the glue A and the A at the cut are not compiled at all.
 */
Test(compile, mx_below_delegation)
{
	/* clang-format off */
	static const uint8_t exp[] = {
		/* an_len 43, ad_len 0, an_count 2, ad_count 0, cyclic, no flags */
		H16(43), H16(0), 2, 0, 0, 0,
		H16(0), H16(23),
		/* deleg.example.com. 3600 IN MX 10 ns.sub.example.com. */
		0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x0b,
		0x00, 0x0a, 2, 'n', 's', 3, 's', 'u', 'b', 0xc0, 12 + 6,
		/* deleg.example.com. 3600 IN MX 20 sub.example.com. */
		0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x08,
		0x00, 0x14, 3, 's', 'u', 'b', 0xc0, 12 + 6,
		/* owner: deleg.example.com. */
		5, 'd', 'e', 'l', 'e', 'g', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	};
	/* clang-format on */

	z = fixture("mx-deleg.zone", XDPMX_ORDER_CYCLIC);
	cz = compile(z);
	assert_blob(find(cz, "deleg.example.com.", T_MX), exp);
	cr_assert_null(find(cz, "sub.example.com.", T_A), "A at a cut compiled");
	cr_assert_null(find(cz, "ns.sub.example.com.", T_A), "glue compiled");
	cr_assert_null(find(cz, "ns.sub.example.com.", T_MX), "occluded MX compiled");
	cr_assert_eq(cz->n, 1);
}

/*
 * - occluded names (below a cut) are not compiled, and xdpmx_compile_rrset
 *   refuses them with -EINVAL;
 * - a CNAME owner is not compiled;
 * - a wildcard owner is not compiled (the slow path synthesises);
 * - types other than A, AAAA, MX, PTR are not compiled (-EINVAL);
 * - only www A is left (fixture not-compiled.zone).
 */
Test(compile, not_compiled)
{
	struct xdpmx_centry e = {};
	const struct xdpmx_node *glue, *deep, *wild, *txt;

	z = fixture("not-compiled.zone", XDPMX_ORDER_CYCLIC);
	cz = compile(z);

	cr_assert_eq(cz->n, 1, "only www A, got %zu entries", cz->n);
	cr_assert_not_null(find(cz, "www.example.com.", T_A));
	glue = node(z, "ns.sub.example.com.");
	deep = node(z, "deep.ns.sub.example.com.");
	wild = node(z, "*.example.com.");
	txt = node(z, "txt.example.com.");
	cr_assert(glue->flags & XDPMX_NODE_OCCLUDED);
	cr_assert_eq(xdpmx_compile_rrset(z, glue, &glue->rrsets[0], &e), -EINVAL);
	cr_assert_eq(xdpmx_compile_rrset(z, deep, &deep->rrsets[0], &e), -EINVAL);
	cr_assert_eq(xdpmx_compile_rrset(z, wild, &wild->rrsets[0], &e), -EINVAL);
	cr_assert_eq(xdpmx_compile_rrset(z, txt, &txt->rrsets[0], &e), -EINVAL);
	cr_assert_eq(cz->skipped[XDPMX_SKIP_TOO_BIG] + cz->skipped[XDPMX_SKIP_TOO_MANY], 0);
}

/*
 * - a node with a CNAME and other data (which the zone checks reject, so
 *   built by hand here) compiles nothing: the CNAME wins in the slow path.
 */
Test(compile, cname_beside_data)
{
	struct xdpmx_centry e = {};

	zb = tz_new("example.com.");
	tz_name(zb, "alias.example.com.", T_CNAME, 3600, "www.example.com.");
	tz_a(zb, "alias.example.com.", 3600, "192.0.2.9");
	tz_mx(zb, "alias.example.com.", 3600, 10, "www.example.com.");
	tz_a(zb, "www.example.com.", 3600, "192.0.2.80");
	tz_finish(zb);
	cz = compile(zb);
	cr_assert_eq(cz->n, 1, "only www A, got %zu entries", cz->n);
	cr_assert_not_null(find(cz, "www.example.com.", T_A));
	/* nodes sorted: alias first; its rrsets by type: A, CNAME, MX */
	cr_assert_eq(zb->nodes[0]->rrsets[0].type, T_A);
	cr_assert_eq(xdpmx_compile_rrset(zb, zb->nodes[0], &zb->nodes[0]->rrsets[0], &e), -EINVAL);
}

/*
 * - eight records: rec_off steps by the record length, an_len 8 * 16;
 * - the RRset's order is carried (random here) and a signed zone sets
 *   XDPMX_BLOB_F_SIGNED;
 * - xdpmx_compile_rrset gives the same bytes as the zone compile.
 */
Test(compile, a_x8_order_signed)
{
	/* clang-format off */
	static const uint8_t head[] = {
		/* an_len 128, ad_len 0, an_count 8, ad_count 0, random, signed */
		H16(128), H16(0), 8, 0, 1, 1,
		H16(0), H16(16), H16(32), H16(48), H16(64), H16(80), H16(96), H16(112),
	};
	/* clang-format on */
	const struct xdpmx_centry *e;
	struct xdpmx_centry one = {};
	const struct xdpmx_node *n;

	z = fixture("a8-signed.zone", XDPMX_ORDER_RANDOM);
	cr_assert(z->flags & XDPMX_ZONE_SIGNED);
	cz = compile(z);
	e = find(cz, "eight.example.com.", T_A);
	cr_assert_not_null(e);
	cr_assert_eq(e->blob_len, sizeof(head) + 128 + 19); /* owner: 19 octets */
	cr_assert_eq(memcmp(e->blob, head, sizeof(head)), 0);
	cr_assert_eq(memcmp(e->blob + sizeof(head) + 128, "\5eight\7example\3com", 19), 0);
	for (int i = 0; i < 8; i++) {
		/* eight.example.com. 60 IN A 198.51.100.(i+1) */
		/* clang-format off */
		const uint8_t rr[] = { 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
				       0x00, 0x04, 198, 51, 100, (uint8_t)(i + 1) };
		/* clang-format on */

		cr_assert_eq(memcmp(e->blob + sizeof(head) + 16 * i, rr, 16), 0, "record %d", i);
	}

	n = node(z, "eight.example.com.");
	cr_assert_eq(xdpmx_compile_rrset(z, n, xdpmx_node_rrset(n, T_A), &one), 0);
	cr_assert_eq(one.blob_len, e->blob_len);
	cr_assert_eq(memcmp(one.blob, e->blob, e->blob_len), 0);
	cr_assert_eq(xdpmx_centry_cmp(&one, e), 0);
	xdpmx_centry_release(&one);
	cr_assert_null(one.blob);
}

/*
 * - 32 records compile (class 4), 33 are skipped as TOO_MANY and
 *   xdpmx_compile_rrset says -ENOSPC;
 * - an RRset whose answer alone exceeds 1280 bytes is skipped as TOO_BIG
 *   (-E2BIG), and nothing of it is in the set.
 */
Test(compile, too_big_skipped)
{
	struct xdpmx_centry e = {};
	const struct xdpmx_node *n33, *nbig;
	const struct xdpmx_centry *e32;

	/* big: 9 PTRs of 12 + 133 octets, 1305 + 8 + 18 > 1280 */
	z = fixture("too-big.zone", XDPMX_ORDER_CYCLIC);
	cz = compile(z);

	e32 = find(cz, "n32.example.com.", T_A);
	cr_assert_not_null(e32);
	cr_assert_eq(e32->blob_len, 8 + 64 + 32 * 16 + 17); /* owner n32.example.com. */
	cr_assert_eq(xdpmx_blob_class(e32->blob_len), 4);
	cr_assert_null(find(cz, "n33.example.com.", T_A));
	cr_assert_null(find(cz, "big.example.com.", T_PTR));
	cr_assert_eq(cz->skipped[XDPMX_SKIP_TOO_MANY], 1);
	cr_assert_eq(cz->skipped[XDPMX_SKIP_TOO_BIG], 1);
	cr_assert_eq(cz->n, 1);

	n33 = node(z, "n33.example.com.");
	nbig = node(z, "big.example.com.");
	cr_assert_eq(xdpmx_compile_rrset(z, n33, xdpmx_node_rrset(n33, T_A), &e), -ENOSPC);
	cr_assert_eq(xdpmx_compile_rrset(z, nbig, xdpmx_node_rrset(nbig, T_PTR), &e), -E2BIG);
}

/*
 * - an MX whose additional section would hold more than 32 records is
 *   compiled without it, flagged, and counted in ad_trimmed;
 * - so is one whose additional records fit in number but push the blob
 *   over 1280 bytes (long owner names that cannot be compressed).
 */
Test(compile, mx_additional_trimmed)
{
	const struct xdpmx_centry *e;
	const struct xdpmx_blob_hdr *h;

	z = fixture("mx-trimmed.zone", XDPMX_ORDER_CYCLIC);
	cz = compile(z);

	e = find(cz, "many.example.com.", T_MX);
	h = (const void *)e->blob;
	cr_assert_eq(h->an_count, 3);
	cr_assert_eq(h->ad_count, 0);
	cr_assert_eq(h->ad_len, 0);
	cr_assert_eq(e->blob_len, 8 + 6 + h->an_len + 18); /* owner many.example.com. */
	cr_assert_eq(e->flags, XDPMX_CENTRY_F_AD_TRIMMED);

	/* 6 A records with a 192-octet literal owner prefix: 6 * 208 > 1280 */
	e = find(cz, "long.example.com.", T_MX);
	h = (const void *)e->blob;
	cr_assert_eq(h->ad_count, 0);
	cr_assert_eq(e->flags, XDPMX_CENTRY_F_AD_TRIMMED);
	cr_assert_eq(cz->ad_trimmed, 2);
	cr_assert_eq(cz->skipped[XDPMX_SKIP_TOO_BIG], 0);
}

/*
 * - zone data in mixed case: the key is lowercase; labels written
 *   literally keep the file's case; suffix matching ignores case;
 * - the additional owner is written in the case the exchange's own node
 *   has in the file.
 */
Test(compile, mixed_case)
{
	/* clang-format off */
	static const uint8_t exp[] = {
		/* an_len 22, ad_len 22, an_count 1, ad_count 1, cyclic, no flags */
		H16(22), H16(22), 1, 1, 0, 0,
		H16(0),
		/* WWW.Example.COM. 300 IN MX 10 Mail1.EXAMPLE.com.: "Mail1" then a
		 * pointer to "Example.COM." 4 octets into the question */
		0xc0, 0x0c, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2c, 0x00, 0x0a,
		0x00, 0x0a, 5, 'M', 'a', 'i', 'l', '1', 0xc0, 12 + 4,
		/* MAIL1.example.com. 300 IN A 192.0.2.1 */
		5, 'M', 'A', 'I', 'L', '1', 0xc0, 12 + 4, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 192, 0, 2, 1,
		/* owner: www.example.com., lowercase */
		3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
	};
	static const uint8_t key[] = { 0x00, 0x0f, 3, 'w', 'w', 'w', 7, 'e', 'x', 'a', 'm',
				       'p', 'l', 'e', 3, 'c', 'o', 'm', 0 };
	/* clang-format on */
	const struct xdpmx_centry *e;

	z = fixture("mixed-case.zone", XDPMX_ORDER_CYCLIC);
	cz = compile(z);
	e = find(cz, "www.example.com.", T_MX);
	assert_blob(e, exp);
	cr_assert_eq(memcmp(&e->key, key, sizeof(key)), 0);
	cr_assert_not_null(find(cz, "mail1.example.com.", T_A));
}

/*
 * - names of 46, 47, 126, 127 and 255 octets (the edges of the name-length
 *   classes, once directories of their own) compile, with name_len and
 *   their class (0, 1, 1, 2, 2), keys zero padded, every blob ending with
 *   its owner name;
 * - the set is sorted by (name_len, key): strictly increasing, and two
 *   compiles of one zone are byte-identical.
 */
Test(compile, dir_classes_and_order)
{
	static const struct {
		size_t len;
		int dir;
	} names[] = {
		/* 32-octet label + "example.com.": 33 + 13 */
		{46, 0},
		{47, 1},
		/* 64 + 49 + 13 */
		{126, 1},
		{127, 2},
		/* 3 * 64 + 50 + 13 */
		{255, 2},
	};
	struct xdpmx_compiled *again;

	z = fixture("dir-classes.zone", XDPMX_ORDER_CYCLIC);
	cz = compile(z);
	cr_assert_eq(cz->n, 17);

	for (size_t i = 0; i < 5; i++) {
		size_t found = 0;

		for (size_t k = 0; k < cz->n; k++) {
			const struct xdpmx_centry *e = &cz->e[k];

			if (e->name_len != names[i].len)
				continue;
			found++;
			cr_assert_eq(xdpmx_name_class(e->name_len), names[i].dir);
			for (size_t b = e->name_len; b < sizeof(e->key.name); b++)
				cr_assert_eq(e->key.name[b], 0);
			cr_assert_eq(memcmp(e->blob + e->blob_len - e->name_len, e->key.name,
					    e->name_len),
				     0, "the blob does not end with its owner");
		}
		cr_assert_eq(found, 3, "name of %zu octets: %zu entries", names[i].len, found);
	}
	for (size_t k = 1; k < cz->n; k++)
		cr_assert_lt(xdpmx_centry_cmp(&cz->e[k - 1], &cz->e[k]), 0,
			     "entry %zu out of order", k);
	/* a. and b. (15 octets) sort first, A before AAAA before MX per name */
	cr_assert_eq(cz->e[0].name_len, 15);
	cr_assert_eq(cz->e[0].key.name[1], 'a');
	cr_assert_eq(cz->e[1].key.name[1], 'b');

	again = compile(z);
	cr_assert_eq(again->n, cz->n);
	for (size_t k = 0; k < cz->n; k++) {
		cr_assert_eq(memcmp(&again->e[k].key, &cz->e[k].key, sizeof(cz->e[k].key)), 0);
		cr_assert_eq(again->e[k].blob_len, cz->e[k].blob_len);
		cr_assert_eq(memcmp(again->e[k].blob, cz->e[k].blob, cz->e[k].blob_len), 0);
	}
	xdpmx_compiled_free(again);
}
