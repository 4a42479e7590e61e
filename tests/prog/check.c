// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Answer checker and failure evidence for the program tests: see check.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "check.h"

#define RR_MAX 64 /* more than XDPMX_RR_MAX + XDPMX_AD_MAX + OPT */

uint16_t check_edns_size = TEST_EDNS_SIZE;

void v_fail(struct verdict *v, const char *fmt, ...)
{
	va_list ap;
	int n;

	v->fails++;
	if (v->len + 8 >= sizeof(v->msg))
		return;
	v->len += (size_t)snprintf(v->msg + v->len, sizeof(v->msg) - v->len, "  - ");
	va_start(ap, fmt);
	n = vsnprintf(v->msg + v->len, sizeof(v->msg) - v->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		v->len += (size_t)n;
	if (v->len >= sizeof(v->msg) - 1)
		v->len = sizeof(v->msg) - 2;
	v->msg[v->len++] = '\n';
	v->msg[v->len] = '\0';
}

int qinfo_build(struct qinfo *qi, const struct pkt_spec *spec, const struct dnsq *q)
{
	uint8_t dns[PKT_MAX];
	size_t n;

	memset(qi, 0, sizeof(*qi));
	qi->spec = *spec;
	pkt_spec_defaults(&qi->spec);
	qi->q = *q;
	n = dnsq_build(dns, sizeof(dns), q, &qi->qlen);
	if (!n)
		return -EINVAL;
	qi->dns_len = n;
	qi->len = pkt_frame(qi->frame, sizeof(qi->frame), &qi->spec, dns, n, &qi->lay);
	return qi->len ? 0 : -EINVAL;
}

size_t answer_limit(const struct dnsq *q)
{
	size_t client;

	if (!q->edns)
		return 512;
	client = q->edns_size < 512 ? 512 : q->edns_size;
	return client < check_edns_size ? client : check_edns_size;
}

/* ---- Raw walk of a DNS message (independent of ldns and the program) ---- */

struct raw_rr {
	size_t off; /* of the owner */
	uint16_t type, cls;
	uint32_t ttl;
	uint16_t rdlen;
	size_t rdata; /* offset of RDATA */
};

/* Step over a name at *off: labels up to the root or a compression pointer,
 * which must point backwards into the message. Returns 0 or -1. */
static int raw_skip_name(const uint8_t *m, size_t len, size_t *off)
{
	size_t o = *off;

	for (;;) {
		uint8_t c;

		if (o >= len)
			return -1;
		c = m[o];
		if ((c & 0xc0) == 0xc0) {
			if (o + 2 > len || (size_t)(((c & 0x3f) << 8) | m[o + 1]) >= *off)
				return -1;
			o += 2;
			break;
		}
		if (c & 0xc0)
			return -1;
		o += 1 + c;
		if (!c)
			break;
	}
	*off = o;
	return 0;
}

/* Walk n records from *off; fill rr[]. Returns 0, or -1 where the walk left
 * the message (*off is where it failed). */
static int raw_walk(const uint8_t *m, size_t len, size_t *off, size_t n, struct raw_rr *rr)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t o = *off;

		rr[i].off = o;
		if (raw_skip_name(m, len, &o) || o + 10 > len)
			return -1;
		rr[i].type = get16(m + o);
		rr[i].cls = get16(m + o + 2);
		rr[i].ttl = get32(m + o + 4);
		rr[i].rdlen = get16(m + o + 8);
		rr[i].rdata = o + 10;
		if (rr[i].rdata + rr[i].rdlen > len)
			return -1;
		*off = rr[i].rdata + rr[i].rdlen;
	}
	return 0;
}

/* ---- RR lists in canonical presentation form ---------------------------- */

/* Canonical (lowercased names) one-line presentation of rr; malloc'd. */
static char *rr_canon_str(const ldns_rr *rr)
{
	ldns_rr *c = ldns_rr_clone(rr);
	char *s, *nl;

	if (!c)
		return NULL;
	ldns_rr2canonical(c);
	s = ldns_rr2str(c);
	ldns_rr_free(c);
	if (s && (nl = strchr(s, '\n')))
		*nl = '\0';
	return s;
}

