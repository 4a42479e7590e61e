/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The answers of the fixture zones that more than one program test file
 * expects, as check.h's struct expect: records in zone (file) order, so
 * the checker can tell a rotation from a wrong order. One copy here, so a
 * change to a fixture zone is made in one place on the test side too.
 * Answers one file alone expects stay in that file.
 *
 * Included by tests/prog/ only.
 */
#ifndef XDPMX_TEST_ANSWERS_H
#define XDPMX_TEST_ANSWERS_H

#include "check.h"

/* examples/mydomain.com.zone: three MX of preference 10, each exchange with
 * its address as additional record. */
extern const struct expect wp_mx;

/* tests/fixtures/prog/prog.test.zone: A RRsets of 1, 3 and 8 records. */
extern const struct expect fx_one, fx_three, fx_eight;
/* wide.prog.test MX: four exchanges with 20 addresses as additional
 * records (691 bytes with EDNS); fx_wide_noad is the answer without them,
 * TC=0, when they do not fit. */
extern const struct expect fx_wide, fx_wide_noad;

#endif /* XDPMX_TEST_ANSWERS_H */
