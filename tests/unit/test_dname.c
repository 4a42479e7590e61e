// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Wire-format names (user/lib/dname.c): every function of dname.h, with the
 * limits of RFC 1035 (labels of 63 octets, names of 255), escapes of
 * section 5.1, case, and malformed input.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "dname.h"

/* "\4mail\x08mydomain\3com\0": mail.mydomain.com. */
static const uint8_t mail[] = "\4mail\x08mydomain\3com";
#define MAIL_LEN 19

/* The longest name: three 63-octet labels and one of 61, 255 octets. */
static size_t longest(uint8_t *out, char *str)
{
	size_t p = 0, s = 0;

	for (int l = 0; l < 4; l++) {
		int n = l < 3 ? 63 : 61;

		out[p++] = (uint8_t)n;
		memset(out + p, 'a' + l, (size_t)n);
		memset(str + s, 'a' + l, (size_t)n);
		p += (size_t)n;
		s += (size_t)n;
		str[s++] = '.';
	}
	out[p++] = 0;
	str[s] = '\0';
	return p;
}

Test(dname, len_accepts_names_and_the_root)
{
	/*
	 * - a name's length counts the root octet
	 * - the root alone is one octet
	 */
	cr_assert_eq(xdpmx_dname_len(mail, sizeof(mail)), MAIL_LEN);
	cr_assert_eq(xdpmx_dname_len((const uint8_t *)"", 1), 1);
}

Test(dname, len_limits)
{
	/*
	 * - 255 octets is the largest name, 256 is rejected
	 * - a 63-octet label is fine; 64 (0x40) is an extended label type
	 */
	uint8_t n[300];
	char s[300];
	size_t len = longest(n, s);

	cr_assert_eq(len, 255);
	cr_assert_eq(xdpmx_dname_len(n, sizeof(n)), 255);

	/* one more octet in the last label */
	n[64 * 3] = 62;
	memset(n + 64 * 3 + 1, 'd', 62);
	n[256 - 1] = 0;
	cr_assert_eq(xdpmx_dname_len(n, sizeof(n)), -EINVAL);

	memset(n, 0, sizeof(n));
	n[0] = 63;
	memset(n + 1, 'x', 63);
	cr_assert_eq(xdpmx_dname_len(n, sizeof(n)), 65);
	n[0] = 64;
	cr_assert_eq(xdpmx_dname_len(n, sizeof(n)), -EINVAL);
}

Test(dname, len_rejects_malformed)
{
	/*
	 * - a compression pointer (0xc0) and the extended label types are
	 *   not allowed in a bare name
	 * - a name that does not end within max octets is rejected
	 */
	static const uint8_t ptr[] = {3, 'w', 'w', 'w', 0xc0, 0x0c};
	static const uint8_t ext[] = {0x41, 0};
	static const uint8_t ext2[] = {0x80, 0};

	cr_assert_eq(xdpmx_dname_len(ptr, sizeof(ptr)), -EINVAL);
	cr_assert_eq(xdpmx_dname_len(ext, sizeof(ext)), -EINVAL);
	cr_assert_eq(xdpmx_dname_len(ext2, sizeof(ext2)), -EINVAL);
	cr_assert_eq(xdpmx_dname_len(mail, MAIL_LEN - 1), -EINVAL);
	cr_assert_eq(xdpmx_dname_len(mail, 0), -EINVAL);
}

Test(dname, canon_lowers_letters_only)
{
	/*
	 * - A-Z become a-z; digits, '-', '_' and octets above 0x7f stay
	 * - the length octets are untouched
	 */
	static const uint8_t in[] = "\7MaIl-_9\2\xc4Z\3COM";
	static const uint8_t want[] = "\7mail-_9\2\xc4z\3com";
	uint8_t out[sizeof(in)];

	xdpmx_dname_canon(out, in, sizeof(in));
	cr_assert_arr_eq(out, want, sizeof(want));
}