/* Canonical strings of a section; returns the count (at most RR_MAX). */
static int section_strs(const ldns_rr_list *l, char **out)
{
	int n = (int)ldns_rr_list_rr_count(l), i;

	if (n > RR_MAX)
		n = RR_MAX;
	for (i = 0; i < n; i++)
		out[i] = rr_canon_str(ldns_rr_list_rr(l, i));
	return n;
}

/* Parse a NULL-terminated list of RR strings into canonical strings.
 * Returns the count, or -1 (with a failure noted) on a string ldns refuses. */
static int expect_list(struct verdict *v, const char *const *in, char **out)
{
	int n = 0;

	for (; in && in[n]; n++) {
		ldns_rr *rr = NULL;
		ldns_status st;

		if (n >= RR_MAX) {
			v_fail(v, "case error: more than %d expected records", RR_MAX);
			return -1;
		}
		st = ldns_rr_new_frm_str(&rr, in[n], 0, NULL, NULL);
		if (st != LDNS_STATUS_OK) {
			v_fail(v, "case error: can't parse expected record '%s': %s", in[n],
			       ldns_get_errorstr_by_id(st));
			return -1;
		}
		out[n] = rr_canon_str(rr);
		ldns_rr_free(rr);
	}
	return n;
}

static void free_list(char **l, int n)
{
	while (n-- > 0)
		free(l[n]);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether two lists hold the same strings (as multisets). */
static bool same_set(char **a, char **b, int n)
{
	char *sa[RR_MAX], *sb[RR_MAX];
	int i;

	memcpy(sa, a, n * sizeof(*sa));
	memcpy(sb, b, n * sizeof(*sb));
	qsort(sa, n, sizeof(*sa), cmp_str);
	qsort(sb, n, sizeof(*sb), cmp_str);
	for (i = 0; i < n; i++)
		if (strcmp(sa[i], sb[i]))
			return false;
	return true;
}

static void list_fail(struct verdict *v, const char *what, char **want, int nw, char **got, int ng)
{
	int i;

	v_fail(v, "%s differs: want %d record(s), got %d", what, nw, ng);
	for (i = 0; i < nw; i++)
		v_fail(v, "  want: %s", want[i]);
	for (i = 0; i < ng; i++)
		v_fail(v, "  got:  %s", got[i] ? got[i] : "(unprintable)");
}

/* ---- Header checks -------------------------------------------------------- */

static void check_l2(struct verdict *v, const uint8_t *in, const uint8_t *out, size_t l3)
{
	if (memcmp(out, in + 6, 6))
		v_fail(v, "eth: destination MAC is not the query's source");
	if (memcmp(out + 6, in, 6))
		v_fail(v, "eth: source MAC is not the query's destination");
	if (memcmp(out + 12, in + 12, l3 - 12))
		v_fail(v, "eth: VLAN tags or ethertype changed (%zu bytes from offset 12)",
		       l3 - 12);
}

/* Returns the IP payload length the header announces (0 if unusable). */
static size_t check_ip(struct verdict *v, const struct qinfo *qi, const uint8_t *out,
		       size_t out_len)
{
	const uint8_t *qip = qi->frame + qi->lay.l3, *ip = out + qi->lay.l3;
	size_t l3 = qi->lay.l3;

	if (qi->spec.ip_version == 6) {
		size_t plen = out_len - l3 - 40;

		if (get32(ip) != get32(qip))
			v_fail(v, "ipv6: version/traffic class/flow label 0x%08x, query had 0x%08x",
			       get32(ip), get32(qip));
		if (get16(ip + 4) != plen)
			v_fail(v, "ipv6: payload length %u, frame carries %zu", get16(ip + 4),
			       plen);
		if (ip[6] != 17)
			v_fail(v, "ipv6: next header %u, want 17 (UDP)", ip[6]);
		if (ip[7] != 64)
			v_fail(v, "ipv6: hop limit %u, want 64", ip[7]);
		if (memcmp(ip + 8, qip + 24, 16) || memcmp(ip + 24, qip + 8, 16))
			v_fail(v, "ipv6: addresses not swapped");
		return plen;
	}

	if (ip[0] != 0x45)
		v_fail(v, "ipv4: version/ihl 0x%02x, want 0x45", ip[0]);
	if (ip[1] != qip[1])
		v_fail(v, "ipv4: tos 0x%02x, query had 0x%02x", ip[1], qip[1]);
	if (get16(ip + 2) != out_len - l3)
		v_fail(v, "ipv4: tot_len %u, frame carries %zu bytes of IP", get16(ip + 2),
		       out_len - l3);
	if (get16(ip + 4) != get16(qip + 4))
		v_fail(v, "ipv4: id 0x%04x, query had 0x%04x", get16(ip + 4), get16(qip + 4));
	if (get16(ip + 6) != get16(qip + 6))
		v_fail(v, "ipv4: flags/fragment 0x%04x, query had 0x%04x", get16(ip + 6),
		       get16(qip + 6));
	if (ip[8] != 64)
		v_fail(v, "ipv4: ttl %u, want 64", ip[8]);
	if (ip[9] != 17)
		v_fail(v, "ipv4: protocol %u, want 17 (UDP)", ip[9]);
	if (get16(ip + 10) != csum_ip4(ip))
		v_fail(v, "ipv4: header checksum 0x%04x, recomputed 0x%04x", get16(ip + 10),
		       csum_ip4(ip));
	if (memcmp(ip + 12, qip + 16, 4) || memcmp(ip + 16, qip + 12, 4))
		v_fail(v, "ipv4: addresses not swapped");
	return out_len - l3 - 20;
}

/* Returns the DNS message length the UDP header announces (0: unusable). */
static size_t check_udp(struct verdict *v, const struct qinfo *qi, const uint8_t *out,
			size_t ip_plen)
{
	const uint8_t *qu = qi->frame + qi->lay.l4, *u = out + qi->lay.l4;
	const uint8_t *ip = out + qi->lay.l3;
	int ver = qi->spec.ip_version;
	uint16_t want;

	if (get16(u) != get16(qu + 2) || get16(u + 2) != get16(qu))
		v_fail(v, "udp: ports %u -> %u, query was %u -> %u", get16(u), get16(u + 2),
		       get16(qu), get16(qu + 2));
	if (get16(u + 4) != ip_plen) {
		v_fail(v, "udp: length %u, IP payload %zu", get16(u + 4), ip_plen);
		return 0;
	}
	want = csum_l4(ver, ver == 6 ? ip + 8 : ip + 12, ver == 6 ? ip + 24 : ip + 16, 17, u,
		       ip_plen, 6);
	if (get16(u + 6) == 0)
		v_fail(v, "udp: checksum 0 (none); want 0x%04x", want);
	else if (get16(u + 6) != want)
		v_fail(v, "udp: checksum 0x%04x, recomputed 0x%04x", get16(u + 6), want);
	return ip_plen - 8;
}

static void check_flags(struct verdict *v, uint16_t f, uint16_t qf, bool tc)
{
	if (!(f & DNS_QR))
		v_fail(v, "dns: QR=0");
	if (f & DNS_OPCODE_MASK)
		v_fail(v, "dns: opcode %u, want 0 (QUERY)", (f & DNS_OPCODE_MASK) >> 11);
	if (!(f & DNS_AA))
		v_fail(v, "dns: AA=0");
	if (!!(f & DNS_TC) != tc)
		v_fail(v, "dns: TC=%d, want %d", !!(f & DNS_TC), tc);
	if ((f & DNS_RD) != (qf & DNS_RD))
		v_fail(v, "dns: RD=%d, query had %d", !!(f & DNS_RD), !!(qf & DNS_RD));
	if (f & DNS_RA)
		v_fail(v, "dns: RA=1");
	if (f & DNS_Z)
		v_fail(v, "dns: Z=1");
	if (f & DNS_AD)
		v_fail(v, "dns: AD=1");
	if ((f & DNS_CD) != (qf & DNS_CD))
		v_fail(v, "dns: CD=%d, query had %d", !!(f & DNS_CD), !!(qf & DNS_CD));
	if (f & DNS_RCODE_MASK)
		v_fail(v, "dns: rcode %u, want 0 (NOERROR)", f & DNS_RCODE_MASK);
}

/* The OPT record, raw: root owner, our size, ext-rcode 0, version 0, DO
 * copied, other flags 0, no options. */
static void check_opt(struct verdict *v, const uint8_t *m, const struct raw_rr *o, bool want_do)
{
	uint32_t want_ttl = want_do ? 0x8000 : 0;

	if (m[o->off] != 0)
		v_fail(v, "opt: owner is not the root");
	if (o->cls != check_edns_size)
		v_fail(v, "opt: UDP size %u, want ours (%u)", o->cls, check_edns_size);
	if (o->ttl != want_ttl)
		v_fail(v, "opt: ext-rcode/version/flags 0x%08x, want 0x%08x (DO %s)", o->ttl,
		       want_ttl, want_do ? "copied" : "clear");
	if (o->rdlen)
		v_fail(v, "opt: %u bytes of options echoed, want none", o->rdlen);
}

/* ---- The answer ------------------------------------------------------------ */

static void check_ldns(struct verdict *v, const struct qinfo *qi, const uint8_t *m, size_t mlen,
		       const struct expect *e, int *rot)
{
	const uint8_t *qname = qi->frame + qi->lay.payload + DNS_HDR_LEN;
	size_t qname_len = qi->qlen - 4;
	char *want_an[RR_MAX], *want_ad[RR_MAX], *got[RR_MAX];
	int n_an = -1, n_ad = -1, ng = 0, i, r;
	ldns_pkt *p = NULL;
	ldns_rr_list *l;
	ldns_rr *qrr;
	ldns_status st;

	st = ldns_wire2pkt(&p, m, mlen);
	if (st != LDNS_STATUS_OK) {
		v_fail(v, "ldns: can't parse the answer: %s", ldns_get_errorstr_by_id(st));
		return;
	}
	/* The flags once more, as ldns reads them. */
	if (!ldns_pkt_qr(p) || !ldns_pkt_aa(p) || ldns_pkt_tc(p) != e->tc || ldns_pkt_ra(p) ||
	    ldns_pkt_ad(p) || ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR ||
	    ldns_pkt_get_opcode(p) != LDNS_PACKET_QUERY ||
	    ldns_pkt_rd(p) != !!(qi->q.flags & DNS_RD) ||
	    ldns_pkt_cd(p) != !!(qi->q.flags & DNS_CD))
		v_fail(v, "ldns: header flags differ from the expected ones");

	l = ldns_pkt_question(p);
	if (ldns_rr_list_rr_count(l) != 1) {
		v_fail(v, "ldns: %zu questions", ldns_rr_list_rr_count(l));
		goto out;
	}
	qrr = ldns_rr_list_rr(l, 0);
	if (ldns_rdf_size(ldns_rr_owner(qrr)) != qname_len ||
	    memcmp(ldns_rdf_data(ldns_rr_owner(qrr)), qname, qname_len))
		v_fail(v, "ldns: question name differs from the query's");
	if (ldns_rr_get_type(qrr) != qi->q.qtype || ldns_rr_get_class(qrr) != LDNS_RR_CLASS_IN)
		v_fail(v, "ldns: question type/class differ from the query's");

	n_an = expect_list(v, e->an, want_an);
	n_ad = expect_list(v, e->ad, want_ad);
	if (n_an < 0 || n_ad < 0)
		goto out;

	/* Answer: the RRset, owners byte-equal to the question, in a rotation
	 * of zone order. */
	l = ldns_pkt_answer(p);
	ng = (int)ldns_rr_list_rr_count(l);
	if (ng > RR_MAX)
		ng = RR_MAX;
	for (i = 0; i < ng; i++) {
		ldns_rr *rr = ldns_rr_list_rr(l, i);
		ldns_rdf *o = ldns_rr_owner(rr);

		if (ldns_rdf_size(o) != qname_len || memcmp(ldns_rdf_data(o), qname, qname_len))
			v_fail(v, "answer %d: owner is not the question name byte for byte", i);
		if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN)
			v_fail(v, "answer %d: class %u", i, ldns_rr_get_class(rr));
		got[i] = rr_canon_str(rr);
	}
	if (e->tc) {
		if (ng)
			list_fail(v, "answer section (TC=1 wants none)", NULL, 0, got, ng);
	} else if (ng != n_an || !same_set(want_an, got, ng)) {
		list_fail(v, "answer RRset", want_an, n_an, got, ng);
	} else {
		for (r = 0; r < n_an && strcmp(got[0], want_an[r]); r++)
			;
		for (i = 0; r < n_an && i < n_an; i++)
			if (strcmp(got[i], want_an[(r + i) % n_an]))
				break;
		if (r < n_an && i == n_an) {
			if (rot)
				*rot = r;
		} else {
			list_fail(v, "answer order (not a rotation of zone order)", want_an, n_an,
				  got, ng);
		}
	}
	free_list(got, ng);

	/* Additional: a set (ldns takes the OPT out of it). */
	ng = section_strs(ldns_pkt_additional(p), got);
	if (e->tc)
		n_ad = 0;
	if (ng != n_ad || !same_set(want_ad, got, ng))
		list_fail(v, "additional section", want_ad, n_ad, got, ng);
	free_list(got, ng);

	/* EDNS as ldns reads it. */
	if (qi->q.edns) {
		if (ldns_pkt_edns_udp_size(p) != check_edns_size || ldns_pkt_edns_version(p) ||
		    ldns_pkt_edns_extended_rcode(p) || ldns_pkt_edns_do(p) != qi->q.edns_do ||
		    ldns_pkt_edns_data(p))
			v_fail(v, "ldns: OPT size %u version %u ext-rcode %u DO %d options %s",
			       ldns_pkt_edns_udp_size(p), ldns_pkt_edns_version(p),
			       ldns_pkt_edns_extended_rcode(p), ldns_pkt_edns_do(p),
			       ldns_pkt_edns_data(p) ? "present" : "none");
	} else if (ldns_pkt_edns(p)) {
		v_fail(v, "ldns: the answer has EDNS, the query had none");
	}
out:
	if (n_an > 0)
		free_list(want_an, n_an);
	if (n_ad > 0)
		free_list(want_ad, n_ad);
	ldns_pkt_free(p);
}

