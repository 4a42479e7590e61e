// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Fixture answers shared by the program tests: see answers.h. */
#include <stddef.h>

#include "answers.h"

const struct expect wp_mx = {
	.an = (const char *const[]){"mydomain.com. 3600 IN MX 10 mail1.mydomain.com.",
				    "mydomain.com. 3600 IN MX 10 mail2.mydomain.com.",
				    "mydomain.com. 3600 IN MX 10 mail3.mydomain.com.", NULL},
	.ad = (const char *const[]){"mail1.mydomain.com. 3600 IN A 192.168.2.1",
				    "mail2.mydomain.com. 3600 IN A 192.168.2.2",
				    "mail3.mydomain.com. 3600 IN A 192.168.2.3", NULL},
};

const struct expect fx_one = {
	.an = (const char *const[]){"one.prog.test. 300 IN A 198.18.1.1", NULL},
};
const struct expect fx_three = {
	.an = (const char *const[]){"three.prog.test. 300 IN A 198.18.3.2",
				    "three.prog.test. 300 IN A 198.18.3.1",
				    "three.prog.test. 300 IN A 198.18.3.3", NULL},
};
const struct expect fx_eight = {
	.an = (const char *const[]){"eight.prog.test. 60 IN A 198.18.8.5",
				    "eight.prog.test. 60 IN A 198.18.8.2",
				    "eight.prog.test. 60 IN A 198.18.8.8",
				    "eight.prog.test. 60 IN A 198.18.8.1",
				    "eight.prog.test. 60 IN A 198.18.8.7",
				    "eight.prog.test. 60 IN A 198.18.8.3",
				    "eight.prog.test. 60 IN A 198.18.8.6",
				    "eight.prog.test. 60 IN A 198.18.8.4", NULL},
};

static const char *const wide_an[] = {"wide.prog.test. 300 IN MX 10 w1.prog.test.",
				      "wide.prog.test. 300 IN MX 10 w2.prog.test.",
				      "wide.prog.test. 300 IN MX 10 w3.prog.test.",
				      "wide.prog.test. 300 IN MX 10 w4.prog.test.", NULL};
static const char *const wide_ad[] = {"w1.prog.test. 300 IN A 198.18.4.1",
				      "w1.prog.test. 300 IN AAAA fd00::4:101",
				      "w1.prog.test. 300 IN AAAA fd00::4:102",
				      "w1.prog.test. 300 IN AAAA fd00::4:103",
				      "w1.prog.test. 300 IN AAAA fd00::4:104",
				      "w2.prog.test. 300 IN A 198.18.4.2",
				      "w2.prog.test. 300 IN AAAA fd00::4:201",
				      "w2.prog.test. 300 IN AAAA fd00::4:202",
				      "w2.prog.test. 300 IN AAAA fd00::4:203",
				      "w2.prog.test. 300 IN AAAA fd00::4:204",
				      "w3.prog.test. 300 IN A 198.18.4.3",
				      "w3.prog.test. 300 IN AAAA fd00::4:301",
				      "w3.prog.test. 300 IN AAAA fd00::4:302",
				      "w3.prog.test. 300 IN AAAA fd00::4:303",
				      "w3.prog.test. 300 IN AAAA fd00::4:304",
				      "w4.prog.test. 300 IN A 198.18.4.4",
				      "w4.prog.test. 300 IN AAAA fd00::4:401",
				      "w4.prog.test. 300 IN AAAA fd00::4:402",
				      "w4.prog.test. 300 IN AAAA fd00::4:403",
				      "w4.prog.test. 300 IN AAAA fd00::4:404",
				      NULL};
const struct expect fx_wide = {.an = wide_an, .ad = wide_ad};
const struct expect fx_wide_noad = {.an = wide_an};