Test(dname, eq_ignores_case_not_structure)
{
	/*
	 * - names differing in case only are equal
	 * - the same letters split into other labels are not
	 * - a name differs from its parent and its child
	 */
	cr_assert(xdpmx_dname_eq(mail, (const uint8_t *)"\4MAIL\x08MyDomain\3Com"));
	cr_assert_not(xdpmx_dname_eq((const uint8_t *)"\3abc", (const uint8_t *)"\2ab\1c"));
	cr_assert_not(xdpmx_dname_eq(mail, mail + 5));
	cr_assert_not(xdpmx_dname_eq(mail + 5, mail));
	cr_assert(xdpmx_dname_eq((const uint8_t *)"", (const uint8_t *)""));
	/* '[' (0x5b) and '{' (0x7b) differ by 0x20 but are not letters */
	cr_assert_not(xdpmx_dname_eq((const uint8_t *)"\1[", (const uint8_t *)"\1{"));
}

Test(dname, cmp_canonical_order)
{
	/*
	 * - RFC 4034 section 6.1's example names sort in its order:
	 *   example < a.example < yljkjljk.a.example < Z.a.example <
	 *   zABC.a.EXAMPLE < z.example < \001.z.example < *.z.example <
	 *   \200.z.example
	 * - 0 exactly for names xdpmx_dname_eq() calls equal
	 */
	static const char *const order[] = {
		"\7example",	      "\1a\7example",	    "\10yljkjljk\1a\7example",
		"\1Z\1a\7example",    "\4zABC\1a\7EXAMPLE", "\1z\7example",
		"\1\001\1z\7example", "\1*\1z\7example",    "\1\200\1z\7example",
	};
	size_t n = sizeof(order) / sizeof(order[0]);

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int c = xdpmx_dname_cmp((const uint8_t *)order[i],
						(const uint8_t *)order[j]);

			cr_assert(i < j	  ? c < 0
				  : i > j ? c > 0
					  : c == 0,
				  "%zu vs %zu: %d", i, j, c);
		}
	cr_assert_eq(xdpmx_dname_cmp(mail, (const uint8_t *)"\4MAIL\x08MyDomain\3Com"), 0);
	cr_assert_neq(xdpmx_dname_cmp((const uint8_t *)"\3abc", (const uint8_t *)"\2ab\1c"), 0);
	cr_assert_neq(xdpmx_dname_cmp((const uint8_t *)"\1[", (const uint8_t *)"\1{"), 0);
}

Test(dname, is_sub)
{
	/*
	 * - a name is at or below itself, its parents and the root
	 * - whole labels only: mail.mydomain.com is not below "ydomain.com"
	 * - a parent is not below its child
	 */
	cr_assert(xdpmx_dname_is_sub(mail, mail));
	cr_assert(xdpmx_dname_is_sub(mail, (const uint8_t *)"\x08MYDOMAIN\3com"));
	cr_assert(xdpmx_dname_is_sub(mail, (const uint8_t *)""));
	cr_assert_not(xdpmx_dname_is_sub(mail, (const uint8_t *)"\7ydomain\3com"));
	cr_assert_not(xdpmx_dname_is_sub(mail + 5, mail));
	cr_assert_not(xdpmx_dname_is_sub(mail, (const uint8_t *)"\3org"));
}

Test(dname, labels_suffix_parent)
{
	/*
	 * - labels counts all but the root
	 * - suffix(n, k) keeps the last k labels; k = 0 is the root
	 * - parent strips one label, and the root has none
	 */
	cr_assert_eq(xdpmx_dname_labels(mail), 3);
	cr_assert_eq(xdpmx_dname_labels((const uint8_t *)""), 0);
	cr_assert_eq(xdpmx_dname_suffix(mail, 3), mail);
	cr_assert_eq(xdpmx_dname_suffix(mail, 2), mail + 5);
	cr_assert_eq(xdpmx_dname_suffix(mail, 1), mail + 14);
	cr_assert_eq(xdpmx_dname_suffix(mail, 0), mail + 18);
	cr_assert_eq(xdpmx_dname_parent(mail), mail + 5);
	cr_assert_eq(xdpmx_dname_parent(mail + 14), mail + 18);
	cr_assert_null(xdpmx_dname_parent(mail + 18));
}