void check_answer(struct verdict *v, const struct qinfo *qi, const uint8_t *out, size_t out_len,
		  const struct expect *e, int *rot)
{
	const uint8_t *qm = qi->frame + qi->lay.payload, *m;
	size_t ip_plen, mlen, off, n_rr, i, limit, n_an = 0, n_ad = 0;
	struct raw_rr rr[RR_MAX];
	uint16_t f;

	if (rot)
		*rot = -1;
	for (; e->an && e->an[n_an]; n_an++)
		;
	for (; e->ad && e->ad[n_ad]; n_ad++)
		;
	if (out_len < qi->lay.payload + DNS_HDR_LEN) {
		v_fail(v, "answer frame of %zu bytes is shorter than the headers (%zu)", out_len,
		       qi->lay.payload + DNS_HDR_LEN);
		return;
	}
	check_l2(v, qi->frame, out, qi->lay.l3);
	ip_plen = check_ip(v, qi, out, out_len);
	mlen = check_udp(v, qi, out, ip_plen);
	if (mlen < DNS_HDR_LEN || qi->lay.payload + mlen != out_len) {
		v_fail(v, "dns: message length %zu does not fill the frame (%zu bytes after %zu)",
		       mlen, out_len - qi->lay.payload, qi->lay.payload);
		return;
	}
	m = out + qi->lay.payload;

	if (get16(m) != get16(qm))
		v_fail(v, "dns: id 0x%04x, query had 0x%04x", get16(m), get16(qm));
	f = get16(m + 2);
	check_flags(v, f, get16(qm + 2), e->tc);
	if (get16(m + 4) != 1 || get16(m + 6) != (e->tc ? 0 : n_an) || get16(m + 8) != 0 ||
	    get16(m + 10) != (e->tc ? 0 : n_ad) + qi->q.edns)
		v_fail(v, "dns: counts qd %u an %u ns %u ar %u, want 1 %zu 0 %zu", get16(m + 4),
		       get16(m + 6), get16(m + 8), get16(m + 10), e->tc ? 0 : n_an,
		       (e->tc ? 0 : n_ad) + qi->q.edns);
	if (mlen < DNS_HDR_LEN + qi->qlen || memcmp(m + DNS_HDR_LEN, qm + DNS_HDR_LEN, qi->qlen)) {
		v_fail(v, "dns: question is not the query's, byte for byte");
		return;
	}
	limit = answer_limit(&qi->q);
	if (mlen > limit)
		v_fail(v, "dns: %zu bytes exceed the size limit %zu", mlen, limit);

	/* Walk the records as the counts say: they must fill the message. */
	off = DNS_HDR_LEN + qi->qlen;
	n_rr = (size_t)get16(m + 6) + get16(m + 8) + get16(m + 10);
	if (n_rr > RR_MAX || raw_walk(m, mlen, &off, n_rr, rr)) {
		v_fail(v, "dns: the %zu records the counts announce do not parse (at offset %zu)",
		       n_rr, off);
		return;
	}
	if (off != mlen)
		v_fail(v, "dns: %zu bytes after the last record", mlen - off);
	for (i = 0; i < n_rr; i++) {
		if (rr[i].type != 41)
			continue;
		if (!qi->q.edns)
			v_fail(v, "dns: OPT record in the answer to a query without EDNS");
		else if (i != n_rr - 1)
			v_fail(v, "dns: OPT is record %zu of %zu, want it last", i, n_rr);
		else
			check_opt(v, m, &rr[i], qi->q.edns_do);
	}
	if (qi->q.edns && (!n_rr || rr[n_rr - 1].type != 41))
		v_fail(v, "dns: no OPT record in the answer to a query with EDNS");

	check_ldns(v, qi, m, mlen, e, rot);
}

