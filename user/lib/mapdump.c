// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* What the fast path answers, as text: see mapdump.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "config.h"
#include "dname.h"
#include "mapdump.h"

/* The records of a section, one line each. */
static json_t *section_json(const ldns_rr_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < ldns_rr_list_rr_count(l); i++) {
		char *s = ldns_rr2str(ldns_rr_list_rr(l, i));

		if (!s) {
			json_decref(arr);
			return NULL;
		}
		s[strcspn(s, "\n")] = '\0';
		json_array_append_new(arr, json_string(s));
		free(s);
	}
	return arr;
}

/*
 * The blob is the tail of a response: put the header and the question in
 * front of it (the question is the key's name: the compression pointers of
 * the records point there), and let ldns parse the message.
 */
int xdpmx_blob_decode(const struct xdpmx_key_l *key, uint8_t name_len, const uint8_t *blob,
		      uint16_t blob_len, json_t *entry)
{
	const struct xdpmx_blob_hdr *h = (const void *)blob;
	uint8_t pkt[12 + XDPMX_NAME_L + 4 + XDPMX_BLOB_MAX];
	json_t *an, *ad;
	ldns_pkt *p = NULL;
	ldns_status st;
	size_t off, len;

	if (blob_len < sizeof(*h) || !name_len)
		goto bad;
	off = XDPMX_BLOB_AN_OFF(h->an_count);
	if (off + h->an_len + h->ad_len > blob_len || h->an_len + h->ad_len > XDPMX_BLOB_MAX)
		goto bad;
	memset(pkt, 0, 12);
	pkt[2] = 0x84; /* QR, AA */
	pkt[5] = 1;    /* QDCOUNT */
	pkt[7] = h->an_count;
	pkt[11] = h->ad_count;
	len = 12;
	memcpy(pkt + len, key->name, name_len);
	len += name_len;
	memcpy(pkt + len, &key->qtype, 2); /* network order already */
	pkt[len + 2] = 0;
	pkt[len + 3] = XDPMX_CLASS_IN;
	len += 4;
	memcpy(pkt + len, blob + off, (size_t)h->an_len + h->ad_len);
	len += (size_t)h->an_len + h->ad_len;

	st = ldns_wire2pkt(&p, pkt, len);
	if (st != LDNS_STATUS_OK) {
		json_object_set_new(entry, "error", json_string(ldns_get_errorstr_by_id(st)));
		return -EINVAL;
	}
	an = section_json(ldns_pkt_answer(p));
	ad = section_json(ldns_pkt_additional(p));
	ldns_pkt_free(p);
	if (!an || !ad) {
		json_decref(an);
		json_decref(ad);
		return -ENOMEM;
	}
	json_object_set_new(entry, "order", json_string(xdpmx_order_name(h->order)));
	json_object_set_new(entry, "records", an);
	json_object_set_new(entry, "additional", ad);
	return 0;
bad:
	json_object_set_new(entry, "error", json_string("blob header inconsistent"));
	return -EINVAL;
}

static int dump_one(const uint8_t *apex, const struct xdpmx_key_l *key, uint8_t name_len,
		    const uint8_t *blob, uint16_t blob_len, void *ctx)
{
	char zone[XDPMX_DNAME_STRLEN], name[XDPMX_DNAME_STRLEN];
	char *type = ldns_rr_type2str((ldns_rr_type)ntohs(key->qtype));
	json_t *list = ctx, *e;

	e = json_pack("{s:s, s:s, s:s}", "zone", xdpmx_dname_str(apex, zone), "name",
		      xdpmx_dname_str(key->name, name), "type", type ? type : "?");
	free(type);
	if (!e)
		return -ENOMEM;
	if (xdpmx_blob_decode(key, name_len, blob, blob_len, e) == -ENOMEM) {
		json_decref(e);
		return -ENOMEM;
	}
	return json_array_append_new(list, e) ? -ENOMEM : 0;
}

json_t *xdpmx_map_dump_json(struct xdpmx_fp *fp, int *err)
{
	json_t *list = json_array();
	int ret = list ? xdpmx_fp_dump(fp, dump_one, list) : -ENOMEM;

	if (ret) {
		json_decref(list);
		*err = ret;
		return NULL;
	}
	return list;
}