Test(dname, str_plain_and_root)
{
	char buf[XDPMX_DNAME_STRLEN];

	cr_assert_str_eq(xdpmx_dname_str(mail, buf), "mail.mydomain.com.");
	cr_assert_str_eq(xdpmx_dname_str((const uint8_t *)"", buf), ".");
	cr_assert_str_eq(xdpmx_dname_str((const uint8_t *)"\4MaIl", buf), "MaIl.");
}

Test(dname, str_escapes)
{
	/*
	 * - '.' and '\' inside a label get a backslash (RFC 1035 5.1)
	 * - so do the characters the master file syntax uses: " ( ) ; @ $
	 * - space, control octets and octets above 0x7e become \DDD
	 */
	static const uint8_t n[] = "\3a.b\2a\\\6\"();@$\4 \x00\x7f\xff";
	char buf[XDPMX_DNAME_STRLEN];

	cr_assert_str_eq(xdpmx_dname_str(n, buf),
			 "a\\.b.a\\\\.\\\"\\(\\)\\;\\@\\$.\\032\\000\\127\\255.");
}

Test(dname, str_worst_case_fits)
{
	/*
	 * - 254 octets that all need \DDD fill XDPMX_DNAME_STRLEN exactly,
	 *   the terminating NUL included
	 */
	uint8_t n[255];
	char buf[XDPMX_DNAME_STRLEN + 1];
	size_t p = 0;

	memset(n, 0, sizeof(n));
	for (int l = 0; l < 4; l++) {
		int len = l < 3 ? 63 : 61;

		n[p] = (uint8_t)len;
		p += 1 + (size_t)len;
	}
	buf[XDPMX_DNAME_STRLEN] = 'X';
	xdpmx_dname_str(n, buf);
	cr_assert_eq(strlen(buf), (63 * 3 + 61) * 4 + 4);
	cr_assert_leq(strlen(buf) + 1, XDPMX_DNAME_STRLEN);
	cr_assert_eq(buf[XDPMX_DNAME_STRLEN], 'X');
}

Test(dname, from_str_absolute_and_relative)
{
	/*
	 * - an absolute name ignores the origin
	 * - a relative name gets the origin appended
	 * - without an origin a relative name ends at the root
	 * - "@" is the origin, "." the root
	 * - the case is kept as written
	 */
	uint8_t out[XDPMX_DNAME_MAX];
	const uint8_t *origin = mail + 5;

	cr_assert_eq(xdpmx_dname_from_str(out, "mail.mydomain.com.", origin), MAIL_LEN);
	cr_assert_arr_eq(out, mail, MAIL_LEN);
	cr_assert_eq(xdpmx_dname_from_str(out, "mail", origin), MAIL_LEN);
	cr_assert_arr_eq(out, mail, MAIL_LEN);
	cr_assert_eq(xdpmx_dname_from_str(out, "Mail", NULL), 6);
	cr_assert_arr_eq(out, "\4Mail", 6);
	cr_assert_eq(xdpmx_dname_from_str(out, "@", origin), MAIL_LEN - 5);
	cr_assert_arr_eq(out, origin, MAIL_LEN - 5);
	cr_assert_eq(xdpmx_dname_from_str(out, ".", origin), 1);
	cr_assert_eq(out[0], 0);
}

Test(dname, from_str_escapes)
{
	/*
	 * - \. is a dot inside a label, \\ a backslash, \X any character
	 * - \DDD is a decimal octet, up to \255
	 */
	uint8_t out[XDPMX_DNAME_MAX];

	cr_assert_eq(xdpmx_dname_from_str(out, "a\\.b.c.", NULL), 7);
	cr_assert_arr_eq(out, "\3a.b\1c", 7);
	cr_assert_eq(xdpmx_dname_from_str(out, "\\\\\\@.", NULL), 4);
	cr_assert_arr_eq(out, "\2\\@", 4);
	cr_assert_eq(xdpmx_dname_from_str(out, "\\000\\255\\065.", NULL), 5);
	cr_assert_arr_eq(out,
			 "\3\x00\xff"
			 "A",
			 5);
}

