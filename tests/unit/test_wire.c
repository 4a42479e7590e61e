// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Unit tests of the bounded DNS buffers (user/lib/wire.c, wire.h): header
 * and EDNS macros, name walking with its limits, bounded writes, and name
 * compression with expected bytes.
 */
#include <errno.h>
#include <string.h>

#include <criterion/criterion.h>

#include "wire.h"

/*
 * - opcode, rcode and flag bits sit where RFC 1035 4.1.1 puts them
 * - the OPT TTL macros split and build RFC 6891 6.1.3's fields
 */
Test(wire, header_macros)
{
	/* QR=1 opcode=5 (UPDATE) AA TC RD RA Z AD CD rcode=3 */
	uint16_t f =
		0x8000 | 5 << 11 | 0x0400 | 0x0200 | 0x0100 | 0x0080 | 0x0040 | 0x0020 | 0x0010 | 3;
	uint8_t b[2] = {0xaf, 0xf3};

	cr_assert_eq(f, 0xaff3);
	cr_assert_eq(xdpmx_get16(b), f);
	cr_assert_eq(XDPMX_DNS_OPCODE(f), 5);
	cr_assert_eq(XDPMX_DNS_RCODE(f), 3);
	cr_assert(f & XDPMX_DNS_F_QR && f & XDPMX_DNS_F_AA && f & XDPMX_DNS_F_TC &&
		  f & XDPMX_DNS_F_RD && f & XDPMX_DNS_F_RA && f & XDPMX_DNS_F_Z &&
		  f & XDPMX_DNS_F_AD && f & XDPMX_DNS_F_CD);
	cr_assert_eq(XDPMX_DNS_OPCODE(0x7800), 15);
	cr_assert_eq(XDPMX_EDNS_TTL(1, 0, XDPMX_EDNS_F_DO), 0x01008000);
	cr_assert_eq(XDPMX_EDNS_VERSION(0x00ff8000), 0xff);
	cr_assert_eq(XDPMX_EDNS_EXT_RCODE(0x01000000), 1);
}

/*
 * - a name is stepped over: its length returned, the cursor moved
 * - a pointer ends a name when allowed, is an error when not
 * - label types 01 and 10, a cut name, a name over 255 octets: -EBADMSG,
 *   cursor unmoved
 */
Test(wire, rbuf_name)
{
	static const uint8_t ok[] = {3, 'w', 'w', 'w', 0, 0xc0, 0x0c, 0xff};
	static const uint8_t ext[] = {0x41, 'x', 0};
	static const uint8_t ten[] = {0x81, 'x', 0};
	static const uint8_t cut[] = {3, 'w', 'w'};
	uint8_t longn[300];
	struct xdpmx_rbuf b;

	xdpmx_rbuf_init(&b, ok, sizeof(ok));
	cr_assert_eq(xdpmx_rbuf_name(&b, false), 5);
	cr_assert_eq(b.pos, 5);
	cr_assert_eq(xdpmx_rbuf_name(&b, false), -EBADMSG);
	cr_assert_eq(b.pos, 5);
	cr_assert_eq(xdpmx_rbuf_name(&b, true), 2);
	cr_assert_eq(b.pos, 7);
	cr_assert_eq(xdpmx_rbuf_name(&b, true), -EBADMSG, "0xff 0x?? cut after one octet");

	xdpmx_rbuf_init(&b, ext, sizeof(ext));
	cr_assert_eq(xdpmx_rbuf_name(&b, true), -EBADMSG);
	xdpmx_rbuf_init(&b, ten, sizeof(ten));
	cr_assert_eq(xdpmx_rbuf_name(&b, true), -EBADMSG);
	xdpmx_rbuf_init(&b, cut, sizeof(cut));
	cr_assert_eq(xdpmx_rbuf_name(&b, true), -EBADMSG);
	cr_assert_eq(b.pos, 0);

	/* 4 labels of 63: 256 octets with the root, one too many */
	for (int i = 0; i < 4; i++) {
		longn[i * 64] = 63;
		memset(longn + i * 64 + 1, 'a', 63);
	}
	longn[256] = 0;
	xdpmx_rbuf_init(&b, longn, 257);
	cr_assert_eq(xdpmx_rbuf_name(&b, true), -EBADMSG);
	/* 3 labels of 63 and one of 61: 255 octets, fine */
	longn[192] = 61;
	longn[254] = 0;
	xdpmx_rbuf_init(&b, longn, 255);
	cr_assert_eq(xdpmx_rbuf_name(&b, true), 255);
}

/* - reads past the end fail without moving; writes past cap fail unwritten */
Test(wire, bounds)
{
	static const uint8_t in[] = {0x12, 0x34, 0x56};
	uint8_t buf[4] = {0xee, 0xee, 0xee, 0xee};
	struct xdpmx_rbuf rb;
	struct xdpmx_wbuf wb;
	uint16_t v16;
	uint32_t v32;
	uint8_t v8;

	xdpmx_rbuf_init(&rb, in, sizeof(in));
	cr_assert_eq(xdpmx_rbuf_u32(&rb, &v32), -EBADMSG);
	cr_assert_eq(xdpmx_rbuf_u16(&rb, &v16), 0);
	cr_assert_eq(v16, 0x1234);
	cr_assert_eq(xdpmx_rbuf_u16(&rb, &v16), -EBADMSG);
	cr_assert_eq(xdpmx_rbuf_skip(&rb, 2), -EBADMSG);
	cr_assert_eq(xdpmx_rbuf_u8(&rb, &v8), 0);
	cr_assert_eq(v8, 0x56);
	cr_assert_eq(xdpmx_rbuf_left(&rb), 0);

	xdpmx_wbuf_init(&wb, buf, 3);
	cr_assert_eq(xdpmx_wbuf_u32(&wb, 1), -ENOSPC);
	cr_assert_eq(wb.pos, 0);
	cr_assert_eq(xdpmx_wbuf_u16(&wb, 0xabcd), 0);
	cr_assert_eq(xdpmx_wbuf_u16(&wb, 1), -ENOSPC);
	cr_assert_eq(xdpmx_wbuf_u8(&wb, 0x01), 0);
	cr_assert_eq(xdpmx_wbuf_u8(&wb, 0x02), -ENOSPC);
	cr_assert_eq(memcmp(buf, "\xab\xcd\x01\xee", 4), 0, "nothing past cap");
}

