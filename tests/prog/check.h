/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The answer checker of the program tests: given the query a test sent and
 * the frame the program returned, check every header field (recomputing
 * checksums with pkt.h's own code) and every DNS section (parsed with ldns,
 * never with the code under test) against a description of the expected
 * answer. Also the failure evidence: a hex diff and a pcap file.
 *
 * Included by tests/prog/ only. Checks never abort: they collect failures
 * in a struct verdict, so a test can dump its frames before it fails.
 */
#ifndef XDPMX_TEST_CHECK_H
#define XDPMX_TEST_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pkt.h"

/* Our EDNS UDP payload size: the tests write it into cfg, and the checker
 * expects it in every OPT the program sends. */
#define TEST_EDNS_SIZE 1232

/* The EDNS size the checker expects in OPT records and limits answers by:
 * TEST_EDNS_SIZE unless a test configures the program otherwise (a cfg
 * size below 512 counts as 512). */
extern uint16_t check_edns_size;

/* Failures collected by the checks, as text. */
struct verdict {
	int fails;
	size_t len;
	char msg[16384];
};

void v_fail(struct verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The query of a case, as built: its spec and DNS description, the frame,
 * where its layers are, and the length of its question. */
struct qinfo {
	struct pkt_spec spec; /* defaults applied */
	struct dnsq q;
	uint8_t frame[PKT_MAX];
	size_t len;
	struct pkt_layout lay;
	size_t qlen; /* question bytes after the DNS header */
	size_t dns_len;
};

/* Build the frame of spec + q into qi. Returns 0, or -EINVAL if the query
 * or the frame could not be built (a broken case). */
int qinfo_build(struct qinfo *qi, const struct pkt_spec *spec, const struct dnsq *q);

/* What the answer must hold. RR strings are in presentation form as ldns
 * reads them ("mail.mydomain.com. 3600 IN A 192.168.2.1"); names compare
 * case-insensitively, except the answer owners, which must equal the
 * question's bytes exactly. */
struct expect {
	const char *const *an; /* the RRset in zone order, NULL-terminated */
	const char *const *ad; /* the additional records (a set), NULL-terminated;
				  NULL: none */
	bool tc;	       /* TC=1, no records: an must still name the RRset */
};

/*
 * Check that out is the answer to qi's query described by e: L2, IP, UDP
 * headers and checksums, DNS header flags and counts, the question byte for
 * byte, the answer RRset (set, TTLs, types, owner bytes, a rotation of zone
 * order), the additional set, OPT exactly when the query had one, the size
 * limit. rot (may be NULL) gets the rotation: the index in e->an of the
 * first answer record, -1 if the answer is not a rotation of e->an (or TC).
 */
void check_answer(struct verdict *v, const struct qinfo *qi, const uint8_t *out, size_t out_len,
		  const struct expect *e, int *rot);

/*
 * Check that the DNS message got says what ref says, modulo rotation:
 * header flags and RCODE, the question, each section as a set of records
 * (names compared case-insensitively), EDNS presence, size, version and DO.
 * Both are parsed with ldns. Used to compare the fast path's answer with
 * the slow-path responder's.
 */
void check_same_message(struct verdict *v, const uint8_t *got, size_t got_len, const uint8_t *ref,
			size_t ref_len);

/* The size limit the answer to q must respect: 512 without EDNS, else
 * max(512, min(client size, check_edns_size)). */
size_t answer_limit(const struct dnsq *q);

/*
 * Build the frame check_answer() accepts for e, rotated by rot (0 if
 * negative), for failure evidence: headers from pkt_spec_reply(), the DNS
 * message written by ldns (so its name compression may differ from the
 * program's). Returns the length, or 0 if it could not be built.
 */
size_t expect_frame(uint8_t *buf, size_t cap, const struct qinfo *qi, const struct expect *e,
		    int rot);

/* Print a 16-bytes-a-row hex diff of want and got to f; differing rows are
 * marked with '!'. */
void hexdiff(FILE *f, const uint8_t *want, size_t want_len, const uint8_t *got, size_t got_len);

/* Write n frames to a pcap file (Ethernet link type) at path. Returns 0 or
 * a negative errno. */
int pcap_write(const char *path, const uint8_t *const *frames, const size_t *lens, size_t n);

#endif /* XDPMX_TEST_CHECK_H */