Test(dname, from_str_errors)
{
	/*
	 * - empty labels, a lone trailing backslash, \DDD above 255 and short
	 *   \DD are syntax errors (-EINVAL); so is "@" without an origin
	 * - a 64-octet label or a name above 255 octets is -ENAMETOOLONG,
	 *   also when the origin makes it so
	 */
	uint8_t out[XDPMX_DNAME_MAX];
	char s[600];

	cr_assert_eq(xdpmx_dname_from_str(out, "", NULL), -EINVAL);
	cr_assert_eq(xdpmx_dname_from_str(out, "a..b.", NULL), -EINVAL);
	cr_assert_eq(xdpmx_dname_from_str(out, ".a.", NULL), -EINVAL);
	cr_assert_eq(xdpmx_dname_from_str(out, "a\\", NULL), -EINVAL);
	cr_assert_eq(xdpmx_dname_from_str(out, "\\256.", NULL), -EINVAL);
	cr_assert_eq(xdpmx_dname_from_str(out, "\\25.", NULL), -EINVAL);
	cr_assert_eq(xdpmx_dname_from_str(out, "@", NULL), -EINVAL);

	memset(s, 'x', 63);
	strcpy(s + 63, ".");
	cr_assert_eq(xdpmx_dname_from_str(out, s, NULL), 65);
	memset(s, 'x', 64);
	strcpy(s + 64, ".");
	cr_assert_eq(xdpmx_dname_from_str(out, s, NULL), -ENAMETOOLONG);

	/* four labels of 63 octets: 4 * 64 + 1 = 257 octets */
	snprintf(s, sizeof(s), "%063d.%063d.%063d.%063d", 0, 0, 0, 0);
	cr_assert_eq(xdpmx_dname_from_str(out, s, NULL), -ENAMETOOLONG);
	/* two of them and the origin mydomain.com. (14 octets) */
	s[127] = '\0';
	cr_assert_eq(xdpmx_dname_from_str(out, s, mail + 5), 64 + 64 + 14);
}

Test(dname, from_str_longest)
{
	/*
	 * - the 255-octet name parses, absolute or made of a relative part
	 *   and an origin; one octet more does not
	 */
	uint8_t want[300], out[XDPMX_DNAME_MAX];
	char s[300], longer[310];
	size_t len = longest(want, s);

	cr_assert_eq(xdpmx_dname_from_str(out, s, NULL), (int)len);
	cr_assert_arr_eq(out, want, len);

	/* the first three labels relative to the last one */
	s[64 * 3 - 1] = '\0';
	cr_assert_eq(xdpmx_dname_from_str(out, s, want + 64 * 3), (int)len);
	cr_assert_arr_eq(out, want, len);

	snprintf(longer, sizeof(longer), "e.%s", s);
	cr_assert_eq(xdpmx_dname_from_str(out, longer, want + 64 * 3), -ENAMETOOLONG);
}

Test(dname, str_round_trip)
{
	/*
	 * - every octet value survives wire -> presentation -> wire
	 */
	uint8_t n[1 + 64 + 1], out[XDPMX_DNAME_MAX];
	char buf[XDPMX_DNAME_STRLEN];

	for (int start = 0; start < 256; start += 63) {
		size_t len = 0;

		for (int c = start; c < 256 && len < 63; c++)
			n[1 + len++] = (uint8_t)c;
		n[0] = (uint8_t)len;
		n[1 + len] = 0;
		xdpmx_dname_str(n, buf);
		cr_assert_eq(xdpmx_dname_from_str(out, buf, NULL), (int)len + 2, "%s", buf);
		cr_assert_arr_eq(out, n, len + 2);
	}
}