/* ---- Two messages that must agree ------------------------------------------ */

/* Section sec of p: 0 question, 1 answer, 2 authority, 3 additional. */
static ldns_rr_list *section(const ldns_pkt *p, int sec)
{
	return sec == 0	  ? ldns_pkt_question(p)
	       : sec == 1 ? ldns_pkt_answer(p)
	       : sec == 2 ? ldns_pkt_authority(p)
			  : ldns_pkt_additional(p);
}

void check_same_message(struct verdict *v, const uint8_t *got, size_t got_len, const uint8_t *ref,
			size_t ref_len)
{
	static const char *const names[] = {"question", "answer", "authority", "additional"};
	ldns_pkt *g = NULL, *r = NULL;
	ldns_status st;
	int sec;

	st = ldns_wire2pkt(&g, got, got_len);
	if (st != LDNS_STATUS_OK) {
		v_fail(v, "ldns: can't parse the message: %s", ldns_get_errorstr_by_id(st));
		goto out;
	}
	st = ldns_wire2pkt(&r, ref, ref_len);
	if (st != LDNS_STATUS_OK) {
		v_fail(v, "ldns: can't parse the reference: %s", ldns_get_errorstr_by_id(st));
		goto out;
	}
	if (ldns_pkt_id(g) != ldns_pkt_id(r) || ldns_pkt_qr(g) != ldns_pkt_qr(r) ||
	    ldns_pkt_aa(g) != ldns_pkt_aa(r) || ldns_pkt_tc(g) != ldns_pkt_tc(r) ||
	    ldns_pkt_rd(g) != ldns_pkt_rd(r) || ldns_pkt_ra(g) != ldns_pkt_ra(r) ||
	    ldns_pkt_ad(g) != ldns_pkt_ad(r) || ldns_pkt_cd(g) != ldns_pkt_cd(r) ||
	    ldns_pkt_get_opcode(g) != ldns_pkt_get_opcode(r) ||
	    ldns_pkt_get_rcode(g) != ldns_pkt_get_rcode(r))
		v_fail(v,
		       "header: id %u qr %d aa %d tc %d rd %d ra %d ad %d cd %d opcode %d "
		       "rcode %d; reference id %u qr %d aa %d tc %d rd %d ra %d ad %d cd %d "
		       "opcode %d rcode %d",
		       ldns_pkt_id(g), ldns_pkt_qr(g), ldns_pkt_aa(g), ldns_pkt_tc(g),
		       ldns_pkt_rd(g), ldns_pkt_ra(g), ldns_pkt_ad(g), ldns_pkt_cd(g),
		       ldns_pkt_get_opcode(g), ldns_pkt_get_rcode(g), ldns_pkt_id(r),
		       ldns_pkt_qr(r), ldns_pkt_aa(r), ldns_pkt_tc(r), ldns_pkt_rd(r),
		       ldns_pkt_ra(r), ldns_pkt_ad(r), ldns_pkt_cd(r), ldns_pkt_get_opcode(r),
		       ldns_pkt_get_rcode(r));
	for (sec = 0; sec < 4; sec++) {
		char *a[RR_MAX], *b[RR_MAX];
		int na = section_strs(section(g, sec), a);
		int nb = section_strs(section(r, sec), b);

		if (na != nb || !same_set(b, a, na))
			list_fail(v, names[sec], b, nb, a, na);
		free_list(a, na);
		free_list(b, nb);
	}
	if (ldns_pkt_edns(g) != ldns_pkt_edns(r) ||
	    ldns_pkt_edns_udp_size(g) != ldns_pkt_edns_udp_size(r) ||
	    ldns_pkt_edns_version(g) != ldns_pkt_edns_version(r) ||
	    ldns_pkt_edns_do(g) != ldns_pkt_edns_do(r) ||
	    !ldns_pkt_edns_data(g) != !ldns_pkt_edns_data(r))
		v_fail(v,
		       "edns: %d size %u version %u DO %d options %d; reference %d size %u "
		       "version %u DO %d options %d",
		       ldns_pkt_edns(g), ldns_pkt_edns_udp_size(g), ldns_pkt_edns_version(g),
		       ldns_pkt_edns_do(g), !!ldns_pkt_edns_data(g), ldns_pkt_edns(r),
		       ldns_pkt_edns_udp_size(r), ldns_pkt_edns_version(r), ldns_pkt_edns_do(r),
		       !!ldns_pkt_edns_data(r));
out:
	ldns_pkt_free(g);
	ldns_pkt_free(r);
}