/*
 * - the first name is written in full and remembered
 * - a name sharing a suffix (in another case) is its labels + a pointer
 *   to where that suffix starts; an equal name is one pointer
 * - without a table a name is written in full; a name without a known
 *   suffix keeps its root byte
 */
Test(wire, compression)
{
	static const uint8_t www[] = "\3www\7example\3com"; /* + NUL = root */
	static const uint8_t mail[] = "\4MAIL\7ExAmPlE\3COM";
	static const uint8_t net[] = "\3www\7example\3net";
	static const uint8_t expect[] = {
		3,    'w', 'w', 'w', 7,	  'e',	'x', 'a', 'm',
		'p',  'l', 'e', 3,   'c', 'o',	'm', 0, /* @12 */
		4,    'M', 'A', 'I', 'L', 0xc0, 16,	/* @29: MAIL + -> example.com @16 */
		0xc0, 12,				/* @36: www.example.com */
		3,    'w', 'w', 'w', 7,	  'e',	'x', 'a', 'm',
		'p',  'l', 'e', 3,   'n', 'e',	't', 0, /* @38 */
		0xc0, 38,				/* www.example.net, remembered */
		3,    'w', 'w', 'w', 7,	  'e',	'x', 'a', 'm',
		'p',  'l', 'e', 3,   'c', 'o',	'm', 0,
	};
	uint8_t buf[128];
	struct xdpmx_wbuf w;
	struct xdpmx_ctable t;

	xdpmx_wbuf_init(&w, buf, sizeof(buf));
	xdpmx_ctable_init(&t);
	w.pos = 12;
	cr_assert_eq(xdpmx_wbuf_name(&w, &t, www, sizeof(www)), 0);
	cr_assert_eq(xdpmx_wbuf_name(&w, &t, mail, sizeof(mail)), 0);
	cr_assert_eq(xdpmx_wbuf_name(&w, &t, www, sizeof(www)), 0);
	cr_assert_eq(xdpmx_wbuf_name(&w, &t, net, sizeof(net)), 0);
	cr_assert_eq(xdpmx_wbuf_name(&w, &t, net, sizeof(net)), 0);
	cr_assert_eq(xdpmx_wbuf_name(&w, NULL, www, sizeof(www)), 0);
	cr_assert_eq(w.pos - 12, sizeof(expect));
	cr_assert_eq(memcmp(buf + 12, expect, sizeof(expect)), 0);
}

/*
 * - a name that does not fit is not written and not remembered
 * - trimming forgets the entries of a rolled-back write
 * - no entry beyond the pointer range (offset > 0x3fff)
 * - the table is bounded: past XDPMX_CTABLE_MAX entries names are still
 *   written, in full
 */
Test(wire, compression_limits)
{
	static const uint8_t www[] = "\3www\7example\3com";
	static uint8_t big[0x5000];
	struct xdpmx_wbuf w;
	struct xdpmx_ctable t;

	xdpmx_wbuf_init(&w, big, 20);
	xdpmx_ctable_init(&t);
	w.pos = 12;
	cr_assert_eq(xdpmx_wbuf_name(&w, &t, www, sizeof(www)), -ENOSPC);
	cr_assert_eq(w.pos, 12);
	cr_assert_eq(t.n, 0);

	xdpmx_wbuf_init(&w, big, sizeof(big));
	w.pos = 12;
	cr_assert_eq(xdpmx_wbuf_name(&w, &t, www, sizeof(www)), 0);
	cr_assert_eq(t.n, 3, "www.example.com, example.com, com");
	xdpmx_ctable_trim(&t, 12);
	cr_assert_eq(t.n, 0);

	w.pos = 0x3ffe;
	cr_assert_eq(xdpmx_wbuf_name(&w, &t, www, sizeof(www)), 0);
	cr_assert_eq(t.n, 1, "only the entry at 0x3ffe is addressable");
	cr_assert_eq(t.e[0].off, 0x3ffe);

	xdpmx_ctable_init(&t);
	w.pos = 12;
	/* the table points at the names: each needs its own memory */
	static uint8_t names[XDPMX_CTABLE_MAX + 5][4];
	for (int i = 0; i < XDPMX_CTABLE_MAX + 5; i++) {
		uint8_t *n = names[i];

		n[0] = 2;
		n[1] = 'a' + i / 26;
		n[2] = 'a' + i % 26;
		n[3] = 0;
		cr_assert_eq(xdpmx_wbuf_name(&w, &t, n, 4), 0);
	}
	cr_assert_eq(t.n, XDPMX_CTABLE_MAX, "t.n %u", t.n);
	{
		size_t pos = w.pos;
		uint8_t last[8] = {2, 'a' + (XDPMX_CTABLE_MAX + 4) / 26,
				   'a' + (XDPMX_CTABLE_MAX + 4) % 26, 0};

		cr_assert_eq(xdpmx_wbuf_name(&w, &t, last, 4), 0);
		cr_assert_eq(w.pos - pos, 4, "not remembered: written in full");
	}
}