/* ---- Failure evidence ------------------------------------------------------ */

static ldns_rr *rr_from_str(const char *s)
{
	ldns_rr *rr = NULL;

	if (ldns_rr_new_frm_str(&rr, s, 0, NULL, NULL) != LDNS_STATUS_OK)
		return NULL;
	return rr;
}

size_t expect_frame(uint8_t *buf, size_t cap, const struct qinfo *qi, const struct expect *e,
		    int rot)
{
	const struct dnsq *q = &qi->q;
	ldns_pkt *qp = NULL, *p;
	struct pkt_spec r;
	uint8_t *wire = NULL;
	size_t wlen = 0, n = 0, i, len = 0;
	ldns_rr *qrr;

	if (ldns_wire2pkt(&qp, qi->frame + qi->lay.payload, qi->dns_len) != LDNS_STATUS_OK)
		return 0;
	qrr = ldns_rr_list_rr(ldns_pkt_question(qp), 0);
	p = ldns_pkt_new();
	if (!p || !qrr)
		goto out;
	ldns_pkt_set_id(p, q->id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_aa(p, true);
	ldns_pkt_set_tc(p, e->tc);
	ldns_pkt_set_rd(p, !!(q->flags & DNS_RD));
	ldns_pkt_set_cd(p, !!(q->flags & DNS_CD));
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, ldns_rr_clone(qrr));
	for (; e->an && e->an[n]; n++)
		;
	for (i = 0; !e->tc && i < n; i++) {
		ldns_rr *rr = rr_from_str(e->an[(i + (rot > 0 ? (size_t)rot : 0)) % n]);

		if (!rr)
			goto out;
		ldns_rdf_deep_free(ldns_rr_owner(rr));
		ldns_rr_set_owner(rr, ldns_rdf_clone(ldns_rr_owner(qrr)));
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	for (i = 0; !e->tc && e->ad && e->ad[i]; i++) {
		ldns_rr *rr = rr_from_str(e->ad[i]);

		if (!rr)
			goto out;
		ldns_pkt_push_rr(p, LDNS_SECTION_ADDITIONAL, rr);
	}
	if (q->edns) {
		ldns_pkt_set_edns_udp_size(p, check_edns_size);
		ldns_pkt_set_edns_do(p, q->edns_do);
	}
	if (ldns_pkt2wire(&wire, p, &wlen) != LDNS_STATUS_OK)
		goto out;
	pkt_spec_reply(&r, &qi->spec);
	len = pkt_frame(buf, cap, &r, wire, wlen, NULL);
out:
	free(wire);
	ldns_pkt_free(p);
	ldns_pkt_free(qp);
	return len;
}

void hexdiff(FILE *f, const uint8_t *want, size_t want_len, const uint8_t *got, size_t got_len)
{
	size_t max = want_len > got_len ? want_len : got_len, row, i;

	fprintf(f, "       %-48s   %s\n", "want", "got");
	for (row = 0; row < max; row += 16) {
		char a[64] = "", b[64] = "";
		bool diff = false;

		for (i = row; i < row + 16; i++) {
			bool hw = i < want_len, hg = i < got_len;

			if (hw)
				sprintf(a + strlen(a), "%02x ", want[i]);
			else if (i < max)
				strcat(a, "   ");
			if (hg)
				sprintf(b + strlen(b), "%02x ", got[i]);
			if (i < max && (hw != hg || (hw && want[i] != got[i])))
				diff = true;
		}
		fprintf(f, "%c %04zx %-48s | %s\n", diff ? '!' : ' ', row, a, b);
	}
}

int pcap_write(const char *path, const uint8_t *const *frames, const size_t *lens, size_t n)
{
	/* pcap file header (host order, as readers expect): magic, version
	 * 2.4, GMT offset, accuracy, snaplen, link type 1 (Ethernet). */
	const struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t zone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = {0xa1b2c3d4, 2, 4, 0, 0, 65535, 1};
	FILE *f = fopen(path, "wb");
	size_t i;
	int err = 0;

	if (!f)
		return -errno;
	fwrite(&hdr, sizeof(hdr), 1, f);
	for (i = 0; i < n; i++) {
		uint32_t rec[4] = {(uint32_t)i, 0, (uint32_t)lens[i], (uint32_t)lens[i]};

		fwrite(rec, 4, 4, f);
		if (lens[i])
			fwrite(frames[i], 1, lens[i], f);
	}
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}
